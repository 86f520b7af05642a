"""Row handler for 工单 rows, through the tickets service."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import select

from app.models import Ticket, TicketCategory
from app.models.tickets import CHANNELS, MODES, SATISFACTION, STATE_LABELS

from ..errors import ServiceError
from ..tickets import workflow as tickets
from ..tickets.numbers import format_ticket_number, parse_ticket_number
from ..validation import Problems
from .cells import sheet_date, text
from .names import _known_name, _unknown, resolve_grid
from .state import Outcome, RunState, Values

# ---------------------------------------------------------------- 工单 (through the tickets service)


_STATE_WORDS = {**{v: k for k, v in STATE_LABELS.items()}, "办结": "closed", "已完成": "closed", "完成": "closed",
                "已处理": "closed", "处理中": "accepted", "办理中": "accepted", "未办结": "accepted",
                "受理": "received", "撤销": "cancelled", "上报": "escalated"}


def _when(p: Problems, values: Values, key: str, label: str) -> datetime | None:
    raw = values.get(key)
    if isinstance(raw, datetime):
        return raw
    d = sheet_date(p, values, key, label)
    return datetime.combine(d, time(0, 0)) if d else None


def _ticket_category(state: RunState, p: Problems, name: str) -> TicketCategory | None:
    name = _known_name(state, name)
    cat = state.s.scalar(select(TicketCategory).where(
        TicketCategory.unit_id == state.unit_id, TicketCategory.name == name))
    if cat is not None or not name:
        return cat
    if not state.options.create_missing:
        _unknown(state, "诉求类别", name)
        p.add("category", "诉求类别", f"没有名为“{name}”的诉求类别（可选择对应的类别，或选择自动新建）")
        return None
    if len(name) > 20:
        p.add("category", "诉求类别", f"类别名称最多20个字，现在是{len(name)}个")
        return None
    cat = TicketCategory(unit_id=state.unit_id, name=name)
    state.s.add(cat)
    state.s.flush()
    state.journal.add_created("ticket_category", cat.id, 0)
    return cat


def handle_ticket(state: RunState, row: int, values: Values) -> Outcome:
    s = state.s
    p = Problems()
    received = _when(p, values, "received_at", "受理日期")
    if received is None and not p.has("received_at"):
        p.add("received_at", "受理日期", "请填写受理日期")
    if received is not None and received.date() > date.today():
        p.add("received_at", "受理日期", "日期晚于今天")
    channel = p.choice("channel", "受理渠道", text(values, "channel") or "办公室", CHANNELS)
    category = p.text("category", "诉求类别", text(values, "category"), required=True, multiline=False)
    cat = _ticket_category(state, p, category) if category and not p.has("category") else None
    requester = p.text("requester_name", "诉求人", text(values, "requester_name"), max_len=40)
    phone = p.phone("phone", "联系电话", text(values, "phone"))
    content = p.text("content", "诉求内容", text(values, "content"), required=True, max_len=2000)
    grid_id = resolve_grid(state, p, text(values, "grid")) if text(values, "grid") else None
    state_word = text(values, "state")
    ticket_state = _STATE_WORDS.get(state_word, state_word) if state_word else "received"
    if ticket_state not in STATE_LABELS:
        p.add("state", "办理状态", f"“{state_word}”不是可选项（可选：{'、'.join(STATE_LABELS.values())}）")
    mode = p.choice("mode", "办理方式", text(values, "mode"), MODES) or None
    reply = p.text("reply", "答复内容", text(values, "reply"), max_len=2000)
    closed = _when(p, values, "closed_at", "办结日期")
    if closed is not None and received is not None and closed < received:
        p.add("closed_at", "办结日期", f"办结日期（{closed.date().isoformat()}）不能早于受理日期（{received.date().isoformat()}）")
    satisfaction = p.choice("satisfaction", "满意度", text(values, "satisfaction"), SATISFACTION) or None
    number = text(values, "number")
    if number:
        try:  # year 0, a year to come, 2026-0000, 2026/1 … refused
            number = format_ticket_number(*parse_ticket_number(number))
        except ServiceError as exc:
            p.add("number", "工单编号", str(exc))
        else:
            first = state.seen_keys.setdefault(("ticket", number), row)
            if first != row:
                p.add("number", "工单编号", f"与第 {first} 行的工单编号相同（表中重复）")
    p.raise_if_any()
    assert received is not None and cat is not None
    if number and s.scalar(select(Ticket.id).where(Ticket.unit_id == state.unit_id, Ticket.number == number)):
        return "skip", f"工单 {number} 已存在，跳过"
    data = tickets.TicketInput(cat.id, content, channel, requester_name=requester, requester_phone=phone,
                               received_at=received, grid_id=grid_id)
    made = tickets.create_ticket(s, state.unit_id, data, number=number or None, import_batch_id=state.batch_id)
    event_ids = list(made.event_ids)
    history = tickets.record_imported_state(s, made.id, ticket_state, closed, mode, reply, satisfaction)
    if history is not None:
        event_ids.append(history)
    state.journal.add_created("ticket", made.id, row)
    for event_id in event_ids:
        state.journal.add_created("ticket_event", event_id, row)
    return "new", ""
