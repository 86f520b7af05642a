"""网格 / 微网格: the grids themselves, their posts (with history) and households moving between them.

Nothing here is deleted: a grid is closed (撤销) with a date, a post ends with end_on, and a household
changing grid leaves a HouseholdMove row so ledgers can show who was where when. Coverage and
statistics are in grid_coverage, the map (markers, picture) in grid_map.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from app.models import Grid, GridPost, Household, HouseholdMove, Resident, VillageMap
from app.models.grid import GRID_KINDS, GRID_POSTS
from app.models.people import HEAD_RELATION

from .. import access, audit
from ..errors import NotFound, ServiceError
from ..people.residents import ACTIVE_STATUSES
from ..validation import FREE_TEXT_MAX, Problems, check_term_end
from .geometry import Point, clean_polygon, containing_area, polygon_problem

DEFAULT_MAP_SIZE = (1600, 1000)
DEFAULT_COLOR = "#4f8fd6"
_COLOR = re.compile(r"#[0-9a-fA-F]{6}")
# Posts of a whole grid, posts of a micro-grid; 楼栋长 goes with either.
TOP_POSTS = ("网格长", "专职网格员")
MICRO_POSTS = ("微网格员", "辅助微网格员")
SINGLE_HOLDER = ("网格长", "微网格员")  # appointing a new one ends the current holder's term


# ---------------------------------------------------------------- what the UI shows


@dataclass(frozen=True)
class GridInfo:
    id: int
    parent_id: int | None
    code: str
    name: str
    kind: str
    color: str
    polygon: tuple[Point, ...] | None
    sort_order: int
    note: str
    closed_on: date | None = None

    @property
    def is_micro(self) -> bool:
        return self.parent_id is not None


@dataclass
class GridInput:
    code: str
    name: str
    parent_id: int | None = None
    kind: str = "普通"
    color: str = DEFAULT_COLOR
    polygon: Sequence[Sequence[float]] | None = None
    note: str = ""


@dataclass(frozen=True)
class PostRow:
    id: int
    grid_id: int
    grid_name: str
    post: str
    name: str
    phone: str
    resident_id: int | None
    start_on: date | None
    end_on: date | None
    note: str

    def held_on(self, on: date) -> bool:
        return (self.start_on is None or self.start_on <= on) and (self.end_on is None or self.end_on > on)


@dataclass
class PostInput:
    post: str
    person_name: str = ""  # taken from the resident when resident_id is given and this is empty
    resident_id: int | None = None
    phone: str = ""  # likewise
    start_on: date | None = None
    note: str = ""


@dataclass(frozen=True)
class MoveRow:
    id: int
    household_id: int
    from_grid: str
    to_grid: str
    moved_on: date
    note: str


@dataclass(frozen=True)
class PlaceResult:
    household_id: int
    x: float
    y: float
    grid_id: int | None
    grid_name: str
    moved_from: str | None = None  # the old grid's name when the household changed grid
    warnings: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- grids


def _info(g: Grid | Row[Any]) -> GridInfo:
    poly = tuple((float(p[0]), float(p[1])) for p in g.polygon) if isinstance(g.polygon, list) and g.polygon else None
    return GridInfo(g.id, g.parent_id, g.code, g.name, g.kind, g.color, poly, g.sort_order, g.note, g.closed_on)


def grid_and_parents(parent: dict[int, int | None], grid_id: int | None) -> Iterator[int]:
    """grid_id, then its parent grid (a grid's figures include its micro-grids'), by `parent` = {grid id:
    its parent id} of the grids counted; a grid not in it ends the walk."""
    while grid_id is not None and grid_id in parent:
        yield grid_id
        grid_id = parent[grid_id]


def list_grids(s: Session, unit_id: int, include_closed: bool = False) -> list[GridInfo]:
    """Grids in display order, each followed by its micro-grids."""
    # plain rows, not ORM objects: a county's 1,500 grids come back in a few milliseconds
    stmt = select(Grid.id, Grid.parent_id, Grid.code, Grid.name, Grid.kind, Grid.color, Grid.polygon,
                  Grid.sort_order, Grid.note, Grid.closed_on).where(Grid.unit_id == unit_id)
    if not include_closed:
        stmt = stmt.where(Grid.closed_on.is_(None))
    rows = list(s.execute(stmt.order_by(Grid.sort_order, Grid.id)))
    children: dict[int | None, list[Row[Any]]] = {}
    for g in rows:
        children.setdefault(g.parent_id, []).append(g)
    out: list[GridInfo] = []
    known = {g.id for g in rows}
    for g in rows:
        if g.parent_id is None or g.parent_id not in known:
            out.append(_info(g))
            out.extend(_info(c) for c in children.get(g.id, []))
    return out


def _get(s: Session, grid_id: int) -> Grid:
    g = s.get(Grid, grid_id)
    if g is None:
        raise NotFound("找不到该网格")
    return g


def get_grid(s: Session, grid_id: int) -> GridInfo:
    return _info(_get(s, grid_id))


def grid_by_code(s: Session, unit_id: int, code: str) -> GridInfo:
    g = s.scalar(select(Grid).where(Grid.unit_id == unit_id, Grid.code == code.strip()))
    if g is None:
        codes = "、".join(s.scalars(select(Grid.code).where(Grid.unit_id == unit_id, Grid.parent_id.is_(None),
                                                          Grid.closed_on.is_(None)).order_by(Grid.sort_order)))
        raise NotFound(f"没有编码为“{code}”的网格" + (f"（现有：{codes}）" if codes else ""))
    return _info(g)


def map_size(s: Session, unit_id: int) -> tuple[int, int]:
    """The map's size in map units: the stored picture's pixels, or the plain canvas."""
    row = s.execute(select(VillageMap.width, VillageMap.height).where(VillageMap.unit_id == unit_id)
                    .order_by(VillageMap.id.desc()).limit(1)).first()
    return (int(row[0]), int(row[1])) if row else DEFAULT_MAP_SIZE


def _check_grid(s: Session, unit_id: int, data: GridInput, p: Problems, g: Grid | None) -> dict[str, object]:
    code = p.text("code", "网格编码", data.code, required=True, max_len=30)
    name = p.text("name", "网格名称", data.name, required=True, max_len=60)
    kind = p.choice("kind", "网格类型", data.kind or "普通", GRID_KINDS, required=True)
    color = (data.color or DEFAULT_COLOR).strip()
    if not _COLOR.fullmatch(color):
        p.add("color", "颜色", f"颜色应写成 #RRGGBB，如 {DEFAULT_COLOR}")
    if code:
        other = s.scalar(select(Grid.id).where(Grid.unit_id == unit_id, Grid.code == code))
        if other is not None and (g is None or other != g.id):
            p.add("code", "网格编码", f"编码 {code} 已被另一个网格使用")
    if data.parent_id is not None:
        parent = s.get(Grid, data.parent_id)
        if parent is None or parent.unit_id != unit_id:
            p.add("parent_id", "上级网格", "所选的上级网格不存在")
        elif parent.parent_id is not None:
            p.add("parent_id", "上级网格", f"{parent.name} 是微网格，微网格下不能再分网格")
        elif parent.closed_on is not None:
            p.add("parent_id", "上级网格", f"{parent.name} 已撤销")
        elif g is not None and (parent.id == g.id or g.children):
            p.add("parent_id", "上级网格", "已有微网格的网格不能再放到别的网格下")
    polygon = None
    if data.polygon:
        polygon = clean_polygon(data.polygon)
        problem = polygon_problem(polygon, *map_size(s, unit_id))
        if problem:
            p.add("polygon", "边界", problem)
    return {"code": code, "name": name, "kind": kind, "color": color, "polygon": polygon}


GRID_AUDIT_FIELDS = ("code", "name", "kind", "color", "parent_id", "polygon", "note")


def create_grid(s: Session, unit_id: int, data: GridInput) -> int:
    access.require_role(s, *access.ENTRY_ROLES, action="新建网格")
    p = Problems()
    values = _check_grid(s, unit_id, data, p, None)
    note = p.text("note", "备注", data.note, max_len=FREE_TEXT_MAX)
    p.raise_if_any()
    last = s.scalar(select(func.max(Grid.sort_order)).where(Grid.unit_id == unit_id, Grid.parent_id == data.parent_id
                                                           if data.parent_id else Grid.parent_id.is_(None)))
    g = Grid(unit_id=unit_id, parent_id=data.parent_id, note=note, sort_order=(last or 0) + 1, **values)
    s.add(g)
    s.flush()
    audit.record(s, unit_id, "create", "grid", g.id, f"新建{'微网格' if g.parent_id else '网格'}：{g.name}（{g.code}）")
    return g.id


def update_grid(s: Session, grid_id: int, data: GridInput) -> None:
    g = _get(s, grid_id)
    access.require_role(s, *access.ENTRY_ROLES, action="修改网格")
    before = audit.snapshot(g, GRID_AUDIT_FIELDS)
    p = Problems()
    values = _check_grid(s, g.unit_id, data, p, g)
    note = p.text("note", "备注", data.note, max_len=FREE_TEXT_MAX)
    p.raise_if_any()
    for key, value in values.items():
        if key != "polygon" or data.polygon:
            setattr(g, key, value)
    g.parent_id, g.note = data.parent_id, note
    s.flush()
    audit.record_change(s, g.unit_id, "grid", g.id, f"修改网格：{g.name}", before, audit.snapshot(g, GRID_AUDIT_FIELDS))


def set_grid_polygon(s: Session, grid_id: int, points: Sequence[Sequence[float]]) -> None:
    """The boundary drawn or reshaped on the map. Households keep their grid until they are moved."""
    g = _get(s, grid_id)
    access.require_role(s, *access.ENTRY_ROLES, action="绘制网格边界")
    polygon = clean_polygon(points)
    problem = polygon_problem(polygon, *map_size(s, g.unit_id))
    if problem:
        raise ServiceError(f"{g.name}：{problem}")
    before = {"polygon": g.polygon}
    g.polygon = polygon
    s.flush()
    audit.record_change(s, g.unit_id, "grid", g.id, f"修改网格边界：{g.name}（{len(polygon)} 个点）", before,
                        {"polygon": polygon})


def set_grid_color(s: Session, grid_id: int, color: str) -> None:
    g = _get(s, grid_id)
    access.require_role(s, *access.ENTRY_ROLES, action="修改网格颜色")
    color = (color or "").strip()
    if not _COLOR.fullmatch(color):
        raise ServiceError(f"颜色应写成 #RRGGBB，如 {DEFAULT_COLOR}")
    before = {"color": g.color}
    g.color = color
    s.flush()
    audit.record_change(s, g.unit_id, "grid", g.id, f"修改网格颜色：{g.name}", before, {"color": color})


def close_grid(s: Session, grid_id: int, on: date | None, reason: str) -> None:
    """撤销 a grid from a date, with a reason: refused while open micro-grids, households or staff in post
    remain in it (the message names them: move the households, 卸任 the staff, first), and dated no
    earlier than the last household left or the last post ended (grid_on reads the day back)."""
    access.require_role(s, *access.ENTRY_ROLES, action="撤销网格")
    g = _get(s, grid_id)
    p = Problems()
    reason = p.text("note", "撤销原因", reason, required=True, max_len=500)
    if on is None:
        p.add("closed_on", "撤销日期", "请填写撤销日期")
    elif on > date.today():
        p.add("closed_on", "撤销日期", "撤销日期晚于今天")
    if g.closed_on is not None:
        p.add("closed_on", "撤销日期", f"该网格已于 {g.closed_on.isoformat()} 撤销")
    open_children = [c.name for c in g.children if c.closed_on is None]
    if open_children:
        p.add("closed_on", "撤销日期", f"请先撤销下属微网格：{'、'.join(open_children)}")
    left = _still_in(s, g)
    if left:
        p.add("closed_on", "撤销日期", f"网格内还有 {left[0]} 户（{left[1]}），请先把这些户调整到其他网格")
    staff = [f"{post.post} {post.person_name}" for post in s.scalars(
        select(GridPost).where(GridPost.grid_id == g.id, GridPost.end_on.is_(None)).order_by(GridPost.id))]
    if staff:
        p.add("closed_on", "撤销日期", f"网格还有在岗人员：{'、'.join(staff)}，请先在“网格员”中办理卸任")
    if on is not None and not p.has("closed_on"):
        _check_close_date(s, g, on, p)
    p.raise_if_any()
    assert on is not None
    g.closed_on = on
    g.note = (g.note + "\n" if g.note else "") + f"{on.isoformat()} 撤销：{reason}"
    s.flush()
    audit.record(s, g.unit_id, "close", "grid", g.id, f"撤销网格：{g.name}（{on.isoformat()}，{reason}）")


def _still_in(s: Session, g: Grid) -> tuple[int, str] | None:
    """How many open households are in the grid, and the first few of them (户号 户主)."""
    n = s.scalar(select(func.count(Household.id)).where(Household.grid_id == g.id, Household.closed_on.is_(None)))
    if not n:
        return None
    head = (select(Resident.name).where(Resident.household_id == Household.id, Resident.relation == HEAD_RELATION)
            .limit(1).scalar_subquery())
    some = s.execute(select(Household.number, head).where(Household.grid_id == g.id, Household.closed_on.is_(None))
                     .order_by(Household.number).limit(5)).all()
    named = "、".join(f"户号 {number}" + (f" {name}" if name else "") for number, name in some)
    return n, named + ("等" if n > len(some) else "")


def _check_close_date(s: Session, g: Grid, on: date, p: Problems) -> None:
    """The grid held no household and no staff from the closing date on."""
    moved = s.scalars(select(HouseholdMove.household_id).where(
        HouseholdMove.moved_on > on, (HouseholdMove.from_grid_id == g.id) | (HouseholdMove.to_grid_id == g.id))
        .distinct())
    late = [hid for hid in moved if grid_on(s, hid, on) == g.id]
    if late:
        last = s.scalar(select(func.max(HouseholdMove.moved_on)).where(
            HouseholdMove.household_id.in_(late), HouseholdMove.from_grid_id == g.id))
        p.add("closed_on", "撤销日期", f"{on.isoformat()} 时网格内还有 {len(late)} 户（最后一户 {last} 才调出），"
                                      f"撤销日期不能早于 {last}")
    ended = s.scalar(select(func.max(GridPost.end_on)).where(GridPost.grid_id == g.id))
    if ended is not None and ended > on:
        p.add("closed_on", "撤销日期", f"网格员 {ended.isoformat()} 才卸任，撤销日期不能早于卸任日期")


# ---------------------------------------------------------------- posts


def _post_row(p: GridPost, grid_name: str) -> PostRow:
    return PostRow(p.id, p.grid_id, grid_name, p.post, p.person_name, p.phone, p.resident_id, p.start_on, p.end_on,
                   p.note)


def post_history(s: Session, grid_id: int, include_micro: bool = True) -> list[PostRow]:
    """Every post of the grid (and its micro-grids), ended ones too: who held which post when."""
    g = _get(s, grid_id)
    ids = [g.id] + ([c.id for c in g.children] if include_micro else [])
    names = dict(s.execute(select(Grid.id, Grid.name).where(Grid.id.in_(ids))).all())
    rank = {p: i for i, p in enumerate(GRID_POSTS)}
    rows = s.scalars(select(GridPost).where(GridPost.grid_id.in_(ids)))
    out = [_post_row(p, names[p.grid_id]) for p in rows]
    out.sort(key=lambda r: (ids.index(r.grid_id), rank.get(r.post, 99), r.end_on is None,
                            r.start_on or date.min, r.id))
    return out


def current_posts(s: Session, grid_id: int, on: date | None = None) -> list[PostRow]:
    on = on or date.today()
    return [r for r in post_history(s, grid_id) if r.held_on(on)]


def appoint(s: Session, grid_id: int, data: PostInput) -> int:
    """Put someone in a post from start_on. A new 网格长 / 微网格员 ends the current holder's term that day."""
    g = _get(s, grid_id)
    access.require_role(s, *access.ENTRY_ROLES, action="任命网格员")
    p = Problems()
    post = p.choice("post", "岗位", data.post, GRID_POSTS, required=True)
    if post in TOP_POSTS and g.parent_id is not None:
        p.add("post", "岗位", f"{post}设在网格一级，{g.name} 是微网格")
    elif post in MICRO_POSTS and g.parent_id is None and g.children:
        p.add("post", "岗位", f"{post}设在微网格一级，请选择 {g.name} 下的微网格")
    if g.closed_on is not None:
        p.add("grid_id", "网格", f"{g.name} 已撤销")
    resident = s.get(Resident, data.resident_id) if data.resident_id is not None else None
    if data.resident_id is not None and (resident is None or resident.unit_id != g.unit_id):
        p.add("resident_id", "人员", "所选的居民不存在")
    name = p.text("person_name", "姓名", data.person_name or (resident.name if resident else ""), required=True,
                  max_len=40)
    phone = p.phone("phone", "联系电话", data.phone or (resident.phone if resident else ""), required=True)
    note = p.text("note", "备注", data.note, max_len=FREE_TEXT_MAX)
    start = data.start_on or date.today()
    ended: list[GridPost] = []
    if post in SINGLE_HOLDER:
        for cur in s.scalars(select(GridPost).where(GridPost.grid_id == g.id, GridPost.post == post,
                                                    GridPost.end_on.is_(None))):
            if cur.start_on is not None and cur.start_on >= start:
                p.add("start_on", "任职日期",
                      f"现任{post} {cur.person_name} 自 {cur.start_on.isoformat()} 起任职，新任日期应晚于此日")
            ended.append(cur)
    p.raise_if_any()
    for cur in ended:
        cur.end_on = start  # end_on is the first day no longer held (list_grid_posts reads it so)
        audit.record(s, g.unit_id, "close", "grid_post", cur.id, f"{cur.person_name} 卸任{g.name}{post}（由新任接替）")
    row = GridPost(grid_id=g.id, post=post, resident_id=data.resident_id, person_name=name, phone=phone,
                   start_on=start, note=note)
    s.add(row)
    s.flush()
    audit.record(s, g.unit_id, "create", "grid_post", row.id, f"任命{g.name}{post}：{name}")
    return row.id


