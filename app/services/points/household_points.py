"""乡风文明积分 (五讲五不) of households: a ledger of its own, scored with the 党小组长.

Seed 002 (辛庄村): 推行乡风文明积分制管理，党小组长参与“五讲五不”积分考评. Each villager household collects
points through the household rules (scope "household": 讲文明/不说脏话, 讲卫生/不乱扔乱倒, 讲孝道/不虐待老人,
讲诚信/不坑蒙拐骗, 讲法治/不违法乱纪 — a 奖励 and a 扣减 for each theme, editable in 设置 like the member
rules). Entries follow the same append-only rules as 党员积分 (app.services.points.entries): the rule's
points or within its range, evidence when asked, a yearly cap per household, voids with a reason, a
correcting entry pointing back. Every entry names the 党小组长 (or at least a party member) who scored it.
The yearly ranking of households is summed and ranked in SQL (equal totals share a rank: 1, 2, 2, 4).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, Select, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from app.models import (
    Grid,
    Household,
    HouseholdPointEntry,
    MemberPost,
    Operator,
    PartyMember,
    PartyOrg,
    PointRule,
    Resident,
)
from app.models.org import MEMBER_STAGES
from app.models.people import HEAD_RELATION
from app.models.points import RULE_KIND_LABELS

from .. import access, audit
from ..errors import NotFound
from ..people.residents import ACTIVE_STATUSES
from ..search import text_filter
from ..validation import Problems
from . import entries as ledger
from .member_points import SOURCE_LABELS, Totals
from .rules import HOUSEHOLD, RuleRow, list_rules, signed_text

ENTITY = "household_point_entry"
GROUP_LEADER = "党小组长"
HPE = HouseholdPointEntry


def list_household_rules(s: Session, unit_id: int, include_inactive: bool = False) -> list[RuleRow]:
    """The 五讲五不 rules of the unit (the defaults are created on first use)."""
    return list_rules(s, unit_id, include_inactive, scope=HOUSEHOLD)


# ================================================================ pickers


def _head(col: object) -> ColumnElement[object]:
    """The 户主's column (name, initials …) of the household in the outer query."""
    return (
        select(col).where(Resident.household_id == Household.id, Resident.relation == HEAD_RELATION,
                          Resident.status.in_(ACTIVE_STATUSES))
        .order_by(Resident.id).limit(1).scalar_subquery()
    )


@dataclass(frozen=True)
class HouseholdChoice:
    id: int
    number: str
    head_name: str
    grid_name: str
    address: str

    @property
    def label(self) -> str:
        where = self.grid_name or self.address
        return f"{self.head_name or '（无户主）'} 户号 {self.number}" + (f"（{where}）" if where else "")


def find_households(s: Session, unit_id: int, text: str, limit: int = 10) -> list[HouseholdChoice]:
    """Open households for a picker: 户主 by 汉字, 拼音首字母 (zs) or full 拼音, or the 户号."""
    head = aliased(Resident)
    stmt = (
        select(Household.id, Household.number, head.name, Grid.name, Household.address)
        .outerjoin(head, (head.household_id == Household.id) & (head.relation == HEAD_RELATION)
                   & head.status.in_(ACTIVE_STATUSES))
        .outerjoin(Grid, Grid.id == Household.grid_id)
        .where(Household.unit_id == unit_id, Household.closed_on.is_(None))
        .order_by(func.length(head.name_initials), head.name_pinyin, Household.number).limit(limit)
    )
    cond = text_filter(text, head.name, head.name_initials, head.name_pinyin, extra=[Household.number])
    if cond is not None:
        stmt = stmt.where(cond)
    scope = access.household_filter(s)
    if scope is not None:
        stmt = stmt.where(scope)
    return [HouseholdChoice(hid, number, name or "", grid or "", address or "")
            for hid, number, name, grid, address in s.execute(stmt)]


@dataclass(frozen=True)
class ScorerChoice:
    member_id: int
    name: str
    group_name: str

    @property
    def label(self) -> str:
        return f"{self.name}（{self.group_name}组长）" if self.group_name else self.name


