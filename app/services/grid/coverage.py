"""党员联系户 coverage and per-grid statistics: what the 网格 ledgers and the map's side panel show.

Coverage: households nobody looks after, members looking after fewer or more households than the
band (default 4–30, from the seeds; a Setting per unit), grids with no 网格长, micro-grids with no
微网格员. All "on a day": contacts and posts have start and end dates.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from app.models import (
    Grid,
    GridPost,
    Household,
    MemberContact,
    PartyMember,
    PartyOrg,
    Resident,
    Tag,
    household_tags,
)
from app.models.org import MEMBER_STAGES
from app.models.people import HEAD_RELATION

from .. import access
from ..errors import ServiceError
from ..people.residents import ACTIVE_STATUSES
from ..settings import get_setting, set_setting
from .grids import GridInfo, grid_and_parents, list_grids

BAND_KEY = "grid.contact_band"
DEFAULT_BAND = (4, 30)  # seeds: each 党员 联系 4–30 households


@dataclass(frozen=True)
class HouseholdBrief:
    id: int
    number: str
    head_name: str
    grid_id: int | None
    grid_name: str


@dataclass(frozen=True)
class MemberLoad:
    member_id: int
    name: str
    phone: str
    org_name: str
    home_grid: str
    households: tuple[HouseholdBrief, ...]

    @property
    def count(self) -> int:
        return len(self.households)


@dataclass(frozen=True)
class CoverageReport:
    on: date
    band: tuple[int, int]
    households: int  # open households in view
    covered: int
    uncovered: list[HouseholdBrief]
    under: list[MemberLoad]
    over: list[MemberLoad]
    grids_without_head: list[GridInfo]
    micro_without_staff: list[GridInfo]

    def lines(self) -> list[str]:
        lo, hi = self.band
        out = [f"共 {self.households} 户，已有联系党员 {self.covered} 户，无联系党员 {len(self.uncovered)} 户"]
        if self.uncovered:
            out.append("无联系党员的户：" + "、".join(f"{h.number}{h.head_name}" for h in self.uncovered[:20])
                       + ("等" if len(self.uncovered) > 20 else ""))
        out.append(f"联系户少于 {lo} 户的党员 {len(self.under)} 名，多于 {hi} 户的 {len(self.over)} 名")
        for m in self.over:
            out.append(f"　{m.name}（{m.org_name}）联系 {m.count} 户，超过 {hi} 户")
        for m in self.under:
            out.append(f"　{m.name}（{m.org_name}）联系 {m.count} 户，少于 {lo} 户")
        out.append("没有网格长的网格：" + ("、".join(g.name for g in self.grids_without_head) or "无"))
        out.append("没有微网格员的微网格：" + ("、".join(g.name for g in self.micro_without_staff) or "无"))
        return out


@dataclass
class GridStats:
    grid: GridInfo
    households: int = 0
    residents: int = 0
    members: int = 0
    tags: Counter[str] = field(default_factory=Counter)
    staff: list[tuple[str, str, str]] = field(default_factory=list)  # post, name, phone (held on the day)

    @property
    def tagged(self) -> int:
        """Households with at least one tag (counted once)."""
        return self.tags.get("", 0)

    def staff_text(self, posts: tuple[str, ...] | None = None) -> str:
        return "、".join(f"{name}（{post}）" for post, name, _ in self.staff if posts is None or post in posts)


# ---------------------------------------------------------------- band


def contact_band(s: Session, unit_id: int) -> tuple[int, int]:
    value = get_setting(s, unit_id, BAND_KEY)
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value):
        return value[0], value[1]
    return DEFAULT_BAND


def set_contact_band(s: Session, unit_id: int, low: int, high: int) -> None:
    access.require_role(s, *access.ENTRY_ROLES, action="修改联系户数量范围")
    if low < 0 or high < low:
        raise ServiceError(f"联系户数量范围不合理：{low}–{high}（下限不能为负，上限不能小于下限）")
    set_setting(s, unit_id, BAND_KEY, [int(low), int(high)], f"党员联系户数量范围 {low}–{high} 户")


# ---------------------------------------------------------------- queries


def _visible_households(s: Session, unit_id: int) -> list[HouseholdBrief]:
    head = aliased(Resident)
    stmt = (
        select(Household.id, Household.number, head.name, Household.grid_id, Grid.name)
        .outerjoin(head, and_(head.household_id == Household.id, head.relation == HEAD_RELATION,
                              head.status.in_(ACTIVE_STATUSES)))
        .outerjoin(Grid, Grid.id == Household.grid_id)
        .where(Household.unit_id == unit_id, Household.closed_on.is_(None))
        .order_by(Household.number, head.id)
    )
    cond = access.household_filter(s)
    if cond is not None:
        stmt = stmt.where(cond)
    out: dict[int, HouseholdBrief] = {}
    for hid, number, head_name, grid_id, grid_name in s.execute(stmt):
        out.setdefault(hid, HouseholdBrief(hid, number, head_name or "", grid_id, grid_name or "未分网格"))
    return list(out.values())


def _on_roll(unit_id: int, on: date) -> Select[Any]:
    """Members on the roll on the day (the selected columns are the caller's: with_only_columns)."""
    return (
        select(PartyMember.id)
        .join(Resident, Resident.id == PartyMember.resident_id)
        .join(PartyOrg, PartyOrg.id == PartyMember.org_id)
        .where(Resident.unit_id == unit_id, PartyMember.stage.in_(MEMBER_STAGES),
               or_(PartyMember.left_on.is_(None), PartyMember.left_on > on))
    )


def _current_members(s: Session, unit_id: int, on: date) -> list[tuple[int, str, str, str, int | None]]:
    """(member id, name, phone, 支部, home household) of members on the roll on the day."""
    stmt = (
        _on_roll(unit_id, on)
        .with_only_columns(PartyMember.id, Resident.name, Resident.phone, PartyOrg.name, Resident.household_id)
        .order_by(PartyOrg.sort_order, Resident.name_pinyin, PartyMember.id)
    )
    return [tuple(r) for r in s.execute(stmt)]  # type: ignore[misc]


def _contacts_on(s: Session, unit_id: int, on: date) -> list[tuple[int, int]]:
    stmt = (
        select(MemberContact.member_id, MemberContact.household_id)
        .join(Household, Household.id == MemberContact.household_id)
        .where(Household.unit_id == unit_id, Household.closed_on.is_(None), MemberContact.since <= on,
               or_(MemberContact.until.is_(None), MemberContact.until > on))
        .order_by(MemberContact.member_id, Household.number)
    )
    return [(m, h) for m, h in s.execute(stmt)]


def count_uncovered(s: Session, unit_id: int, on: date | None = None) -> int:
    """How many open households (in view) have no 联系党员 on the day: coverage_report's uncovered, one COUNT."""
    on = on or date.today()
    contact = (select(MemberContact.id)
               .where(MemberContact.household_id == Household.id, MemberContact.since <= on,
                      or_(MemberContact.until.is_(None), MemberContact.until > on)))
    stmt = select(func.count(Household.id)).where(Household.unit_id == unit_id, Household.closed_on.is_(None),
                                                  ~contact.exists())
    cond = access.household_filter(s)
    if cond is not None:
        stmt = stmt.where(cond)
    return s.scalar(stmt) or 0


def member_loads(s: Session, unit_id: int, on: date | None = None) -> list[MemberLoad]:
    """Every member on the roll with the households they look after on the day (the 联系户台账's rows)."""
    on = on or date.today()
    households = {h.id: h for h in _visible_households(s, unit_id)}
    return _loads(s, unit_id, on, households, _contacts_on(s, unit_id, on))


def _loads(s: Session, unit_id: int, on: date, households: dict[int, HouseholdBrief],
           contacts: list[tuple[int, int]]) -> list[MemberLoad]:
    scoped = access.grid_scope(s) is not None
    links: dict[int, list[HouseholdBrief]] = {}
    for member_id, hid in contacts:
        if hid in households:
            links.setdefault(member_id, []).append(households[hid])
    out = []
    for member_id, name, phone, org_name, home in _current_members(s, unit_id, on):
        if scoped and home not in households:
            continue  # grid staff see the members living in their grids
        home_grid = households[home].grid_name if home in households else ""
        out.append(MemberLoad(member_id, name, phone or "", org_name, home_grid, tuple(links.get(member_id, ()))))
    return out


def _posts_on(s: Session, unit_id: int, on: date) -> list[tuple[int, str, str, str]]:
    stmt = (
        select(GridPost.grid_id, GridPost.post, GridPost.person_name, GridPost.phone)
        .join(Grid, Grid.id == GridPost.grid_id)
        .where(Grid.unit_id == unit_id, or_(GridPost.start_on.is_(None), GridPost.start_on <= on),
               or_(GridPost.end_on.is_(None), GridPost.end_on > on))
        .order_by(GridPost.grid_id, GridPost.id)
    )
    return [tuple(r) for r in s.execute(stmt)]  # type: ignore[misc]


def coverage_report(s: Session, unit_id: int, on: date | None = None,
                    band: tuple[int, int] | None = None) -> CoverageReport:
    on = on or date.today()
    lo, hi = band or contact_band(s, unit_id)
    households = _visible_households(s, unit_id)
    contacts = _contacts_on(s, unit_id, on)
    covered = {h for _, h in contacts}
    loads = _loads(s, unit_id, on, {h.id: h for h in households}, contacts)  # one read of each, not two
    held = {(g, post) for g, post, _, _ in _posts_on(s, unit_id, on)}
    grids = list_grids(s, unit_id)
    scope = access.grid_scope(s)
    if scope is not None:
        grids = [g for g in grids if g.id in scope]
    return CoverageReport(
        on=on, band=(lo, hi), households=len(households),
        covered=sum(1 for h in households if h.id in covered),
        uncovered=[h for h in households if h.id not in covered],
        under=[m for m in loads if m.count < lo],
        over=sorted((m for m in loads if m.count > hi), key=lambda m: -m.count),
        grids_without_head=[g for g in grids if g.parent_id is None and (g.id, "网格长") not in held],
        micro_without_staff=[g for g in grids if g.parent_id is not None and (g.id, "微网格员") not in held],
    )


def grid_statistics(s: Session, unit_id: int, on: date | None = None) -> list[GridStats]:
    """Households, residents, 党员 and tagged households per grid and micro-grid (a grid counts its micro-grids).

    Tag counts are by household; the key "" counts households with any tag. Counted by the database
    (GROUP BY grid), so a county's 50,000 households cost a few queries, not a Python loop each.
    """
    on = on or date.today()
    grids = list_grids(s, unit_id)
    scope = access.grid_scope(s)
    if scope is not None:
        grids = [g for g in grids if g.id in scope]
    stats = {g.id: GridStats(g) for g in grids}
    parent = {g.id: g.parent_id for g in grids}

    def areas(grid_id: int | None) -> Iterator[GridStats]:
        """The grid's own stats, then its parent's (a grid counts its micro-grids)."""
        return (stats[gid] for gid in grid_and_parents(parent, grid_id))

    open_h = and_(Household.unit_id == unit_id, Household.closed_on.is_(None))
    per_grid = select(Household.grid_id, func.count()).where(open_h).group_by(Household.grid_id)
    for gid, n in s.execute(per_grid):
        for st in areas(gid):
            st.households += n
    people = (select(Household.grid_id, func.count()).select_from(Resident)
              .join(Household, Household.id == Resident.household_id)
              .where(Resident.unit_id == unit_id, Resident.status.in_(ACTIVE_STATUSES), open_h)
              .group_by(Household.grid_id))
    for gid, n in s.execute(people):
        for st in areas(gid):
            st.residents += n
    members = (_on_roll(unit_id, on).with_only_columns(Household.grid_id, func.count())
               .join(Household, Household.id == Resident.household_id)
               .where(open_h).group_by(Household.grid_id))
    for gid, n in s.execute(members):
        for st in areas(gid):
            st.members += n
    tagged = (select(Household.grid_id, Tag.name, func.count())
              .select_from(household_tags)
              .join(Tag, Tag.id == household_tags.c.tag_id)
              .join(Household, Household.id == household_tags.c.household_id)
              .where(Tag.unit_id == unit_id, open_h)
              .group_by(Household.grid_id, Tag.name)
              .order_by(func.min(Tag.sort_order), Tag.name))
    for gid, tag, n in s.execute(tagged):
        for st in areas(gid):
            st.tags[tag] += n
    any_tag = (select(Household.grid_id, func.count(func.distinct(Household.id)))
               .select_from(household_tags)
               .join(Tag, Tag.id == household_tags.c.tag_id)
               .join(Household, Household.id == household_tags.c.household_id)
               .where(Tag.unit_id == unit_id, open_h)
               .group_by(Household.grid_id))
    for gid, n in s.execute(any_tag):
        for st in areas(gid):
            st.tags[""] += n
    for grid_id, post, name, phone in _posts_on(s, unit_id, on):
        if grid_id in stats:
            stats[grid_id].staff.append((post, name, phone))
    return [stats[g.id] for g in grids]
