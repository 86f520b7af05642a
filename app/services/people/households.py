"""户 and their 标签: paged queries for the lazy Qt models, and validated changes (rows are never deleted)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, or_, select
from sqlalchemy.orm import Session

from app.models import Grid, Household, Resident, Tag, household_tags
from app.models.people import HEAD_RELATION

from .. import access, audit
from ..errors import NotFound, ServiceError, check_version
from ..search import text_filter, tokens
from ..validation import FREE_TEXT_MAX, Problems
from .residents import ACTIVE_STATUSES, _ordered, resident_search

# ---------------------------------------------------------------- what the UI shows


@dataclass(frozen=True)
class HouseholdRow:
    id: int
    number: str
    address: str
    head_id: int | None
    head_name: str | None
    head_phone: str | None
    size: int  # residents 在册 or 外出务工
    grid_id: int | None
    grid_name: str | None
    tags: tuple[str, ...]
    closed_on: date | None
    close_reason: str
    note: str
    map_x: float | None
    map_y: float | None
    version: int = 1  # the record's version: an edit dialog passes it back (expected_version)


@dataclass(frozen=True)
class TagInfo:
    id: int
    name: str
    active: bool
    sort_order: int
    household_count: int  # open households carrying the tag


@dataclass
class HouseholdQuery:
    unit_id: int
    text: str = ""  # 户号, 门牌, or any member's name/拼音/身份证号/phone
    grid_id: int | None = None  # the grid or any micro-grid under it
    tag: str | None = None  # tag name
    include_closed: bool = False
    order_by: str = "number"  # number | address | head_name | size | grid_name | id
    descending: bool = False


# ---------------------------------------------------------------- inputs


@dataclass
class HouseholdInput:
    number: str
    address: str = ""
    grid_id: int | None = None
    note: str = ""
    tag_names: Sequence[str] = field(default_factory=tuple)
    map_x: float | None = None
    map_y: float | None = None


# ---------------------------------------------------------------- household queries


def _head_col(col: Any) -> Any:
    return (
        select(col)
        .where(
            Resident.household_id == Household.id, Resident.relation == HEAD_RELATION,
            Resident.status.in_(ACTIVE_STATUSES),
        )
        .order_by(Resident.id)
        .limit(1)
        .scalar_subquery()
    )


def _size_col() -> Any:
    return (
        select(func.count(Resident.id))
        .where(Resident.household_id == Household.id, Resident.status.in_(ACTIVE_STATUSES))
        .scalar_subquery()
    )


def _household_where(q: HouseholdQuery) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [Household.unit_id == q.unit_id]
    if not q.include_closed:
        where.append(Household.closed_on.is_(None))
    if q.grid_id is not None:
        sub = select(Grid.id).where(or_(Grid.id == q.grid_id, Grid.parent_id == q.grid_id))
        where.append(Household.grid_id.in_(sub))
    if q.tag:
        where.append(
            exists().where(
                household_tags.c.household_id == Household.id, household_tags.c.tag_id == Tag.id, Tag.name == q.tag
            )
        )
    for word in tokens(q.text):
        # each word: the household's own number/address, or one of its people
        own = text_filter(word, Household.number, extra=[Household.address])
        person = resident_search(word)
        assert own is not None and person is not None
        # IN (non-correlated) lets the database scan residents once instead of once per household
        people_match = select(Resident.household_id).where(Resident.unit_id == q.unit_id, person)
        where.append(or_(own, Household.id.in_(people_match)))
    return where


def _household_select() -> tuple[Select[Any], dict[str, Any]]:
    head_name, size = _head_col(Resident.name), _size_col()
    stmt = select(
        Household, _head_col(Resident.id).label("head_id"), head_name.label("head_name"),
        _head_col(Resident.phone).label("head_phone"), size.label("size"), Grid.name.label("grid_name"),
    ).outerjoin(Grid, Household.grid_id == Grid.id)
    order = {
        # head_name sorts by the head's 拼音, as people expect for Chinese names
        "number": Household.number, "address": Household.address, "head_name": _head_col(Resident.name_pinyin),
        "size": size,
        "grid_name": Grid.name, "id": None,
    }
    return stmt, order


def _household_rows(s: Session, rows: Sequence[Any]) -> list[HouseholdRow]:
    tags = tags_of(s, (r.Household.id for r in rows))
    out = []
    for r in rows:
        h: Household = r.Household
        out.append(
            HouseholdRow(
                id=h.id, number=h.number, address=h.address, head_id=r.head_id, head_name=r.head_name,
                head_phone=r.head_phone, size=r.size or 0, grid_id=h.grid_id, grid_name=r.grid_name,
                tags=tuple(tags[h.id]), closed_on=h.closed_on, close_reason=h.close_reason, note=h.note,
                map_x=h.map_x, map_y=h.map_y, version=h.version,
            )
        )
    return out


def _household_scope(s: Session) -> list[ColumnElement[bool]]:
    cond = access.household_filter(s)  # grid staff: their grids only
    return [] if cond is None else [cond]


def count_households(s: Session, q: HouseholdQuery) -> int:
    return s.scalar(select(func.count(Household.id)).where(*_household_where(q), *_household_scope(s))) or 0


def list_households(s: Session, q: HouseholdQuery, offset: int = 0, limit: int = 200) -> list[HouseholdRow]:
    stmt, order = _household_select()
    if q.order_by not in order:
        raise ServiceError(f"不能按“{q.order_by}”排序")
    col = order[q.order_by]
    ordering = _ordered([col] if col is not None else [], q.descending, Household.id)
    # Deferred join (as for residents): the page's ids first, then the head/size/grid columns for those
    # 200 households only — the last page of 50,000 no longer computes them for every skipped row.
    ids = select(Household.id).where(*_household_where(q), *_household_scope(s))
    if q.order_by == "grid_name":
        ids = ids.outerjoin(Grid, Household.grid_id == Grid.id)
    page = ids.order_by(*ordering).offset(offset).limit(limit).subquery()
    stmt = stmt.join(page, page.c.id == Household.id).order_by(*ordering)
    return _household_rows(s, s.execute(stmt).all())


def get_household(s: Session, household_id: int) -> HouseholdRow:
    stmt, _ = _household_select()
    rows = s.execute(stmt.where(Household.id == household_id, *_household_scope(s))).all()
    if not rows:
        raise NotFound("找不到该户")
    return _household_rows(s, rows)[0]


def household_input(s: Session, household_id: int) -> HouseholdInput:
    h = get_household(s, household_id)
    return HouseholdInput(
        number=h.number, address=h.address, grid_id=h.grid_id, note=h.note, tag_names=h.tags,
        map_x=h.map_x, map_y=h.map_y,
    )


# ---------------------------------------------------------------- household changes


def _get_household(s: Session, household_id: int) -> Household:
    h = s.get(Household, household_id)
    if h is None:
        raise NotFound("找不到该户")
    return h


def _resolve_tags(s: Session, unit_id: int, names: Iterable[str], p: Problems) -> list[Tag]:
    wanted = [n.strip() for n in names if n and n.strip()]
    found = {t.name: t for t in s.scalars(select(Tag).where(Tag.unit_id == unit_id, Tag.name.in_(wanted)))}
    missing = [n for n in wanted if n not in found]
    if missing:
        p.add("tag_names", "标签", f"没有这些标签：{'、'.join(missing)}（可在设置中添加）")
    return [found[n] for n in dict.fromkeys(wanted) if n in found]


def _check_household(
    s: Session, unit_id: int, data: HouseholdInput, p: Problems, household_id: int | None
) -> tuple[str, str, list[Tag]]:
    number = p.text("number", "户号", data.number, required=True, max_len=30)
    address = p.text("address", "门牌/住址", data.address, max_len=120)
    if number:
        other = s.execute(
            select(Household.id, Household.address).where(Household.unit_id == unit_id, Household.number == number)
        ).first()
        if other is not None and other.id != household_id:
            where = f"（{other.address}）" if other.address else ""
            p.add("number", "户号", f"户号 {number} 已被另一户使用{where}")
    if data.grid_id is not None:
        grid = s.get(Grid, data.grid_id)
        if grid is None or grid.unit_id != unit_id:
            p.add("grid_id", "网格", "所选的网格不存在")
        elif grid.closed_on is not None:
            p.add("grid_id", "网格", f"网格 {grid.name} 已撤销")
    tags = _resolve_tags(s, unit_id, data.tag_names, p)
    return number, address, tags


HOUSEHOLD_AUDIT_FIELDS = ("number", "address", "grid_id", "note", "map_x", "map_y")


def _household_state(h: Household) -> dict[str, object]:
    state = audit.snapshot(h, HOUSEHOLD_AUDIT_FIELDS)
    state["tags"] = [t.name for t in h.tags]
    return state


def add_household(s: Session, unit_id: int, data: HouseholdInput) -> int:
    access.check_grid(s, data.grid_id)
    p = Problems()
    number, address, tags = _check_household(s, unit_id, data, p, None)
    note = p.text("note", "备注", data.note, max_len=FREE_TEXT_MAX)
    p.raise_if_any()
    h = Household(
        unit_id=unit_id, number=number, address=address, grid_id=data.grid_id, note=note,
        map_x=data.map_x, map_y=data.map_y,
    )
    h.tags = tags
    s.add(h)
    s.flush()
    audit.record(s, unit_id, "create", "household", h.id, f"新增户：{number}")
    return h.id


def update_household(s: Session, household_id: int, data: HouseholdInput, expected_version: int | None = None) -> None:
    """Change a household. A grid change here is a correction; moves with a date go through the grid service.
    expected_version (the version the dialog showed) refuses a save over someone else's change."""
    h = _get_household(s, household_id)
    check_version(h.version, expected_version)
    access.check_household(s, h.id, "修改")
    access.check_grid(s, data.grid_id)
    before = _household_state(h)
    p = Problems()
    number, address, tags = _check_household(s, h.unit_id, data, p, h.id)
    note = p.text("note", "备注", data.note, max_len=FREE_TEXT_MAX)
    p.raise_if_any()
    h.number, h.address, h.grid_id, h.note = number, address, data.grid_id, note
    h.map_x, h.map_y = data.map_x, data.map_y
    h.tags = tags
    s.flush()
    audit.record_change(s, h.unit_id, "household", h.id, f"修改户：{number}", before, _household_state(h))


