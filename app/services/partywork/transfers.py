"""组织关系转接: the 中国共产党党员组织关系介绍信 of a member who moves away (转出) or arrives (转入).

转出 ends the membership (org.roster_changes.end_membership, left_kind 转出) and issues the letter in the
same transaction; the letter keeps the person's details as printed. A wrong letter is 作废 with a reason
(kept) and a new one issued with the next number; a lost copy is printed again with the same number.
转入 registers the arriving member (roster_changes.transfer_in) with the letter they brought, and prints
the 回执 the receiving branch sends back. The letter carries the full 身份证号 (it goes to the receiving
党组织, it is no 公示), so printing it needs an entry role; the ledger masks it where ledgers are masked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import PartyMember, PartyOrg
from app.models.org import MEMBER_STAGES
from app.models.partywork import DuesPayment, TransferLetter

from .. import access, audit
from ..errors import NotFound, ServiceError
from ..org.member_checks import MemberInput
from ..org.members import _get_member
from ..org.roster_changes import ArrivalInput, LeaveInput, end_membership, transfer_in
from ..people.residents import find_resident_by_id_number
from ..validation import Problems, age_on, check_id_number

ENTITY = "transfer_letter"
DEFAULT_VALID_DAYS = 30
MAX_VALID_DAYS = 90  # 有效期一般十天左右，确需延长的不得超过三个月
STATES = ("待回执", "回执逾期", "已回执", "未寄回执", "已寄回执", "已作废")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_FIELDS = ("letter_no", "issued_on", "name", "gender", "age", "ethnicity", "member_status", "id_number",
           "from_org", "to_org", "dues_paid_to", "valid_days", "receipt_on", "cancelled_on", "cancel_reason", "note")


@dataclass(frozen=True)
class LetterRow:
    id: int
    member_id: int | None
    direction: str  # 转出 / 转入
    letter_no: str
    issued_on: date
    name: str
    gender: str
    age: int | None
    ethnicity: str
    member_status: str
    id_number: str
    from_org: str
    to_org: str
    dues_paid_to: str  # "2026-11"
    valid_days: int
    receipt_on: date | None
    cancelled_on: date | None
    cancel_reason: str
    note: str

    @property
    def due_on(self) -> date:
        """The last day the letter is valid (开具之日起有效期内)."""
        return self.issued_on + timedelta(days=self.valid_days)

    def state_on(self, today: date) -> str:
        if self.cancelled_on is not None:
            return "已作废"
        if self.direction == "转入":
            return "已寄回执" if self.receipt_on else "未寄回执"
        if self.receipt_on is not None:
            return "已回执"
        return "回执逾期" if today > self.due_on else "待回执"

    @property
    def state(self) -> str:
        return self.state_on(date.today())

    @property
    def dues_text(self) -> str:
        m = _MONTH.match(self.dues_paid_to)
        return f"{m.group(1)}年{int(m.group(2))}月" if m else ""


@dataclass
class OutInput:
    """转出: where to, when, and what the letter says besides the roster's details."""

    to_org: str
    on: date | None
    letter_no: str = ""  # empty: the next number of the year (2026001)
    valid_days: int = DEFAULT_VALID_DAYS
    dues_paid_to: str = ""  # "2026-11"; empty: the latest month paid in the 党费 records
    note: str = ""


@dataclass
class InLetter:
    """转入: the letter the arriving member brought."""

    letter_no: str
    from_org: str
    issued_on: date | None
    on: date | None  # 转入日期 (when the relation arrived here)
    valid_days: int = DEFAULT_VALID_DAYS
    dues_paid_to: str = ""
    note: str = ""
    receipt_on: date | None = None  # the 回执 already sent back (else: when it is printed)


def _row(t: TransferLetter) -> LetterRow:
    return LetterRow(t.id, t.member_id, t.direction, t.letter_no, t.issued_on, t.name, t.gender, t.age,
                     t.ethnicity, t.member_status, t.id_number, t.from_org, t.to_org, t.dues_paid_to,
                     t.valid_days, t.receipt_on, t.cancelled_on, t.cancel_reason, t.note)


def _get(s: Session, letter_id: int) -> TransferLetter:
    t = s.get(TransferLetter, letter_id)
    if t is None:
        raise NotFound("找不到这封介绍信（可能已被他人更改），请刷新后重试。")
    return t


def get_letter(s: Session, letter_id: int) -> LetterRow:
    """One letter, as listed."""
    return _row(_get(s, letter_id))