def list_scorers(s: Session, unit_id: int) -> list[ScorerChoice]:
    """The current 党小组长 of the unit (who score the households), by group."""
    stmt = (
        select(PartyMember.id, Resident.name, PartyOrg.name).select_from(MemberPost)
        .join(PartyMember, PartyMember.id == MemberPost.member_id)
        .join(Resident, Resident.id == PartyMember.resident_id)
        .join(PartyOrg, PartyOrg.id == MemberPost.org_id)
        .where(Resident.unit_id == unit_id, MemberPost.post == GROUP_LEADER, MemberPost.end_on.is_(None),
               PartyMember.left_on.is_(None))
        .order_by(PartyOrg.sort_order, PartyOrg.id, Resident.name_pinyin)
    )
    seen: dict[int, ScorerChoice] = {}
    for mid, name, group in s.execute(stmt):
        seen.setdefault(mid, ScorerChoice(mid, name, group))
    return list(seen.values())


# ================================================================ entries


@dataclass
class HouseholdEntryInput:
    household_id: int | None
    rule_id: int | None
    entry_date: date | None
    points: Decimal | str | float | int | None = None  # None: the rule's points; a range rule lets you pick
    note: str = ""
    evidence: str = ""
    scored_by_member_id: int | None = None  # the 党小组长 who scored (at least a party member)


@dataclass(frozen=True)
class HouseholdEntryRow:
    id: int
    household_id: int
    household_number: str
    head_name: str
    rule_id: int
    rule_name: str
    kind: str
    kind_label: str
    entry_date: date
    year: int
    points: Decimal  # signed
    note: str
    evidence: str
    scored_by_member_id: int | None
    scored_by: str
    source: str
    source_label: str
    corrects_id: int | None
    operator: str
    created_at: datetime
    voided_at: datetime | None
    void_reason: str

    @property
    def voided(self) -> bool:
        return self.voided_at is not None


def _household(s: Session, household_id: int | None) -> Household:
    h = s.get(Household, household_id) if household_id is not None else None
    if h is None:
        raise NotFound("找不到该户")
    return h


def _head_name(s: Session, household_id: int) -> str:
    name = s.scalar(select(Resident.name).where(
        Resident.household_id == household_id, Resident.relation == HEAD_RELATION,
        Resident.status.in_(ACTIVE_STATUSES)).order_by(Resident.id).limit(1))
    return name or ""


def _who(s: Session, h: Household) -> str:
    head = _head_name(s, h.id)
    return f"{head}户（户号 {h.number}）" if head else f"户号 {h.number}"


def _check_scorer(s: Session, p: Problems, unit_id: int | None, member_id: int | None, on: date | None) -> None:
    if member_id is None:
        p.add("scored_by_member_id", "评分人", "请选择评分的党小组长")
        return
    member = s.get(PartyMember, member_id)
    resident = s.get(Resident, member.resident_id) if member is not None else None
    if member is None or resident is None or (unit_id is not None and resident.unit_id != unit_id):
        p.add("scored_by_member_id", "评分人", "找不到该评分人（应为本村党员）")
        return
    if member.stage not in MEMBER_STAGES:
        p.add("scored_by_member_id", "评分人", f"{resident.name} 是{member.stage}，不是党员，不能评分")
    elif member.left_on is not None and (on is None or on > member.left_on):
        p.add("scored_by_member_id", "评分人", f"{resident.name} 已于 {member.left_on.isoformat()} "
                                              f"{member.left_kind or '离开'}，不能评分")


def _check(s: Session, data: HouseholdEntryInput, replacing: int | None = None) -> tuple[Household, RuleRow, Decimal]:
    """Every problem of one entry at once; returns the household, the rule and the signed points."""
    p = Problems()
    h = None
    try:
        h = _household(s, data.household_id)
    except NotFound:
        p.add("household_id", "农户", "请选择农户" if data.household_id is None else "找不到该户")
    rule = ledger.check_rule(s, p, data.rule_id, HOUSEHOLD)
    on = data.entry_date
    ledger.check_date(p, on)
    amount = ledger.check_amount(p, rule, data.points, data.evidence)
    _check_scorer(s, p, h.unit_id if h is not None else None, data.scored_by_member_id, on)
    if h is not None and on is not None and h.closed_on is not None and on > h.closed_on:
        p.add("entry_date", "日期", f"户号 {h.number} 已于 {h.closed_on.isoformat()} 销户")
    if h is not None and rule is not None and on is not None and amount is not None and not p:
        ledger.check_cap(s, p, HPE, h.id, rule, on.year, amount, _who(s, h), "每户", replacing)
    p.text("note", "备注", data.note, max_len=500)
    p.raise_if_any()
    assert h is not None and rule is not None and amount is not None and on is not None
    return h, rule, ledger.signed(rule, amount)


