"""工单 (群众诉求 / 党员代办): point → dispatch → accept → reply → 回访, with an append-only event log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Timestamps, one_of, utcnow

CHANNELS = ("热线电话", "专线", "意见箱", "微信群", "服务站", "转交", "办公室")  # 一号一线一箱一群一站一交一室
DEFAULT_TICKET_CATEGORIES = ("安全隐患", "环境卫生", "私搭乱建", "矛盾纠纷", "民生诉求", "乱堆乱放", "治安稳定")
DEFAULT_SERVICE_ITEMS = (
    "民政优扶", "医疗社保", "户籍管理", "物业维护", "水电气暖代收代缴", "快递代收代发", "申报低保", "复印打印",
)
STATES = ("received", "assigned", "accepted", "escalated", "replied", "closed", "cancelled")
STATE_LABELS = {
    "received": "已受理", "assigned": "已派单", "accepted": "已接单", "escalated": "已上报",
    "replied": "已答复", "closed": "已办结", "cancelled": "已撤销",
}
MODES = ("现场解决", "派单办理", "党员代办", "上报办理", "协调解决", "解释说明")
PRIORITIES = ("普通", "紧急")
SATISFACTION = ("满意", "基本满意", "不满意")
ASSIGNEE_ROLES = ("党员", "网格员", "志愿者", "村干部")
EVENT_KINDS = STATES + ("note", "visit", "reassigned")


class TicketCategory(Timestamps, Base):
    __tablename__ = "ticket_categories"
    __table_args__ = (UniqueConstraint("unit_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    name: Mapped[str] = mapped_column(String(20))
    due_hours: Mapped[int] = mapped_column(Integer, default=72)
    sort_order: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)


class ServiceItem(Timestamps, Base):
    """代办清单 entry (民政优扶, 医疗社保 …), editable data."""

    __tablename__ = "service_items"
    __table_args__ = (UniqueConstraint("unit_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    name: Mapped[str] = mapped_column(String(30))
    sort_order: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)


class Ticket(Timestamps, Base):
    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("unit_id", "number"),
        UniqueConstraint("unit_id", "year", "seq"),
        one_of("channel", CHANNELS),
        one_of("state", STATES),
        one_of("mode", MODES),
        one_of("priority", PRIORITIES),
        one_of("satisfaction", SATISFACTION),
        Index("ix_tickets_unit_received", "unit_id", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)  # never reused within a year
    number: Mapped[str] = mapped_column(String(20))  # e.g. 2026-0001
    channel: Mapped[str] = mapped_column(String(6))
    category_id: Mapped[int] = mapped_column(ForeignKey("ticket_categories.id"), index=True)
    service_item_id: Mapped[int | None] = mapped_column(ForeignKey("service_items.id"), index=True)
    requester_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"), index=True)
    requester_name: Mapped[str] = mapped_column(String(40), default="")
    requester_phone: Mapped[str] = mapped_column(String(20), default="")
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"), index=True)
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id"), index=True)
    content: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime)
    due_at: Mapped[datetime | None] = mapped_column(DateTime)
    priority: Mapped[str] = mapped_column(String(4), default="普通")
    state: Mapped[str] = mapped_column(String(10), default="received", index=True)
    mode: Mapped[str | None] = mapped_column(String(6))
    reply: Mapped[str] = mapped_column(Text, default="")
    replied_at: Mapped[datetime | None] = mapped_column(DateTime)
    escalated_to: Mapped[str] = mapped_column(String(60), default="")
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime)
    escalation_answer: Mapped[str] = mapped_column(Text, default="")
    visited_at: Mapped[datetime | None] = mapped_column(DateTime)
    visited_by: Mapped[str] = mapped_column(String(40), default="")
    satisfaction: Mapped[str | None] = mapped_column(String(4))
    visit_comment: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))

    assignees: Mapped[list[TicketAssignee]] = relationship(back_populates="ticket")
    events: Mapped[list[TicketEvent]] = relationship(order_by="TicketEvent.id")


class TicketAssignee(Timestamps, Base):
    """Who a ticket is dispatched to: a member, grid staff, volunteer (a resident, or a name)."""

    __tablename__ = "ticket_assignees"
    __table_args__ = (one_of("role", ASSIGNEE_ROLES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("party_members.id"), index=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(4), default="党员")
    assigned_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    released_at: Mapped[datetime | None] = mapped_column(DateTime)

    ticket: Mapped[Ticket] = relationship(back_populates="assignees")


class TicketEvent(Base):
    """办理记录, append-only."""

    __tablename__ = "ticket_events"
    __table_args__ = (one_of("kind", EVENT_KINDS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(10))
    from_state: Mapped[str | None] = mapped_column(String(10))
    to_state: Mapped[str | None] = mapped_column(String(10))
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    note: Mapped[str] = mapped_column(Text, default="")