def end_grid_post(s: Session, post_id: int, on: date, note: str = "") -> None:
    """卸任: the row stays with its end date (the post history and old ledgers need it)."""
    row = s.get(GridPost, post_id)
    if row is None:
        raise NotFound("找不到该网格岗位记录")
    access.require_role(s, *access.ENTRY_ROLES, action="办理网格员卸任")
    g = _get(s, row.grid_id)
    p = Problems()
    check_term_end(p, "end_on", "卸任日期", row.end_on, on, row.start_on, "任职日期", done="卸任")
    p.raise_if_any()
    row.end_on = on
    if note.strip():
        row.note = (row.note + "；" if row.note else "") + note.strip()
    s.flush()
    audit.record(s, g.unit_id, "close", "grid_post", row.id, f"{row.person_name} 卸任{g.name}{row.post}")


# ---------------------------------------------------------------- households


def _household(s: Session, household_id: int) -> Household:
    h = s.get(Household, household_id)
    if h is None:
        raise NotFound("找不到该户")
    return h


def household_label(s: Session, h: Household) -> str:
    head = s.scalar(select(Resident.name).where(Resident.household_id == h.id, Resident.relation == HEAD_RELATION,
                                                Resident.status.in_(ACTIVE_STATUSES)).limit(1))
    return f"户号 {h.number}" + (f"（户主 {head}）" if head else "")


