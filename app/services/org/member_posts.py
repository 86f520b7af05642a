"""A 党员's posts (党内职务) and 党员联系户 links: begin and end them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Household, MemberContact, MemberPost, PartyMember, PartyOrg, Resident
from app.models.org import POSTS

from .. import access, audit
from ..errors import NotFound
from ..validation import Problems, check_term_end
from .members import _get_member


def add_post(s: Session, member_id: int, org_id: int, post: str, start_on: date | None = None, note: str = "") -> int:
    access.require_role(s, *access.ENTRY_ROLES, action="登记党内职务")
    m = _get_member(s, member_id)
    unit_id = m.resident.unit_id
    p = Problems()
    if m.left_on is not None:
        p.add("member_id", "党员", f"{m.resident.name} 已离开党员名册")
    post = p.choice("post", "职务", post, POSTS, required=True)
    org = s.get(PartyOrg, org_id)
    if org is None or org.unit_id != unit_id:
        p.add("org_id", "党组织", "所选的组织不存在")
    elif org.closed_on is not None:
        p.add("org_id", "党组织", f"{org.name} 已撤销")
    elif post:
        holders = s.execute(
            select(MemberPost.member_id, Resident.name)
            .join(PartyMember, PartyMember.id == MemberPost.member_id)
            .join(Resident, Resident.id == PartyMember.resident_id)
            .where(MemberPost.org_id == org_id, MemberPost.post == post, MemberPost.end_on.is_(None))
        ).all()
        if any(h.member_id == member_id for h in holders):
            p.add("post", "职务", f"{m.resident.name} 已任{org.name}{post}")
        elif post in ("书记", "第一书记") and holders:
            p.add("post", "职务", f"{org.name}现任{post}是 {holders[0].name}，请先结束其任职")
    p.raise_if_any()
    row = MemberPost(member_id=member_id, org_id=org_id, post=post, start_on=start_on, note=note.strip())
    s.add(row)
    s.flush()
    audit.record(s, unit_id, "create", "member_post", row.id, f"{m.resident.name} 任{org.name if org else ''}{post}")
    return row.id


def end_post(s: Session, post_id: int, on: date) -> None:
    access.require_role(s, *access.ENTRY_ROLES, action="办理离任")
    row = s.get(MemberPost, post_id)
    if row is None:
        raise NotFound("找不到该任职记录")
    p = Problems()
    check_term_end(p, "end_on", "离任日期", row.end_on, on, row.start_on, "任职日期", done="离任")
    p.raise_if_any()
    row.end_on = on
    s.flush()
    audit.record(s, row.member.resident.unit_id, "close", "member_post", row.id, f"{row.member.resident.name} 离任{row.post}")


def add_contact(s: Session, member_id: int, household_id: int, since: date, note: str = "") -> int:
    """党员联系户: the member looks after the household from `since`."""
    access.require_role(s, *access.ENTRY_ROLES, action="安排联系户")
    m = _get_member(s, member_id)
    unit_id = m.resident.unit_id
    p = Problems()
    if m.left_on is not None:
        p.add("member_id", "党员", f"{m.resident.name} 已离开党员名册")
    hh = s.get(Household, household_id)
    if hh is None or hh.unit_id != unit_id:
        p.add("household_id", "联系户", "所选的户不存在")
    elif hh.closed_on is not None:
        p.add("household_id", "联系户", f"户号 {hh.number} 已销户")
    elif s.scalar(select(MemberContact.id).where(
            MemberContact.member_id == member_id, MemberContact.household_id == household_id,
            MemberContact.until.is_(None))):
        p.add("household_id", "联系户", f"{m.resident.name} 已在联系户号 {hh.number}")
    if since is None:
        p.add("since", "开始日期", "请填写开始日期")
    p.raise_if_any()
    row = MemberContact(member_id=member_id, household_id=household_id, since=since, note=note.strip())
    s.add(row)
    s.flush()
    audit.record(s, unit_id, "create", "member_contact", row.id, f"{m.resident.name} 联系户 {hh.number if hh else ''}")
    return row.id


def end_contact(s: Session, contact_id: int, on: date) -> None:
    access.require_role(s, *access.ENTRY_ROLES, action="结束联系户")
    row = s.get(MemberContact, contact_id)
    if row is None:
        raise NotFound("找不到该联系户记录")
    p = Problems()
    check_term_end(p, "until", "结束日期", row.until, on, row.since, "开始日期")
    p.raise_if_any()
    row.until = on
    s.flush()
    audit.record(s, row.member.resident.unit_id, "close", "member_contact", row.id, f"{row.member.resident.name} 结束联系户")


__all__ = ["add_contact", "add_post", "end_contact", "end_post"]
