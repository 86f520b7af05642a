"""The append-only point ledger mechanics shared by 党员积分 (PointEntry) and 乡风文明积分 (HouseholdPointEntry).

Both ledgers follow the same rules: an entry goes through a rule of its own scope (member / household),
its points are the rule's or within the rule's range, evidence when the rule asks for it, a yearly cap
per member or per household, signed points (deductions negative). Entries are never changed or deleted:
a wrong one is voided with a reason and a correcting entry may point back at it. The member and household
services keep only what differs (who is scored, what is checked about them, when a year is frozen).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from app.models import HouseholdPointEntry, PointEntry, PointRule
from app.models.base import utcnow

from .. import audit
from ..errors import NotFound
from ..validation import Problems
from .rules import RuleRow, get_rule, parse_points, points_text

ZERO = Decimal("0")
Entry = PointEntry | HouseholdPointEntry
EntryClass = type[PointEntry] | type[HouseholdPointEntry]
SCOPE_OF: dict[EntryClass, str] = {PointEntry: "member", HouseholdPointEntry: "household"}
SCOPE_TEXT = {"member": "党员积分", "household": "乡风文明积分"}


def owner_column(cls: EntryClass) -> InstrumentedAttribute[int]:
    """The column naming who is scored: member_id or household_id."""
    return cls.member_id if cls is PointEntry else cls.household_id  # type: ignore[union-attr,return-value]


def owner_entries(cls: EntryClass, owner_id: int, year: int | None = None,
                  include_voided: bool = True) -> list[ColumnElement[bool]]:
    """Conditions for one member's or household's entries (a year, voided ones or not)."""
    where: list[ColumnElement[bool]] = [owner_column(cls) == owner_id]
    if year is not None:
        where.append(cls.year == year)
    if not include_voided:
        where.append(cls.voided_at.is_(None))
    return where


def used_in_year(s: Session, cls: EntryClass, owner_id: int, rule_id: int, year: int,
                 exclude: int | None = None) -> Decimal:
    """Points already counted for this rule and owner this year (absolute, voided ones left out)."""
    stmt = select(func.coalesce(func.sum(func.abs(cls.points)), 0)).where(
        owner_column(cls) == owner_id, cls.rule_id == rule_id, cls.year == year, cls.voided_at.is_(None))
    if exclude is not None:
        stmt = stmt.where(cls.id != exclude)
    return Decimal(str(s.scalar(stmt) or 0))


def check_rule(s: Session, p: Problems, rule_id: int | None, scope: str) -> RuleRow | None:
    """The rule picked for an entry, or None with the problem recorded (a rule of the other scope is refused)."""
    if rule_id is None:
        p.add("rule_id", "积分规则", "请选择积分规则")
        return None
    try:
        rule = get_rule(s, rule_id)
    except NotFound:
        p.add("rule_id", "积分规则", "找不到该积分规则")
        return None
    if rule.scope != scope:
        p.add("rule_id", "积分规则", f"“{rule.name}”是{SCOPE_TEXT.get(rule.scope, rule.scope)}规则，"
                                     f"不能用于{SCOPE_TEXT.get(scope, scope)}")
        return None
    return rule


def check_date(p: Problems, on: date | None) -> None:
    if on is None:
        p.add("entry_date", "日期", "请填写日期")
    elif on > date.today():
        p.add("entry_date", "日期", "日期晚于今天")


def check_amount(p: Problems, rule: RuleRow | None, value: object, evidence: str) -> Decimal | None:
    """The (positive) points of an entry: the rule's, or a value within its range; evidence when required."""
    amount = parse_points(p, "points", "分值", value) if value not in (None, "") else None
    if rule is None:
        return amount
    if not rule.active:
        p.add("rule_id", "积分规则", f"规则“{rule.name}”已停用")
    if amount is None and not p.has("points"):
        amount = rule.points
    if amount is not None and not p.has("points"):
        if rule.points_min is not None and rule.points_max is not None:
            if not rule.points_min <= amount <= rule.points_max:
                p.add("points", "分值", f"“{rule.name}”的分值应在 {rule.range_text} 之间")
        elif amount != rule.points:
            p.add("points", "分值", f"“{rule.name}”是固定分值 {points_text(rule.points)} 分")
    if rule.evidence_required and not (evidence or "").strip():
        p.add("evidence", "佐证", f"“{rule.name}”须填写佐证材料（如走访对象、表彰文件、事实经过）")
    return amount