def _record_move(s: Session, h: Household, to: Grid | None, on: date, note: str) -> str | None:
    """Change the household's grid with a HouseholdMove row; the old grid's name, or None if unchanged."""
    if h.grid_id == (to.id if to else None):
        return None
    old = s.get(Grid, h.grid_id) if h.grid_id is not None else None
    s.add(HouseholdMove(household_id=h.id, from_grid_id=h.grid_id, to_grid_id=to.id if to else None, moved_on=on,
                        note=note.strip()))
    before = {"grid_id": h.grid_id}
    h.grid_id = to.id if to else None
    s.flush()
    old_name = old.name if old else "未分网格"
    audit.record_change(s, h.unit_id, "household", h.id,
                        f"{household_label(s, h)} 从 {old_name} 移到 {to.name if to else '未分网格'}",
                        before, {"grid_id": h.grid_id}, action="move")
    return old_name


def _check_target(s: Session, h: Household, grid_id: int | None) -> Grid | None:
    if grid_id is None:
        return None
    g = s.get(Grid, grid_id)
    if g is None or g.unit_id != h.unit_id:
        raise NotFound("找不到目标网格")
    if g.closed_on is not None:
        raise ServiceError(f"{g.name} 已撤销，不能再放入住户")
    if g.parent_id is None and any(c.closed_on is None for c in g.children):
        raise ServiceError(f"{g.name} 已划分微网格，请把户放到具体的微网格")
    return g


