"""党组织 tree and its changes: create, edit, move and close organisations, 联建 partners.

Nothing is deleted: organisations are closed (撤销) with a date. The 党员 in them are in members.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from app.models import OrgMembership, OrgPartner, PartyMember, PartyOrg
from app.models.org import MEMBER_STAGES, ORG_KINDS, PARTNER_KINDS

from .. import access, audit
from ..errors import NotFound
from ..validation import FREE_TEXT_MAX, Problems, check_term_end

BRANCH_KINDS = ("党支部", "联合党支部", "党总支")  # a member's 所在支部 (org_id)
GROUP_KINDS = ("党小组", "功能型党小组")  # a member's 党小组 (group_id); they have no sub-organisations
# members from several branches take part in these through OrgMembership (memberships.py)
CROSS_BRANCH_KINDS = ("功能型党小组", "联合党支部")


@dataclass(frozen=True)
class OrgNode:
    id: int
    parent_id: int | None
    name: str
    kind: str
    depth: int  # 0 for a root; the list is in tree (depth-first) order
    member_count: int  # 正式+预备 党员 not left, in this org AND its descendants, each counted once
    own_member_count: int  # the same, in this org only (org_id or group_id)
    closed: bool
    code: str


@dataclass(frozen=True)
class OrgInfo:
    id: int
    parent_id: int | None
    name: str
    kind: str
    code: str
    established_on: date | None
    closed_on: date | None
    close_reason: str
    sort_order: int
    note: str


@dataclass(frozen=True)
class PartnerRow:
    id: int
    org_id: int
    name: str
    kind: str
    since: date | None
    until: date | None
    note: str


@dataclass
class OrgInput:
    name: str
    kind: str  # one of ORG_KINDS
    parent_id: int | None = None
    code: str = ""
    established_on: date | None = None
    sort_order: int = 0
    note: str = ""


def _orgs(s: Session, unit_id: int) -> list[PartyOrg]:
    return list(s.scalars(select(PartyOrg).where(PartyOrg.unit_id == unit_id).order_by(PartyOrg.sort_order, PartyOrg.id)))


def _children_map(orgs: Iterable[PartyOrg]) -> dict[int | None, list[PartyOrg]]:
    out: dict[int | None, list[PartyOrg]] = {}
    for o in orgs:
        out.setdefault(o.parent_id, []).append(o)
    return out


def child_ids(s: Session, unit_ids: Iterable[int]) -> dict[int | None, list[int]]:
    """parent id → the ids of its child orgs, for every org of the units (one query)."""
    out: dict[int | None, list[int]] = {}
    for oid, parent in s.execute(select(PartyOrg.id, PartyOrg.parent_id).where(PartyOrg.unit_id.in_(list(unit_ids)))):
        out.setdefault(parent, []).append(oid)
    return out


def subtree_ids(children: dict[int | None, list[int]], org_id: int) -> set[int]:
    """org_id and every org under it, from child_ids (a village has tens of orgs: done in Python)."""
    out, todo = set(), [org_id]
    while todo:
        current = todo.pop()
        out.add(current)
        todo.extend(children.get(current, ()))
    return out


def descendant_ids(s: Session, org_id: int, include_self: bool = True) -> set[int]:
    """The org and everything under it."""
    org = _get_org(s, org_id)
    out = subtree_ids(child_ids(s, [org.unit_id]), org_id)
    if not include_self:
        out.discard(org_id)
    return out


def list_org_tree(s: Session, unit_id: int, include_closed: bool = False) -> list[OrgNode]:
    orgs = _orgs(s, unit_id)
    children = _children_map(orgs)
    known = {o.id for o in orgs}
    members: dict[int, set[int]] = {}  # org id -> member ids directly in it
    rows = s.execute(
        select(PartyMember.id, PartyMember.org_id, PartyMember.group_id)
        .join(PartyOrg, PartyOrg.id == PartyMember.org_id)
        .where(PartyOrg.unit_id == unit_id, PartyMember.left_on.is_(None), PartyMember.stage.in_(MEMBER_STAGES))
    )
    for mid, org_id, group_id in rows:
        for oid in {org_id, group_id} - {None}:
            members.setdefault(oid, set()).add(mid)
    taking_part = s.execute(  # members of other branches in a 功能型党小组 / 联合党支部
        select(OrgMembership.member_id, OrgMembership.org_id)
        .join(PartyMember, PartyMember.id == OrgMembership.member_id)
        .join(PartyOrg, PartyOrg.id == OrgMembership.org_id)
        .where(PartyOrg.unit_id == unit_id, OrgMembership.until.is_(None), PartyMember.left_on.is_(None),
               PartyMember.stage.in_(MEMBER_STAGES))
    )
    for mid, oid in taking_part:
        members.setdefault(oid, set()).add(mid)

    out: list[OrgNode] = []

    def walk(org: PartyOrg, depth: int) -> set[int]:
        closed = org.closed_on is not None
        index = len(out)
        if include_closed or not closed:
            out.append(OrgNode(org.id, org.parent_id, org.name, org.kind, depth, 0, 0, closed, org.code))
        below = set(members.get(org.id, set()))
        for child in children.get(org.id, []):
            if include_closed or child.closed_on is None:
                below |= walk(child, depth + 1)
        if include_closed or not closed:
            node = out[index]
            out[index] = OrgNode(**{**vars(node), "member_count": len(below),
                                    "own_member_count": len(members.get(org.id, set()))})
        return below

    for root in [o for o in orgs if o.parent_id is None or o.parent_id not in known]:
        if include_closed or root.closed_on is None:
            walk(root, 0)
    return out


def _get_org(s: Session, org_id: int) -> PartyOrg:
    org = s.get(PartyOrg, org_id)
    if org is None:
        raise NotFound("找不到该党组织")
    return org


def get_org(s: Session, org_id: int) -> OrgInfo:
    o = _get_org(s, org_id)
    return OrgInfo(o.id, o.parent_id, o.name, o.kind, o.code, o.established_on, o.closed_on, o.close_reason,
                   o.sort_order, o.note)


def org_input(s: Session, org_id: int) -> OrgInput:
    o = _get_org(s, org_id)
    return OrgInput(o.name, o.kind, o.parent_id, o.code, o.established_on, o.sort_order, o.note)


def _count(s: Session, stmt: Select[Any]) -> int:
    return s.scalar(stmt) or 0


def _check_org(s: Session, unit_id: int, data: OrgInput, p: Problems, org: PartyOrg | None) -> tuple[str, str]:
    name = p.text("name", "组织名称", data.name, required=True, max_len=80)
    kind = p.choice("kind", "组织类别", data.kind, ORG_KINDS, required=True)
    code = p.text("code", "组织代码", data.code, max_len=30)
    if data.parent_id is not None:
        parent = s.get(PartyOrg, data.parent_id)
        if parent is None or parent.unit_id != unit_id:
            p.add("parent_id", "上级组织", "所选的上级组织不存在")
        elif org is not None and data.parent_id in descendant_ids(s, org.id):
            p.add("parent_id", "上级组织", "不能把组织移到它自己或它的下级组织之下")
        elif parent.closed_on is not None:
            p.add("parent_id", "上级组织", f"{parent.name} 已撤销")
        elif parent.kind in GROUP_KINDS:
            p.add("parent_id", "上级组织", f"{parent.name} 是{parent.kind}，其下不能再设组织")
        elif kind in GROUP_KINDS and parent.kind not in BRANCH_KINDS:
            p.add("parent_id", "上级组织", f"{kind}应设在党支部、联合党支部或党总支之下")
    elif kind in GROUP_KINDS:
        p.add("parent_id", "上级组织", f"{kind}必须有所属党支部")
    if org is not None and kind and kind != org.kind:
        _check_kind_change(s, org, kind, p)
    return name, code


def _check_kind_change(s: Session, org: PartyOrg, kind: str, p: Problems) -> None:
    """A new kind must suit what is already under the org: sub-organisations, members, participants."""
    children = select(func.count(PartyOrg.id)).where(PartyOrg.parent_id == org.id, PartyOrg.closed_on.is_(None))
    if kind in GROUP_KINDS:
        n = _count(s, children)
        if n:
            p.add("kind", "组织类别", f"该组织下还有 {n} 个下级组织，不能改为{kind}")
    elif kind not in BRANCH_KINDS:
        n = _count(s, children.where(PartyOrg.kind.in_(GROUP_KINDS)))
        if n:
            p.add("kind", "组织类别", f"该组织下有 {n} 个党小组，党小组只能设在党支部、联合党支部或党总支之下，不能改为{kind}")
    if kind not in BRANCH_KINDS:
        n = _count(s, select(func.count(PartyMember.id)).where(PartyMember.org_id == org.id, PartyMember.left_on.is_(None)))
        if n:
            p.add("kind", "组织类别", f"有 {n} 名党员以该组织为所在支部，不能改为{kind}")
    if kind not in GROUP_KINDS:
        n = _count(s, select(func.count(PartyMember.id)).where(PartyMember.group_id == org.id, PartyMember.left_on.is_(None)))
        if n:
            p.add("kind", "组织类别", f"有 {n} 名党员编在该党小组，不能改为{kind}")
    if kind not in CROSS_BRANCH_KINDS:
        n = _count(s, select(func.count(OrgMembership.id)).where(OrgMembership.org_id == org.id,
                                                                 OrgMembership.until.is_(None)))
        if n:
            p.add("kind", "组织类别", f"有 {n} 名其他支部的党员参加该组织，不能改为{kind}；请先结束他们的参加记录")


ORG_AUDIT_FIELDS = ("name", "kind", "code", "parent_id", "established_on", "sort_order", "note")


def create_org(s: Session, unit_id: int, data: OrgInput) -> int:
    access.require_role(s, *access.ENTRY_ROLES, action="新建党组织")
    p = Problems()
    name, code = _check_org(s, unit_id, data, p, None)
    note = p.text("note", "备注", data.note, max_len=FREE_TEXT_MAX)
    p.raise_if_any()
    # siblings keep the order they were entered in (第一、第二、第三党小组), unless an order is given
    order = data.sort_order or (s.scalar(
        select(func.max(PartyOrg.sort_order)).where(PartyOrg.unit_id == unit_id, PartyOrg.parent_id.is_(None)
                                                    if data.parent_id is None else PartyOrg.parent_id == data.parent_id)
    ) or 0) + 1
    org = PartyOrg(unit_id=unit_id, parent_id=data.parent_id, name=name, kind=data.kind, code=code,
                   established_on=data.established_on, sort_order=order, note=note)
    s.add(org)
    s.flush()
    audit.record(s, unit_id, "create", "party_org", org.id, f"新建{org.kind}：{name}")
    return org.id


def update_org(s: Session, org_id: int, data: OrgInput) -> None:
    """Change an org (including its parent: the same cycle check as move_org)."""
    access.require_role(s, *access.ENTRY_ROLES, action="修改党组织")
    org = _get_org(s, org_id)
    if data.parent_id != org.parent_id:
        access.require_role(s, "admin", action="调整党组织隶属关系")
    p = Problems()
    name, code = _check_org(s, org.unit_id, data, p, org)
    note = p.text("note", "备注", data.note, max_len=FREE_TEXT_MAX)
    if org.closed_on is not None and data.parent_id != org.parent_id:
        p.add("parent_id", "上级组织", f"{org.name} 已于 {org.closed_on.isoformat()} 撤销，不能再调整隶属关系")
    p.raise_if_any()
    before = audit.snapshot(org, ORG_AUDIT_FIELDS)
    moved = data.parent_id != org.parent_id
    org.name, org.kind, org.code, org.parent_id = name, data.kind, code, data.parent_id
    org.established_on, org.sort_order, org.note = data.established_on, data.sort_order, note
    s.flush()
    audit.record_change(s, org.unit_id, "party_org", org.id, f"修改党组织：{name}", before,
                        audit.snapshot(org, ORG_AUDIT_FIELDS))
    if moved and org.kind in GROUP_KINDS and org.parent_id is not None:
        _follow_group(s, org)


def _ancestor_ids(s: Session, org: PartyOrg) -> set[int]:
    out: set[int] = set()
    current: PartyOrg | None = org
    while current is not None and current.id not in out:
        out.add(current.id)
        current = s.get(PartyOrg, current.parent_id) if current.parent_id else None
    return out


def _follow_group(s: Session, group: PartyOrg) -> None:
    """A 党小组 moved to another branch takes its members along: their 所在支部 becomes the new branch."""
    above = _ancestor_ids(s, group)
    branch = _get_org(s, group.parent_id)  # type: ignore[arg-type]  # a group always has a parent
    for m in s.scalars(select(PartyMember).where(PartyMember.group_id == group.id, PartyMember.left_on.is_(None))):
        if m.org_id in above:
            continue
        before = audit.snapshot(m, ("org_id", "group_id"))
        m.org_id = branch.id
        s.flush()
        audit.record_change(s, group.unit_id, "party_member", m.id,
                            f"{m.resident.name}：所在支部随{group.name}调整为{branch.name}", before,
                            audit.snapshot(m, ("org_id", "group_id")))


def members_in(s: Session, org_id: int) -> int:
    """党员 and people in the pipeline (not left) whose 所在支部 or 党小组 is the org or one under it."""
    ids = descendant_ids(s, org_id)
    return _count(s, select(func.count(PartyMember.id)).where(
        or_(PartyMember.org_id.in_(ids), PartyMember.group_id.in_(ids)), PartyMember.left_on.is_(None)))


def parent_choices(s: Session, org_id: int) -> list[OrgNode]:
    """Where the org may be moved (「移到…」): open orgs outside its own subtree that may hold its kind.

    Its present parent is left out. Whether it may become a top org: `org.kind not in GROUP_KINDS`.
    """
    org = _get_org(s, org_id)
    below = descendant_ids(s, org_id)
    return [n for n in list_org_tree(s, org.unit_id)
            if n.id not in below and n.id != org.parent_id and n.kind not in GROUP_KINDS
            and (org.kind not in GROUP_KINDS or n.kind in BRANCH_KINDS)]


def move_org(s: Session, org_id: int, new_parent_id: int | None) -> None:
    """Put an org under another (None: make it a root). Refused under itself or its own descendants."""
    access.require_role(s, "admin", action="调整党组织隶属关系")
    data = org_input(s, org_id)
    data.parent_id = new_parent_id
    update_org(s, org_id, data)


def close_org(s: Session, org_id: int, on: date, reason: str) -> None:
    """撤销. Refused while it or an org under it has members (any stage, not left) or open sub-organisations.

    Its open 联建 and the participation of other branches' members (OrgMembership) end on the same day.
    """
    access.require_role(s, "admin", action="撤销党组织")
    org = _get_org(s, org_id)
    p = Problems()
    if org.closed_on is not None:
        p.add("closed_on", "撤销日期", f"该组织已于 {org.closed_on.isoformat()} 撤销")
    if on is None:
        p.add("closed_on", "撤销日期", "请填写撤销日期")
    elif org.established_on is not None and on < org.established_on:
        p.add("closed_on", "撤销日期", f"不能早于成立日期（{org.established_on.isoformat()}）")
    reason = p.text("close_reason", "撤销原因", reason, required=True)
    n = members_in(s, org.id)
    if n:
        p.add("closed_on", "撤销日期", f"该组织还有 {n} 名党员（含入党申请人等），请先转出或调整到其他组织")
    n = _count(s, select(func.count(PartyOrg.id)).where(PartyOrg.parent_id == org.id, PartyOrg.closed_on.is_(None)))
    if n:
        p.add("closed_on", "撤销日期", f"该组织还有 {n} 个下级组织未撤销")
    p.raise_if_any()
    org.closed_on, org.close_reason = on, reason
    for partner in s.scalars(select(OrgPartner).where(OrgPartner.org_id == org.id, OrgPartner.until.is_(None))):
        partner.until = max(on, partner.since) if partner.since else on
        audit.record(s, org.unit_id, "close", "org_partner", partner.id, f"结束联建：{partner.name}（{org.name}撤销）")
    for ms in s.scalars(select(OrgMembership).where(OrgMembership.org_id == org.id, OrgMembership.until.is_(None))):
        ms.until = max(on, ms.since) if ms.since else on
        audit.record(s, org.unit_id, "close", "org_membership", ms.id,
                     f"{ms.member.resident.name} 不再参加{org.name}（该组织撤销）")
    s.flush()
    audit.record(s, org.unit_id, "close", "party_org", org.id, f"撤销党组织：{org.name}（{reason}）")


def add_partner(s: Session, org_id: int, name: str, kind: str, since: date | None = None, note: str = "") -> int:
    """联建: a partner village, company or school (村村/村企/村校 …)."""
    access.require_role(s, *access.ENTRY_ROLES, action="登记联建单位")
    org = _get_org(s, org_id)
    p = Problems()
    name = p.text("name", "联建单位", name, required=True, max_len=80)
    kind = p.choice("kind", "联建类型", kind, PARTNER_KINDS, required=True)
    if org.closed_on is not None:
        p.add("org_id", "党组织", f"{org.name} 已撤销")
    p.raise_if_any()
    partner = OrgPartner(org_id=org_id, name=name, kind=kind, since=since, note=note.strip())
    s.add(partner)
    s.flush()
    audit.record(s, org.unit_id, "create", "org_partner", partner.id, f"{org.name} 联建（{kind}）：{name}")
    return partner.id


def list_partners(s: Session, org_id: int, include_ended: bool = False) -> list[PartnerRow]:
    stmt = select(OrgPartner).where(OrgPartner.org_id == org_id).order_by(OrgPartner.since, OrgPartner.id)
    if not include_ended:
        stmt = stmt.where(OrgPartner.until.is_(None))
    return [PartnerRow(x.id, x.org_id, x.name, x.kind, x.since, x.until, x.note) for x in s.scalars(stmt)]


def end_partner(s: Session, partner_id: int, on: date) -> None:
    access.require_role(s, *access.ENTRY_ROLES, action="结束联建")
    partner = s.get(OrgPartner, partner_id)
    if partner is None:
        raise NotFound("找不到该联建单位")
    p = Problems()
    check_term_end(p, "until", "结束日期", partner.until, on, partner.since, "联建开始日期")
    p.raise_if_any()
    partner.until = on
    s.flush()
    audit.record(s, partner.org.unit_id, "close", "org_partner", partner.id, f"结束联建：{partner.name}")


__all__ = [
    "BRANCH_KINDS", "CROSS_BRANCH_KINDS", "GROUP_KINDS", "OrgInfo", "OrgInput", "OrgNode", "PartnerRow",
    "add_partner", "close_org", "create_org", "descendant_ids", "end_partner", "get_org", "list_org_tree",
    "list_partners", "members_in", "move_org", "org_input", "parent_choices", "update_org",
]
