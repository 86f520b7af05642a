"""本村(社区) and its settings: the unit every record belongs to."""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Timestamps, one_of

UNIT_KINDS = ("村", "社区")  # a village office's own unit
TOWNSHIP_KINDS = ("镇", "乡", "街道")  # the township that pools its villages (server mode, 上报 packages)
ALL_UNIT_KINDS = UNIT_KINDS + TOWNSHIP_KINDS


class Unit(Timestamps, Base):
    """本村(社区), or the 镇/街道 above them. Several units share one PostgreSQL server or one township
    database (a township pooling its villages): villages point at their township through parent_id and
    name their 片区 (片区党委) in district."""

    __tablename__ = "units"
    __table_args__ = (one_of("kind", ALL_UNIT_KINDS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(4), default="村")
    township: Mapped[str] = mapped_column(String(60), default="")
    county: Mapped[str] = mapped_column(String(60), default="")
    contact_person: Mapped[str] = mapped_column(String(30), default="")
    contact_phone: Mapped[str] = mapped_column(String(20), default="")
    committee_phone: Mapped[str] = mapped_column(String(20), default="")  # 村委会电话 (not the 公示 contact's)
    objection_box: Mapped[str] = mapped_column(String(100), default="")  # 意见箱位置
    notice_days: Mapped[int] = mapped_column(Integer, default=5)  # 默认公示天数
    notice_workdays: Mapped[bool] = mapped_column(default=False)  # 公示期按工作日计算
    is_demo: Mapped[bool] = mapped_column(default=False)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)  # the 镇/街道 unit
    district: Mapped[str] = mapped_column(String(60), default="", server_default="")  # 片区, e.g. 第一片区党委


class Setting(Timestamps, Base):
    """Data-driven rules and preferences (grade bands, contact band, templates …) as JSON values."""

    __tablename__ = "settings"
    __table_args__ = (UniqueConstraint("unit_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    key: Mapped[str] = mapped_column(String(80))
    value: Mapped[object] = mapped_column(JSON)


class CalendarOverride(Timestamps, Base):
    """A date the holiday library does not know yet: a holiday (is_workday False) or a 调休 workday."""

    __tablename__ = "calendar_overrides"
    __table_args__ = (UniqueConstraint("unit_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    day: Mapped[date] = mapped_column(Date)
    is_workday: Mapped[bool] = mapped_column()
    note: Mapped[str] = mapped_column(Text, default="")
