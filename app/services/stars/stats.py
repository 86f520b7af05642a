"""星级文明户 statistics of a round: households per level, starred total, share, participation;
the same per 网格 and per 党小组 area.

A household's 党小组 area is the 党小组 of the 党员 who looks after it (联系户, the earliest current
link); households no 党员 looks after are counted under 未联系党小组. Levels are the decided ones once
the 两委 have decided, the reviewed ones before (so the panel can be watched during the review).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from app.io.ledger_cells import fraction
from app.models import (
    Grid,
    Household,
    MemberContact,
    PartyMember,
    PartyOrg,
    StarApplication,
    StarApplicationItem,
    StarCategory,
)

from .rounds import get_round_row, level_label

NO_GRID = "未划分网格"
NO_GROUP = "未联系党小组"


def percent(part: int, whole: int) -> float:
    """Share in per cent, one decimal (1058 of 3355 → 31.5), rounded as the 统计表's percent cells are."""
    rate = fraction(part, whole)
    return float(rate * 100) if rate is not None else 0.0


@dataclass
class GroupStats:
    kind: str  # 全村 / 网格 / 党小组
    name: str
    households: int = 0
    applied: int = 0
    levels: Counter[int] = field(default_factory=Counter)  # level → households (level ≥ 1)

    @property
    def starred(self) -> int:
        return sum(n for lv, n in self.levels.items() if lv > 0)

    @property
    def share(self) -> float:
        return percent(self.starred, self.households)

    @property
    def participation(self) -> float:
        return percent(self.applied, self.households)


@dataclass
class RoundStats:
    round_id: int
    year: int
    decided: bool
    max_level: int  # the number of star categories (5, or 10 for 十星级)
    total: GroupStats
    grids: list[GroupStats]
    party_groups: list[GroupStats]

    def level_counts(self) -> list[tuple[str, int]]:
        """(五星级, 217), (四星级, 352) … highest first, every level down to one star."""
        top = max([self.max_level, *self.total.levels])
        return [(level_label(lv), self.total.levels.get(lv, 0)) for lv in range(top, 0, -1)]


def _level_expr() -> object:
    approved = (
        select(func.count(StarApplicationItem.id))
        .where(StarApplicationItem.application_id == StarApplication.id, StarApplicationItem.decision == "approved")
        .scalar_subquery()
    )
    return func.coalesce(StarApplication.level, approved)


def _party_group_of(s: Session, unit_id: int) -> dict[int, tuple[int, str]]:
    """household id → (党小组 id, name) through the earliest current 联系户 link of a 党员 in a 党小组."""
    group = aliased(PartyOrg)
    stmt = (
        select(MemberContact.household_id, group.id, group.name)
        .join(PartyMember, PartyMember.id == MemberContact.member_id)
        .join(group, group.id == PartyMember.group_id)
        .join(Household, Household.id == MemberContact.household_id)
        .where(Household.unit_id == unit_id, MemberContact.until.is_(None), PartyMember.left_on.is_(None))
        .order_by(MemberContact.household_id, MemberContact.id)
    )
    out: dict[int, tuple[int, str]] = {}
    for hid, gid, name in s.execute(stmt):
        out.setdefault(hid, (gid, name))
    return out


def round_statistics(s: Session, round_id: int) -> RoundStats:
    r = get_round_row(s, round_id)
    unit_id = r.unit_id
    grid_names: dict[int, tuple[int, str]] = {
        gid: (order, name) for gid, order, name in s.execute(
            select(Grid.id, Grid.sort_order, Grid.name).where(Grid.unit_id == unit_id, Grid.parent_id.is_(None)))
    }
    top_grid = func.coalesce(Grid.parent_id, Grid.id)
    households = s.execute(
        select(Household.id, top_grid).outerjoin(Grid, Grid.id == Household.grid_id)
        .where(Household.unit_id == unit_id, Household.closed_on.is_(None))
    ).all()
    party_group = _party_group_of(s, unit_id)
    parent = aliased(PartyOrg)
    group_order = {gid: (p_order or 0, order, gid) for gid, p_order, order in s.execute(
        select(PartyOrg.id, parent.sort_order, PartyOrg.sort_order).outerjoin(parent, parent.id == PartyOrg.parent_id)
        .where(PartyOrg.unit_id == unit_id))}
    levels = dict(s.execute(
        select(StarApplication.household_id, _level_expr())
        .where(StarApplication.round_id == round_id, StarApplication.withdrawn_on.is_(None))
    ).all())

    total = GroupStats("全村", "合计")
    grids: dict[object, GroupStats] = {}
    groups: dict[object, GroupStats] = {}
    for hid, gid in households:
        grid_key = gid if gid in grid_names else None
        g = grids.setdefault(grid_key, GroupStats("网格", grid_names[gid][1] if grid_key else NO_GRID))
        pg = party_group.get(hid)
        p = groups.setdefault(pg[0] if pg else None, GroupStats("党小组", pg[1] if pg else NO_GROUP))
        for bucket in (total, g, p):
            bucket.households += 1
            if hid in levels:
                bucket.applied += 1
                if levels[hid]:
                    bucket.levels[int(levels[hid])] += 1
    max_level = s.scalar(select(func.count(StarCategory.id)).where(
        StarCategory.unit_id == unit_id, StarCategory.active.is_(True))) or 0
    return RoundStats(
        round_id=r.id, year=r.year, decided=r.step in ("decide", "filed"), max_level=max_level, total=total,
        grids=[grids[k] for k in sorted(grids, key=lambda k: (k is None, grid_names.get(k, (0, ""))))],  # type: ignore[arg-type]
        party_groups=[groups[k] for k in sorted(groups, key=lambda k: (k is None, group_order.get(k, (0, 0, 0))))],  # type: ignore[arg-type]
    )