def add_household_entry(s: Session, data: HouseholdEntryInput, source: str = "manual", source_ref: str = "") -> int:
    """Record 乡风文明积分 for a household through a household rule. Refused (ValidationError) over the cap."""
    access.require_role(s, *access.ENTRY_ROLES, action="登记乡风文明积分")
    h, rule, points = _check(s, data)
    assert data.entry_date is not None
    access.check_household(s, h.id, "为该户记分")
    entry = ledger.new_entry(s, HPE, h.id, rule, data.entry_date, points, data.note, data.evidence, source,
                             source_ref, scored_by_member_id=data.scored_by_member_id)
    s.flush()
    audit.record(s, h.unit_id, "create", ENTITY, entry.id,
                 f"记乡风文明积分：{_who(s, h)} {rule.name} {signed_text(points)}",
                 {"scored_by": data.scored_by_member_id})
    return int(entry.id)


def void_household_entry(s: Session, entry_id: int, reason: str) -> None:
    """作废 a wrong entry with a reason; the row stays in the ledger, marked void."""
    access.require_role(s, *access.ENTRY_ROLES, action="作废乡风文明积分记录")
    entry: HouseholdPointEntry = ledger.get_entry(s, HPE, entry_id)
    h = _household(s, entry.household_id)
    ledger.void_row(s, entry, reason)
    audit.record(s, h.unit_id, "void", ENTITY, entry.id,
                 f"作废乡风文明积分：{_who(s, h)} {signed_text(entry.points)}（{entry.void_reason}）")


def correct_household_entry(s: Session, entry_id: int, data: HouseholdEntryInput, reason: str) -> int:
    """Void the entry and add the right one in its place (corrects_id points back). One transaction."""
    access.require_role(s, *access.ENTRY_ROLES, action="更正乡风文明积分记录")
    old: HouseholdPointEntry = ledger.get_entry(s, HPE, entry_id)
    if data.household_id is None:
        data.household_id = old.household_id
    if data.scored_by_member_id is None:
        data.scored_by_member_id = old.scored_by_member_id
    h, rule, points = _check(s, data, replacing=old.id)
    assert data.entry_date is not None
    ledger.void_row(s, old, reason)
    entry = ledger.new_entry(s, HPE, h.id, rule, data.entry_date, points, data.note, data.evidence, old.source,
                             old.source_ref, corrects_id=old.id, scored_by_member_id=data.scored_by_member_id)
    s.flush()
    audit.record(s, h.unit_id, "update", ENTITY, entry.id,
                 f"更正乡风文明积分：{_who(s, h)} {signed_text(old.points)} → {signed_text(points)}"
                 f"（{old.void_reason}）", {"corrects": old.id})
    return int(entry.id)


# ================================================================ reading the ledger


def _entry_rows(s: Session, where: Iterable[ColumnElement[bool]]) -> list[HouseholdEntryRow]:
    op = aliased(Operator)
    scorer = aliased(Resident)
    scorer_member = aliased(PartyMember)
    stmt = (
        select(HPE, Household.number, _head(Resident.name), PointRule.name, PointRule.kind, scorer.name,
               op.display_name)
        .join(Household, Household.id == HPE.household_id).join(PointRule, PointRule.id == HPE.rule_id)
        .outerjoin(scorer_member, scorer_member.id == HPE.scored_by_member_id)
        .outerjoin(scorer, scorer.id == scorer_member.resident_id)
        .outerjoin(op, op.id == HPE.operator_id)
        .where(*where).order_by(HPE.entry_date, HPE.id)
    )
    return [
        HouseholdEntryRow(
            e.id, e.household_id, number, head or "", e.rule_id, rule_name, kind, RULE_KIND_LABELS.get(kind, kind),
            e.entry_date, e.year, Decimal(e.points), e.note, e.evidence, e.scored_by_member_id, scored_by or "",
            e.source, SOURCE_LABELS.get(e.source, e.source), e.corrects_id, operator or "", e.created_at,
            e.voided_at, e.void_reason)
        for e, number, head, rule_name, kind, scored_by, operator in s.execute(stmt)
    ]


def list_household_entries(s: Session, household_id: int, year: int | None = None,
                           include_voided: bool = True) -> list[HouseholdEntryRow]:
    """A household's entries (oldest first), voided ones included and marked unless asked otherwise."""
    return _entry_rows(s, ledger.owner_entries(HPE, household_id, year, include_voided))