def list_letters(s: Session, unit_id: int, direction: str | None = None, waiting: bool = False) -> list[LetterRow]:
    """Letters in and out, newest first; waiting: 转出 letters still without their 回执 (not 作废)."""
    stmt = select(TransferLetter).where(TransferLetter.unit_id == unit_id)
    if direction:
        stmt = stmt.where(TransferLetter.direction == direction)
    if waiting:
        stmt = stmt.where(TransferLetter.direction == "转出", TransferLetter.receipt_on.is_(None),
                          TransferLetter.cancelled_on.is_(None))
    stmt = stmt.order_by(TransferLetter.issued_on.desc(), TransferLetter.id.desc())
    return [_row(t) for t in s.scalars(stmt)]


def overdue_receipts(s: Session, unit_id: int, today: date | None = None) -> list[LetterRow]:
    """转出 letters whose 回执 has not come back after the letter's valid days (the 工作台 line)."""
    today = today or date.today()
    return [r for r in list_letters(s, unit_id, waiting=True) if today > r.due_on]


def count_overdue_receipts(s: Session, unit_id: int, today: date | None = None) -> int:
    """How many 转出 letters wait for their 回执 beyond their valid days (the 工作台 line)."""
    return len(overdue_receipts(s, unit_id, today))


# ---------------------------------------------------------------- the letter's details


def org_full_name(s: Session, org_id: int) -> str:
    """中共东坟村总支部委员会第一党支部: the top 党组织 and the member's 支部 (a 党小组 counts as its 支部)."""
    org = s.get(PartyOrg, org_id)
    if org is None:
        return ""
    if org.kind.endswith("党小组") and org.parent is not None:
        org = org.parent
    top = org
    while top.parent is not None:
        top = top.parent
    name = top.name if top.id == org.id else f"{top.name}{org.name}"
    return name if name.startswith("中共") else f"中共{name}"


def _dues_paid_to(s: Session, member_id: int) -> str:
    """The latest month paid in the 党费 records (not voided), as "2026-11"; "" when none."""
    row = s.execute(select(DuesPayment.year, func.max(DuesPayment.month_to))
                    .where(DuesPayment.member_id == member_id, DuesPayment.voided_on.is_(None))
                    .group_by(DuesPayment.year).order_by(DuesPayment.year.desc()).limit(1)).first()
    return f"{row[0]:04d}-{row[1]:02d}" if row else ""


def _next_letter_no(s: Session, unit_id: int, year: int) -> str:
    numbers = s.scalars(select(TransferLetter.letter_no).where(
        TransferLetter.unit_id == unit_id, TransferLetter.direction == "转出",
        TransferLetter.letter_no.like(f"{year}%")))
    seq = max((int(n[4:]) for n in numbers if n[4:].isdigit()), default=0)
    return f"{year}{seq + 1:03d}"


def _check_common(p: Problems, s: Session, unit_id: int, direction: str, letter_no: str, valid_days: int,
                  dues_paid_to: str) -> tuple[str, str]:
    no = p.text("letter_no", "介绍信编号", letter_no, required=direction == "转入", max_len=30)
    if no and s.scalar(select(TransferLetter.id).where(TransferLetter.unit_id == unit_id,
                                                       TransferLetter.direction == direction,
                                                       TransferLetter.letter_no == no)):
        p.add("letter_no", "介绍信编号", f"已有{direction}介绍信第 {no} 号")
    if not 1 <= valid_days <= MAX_VALID_DAYS:
        p.add("valid_days", "有效期", f"应为 1 至 {MAX_VALID_DAYS} 天（一般 30 天以内，最长不超过三个月）")
    dues = (dues_paid_to or "").strip().replace("/", "-").replace(".", "-")
    if re.fullmatch(r"\d{4}-\d", dues):
        dues = f"{dues[:5]}0{dues[5]}"
    m = _MONTH.match(dues)
    if dues and (m is None or not 1 <= int(m.group(2)) <= 12):
        p.add("dues_paid_to", "党费交到", f"“{dues_paid_to}”不是年月（如 2026-11）")
    return no, dues


def _person_values(m: PartyMember, on: date) -> dict[str, object]:
    r = m.resident
    birth = r.birth_date
    if birth is None and r.id_number:
        try:
            birth = check_id_number(r.id_number).birth_date
        except ValueError:  # a number entered before the check: the age stays blank
            birth = None
    return {"name": r.name, "gender": r.gender or "", "age": age_on(birth, on) if birth else None,
            "ethnicity": r.ethnicity or "", "member_status": "预备党员" if m.stage == "预备党员" else "正式党员",
            "id_number": r.id_number or ""}


