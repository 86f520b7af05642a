"""星级文明户: categories, rounds (five steps), applications with per-star review, 加星/减星."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Timestamps, one_of, utcnow

DEFAULT_STAR_CATEGORIES = ("勤劳敬业星", "孝老爱亲星", "团结友善星", "志愿服务星", "文化教育星")
# 五步法: 动员 → 农户申报 → 两会审核 → 张榜公示 → 两委会确定, then 报镇备案 / 授牌
ROUND_STEPS = ("mobilize", "apply", "review", "publicize", "decide", "filed")
ROUND_STEP_LABELS = {
    "mobilize": "动员部署", "apply": "农户申报", "review": "两会审核",
    "publicize": "张榜公示", "decide": "两委会确定", "filed": "报镇备案",
}
APPLICATION_SOURCES = ("自报", "推荐")
REVIEW_BODIES = ("道德评议会", "村民议事会")
DECISIONS = ("pending", "approved", "rejected")


class StarCategory(Timestamps, Base):
    __tablename__ = "star_categories"
    __table_args__ = (UniqueConstraint("unit_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    name: Mapped[str] = mapped_column(String(20))
    criteria: Mapped[str] = mapped_column(Text, default="")
    sort_order: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)


class StarRound(Timestamps, Base):
    __tablename__ = "star_rounds"
    __table_args__ = (UniqueConstraint("unit_id", "year", "name"), one_of("step", ROUND_STEPS))

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    year: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(60))
    step: Mapped[str] = mapped_column(String(10), default="mobilize")
    started_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")

    steps: Mapped[list[StarRoundStep]] = relationship(order_by="StarRoundStep.id")


class StarRoundStep(Base):
    """Each step change of a round (and each reopening), with date, operator and reason."""

    __tablename__ = "star_round_steps"
    __table_args__ = (one_of("step", ROUND_STEPS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("star_rounds.id"), index=True)
    step: Mapped[str] = mapped_column(String(10))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    reopened: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(Text, default="")


class StarApplication(Timestamps, Base):
    __tablename__ = "star_applications"
    __table_args__ = (UniqueConstraint("round_id", "household_id"), one_of("source", APPLICATION_SOURCES))

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("star_rounds.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    source: Mapped[str] = mapped_column(String(4), default="自报")
    recommender: Mapped[str] = mapped_column(String(40), default="")
    evidence: Mapped[str] = mapped_column(Text, default="")
    applied_on: Mapped[date | None] = mapped_column(Date)
    level: Mapped[int | None] = mapped_column(Integer)  # approved stars, set when the round is decided
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    withdraw_reason: Mapped[str] = mapped_column(Text, default="")

    items: Mapped[list[StarApplicationItem]] = relationship(back_populates="application")


class StarApplicationItem(Timestamps, Base):
    """One claimed star of an application and its review by 道德评议会 / 村民议事会."""

    __tablename__ = "star_application_items"
    __table_args__ = (
        UniqueConstraint("application_id", "category_id"),
        one_of("decision", DECISIONS),
        one_of("review_body", REVIEW_BODIES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("star_applications.id"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("star_categories.id"), index=True)
    decision: Mapped[str] = mapped_column(String(10), default="pending")
    review_body: Mapped[str | None] = mapped_column(String(10))
    opinion: Mapped[str] = mapped_column(Text, default="")
    reviewed_on: Mapped[date | None] = mapped_column(Date)

    application: Mapped[StarApplication] = relationship(back_populates="items")


class StarChange(Base):
    """加星/减星 after a round (append-only; a correction is a new row naming the one it corrects)."""

    __tablename__ = "star_changes"
    __table_args__ = (CheckConstraint("delta IN (-1, 1)", name="delta_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("star_categories.id"), index=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("star_rounds.id"), index=True)
    delta: Mapped[int] = mapped_column(Integer)
    changed_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("star_changes.id"), index=True)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
