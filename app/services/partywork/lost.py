"""失联党员: a member the branch has lost contact with, the search record and how it ended.

The branch registers the date contact was lost, records each attempt to find the member (date, method,
result, by whom) and closes the case with an outcome. 停止党籍, 除名 and 死亡 take the member off the roster
through org.roster_changes.end_membership (停止党籍, 出党 as 除名, 死亡), so the roster and its ledgers
agree. Per the 党章 and the 中组部 rules on 失联党员, a member who has been out of contact six months or
more and could not be found may have their 党籍 stopped: 停止党籍 is refused before six full months and
without a search on record. Cases six months old without an outcome are a 工作台 line.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from app.models import LostContact, LostContactSearch, PartyMember, Resident
from app.models.partywork import LOST_OUTCOMES

from .. import access, audit
from ..affairs.terms import _months_later
from ..errors import NotFound
from ..org.roster_changes import LeaveInput, end_membership
from ..validation import Problems
from .mobile import _current_member

ENTITY = "lost_contact"
SEARCH_ENTITY = "lost_contact_search"
STOP_MONTHS = 6  # 失去联系六个月以上 … 可以停止其党籍
SEARCH_METHODS = ("走访家属", "电话联系", "微信联系", "函询", "请流入地党组织协查", "其他")
# An outcome that ends the membership, with the end_membership it goes through.
LEAVE_BY_OUTCOME = {"停止党籍": ("停止党籍", ""), "除名": ("出党", "除名"), "死亡": ("死亡", "")}
_FIELDS = ("lost_since", "outcome", "outcome_on", "outcome_note")


@dataclass(frozen=True)
class LostRow:
    id: int
    member_id: int
    name: str
    id_number: str
    phone: str
    lost_since: date
    months: int  # full months out of contact by `on` (or by the outcome)
    outcome: str | None
    outcome_on: date | None
    outcome_note: str
    searches: int
    last_search: str  # 2026-05-02 走访家属：……

    @property
    def due(self) -> bool:
        """Six months or more without an outcome: the branch has to decide."""
        return self.outcome is None and self.months >= STOP_MONTHS

    @property
    def state(self) -> str:
        if self.outcome is not None:
            return f"{self.outcome}（{self.outcome_on.isoformat() if self.outcome_on else ''}）"
        return f"失联 {self.months} 个月" + ("，可讨论停止党籍" if self.due else "")


@dataclass(frozen=True)
class SearchRow:
    id: int
    searched_on: date
    method: str
    result: str
    by: str


def months_lost(since: date, on: date) -> int:
    """Full months from `since` to `on`: 2026-01-31 → 2026-07-30 is 5, → 2026-07-31 is 6 (31 Aug + 6 → end of Feb)."""
    months = (on.year - since.year) * 12 + on.month - since.month
    while months > 0 and _months_later(since, months) > on:
        months -= 1
    return max(months, 0)


def due_condition(unit_id: int, on: date) -> ColumnElement[bool]:
    """Open cases lost six months or more by `on` (the 工作台 line and the tab's filter share it)."""
    latest = _months_back(on, STOP_MONTHS)
    return and_(LostContact.unit_id == unit_id, LostContact.outcome.is_(None), LostContact.lost_since <= latest)


def _months_back(on: date, months: int) -> date:
    """The latest `since` with months_lost(since, on) >= months (31 Aug counts by 28 Feb)."""
    y, m = divmod(on.month - 1 - months, 12)
    year, month = on.year + y, m + 1
    back = date(year, month, min(on.day, monthrange(year, month)[1]))
    while _months_later(back + timedelta(days=1), months) <= on:
        back += timedelta(days=1)
    return back


def count_lost_due(s: Session, unit_id: int, on: date | None = None) -> int:
    """失联 six months or more with no outcome (the 工作台 line)."""
    return s.scalar(select(func.count(LostContact.id)).where(due_condition(unit_id, on or date.today()))) or 0


def _get(s: Session, lost_id: int) -> LostContact:
    row = s.get(LostContact, lost_id)
    if row is None:
        raise NotFound("找不到该失联党员记录")
    return row


def _name(s: Session, row: LostContact) -> str:
    m = s.get(PartyMember, row.member_id)
    return m.resident.name if m is not None else ""


def register_lost(s: Session, unit_id: int, member_id: int | None, lost_since: date | None) -> int:
    """登记失联: a member on the roster the branch cannot reach since a date."""
    access.require_role(s, *access.ENTRY_ROLES, action="登记失联党员")
    p = Problems()
    m = _current_member(s, unit_id, member_id, p, "member_id", "姓名")
    if lost_since is None:
        p.add("lost_since", "失联时间", "请填写失去联系的日期")
    elif lost_since > date.today():
        p.add("lost_since", "失联时间", "日期晚于今天")
    if m is not None:
        open_ = s.scalar(select(LostContact).where(LostContact.member_id == m.id, LostContact.outcome.is_(None)))
        if open_ is not None:
            p.add("member_id", "姓名", f"{m.resident.name} 已登记为失联党员（{open_.lost_since.isoformat()} 起）")
    p.raise_if_any()
    assert m is not None and lost_since is not None
    row = LostContact(unit_id=unit_id, member_id=m.id, lost_since=lost_since)
    s.add(row)
    s.flush()
    audit.record(s, unit_id, "create", ENTITY, row.id, f"{m.resident.name} 失联（{lost_since.isoformat()} 起）",
                 {"changes": audit.diff({}, audit.snapshot(row, _FIELDS))})
    return row.id


def correct_lost(s: Session, lost_id: int, lost_since: date | None) -> None:
    """修改: correct the date contact was lost (searches must not come before it)."""
    access.require_role(s, *access.ENTRY_ROLES, action="修改失联党员记录")
    row = _get(s, lost_id)
    p = Problems()
    first = min((x.searched_on for x in row.searches), default=None)
    if lost_since is None:
        p.add("lost_since", "失联时间", "请填写失去联系的日期")
    elif lost_since > date.today():
        p.add("lost_since", "失联时间", "日期晚于今天")
    elif first is not None and lost_since > first:
        p.add("lost_since", "失联时间", f"不能晚于第一次查找的日期（{first.isoformat()}）")
    elif row.outcome_on is not None and lost_since > row.outcome_on:
        p.add("lost_since", "失联时间", f"不能晚于结束日期（{row.outcome_on.isoformat()}）")
    p.raise_if_any()
    before = audit.snapshot(row, _FIELDS)
    row.lost_since = lost_since  # type: ignore[assignment]
    s.flush()
    audit.record_change(s, row.unit_id, ENTITY, row.id, f"修改失联时间：{_name(s, row)}", before,
                        audit.snapshot(row, _FIELDS))


def add_search(s: Session, lost_id: int, searched_on: date | None, method: str, result: str = "",
               by: str = "") -> int:
    """记录查找: one attempt to find a 失联党员 and what it gave."""
    access.require_role(s, *access.ENTRY_ROLES, action="记录查找失联党员")
    row = _get(s, lost_id)
    p = Problems()
    if row.outcome is not None:
        p.add("searched_on", "查找日期", f"该记录已于 {row.outcome_on.isoformat() if row.outcome_on else ''} 结束（{row.outcome}）")
    if searched_on is None:
        p.add("searched_on", "查找日期", "请填写查找日期")
    elif searched_on > date.today():
        p.add("searched_on", "查找日期", "日期晚于今天")
    elif searched_on < row.lost_since:
        p.add("searched_on", "查找日期", f"不能早于失联时间（{row.lost_since.isoformat()}）")
    method = p.text("method", "查找方式", method, required=True, max_len=40)
    result = p.text("result", "查找结果", result, required=True, max_len=500)
    by = p.text("by", "查找人", by, max_len=40)
    p.raise_if_any()
    assert searched_on is not None
    search = LostContactSearch(lost_id=row.id, searched_on=searched_on, method=method, result=result, by=by)
    s.add(search)
    s.flush()
    audit.record(s, row.unit_id, "create", SEARCH_ENTITY, search.id,
                 f"查找失联党员 {_name(s, row)}：{searched_on.isoformat()} {method}",
                 {"changes": audit.diff({}, audit.snapshot(search, ("searched_on", "method", "result", "by")))})
    return search.id


def close_lost(s: Session, lost_id: int, outcome: str | None, on: date | None, note: str = "",
               resident_died: bool = False) -> None:
    """结束失联: 恢复联系 / 其他 close the case; 停止党籍 / 除名 / 死亡 also end the membership that day."""
    access.require_role(s, *access.ENTRY_ROLES, action="结束失联党员记录")
    row = _get(s, lost_id)
    p = Problems()
    outcome = p.choice("outcome", "处理结果", outcome, LOST_OUTCOMES, required=True) or None
    note = p.text("outcome_note", "说明", note, required=outcome in LEAVE_BY_OUTCOME or outcome == "其他",
                  max_len=500)
    if row.outcome is not None:
        p.add("outcome", "处理结果", f"该记录已于 {row.outcome_on.isoformat() if row.outcome_on else ''} 结束（{row.outcome}）")
    if on is None:
        p.add("outcome_on", "日期", "请填写日期")
    elif on > date.today():
        p.add("outcome_on", "日期", "日期晚于今天")
    elif on < row.lost_since:
        p.add("outcome_on", "日期", f"不能早于失联时间（{row.lost_since.isoformat()}）")
    if outcome == "停止党籍" and on is not None and not p.has("outcome_on"):
        months = months_lost(row.lost_since, on)
        if months < STOP_MONTHS:
            p.add("outcome", "处理结果", f"失去联系六个月以上才可停止党籍：到 {on.isoformat()} 失联 {months} 个月"
                                    f"（{_months_later(row.lost_since, STOP_MONTHS).isoformat()} 起满六个月）")
        elif not row.searches:
            p.add("outcome", "处理结果", "停止党籍前应多方查找，请先记录查找情况")
    p.raise_if_any()
    assert on is not None and outcome is not None
    name = _name(s, row)
    if outcome in LEAVE_BY_OUTCOME:
        kind, mode = LEAVE_BY_OUTCOME[outcome]
        # the roster's checks (date after 入党, not left already …) speak for themselves
        end_membership(s, row.member_id, LeaveInput(kind=kind, on=on, reason=note, exit_mode=mode,
                                                    resident_died=resident_died))
    before = audit.snapshot(row, _FIELDS)
    row.outcome, row.outcome_on, row.outcome_note = outcome, on, note
    s.flush()
    audit.record(s, row.unit_id, "close", ENTITY, row.id, f"{name} 失联结束：{outcome}（{on.isoformat()}）",
                 {"changes": audit.diff(before, audit.snapshot(row, _FIELDS))})


def list_lost(s: Session, unit_id: int, include_closed: bool = True, due_only: bool = False,
              on: date | None = None) -> list[LostRow]:
    """失联 cases, open ones first (longest lost first), then closed ones (newest first)."""
    on = on or date.today()
    stmt = (select(LostContact, Resident.name, Resident.id_number, Resident.phone)
            .join(PartyMember, PartyMember.id == LostContact.member_id)
            .join(Resident, Resident.id == PartyMember.resident_id)
            .where(LostContact.unit_id == unit_id))
    if due_only:
        stmt = stmt.where(due_condition(unit_id, on))
    elif not include_closed:
        stmt = stmt.where(LostContact.outcome.is_(None))
    stmt = stmt.order_by(LostContact.outcome.is_not(None), LostContact.outcome_on.desc(), LostContact.lost_since,
                         LostContact.id)
    out = []
    for r, name, id_number, phone in s.execute(stmt):
        last = r.searches[-1] if r.searches else None
        out.append(LostRow(
            r.id, r.member_id, name, id_number or "", phone or "", r.lost_since,
            months_lost(r.lost_since, r.outcome_on or on), r.outcome, r.outcome_on, r.outcome_note, len(r.searches),
            f"{last.searched_on.isoformat()} {last.method}：{last.result}" if last is not None else "",
        ))
    return out


def list_searches(s: Session, lost_id: int) -> list[SearchRow]:
    """The search record of one case, oldest first."""
    row = _get(s, lost_id)
    return [SearchRow(x.id, x.searched_on, x.method, x.result, x.by) for x in row.searches]


__all__ = ["LOST_OUTCOMES", "SEARCH_METHODS", "STOP_MONTHS", "LostRow", "SearchRow", "add_search", "close_lost",
           "correct_lost", "count_lost_due", "list_lost", "list_searches", "months_lost", "register_lost"]
