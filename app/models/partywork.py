"""党务 chores every branch does: 党费 (rules, yearly 核定, collection), 组织关系介绍信, 流动党员 and
失联党员, 民主评议党员. 党内统计 and 发展党员 timing are computed from org.PartyMember, not stored.

Money is kept in 分 (integer) and rates in 千分之 (0.5 % = 5), so sums are exact on SQLite and
PostgreSQL alike. Nothing is deleted: a wrong payment is voided with a reason and entered again,
a new 核定 supersedes the old one from a month on, a return ends a 流动 record.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Timestamps, one_of

# 党费 categories of the 2008 rules (关于中国共产党党费收缴、使用和管理的规定).
DUES_CATEGORIES = ("在职", "离退休", "农民", "学生", "困难")  # 困难: 抚恤/救济, 下岗失业
PAYMENT_WAYS = ("现金", "微信", "支付宝", "银行转账", "其他")

LETTER_DIRECTIONS = ("转出", "转入")
MEMBER_STATUS = ("正式党员", "预备党员")

MOBILE_DIRECTIONS = ("流出", "流入")  # 流出: our member went away; 流入: a member from elsewhere lives here
LOST_OUTCOMES = ("恢复联系", "停止党籍", "除名", "死亡", "其他")

APPRAISAL_SOURCES = ("自评", "互评", "民主测评")
APPRAISAL_GRADES = ("优秀", "合格", "基本合格", "不合格")
APPRAISAL_FOLLOW_UPS = ("限期改正", "劝退", "除名")


class DuesRule(Timestamps, Base):
    """One band of the 党费 rules for a year: 在职 税后月收入 3000–5000 元 交 1 %; 农民 0.2–1 元/月.

    A band gives either a rate (rate_permille of the base) or a monthly amount range in 分
    (min_fen … max_fen; equal for a fixed amount). Editing a rule supersedes it (ended_on + reason).
    """

    __tablename__ = "dues_rules"
    __table_args__ = (
        one_of("category", DUES_CATEGORIES),
        CheckConstraint("income_to_fen IS NULL OR income_to_fen > income_from_fen", name="band_order"),
        CheckConstraint("rate_permille IS NOT NULL OR min_fen IS NOT NULL", name="rate_or_amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(4))
    income_from_fen: Mapped[int] = mapped_column(Integer, default=0)  # band: from (exclusive above 0)
    income_to_fen: Mapped[int | None] = mapped_column(Integer)  # … up to and including; None = no limit
    rate_permille: Mapped[int | None] = mapped_column(Integer)  # 5 = 0.5 %
    min_fen: Mapped[int | None] = mapped_column(Integer)  # fixed monthly amount range
    max_fen: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str] = mapped_column(Text, default="")


class DuesAssessment(Timestamps, Base):
    """核定: a member's monthly 党费 for a year from a month on. A change is a new row with a reason."""

    __tablename__ = "dues_assessments"
    __table_args__ = (
        one_of("category", DUES_CATEGORIES),
        CheckConstraint("from_month BETWEEN 1 AND 12", name="month_valid"),
        CheckConstraint("monthly_fen >= 0 AND base_fen >= 0", name="amounts_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("party_members.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    from_month: Mapped[int] = mapped_column(Integer, default=1)
    category: Mapped[str] = mapped_column(String(4))
    base_fen: Mapped[int] = mapped_column(Integer, default=0)  # 计算基数: 税后月收入 / 离退休费
    rate_permille: Mapped[int | None] = mapped_column(Integer)
    monthly_fen: Mapped[int] = mapped_column(Integer)  # 每月应交
    decided_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")  # why changed (年度核定 for the first)
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("dues_assessments.id"), index=True)


class DuesPayment(Timestamps, Base):
    """A collection entry: months month_from…month_to of a year paid on paid_on. Voided, never deleted."""

    __tablename__ = "dues_payments"
    __table_args__ = (
        one_of("way", PAYMENT_WAYS),
        CheckConstraint("month_from BETWEEN 1 AND 12 AND month_to BETWEEN month_from AND 12", name="months_valid"),
        CheckConstraint("amount_fen > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("party_members.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    month_from: Mapped[int] = mapped_column(Integer)
    month_to: Mapped[int] = mapped_column(Integer)
    amount_fen: Mapped[int] = mapped_column(Integer)
    paid_on: Mapped[date] = mapped_column(Date)
    way: Mapped[str] = mapped_column(String(6), default="现金")
    paid_by: Mapped[str] = mapped_column(String(40), default="")  # 代交人 when someone else paid
    makeup: Mapped[bool] = mapped_column(default=False)  # 补交
    receipt_no: Mapped[str] = mapped_column(String(30), default="", index=True)
    collector: Mapped[str] = mapped_column(String(40), default="")  # 收款人
    note: Mapped[str] = mapped_column(Text, default="")
    voided_on: Mapped[date | None] = mapped_column(Date)
    void_reason: Mapped[str] = mapped_column(Text, default="")


class TransferLetter(Timestamps, Base):
    """中国共产党党员组织关系介绍信, issued (转出) or received (转入), with the details as printed.

    The person's details are frozen as on the letter: a later correction of the roster does not
    change a letter already sent.
    """

    __tablename__ = "transfer_letters"
    __table_args__ = (
        UniqueConstraint("unit_id", "direction", "letter_no"),
        one_of("direction", LETTER_DIRECTIONS),
        one_of("member_status", MEMBER_STATUS),
        CheckConstraint("valid_days > 0", name="valid_days_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("party_members.id"), index=True)
    direction: Mapped[str] = mapped_column(String(2))
    letter_no: Mapped[str] = mapped_column(String(30))  # 介绍信编号 (字第 N 号)
    issued_on: Mapped[date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(40))
    gender: Mapped[str] = mapped_column(String(2), default="")
    age: Mapped[int | None] = mapped_column(Integer)
    ethnicity: Mapped[str] = mapped_column(String(20), default="")
    member_status: Mapped[str] = mapped_column(String(4), default="正式党员")
    id_number: Mapped[str] = mapped_column(String(18), default="")
    from_org: Mapped[str] = mapped_column(String(100))  # 由 …
    to_org: Mapped[str] = mapped_column(String(100))  # 去 … (抬头: the receiving 党组织)
    dues_paid_to: Mapped[str] = mapped_column(String(7), default="")  # 党费交到 "2026-11"
    valid_days: Mapped[int] = mapped_column(Integer, default=30)
    receipt_on: Mapped[date | None] = mapped_column(Date)  # 回执 returned (转出) or sent (转入)
    cancelled_on: Mapped[date | None] = mapped_column(Date)  # 作废 (wrong letter); a new one is issued
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")


class MobileMember(Timestamps, Base):
    """流动党员: our member living away (流出), or a member from elsewhere living here (流入, 双报到).

    member_id is set for 流出; a 流入 member is not on our roster, so the person is kept by name.
    Return or leaving ends the record (until + end_note); history stays.
    """

    __tablename__ = "mobile_members"
    __table_args__ = (
        one_of("direction", MOBILE_DIRECTIONS),
        CheckConstraint("until IS NULL OR until >= since", name="until_after_since"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    direction: Mapped[str] = mapped_column(String(2))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("party_members.id"), index=True)
    name: Mapped[str] = mapped_column(String(40), default="")  # 流入: as given
    id_number: Mapped[str] = mapped_column(String(18), default="")  # 流入
    place: Mapped[str] = mapped_column(String(100), default="")  # 流向地 (流出) / 居住地 here (流入)
    employer: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    since: Mapped[date] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)
    end_note: Mapped[str] = mapped_column(Text, default="")  # 返回 / 转走 …
    other_org: Mapped[str] = mapped_column(String(100), default="")  # 流入地党组织 (流出) / 原所在党组织 (流入)
    keeper_id: Mapped[int | None] = mapped_column(ForeignKey("party_members.id"), index=True)  # branch contact
    participation: Mapped[str] = mapped_column(Text, default="")  # how they take part (线上学习 …)
    dues_way: Mapped[str] = mapped_column(String(100), default="")  # how they pay dues
    dual_report: Mapped[bool] = mapped_column(default=False)  # 流入: 已到社区报到
    prior_type: Mapped[str] = mapped_column(String(6), default="")  # 流出: member_type before 流动, restored on return
    note: Mapped[str] = mapped_column(Text, default="")


class LostContact(Timestamps, Base):
    """失联党员: contact lost since a date, the search record, and how it ended."""

    __tablename__ = "lost_contacts"
    __table_args__ = (one_of("outcome", LOST_OUTCOMES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("party_members.id"), index=True)
    lost_since: Mapped[date] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(4))
    outcome_on: Mapped[date | None] = mapped_column(Date)
    outcome_note: Mapped[str] = mapped_column(Text, default="")

    searches: Mapped[list[LostContactSearch]] = relationship(
        back_populates="lost", order_by="LostContactSearch.searched_on"
    )


class LostContactSearch(Timestamps, Base):
    """One attempt to find a 失联党员 (走访家属, 电话, 函询 …) and what it gave."""

    __tablename__ = "lost_contact_searches"

    id: Mapped[int] = mapped_column(primary_key=True)
    lost_id: Mapped[int] = mapped_column(ForeignKey("lost_contacts.id"), index=True)
    searched_on: Mapped[date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(40))
    result: Mapped[str] = mapped_column(Text, default="")
    by: Mapped[str] = mapped_column(String(40), default="")

    lost: Mapped[LostContact] = relationship(back_populates="searches")


class AppraisalRound(Timestamps, Base):
    """民主评议党员 of one 党支部 for a year."""

    __tablename__ = "appraisal_rounds"
    __table_args__ = (UniqueConstraint("org_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("party_orgs.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    held_on: Mapped[date | None] = mapped_column(Date)
    voters: Mapped[int] = mapped_column(Integer, default=0)  # 民主测评 ballots handed out
    closed_on: Mapped[date | None] = mapped_column(Date)  # results decided; later changes are corrections
    note: Mapped[str] = mapped_column(Text, default="")


class AppraisalCount(Base):
    """How many ballots of one source gave a member one grade (自评 is a single ballot)."""

    __tablename__ = "appraisal_counts"
    __table_args__ = (
        UniqueConstraint("round_id", "member_id", "source", "grade"),
        one_of("source", APPRAISAL_SOURCES),
        one_of("grade", APPRAISAL_GRADES),
        CheckConstraint("votes >= 0", name="votes_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("appraisal_rounds.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("party_members.id"), index=True)
    source: Mapped[str] = mapped_column(String(4))
    grade: Mapped[str] = mapped_column(String(4))
    votes: Mapped[int] = mapped_column(Integer, default=0)


class AppraisalResult(Timestamps, Base):
    """The branch's decision on a member, and the follow-up of a 不合格 (限期改正, 劝退, 除名)."""

    __tablename__ = "appraisal_results"
    __table_args__ = (
        UniqueConstraint("round_id", "member_id"),
        one_of("grade", APPRAISAL_GRADES),
        one_of("follow_up", APPRAISAL_FOLLOW_UPS),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("appraisal_rounds.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("party_members.id"), index=True)
    grade: Mapped[str | None] = mapped_column(String(4))  # None: 未参评, the reason says why
    decided_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    follow_up: Mapped[str | None] = mapped_column(String(4))
    follow_up_due: Mapped[date | None] = mapped_column(Date)  # 限期改正 by
    follow_up_note: Mapped[str] = mapped_column(Text, default="")
    follow_up_done_on: Mapped[date | None] = mapped_column(Date)
