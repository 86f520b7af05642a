"""工单 (群众点单 → 社区派单 → 党员/志愿者接单 → 答复 → 回访): intake and the state machine.

States and transitions follow DESIGN §3:

    received ─派单→ assigned ─接单→ accepted ─答复→ replied ─回访→ closed
    received ─现场解决→ closed                accepted ─上报→ escalated ─答复→ replied
    any open state ─撤销(reason)→ cancelled   closed ─重新办理(reason)→ accepted

Every transition appends one TicketEvent (time, operator, note); events are never changed. A 回访 rated
不满意 sends the ticket back to 已接单 unless the village switched that off (setting REOPEN_KEY; that switch,
the categories with their time limits and the 代办清单 are in ticket_settings). When a
党员代办 ticket closes, each member handling it gets the 代办 points through points.award_for_ticket;
reopening voids them again (points.revoke_for_ticket).

Numbers are `<year>-<seq>`; the last sequence of each year is kept in a Setting too, so a number freed by
undoing an import is never given out again. Lists, rates and ledgers live in ticket_queries,
ticket_stats and ticket_ledgers.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from app.models import (
    Household,
    PartyMember,
    Resident,
    ServiceItem,
    Ticket,
    TicketAssignee,
    TicketCategory,
    TicketEvent,
)
from app.models.tickets import (
    ASSIGNEE_ROLES,
    CHANNELS,
    MODES,
    PRIORITIES,
    SATISFACTION,
    STATE_LABELS,
)

from .. import access, audit
from ..errors import NotFound, ServiceError
from ..settings import get_setting
from ..validation import Problems
from .catalog import (
    DEFAULT_DUE_HOURS,
    DEFAULT_SERVICE_ITEMS,
    DEFAULT_TICKET_CATEGORIES,
    REOPEN_KEY,
    CategoryInfo,
    ServiceItemInfo,
    add_service_item,
    due_text,
    ensure_defaults,
    list_categories,
    list_service_items,
    reopen_on_unsatisfied,
    save_category,
    set_reopen_on_unsatisfied,
)
from .numbers import format_ticket_number, parse_ticket_number

# The settings (categories, 代办清单, the 不满意 switch) live in ticket_settings; these names stay importable here.
__all__ = ["ASSIGNEE_ROLES", "CHANNELS", "MODES", "PRIORITIES", "SATISFACTION", "STATE_LABELS",
           "DEFAULT_DUE_HOURS", "DEFAULT_SERVICE_ITEMS", "DEFAULT_TICKET_CATEGORIES", "REOPEN_KEY", "CategoryInfo", "ServiceItemInfo", "add_service_item", "due_text",
           "ensure_defaults", "list_categories", "list_service_items", "reopen_on_unsatisfied", "save_category",
           "set_reopen_on_unsatisfied"]

log = logging.getLogger(__name__)

SEQ_KEY = "tickets.last_seq:{}"
OPEN_STATES = ("received", "assigned", "accepted", "escalated", "replied")
DONE_STATES = ("closed", "cancelled")
SATISFIED = ("满意", "基本满意")

# action → (states it may start from, the Chinese verb). Which state it leads to is decided by the action.
ACTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "assign": (("received",), "派单"),
    "reassign": (("assigned", "accepted"), "改派"),
    "accept": (("assigned",), "接单"),
    "escalate": (("accepted",), "上报"),
    "reply": (("accepted", "escalated"), "答复"),
    "solve": (("received",), "现场解决"),
    "visit": (("replied", "closed"), "回访"),
    "cancel": (OPEN_STATES, "撤销"),
    "reopen": (("closed",), "重新办理"),
}


# ================================================================ intake


@dataclass
class TicketInput:
    """What the clerk types while on the phone. requester_id: a resident; else requester_name is free text."""

    category_id: int | None = None
    content: str = ""
    channel: str = "热线电话"
    requester_id: int | None = None
    requester_name: str = ""
    requester_phone: str = ""
    service_item_id: int | None = None  # a 党员代办 matter from the 代办清单
    priority: str = "普通"
    received_at: datetime | None = None  # None: now
    due_at: datetime | None = None  # None: received + the category's time limit
    grid_id: int | None = None  # None: the requester's household's grid
    on_spot_reply: str = ""  # 现场解决: closed at once with this answer (same transaction)
    solved_on_spot: bool = False  # the form's 「现场已解决」: then on_spot_reply is required
    # 现场解决 with the resident present: the 回访 is taken there too (same transaction); "" = 回访 later
    visit_satisfaction: str = ""
    visited_by: str = ""
    visit_comment: str = ""


@dataclass(frozen=True)
class Created:
    id: int
    number: str
    event_ids: tuple[int, ...] = field(default_factory=tuple)


def now() -> datetime:
    """Ticket times are the office's local wall-clock time, as the clerk reads them off the wall."""
    return datetime.now().replace(microsecond=0)


