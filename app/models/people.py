"""居民 and 户: the register. Rows are never deleted; a resident's status says 迁出/死亡 with a date."""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Timestamps, one_of

GENDERS = ("男", "女")
RESIDENT_STATUSES = ("在册", "外出务工", "迁出", "死亡")
HEAD_RELATION = "户主"
RELATIONS = (
    "户主", "配偶", "子", "女", "儿媳", "女婿", "孙子", "孙女", "外孙子", "外孙女",
    "父亲", "母亲", "公公", "婆婆", "岳父", "岳母", "兄弟", "姐妹", "祖父", "祖母", "其他",
)
EDUCATIONS = ("研究生", "大学本科", "大学专科", "中专", "高中", "初中", "小学", "文盲或半文盲")
DEFAULT_HOUSEHOLD_TAGS = (
    "低保", "五保/特困", "残疾", "空巢", "独居老人", "留守儿童", "脱贫户",
    "防返贫监测对象", "优抚对象/军烈属", "出租房",
)

household_tags = Table(
    "household_tags",
    Base.metadata,
    Column("household_id", ForeignKey("households.id"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id"), primary_key=True, index=True),
)


class Tag(Timestamps, Base):
    """A household tag (低保, 空巢 …); the list is data, editable per unit."""

    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("unit_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    name: Mapped[str] = mapped_column(String(30))
    sort_order: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)


class Household(Timestamps, Base):
    """户. The 户主 is the resident whose relation is 户主 (one per household, kept by the service)."""

    __tablename__ = "households"
    __table_args__ = (UniqueConstraint("unit_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    number: Mapped[str] = mapped_column(String(30))  # 户号
    address: Mapped[str] = mapped_column(String(120), default="")  # 门牌/住址
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id"), index=True)
    map_x: Mapped[float | None] = mapped_column(Float)
    map_y: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
    closed_on: Mapped[date | None] = mapped_column(Date)  # 销户 (never deleted)
    close_reason: Mapped[str] = mapped_column(Text, default="")
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))

    residents: Mapped[list[Resident]] = relationship(back_populates="household")
    tags: Mapped[list[Tag]] = relationship(secondary=household_tags, order_by=Tag.sort_order)


class Resident(Timestamps, Base):
    __tablename__ = "residents"
    __table_args__ = (
        UniqueConstraint("unit_id", "id_number"),
        one_of("gender", GENDERS),
        one_of("status", RESIDENT_STATUSES),
        Index("ix_residents_unit_initials", "unit_id", "name_initials"),
        # The search box's columns in name order (id included: the order's tiebreak): a text filter
        # counts by scanning this narrow index instead of the table, and the default (拼音) order pages
        # by walking it, even to the last page of 150,000 (issue 11).
        Index("ix_residents_search", "unit_id", "name_pinyin", "name", "id", "status", "name_initials", "id_number",
              "phone"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    name: Mapped[str] = mapped_column(String(40), index=True)
    name_initials: Mapped[str] = mapped_column(String(40), default="")  # 拼音首字母, lower case: zs
    name_pinyin: Mapped[str] = mapped_column(String(160), default="")  # full pinyin: zhangsan
    gender: Mapped[str | None] = mapped_column(String(2))
    ethnicity: Mapped[str] = mapped_column(String(20), default="汉族")  # 民族
    id_number: Mapped[str | None] = mapped_column(String(18))  # 身份证号 (GB 11643)
    birth_date: Mapped[date | None] = mapped_column(Date)
    phone: Mapped[str] = mapped_column(String(20), default="", index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"), index=True)
    relation: Mapped[str] = mapped_column(String(10), default="")  # 与户主关系
    education: Mapped[str] = mapped_column(String(20), default="")  # 学历
    status: Mapped[str] = mapped_column(String(8), default="在册")
    status_date: Mapped[date | None] = mapped_column(Date)
    status_note: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))

    household: Mapped[Household | None] = relationship(back_populates="residents")