def move_household(s: Session, household_id: int, to_grid_id: int | None, on: date | None = None,
                   note: str = "") -> bool:
    """Move a household to another (micro-)grid on a date; False when it is already there."""
    h = _household(s, household_id)
    access.check_household(s, h.id, "调整")
    access.check_grid(s, to_grid_id)
    if h.closed_on is not None:
        raise ServiceError(f"户号 {h.number} 已销户")
    target = _check_target(s, h, to_grid_id)
    on = on or date.today()
    _check_move_date(s, h, on)
    return _record_move(s, h, target, on, note) is not None


def _check_move_date(s: Session, h: Household, on: date) -> None:
    """A move is dated between the household's last move and today: the moves read back in order (grid_on)."""
    if on > date.today():
        raise ServiceError(f"调整日期 {on.isoformat()} 晚于今天：网格变更在办理当天或之后登记")
    last = s.scalar(select(func.max(HouseholdMove.moved_on)).where(HouseholdMove.household_id == h.id))
    if last is not None and on < last:
        raise ServiceError(f"户号 {h.number} 已于 {last.isoformat()} 调整过网格，新的调整日期不能早于此日")


def _grid_for_point(s: Session, unit_id: int, x: float, y: float) -> tuple[Grid | None, str]:
    """The grid a household at (x, y) belongs in (a micro-grid, or a grid without open micro-grids), or None
    and why not. A point off the map is refused."""
    width, height = map_size(s, unit_id)
    if not (0 <= x <= width and 0 <= y <= height):
        raise ServiceError(f"位置（{x:.0f}, {y:.0f}）在地图之外")
    area = containing_area(list_grids(s, unit_id), x, y)
    target = _get(s, area.id) if isinstance(area, GridInfo) else None
    if target is None:
        return None, "该位置不在任何网格内"
    if target.parent_id is None and any(c.closed_on is None for c in target.children):
        return None, f"该位置在 {target.name} 内，但不在任何微网格内"
    return target, ""


