"""党员积分: the append-only point ledger, yearly totals by kind, and the API other areas call.

Entries are never changed or deleted: a wrong one is voided with a reason (void_entry) and, if needed,
a correcting entry added that says what it corrects (correct_entry). A rule's yearly cap per member is
enforced: a manual entry over the cap is refused with the figures; an automatic one (meeting, ticket)
is cut to what is left, so closing a meeting never fails because one member reached a cap.
Once a year's assessment is published (assessments.publish_assessment) that year's entries are frozen.

What the tickets area calls when a 党员代办 ticket closes:

    points.award_for_ticket(s, member_id, ticket_number, on)  -> entry id or None

It uses the active rule with trigger "ticket:代办", is idempotent per ticket number, and returns None
(never raises for these) when no rule applies, the cap is reached, or the year is already published.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, Row, Select, and_, func, insert, or_, select
from sqlalchemy.orm import Session, aliased

from app.models import Assessment, Operator, PartyMember, PartyOrg, PointEntry, PointRule, Resident
from app.models.org import MEMBER_STAGES
from app.models.points import RULE_KIND_LABELS

from .. import access, audit
from ..errors import NotFound, ServiceError
from ..people.residents import resident_search
from ..search import unit_scan
from ..validation import Problems
from . import entries as ledger
from .rules import BASE_TRIGGER, MEMBER, TICKET_TRIGGER, RuleRow, list_rules, rule_for_trigger, signed_text

ZERO = Decimal("0")
SOURCE_LABELS = {"manual": "手工录入", "meeting": "会议考勤", "ticket": "代办工单", "import": "导入"}


# ================================================================ members in scope


def members_in_year(unit_id: int, year: int | None = None) -> Select[tuple[PartyMember, Resident]]:
    """正式/预备 党员 of the unit; with a year: those who had not left before it began (nor arrived by 转入
    after it ended)."""
    stmt = (
        select(PartyMember, Resident).join(Resident, Resident.id == PartyMember.resident_id)
        .where(Resident.unit_id == unit_id, PartyMember.stage.in_(MEMBER_STAGES))
    )
    if year is None:
        return stmt.where(PartyMember.left_on.is_(None))
    return stmt.where(or_(PartyMember.left_on.is_(None), PartyMember.left_on >= date(year, 1, 1)),
                      or_(PartyMember.joined_on.is_(None), PartyMember.joined_on <= date(year, 12, 31)),
                      or_(PartyMember.arrived_on.is_(None), PartyMember.arrived_on <= date(year, 12, 31)))


@dataclass(frozen=True)
class MemberChoice:
    id: int
    name: str
    org_name: str
    category: str

    @property
    def label(self) -> str:
        return f"{self.name}（{self.org_name}，{self.category}）"


def find_members(s: Session, unit_id: int, text: str, limit: int = 10) -> list[MemberChoice]:
    """Members for a picker: 汉字, 拼音首字母 (zs) or full 拼音, best by name."""
    cond = resident_search(text)
    stmt = (
        select(PartyMember.id, Resident.name, PartyOrg.name, PartyMember.points_category)
        .join(Resident, Resident.id == PartyMember.resident_id).join(PartyOrg, PartyOrg.id == PartyMember.org_id)
        .where(Resident.unit_id == unit_id, PartyMember.stage.in_(MEMBER_STAGES), PartyMember.left_on.is_(None))
        .order_by(func.length(Resident.name_initials), Resident.name_pinyin, PartyMember.id).limit(limit)
    )
    if cond is not None:
        stmt = stmt.where(cond)
    return [MemberChoice(*r) for r in s.execute(stmt)]


# ================================================================ frozen years


_PUBLISHED = "points.published_on"  # per-session cache in Session.info: asked for every entry


def published_on(s: Session, unit_id: int, year: int) -> date | None:
    """The day the year's assessment was published (decided_on), None while it is open."""
    cache = s.info.setdefault(_PUBLISHED, {})
    if (unit_id, year) not in cache:
        cache[(unit_id, year)] = _published_on(s, unit_id, year)
    return cache[(unit_id, year)]


