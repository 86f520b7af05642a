"""The township's side of 上报: the villages' signing keys and the packages received from them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Timestamps, utcnow


class VillageKey(Timestamps, Base):
    """A village's Ed25519 public key, issued by the township (`township keys`). A package is accepted
    only when signed by the key of the unit it claims to be; a revoked key signs nothing new."""

    __tablename__ = "village_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)  # the village
    key_id: Mapped[str] = mapped_column(String(16), unique=True)  # first 16 hex of sha256(public key)
    public_key: Mapped[str] = mapped_column(String(64))  # raw 32 bytes, hex
    issued_on: Mapped[date] = mapped_column(Date)
    revoked_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")


class PackageSnapshot(Timestamps, Base):
    """One received 上报 package, kept whole by date. The newest (is_current) is what the township's
    tables hold for that unit; earlier dates stay here so nothing a township ledger used is lost."""

    __tablename__ = "package_snapshots"
    __table_args__ = (UniqueConstraint("unit_id", "as_of"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    as_of: Mapped[date] = mapped_column(Date)  # the package's date (数据截至)
    exported_at: Mapped[datetime] = mapped_column(DateTime)  # when the village wrote it (orders packages)
    imported_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    schema_revision: Mapped[str] = mapped_column(String(40))
    key_id: Mapped[str] = mapped_column(String(16))
    sha256: Mapped[str] = mapped_column(String(64), index=True)  # of the whole file: a repeat changes nothing
    rows: Mapped[int] = mapped_column(Integer, default=0)
    size: Mapped[int] = mapped_column(Integer, default=0)
    is_current: Mapped[bool] = mapped_column(default=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)  # the package file as received