# ---------------------------------------------------------------- 转出


def transfer_out(s: Session, member_id: int, data: OutInput) -> int:
    """The member's relation goes to data.to_org: 转出 on the roster and the 介绍信 issued together.
    Returns the letter's id."""
    access.require_role(s, *access.ENTRY_ROLES, action="办理党员组织关系转出")
    m = _get_member(s, member_id)
    unit_id = m.resident.unit_id
    p = Problems()
    if m.stage not in MEMBER_STAGES:
        p.add("member", "党员", f"{m.resident.name} 是{m.stage}，还不是党员，不开组织关系介绍信")
    to_org = p.text("to_org", "转往党组织", data.to_org, required=True, max_len=100)
    on = data.on or date.today()
    no, dues = _check_common(p, s, unit_id, "转出", data.letter_no, data.valid_days, data.dues_paid_to)
    note = p.text("note", "备注", data.note, max_len=500)
    p.raise_if_any()
    no = no or _next_letter_no(s, unit_id, on.year)
    with s.begin_nested():  # a refused 转出 leaves neither the ending nor a letter
        end_membership(s, member_id, LeaveInput("转出", on, left_to=to_org, letter_no=no))
        t = TransferLetter(unit_id=unit_id, member_id=m.id, direction="转出", letter_no=no, issued_on=on,
                           from_org=org_full_name(s, m.org_id), to_org=to_org,
                           dues_paid_to=dues or _dues_paid_to(s, m.id), valid_days=data.valid_days, note=note,
                           **_person_values(m, on))
        s.add(t)
        s.flush()
    audit.record(s, unit_id, "create", ENTITY, t.id, f"开具组织关系介绍信第 {no} 号：{t.name} 转往{to_org}",
                 {"changes": audit.diff({}, audit.snapshot(t, _FIELDS))})
    return t.id


def letter_for_member(s: Session, member_id: int) -> int | None:
    """The member's current 转出 letter (not 作废), or None."""
    return s.scalar(select(TransferLetter.id).where(
        TransferLetter.member_id == member_id, TransferLetter.direction == "转出",
        TransferLetter.cancelled_on.is_(None)).order_by(TransferLetter.id.desc()).limit(1))


def is_departed(s: Session, member_id: int) -> bool:
    """The member's relation has been 转出 (the CLI reprints their letter rather than issuing one)."""
    m = _get_member(s, member_id)
    return m.left_kind == "转出" and m.left_on is not None


def letter_of_departed(s: Session, member_id: int) -> int:
    """The letter of a member already 转出: the one on file, else one issued now from the roster's 转出
    record (a 转出 entered before the letters were kept)."""
    access.require_role(s, *access.ENTRY_ROLES, action="开具组织关系介绍信")
    m = _get_member(s, member_id)
    if m.left_kind != "转出" or m.left_on is None:
        raise ServiceError(f"{m.resident.name} 还没有办理转出：请先办理转出（同时开具介绍信）。")
    found = letter_for_member(s, member_id)
    if found is not None:
        return found
    unit_id = m.resident.unit_id
    no = m.left_letter_no or _next_letter_no(s, unit_id, date.today().year)
    if s.scalar(select(TransferLetter.id).where(TransferLetter.unit_id == unit_id, TransferLetter.direction == "转出",
                                                TransferLetter.letter_no == no)):
        no = _next_letter_no(s, unit_id, date.today().year)  # that number went to a letter since 作废
    t = TransferLetter(unit_id=unit_id, member_id=m.id, direction="转出", letter_no=no, issued_on=m.left_on,
                       from_org=org_full_name(s, m.org_id), to_org=m.left_to or "", dues_paid_to=_dues_paid_to(s, m.id),
                       valid_days=DEFAULT_VALID_DAYS, **_person_values(m, m.left_on))
    s.add(t)
    s.flush()
    audit.record(s, unit_id, "create", ENTITY, t.id, f"补开组织关系介绍信第 {no} 号：{t.name} 转往{t.to_org}",
                 {"changes": audit.diff({}, audit.snapshot(t, _FIELDS))})
    return t.id


