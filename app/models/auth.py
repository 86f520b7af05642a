"""操作员 and 操作日志: who may do what, and who did what when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Timestamps, one_of, utcnow

# 书记(管理员) / 文书 / 网格员 of a village; 镇级 of a township unit: sees all the township's villages,
# read-only unless can_write
ROLES = ("admin", "clerk", "grid", "township")


class Operator(Timestamps, Base):
    __tablename__ = "operators"
    __table_args__ = (UniqueConstraint("unit_id", "username"), one_of("role", ROLES))

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    username: Mapped[str] = mapped_column(String(40))
    display_name: Mapped[str] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(10), default="clerk")
    password_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    can_write: Mapped[bool] = mapped_column(default=False, server_default=false())  # a township operator may edit


class AuditEntry(Base):
    """Append-only log of every change: who, when, what entity, what changed."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entity", "entity", "entity_id"),
        # a fork of the hash chain (two entries after the same one) cannot be stored
        Index("ux_audit_entries_prev_hash", "prev_hash", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column()
    summary: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[object | None] = mapped_column(JSON)
    # the hash chain (app.services.audit): the previous entry's hash, and sha256 of this one with it
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))
