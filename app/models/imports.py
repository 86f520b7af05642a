"""导入批次: one import of one file, so it can be reported and undone as a batch."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Timestamps, one_of

IMPORT_KINDS = ("residents", "households", "members", "grid-posts", "tickets")


class ImportBatch(Timestamps, Base):
    __tablename__ = "import_batches"
    __table_args__ = (one_of("kind", IMPORT_KINDS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    kind: Mapped[str] = mapped_column(String(20))
    file_name: Mapped[str] = mapped_column(String(260))
    file_sha256: Mapped[str] = mapped_column(String(64), default="")
    row_count: Mapped[int] = mapped_column(Integer, default=0)
    mapping: Mapped[object | None] = mapped_column(JSON)  # header → field, remembered per layout
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    undone_at: Mapped[datetime | None] = mapped_column(DateTime)
    undo_reason: Mapped[str] = mapped_column(Text, default="")
