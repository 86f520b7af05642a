"""党组织 tree, 联建 partners, 党员 (with the 发展党员 pipeline), posts and 联系户."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Timestamps, one_of
from .people import Resident

ORG_KINDS = ("党委", "党总支", "党支部", "党小组", "联合党委", "联合党支部", "功能型党小组")
PARTNER_KINDS = ("村村", "村企", "村校", "村社", "其他")
# 发展党员: 申请入党 → 入党积极分子 → 发展对象 → 预备党员 → 正式党员
STAGES = ("申请入党", "入党积极分子", "发展对象", "预备党员", "正式党员")
MEMBER_STAGES = ("预备党员", "正式党员")  # counted as 党员 in the roster
MEMBER_TYPES = ("农民", "在职", "离退休", "流动")
MANAGEMENT_BY_TYPE = {"农民": "直接管理", "在职": "双重管理", "离退休": "延续管理", "流动": "参照管理"}
POINTS_CATEGORIES = ("青年", "在职", "退休")
POSTS = (
    "书记", "副书记", "组织委员", "宣传委员", "纪检委员", "委员", "党小组长", "第一书记", "联络员",
)
LEFT_KINDS = ("转出", "死亡", "出党", "停止党籍", "其他")


class PartyOrg(Timestamps, Base):
    __tablename__ = "party_orgs"
    __table_args__ = (one_of("kind", ORG_KINDS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("party_orgs.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(10))
    code: Mapped[str] = mapped_column(String(30), default="")
    established_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)  # 撤销 (never deleted)
    close_reason: Mapped[str] = mapped_column(Text, default="")
    sort_order: Mapped[int] = mapped_column(default=0)
    note: Mapped[str] = mapped_column(Text, default="")

    parent: Mapped[PartyOrg | None] = relationship(remote_side="PartyOrg.id", back_populates="children")
    children: Mapped[list[PartyOrg]] = relationship(back_populates="parent", order_by="PartyOrg.sort_order")
    partners: Mapped[list[OrgPartner]] = relationship(back_populates="org")


class OrgPartner(Timestamps, Base):
    """联建: a partner village, company or school of a (联合) party organisation."""

    __tablename__ = "org_partners"
    __table_args__ = (one_of("kind", PARTNER_KINDS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("party_orgs.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(4))
    since: Mapped[date | None] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")

    org: Mapped[PartyOrg] = relationship(back_populates="partners")


class PartyMember(Timestamps, Base):
    """A person in the 发展党员 pipeline or a 党员. Leaving sets left_on + reason; never deleted."""

    __tablename__ = "party_members"
    __table_args__ = (
        UniqueConstraint("resident_id"),
        one_of("stage", STAGES),
        one_of("member_type", MEMBER_TYPES),
        one_of("points_category", POINTS_CATEGORIES),
        one_of("left_kind", LEFT_KINDS),
        CheckConstraint(
            "confirmed_on IS NULL OR joined_on IS NULL OR confirmed_on > joined_on", name="confirm_after_join"
        ),
        Index("ix_party_members_org_stage", "org_id", "stage"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"))
    org_id: Mapped[int] = mapped_column(ForeignKey("party_orgs.id"))  # 所在支部
    group_id: Mapped[int | None] = mapped_column(ForeignKey("party_orgs.id"), index=True)  # 党小组
    stage: Mapped[str] = mapped_column(String(10), default="正式党员")
    applied_on: Mapped[date | None] = mapped_column(Date)  # 申请入党
    activist_on: Mapped[date | None] = mapped_column(Date)  # 确定为入党积极分子
    candidate_on: Mapped[date | None] = mapped_column(Date)  # 确定为发展对象
    joined_on: Mapped[date | None] = mapped_column(Date)  # 入党(接收为预备党员)
    confirmed_on: Mapped[date | None] = mapped_column(Date)  # 转正
    member_type: Mapped[str] = mapped_column(String(6), default="农民")
    points_category: Mapped[str] = mapped_column(String(4), default="在职")
    flow_out_place: Mapped[str] = mapped_column(String(100), default="")  # 流出地
    dual_report_unit: Mapped[str] = mapped_column(String(100), default="")  # 双报到单位
    left_on: Mapped[date | None] = mapped_column(Date)
    left_kind: Mapped[str | None] = mapped_column(String(6))
    left_reason: Mapped[str] = mapped_column(Text, default="")
    left_to: Mapped[str] = mapped_column(String(100), default="")  # 转出: the receiving 党组织
    left_letter_no: Mapped[str] = mapped_column(String(30), default="")  # 转出: 介绍信编号
    arrived_on: Mapped[date | None] = mapped_column(Date)  # 转入: the day the relation arrived here
    arrived_from: Mapped[str] = mapped_column(String(100), default="")  # 转入: the sending 党组织
    arrived_letter_no: Mapped[str] = mapped_column(String(30), default="")  # 转入: 介绍信编号
    note: Mapped[str] = mapped_column(Text, default="")
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))

    resident: Mapped[Resident] = relationship()
    org: Mapped[PartyOrg] = relationship(foreign_keys=[org_id])
    group: Mapped[PartyOrg | None] = relationship(foreign_keys=[group_id])
    posts: Mapped[list[MemberPost]] = relationship(back_populates="member")
    contacts: Mapped[list[MemberContact]] = relationship(back_populates="member")


class MemberPost(Timestamps, Base):
    """A post held (书记, 委员, 党小组长, 第一书记 …), with its term; history is kept."""

    __tablename__ = "member_posts"
    __table_args__ = (one_of("post", POSTS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("party_members.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("party_orgs.id"), index=True)
    post: Mapped[str] = mapped_column(String(10))
    start_on: Mapped[date | None] = mapped_column(Date)
    end_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")

    member: Mapped[PartyMember] = relationship(back_populates="posts")


class MemberContact(Timestamps, Base):
    """党员联系户: a member looks after a household from `since` until `until`."""

    __tablename__ = "member_contacts"
    __table_args__ = (UniqueConstraint("member_id", "household_id", "since"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("party_members.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    since: Mapped[date] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")

    member: Mapped[PartyMember] = relationship(back_populates="contacts")


class OrgMembership(Timestamps, Base):
    """A member taking part in a 功能型党小组 or 联合党支部 beyond their own branch (members from several
    branches). Their 所在支部 stays PartyMember.org_id; ending sets until, never deleted."""

    __tablename__ = "org_memberships"
    __table_args__ = (CheckConstraint("until IS NULL OR since IS NULL OR until >= since", name="until_after_since"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("party_orgs.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("party_members.id"), index=True)
    since: Mapped[date | None] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")

    org: Mapped[PartyOrg] = relationship()
    member: Mapped[PartyMember] = relationship()