def forget_published(s: Session) -> None:
    """Publishing changes the answer: drop the cache."""
    s.info.pop(_PUBLISHED, None)


def _published_on(s: Session, unit_id: int, year: int) -> date | None:
    return s.scalar(
        select(func.max(Assessment.decided_on)).join(PartyMember, PartyMember.id == Assessment.member_id)
        .join(Resident, Resident.id == PartyMember.resident_id)
        .where(Resident.unit_id == unit_id, Assessment.year == year, Assessment.decided_on.isnot(None))
    )


def check_year_open(s: Session, unit_id: int, year: int) -> None:
    on = published_on(s, unit_id, year)
    if on is not None:
        raise ServiceError(f"{year}年度积分评定已于 {on.isoformat()} 发布，该年度积分已封存，不能再增加或作废记录。")


# ================================================================ entries


@dataclass
class EntryInput:
    member_id: int | None
    rule_id: int | None
    entry_date: date | None
    points: Decimal | str | float | int | None = None  # None: the rule's points; a range rule lets you pick
    note: str = ""
    evidence: str = ""


@dataclass(frozen=True)
class EntryRow:
    id: int
    member_id: int
    member_name: str
    rule_id: int
    rule_name: str
    kind: str
    kind_label: str
    entry_date: date
    year: int
    points: Decimal  # signed
    note: str
    evidence: str
    source: str
    source_label: str
    source_ref: str
    corrects_id: int | None
    operator: str
    created_at: datetime
    voided_at: datetime | None
    void_reason: str

    @property
    def voided(self) -> bool:
        return self.voided_at is not None


def _member(s: Session, member_id: int | None) -> tuple[PartyMember, Resident]:
    member = s.get(PartyMember, member_id) if member_id is not None else None  # identity map: no query twice
    resident = s.get(Resident, member.resident_id) if member is not None else None
    if member is None or resident is None:
        raise NotFound("找不到该党员")
    return member, resident


def used_this_year(s: Session, member_id: int, rule_id: int, year: int, exclude: int | None = None) -> Decimal:
    """Points already counted for this rule and member this year (absolute, voided ones left out)."""
    return ledger.used_in_year(s, PointEntry, member_id, rule_id, year, exclude)


def _check_entry(s: Session, data: EntryInput, replacing: int | None = None) -> tuple[PartyMember, Resident, RuleRow, Decimal]:
    """Every problem of one entry at once; returns the member, the rule and the signed points."""
    p = Problems()
    member = resident = rule = None
    try:
        member, resident = _member(s, data.member_id)
    except NotFound:
        p.add("member_id", "党员", "请选择党员" if data.member_id is None else "找不到该党员")
    rule = ledger.check_rule(s, p, data.rule_id, MEMBER)
    on = data.entry_date
    ledger.check_date(p, on)
    amount = ledger.check_amount(p, rule, data.points, data.evidence)
    if member is not None and resident is not None:
        if member.stage not in MEMBER_STAGES:
            p.add("member_id", "党员", f"{resident.name} 是{member.stage}，还不是党员，不记积分")
        if on is not None and member.left_on is not None and on > member.left_on:
            p.add("entry_date", "日期", f"{resident.name} 已于 {member.left_on.isoformat()} {member.left_kind or '离开'}")
        if rule is not None and not rule.applies_to(member.points_category):
            p.add("rule_id", "积分规则",
                  f"“{rule.name}”只适用于{rule.categories_text}党员，{resident.name} 是{member.points_category}党员")
    if member is not None and resident is not None and rule is not None and on is not None and amount is not None \
            and not p:
        ledger.check_cap(s, p, PointEntry, member.id, rule, on.year, amount, resident.name, "每人", replacing)
    p.text("note", "备注", data.note, max_len=500)
    p.raise_if_any()
    assert member is not None and resident is not None and rule is not None and amount is not None and on is not None
    return member, resident, rule, ledger.signed(rule, amount)


