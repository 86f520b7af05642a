"""村务: the village bodies (两委, 村务监督委员会, 村民代表) with their terms, decisions along the
四议两公开 path, 环形互动 topics, the meetings that vote on them and the files attached to them.

Nothing here is deleted: a post ends (until + end_reason), a failed step ends a decision, a topic
that fails its vote is closed with the reason — the 台账 need the whole history.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Timestamps, one_of

# The village's non-party bodies and the posts each has (党组织 posts live in org.MemberPost).
BODIES = ("村民委员会", "村务监督委员会", "村民代表", "村民小组", "妇联", "团支部", "民兵连", "后备干部")
BODY_ROLES: dict[str, tuple[str, ...]] = {
    "村民委员会": ("主任", "副主任", "委员"),
    "村务监督委员会": ("主任", "委员"),
    "村民代表": ("代表",),
    "村民小组": ("组长",),
    "妇联": ("主席",),
    "团支部": ("书记",),
    "民兵连": ("连长",),
    "后备干部": ("后备干部",),
}
ALL_ROLES = tuple(dict.fromkeys(r for roles in BODY_ROLES.values() for r in roles))
# Bodies elected for a 届期 (村民委员会组织法 since 2018: five years).
TERM_BODIES = ("村民委员会", "村务监督委员会", "村民代表")
TERM_YEARS = 5

# 四议两公开, in order. The first four are meetings, the last two are 公示.
DECISION_STEPS = ("党组织提议", "两委会商议", "党员大会审议", "村民代表会议决议", "决议公开", "实施结果公开")
DECISION_STATUSES = ("进行中", "未通过", "已决议", "实施中", "已完成", "已撤回")
# What kind of meeting a step (or a topic's vote) is; the 决议 step may be a 村民会议 instead.
MEETING_KINDS = ("支委会", "两委会", "党员大会", "村民代表会议", "村民会议")
OUTCOMES = ("通过", "未通过", "不足法定人数")

TOPIC_DIRECTIONS = ("正序", "倒序")  # 正序: the 支部 sets the topic; 倒序: the villagers raise it
TOPIC_STAGES = ("征求意见", "支部研究", "代表会表决", "公开", "落实", "已完成", "未通过")
VERDICTS = ("满意", "基本满意", "不满意")
ATTACH_OWNERS = ("decision", "affairs_meeting", "topic")


class BodyTerm(Timestamps, Base):
    """One 届期 of an elected body: 第十二届村民委员会 2021-04-18 … 2026-04-17."""

    __tablename__ = "body_terms"
    __table_args__ = (
        one_of("body", TERM_BODIES),
        CheckConstraint("ends_on > starts_on", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    body: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(40), default="")  # 第十二届
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")


class BodyPost(Timestamps, Base):
    """A person's post in a village body. One person may hold several (一肩挑: 书记 and 主任)."""

    __tablename__ = "body_posts"
    __table_args__ = (
        one_of("body", BODIES),
        one_of("role", ALL_ROLES),
        CheckConstraint("until IS NULL OR since IS NULL OR until >= since", name="until_after_since"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    body: Mapped[str] = mapped_column(String(10))
    role: Mapped[str] = mapped_column(String(10))
    term_id: Mapped[int | None] = mapped_column(ForeignKey("body_terms.id"), index=True)
    group_name: Mapped[str] = mapped_column(String(40), default="")  # 村民小组 a 代表 / 组长 stands for
    since: Mapped[date | None] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)  # ended (换届, 辞职, 罢免 …), never deleted
    end_reason: Mapped[str] = mapped_column(String(100), default="")
    note: Mapped[str] = mapped_column(Text, default="")

    households: Mapped[list[RepresentedHousehold]] = relationship(back_populates="post")


class RepresentedHousehold(Base):
    """A household a 村民代表 represents (联系 five to fifteen households)."""

    __tablename__ = "represented_households"
    __table_args__ = (UniqueConstraint("post_id", "household_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("body_posts.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)

    post: Mapped[BodyPost] = relationship(back_populates="households")


class Decision(Timestamps, Base):
    """A 村级重大事项 taken along the 四议两公开 path, one step after the other."""

    __tablename__ = "decisions"
    __table_args__ = (
        UniqueConstraint("unit_id", "number"),
        one_of("status", DECISION_STATUSES),
        one_of("ended_step", DECISION_STEPS),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    number: Mapped[str] = mapped_column(String(20))  # 村决〔2026〕3号 → "2026-03"
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text, default="")
    proposed_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(6), default="进行中")
    ended_step: Mapped[str | None] = mapped_column(String(10))  # where a failed path stopped
    end_reason: Mapped[str] = mapped_column(Text, default="")
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topics.id"), index=True)
    resolution_notice_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id"), index=True)  # 决议公开
    result_notice_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id"), index=True)  # 实施结果公开
    result_text: Mapped[str] = mapped_column(Text, default="")  # 实施结果
    implemented_on: Mapped[date | None] = mapped_column(Date)


class AffairsMeeting(Timestamps, Base):
    """A meeting that deliberates or votes: one step of a decision or the vote on a topic.

    Counts are stored as entered and checked against the 村民委员会组织法 thresholds when recorded;
    a quorum or majority that fails is kept with its outcome and ends the decision there.
    """

    __tablename__ = "affairs_meetings"
    __table_args__ = (
        one_of("kind", MEETING_KINDS),
        one_of("step", DECISION_STEPS),
        one_of("outcome", OUTCOMES),
        CheckConstraint("present_count >= 0 AND expected_count >= 0", name="counts_not_negative"),
        CheckConstraint(
            "votes_for >= 0 AND votes_against >= 0 AND votes_abstain >= 0", name="votes_not_negative"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    held_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(80), default="")
    host: Mapped[str] = mapped_column(String(40), default="")  # 主持人
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"), index=True)
    step: Mapped[str | None] = mapped_column(String(10))
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topics.id"), index=True)
    expected_count: Mapped[int] = mapped_column(Integer, default=0)  # 应到
    present_count: Mapped[int] = mapped_column(Integer, default=0)  # 实到
    # 村民会议 only: 年满十八周岁的村民 and households, and how many households were represented.
    adults_total: Mapped[int] = mapped_column(Integer, default=0)
    households_total: Mapped[int] = mapped_column(Integer, default=0)
    households_present: Mapped[int] = mapped_column(Integer, default=0)
    votes_for: Mapped[int] = mapped_column(Integer, default=0)
    votes_against: Mapped[int] = mapped_column(Integer, default=0)
    votes_abstain: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str] = mapped_column(String(8), default="通过")
    outcome_note: Mapped[str] = mapped_column(Text, default="")  # the rule that failed, in words
    minutes: Mapped[str] = mapped_column(Text, default="")

    people: Mapped[list[AffairsAttendance]] = relationship(back_populates="meeting")


class AffairsAttendance(Base):
    """Who was expected at an affairs meeting (ticked from the roster) and whether they came."""

    __tablename__ = "affairs_attendances"
    __table_args__ = (UniqueConstraint("meeting_id", "resident_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("affairs_meetings.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    present: Mapped[bool] = mapped_column(default=True)

    meeting: Mapped[AffairsMeeting] = relationship(back_populates="people")


class Topic(Timestamps, Base):
    """环形互动: a topic raised 正序 by the 支部 or 倒序 by villagers, answered, voted, made public, done."""

    __tablename__ = "topics"
    __table_args__ = (
        UniqueConstraint("unit_id", "number"),
        one_of("direction", TOPIC_DIRECTIONS),
        one_of("stage", TOPIC_STAGES),
        one_of("verdict", VERDICTS),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    number: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text, default="")
    direction: Mapped[str] = mapped_column(String(2))
    opened_on: Mapped[date] = mapped_column(Date)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)  # 倒序 from a 工单
    stage: Mapped[str] = mapped_column(String(6), default="征求意见")
    answer: Mapped[str] = mapped_column(Text, default="")  # the branch's answer (支部研究)
    answered_on: Mapped[date | None] = mapped_column(Date)
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id"), index=True)  # 公开
    responsible_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"), index=True)  # 落实 责任人
    due_on: Mapped[date | None] = mapped_column(Date)  # 落实 时限
    done_on: Mapped[date | None] = mapped_column(Date)
    verdict: Mapped[str | None] = mapped_column(String(4))  # 群众评价
    verdict_note: Mapped[str] = mapped_column(Text, default="")
    closed_reason: Mapped[str] = mapped_column(Text, default="")

    opinions: Mapped[list[TopicOpinion]] = relationship(back_populates="topic", order_by="TopicOpinion.id")
    progress: Mapped[list[TopicProgress]] = relationship(back_populates="topic", order_by="TopicProgress.id")


class TopicOpinion(Timestamps, Base):
    """An opinion a 党员 gathered from a household (自下而上的反馈)."""

    __tablename__ = "topic_opinions"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("party_members.id"), index=True)  # who gathered it
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"), index=True)
    speaker: Mapped[str] = mapped_column(String(40), default="")  # 谁说的 (name as given)
    gathered_on: Mapped[date | None] = mapped_column(Date)
    content: Mapped[str] = mapped_column(Text)

    topic: Mapped[Topic] = relationship(back_populates="opinions")


class TopicProgress(Timestamps, Base):
    """A 落实 progress note."""

    __tablename__ = "topic_progress"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id"), index=True)
    noted_on: Mapped[date] = mapped_column(Date)
    content: Mapped[str] = mapped_column(Text)

    topic: Mapped[Topic] = relationship(back_populates="progress")


class Attachment(Timestamps, Base):
    """A scan or photo kept in the data folder under its SHA-256; rows point at it, files are shared."""

    __tablename__ = "attachments"
    __table_args__ = (one_of("owner_kind", ATTACH_OWNERS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    owner_kind: Mapped[str] = mapped_column(String(20))
    owner_id: Mapped[int] = mapped_column(Integer, index=True)
    file_name: Mapped[str] = mapped_column(String(200))  # the name it had when added
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    withdrawn_on: Mapped[date | None] = mapped_column(Date)  # removed from view, file kept


class AttachmentContent(Base):
    """The bytes of an attached file, once per SHA-256. Kept in the database so a backup, a restore
    and a copy to another computer carry the scans with the records; the file in the data folder is
    the copy the program opens (written again from here when it is missing)."""

    __tablename__ = "attachment_contents"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
