"""党费: the yearly 核定 of each member's monthly amount, the collection entries, and who is behind.

核定: a member's category, base and monthly amount for a year from a month on. A change (new income,
retirement, a wrong entry) is a new row from a month with a reason; the old row is superseded_by the
new one and stays. The amount due for a month is that of the newest row starting at or before it.

Collection: one entry pays whole months (month_from … month_to of one year) of months already 核定 and
not yet paid. Less than the months' 应交 is refused (to pay part, enter fewer months); more is taken as
自愿多交 and needs a note saying so. An entry whose months are all over when it is paid is 补交 (set by
itself, or ticked by the clerk; a quarter paid in its last month is not). Receipt numbers run 年-序号 (2026-001) by the year paid, voided ones
keeping theirs. A wrong entry is voided with a reason, never deleted.

Arrears: a month is 欠交 once it is over (the month's 党费 is paid within the month) and no entry pays
it. 党章 第三十八条: 连续六个月不交纳党费 without good reason counts as 自行脱党, so a run of
WARN_MONTHS unpaid months is a warning the branch must act on (工作台, 欠交名单).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.models import PartyMember, PartyOrg, Resident
from app.models.org import MEMBER_STAGES
from app.models.partywork import DUES_CATEGORIES, PAYMENT_WAYS, DuesAssessment, DuesPayment

from .. import access, audit
from ..errors import NotFound, ServiceError
from ..validation import Problems
from .dues_rules import RATE_CATEGORIES, band_for, list_rules, monthly_for_rate, parse_yuan, yuan_text

WARN_MONTHS = 6  # 党章 第三十八条: 连续六个月不交纳党费
CATEGORY_OF_TYPE = {"在职": "在职", "离退休": "离退休", "农民": "农民", "流动": "农民"}
FIRST_REASON = "年度核定"


def _ym(year: int, month: int) -> int:
    return year * 12 + month - 1


def _ym_text(ym: int) -> str:
    return f"{ym // 12}-{ym % 12 + 1:02d}"


def months_text(month_from: int, month_to: int) -> str:
    """1—6月, 3月."""
    return f"{month_from}月" if month_from == month_to else f"{month_from}—{month_to}月"


@dataclass
class AssessInput:
    member_id: int | None
    year: int
    category: str = ""
    base: object = ""  # 元: 税后月收入 (在职) or 离退休费 (离退休)
    monthly: object = ""  # 元: the fixed amount of 农民 (0.2–1), 学生, 困难
    from_month: int = 1
    decided_on: date | None = None
    reason: str = ""


@dataclass
class PaymentInput:
    member_id: int | None
    year: int
    month_from: int
    month_to: int
    amount: object  # 元
    paid_on: date | None
    way: str = "现金"
    paid_by: str = ""  # 代交人
    makeup: bool = False  # 补交 (set by itself for months already over)
    collector: str = ""
    note: str = ""


@dataclass(frozen=True)
class BulkResult:
    made: int
    skipped: list[str] = field(default_factory=list)  # 姓名（原因）


@dataclass(frozen=True)
class DuesRow:
    """A member's 党费 for a year as of a day."""

    member_id: int
    name: str
    org_name: str
    member_type: str
    assessment_id: int | None  # the newest 核定 of the year (None: 未核定)
    category: str
    base_fen: int
    monthly_fen: int  # of the newest 核定
    due_months: tuple[int, ...]  # months of the year already over and 核定
    paid_months: tuple[int, ...]
    paid_fen: int  # paid for this year (自愿多交 included)
    owed_months: tuple[int, ...]  # due and unpaid
    owed_fen: int
    run: int  # longest run of unpaid months (over the years)
    paid_to: str  # 2026-11: the last month paid with every month before it paid

    @property
    def warn(self) -> bool:
        return self.run >= WARN_MONTHS

    @property
    def state(self) -> str:
        if self.assessment_id is None:
            return "未核定"
        if self.warn:
            return f"连续{self.run}个月未交"
        return f"欠交{len(self.owed_months)}个月" if self.owed_months else "正常"