def grid_at_point(s: Session, unit_id: int, x: float, y: float) -> tuple[int | None, str, str]:
    """For a household put down at (x, y) on the map (新增户 there): (grid id, grid name, "") or (None, "", why)."""
    target, warning = _grid_for_point(s, unit_id, x, y)
    return (target.id, target.name, "") if target is not None else (None, "", warning)


def place_household(s: Session, household_id: int, x: float, y: float, on: date | None = None,
                    note: str = "") -> PlaceResult:
    """A household marker put down on the map: store the spot; inside a micro-grid's boundary it joins that grid.

    Outside every boundary the household keeps its grid (and is told so).
    """
    h = _household(s, household_id)
    access.check_household(s, h.id, "调整")
    if h.closed_on is not None:
        raise ServiceError(f"户号 {h.number} 已销户")
    target, warning = _grid_for_point(s, h.unit_id, x, y)
    warnings = [f"{warning}，所属网格未改变"] if warning else []
    moved_from = None
    if target is not None:
        access.check_grid(s, target.id)
        moved_from = _record_move(s, h, target, on or date.today(), note or "在地图上移动")
    before = {"map_x": h.map_x, "map_y": h.map_y}
    h.map_x, h.map_y = round(float(x), 1), round(float(y), 1)
    s.flush()
    audit.record_change(s, h.unit_id, "household", h.id, f"{household_label(s, h)} 在地图上的位置", before,
                        {"map_x": h.map_x, "map_y": h.map_y})
    current = s.get(Grid, h.grid_id) if h.grid_id is not None else None
    return PlaceResult(h.id, h.map_x, h.map_y, h.grid_id, current.name if current else "", moved_from, warnings)


def household_moves(s: Session, household_id: int) -> list[MoveRow]:
    h = _household(s, household_id)
    access.check_household(s, h.id, "查看")
    names = dict(s.execute(select(Grid.id, Grid.name).where(Grid.unit_id == h.unit_id)).all())
    rows = s.scalars(select(HouseholdMove).where(HouseholdMove.household_id == h.id)
                     .order_by(HouseholdMove.moved_on, HouseholdMove.id))
    return [MoveRow(m.id, m.household_id, names.get(m.from_grid_id, "未分网格"), names.get(m.to_grid_id, "未分网格"),
                    m.moved_on, m.note) for m in rows]


def grid_on(s: Session, household_id: int, on: date) -> int | None:
    """The grid a household belonged to on a past day, read back from its moves."""
    h = _household(s, household_id)
    later = s.scalar(select(HouseholdMove).where(HouseholdMove.household_id == h.id, HouseholdMove.moved_on > on)
                     .order_by(HouseholdMove.moved_on, HouseholdMove.id).limit(1))
    return later.from_grid_id if later is not None else h.grid_id