def _insert(s: Session, unit_id: int, member_id: int, rule: RuleRow, on: date, points: Decimal, note: str,
            evidence: str, source: str, source_ref: str, corrects_id: int | None = None) -> PointEntry:
    # flushed by the caller that needs the id (a meeting adds many in one flush)
    entry: PointEntry = ledger.new_entry(s, PointEntry, member_id, rule, on, points, note, evidence, source,
                                         source_ref, corrects_id)
    return entry


def _unit_of(resident: Resident) -> int:
    return resident.unit_id


def add_entry(s: Session, data: EntryInput, source: str = "manual", source_ref: str = "") -> int:
    """Record points for a member through a rule. Refused (ValidationError) over the cap."""
    access.require_role(s, *access.ENTRY_ROLES, action="登记党员积分")
    member, resident, rule, points = _check_entry(s, data)
    assert data.entry_date is not None
    check_year_open(s, resident.unit_id, data.entry_date.year)
    entry = _insert(s, resident.unit_id, member.id, rule, data.entry_date, points, data.note, data.evidence,
                    source, source_ref)
    s.flush()
    audit.record(s, resident.unit_id, "create", "point_entry", entry.id,
                 f"记积分：{resident.name} {rule.name} {signed_text(points)}")
    return entry.id


def _get_entry(s: Session, entry_id: int) -> PointEntry:
    entry: PointEntry = ledger.get_entry(s, PointEntry, entry_id)
    return entry


def _void(s: Session, entry: PointEntry, reason: str, unit_id: int) -> None:
    ledger.void_row(s, entry, reason, lambda year: check_year_open(s, unit_id, year))


def void_entry(s: Session, entry_id: int, reason: str) -> None:
    """作废 a wrong entry with a reason; the row stays in the ledger, marked void."""
    access.require_role(s, *access.ENTRY_ROLES, action="作废积分记录")
    entry = _get_entry(s, entry_id)
    _m, resident = _member(s, entry.member_id)
    _void(s, entry, reason, resident.unit_id)
    audit.record(s, resident.unit_id, "void", "point_entry", entry.id,
                 f"作废积分：{resident.name} {signed_text(entry.points)}（{entry.void_reason}）")


def correct_entry(s: Session, entry_id: int, data: EntryInput, reason: str) -> int:
    """Void the entry and add the right one in its place (corrects_id points back). One transaction."""
    access.require_role(s, *access.ENTRY_ROLES, action="更正积分记录")
    old = _get_entry(s, entry_id)
    data.member_id = old.member_id if data.member_id is None else data.member_id
    member, resident, rule, points = _check_entry(s, data, replacing=old.id)
    assert data.entry_date is not None
    _void(s, old, reason, resident.unit_id)
    check_year_open(s, resident.unit_id, data.entry_date.year)
    entry = _insert(s, resident.unit_id, member.id, rule, data.entry_date, points, data.note, data.evidence,
                    old.source, old.source_ref, corrects_id=old.id)
    s.flush()
    audit.record(s, resident.unit_id, "update", "point_entry", entry.id,
                 f"更正积分：{resident.name} {signed_text(old.points)} → {signed_text(points)}（{old.void_reason}）",
                 {"corrects": old.id})
    return entry.id


def add_automatic(s: Session, unit_id: int, member_id: int, rule: RuleRow, on: date, note: str, source: str,
                  source_ref: str, used: Decimal | None = None) -> PointEntry | None:
    """An entry the program makes (meeting, ticket, 基础分): cut to the cap; None when nothing is left.

    used: the member's points under this rule this year, when the caller knows them (saves a query).
    """
    cut = ledger.cut_to_cap(s, PointEntry, member_id, rule, on.year, note, used)
    if cut is None:
        return None
    amount, note = cut
    return _insert(s, unit_id, member_id, rule, on, ledger.signed(rule, amount), note, "", source, source_ref)


# ================================================================ API for other areas