def _next_seq(s: Session, unit_id: int, year: int) -> int:
    key = SEQ_KEY.format(year)
    kept = get_setting(s, unit_id, key, 0)
    used = s.scalar(select(func.max(Ticket.seq)).where(Ticket.unit_id == unit_id, Ticket.year == year)) or 0
    return max(int(kept) if isinstance(kept, int) else 0, used) + 1


def _keep_seq(s: Session, unit_id: int, year: int, seq: int) -> None:
    key = SEQ_KEY.format(year)
    kept = get_setting(s, unit_id, key, 0)
    if not isinstance(kept, int) or seq > kept:
        # not through set_setting: a counter bump is no user's setting change and needs no 操作日志 line
        from app.models import Setting

        row = s.scalar(select(Setting).where(Setting.unit_id == unit_id, Setting.key == key))
        if row is None:
            s.add(Setting(unit_id=unit_id, key=key, value=seq))
        else:
            row.value = seq


def _check_input(s: Session, unit_id: int, data: TicketInput, at: datetime,
                 importing: bool = False) -> tuple[TicketCategory | None, Problems]:
    p = Problems()
    p.choice("channel", "受理渠道", data.channel, CHANNELS, required=True)
    p.choice("priority", "紧急程度", data.priority, PRIORITIES, required=True)
    cat = s.get(TicketCategory, data.category_id) if data.category_id is not None else None
    if cat is None or cat.unit_id != unit_id:
        p.add("category_id", "诉求类别", "请选择诉求类别")
        cat = None
    elif not cat.active and not importing:
        p.add("category_id", "诉求类别", f"诉求类别“{cat.name}”已停用，请选择其他类别")
    data.content = p.text("content", "诉求内容", data.content, required=True, max_len=2000)
    data.requester_name = p.text("requester_name", "诉求人", data.requester_name, max_len=40)
    data.requester_phone = p.phone("requester_phone", "联系电话", data.requester_phone)
    if data.requester_id is not None:
        r = s.get(Resident, data.requester_id)
        if r is None or r.unit_id != unit_id:
            p.add("requester_name", "诉求人", "找不到该居民")
    elif not data.requester_name and not importing:
        p.add("requester_name", "诉求人", "请填写诉求人姓名，或从居民中选择（匿名可填“匿名”）")
    if data.service_item_id is not None:
        item = s.get(ServiceItem, data.service_item_id)
        if item is None or item.unit_id != unit_id:
            p.add("service_item_id", "代办事项", "找不到该代办事项")
        elif not item.active and not importing:
            p.add("service_item_id", "代办事项", f"代办事项“{item.name}”已停用，请选择其他事项")
    if data.received_at is not None and data.received_at > at + timedelta(minutes=5):
        p.add("received_at", "受理时间", "受理时间晚于现在")
    if data.due_at is not None and data.due_at <= (data.received_at or at):
        p.add("due_at", "办理期限", "办理期限应晚于受理时间")
    data.on_spot_reply = p.text("on_spot_reply", "现场答复", data.on_spot_reply, max_len=2000)
    if data.solved_on_spot and not data.on_spot_reply:
        p.add("on_spot_reply", "现场答复", "现场已解决的，请写明怎样解决的")
    if data.visit_satisfaction or data.visited_by or data.visit_comment:
        if not data.on_spot_reply:  # only a ticket closed here and now is visited here and now
            p.add("visit_satisfaction", "满意度", "只有现场已解决的诉求才能当场回访")
        data.visit_satisfaction, data.visited_by, data.visit_comment = _check_visit(
            p, data.visit_satisfaction, data.visited_by, data.visit_comment)
    return cat, p


