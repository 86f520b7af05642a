"""What the 工单 list needs to put first and to fill in: overdue and open tickets on top, tickets still to be
回访, the most used 诉求类别, the last 回访人, and 「现场已解决」 without an answer refused at its field."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from app.services.errors import ValidationError
from app.services.setup import founding
from app.services.tickets import queries as ticket_queries
from app.services.tickets import workflow as tickets
from app.services.tickets.queries import TicketQuery
from app.services.tickets.workflow import AssigneeInput, TicketInput


@pytest.fixture
def vid(session: Session) -> int:
    return founding.create_unit(session, "东坟村", "城关街道", "房山区")


def cat(s: Session, vid: int, name: str) -> int:
    return next(c.id for c in tickets.list_categories(s, vid) if c.name == name)


def new(s: Session, vid: int, category: str, hours_ago: int, **kw: object) -> int:
    data = TicketInput(cat(s, vid, category), "路灯不亮", requester_name="张三",
                       received_at=tickets.now() - timedelta(hours=hours_ago), **kw)  # type: ignore[arg-type]
    return tickets.create_ticket(s, vid, data).id


def test_attention_order_to_visit_and_defaults(session: Session, vid: int) -> None:
    s = session
    assert ticket_queries.most_used_category(s, vid) is None  # no ticket yet: the form says 请选择
    assert ticket_queries.last_visitor(s, vid) == ""
    late = new(s, vid, "安全隐患", 72)  # 1 day limit: overdue
    fresh = new(s, vid, "环境卫生", 1)
    solved = new(s, vid, "环境卫生", 2, on_spot_reply="当场修好")
    replied = new(s, vid, "环境卫生", 3)
    tickets.assign(s, replied, [AssigneeInput("李志愿", "志愿者")])
    tickets.accept(s, replied)
    tickets.reply(s, replied, "已修好")
    done = new(s, vid, "矛盾纠纷", 0, on_spot_reply="已调解")
    tickets.visit(s, done, "满意", "王文书")

    rows = ticket_queries.list_tickets(s, TicketQuery(vid, order_by="attention"))
    # overdue first, then open (newest first), then closed
    assert [r.id for r in rows] == [late, fresh, replied, done, solved]
    to_visit = ticket_queries.list_tickets(s, TicketQuery(vid, state="to_visit"))
    assert {r.id for r in to_visit} == {solved, replied}
    assert ticket_queries.count_tickets(s, TicketQuery(vid, state="to_visit")) == 2
    assert ticket_queries.most_used_category(s, vid) == cat(s, vid, "环境卫生")
    assert ticket_queries.last_visitor(s, vid) == "王文书"


def test_solved_on_the_spot_needs_the_answer_with_the_other_problems(session: Session, vid: int) -> None:
    data = TicketInput(cat(session, vid, "环境卫生"), "", requester_name="张三", solved_on_spot=True)
    with pytest.raises(ValidationError) as e:
        tickets.create_ticket(session, vid, data)
    assert {p.field for p in e.value.problems} == {"content", "on_spot_reply"}  # both at once
    assert ticket_queries.count_tickets(session, TicketQuery(vid)) == 0


def test_visit_taken_with_the_on_spot_intake_in_one_transaction(session: Session, vid: int) -> None:
    """现场解决 with the resident present: 受理, 办结 and 回访 in one call; the 回访 rules are those of visit()."""
    from app.models import Ticket

    made = tickets.create_ticket(session, vid, TicketInput(
        cat(session, vid, "环境卫生"), "路灯不亮", requester_name="张三", on_spot_reply="当场换了灯泡",
        solved_on_spot=True, visit_satisfaction="基本满意", visited_by="王文书", visit_comment="下次早点来"))
    t = session.get(Ticket, made.id)
    assert t is not None and (t.state, t.mode, t.satisfaction, t.visited_by, t.visit_comment) == (
        "closed", "现场解决", "基本满意", "王文书", "下次早点来")
    detail = ticket_queries.get_ticket(session, made.id)
    assert [e.label for e in detail.events] == ["受理", "办结", "回访"]
    assert [e.id for e in detail.events] == list(made.event_ids)
    assert ticket_queries.count_tickets(session, TicketQuery(vid, state="to_visit")) == 0
    # 不满意 reopens it at once when the village reopens such tickets, as a later 回访 would
    unhappy = tickets.create_ticket(session, vid, TicketInput(
        cat(session, vid, "环境卫生"), "垃圾没清", requester_name="李四", on_spot_reply="已通知保洁",
        solved_on_spot=True, visit_satisfaction="不满意", visited_by="王文书"))
    u = session.get(Ticket, unhappy.id)
    assert u is not None and (u.state, u.closed_at, u.satisfaction) == ("accepted", None, "不满意")


def test_on_spot_visit_problems_come_with_the_others_and_nothing_is_written(session: Session, vid: int) -> None:
    data = TicketInput(cat(session, vid, "环境卫生"), "", requester_name="张三", solved_on_spot=True,
                       on_spot_reply="当场修好", visit_satisfaction="很好", visited_by=" ")
    with pytest.raises(ValidationError) as e:
        tickets.create_ticket(session, vid, data)
    assert {p.field for p in e.value.problems} == {"content", "visit_satisfaction", "visited_by"}
    not_solved = TicketInput(cat(session, vid, "环境卫生"), "路灯不亮", requester_name="张三",
                             visit_satisfaction="满意", visited_by="王文书")
    with pytest.raises(ValidationError) as e:
        tickets.create_ticket(session, vid, not_solved)
    assert e.value.for_field("visit_satisfaction") == ["只有现场已解决的诉求才能当场回访"]
    assert ticket_queries.count_tickets(session, TicketQuery(vid)) == 0
