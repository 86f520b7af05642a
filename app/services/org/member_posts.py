"""A 党员's posts (党内职务) and 党员联系户 links: begin and end them; who looks after a household."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.models import Household, MemberContact, MemberPost, OrgMembership, PartyMember, PartyOrg, Resident
from app.models.org import MEMBER_STAGES, POSTS

from .. import access, audit
from ..errors import NotFound
from ..validation import Problems, check_term_end
from .members import _get_member
from .tree import GROUP_KINDS

GROUP_LEADER = "党小组长"

# Posts one organisation has one holder of at a time (the current one must end first).
SINGLE_HOLDER_POSTS = ("书记", "第一书记", "党小组长")
# What a 党小组 / 功能型党小组 has: its 组长 (and a 联络员 for a 功能型党小组's outside work).
GROUP_POSTS = ("党小组长", "联络员")


def _in_group(s: Session, m: PartyMember, org: PartyOrg, on: date | None) -> bool:
    """The member belongs to the 党小组 (their group_id) or takes part in the 功能型党小组 on the day."""
    if m.group_id == org.id:
        return True
    stmt = select(OrgMembership.id).where(OrgMembership.org_id == org.id, OrgMembership.member_id == m.id,
                                          OrgMembership.until.is_(None))
    if on is not None:
        stmt = stmt.where(or_(OrgMembership.since.is_(None), OrgMembership.since <= on))
    return s.scalar(stmt.limit(1)) is not None


def add_post(s: Session, member_id: int, org_id: int | None, post: str, start_on: date | None = None,
             note: str = "") -> int:
    """Appoint: the member holds `post` in the organisation from `start_on` (任职日期, required).

    Refused: an applicant (only 正式/预备党员 hold posts), a second current 书记/第一书记/党小组长 of the
    same organisation (the message names the current one), a 党小组长 of a group the member is not in,
    other posts in a 党小组, a date in the future or before the member joined.
    """
    access.require_role(s, *access.ENTRY_ROLES, action="登记党内职务")
    m = _get_member(s, member_id)
    unit_id = m.resident.unit_id
    p = Problems()
    if m.left_on is not None:
        p.add("member_id", "党员", f"{m.resident.name} 已离开党员名册")
    elif m.stage not in MEMBER_STAGES:
        p.add("member_id", "党员", f"{m.resident.name} 是{m.stage}，还不是党员，不能担任党内职务")
    post = p.choice("post", "职务", post, POSTS, required=True)
    if start_on is None:
        p.add("start_on", "任职日期", "请填写任职日期")
    elif start_on > date.today():
        p.add("start_on", "任职日期", "日期晚于今天")
    elif m.joined_on is not None and start_on < m.joined_on:
        p.add("start_on", "任职日期", f"不能早于入党日期（{m.joined_on.isoformat()}）")
    note = p.text("note", "备注", note, max_len=200)
    org = s.get(PartyOrg, org_id) if org_id is not None else None
    if org_id is None:
        p.add("org_id", "党组织", "请选择党组织")
    elif org is None or org.unit_id != unit_id:
        p.add("org_id", "党组织", "所选的组织不存在")
    elif org.closed_on is not None:
        p.add("org_id", "党组织", f"{org.name} 已撤销")
    elif post == GROUP_LEADER and org.kind not in GROUP_KINDS:
        p.add("org_id", "党组织", f"{org.name} 是{org.kind}；党小组长只能在党小组或功能型党小组任职")
    elif post and post not in GROUP_POSTS and org.kind in GROUP_KINDS:
        p.add("post", "职务", f"{org.name} 是{org.kind}，只设{'、'.join(GROUP_POSTS)}")
    elif post == GROUP_LEADER and not _in_group(s, m, org, start_on):
        p.add("org_id", "党组织", f"{m.resident.name} 不是{org.name}的成员，请先把他编入该党小组")
    elif post:
        holders = s.execute(
            select(MemberPost.member_id, Resident.name)
            .join(PartyMember, PartyMember.id == MemberPost.member_id)
            .join(Resident, Resident.id == PartyMember.resident_id)
            .where(MemberPost.org_id == org.id, MemberPost.post == post, MemberPost.end_on.is_(None))
        ).all()
        if any(h.member_id == member_id for h in holders):
            p.add("post", "职务", f"{m.resident.name} 已任{org.name}{post}")
        elif post in SINGLE_HOLDER_POSTS and holders:
            p.add("post", "职务", f"{org.name}现任{post}是 {holders[0].name}，请先结束其任职")
    p.raise_if_any()
    assert org is not None
    row = MemberPost(member_id=member_id, org_id=org.id, post=post, start_on=start_on, note=note)
    s.add(row)
    s.flush()
    audit.record(s, unit_id, "create", "member_post", row.id, f"{m.resident.name} 任{org.name}{post}")
    return row.id


def end_post(s: Session, post_id: int, on: date) -> None:
    access.require_role(s, *access.ENTRY_ROLES, action="办理离任")
    row = s.get(MemberPost, post_id)
    if row is None:
        raise NotFound("找不到该任职记录")
    p = Problems()
    check_term_end(p, "end_on", "离任日期", row.end_on, on, row.start_on, "任职日期", done="离任")
    if on is not None and on > date.today() and not p:
        p.add("end_on", "离任日期", "日期晚于今天")
    p.raise_if_any()
    row.end_on = on
    s.flush()
    audit.record(s, row.member.resident.unit_id, "close", "member_post", row.id, f"{row.member.resident.name} 离任{row.post}")


def add_contact(s: Session, member_id: int, household_id: int | None, since: date | None, note: str = "") -> int:
    """党员联系户: the member (正式/预备党员 on the roster) looks after the household from `since`."""
    access.require_role(s, *access.ENTRY_ROLES, action="安排联系户")
    m = _get_member(s, member_id)
    unit_id = m.resident.unit_id
    p = Problems()
    if m.left_on is not None:
        p.add("member_id", "联系党员", f"{m.resident.name} 已离开党员名册")
    elif m.stage not in MEMBER_STAGES:
        p.add("member_id", "联系党员", f"{m.resident.name} 是{m.stage}，还不是党员，不能安排联系户")
    hh = s.get(Household, household_id) if household_id is not None else None
    if household_id is None:
        p.add("household_id", "联系户", "请选择联系户")
    elif hh is None or hh.unit_id != unit_id:
        p.add("household_id", "联系户", "所选的户不存在")
    elif hh.closed_on is not None:
        p.add("household_id", "联系户", f"户号 {hh.number} 已销户")
    elif s.scalar(select(MemberContact.id).where(
            MemberContact.member_id == member_id, MemberContact.household_id == household_id,
            MemberContact.until.is_(None))):
        p.add("household_id", "联系户", f"{m.resident.name} 已在联系户号 {hh.number}")
    if since is None:
        p.add("since", "开始日期", "请填写开始日期")
    elif since > date.today():
        p.add("since", "开始日期", "日期晚于今天")
    elif hh is not None and not p and s.scalar(select(MemberContact.id).where(
            MemberContact.member_id == member_id, MemberContact.household_id == hh.id, MemberContact.since == since)):
        p.add("since", "开始日期", f"{m.resident.name} 与户号 {hh.number} 已有 {since.isoformat()} 开始的联系记录，请换一个日期")
    note = p.text("note", "备注", note, max_len=200)
    p.raise_if_any()
    assert hh is not None and since is not None
    row = MemberContact(member_id=member_id, household_id=hh.id, since=since, note=note)
    s.add(row)
    s.flush()
    audit.record(s, unit_id, "create", "member_contact", row.id, f"{m.resident.name} 联系户 {hh.number}")
    return row.id


@dataclass(frozen=True)
class HouseholdContact:
    id: int  # the 联系户 link
    member_id: int
    name: str
    phone: str
    since: date


def household_contacts(s: Session, household_id: int) -> list[HouseholdContact]:
    """The members looking after the household now (open links), for the household's panel."""
    rows = s.execute(
        select(MemberContact.id, PartyMember.id, Resident.name, Resident.phone, MemberContact.since)
        .join(PartyMember, PartyMember.id == MemberContact.member_id)
        .join(Resident, Resident.id == PartyMember.resident_id)
        .where(MemberContact.household_id == household_id, MemberContact.until.is_(None))
        .order_by(MemberContact.since, MemberContact.id)
    )
    return [HouseholdContact(cid, mid, name, phone or "", since) for cid, mid, name, phone, since in rows]


def end_contact(s: Session, contact_id: int, on: date) -> None:
    access.require_role(s, *access.ENTRY_ROLES, action="结束联系户")
    row = s.get(MemberContact, contact_id)
    if row is None:
        raise NotFound("找不到该联系户记录")
    p = Problems()
    check_term_end(p, "until", "结束日期", row.until, on, row.since, "开始日期")
    if on is not None and on > date.today() and not p:
        p.add("until", "结束日期", "日期晚于今天")
    p.raise_if_any()
    row.until = on
    s.flush()
    audit.record(s, row.member.resident.unit_id, "close", "member_contact", row.id, f"{row.member.resident.name} 结束联系户")


__all__ = [
    "GROUP_LEADER", "POSTS", "SINGLE_HOLDER_POSTS", "HouseholdContact", "add_contact", "add_post", "end_contact",
    "end_post", "household_contacts",
]