def unit_household_entries(s: Session, unit_id: int, year: int) -> list[HouseholdEntryRow]:
    """Every household entry of the unit in the year (the ledger's 明细 sheet), voided ones included."""
    return _entry_rows(s, [Household.unit_id == unit_id, HPE.year == year])


def household_totals(s: Session, household_id: int, year: int) -> Totals:
    """奖励分 − 扣减分 (+ 基础分 if a household base rule is used) of one household for the year."""
    h = _household(s, household_id)
    return Totals.of(ledger.sums_by_kind(s, HPE, h.unit_id, year, [household_id]).get(household_id, {}))


@dataclass(frozen=True)
class HouseholdPoints:
    household_id: int
    number: str
    head_name: str
    grid_name: str
    address: str
    base: Decimal
    reward: Decimal
    deduct: Decimal  # positive: what was taken off
    total: Decimal
    rank: int  # among the unit's scored households that year; equal totals share a rank
    entries: int  # valid entries


def _ranked(unit_id: int, year: int) -> Select[tuple[object, ...]]:
    """Per scored household: sums by kind, total and competition rank (RANK() over the total), in SQL."""
    def kind_sum(kind: str) -> ColumnElement[object]:
        return func.coalesce(func.sum(case((PointRule.kind == kind, HPE.points), else_=0)), 0)

    total = func.sum(HPE.points)
    return (
        select(HPE.household_id.label("hid"), kind_sum("base").label("base"), kind_sum("reward").label("reward"),
               kind_sum("deduct").label("deduct"), total.label("total"), func.count(HPE.id).label("entries"),
               func.rank().over(order_by=total.desc()).label("rank"))
        .join(PointRule, PointRule.id == HPE.rule_id).join(Household, Household.id == HPE.household_id)
        .where(Household.unit_id == unit_id, PointRule.unit_id == unit_id, HPE.year == year,
               HPE.voided_at.is_(None))
        .group_by(HPE.household_id)
    )


def household_ranking(s: Session, unit_id: int, year: int, text: str = "", grid_id: int | None = None,
                      top: int | None = None) -> list[HouseholdPoints]:
    """The year's scored households by rank (ties by 户号). Filters keep the village-wide rank;
    top: only ranks 1..top (households sharing the last rank all stay)."""
    r = _ranked(unit_id, year).subquery()
    stmt = (
        select(r, Household.number, _head(Resident.name).label("head_name"), Grid.name.label("grid_name"),
               Household.address)
        .join(Household, Household.id == r.c.hid).outerjoin(Grid, Grid.id == Household.grid_id)
        .order_by(r.c.rank, Household.number)
    )
    if top:
        stmt = stmt.where(r.c.rank <= top)
    if grid_id is not None:
        stmt = stmt.where(Household.grid_id.in_(select(Grid.id).where(or_(Grid.id == grid_id,
                                                                           Grid.parent_id == grid_id))))
    if text.strip():
        head = aliased(Resident)
        cond = text_filter(text, head.name, head.name_initials, head.name_pinyin, extra=[Household.number])
        if cond is not None:
            people = select(head.household_id).where(head.unit_id == unit_id, head.relation == HEAD_RELATION, cond)
            own = text_filter(text, Household.number)
            stmt = stmt.where(or_(Household.id.in_(people), *([own] if own is not None else [])))
    out = []
    for row in s.execute(stmt):
        d = row._mapping
        out.append(HouseholdPoints(
            d["hid"], d["number"], d["head_name"] or "", d["grid_name"] or "", d["address"] or "", Decimal(str(d["base"] or 0)),
            Decimal(str(d["reward"] or 0)), -Decimal(str(d["deduct"] or 0)), Decimal(str(d["total"] or 0)),
            int(d["rank"]), int(d["entries"])))
    return out


def rule_sums(s: Session, unit_id: int, year: int) -> dict[int, dict[int, Decimal]]:
    """Signed points per household and rule for the year (the ledger's per-rule columns)."""
    stmt = (
        select(HPE.household_id, HPE.rule_id, func.sum(HPE.points))
        .join(PointRule, PointRule.id == HPE.rule_id)
        .where(PointRule.unit_id == unit_id, HPE.year == year, HPE.voided_at.is_(None))
        .group_by(HPE.household_id, HPE.rule_id)
    )
    out: dict[int, dict[int, Decimal]] = {}
    for hid, rid, total in s.execute(stmt):
        out.setdefault(hid, {})[rid] = Decimal(str(total or 0))
    return out