def award_for_ticket(s: Session, member_id: int, ticket_number: str, on: date) -> int | None:
    """A 党员代办 ticket handled by this member was closed: add the 代办 points (rule "ticket:代办").

    Idempotent: a second call for the same ticket returns the existing entry. None when no active rule
    applies to the member, the yearly cap is reached, or the year's assessment is already published.
    """
    member, resident = _member(s, member_id)
    ref = f"ticket:{ticket_number}"
    existing = s.scalar(select(PointEntry.id).where(
        PointEntry.member_id == member_id, PointEntry.source == "ticket", PointEntry.source_ref == ref,
        PointEntry.voided_at.is_(None)))
    if existing is not None:
        return existing
    if member.stage not in MEMBER_STAGES or published_on(s, resident.unit_id, on.year) is not None:
        return None
    rule = rule_for_trigger(s, resident.unit_id, TICKET_TRIGGER, member.points_category)
    if rule is None:
        return None
    entry = add_automatic(s, resident.unit_id, member.id, rule, on, f"代办工单 {ticket_number} 办结", "ticket", ref)
    if entry is None:
        return None
    s.flush()
    audit.record(s, resident.unit_id, "create", "point_entry", entry.id,
                 f"代办计分：{resident.name} {rule.name} {signed_text(entry.points)}（工单 {ticket_number}）")
    return entry.id


def revoke_for_ticket(s: Session, ticket_number: str, reason: str) -> int:
    """A closed ticket was reopened or cancelled: void its 代办 entries. Returns how many were voided."""
    ids = list(s.scalars(select(PointEntry.id).where(
        PointEntry.source == "ticket", PointEntry.source_ref == f"ticket:{ticket_number}",
        PointEntry.voided_at.is_(None))))
    for entry_id in ids:
        void_entry(s, entry_id, reason)
    return len(ids)


def grant_base_points(s: Session, unit_id: int, year: int, on: date | None = None) -> int:
    """Give each member the 基础分 of their category for the year, once (members who have it are skipped)."""
    access.require_role(s, *access.ENTRY_ROLES, action="发放基础分")
    check_year_open(s, unit_id, year)
    on = on or min(date.today(), date(year, 12, 31))
    rules = [r for r in list_rules(s, unit_id) if r.trigger == BASE_TRIGGER]
    # unit_scan's `year + 0` on SQLite: `year = ?` skip-scans ix_point_entries_member_year (~0.3 s over
    # 500,000 entries) where a plain scan takes ~0.04 s
    have = set(s.scalars(select(PointEntry.member_id).where(
        unit_scan(s, PointEntry.year, year), PointEntry.voided_at.is_(None),
        PointEntry.rule_id.in_([r.id for r in rules] or [-1]))))
    members = members_in_year(unit_id, year).with_only_columns(
        PartyMember.id, PartyMember.points_category, PartyMember.joined_on)
    operator_id = audit.current_operator_id.get()
    rows: list[dict[str, object]] = []
    for member_id, category, joined_on in s.execute(members):
        if member_id in have:
            continue
        rule = next((r for r in rules if r.applies_to(category)), None)
        if rule is None:
            continue
        day = max(on, joined_on) if joined_on and joined_on.year == year else on
        # not in `have`: no counted entry under any base rule this year, so nothing used against the cap
        cut = ledger.cut_to_cap(s, PointEntry, member_id, rule, day.year, f"{year}年度基础分", used=ZERO)
        if cut is None:
            continue
        amount, note = cut
        # the values add_automatic → point_entries.new_entry would give, as one Core executemany
        rows.append({"member_id": member_id, "rule_id": rule.id, "entry_date": day, "year": day.year,
                     "points": ledger.signed(rule, amount), "note": note.strip(), "evidence": "",
                     "source": "manual", "source_ref": f"base:{year}", "corrects_id": None,
                     "operator_id": operator_id})
    if rows:
        s.execute(insert(PointEntry), rows)
    count = len(rows)
    if count:
        audit.record(s, unit_id, "create", "point_entry", None, f"发放{year}年度基础分：{count} 人")
    return count


# ================================================================ reading the ledger


