"""Members from several branches in a 功能型党小组 or 联合党支部 (OrgMembership): add, list with history, end.

A member's 所在支部 stays their own branch (PartyMember.org_id); taking part here is a row with a start
date, ended with a date and never deleted. The roster of such an org shows its own members and those
taking part (members.py calls taking_part), and the tree counts them (tree.list_org_tree).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, aliased

from app.models import OrgMembership, PartyMember, PartyOrg, Resident
from app.models.org import MEMBER_STAGES

from .. import access, audit
from ..errors import NotFound
from ..people.residents import resident_search
from ..validation import Problems, check_term_end
from .tree import CROSS_BRANCH_KINDS


@dataclass(frozen=True)
class OrgMemberRow:
    id: int
    org_id: int
    member_id: int
    name: str
    branch_name: str  # the member's own 所在支部 (and 党小组)
    since: date | None
    until: date | None
    note: str


@dataclass(frozen=True)
class MemberChoice:
    """A member offered by the picker: `name` is what the picker writes back into its field."""

    id: int
    name: str
    label: str


def taking_part(org_ids: Iterable[int]) -> ColumnElement[bool]:
    """A condition on PartyMember: taking part now (not ended) in one of these orgs through OrgMembership."""
    return PartyMember.id.in_(
        select(OrgMembership.member_id).where(OrgMembership.org_id.in_(list(org_ids)), OrgMembership.until.is_(None))
    )


def _cross_branch_org(s: Session, org_id: int, p: Problems) -> PartyOrg:
    org = s.get(PartyOrg, org_id)
    if org is None:
        raise NotFound("找不到该党组织")
    if org.kind not in CROSS_BRANCH_KINDS:
        p.add("org_id", "党组织", f"{org.name} 是{org.kind}；其他支部的党员只能参加功能型党小组或联合党支部")
    elif org.closed_on is not None:
        p.add("org_id", "党组织", f"{org.name} 已撤销")
    return org


def add_org_member(s: Session, org_id: int, member_id: int | None, since: date | None, note: str = "") -> int:
    """A member of any branch of the village takes part in the 功能型党小组 / 联合党支部 from `since`."""
    access.require_role(s, *access.ENTRY_ROLES, action="登记跨支部党员")
    p = Problems()
    org = _cross_branch_org(s, org_id, p)
    m = s.get(PartyMember, member_id) if member_id is not None else None
    if m is None or m.resident.unit_id != org.unit_id:
        p.add("member_id", "党员", "请从列表中选择本村的党员")
    elif m.left_on is not None:
        p.add("member_id", "党员", f"{m.resident.name} 已于 {m.left_on.isoformat()} {m.left_kind or '离开'}")
    elif m.stage not in MEMBER_STAGES:
        p.add("member_id", "党员", f"{m.resident.name} 是{m.stage}，只有正式党员和预备党员可以参加")
    elif org.id in (m.org_id, m.group_id):
        p.add("member_id", "党员", f"{m.resident.name} 本来就编在{org.name}")
    else:
        current = s.scalar(select(OrgMembership).where(
            OrgMembership.org_id == org.id, OrgMembership.member_id == m.id, OrgMembership.until.is_(None)))
        if current is not None:
            since_text = f"（自 {current.since.isoformat()} 起）" if current.since else ""
            p.add("member_id", "党员", f"{m.resident.name} 已在{org.name}{since_text}")
    if since is None:
        p.add("since", "参加日期", "请填写参加日期")
    elif org.established_on is not None and since < org.established_on:
        p.add("since", "参加日期", f"不能早于{org.name}的成立日期（{org.established_on.isoformat()}）")
    note = p.text("note", "备注", note, max_len=200)
    p.raise_if_any()
    assert m is not None
    row = OrgMembership(org_id=org.id, member_id=m.id, since=since, note=note)
    s.add(row)
    s.flush()
    audit.record(s, org.unit_id, "create", "org_membership", row.id, f"{m.resident.name} 参加{org.name}")
    return row.id


def list_org_members(s: Session, org_id: int, include_ended: bool = False) -> list[OrgMemberRow]:
    """Those taking part in the org from other branches; with include_ended, the history too (current first)."""
    branch, group = aliased(PartyOrg), aliased(PartyOrg)
    stmt = (
        select(OrgMembership, Resident.name, branch.name, group.name)
        .join(PartyMember, PartyMember.id == OrgMembership.member_id)
        .join(Resident, Resident.id == PartyMember.resident_id)
        .join(branch, branch.id == PartyMember.org_id)
        .outerjoin(group, group.id == PartyMember.group_id)
        .where(OrgMembership.org_id == org_id)
        .order_by(OrgMembership.until.isnot(None), Resident.name_pinyin, OrgMembership.id)
    )
    if not include_ended:
        stmt = stmt.where(OrgMembership.until.is_(None))
    return [
        OrgMemberRow(x.id, x.org_id, x.member_id, name, f"{b} · {g}" if g else b, x.since, x.until, x.note)
        for x, name, b, g in s.execute(stmt)
    ]


def end_org_member(s: Session, membership_id: int, on: date | None) -> None:
    """The member no longer takes part from `on`; the row stays as history."""
    access.require_role(s, *access.ENTRY_ROLES, action="结束跨支部党员")
    row = s.get(OrgMembership, membership_id)
    if row is None:
        raise NotFound("找不到该参加记录")
    p = Problems()
    check_term_end(p, "until", "结束日期", row.until, on, row.since, "参加日期")
    p.raise_if_any()
    row.until = on
    s.flush()
    audit.record(s, row.org.unit_id, "close", "org_membership", row.id,
                 f"{row.member.resident.name} 不再参加{row.org.name}")


def find_members(s: Session, org_id: int, text: str, limit: int = 8) -> list[MemberChoice]:
    """Members of the village (正式/预备, not left) matching 姓名 or 拼音首字母, who could join the org."""
    org = s.get(PartyOrg, org_id)
    cond = resident_search(text)
    if org is None or cond is None:
        return []
    branch, group = aliased(PartyOrg), aliased(PartyOrg)
    rows = s.execute(
        select(PartyMember.id, Resident.name, branch.name, group.name, PartyMember.stage)
        .join(Resident, Resident.id == PartyMember.resident_id)
        .join(branch, branch.id == PartyMember.org_id)
        .outerjoin(group, group.id == PartyMember.group_id)
        .where(Resident.unit_id == org.unit_id, PartyMember.left_on.is_(None), PartyMember.stage.in_(MEMBER_STAGES),
               PartyMember.org_id != org.id, (PartyMember.group_id != org.id) | PartyMember.group_id.is_(None),
               ~taking_part([org.id]), cond)
        .order_by(Resident.name_pinyin, PartyMember.id).limit(limit)
    )
    return [MemberChoice(mid, name, f"{name}　{b}{' · ' + g if g else ''}　{stage}") for mid, name, b, g, stage in rows]


__all__ = ["MemberChoice", "OrgMemberRow", "add_org_member", "end_org_member", "find_members", "list_org_members",
           "taking_part"]
