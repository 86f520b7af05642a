"""开始使用: the checklist a new village works through, each item ticked from the data (never by hand).

When an item counts as done:
  org         建立党组织  an open 党支部 or 联合党支部 exists: the top organisation itself when it is a
                          党支部, otherwise one under the 党总支/党委 (members belong to a 支部).
  members     党员        at least MIN_MEMBERS 党员 (正式/预备, not left) on the roster: 党章 sets up a 党支部
                          with three 党员 or more, so the 书记 alone does not make a roster.
  households  居民与户    at least one open 户 with a resident in it.
  grid        网格        at least one open 网格; the status says how many 户 are placed in grids.
  publicity   公示设置    the 公示联系人 and 公示联系电话 are set (默认公示天数 always has a value, 5 at first).

Once every item is done the window leaves 开始使用 out of the navigation (帮助 → 开始使用 still opens it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from app.models import Grid, Household, PartyMember, PartyOrg, Resident
from app.models.org import MEMBER_STAGES

from ..units import get_unit

MIN_MEMBERS = 3
MEMBER_BRANCH_KINDS = ("党支部", "联合党支部")
CHECKLIST_KEYS = ("org", "members", "households", "grid", "publicity")


@dataclass(frozen=True)
class ChecklistItem:
    key: str  # one of CHECKLIST_KEYS: the window opens the page that does it
    title: str
    explanation: str  # one line: what to do there
    done: bool
    status: str  # what the data hold now


def _branches(stmt: Select[Any], unit_id: int) -> Select[Any]:
    return stmt.where(PartyOrg.unit_id == unit_id, PartyOrg.closed_on.is_(None), PartyOrg.kind.in_(MEMBER_BRANCH_KINDS))


def _party(stmt: Select[Any], unit_id: int) -> Select[Any]:
    return stmt.join(Resident, Resident.id == PartyMember.resident_id).where(
        Resident.unit_id == unit_id, PartyMember.left_on.is_(None), PartyMember.stage.in_(MEMBER_STAGES))


def _households(stmt: Select[Any], unit_id: int) -> Select[Any]:
    return stmt.join(Resident, Resident.household_id == Household.id).where(
        Household.unit_id == unit_id, Household.closed_on.is_(None))


def _grids(stmt: Select[Any], unit_id: int) -> Select[Any]:
    return stmt.where(Grid.unit_id == unit_id, Grid.closed_on.is_(None))


def checklist(s: Session, unit_id: int) -> list[ChecklistItem]:
    """The five items in order, each with its state computed from the data."""
    unit = get_unit(s, unit_id)

    def count(stmt: Select[tuple[int]]) -> int:
        return int(s.scalar(stmt) or 0)

    orgs = count(select(func.count(PartyOrg.id)).where(PartyOrg.unit_id == unit_id, PartyOrg.closed_on.is_(None)))
    branches = count(_branches(select(func.count(PartyOrg.id)), unit_id))
    party = count(_party(select(func.count(PartyMember.id)), unit_id))
    households = count(_households(select(func.count(func.distinct(Household.id))), unit_id))
    residents = count(select(func.count(Resident.id)).where(Resident.unit_id == unit_id))
    grids = count(_grids(select(func.count(Grid.id)), unit_id))
    placed = count(select(func.count(Household.id)).where(
        Household.unit_id == unit_id, Household.closed_on.is_(None), Household.grid_id.is_not(None)))
    contact = bool(unit.contact_person and unit.contact_phone)
    basis = "工作日" if unit.notice_workdays else "自然日"
    return [
        ChecklistItem("org", "建立党组织", "在党组织树上建立党支部（党总支、党委下设的支部）、党小组。",
                      branches > 0, f"已建 {orgs} 个党组织，其中党支部 {branches} 个"),
        ChecklistItem("members", "党员", f"逐个登记党员，或从党员花名册导入；至少 {MIN_MEMBERS} 名党员。",
                      party >= MIN_MEMBERS, f"名册上有党员 {party} 名"),
        ChecklistItem("households", "居民与户", "登记各户和户内居民，或从居民户籍台账导入。",
                      households > 0, f"已登记 {households} 户（有人的户），居民 {residents} 人"),
        ChecklistItem("grid", "网格", "在网格地图上划分网格，把各户划入网格，安排网格员。",
                      grids > 0, f"已划 {grids} 个网格，{placed} 户已划入网格"),
        ChecklistItem("publicity", "公示设置", "填写公示联系人和电话、意见箱位置、默认公示天数。",
                      contact, (f"公示联系人：{unit.contact_person} {unit.contact_phone}" if contact
                                else "尚未填写公示联系人和电话") + f"；默认公示 {unit.notice_days} 天（{basis}）"),
    ]


def checklist_complete(s: Session, unit_id: int) -> bool:
    """Every item done, as checklist() says, without its counts: the window asks at every start whether
    开始使用 belongs in the navigation, and counting a county's 150,000 residents took 50–150 ms of it."""
    unit = get_unit(s, unit_id)
    if not (unit.contact_person and unit.contact_phone):
        return False

    def exists(stmt: Select[Any]) -> bool:
        return bool(s.scalar(select(stmt.exists())))

    party = select(func.count()).select_from(_party(select(PartyMember.id), unit_id).limit(MIN_MEMBERS).subquery())
    return (exists(_branches(select(PartyOrg.id), unit_id)) and int(s.scalar(party) or 0) >= MIN_MEMBERS
            and exists(_households(select(Household.id), unit_id)) and exists(_grids(select(Grid.id), unit_id)))