@dataclass(frozen=True)
class ArrearsRow:
    member_id: int
    name: str
    org_name: str
    owed: tuple[str, ...]  # 2025-12, 2026-01 …
    owed_fen: int
    run: int
    paid_to: str

    @property
    def warn(self) -> bool:
        return self.run >= WARN_MONTHS

    @property
    def owed_text(self) -> str:
        """2025年12月—2026年3月、2026年5月 (consecutive months joined)."""
        yms = [int(t[:4]) * 12 + int(t[5:]) - 1 for t in self.owed]
        parts, start = [], 0
        for i in range(1, len(yms) + 1):
            if i == len(yms) or yms[i] != yms[i - 1] + 1:
                a, b = yms[start], yms[i - 1]
                if a == b:
                    parts.append(f"{a // 12}年{a % 12 + 1}月")
                elif a // 12 == b // 12:
                    parts.append(f"{a // 12}年{a % 12 + 1}—{b % 12 + 1}月")
                else:
                    parts.append(f"{a // 12}年{a % 12 + 1}月—{b // 12}年{b % 12 + 1}月")
                start = i
        return "、".join(parts)


@dataclass(frozen=True)
class PaymentRow:
    id: int
    member_id: int
    name: str
    year: int
    month_from: int
    month_to: int
    amount_fen: int
    paid_on: date
    way: str
    paid_by: str
    makeup: bool
    receipt_no: str
    collector: str
    note: str
    voided_on: date | None
    void_reason: str

    @property
    def months(self) -> str:
        return f"{self.year}年{months_text(self.month_from, self.month_to)}"


# ================================================================ the members and their books


@dataclass
class _Member:
    id: int
    name: str
    org_name: str
    member_type: str
    joined_on: date | None
    left_on: date | None


@dataclass
class _Book:
    """One member's months: 应交 per month (核定, while a member) and the entry paying each month."""

    due: dict[int, int] = field(default_factory=dict)
    paid: dict[int, int] = field(default_factory=dict)  # ym → amount share (whole entry on its first month)
    paid_months: set[int] = field(default_factory=set)
    newest: dict[int, DuesAssessment] = field(default_factory=dict)  # year → newest 核定


def _members(s: Session, unit_id: int, year: int | None = None, member_id: int | None = None) -> list[_Member]:
    """党员 of the unit (预备 and 正式), those who left before the year left out."""
    stmt = (select(PartyMember.id, Resident.name, PartyOrg.name, PartyMember.member_type, PartyMember.joined_on,
                   PartyMember.left_on)
            .join(Resident, Resident.id == PartyMember.resident_id).join(PartyOrg, PartyOrg.id == PartyMember.org_id)
            .where(Resident.unit_id == unit_id, PartyMember.stage.in_(MEMBER_STAGES))
            .order_by(PartyOrg.id, Resident.name, PartyMember.id))
    if year is not None:
        stmt = stmt.where(or_(PartyMember.left_on.is_(None), PartyMember.left_on >= date(year, 1, 1)))
    if member_id is not None:
        stmt = stmt.where(PartyMember.id == member_id)
    return [_Member(*r) for r in s.execute(stmt)]


