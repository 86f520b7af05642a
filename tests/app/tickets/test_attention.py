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