def create_ticket(s: Session, unit_id: int, data: TicketInput, *, number: str | None = None,
                  import_batch_id: int | None = None) -> Created:
    """受理 a ticket: number, due time from the category, household/grid from the requester; one event.

    number: a historical number `YYYY-NNNN` (imports); refused when taken. With on_spot_reply the ticket is
    closed at once as 现场解决.
    """
    at = now()
    cat, p = _check_input(s, unit_id, data, at, importing=import_batch_id is not None)
    year = seq = None
    if number is not None:
        try:
            year, seq = parse_ticket_number(number)
        except ServiceError as exc:
            p.add("number", "工单编号", str(exc))
        else:
            number = format_ticket_number(year, seq)
            if s.scalar(select(Ticket.id).where(Ticket.unit_id == unit_id, Ticket.number == number)) is not None:
                p.add("number", "工单编号", f"工单编号 {number} 已经用过")
    p.raise_if_any()
    assert cat is not None
    received = (data.received_at or at).replace(microsecond=0)
    household_id = grid_id = None
    name, phone = data.requester_name, data.requester_phone
    if data.requester_id is not None:
        r = s.get(Resident, data.requester_id)
        assert r is not None
        name, phone = r.name, phone or r.phone
        household_id = r.household_id
        if household_id is not None:
            grid_id = s.scalar(select(Household.grid_id).where(Household.id == household_id))
    grid_id = data.grid_id if data.grid_id is not None else grid_id
    access.check_grid(s, grid_id, "受理")  # grid staff take tickets of their own grids only
    if year is None or seq is None:
        year = received.year
        seq = _next_seq(s, unit_id, year)
        number = f"{year}-{seq:04d}"
    assert number is not None
    _keep_seq(s, unit_id, year, seq)
    t = Ticket(
        unit_id=unit_id, year=year, seq=seq, number=number, channel=data.channel, category_id=cat.id,
        service_item_id=data.service_item_id, requester_id=data.requester_id, requester_name=name,
        requester_phone=phone, household_id=household_id, grid_id=grid_id, content=data.content,
        received_at=received, due_at=data.due_at or received + timedelta(hours=cat.due_hours),
        priority=data.priority, state="received", import_batch_id=import_batch_id,
        mode="党员代办" if data.service_item_id is not None else None,
    )
    s.add(t)
    s.flush()
    events = [_event(s, t, "received", None, "received", received, f"{data.channel}受理")]
    audit.record(s, unit_id, "create", "ticket", t.id, f"受理工单 {number}：{cat.name}（{name}）")
    if data.on_spot_reply:
        events.append(_solve(s, t, data.on_spot_reply, received))
        if data.visit_satisfaction:
            events.append(_record_visit(s, t, data.visit_satisfaction, data.visited_by, data.visit_comment, received))
    return Created(t.id, number, tuple(e.id for e in events))


def record_imported_state(s: Session, ticket_id: int, state: str, at: datetime | None, mode: str | None = None,
                          reply: str = "", satisfaction: str | None = None) -> int | None:
    """An imported (paper-era) ticket arrives already handled: set its state as the sheet says, in one event.

    The steps in between were never recorded, so no transition is replayed (and no points are given).
    Returns the event id, or None when the sheet says 已受理.
    """
    t = s.get(Ticket, ticket_id)
    if t is None:
        raise NotFound("找不到该工单")
    if state == "received":
        return None
    when = max(at or t.received_at, t.received_at)
    t.state, t.mode = state, mode or t.mode
    t.reply = reply
    t.replied_at = when if reply else None
    t.satisfaction = satisfaction
    t.closed_at = when if state == "closed" else None
    return _event(s, t, state, "received", state, when, "导入时的办理状态").id


# ================================================================ transitions


@dataclass
class AssigneeInput:
    """Who takes the ticket: a member (member_id), a resident volunteer (resident_id), or just a name."""

    name: str = ""
    role: str = "党员"
    member_id: int | None = None
    resident_id: int | None = None


def _get(s: Session, ticket_id: int) -> Ticket:
    t = s.get(Ticket, ticket_id)
    if t is None:
        raise NotFound("找不到该工单")
    scope = access.grid_scope(s)
    if scope is not None and t.grid_id not in scope:
        raise access.PermissionDenied("网格员只能办理本人负责网格内的工单。")
    return t


def legal_actions(state: str, satisfaction: str | None = None) -> list[str]:
    """The actions a ticket in this state allows (回访 on a closed ticket only while it is unrated)."""
    out = [a for a, (starts, _v) in ACTIONS.items() if state in starts]
    if state == "closed" and satisfaction is not None:
        out.remove("visit")
    return out