def _books(s: Session, unit_id: int, members: list[_Member], last_year: int) -> dict[int, _Book]:
    left = {m.id: m.left_on for m in members}
    books: dict[int, _Book] = defaultdict(_Book)
    rows = s.scalars(select(DuesAssessment).where(DuesAssessment.unit_id == unit_id,
                                                  DuesAssessment.year <= last_year,
                                                  DuesAssessment.member_id.in_(list(left)))
                     .order_by(DuesAssessment.id))
    by_year: dict[tuple[int, int], list[DuesAssessment]] = defaultdict(list)
    for a in rows:
        by_year[(a.member_id, a.year)].append(a)
    for (mid, year), chain in by_year.items():
        book = books[mid]
        book.newest[year] = chain[-1]
        for month in range(1, 13):
            gone = left[mid]
            if gone is not None and gone < date(year, month, 1):
                break
            effective = next((a for a in reversed(chain) if a.from_month <= month), None)
            if effective is not None and effective.monthly_fen > 0:
                book.due[_ym(year, month)] = effective.monthly_fen
    pays = s.scalars(select(DuesPayment).where(DuesPayment.unit_id == unit_id, DuesPayment.year <= last_year,
                                               DuesPayment.voided_on.is_(None),
                                               DuesPayment.member_id.in_(list(left))))
    for p in pays:
        book = books[p.member_id]
        first = _ym(p.year, p.month_from)
        book.paid[first] = book.paid.get(first, 0) + p.amount_fen
        book.paid_months.update(range(first, _ym(p.year, p.month_to) + 1))
    return books


def _overdue(ym: int, on: date) -> bool:
    """A month is over (its 党费 late if unpaid) from the first day of the next month."""
    return ym < _ym(on.year, on.month)


def _run(book: _Book, on: date) -> int:
    """The longest run of consecutive months over, 核定 and unpaid (a month not 核定 breaks it)."""
    best = current = 0
    previous = None
    for ym in sorted(book.due):
        if not _overdue(ym, on):
            break
        if ym not in book.paid_months:
            current = current + 1 if previous == ym - 1 else 1
            best = max(best, current)
        else:
            current = 0
        previous = ym
    return best


def _paid_to(book: _Book) -> str:
    """The last month paid such that every 核定 month before it is paid too ("" when none)."""
    last = ""
    for ym in sorted(book.due):
        if ym not in book.paid_months:
            break
        last = _ym_text(ym)
    return last