def set_household_tags(s: Session, household_id: int, tag_names: Iterable[str]) -> None:
    """The household's tags (低保, 空巢 …), from the village's list of tags."""
    h = _get_household(s, household_id)
    access.check_household(s, h.id, "修改")
    p = Problems()
    tags = _resolve_tags(s, h.unit_id, tag_names, p)
    p.raise_if_any()
    before = {"tags": [t.name for t in h.tags]}
    h.tags = tags
    s.flush()
    audit.record_change(s, h.unit_id, "household", h.id,
                        f"户 {h.number} 标签：{'、'.join(t.name for t in tags) or '无'}", before,
                        {"tags": [t.name for t in tags]})


def close_household(s: Session, household_id: int, on: date, reason: str) -> None:
    """销户. Refused while people still live in it (move them out or to another household first)."""
    access.require_role(s, *access.ENTRY_ROLES, action="销户")
    h = _get_household(s, household_id)
    access.check_household(s, h.id, "销户")
    p = Problems()
    if h.closed_on is not None:
        p.add("closed_on", "销户日期", f"该户已于 {h.closed_on.isoformat()} 销户")
    if on is None:
        p.add("closed_on", "销户日期", "请填写销户日期")
    elif on > date.today():
        p.add("closed_on", "销户日期", "日期晚于今天")
    reason = p.text("close_reason", "销户原因", reason, required=True)
    living = list(s.scalars(
        select(Resident.name).where(Resident.household_id == h.id, Resident.status.in_(ACTIVE_STATUSES))
        .order_by(Resident.id)
    ))
    if living:
        p.add("residents", "在册居民", f"该户还有 {len(living)} 名在册居民（{'、'.join(living)}），"
                                     "请先把他们转到其他户，或登记迁出、死亡")
    p.raise_if_any()
    h.closed_on, h.close_reason = on, reason
    s.flush()
    audit.record(s, h.unit_id, "close", "household", h.id, f"销户：{h.number}（{reason}）",
                 {"changes": audit.diff({"closed_on": None}, {"closed_on": on, "close_reason": reason})})