def find_member_by_id_number(s: Session, unit_id: int, id_number: str) -> int:
    """The roster entry (current or left) of the person with this 身份证号 (the CLI's --member)."""
    rid = find_resident_by_id_number(s, unit_id, id_number.strip().upper())
    member = s.scalar(select(PartyMember.id).where(PartyMember.resident_id == rid).order_by(PartyMember.id.desc())
                      .limit(1)) if rid is not None else None
    if member is None:
        raise NotFound(f"党员名册中没有身份证号为 {id_number} 的人。")
    return member


def record_receipt(s: Session, letter_id: int, on: date | None) -> None:
    """The 回执 of a 转出 letter came back on this day."""
    access.require_role(s, *access.ENTRY_ROLES, action="登记介绍信回执")
    t = _get(s, letter_id)
    p = Problems()
    if t.direction != "转出":
        p.add("letter", "介绍信", "只有转出的介绍信登记回执（转入的请打印回执寄回）")
    elif t.cancelled_on is not None:
        p.add("letter", "介绍信", f"第 {t.letter_no} 号介绍信已作废")
    elif t.receipt_on is not None:
        p.add("receipt_on", "回执日期", f"已于 {t.receipt_on.isoformat()} 登记回执")
    if on is None:
        p.add("receipt_on", "回执日期", "请填写回执日期")
    elif on > date.today():
        p.add("receipt_on", "回执日期", "日期晚于今天")
    elif on < t.issued_on:
        p.add("receipt_on", "回执日期", f"不能早于开具日期（{t.issued_on.isoformat()}）")
    p.raise_if_any()
    t.receipt_on = on
    s.flush()
    audit.record(s, t.unit_id, "update", ENTITY, t.id, f"介绍信第 {t.letter_no} 号（{t.name}）回执已收到",
                 {"changes": {"receipt_on": {"old": None, "new": on.isoformat() if on else None}}})


def cancel_letter(s: Session, letter_id: int, reason: str, reissue: bool = True, to_org: str = "",
                  valid_days: int | None = None) -> int | None:
    """作废 a wrong 转出 letter (kept, with the reason); reissue: a new letter with the next number and the
    corrected 去 / 有效期 (returns its id). The member stays 转出; their 介绍信编号 follows the new letter."""
    access.require_role(s, *access.ENTRY_ROLES, action="作废组织关系介绍信")
    t = _get(s, letter_id)
    p = Problems()
    if t.cancelled_on is not None:
        p.add("letter", "介绍信", f"第 {t.letter_no} 号介绍信已于 {t.cancelled_on.isoformat()} 作废")
    if t.receipt_on is not None and t.direction == "转出":
        p.add("letter", "介绍信", f"第 {t.letter_no} 号介绍信已回执，组织关系已转达，不能作废")
    why = p.text("cancel_reason", "作废原因", reason, required=True, max_len=200)
    new_to = p.text("to_org", "转往党组织", to_org or t.to_org, required=reissue, max_len=100)
    days = t.valid_days if valid_days is None else valid_days
    if reissue and not 1 <= days <= MAX_VALID_DAYS:
        p.add("valid_days", "有效期", f"应为 1 至 {MAX_VALID_DAYS} 天")
    if reissue and t.direction != "转出":
        p.add("letter", "介绍信", "转入的介绍信只作废（登记有误时），不重开")
    p.raise_if_any()
    today = date.today()
    t.cancelled_on, t.cancel_reason = today, why
    s.flush()
    audit.record(s, t.unit_id, "void", ENTITY, t.id, f"作废介绍信第 {t.letter_no} 号（{t.name}）：{why}",
                 {"changes": {"cancelled_on": {"old": None, "new": today.isoformat()}, "cancel_reason": {"old": "", "new": why}}})
    if not reissue:
        return None
    no = _next_letter_no(s, t.unit_id, today.year)
    new = TransferLetter(unit_id=t.unit_id, member_id=t.member_id, direction="转出", letter_no=no, issued_on=today,
                         valid_days=days, note=f"重开（原第 {t.letter_no} 号作废）",
                         **{k: getattr(t, k) for k in ("name", "gender", "age", "ethnicity", "member_status",
                                                       "id_number", "from_org", "dues_paid_to")}, to_org=new_to)
    s.add(new)
    if t.member_id is not None:
        m = s.get(PartyMember, t.member_id)
        if m is not None and m.left_kind == "转出":
            m.left_letter_no, m.left_to = no, new_to
    s.flush()
    audit.record(s, t.unit_id, "create", ENTITY, new.id, f"重开组织关系介绍信第 {no} 号：{new.name} 转往{new_to}",
                 {"changes": audit.diff({}, audit.snapshot(new, _FIELDS)), "replaces": t.id})
    return new.id


