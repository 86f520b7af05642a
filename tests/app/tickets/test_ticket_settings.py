"""工单 settings as data: categories with their 办理时限, the 代办清单, the 不满意 switch; who may change them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AuditEntry
from app.services import audit
from app.services.errors import PermissionDenied, ValidationError
from app.services.safety import auth
from app.services.setup import founding
from app.services.tickets import catalog as ticket_settings
from app.services.tickets import queries as ticket_queries
from app.services.tickets import workflow as tickets
from app.services.tickets.queries import TicketQuery
from app.services.tickets.workflow import TicketInput

T0 = datetime(2026, 3, 2, 9, 0)


@pytest.fixture
def vid(session: Session) -> int:
    return founding.create_unit(session, "东坟村", "城关街道", "房山区")


@contextmanager
def as_operator(operator_id: int) -> Iterator[None]:
    token = audit.current_operator_id.set(operator_id)
    try:
        yield
    finally:
        audit.current_operator_id.reset(token)


def cat_id(s: Session, vid: int, name: str) -> int:
    return next(c.id for c in ticket_settings.list_categories(s, vid, True) if c.name == name)


def item_id(s: Session, vid: int, name: str) -> int:
    return next(i.id for i in ticket_settings.list_service_items(s, vid, True) if i.name == name)


def new_ticket(s: Session, vid: int, category_id: int, at: datetime = T0, **kw: object) -> int:
    data = TicketInput(category_id, "路灯不亮", requester_name="张三", received_at=at, **kw)  # type: ignore[arg-type]
    return tickets.create_ticket(s, vid, data).id


def last_audit(s: Session, entity: str) -> AuditEntry:
    entry = s.scalars(select(AuditEntry).where(AuditEntry.entity == entity).order_by(AuditEntry.id.desc())).first()
    assert entry is not None
    return entry


def test_tickets_module_still_exports_the_settings() -> None:
    for name in ("list_categories", "save_category", "list_service_items", "add_service_item", "ensure_defaults",
                 "reopen_on_unsatisfied", "set_reopen_on_unsatisfied", "CategoryInfo", "REOPEN_KEY"):
        assert getattr(tickets, name) is getattr(ticket_settings, name)
    assert ticket_settings.due_text(48) == "2天" and ticket_settings.due_text(36) == "36小时"


def test_time_limit_sets_the_due_time_of_new_tickets_only(session: Session, vid: int) -> None:
    cid = cat_id(session, vid, "环境卫生")
    before = new_ticket(session, vid, cid)
    ticket_settings.save_category(session, vid, "环境卫生", 36, cid)
    after = new_ticket(session, vid, cid)
    due = {r.id: r.due_at for r in ticket_queries.list_tickets(session, TicketQuery(vid), 0, 10)}
    assert due[before] == T0 + timedelta(hours=48)  # the default 2 days, kept
    assert due[after] == T0 + timedelta(hours=36)
    entry = last_audit(session, "ticket_category")
    assert entry.detail["changes"]["due_hours"] == {"from": 48, "to": 36}  # type: ignore[index]
    with pytest.raises(ValidationError, match="1 小时到 90 天"):
        ticket_settings.save_category(session, vid, "环境卫生", 0, cid)


def test_rename_keeps_tickets_and_names_are_unique(session: Session, vid: int) -> None:
    cid = cat_id(session, vid, "乱堆乱放")
    tid = new_ticket(session, vid, cid)
    ticket_settings.save_category(session, vid, "乱堆乱放（柴草）", 48, cid)
    row = ticket_queries.list_tickets(session, TicketQuery(vid), 0, 10)[0]
    assert row.id == tid and row.category == "乱堆乱放（柴草）"
    assert "乱堆乱放 → 乱堆乱放（柴草）" in last_audit(session, "ticket_category").summary
    with pytest.raises(ValidationError) as e:
        ticket_settings.save_category(session, vid, "安全隐患", 24, cid)
    assert "已有名为“安全隐患”的类别" in str(e.value)
    iid = item_id(session, vid, "复印打印")
    with pytest.raises(ValidationError, match="代办清单中已有“申报低保”"):
        ticket_settings.save_service_item(session, vid, iid, "申报低保")
    ticket_settings.save_service_item(session, vid, iid, "复印打印扫描")
    assert "复印打印扫描" in [i.name for i in ticket_settings.list_service_items(session, vid)]


def test_stopped_entries_are_off_new_tickets_but_old_ones_stay_readable(session: Session, vid: int) -> None:
    cid, iid = cat_id(session, vid, "私搭乱建"), item_id(session, vid, "申报低保")
    old = new_ticket(session, vid, cid, service_item_id=iid)
    ticket_settings.set_category_active(session, vid, cid, False)
    ticket_settings.set_service_item_active(session, vid, iid, False)
    assert "私搭乱建" not in [c.name for c in ticket_settings.list_categories(session, vid)]
    assert "申报低保" not in [i.name for i in ticket_settings.list_service_items(session, vid)]
    with pytest.raises(ValidationError) as e:
        new_ticket(session, vid, cid, service_item_id=iid)
    assert "诉求类别“私搭乱建”已停用" in str(e.value) and "代办事项“申报低保”已停用" in str(e.value)
    row = ticket_queries.list_tickets(session, TicketQuery(vid), 0, 10)[0]
    assert (row.id, row.category, row.service_item) == (old, "私搭乱建", "申报低保")
    ticket_settings.set_category_active(session, vid, cid, True)
    new_ticket(session, vid, cid)


def test_service_items_add_and_reorder(session: Session, vid: int) -> None:
    new_id = ticket_settings.add_service_item(session, vid, "老年证办理")
    listed = [i.name for i in ticket_settings.list_service_items(session, vid)]
    assert listed[-1] == "老年证办理"
    assert ticket_settings.move_service_item(session, vid, new_id, -1)
    assert [i.name for i in ticket_settings.list_service_items(session, vid)][-2:] == ["老年证办理", listed[-2]]
    assert ticket_settings.move_service_item(session, vid, new_id, -100)
    assert ticket_settings.list_service_items(session, vid)[0].name == "老年证办理"
    assert ticket_settings.move_service_item(session, vid, new_id, -1) is False
    assert last_audit(session, "service_item").summary == "调整代办清单顺序：老年证办理"
    assert ticket_settings.move_category(session, vid, cat_id(session, vid, "治安稳定"), -1)
    assert [c.name for c in ticket_settings.list_categories(session, vid)][-2:] == ["治安稳定", "乱堆乱放"]


def test_reopen_switch_is_a_setting_with_an_audit_line(session: Session, vid: int) -> None:
    assert ticket_settings.reopen_on_unsatisfied(session, vid) is True
    ticket_settings.set_reopen_on_unsatisfied(session, vid, False)
    assert tickets.reopen_on_unsatisfied(session, vid) is False
    assert "回访不满意时自动重新办理" in last_audit(session, "setting").summary


def test_only_the_secretary_changes_ticket_settings(session: Session, vid: int) -> None:
    admin = auth.ensure_admin(session, vid)
    clerk = auth.create_operator(session, vid, "wenshu", "王文书", "clerk", "clerk-pass")
    cid, iid = cat_id(session, vid, "环境卫生"), item_id(session, vid, "复印打印")
    with as_operator(clerk):
        assert ticket_settings.list_categories(session, vid)  # reading is for everyone
        new_ticket(session, vid, cid)  # and so is taking tickets
        for call in (lambda: ticket_settings.save_category(session, vid, "环境卫生", 24, cid),
                     lambda: ticket_settings.set_category_active(session, vid, cid, False),
                     lambda: ticket_settings.move_category(session, vid, cid, 1),
                     lambda: ticket_settings.add_service_item(session, vid, "老年证办理"),
                     lambda: ticket_settings.save_service_item(session, vid, iid, "打印"),
                     lambda: ticket_settings.move_service_item(session, vid, iid, -1),
                     lambda: ticket_settings.set_reopen_on_unsatisfied(session, vid, False)):
            with pytest.raises(PermissionDenied) as e:
                call()
            assert "王文书（文书）无权修改工单设置；只有书记(管理员)可以办理。" == str(e.value)
    with as_operator(admin):
        ticket_settings.save_category(session, vid, "环境卫生", 24, cid)
    entry = last_audit(session, "ticket_category")
    assert entry.operator_id == admin and entry.summary == "修改诉求类别：环境卫生"