def _entry_rows(s: Session, where: Iterable[ColumnElement[bool]]) -> list[EntryRow]:
    op = aliased(Operator)
    stmt = (
        select(PointEntry, Resident.name, PointRule.name, PointRule.kind, op.display_name)
        .join(PartyMember, PartyMember.id == PointEntry.member_id).join(Resident, Resident.id == PartyMember.resident_id)
        .join(PointRule, PointRule.id == PointEntry.rule_id).outerjoin(op, op.id == PointEntry.operator_id)
        .where(*where).order_by(PointEntry.entry_date, PointEntry.id)
    )
    out = []
    for e, name, rule_name, kind, operator in s.execute(stmt):
        out.append(EntryRow(e.id, e.member_id, name, e.rule_id, rule_name, kind, RULE_KIND_LABELS.get(kind, kind),
                            e.entry_date, e.year, Decimal(e.points), e.note, e.evidence, e.source,
                            SOURCE_LABELS.get(e.source, e.source), e.source_ref, e.corrects_id, operator or "",
                            e.created_at, e.voided_at, e.void_reason))
    return out


def list_entries(s: Session, member_id: int, year: int | None = None, include_voided: bool = True) -> list[EntryRow]:
    """A member's entries (oldest first), voided ones included and marked unless asked otherwise."""
    return _entry_rows(s, ledger.owner_entries(PointEntry, member_id, year, include_voided))


def unit_entries(s: Session, unit_id: int, year: int) -> list[EntryRow]:
    """Every entry of the unit in the year (the ledger's 积分明细 sheet)."""
    return _entry_rows(s, [Resident.unit_id == unit_id, PointEntry.year == year])


@dataclass(frozen=True)
class Totals:
    base: Decimal = ZERO
    duty: Decimal = ZERO
    reward: Decimal = ZERO
    deduct: Decimal = ZERO  # shown as a positive number: what was taken off

    @property
    def total(self) -> Decimal:
        return self.base + self.duty + self.reward - self.deduct

    @classmethod
    def of(cls, signed_by_kind: dict[str, Decimal]) -> Totals:
        """From signed sums per rule kind (deductions negative)."""
        k = signed_by_kind
        return cls(k.get("base", ZERO), k.get("duty", ZERO), k.get("reward", ZERO), -k.get("deduct", ZERO))


def totals_by_member(s: Session, unit_id: int, year: int, member_ids: Iterable[int] | None = None) -> dict[int, Totals]:
    """基础分 + 履职分 + 奖励分 − 扣减分 per member for the year (voided entries left out)."""
    sums = ledger.sums_by_kind(s, PointEntry, unit_id, year, member_ids)
    return {mid: Totals.of(k) for mid, k in sums.items()}


def member_totals(s: Session, member_id: int, year: int) -> Totals:
    _m, resident = _member(s, member_id)
    return totals_by_member(s, resident.unit_id, year, [member_id]).get(member_id, Totals())


def competition_ranks(totals: dict[int, Decimal]) -> dict[int, int]:
    """1, 2, 2, 4 …: equal totals share a rank."""
    ranks: dict[int, int] = {}
    ordered = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
    for i, (mid, total) in enumerate(ordered):
        ranks[mid] = ranks[ordered[i - 1][0]] if i and ordered[i - 1][1] == total else i + 1
    return ranks


# ================================================================ the points page


@dataclass
class PointsQuery:
    unit_id: int
    year: int
    org_id: int | None = None  # this branch (and its groups)
    category: str | None = None
    text: str = ""
    order_by: str = "rank"  # rank | name | org | total | base | duty | reward | deduct
    descending: bool = False


@dataclass(frozen=True)
class MemberPoints:
    member_id: int
    name: str
    org_id: int
    org_name: str
    group_name: str | None
    category: str
    base: Decimal
    duty: Decimal
    reward: Decimal
    deduct: Decimal
    total: Decimal
    rank: int  # within the branch (live, or the assessment's once computed)
    branch_size: int
    grade: str | None  # from the year's assessment, if computed and still matching the points (待定 possible)
    follow_up: str | None
    assessment_state: str  # "" / 待发布 / 已发布 / 待重新计算 (a draft computed before the last change)