def check_cap(s: Session, p: Problems, cls: EntryClass, owner_id: int, rule: RuleRow, year: int, amount: Decimal,
              who: str, per: str, replacing: int | None = None) -> None:
    """Refuse an entry over the rule's yearly cap, with the figures (per: 每人 / 每户)."""
    if rule.yearly_cap is None:
        return
    used = used_in_year(s, cls, owner_id, rule.id, year, exclude=replacing)
    if used + amount > rule.yearly_cap:
        left = max(rule.yearly_cap - used, ZERO)
        p.add("points", "分值", f"“{rule.name}”{per}每年最多 {points_text(rule.yearly_cap)} 分，{who} {year}年"
              f"已得 {points_text(used)} 分，最多还能记 {points_text(left)} 分")


def signed(rule: RuleRow, amount: Decimal) -> Decimal:
    return -amount if rule.kind == "deduct" else amount


def cut_to_cap(s: Session, cls: EntryClass, owner_id: int, rule: RuleRow, year: int,
               note: str, used: Decimal | None = None) -> tuple[Decimal, str] | None:
    """An automatic entry's (positive) points and note, cut to what the cap leaves; None when nothing is left.

    used: what the owner already has for the rule this year, when the caller knows it (no query).
    """
    amount = rule.points
    if rule.yearly_cap is not None:
        if used is None:
            used = used_in_year(s, cls, owner_id, rule.id, year)
        left = rule.yearly_cap - used
        if left <= 0:
            return None
        if left < amount:
            amount, note = left, (note + "（已达年度上限，按剩余分值计）").strip()
    return amount, note


def new_entry(s: Session, cls: EntryClass, owner_id: int, rule: RuleRow, on: date, points: Decimal, note: str,
              evidence: str, source: str, source_ref: str, corrects_id: int | None = None, **extra: Any) -> Any:
    """Add (not flush) an entry of either ledger; the caller flushes when it needs the id."""
    owner = "member_id" if cls is PointEntry else "household_id"
    entry = cls(**{owner: owner_id}, rule_id=rule.id, entry_date=on, year=on.year, points=points,
                note=note.strip(), evidence=evidence.strip(), source=source, source_ref=source_ref,
                corrects_id=corrects_id, operator_id=audit.current_operator_id.get(), **extra)
    s.add(entry)
    return entry


def get_entry(s: Session, cls: EntryClass, entry_id: int) -> Any:
    entry = s.get(cls, entry_id)
    if entry is None:
        raise NotFound("找不到该积分记录")
    return entry


def void_row(s: Session, entry: Entry, reason: str, check_open: Callable[[int], None] | None = None) -> None:
    """Mark an entry void with a reason (the row stays). check_open(year) may refuse a frozen year."""
    p = Problems()
    if entry.voided_at is not None:
        p.add("void_reason", "作废原因", f"该记录已于 {entry.voided_at:%Y-%m-%d} 作废")
    reason = p.text("void_reason", "作废原因", reason, required=True, max_len=200)
    p.raise_if_any()
    if check_open is not None:
        check_open(entry.year)
    entry.voided_at, entry.voided_by, entry.void_reason = utcnow(), audit.current_operator_id.get(), reason
    s.flush()


def sums_by_kind(s: Session, cls: EntryClass, unit_id: int, year: int,
                 owner_ids: Iterable[int] | None = None) -> dict[int, dict[str, Decimal]]:
    """Signed points per owner and rule kind for the year (voided entries left out), summed in SQL."""
    owner = owner_column(cls)
    stmt = (
        select(owner, PointRule.kind, func.sum(cls.points))
        .join(PointRule, PointRule.id == cls.rule_id)
        .where(PointRule.unit_id == unit_id, cls.year == year, cls.voided_at.is_(None))
        .group_by(owner, PointRule.kind)
    )
    if owner_ids is not None:
        stmt = stmt.where(owner.in_(list(owner_ids)))
    sums: dict[int, dict[str, Decimal]] = {}
    for oid, kind, total in s.execute(stmt):
        sums.setdefault(oid, {})[kind] = Decimal(str(total or 0))
    return sums