def list_dues(s: Session, unit_id: int, year: int, on: date | None = None) -> list[DuesRow]:
    """Every member of the year with the 核定, months due by `on` (default today), paid and owed."""
    on = on or date.today()
    members = _members(s, unit_id, year)
    books = _books(s, unit_id, members, max(year, on.year))
    out = []
    for m in members:
        book = books.get(m.id, _Book())
        a = book.newest.get(year)
        due = tuple(ym % 12 + 1 for ym in sorted(book.due) if ym // 12 == year and _overdue(ym, on))
        paid = tuple(sorted(ym % 12 + 1 for ym in book.paid_months if ym // 12 == year))
        owed = tuple(mm for mm in due if mm not in paid)
        out.append(DuesRow(
            m.id, m.name, m.org_name, m.member_type, a.id if a else None, a.category if a else "",
            a.base_fen if a else 0, a.monthly_fen if a else 0, due, paid,
            sum(v for ym, v in book.paid.items() if ym // 12 == year), owed,
            sum(book.due[_ym(year, mm)] for mm in owed), _run(book, on), _paid_to(book)))
    return out


def arrears_list(s: Session, unit_id: int, on: date | None = None, warn_only: bool = False) -> list[ArrearsRow]:
    """Members (still members on `on`) with months over and unpaid, most months behind first."""
    on = on or date.today()
    members = [m for m in _members(s, unit_id) if m.left_on is None or m.left_on >= on]
    books = _books(s, unit_id, members, on.year)
    out = []
    for m in members:
        book = books.get(m.id)
        if book is None:
            continue
        owed = [ym for ym in sorted(book.due) if _overdue(ym, on) and ym not in book.paid_months]
        if not owed:
            continue
        row = ArrearsRow(m.id, m.name, m.org_name, tuple(_ym_text(ym) for ym in owed),
                         sum(book.due[ym] for ym in owed), _run(book, on), _paid_to(book))
        if row.warn or not warn_only:
            out.append(row)
    return sorted(out, key=lambda r: (-r.run, -len(r.owed), r.org_name, r.name))


def count_dues_warnings(s: Session, unit_id: int, on: date | None = None) -> int:
    """Members with WARN_MONTHS or more months unpaid in a row (the 工作台 line)."""
    return len(arrears_list(s, unit_id, on, warn_only=True))


def due_for_months(s: Session, unit_id: int, member_id: int, year: int, month_from: int, month_to: int) -> int:
    """应交 in 分 for months month_from…month_to at each month's 核定 (what 登记交费 fills in)."""
    book = _books(s, unit_id, _members(s, unit_id, year, member_id), year).get(member_id, _Book())
    return sum(book.due.get(_ym(year, m), 0) for m in range(month_from, month_to + 1))


# ================================================================ 核定


def _member(s: Session, unit_id: int, member_id: int | None, p: Problems, year: int) -> _Member | None:
    if member_id is None:
        p.add("member_id", "党员", "请选择党员")
        return None
    found = _members(s, unit_id, year, member_id)
    if not found:
        p.add("member_id", "党员", f"该党员不在本村{year}年的党员名单中")
        return None
    return found[0]


def _compute(p: Problems, s: Session, unit_id: int, data: AssessInput) -> tuple[str, int, int | None, int]:
    """(category, base 分, rate 千分之, monthly 分) from the year's rules; problems recorded."""
    category = p.choice("category", "交纳类别", data.category, DUES_CATEGORIES, required=True)
    if not category or p.has("category"):
        return category, 0, None, 0
    rules = list_rules(s, unit_id, data.year)
    if category in RATE_CATEGORIES:
        base = parse_yuan(p, "base", "计算基数（月收入）", data.base)
        if base is None:
            return category, 0, None, 0
        band = band_for(rules, category, base)
        if band is None or band.rate_permille is None:
            p.add("category", "交纳类别", f"{data.year}年党费规则中没有{category}党员收入 {yuan_text(base)} 元的档次")
            return category, base, None, 0
        return category, base, band.rate_permille, monthly_for_rate(base, band.rate_permille)
    band = band_for(rules, category, 0)
    if band is None:
        p.add("category", "交纳类别", f"{data.year}年党费规则中没有{category}党员的规定")
        return category, 0, None, 0
    low, high = band.min_fen or 0, band.max_fen if band.max_fen is not None else band.min_fen or 0
    given = str(data.monthly or "").strip()
    monthly = parse_yuan(p, "monthly", "每月交纳", given) if given else low
    if monthly is not None and not low <= monthly <= high:
        p.add("monthly", "每月交纳", f"{category}党员每月交纳 {band.charge_text.removeprefix('每月 ')}，"
                                  f"现在是 {yuan_text(monthly)} 元")
    return category, 0, None, monthly or 0


def _check_common(p: Problems, data: AssessInput) -> None:
    if not 1 <= data.from_month <= 12:
        p.add("from_month", "起始月份", "应为 1 至 12 月")
    if data.decided_on is None:
        p.add("decided_on", "核定日期", "请填写核定日期")
    elif data.decided_on > date.today():
        p.add("decided_on", "核定日期", "晚于今天")


def _current(s: Session, member_id: int, year: int) -> DuesAssessment | None:
    return s.scalar(select(DuesAssessment).where(DuesAssessment.member_id == member_id, DuesAssessment.year == year,
                                                 DuesAssessment.superseded_by_id.is_(None))
                    .order_by(DuesAssessment.id.desc()).limit(1))


def _add(s: Session, unit_id: int, m: _Member, data: AssessInput, computed: tuple[str, int, int | None, int],
         reason: str) -> DuesAssessment:
    category, base, rate, monthly = computed
    assert data.decided_on is not None
    row = DuesAssessment(unit_id=unit_id, member_id=m.id, year=data.year, from_month=data.from_month,
                         category=category, base_fen=base, rate_permille=rate, monthly_fen=monthly,
                         decided_on=data.decided_on, reason=reason)
    s.add(row)
    s.flush()
    return row


def assess(s: Session, unit_id: int, data: AssessInput) -> int:
    """年度核定 of one member for a year (refused when the year is 核定 already: change it instead)."""
    access.require_role(s, *access.ENTRY_ROLES, action="核定党费")
    p = Problems()
    m = _member(s, unit_id, data.member_id, p, data.year)
    computed = _compute(p, s, unit_id, data)
    _check_common(p, data)
    if m is not None and _current(s, m.id, data.year) is not None:
        p.add("member_id", "党员", f"{m.name}{data.year}年已核定党费，如有变化请用“修改核定”并写明原因")
    p.raise_if_any()
    assert m is not None
    row = _add(s, unit_id, m, data, computed, data.reason.strip() or FIRST_REASON)
    audit.record(s, unit_id, "create", "dues_assessment", row.id,
                 f"核定党费：{m.name} {data.year}年{data.from_month}月起 {row.category} 每月 {yuan_text(row.monthly_fen)} 元")
    return row.id


def change_assessment(s: Session, unit_id: int, data: AssessInput) -> int:
    """A new 核定 from a month with a reason; the member's current one is superseded by it."""
    access.require_role(s, *access.ENTRY_ROLES, action="修改党费核定")
    p = Problems()
    m = _member(s, unit_id, data.member_id, p, data.year)
    computed = _compute(p, s, unit_id, data)
    _check_common(p, data)
    reason = p.text("reason", "变更原因", data.reason, required=True, max_len=200)
    old = _current(s, m.id, data.year) if m is not None else None
    if m is not None and old is None:
        p.add("member_id", "党员", f"{m.name}{data.year}年还没有核定党费，请先“年度核定”")
    elif old is not None and (computed[0], computed[1], computed[3], data.from_month) == (
            old.category, old.base_fen, old.monthly_fen, old.from_month):
        p.add("base", "核定", "与现有核定相同，没有变化")
    p.raise_if_any()
    assert m is not None and old is not None
    row = _add(s, unit_id, m, data, computed, reason)
    old.superseded_by_id = row.id
    s.flush()
    audit.record(s, unit_id, "update", "dues_assessment", row.id,
                 f"修改党费核定：{m.name} {data.year}年{data.from_month}月起 每月 {yuan_text(old.monthly_fen)} 元 → "
                 f"{yuan_text(row.monthly_fen)} 元（{reason}）")
    return row.id


def bulk_assess(s: Session, unit_id: int, year: int, farmer_monthly: object = "0.20",
                decided_on: date | None = None) -> BulkResult:
    """核定 every member of the year not yet 核定: last year's category and base under this year's rules,
    else 农民 (and 流动) members at `farmer_monthly`; 在职/离退休 without a base are listed, not guessed."""
    access.require_role(s, *access.ENTRY_ROLES, action="核定党费")
    p = Problems()
    farmer = parse_yuan(p, "monthly", "农民党员每月交纳", farmer_monthly)
    band = band_for(list_rules(s, unit_id, year), "农民", 0)
    if farmer is not None and band is not None and not (band.min_fen or 0) <= farmer <= (band.max_fen or farmer):
        p.add("monthly", "农民党员每月交纳", f"{year}年规则为{band.charge_text}")  # refused before anyone is 核定
    if decided_on is None:
        p.add("decided_on", "核定日期", "请填写核定日期")
    p.raise_if_any()
    members = _members(s, unit_id, year)
    done = set(s.scalars(select(DuesAssessment.member_id).where(DuesAssessment.unit_id == unit_id,
                                                                DuesAssessment.year == year)))
    made, skipped = 0, []
    for m in members:
        if m.id in done or (m.joined_on is not None and m.joined_on.year > year):
            continue
        start = m.joined_on.month if m.joined_on is not None and m.joined_on.year == year else 1
        last = _current(s, m.id, year - 1)
        if last is not None:
            keep = last.monthly_fen if last.category not in RATE_CATEGORIES else ""
            data = AssessInput(m.id, year, last.category, yuan_text(last.base_fen), keep and yuan_text(keep),
                               start, decided_on, f"{FIRST_REASON}（沿用{year - 1}年基数）")
        elif CATEGORY_OF_TYPE.get(m.member_type) == "农民":
            data = AssessInput(m.id, year, "农民", "", yuan_text(farmer or 0), start, decided_on)
        else:
            skipped.append(f"{m.name}（{m.member_type}党员，需填写月收入）")
            continue
        q = Problems()
        computed = _compute(q, s, unit_id, data)
        if q:
            skipped.append(f"{m.name}（{q.items[0].message}）")
            continue
        _add(s, unit_id, m, data, computed, data.reason or FIRST_REASON)
        made += 1
    audit.record(s, unit_id, "create", "dues_assessment", None,
                 f"批量核定{year}年党费：{made} 人" + (f"，未核定 {len(skipped)} 人" if skipped else ""))
    return BulkResult(made, skipped)


def assessment_input(s: Session, assessment_id: int) -> AssessInput:
    """A 核定 as the 修改核定 dialog starts from it (amounts in 元)."""
    a = s.get(DuesAssessment, assessment_id)
    if a is None:
        raise NotFound("找不到该核定")
    return AssessInput(a.member_id, a.year, a.category, yuan_text(a.base_fen) if a.base_fen else "",
                       yuan_text(a.monthly_fen), a.from_month, date.today(), "")


# ================================================================ collection


def _next_receipt(s: Session, unit_id: int, year: int) -> str:
    numbers = s.scalars(select(DuesPayment.receipt_no).where(DuesPayment.unit_id == unit_id,
                                                            DuesPayment.receipt_no.like(f"{year}-%")))
    seq = max((int(n.split("-")[1]) for n in numbers if n.split("-")[1].isdigit()), default=0) + 1
    return f"{year}-{seq:03d}"


def record_payment(s: Session, unit_id: int, data: PaymentInput) -> int:
    """登记交费: whole months, 核定 and unpaid; not less than 应交, more only with a note (自愿多交)."""
    access.require_role(s, *access.ENTRY_ROLES, action="登记党费")
    p = Problems()
    m = _member(s, unit_id, data.member_id, p, data.year)
    if not (1 <= data.month_from <= data.month_to <= 12):
        p.add("month_to", "交纳月份", "起止月份应在 1 至 12 月之间，截止月份不早于起始月份")
    amount = parse_yuan(p, "amount", "实交金额", data.amount)
    if amount == 0:
        p.add("amount", "实交金额", "金额应大于 0")
    way = p.choice("way", "交纳方式", data.way, PAYMENT_WAYS, required=True)
    paid_by = p.text("paid_by", "代交人", data.paid_by, max_len=40)
    collector = p.text("collector", "收款人", data.collector, required=True, max_len=40)
    note = p.text("note", "备注", data.note, max_len=200)
    if data.paid_on is None:
        p.add("paid_on", "交纳日期", "请填写交纳日期")
    elif data.paid_on > date.today():
        p.add("paid_on", "交纳日期", "晚于今天")
    required = 0
    if m is not None and not p.has("month_to"):
        book = _books(s, unit_id, [m], data.year).get(m.id, _Book())
        months = range(_ym(data.year, data.month_from), _ym(data.year, data.month_to) + 1)
        unassessed = [ym % 12 + 1 for ym in months if ym not in book.due]
        paid = [ym % 12 + 1 for ym in months if ym in book.paid_months]
        if unassessed:
            p.add("month_from", "交纳月份", f"{m.name}{data.year}年{'、'.join(map(str, unassessed))}月"
                                        "没有核定党费（或不在党员期间），请先核定")
        if paid:
            p.add("month_from", "交纳月份", f"{m.name}{data.year}年{'、'.join(map(str, paid))}月已交纳")
        required = sum(book.due.get(ym, 0) for ym in months)
        if amount and not p.has("month_from"):
            count = len(months)
            if amount < required:
                p.add("amount", "实交金额", f"{count}个月应交 {yuan_text(required)} 元，实交不能少于应交；"
                                        "只交其中几个月的，请减少月份")
            elif amount > required and not note:
                p.add("note", "备注", f"实交比应交（{yuan_text(required)} 元）多 {yuan_text(amount - required)} 元，"
                                  "自愿多交请在备注中注明")
    p.raise_if_any()
    assert m is not None and data.paid_on is not None and amount is not None
    makeup = data.makeup or _ym(data.year, data.month_to) < _ym(data.paid_on.year, data.paid_on.month)
    row = DuesPayment(unit_id=unit_id, member_id=m.id, year=data.year, month_from=data.month_from,
                      month_to=data.month_to, amount_fen=amount, paid_on=data.paid_on, way=way, paid_by=paid_by,
                      makeup=makeup, receipt_no=_next_receipt(s, unit_id, data.paid_on.year), collector=collector,
                      note=note)
    s.add(row)
    s.flush()
    audit.record(s, unit_id, "create", "dues_payment", row.id,
                 f"登记党费：{m.name} {data.year}年{months_text(data.month_from, data.month_to)} "
                 f"{yuan_text(amount)} 元（收据 {row.receipt_no}{'，补交' if makeup else ''}）")
    return row.id


def void_payment(s: Session, payment_id: int, reason: str, on: date | None = None) -> None:
    """作废 a wrong entry (it stays, marked, with the reason); enter the right one again."""
    access.require_role(s, *access.ENTRY_ROLES, action="作废党费记录")
    row = s.get(DuesPayment, payment_id)
    if row is None:
        raise NotFound("找不到该交费记录")
    p = Problems()
    if row.voided_on is not None:
        p.add("void_reason", "作废原因", f"该记录已于 {row.voided_on.isoformat()} 作废")
    reason = p.text("void_reason", "作废原因", reason, required=True, max_len=200)
    p.raise_if_any()
    row.voided_on, row.void_reason = on or date.today(), reason
    s.flush()
    audit.record(s, row.unit_id, "void", "dues_payment", row.id,
                 f"作废党费记录：收据 {row.receipt_no} {yuan_text(row.amount_fen)} 元（{reason}）")


def list_payments(s: Session, unit_id: int, year: int, member_id: int | None = None) -> list[PaymentRow]:
    """The year's entries (voided ones included, marked), newest first."""
    stmt = (select(DuesPayment, Resident.name).join(PartyMember, PartyMember.id == DuesPayment.member_id)
            .join(Resident, Resident.id == PartyMember.resident_id)
            .where(DuesPayment.unit_id == unit_id, DuesPayment.year == year)
            .order_by(DuesPayment.paid_on.desc(), DuesPayment.id.desc()))
    if member_id is not None:
        stmt = stmt.where(DuesPayment.member_id == member_id)
    return [PaymentRow(p.id, p.member_id, name, p.year, p.month_from, p.month_to, p.amount_fen, p.paid_on, p.way,
                       p.paid_by, p.makeup, p.receipt_no, p.collector, p.note, p.voided_on, p.void_reason)
            for p, name in s.execute(stmt)]


def get_payment(s: Session, payment_id: int) -> PaymentRow:
    row = s.get(DuesPayment, payment_id)
    if row is None:
        raise NotFound("找不到该交费记录")
    found = [p for p in list_payments(s, row.unit_id, row.year, row.member_id) if p.id == payment_id]
    if not found:
        raise ServiceError("该交费记录的党员不在本村名单中")
    return found[0]
