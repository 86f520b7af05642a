"""Taking back a mistake: a record entered today that nothing refers to may be deleted; anything else is
ended or voided by its area with a reason.

What refers to a row is read from the schema's foreign keys (every table, so a new area is covered
without listing it here). Rows that only belong to the record (its tag links) go with it. Every
deletion is in the 操作日志 with the record's values, so even a deleted row can be read back there.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.models import Base

from . import access, audit
from .errors import ServiceError

# What a referring table is called in a message (所引用: "已被 3 条积分记录引用").
TABLE_LABELS = {
    "grids": "网格", "grid_posts": "网格岗位", "household_moves": "户的网格变动记录", "village_maps": "地图",
    "notices": "公示", "objections": "异议", "party_orgs": "党组织", "org_partners": "联建单位",
    "party_members": "党员", "member_posts": "党内职务", "member_contacts": "联系户记录",
    "org_memberships": "功能型党小组成员记录", "households": "户", "residents": "居民",
    "point_entries": "积分记录", "household_point_entries": "乡风文明积分记录", "assessments": "年度评定",
    "meetings": "会议", "attendances": "考勤记录", "star_applications": "星级申报", "star_changes": "加星减星记录",
    "star_application_items": "星级申报项目", "tickets": "工单", "ticket_assignees": "工单承办人",
    "ticket_events": "工单办理记录", "operators": "操作员", "point_rules": "积分规则",
    "star_rounds": "星级评选", "star_round_steps": "评选步骤", "settings": "设置", "tags": "标签",
    "import_batches": "导入记录", "units": "本村",
}
# Tables whose rows belong to the record they point at and are deleted with it.
OWNED = {"household_tags"}
# Tables that refer to everything and never block a deletion (the log keeps its own copy).
IGNORED = {"audit_entries"}


def _created_today(created_at: datetime | None, today: date) -> bool:
    if created_at is None:
        return False
    return created_at.replace(tzinfo=UTC).astimezone().date() == today


def referrers(s: Session, table: str, row_id: int) -> list[tuple[str, int]]:
    """Every (table, count) of rows whose foreign keys point at this row, owned and ignored tables aside."""
    out: list[tuple[str, int]] = []
    for other in Base.metadata.sorted_tables:
        if other.name in OWNED or other.name in IGNORED:
            continue
        for fk in other.foreign_keys:
            if fk.column.table.name != table:
                continue
            n = s.scalar(select(func.count()).select_from(other).where(fk.parent == row_id)) or 0
            if n:  # a self reference (a child org's parent_id) counts like any other
                out.append((other.name, n))
    return out


def references_text(found: list[tuple[str, int]]) -> str:
    """「3 条积分记录、1 个党内职务」: what still refers to a record, for messages."""
    return "、".join(f"{n} 条{TABLE_LABELS.get(t, t)}" for t, n in found)


def delete_if_fresh(
    s: Session, obj: object, unit_id: int | None, entity: str, what: str, end_hint: str, today: date | None = None
) -> None:
    """Delete `obj` (an ORM row) if it was entered today and nothing refers to it; otherwise say why not.

    entity: the 操作日志's name for the kind (resident, party_member …); what: the record as a user names it
    (「居民 张三」); end_hint: what to do instead (「请用“迁出/死亡”登记。」).
    """
    access.require_role(s, *access.ENTRY_ROLES, action="删除记录")
    today = today or date.today()
    table = obj.__table__.name  # type: ignore[attr-defined]
    row_id: int = obj.id  # type: ignore[attr-defined]
    if not _created_today(getattr(obj, "created_at", None), today):
        raise ServiceError(f"{what}不是今天录入的，不能删除。{end_hint}")
    found = referrers(s, table, row_id)
    if found:
        raise ServiceError(f"{what}已被 {references_text(found)}引用，不能删除。{end_hint}")
    values = audit.snapshot(obj, [c.key for c in obj.__table__.columns])  # type: ignore[attr-defined]
    for owned in OWNED:
        t = Base.metadata.tables.get(owned)
        if t is None:
            continue
        for fk in t.foreign_keys:
            if fk.column.table.name == table:
                s.execute(delete(t).where(fk.parent == row_id))
    # Core deletes: the ORM would also try to remove the owned rows through the relationships.
    main = obj.__table__  # type: ignore[attr-defined]
    s.execute(delete(main).where(main.c.id == row_id))
    s.expunge(obj)
    audit.record(s, unit_id, "delete", entity, row_id, f"删除误录的{what}", {"deleted": values})