def _check_action(t: Ticket, action: str) -> None:
    if action in legal_actions(t.state, t.satisfaction):
        return
    verb = ACTIONS[action][1]
    allowed = "、".join(ACTIONS[a][1] for a in legal_actions(t.state, t.satisfaction)) or "无"
    extra = "（已回访过）" if action == "visit" and t.state == "closed" else ""
    raise ServiceError(f"工单 {t.number} 当前状态为“{STATE_LABELS[t.state]}”{extra}，不能{verb}。可以进行的操作：{allowed}。")


def _event(s: Session, t: Ticket, kind: str, from_state: str | None, to_state: str | None, at: datetime,
           note: str = "") -> TicketEvent:
    e = TicketEvent(ticket_id=t.id, at=at, kind=kind, from_state=from_state, to_state=to_state,
                    operator_id=audit.current_operator_id.get(), note=note)
    s.add(e)
    s.flush()
    return e


def _when(t: Ticket, at: datetime | None) -> datetime:
    """The time of a step: given (demo, back-entry) or now; never before the ticket was received."""
    when = (at or now()).replace(microsecond=0)
    if when < t.received_at:
        raise ServiceError(f"办理时间（{when:%Y-%m-%d %H:%M}）不能早于受理时间（{t.received_at:%Y-%m-%d %H:%M}）")
    return when


def _move(s: Session, t: Ticket, action: str, to_state: str, at: datetime, note: str, kind: str | None = None) -> TicketEvent:
    from_state = t.state
    t.state = to_state
    e = _event(s, t, kind or to_state, from_state, to_state, at, note)
    audit.record(s, t.unit_id, action, "ticket", t.id,
                 f"工单 {t.number}：{ACTIONS[action][1]}（{STATE_LABELS[from_state]}→{STATE_LABELS[to_state]}）"
                 + (f"，{note}" if note else ""))
    return e


def _assignees(s: Session, t: Ticket, people: Sequence[AssigneeInput], at: datetime) -> list[str]:
    p = Problems()
    if not people:
        p.add("assignees", "接单人", "请至少选择一位接单人")
    rows: list[TicketAssignee] = []
    for person in people:
        name = person.name.strip()
        if person.member_id is not None:
            m = s.get(PartyMember, person.member_id)
            if m is None:
                p.add("assignees", "接单人", "找不到该党员")
                continue
            resident = s.get(Resident, m.resident_id)
            name = name or (resident.name if resident else "")
            person.resident_id = person.resident_id or m.resident_id
        elif person.resident_id is not None and not name:
            resident = s.get(Resident, person.resident_id)
            name = resident.name if resident else ""
        if not name:
            p.add("assignees", "接单人", "请填写接单人姓名")
            continue
        if len(name) > 40:
            p.add("assignees", "接单人", f"姓名最多40个字，现在是{len(name)}个")
        if person.role not in ASSIGNEE_ROLES:
            p.add("assignees", "接单人", f"“{person.role}”不是可选身份（可选：{'、'.join(ASSIGNEE_ROLES)}）")
        rows.append(TicketAssignee(ticket_id=t.id, member_id=person.member_id, resident_id=person.resident_id,
                                   name=name, role=person.role, assigned_at=at))
    p.raise_if_any()
    for old in s.scalars(select(TicketAssignee).where(TicketAssignee.ticket_id == t.id,
                                                      TicketAssignee.released_at.is_(None))):
        old.released_at = at  # the history of who held it stays
    s.add_all(rows)
    s.flush()
    return [f"{r.name}（{r.role}）" for r in rows]


def assign(s: Session, ticket_id: int, people: Sequence[AssigneeInput], note: str = "",
           at: datetime | None = None) -> None:
    """派单 (received → assigned) or 改派 (assigned/accepted → assigned, the previous handlers released)."""
    t = _get(s, ticket_id)
    action = "reassign" if t.state in ACTIONS["reassign"][0] else "assign"
    _check_action(t, action)
    when = _when(t, at)
    names = _assignees(s, t, people, when)
    text = "派给 " + "、".join(names) + (f"；{note.strip()}" if note.strip() else "")
    _move(s, t, action, "assigned", when, text, kind="reassigned" if action == "reassign" else None)


def accept(s: Session, ticket_id: int, note: str = "", at: datetime | None = None) -> None:
    """接单 (assigned → accepted)."""
    t = _get(s, ticket_id)
    _check_action(t, "accept")
    _move(s, t, "accept", "accepted", _when(t, at), note.strip())