# ---------------------------------------------------------------- 转入


def register_arrival(s: Session, unit_id: int, data: MemberInput, letter: InLetter) -> int:
    """An arriving member registered from their letter (the roster's 转入 and the letter kept).
    Returns the letter's id."""
    access.require_role(s, *access.ENTRY_ROLES, action="办理党员转入")
    p = Problems()
    no, dues = _check_common(p, s, unit_id, "转入", letter.letter_no, letter.valid_days, letter.dues_paid_to)
    note = p.text("note", "备注", letter.note, max_len=500)
    issued = letter.issued_on
    if issued is None:
        p.add("issued_on", "开具日期", "请填写介绍信的开具日期")
    elif letter.on is not None and letter.on < issued:
        p.add("issued_on", "开具日期", f"不能晚于转入日期（{letter.on.isoformat()}）")
    if letter.receipt_on is not None and (letter.receipt_on > date.today() or (issued and letter.receipt_on < issued)):
        p.add("receipt_on", "回执日期", "应在开具日期之后、今天之前")
    p.raise_if_any()
    assert issued is not None
    with s.begin_nested():
        member_id = transfer_in(s, unit_id, data, ArrivalInput(letter.from_org, letter.on, no))
        m = _get_member(s, member_id)
        t = TransferLetter(unit_id=unit_id, member_id=member_id, direction="转入", letter_no=no, issued_on=issued,
                           from_org=m.arrived_from or letter.from_org, to_org=org_full_name(s, m.org_id),
                           dues_paid_to=dues, valid_days=letter.valid_days, note=note, receipt_on=letter.receipt_on,
                           **_person_values(m, issued))
        s.add(t)
        s.flush()
    audit.record(s, unit_id, "create", ENTITY, t.id, f"收到组织关系介绍信第 {no} 号：{t.name} 自{t.from_org}转入",
                 {"changes": audit.diff({}, audit.snapshot(t, _FIELDS))})
    return t.id


# ---------------------------------------------------------------- printing


def print_letter(s: Session, letter_id: int, out: Path) -> Path:
    """The 介绍信 (存根, 介绍信, 回执 on one A4 page) with the full 身份证号: entry roles only."""
    from app.io.transfer_letter_pdf import write_letter

    access.require_role(s, *access.ENTRY_ROLES, action="打印组织关系介绍信（含完整身份证号）")
    t = _get(s, letter_id)
    if t.direction != "转出":
        raise ServiceError("转入的介绍信是对方开具的，这里只打印回执。")
    path = write_letter(Path(out), _row(t))
    audit.record(s, t.unit_id, "reprint", ENTITY, t.id, f"打印组织关系介绍信第 {t.letter_no} 号（{t.name}）",
                 {"path": str(path.resolve())})
    return path


def print_receipt(s: Session, letter_id: int, out: Path, on: date | None = None) -> Path:
    """The 回执 of a letter received (转入), sent back to the branch that issued it; its date is recorded."""
    from app.io.transfer_letter_pdf import write_receipt

    access.require_role(s, *access.ENTRY_ROLES, action="打印介绍信回执")
    t = _get(s, letter_id)
    if t.direction != "转入":
        raise ServiceError("回执由接收方寄回：转出的介绍信请在收到回执后“登记回执”。")
    if t.cancelled_on is not None:
        raise ServiceError(f"第 {t.letter_no} 号介绍信的登记已作废。")
    if t.receipt_on is None:
        t.receipt_on = on or date.today()
    path = write_receipt(Path(out), _row(t))
    s.flush()
    audit.record(s, t.unit_id, "reprint", ENTITY, t.id, f"打印介绍信第 {t.letter_no} 号（{t.name}）的回执",
                 {"path": str(path.resolve()), "receipt_on": t.receipt_on.isoformat()})
    return path


__all__ = [
    "DEFAULT_VALID_DAYS", "MAX_VALID_DAYS", "STATES", "InLetter", "LetterRow", "OutInput", "cancel_letter",
    "count_overdue_receipts",
    "find_member_by_id_number", "get_letter", "is_departed", "letter_for_member", "letter_of_departed", "list_letters",
    "org_full_name", "overdue_receipts", "print_letter", "print_receipt", "record_receipt", "register_arrival",
    "transfer_out",
]
