"""公示 archive: what was posted (frozen rows + PDF hash) and the objections raised during the period."""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Timestamps, one_of

NOTICE_KINDS = (
    "party-candidates", "grid-contacts", "stars", "points", "household-points", "decision",
    "decision-result", "topic", "open-affairs", "dues", "other",
)


class Notice(Timestamps, Base):
    __tablename__ = "notices"
    __table_args__ = (one_of("kind", NOTICE_KINDS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    year: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    columns: Mapped[object] = mapped_column(JSON, default=list)
    rows: Mapped[object] = mapped_column(JSON, default=list)  # frozen snapshot, already masked
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    issuer: Mapped[str] = mapped_column(String(100), default="")
    issued_on: Mapped[date | None] = mapped_column(Date)
    paper: Mapped[str] = mapped_column(String(4), default="A4")
    pdf_sha256: Mapped[str] = mapped_column(String(64), default="", index=True)
    file_path: Mapped[str] = mapped_column(String(500), default="")  # where the PDF was saved
    meta: Mapped[object] = mapped_column(JSON, default=dict)  # contact, 意见箱 … as printed on it
    source_ref: Mapped[str] = mapped_column(String(40), default="")  # e.g. "star_round:3"
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    withdraw_reason: Mapped[str] = mapped_column(Text, default="")

    objections: Mapped[list[Objection]] = relationship(back_populates="notice")


class Objection(Timestamps, Base):
    """异议 raised against a notice during its 公示期, and how it was resolved."""

    __tablename__ = "objections"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), index=True)
    received_on: Mapped[date] = mapped_column(Date)
    raised_by: Mapped[str] = mapped_column(String(40), default="")  # may be anonymous
    subject: Mapped[str] = mapped_column(String(100), default="")  # which row/household it concerns
    content: Mapped[str] = mapped_column(Text)
    resolution: Mapped[str] = mapped_column(Text, default="")
    resolved_on: Mapped[date | None] = mapped_column(Date)

    notice: Mapped[Notice] = relationship(back_populates="objections")