_Assessed = Row[tuple[int, int, str | None, date | None]]  # member, rank, follow-up, decided_on


def _assessment_map(s: Session, member_ids: list[int], year: int) -> dict[int, _Assessed]:
    """The year's assessment rows by member: columns, not ORM objects (10,000 of them took 0.5 s)."""
    if not member_ids:
        return {}
    return {r.member_id: r for r in s.execute(select(
        Assessment.member_id, Assessment.rank, Assessment.follow_up, Assessment.decided_on).where(
        Assessment.year == year, Assessment.member_id.in_(member_ids)))}


def member_points(s: Session, q: PointsQuery) -> list[MemberPoints]:
    """Each member with the year's totals by kind, rank in the branch and grade (a village: whole list)."""
    group = aliased(PartyOrg)
    stmt = (  # columns, not ORM objects: a county's 10,000 members loaded as objects took 0.5 s
        members_in_year(q.unit_id, q.year).with_only_columns(
            PartyMember.id, PartyMember.org_id, PartyMember.group_id, PartyMember.points_category, Resident.name,
            PartyOrg.name, group.name)
        .join(PartyOrg, PartyOrg.id == PartyMember.org_id).outerjoin(group, group.id == PartyMember.group_id)
    )
    rows = list(s.execute(stmt))
    totals = totals_by_member(s, q.unit_id, q.year)
    by_branch: dict[int, dict[int, Decimal]] = {}
    for r in rows:
        by_branch.setdefault(r.org_id, {})[r.id] = totals.get(r.id, Totals()).total
    ranks = {mid: r for branch in by_branch.values() for mid, r in competition_ranks(branch).items()}
    assessed = _assessment_map(s, [r.id for r in rows], q.year)
    shown: dict[int, str] | None = None
    if assessed:  # grades only beside the totals they were computed from (one consistent set)
        from .assessments import shown_grades  # assessments builds on this module

        shown = shown_grades(s, q.unit_id, q.year, totals)
    wanted = None
    if q.text.strip():
        cond = resident_search(q.text)
        wanted = set(s.scalars(select(PartyMember.id).join(Resident, Resident.id == PartyMember.resident_id)
                               .where(Resident.unit_id == q.unit_id, and_(cond) if cond is not None else True)))
    branch_ids: set[int] | None = None
    if q.org_id is not None:
        from ..org.tree import descendant_ids

        branch_ids = descendant_ids(s, q.org_id)
    out = []
    for mid, org_id, group_id, category, name, org_name, group_name in rows:
        if wanted is not None and mid not in wanted:
            continue
        if branch_ids is not None and org_id not in branch_ids and group_id not in branch_ids:
            continue
        if q.category and category != q.category:
            continue
        t = totals.get(mid, Totals())
        a = assessed.get(mid)
        if a is not None and (shown is None or mid not in shown):
            a, state = None, "待重新计算"  # a stale draft: live figures, no grade
        else:
            state = "" if a is None else ("已发布" if a.decided_on else "待发布")
        out.append(MemberPoints(
            mid, name, org_id, org_name, group_name, category, t.base, t.duty, t.reward,
            t.deduct, t.total, a.rank if a is not None else ranks.get(mid, 0),
            len(by_branch.get(org_id, {})), shown.get(mid) if a and shown else None, a.follow_up if a else None,
            state))
    keys = {
        "rank": lambda r: (r.org_name, r.rank, r.name), "name": lambda r: (r.name,), "org": lambda r: (r.org_name, r.name),
        "total": lambda r: (r.total,), "base": lambda r: (r.base,), "duty": lambda r: (r.duty,),
        "reward": lambda r: (r.reward,), "deduct": lambda r: (r.deduct,),
    }
    if q.order_by not in keys:
        raise ServiceError(f"不能按“{q.order_by}”排序")
    out.sort(key=keys[q.order_by], reverse=q.descending)
    return out