# ---------------------------------------------------------------- tags

TAG_SEPARATORS = re.compile(r"[、,，;；\s]")  # they separate a household's tags in a ledger cell


def list_tags(s: Session, unit_id: int, include_inactive: bool = False) -> list[TagInfo]:
    used = (
        select(func.count(household_tags.c.household_id))
        .join(Household, Household.id == household_tags.c.household_id)
        .where(household_tags.c.tag_id == Tag.id, Household.closed_on.is_(None))
        .scalar_subquery()
    )
    stmt = select(Tag, used).where(Tag.unit_id == unit_id).order_by(Tag.sort_order, Tag.id)
    if not include_inactive:
        stmt = stmt.where(Tag.active.is_(True))
    return [TagInfo(t.id, t.name, t.active, t.sort_order, n or 0) for t, n in s.execute(stmt)]


def add_tag(s: Session, unit_id: int, name: str) -> int:
    access.require_role(s, *access.ENTRY_ROLES, action="新增户标签")
    p = Problems()
    name = p.text("name", "标签名称", name, required=True, max_len=30)
    if name and TAG_SEPARATORS.search(name):
        p.add("name", "标签名称", "标签名称里不能有空格或 、，, ；; 这些分隔符（台账里用它们分开多个标签）")
    elif name and s.scalar(select(Tag.id).where(Tag.unit_id == unit_id, Tag.name == name)):
        p.add("name", "标签名称", f"已有标签“{name}”")
    p.raise_if_any()
    last = s.scalar(select(func.max(Tag.sort_order)).where(Tag.unit_id == unit_id))
    tag = Tag(unit_id=unit_id, name=name, sort_order=(last if last is not None else -1) + 1)
    s.add(tag)
    s.flush()
    audit.record(s, unit_id, "create", "tag", tag.id, f"新增户标签：{name}")
    return tag.id


def unit_household_tags(s: Session, unit_id: int) -> dict[int, list[str]]:
    """Every tagged household of a village with its tag names in the tags' order (one query, for ledgers)."""
    out: dict[int, list[str]] = {}
    rows = s.execute(
        select(household_tags.c.household_id, Tag.name)
        .join(Tag, Tag.id == household_tags.c.tag_id)
        .where(Tag.unit_id == unit_id)
        .order_by(household_tags.c.household_id, Tag.sort_order, Tag.id)
    )
    for hid, name in rows:
        out.setdefault(hid, []).append(name)
    return out


def tags_of(s: Session, household_ids: Iterable[int]) -> dict[int, list[str]]:
    """Each household's tag names in the tags' order (one query for a page of households)."""
    ids = list(household_ids)
    out: dict[int, list[str]] = {i: [] for i in ids}
    if ids:
        rows = s.execute(
            select(household_tags.c.household_id, Tag.name)
            .join(Tag, Tag.id == household_tags.c.tag_id)
            .where(household_tags.c.household_id.in_(ids))
            .order_by(Tag.sort_order, Tag.id)
        )
        for hid, name in rows:
            out[hid].append(name)
    return out