def escalate(s: Session, ticket_id: int, to: str, note: str = "", at: datetime | None = None) -> None:
    """上报 to the township (accepted → escalated): a matter the village cannot settle itself."""
    t = _get(s, ticket_id)
    _check_action(t, "escalate")
    p = Problems()
    to = p.text("escalated_to", "上报单位", to, required=True, max_len=60)
    p.raise_if_any()
    when = _when(t, at)
    t.escalated_to, t.escalated_at = to, when
    _move(s, t, "escalate", "escalated", when, f"上报 {to}" + (f"：{note.strip()}" if note.strip() else ""))


def reply(s: Session, ticket_id: int, text: str, mode: str | None = None, escalation_answer: str = "",
          at: datetime | None = None) -> None:
    """答复 the requester (accepted/escalated → replied): what was done, and how (办理方式)."""
    t = _get(s, ticket_id)
    _check_action(t, "reply")
    p = Problems()
    text = p.text("reply", "答复内容", text, required=True, max_len=2000)
    default_mode = "上报办理" if t.state == "escalated" else (t.mode or "派单办理")
    mode = p.choice("mode", "办理方式", mode or default_mode, MODES)
    answer = p.text("escalation_answer", "上级答复", escalation_answer, max_len=2000)
    p.raise_if_any()
    when = _when(t, at)
    t.reply, t.replied_at, t.mode = text, when, mode
    if answer:
        t.escalation_answer = answer
    _move(s, t, "reply", "replied", when, text)


def _solve(s: Session, t: Ticket, text: str, when: datetime) -> TicketEvent:
    t.reply, t.replied_at, t.closed_at, t.mode = text, when, when, "现场解决"
    e = _move(s, t, "solve", "closed", when, text)
    _award(s, t, when)
    return e


def solve_on_spot(s: Session, ticket_id: int, text: str, at: datetime | None = None) -> None:
    """现场解决: a simple matter answered there and then (received → closed); 回访 may follow."""
    t = _get(s, ticket_id)
    _check_action(t, "solve")
    p = Problems()
    text = p.text("reply", "答复内容", text, required=True, max_len=2000)
    p.raise_if_any()
    _solve(s, t, text, _when(t, at))


def visit(s: Session, ticket_id: int, satisfaction: str, by: str, comment: str = "",
          at: datetime | None = None) -> str:
    """回访 with a rating. replied → closed; 不满意 → back to 已接单 when the village reopens such tickets.

    A ticket closed 现场解决 can be visited once too. Returns the state the ticket is in afterwards.
    """
    t = _get(s, ticket_id)
    _check_action(t, "visit")
    p = Problems()
    satisfaction, by, comment = _check_visit(p, satisfaction, by, comment, "satisfaction")
    p.raise_if_any()
    _record_visit(s, t, satisfaction, by, comment, _when(t, at))
    return t.state


def _check_visit(p: Problems, satisfaction: str, by: str, comment: str,
                 rating_field: str = "visit_satisfaction") -> tuple[str, str, str]:
    """The 回访 fields, checked alike on the 回访 form and on the 现场解决 intake form."""
    satisfaction = p.choice(rating_field, "满意度", satisfaction, SATISFACTION, required=True)
    by = p.text("visited_by", "回访人", by, required=True, max_len=40)
    comment = p.text("visit_comment", "回访意见", comment, max_len=2000)
    return satisfaction, by, comment


def _record_visit(s: Session, t: Ticket, satisfaction: str, by: str, comment: str, when: datetime) -> TicketEvent:
    t.visited_at, t.visited_by, t.satisfaction, t.visit_comment = when, by, satisfaction, comment
    note = f"{by}回访：{satisfaction}" + (f"，{comment}" if comment else "")
    reopen = satisfaction == "不满意" and reopen_on_unsatisfied(s, t.unit_id)
    if reopen:
        was_closed = t.state == "closed"
        t.closed_at = None
        e = _move(s, t, "visit", "accepted", when, note + "；群众不满意，重新办理", kind="visit")
        if was_closed:
            _revoke(s, t, "回访不满意，重新办理")
    elif t.state == "replied":
        t.closed_at = when
        e = _move(s, t, "visit", "closed", when, note, kind="visit")
        _award(s, t, when)
    else:  # already closed (现场解决): the rating is recorded, the state stays
        e = _event(s, t, "visit", "closed", "closed", when, note)
        audit.record(s, t.unit_id, "visit", "ticket", t.id, f"工单 {t.number}：回访（{satisfaction}）")
    return e


