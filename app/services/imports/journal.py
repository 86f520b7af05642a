"""What an import changed, kept so the batch can be undone exactly.

Choice: the journal lives in ImportBatch.mapping (JSON) beside the column mapping, under
"created" (entity → [[id, file row], …]) and "updated" ([{entity, id, row, before}, …]) plus
"finished_at". Rows the batch created are its own (never in a ledger, no one else refers to them):
undo deletes them. Rows it updated get their full before-image back. Undo is refused, naming the
rows, when anything was edited after the import (updated_at later than finished_at) or when rows
outside the batch now refer to the batch's own rows (a member added to an imported household …).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, Table, delete, inspect, select
from sqlalchemy.orm import Session

from app.models import (
    Base,
    Grid,
    GridPost,
    Household,
    MemberPost,
    PartyMember,
    PartyOrg,
    Resident,
    Ticket,
    TicketCategory,
    TicketEvent,
    household_tags,
)
from app.models.base import utcnow

ENTITIES: dict[str, type[Base]] = {
    "ticket_event": TicketEvent, "ticket": Ticket, "grid_post": GridPost, "member_post": MemberPost,
    "party_member": PartyMember,
    "resident": Resident, "household": Household, "grid": Grid, "party_org": PartyOrg,
    "ticket_category": TicketCategory,
}
# Deleting in this order never breaks a foreign key among the batch's own rows.
DELETE_ORDER = tuple(ENTITIES)
ENTITY_LABELS = {
    "ticket_event": "办理记录", "ticket": "工单", "grid_post": "网格员", "member_post": "党内职务",
    "party_member": "党员", "resident": "居民",
    "household": "户", "grid": "网格", "party_org": "党组织", "ticket_category": "工单类别",
}
TAGS_KEY = "_tag_ids"  # household tags are part of a household's before-image


def snapshot(obj: Base) -> dict[str, Any]:
    """Every column of a row as JSON values (dates as ISO text)."""
    out: dict[str, Any] = {}
    for attr in inspect(obj).mapper.column_attrs:
        value = getattr(obj, attr.key)
        out[attr.key] = value.isoformat() if isinstance(value, date | datetime) else value
    if isinstance(obj, Household):
        out[TAGS_KEY] = sorted(t.id for t in obj.tags)
    return out


def restore(s: Session, obj: Base, before: dict[str, Any]) -> None:
    mapper = inspect(obj).mapper
    for attr in mapper.column_attrs:
        if attr.key not in before or attr.key == "id":
            continue
        value = before[attr.key]
        column_type = attr.columns[0].type
        if value is not None and isinstance(column_type, DateTime):
            value = datetime.fromisoformat(value)
        elif value is not None and isinstance(column_type, Date):
            value = date.fromisoformat(value)
        setattr(obj, attr.key, value)
    if isinstance(obj, Household) and TAGS_KEY in before:
        from app.models import Tag

        ids = before[TAGS_KEY]
        obj.tags = list(s.scalars(select(Tag).where(Tag.id.in_(ids)))) if ids else []


@dataclass
class Journal:
    created: dict[str, list[list[int]]] = field(default_factory=dict)
    updated: list[dict[str, Any]] = field(default_factory=list)
    _seen: set[tuple[str, int]] = field(default_factory=set)
    _log: list[tuple[str, str, int]] = field(default_factory=list)  # (created|updated, entity, id), to roll back

    def add_created(self, entity: str, obj_id: int, row: int) -> None:
        self.created.setdefault(entity, []).append([obj_id, row])
        self._seen.add((entity, obj_id))
        self._log.append(("created", entity, obj_id))

    def add_created_many(self, entity: str, pairs: list[tuple[int, int]]) -> None:
        """add_created for each (id, file row), in one go (a bulk insert's rows)."""
        self.created.setdefault(entity, []).extend([obj_id, row] for obj_id, row in pairs)
        self._seen.update((entity, obj_id) for obj_id, _row in pairs)
        self._log.extend(("created", entity, obj_id) for obj_id, _row in pairs)

    def mark(self) -> int:
        return len(self._log)

    def reset(self, mark: int) -> None:
        """Forget what was recorded since mark (the row's savepoint was rolled back)."""
        while len(self._log) > mark:
            what, entity, obj_id = self._log.pop()
            self._seen.discard((entity, obj_id))
            if what == "created":
                self.created[entity].pop()
            else:
                self.updated.pop()

    def is_own(self, entity: str, obj_id: int) -> bool:
        return (entity, obj_id) in self._seen

    def before_update(self, entity: str, obj: Base, row: int) -> dict[str, Any] | None:
        """Call before changing a row: keeps its first before-image (a row touched twice keeps the first)."""
        obj_id = obj.id
        if self.is_own(entity, obj_id):
            return None  # created by this batch: undo deletes it anyway
        if (entity, obj_id) in self._seen:
            return None  # touched by an earlier row: its first before-image is the one to restore
        self._seen.add((entity, obj_id))
        self._log.append(("updated", entity, obj_id))
        entry = {"entity": entity, "id": obj_id, "row": row, "before": snapshot(obj)}
        self.updated.append(entry)
        return entry

    def drop_unchanged(self, s: Session) -> None:
        """Forget before-images of rows the batch did not actually change (so later edits don't block undo)."""
        kept = []
        for entry in self.updated:
            obj = s.get(ENTITIES[entry["entity"]], entry["id"])
            if obj is None:
                continue
            now = snapshot(obj)
            if any(now.get(k) != v for k, v in entry["before"].items() if k not in ("updated_at",)):
                kept.append(entry)
        self.updated = kept

    def to_json(self) -> dict[str, Any]:
        return {"created": self.created, "updated": self.updated, "finished_at": utcnow().isoformat()}

    def counts(self) -> dict[str, int]:
        return {k: len(v) for k, v in self.created.items()}


def describe(s: Session, entity: str, obj: Base | None) -> str:
    """How a row is named in a message: 居民 张三, 户 012, 党员 李四 …"""
    label = ENTITY_LABELS.get(entity, entity)
    if obj is None:
        return label
    if isinstance(obj, Resident):
        return f"{label} {obj.name}"
    if isinstance(obj, Household):
        return f"{label} {obj.number}"
    if isinstance(obj, PartyMember):
        resident = s.get(Resident, obj.resident_id)
        return f"{label} {resident.name if resident else ''}"
    if isinstance(obj, GridPost):
        return f"{label} {obj.person_name}"
    if isinstance(obj, MemberPost):
        return f"{label} {obj.post}"
    if isinstance(obj, Ticket):
        return f"{label} {obj.number}"
    return f"{label} {getattr(obj, 'name', '')}"


def _referrers(table: Table) -> list[tuple[Table, Any]]:
    """(table, column) pairs in the schema whose foreign key points at table.id."""
    out = []
    for other in Base.metadata.sorted_tables:
        for fk in other.foreign_keys:
            if fk.column.table is table and fk.column.name == "id":
                out.append((other, fk.parent))
    return out


_ENTITY_BY_TABLE = {model.__table__.name: name for name, model in ENTITIES.items()}  # type: ignore[attr-defined]


def undo_blockers(s: Session, data: dict[str, Any], limit: int = 20) -> list[str]:
    """Why this batch cannot be undone (empty: it can). Each line names a row of the file."""
    finished = datetime.fromisoformat(data["finished_at"])
    created: dict[str, list[list[int]]] = data.get("created", {})
    own: dict[str, set[int]] = {e: {i for i, _ in pairs} for e, pairs in created.items()}
    # rows the batch updated get their before-image back, which cannot point at the batch's new rows
    touched: dict[str, set[int]] = {}
    for entry in data.get("updated", []):
        touched.setdefault(entry["entity"], set()).add(entry["id"])
    rows_of = {(e, i): r for e, pairs in created.items() for i, r in pairs}
    out: list[str] = []

    def later_edit(entity: str, obj_id: int, row: int) -> None:
        obj = s.get(ENTITIES[entity], obj_id)
        if obj is None:
            out.append(f"第 {row} 行 {ENTITY_LABELS[entity]}：导入后已被删除")
        elif getattr(obj, "updated_at", None) is not None and obj.updated_at > finished:  # type: ignore[attr-defined]
            when = obj.updated_at.replace(tzinfo=UTC).astimezone().strftime("%Y-%m-%d %H:%M")  # type: ignore[attr-defined]
            out.append(f"第 {row} 行 {describe(s, entity, obj)}：导入后于 {when} 又被修改过")

    for entry in data.get("updated", []):
        later_edit(entry["entity"], entry["id"], entry["row"])
    for entity, pairs in created.items():
        for obj_id, row in pairs:
            later_edit(entity, obj_id, row)
        table: Table = ENTITIES[entity].__table__  # type: ignore[attr-defined]
        ids = list(own[entity])
        for other, column in _referrers(table):
            if other is household_tags:
                continue  # a household's tags go with it
            other_entity = _ENTITY_BY_TABLE.get(other.name)
            mine = own.get(other_entity, set()) | touched.get(other_entity, set()) if other_entity else set()
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                for ref_id, target in s.execute(select(other.c.id, column).where(column.in_(chunk))):
                    if ref_id in mine:
                        continue
                    obj = s.get(ENTITIES[entity], target)
                    out.append(
                        f"第 {rows_of[(entity, target)]} 行 {describe(s, entity, obj)}：导入后已被其他记录引用"
                        f"（{_table_label(other.name)}）"
                    )
        if len(out) >= limit:
            break
    return list(dict.fromkeys(out))[:limit]


def _table_label(table: str) -> str:
    entity = _ENTITY_BY_TABLE.get(table)
    return ENTITY_LABELS[entity] if entity else {
        "member_contacts": "党员联系户", "member_posts": "党员职务", "point_entries": "党员积分",
        "star_applications": "星级文明户申报", "household_moves": "户迁移记录", "ticket_assignees": "工单派单",
        "attendance": "会议出勤", "assessments": "年度评定",
    }.get(table, table)


def apply_undo(s: Session, data: dict[str, Any]) -> dict[str, int]:
    """Restore before-images, then delete the batch's own rows. Returns entity → rows deleted."""
    for entry in reversed(data.get("updated", [])):
        obj = s.get(ENTITIES[entry["entity"]], entry["id"])
        if obj is not None:
            restore(s, obj, entry["before"])
    s.flush()
    created: dict[str, list[list[int]]] = data.get("created", {})
    deleted: dict[str, int] = {}
    for entity in DELETE_ORDER:
        ids = [i for i, _ in created.get(entity, [])]
        if not ids:
            continue
        model = ENTITIES[entity]
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            if entity == "household":
                s.execute(delete(household_tags).where(household_tags.c.household_id.in_(chunk)))
            s.execute(delete(model).where(model.id.in_(chunk)))  # type: ignore[attr-defined]
        deleted[entity] = len(ids)
    s.flush()
    s.expire_all()
    return deleted