def cancel(s: Session, ticket_id: int, reason: str, at: datetime | None = None) -> None:
    """撤销 with a reason (a duplicate, withdrawn by the requester …); the ticket stays on record."""
    access.require_role(s, *access.ENTRY_ROLES, action="撤销工单")
    t = _get(s, ticket_id)
    _check_action(t, "cancel")
    p = Problems()
    reason = p.text("cancel_reason", "撤销原因", reason, required=True, max_len=500)
    p.raise_if_any()
    t.cancel_reason = reason
    _move(s, t, "cancel", "cancelled", _when(t, at), reason)


def reopen(s: Session, ticket_id: int, reason: str, at: datetime | None = None) -> None:
    """重新办理 a closed ticket (closed → accepted); 代办 points given at closing are voided."""
    access.require_role(s, *access.ENTRY_ROLES, action="重新办理已办结的工单")
    t = _get(s, ticket_id)
    _check_action(t, "reopen")
    p = Problems()
    reason = p.text("reason", "重新办理原因", reason, required=True, max_len=500)
    p.raise_if_any()
    t.closed_at = None
    _move(s, t, "reopen", "accepted", _when(t, at), reason, kind="accepted")
    _revoke(s, t, f"工单重新办理：{reason}")


def add_note(s: Session, ticket_id: int, note: str, at: datetime | None = None) -> None:
    """A line in the 办理记录 (a call made, a visit done) without changing the state."""
    t = _get(s, ticket_id)
    p = Problems()
    note = p.text("note", "办理记录", note, required=True, max_len=2000)
    p.raise_if_any()
    _event(s, t, "note", t.state, t.state, _when(t, at), note)


def set_due(s: Session, ticket_id: int, due_at: datetime, reason: str) -> None:
    """Change a ticket's 办理期限 (the category's default does not fit this case); recorded with a reason."""
    access.require_role(s, *access.ENTRY_ROLES, action="调整工单办理期限")
    t = _get(s, ticket_id)
    p = Problems()
    if t.state in DONE_STATES:
        p.add("due_at", "办理期限", f"工单已{STATE_LABELS[t.state]}，不能再改期限")
    elif due_at <= t.received_at:
        p.add("due_at", "办理期限", "办理期限应晚于受理时间")
    reason = p.text("reason", "调整原因", reason, required=True, max_len=500)
    p.raise_if_any()
    before = audit.snapshot(t, ("due_at",))
    t.due_at = due_at.replace(microsecond=0)
    _event(s, t, "note", t.state, t.state, now(), f"办理期限改为 {t.due_at:%Y-%m-%d %H:%M}：{reason}")
    audit.record_change(s, t.unit_id, "ticket", t.id, f"工单 {t.number}：调整办理期限", before,
                        audit.snapshot(t, ("due_at",)))


# ================================================================ 代办 points


def is_daiban(t: Ticket) -> bool:
    return t.service_item_id is not None or t.mode == "党员代办"


def _award(s: Session, t: Ticket, when: datetime) -> None:
    """Closing a 代办 ticket: each member handling it gets the 代办 points (the points rules decide how many)."""
    if not is_daiban(t):
        return
    from ..points import member_points as points

    members = s.scalars(select(TicketAssignee.member_id).where(
        TicketAssignee.ticket_id == t.id, TicketAssignee.released_at.is_(None), TicketAssignee.member_id.isnot(None)))
    for member_id in members:
        points.award_for_ticket(s, member_id, t.number, when.date())


def _revoke(s: Session, t: Ticket, reason: str) -> None:
    from ..points import member_points as points

    try:
        voided = points.revoke_for_ticket(s, t.number, reason)
    except ServiceError as exc:  # e.g. the year's points are published and frozen: say so on the ticket
        log.info("ticket %s reopened, points kept: %s", t.number, exc)
        _event(s, t, "note", t.state, t.state, now(), f"代办积分未作废：{exc}")
        return
    if voided:
        _event(s, t, "note", t.state, t.state, now(), f"已作废代办积分 {voided} 条")


# ================================================================ the event log is append-only


@event.listens_for(TicketEvent, "before_update")
@event.listens_for(TicketEvent, "before_delete")
def _refuse_rewrite(_mapper: object, _conn: object, _target: TicketEvent) -> None:
    raise ServiceError("工单办理记录只能追加，不能修改或删除。")
