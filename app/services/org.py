"""党组织 tree, 联建 partners, 党员 roster with the 发展党员 pipeline, posts and 党员联系户.

Nothing is deleted: organisations are closed (撤销), members leave (转出/死亡 …) with a date.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from app.models import Household, MemberContact, MemberPost, OrgPartner, PartyMember, PartyOrg, Resident
from app.models.org import (
    LEFT_KINDS,
    MANAGEMENT_BY_TYPE,
    MEMBER_STAGES,
    MEMBER_TYPES,
    ORG_KINDS,
    PARTNER_KINDS,
    POINTS_CATEGORIES,
    POSTS,
    STAGES,
)
from app.models.people import HEAD_RELATION

from . import access, audit
from .errors import NotFound, ServiceError
from .people import ACTIVE_STATUSES, check_person, find_resident_by_id_number, resident_search
from .search import unit_scan
from .validation import (
    InvalidValue,
    Problems,
    add_years,
    age_on,
    check_date_order,
    check_id_number,
    check_term_end,
)

BRANCH_KINDS = ("党支部", "联合党支部", "党总支")  # a member's 所在支部 (org_id)
GROUP_KINDS = ("党小组", "功能型党小组")  # a member's 党小组 (group_id); they have no sub-organisations
PIPELINE_STAGES = STAGES[:3]  # 申请入党, 入党积极分子, 发展对象
STAGE_DATE = {
    "申请入党": "applied_on", "入党积极分子": "activist_on", "发展对象": "candidate_on",
    "预备党员": "joined_on", "正式党员": "confirmed_on",
}
DATE_LABELS = {
    "applied_on": "申请入党日期", "activist_on": "确定为积极分子日期", "candidate_on": "确定为发展对象日期",
    "joined_on": "入党日期", "confirmed_on": "转正日期",
}
MIN_APPLY_AGE = 18

# ================================================================ 党组织


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


def descendant_ids(s: Session, org_id: int, include_self: bool = True) -> set[int]:
    """The org and everything under it (a village has tens of orgs: done in Python)."""
    org = _get_org(s, org_id)
    children = _children_map(_orgs(s, org.unit_id))
    out, todo = set(), [org_id]
    while todo:
        current = todo.pop()
        out.add(current)
        todo.extend(c.id for c in children.get(current, []))
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
    if kind in GROUP_KINDS:
        n = _count(s, select(func.count(PartyOrg.id)).where(PartyOrg.parent_id == org.id, PartyOrg.closed_on.is_(None)))
        if n:
            p.add("kind", "组织类别", f"该组织下还有 {n} 个下级组织，不能改为{kind}")
    if kind not in BRANCH_KINDS:
        n = _count(s, select(func.count(PartyMember.id)).where(PartyMember.org_id == org.id, PartyMember.left_on.is_(None)))
        if n:
            p.add("kind", "组织类别", f"有 {n} 名党员以该组织为所在支部，不能改为{kind}")
    if kind not in GROUP_KINDS:
        n = _count(s, select(func.count(PartyMember.id)).where(PartyMember.group_id == org.id, PartyMember.left_on.is_(None)))
        if n:
            p.add("kind", "组织类别", f"有 {n} 名党员编在该党小组，不能改为{kind}")


ORG_AUDIT_FIELDS = ("name", "kind", "code", "parent_id", "established_on", "sort_order", "note")


def create_org(s: Session, unit_id: int, data: OrgInput) -> int:
    access.require_role(s, *access.ENTRY_ROLES, action="新建党组织")
    p = Problems()
    name, code = _check_org(s, unit_id, data, p, None)
    p.raise_if_any()
    org = PartyOrg(unit_id=unit_id, parent_id=data.parent_id, name=name, kind=data.kind, code=code,
                   established_on=data.established_on, sort_order=data.sort_order, note=data.note.strip())
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
    p.raise_if_any()
    before = audit.snapshot(org, ORG_AUDIT_FIELDS)
    org.name, org.kind, org.code, org.parent_id = name, data.kind, code, data.parent_id
    org.established_on, org.sort_order, org.note = data.established_on, data.sort_order, data.note.strip()
    s.flush()
    audit.record_change(s, org.unit_id, "party_org", org.id, f"修改党组织：{name}", before,
                        audit.snapshot(org, ORG_AUDIT_FIELDS))


def move_org(s: Session, org_id: int, new_parent_id: int | None) -> None:
    """Put an org under another (None: make it a root). Refused under itself or its own descendants."""
    access.require_role(s, "admin", action="调整党组织隶属关系")
    data = org_input(s, org_id)
    data.parent_id = new_parent_id
    update_org(s, org_id, data)


def close_org(s: Session, org_id: int, on: date, reason: str) -> None:
    """撤销. Refused while it has members (any stage, not left) or open sub-organisations."""
    access.require_role(s, "admin", action="撤销党组织")
    org = _get_org(s, org_id)
    p = Problems()
    if org.closed_on is not None:
        p.add("closed_on", "撤销日期", f"该组织已于 {org.closed_on.isoformat()} 撤销")
    if on is None:
        p.add("closed_on", "撤销日期", "请填写撤销日期")
    reason = p.text("close_reason", "撤销原因", reason, required=True)
    n = _count(s, select(func.count(PartyMember.id)).where(
        or_(PartyMember.org_id == org.id, PartyMember.group_id == org.id), PartyMember.left_on.is_(None)))
    if n:
        p.add("closed_on", "撤销日期", f"该组织还有 {n} 名党员（含入党申请人等），请先转出或调整到其他组织")
    n = _count(s, select(func.count(PartyOrg.id)).where(PartyOrg.parent_id == org.id, PartyOrg.closed_on.is_(None)))
    if n:
        p.add("closed_on", "撤销日期", f"该组织还有 {n} 个下级组织未撤销")
    p.raise_if_any()
    org.closed_on, org.close_reason = on, reason
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


# ================================================================ 党员


@dataclass(frozen=True)
class MemberRow:
    id: int
    resident_id: int
    name: str
    gender: str | None
    age: int | None
    birth_date: date | None
    id_number: str | None
    phone: str
    education: str
    org_id: int
    org_name: str
    group_id: int | None
    group_name: str | None
    stage: str
    joined_on: date | None
    confirmed_on: date | None
    member_type: str
    management: str  # from MANAGEMENT_BY_TYPE
    points_category: str
    posts: str  # current posts, e.g. "书记，党小组长"
    left_on: date | None
    left_kind: str | None


@dataclass(frozen=True)
class PostRow:
    id: int
    org_id: int
    org_name: str
    post: str
    start_on: date | None
    end_on: date | None


@dataclass(frozen=True)
class ContactRow:
    id: int
    household_id: int
    household_number: str
    head_name: str | None
    address: str
    since: date
    until: date | None


@dataclass(frozen=True)
class MemberDetail:
    row: MemberRow
    ethnicity: str
    applied_on: date | None
    activist_on: date | None
    candidate_on: date | None
    flow_out_place: str
    dual_report_unit: str
    note: str
    left_reason: str
    posts: list[PostRow]  # all, current and ended, newest first
    contacts: list[ContactRow]  # all, current first


@dataclass
class MemberQuery:
    unit_id: int
    org_id: int | None = None  # this org and everything under it (as 所在支部 or 党小组)
    stage: str | None = None  # one of STAGES, "members" (正式+预备) or "pipeline" (申请…发展对象)
    member_type: str | None = None
    points_category: str | None = None
    text: str = ""
    include_left: bool = False
    # name | id_number | birth_date | age | gender | org | stage | joined_on | confirmed_on |
    # member_type | points_category | left_on | id
    order_by: str = "name"
    descending: bool = False


@dataclass
class MemberInput:
    name: str
    id_number: str
    gender: str | None = None  # derived from the 身份证号 when empty
    birth_date: date | None = None  # derived from the 身份证号 when empty
    phone: str = ""
    education: str = ""
    ethnicity: str = "汉族"
    org_id: int | None = None  # required: a 党支部/联合党支部/党总支
    group_id: int | None = None
    stage: str = "正式党员"
    applied_on: date | None = None
    activist_on: date | None = None
    candidate_on: date | None = None
    joined_on: date | None = None
    confirmed_on: date | None = None
    member_type: str = "农民"
    points_category: str = "在职"
    flow_out_place: str = ""
    dual_report_unit: str = ""
    note: str = ""


_Org = aliased(PartyOrg, name="org")
_Group = aliased(PartyOrg, name="grp")


def _member_select() -> Select[Any]:
    return (
        select(
            PartyMember, Resident.name, Resident.gender, Resident.birth_date, Resident.id_number, Resident.phone,
            Resident.education, Resident.ethnicity, _Org.name.label("org_name"), _Group.name.label("group_name"),
        )
        .join(Resident, Resident.id == PartyMember.resident_id)
        .join(_Org, _Org.id == PartyMember.org_id)
        .outerjoin(_Group, _Group.id == PartyMember.group_id)
    )


def _member_where(s: Session, q: MemberQuery) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [unit_scan(s, Resident.unit_id, q.unit_id)]
    if q.org_id is not None:
        ids = descendant_ids(s, q.org_id)
        where.append(or_(PartyMember.org_id.in_(ids), PartyMember.group_id.in_(ids)))
    if q.stage == "members":
        where.append(PartyMember.stage.in_(MEMBER_STAGES))
    elif q.stage == "pipeline":
        where.append(PartyMember.stage.in_(PIPELINE_STAGES))
    elif q.stage:
        where.append(PartyMember.stage == q.stage)
    if q.member_type:
        where.append(PartyMember.member_type == q.member_type)
    if q.points_category:
        where.append(PartyMember.points_category == q.points_category)
    if not q.include_left:
        where.append(PartyMember.left_on.is_(None))
    cond = resident_search(q.text)
    if cond is not None:
        where.append(cond)
    return where


_STAGE_RANK = case({st: i for i, st in enumerate(STAGES)}, value=PartyMember.stage)
_MEMBER_ORDER: dict[str, tuple[Any, ...]] = {
    "name": (Resident.name_pinyin, Resident.name),
    "id_number": (Resident.id_number,),
    "birth_date": (Resident.birth_date,),
    "gender": (Resident.gender,),
    "org": (_Org.sort_order, _Org.name, _Group.sort_order, _Group.name),
    "stage": (_STAGE_RANK,),
    "joined_on": (PartyMember.joined_on,),
    "confirmed_on": (PartyMember.confirmed_on,),
    "member_type": (PartyMember.member_type,),
    "points_category": (PartyMember.points_category,),
    "left_on": (PartyMember.left_on,),
    "id": (),
}


def _open_posts(s: Session, member_ids: Sequence[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    if member_ids:
        rows = s.execute(
            select(MemberPost.member_id, MemberPost.post)
            .where(MemberPost.member_id.in_(member_ids), MemberPost.end_on.is_(None))
            .order_by(MemberPost.start_on, MemberPost.id)
        )
        for mid, post in rows:
            out.setdefault(mid, []).append(post)
    return out


def _member_rows(s: Session, rows: Sequence[Any]) -> list[MemberRow]:
    posts = _open_posts(s, [r.PartyMember.id for r in rows])
    today, masked = date.today(), access.is_grid_staff(s)
    out = []
    for r in rows:
        m: PartyMember = r.PartyMember
        out.append(MemberRow(
            id=m.id, resident_id=m.resident_id, name=r.name, gender=r.gender,
            age=age_on(r.birth_date, today) if r.birth_date else None, birth_date=r.birth_date,
            id_number=access.id_for_display(r.id_number, masked), phone=r.phone, education=r.education,
            org_id=m.org_id, org_name=r.org_name,
            group_id=m.group_id, group_name=r.group_name, stage=m.stage, joined_on=m.joined_on,
            confirmed_on=m.confirmed_on, member_type=m.member_type,
            management=MANAGEMENT_BY_TYPE.get(m.member_type, ""), points_category=m.points_category,
            posts="，".join(posts.get(m.id, [])), left_on=m.left_on, left_kind=m.left_kind,
        ))
    return out


def count_members(s: Session, q: MemberQuery) -> int:
    stmt = (
        select(func.count(PartyMember.id)).join(Resident, Resident.id == PartyMember.resident_id)
        .where(*_member_where(s, q))
    )
    return s.scalar(stmt) or 0


def list_members(s: Session, q: MemberQuery, offset: int = 0, limit: int = 200) -> list[MemberRow]:
    if q.order_by == "age":
        cols, desc = (Resident.birth_date,), not q.descending
    elif q.order_by in _MEMBER_ORDER:
        cols, desc = _MEMBER_ORDER[q.order_by], q.descending
    else:
        raise ServiceError(f"不能按“{q.order_by}”排序")
    order = [(c.desc() if desc else c.asc()).nulls_last() for c in cols]
    order.append(PartyMember.id.desc() if desc else PartyMember.id.asc())
    stmt = _member_select().where(*_member_where(s, q)).order_by(*order).offset(offset).limit(limit)
    return _member_rows(s, s.execute(stmt).all())


def _get_member(s: Session, member_id: int) -> PartyMember:
    m = s.get(PartyMember, member_id)
    if m is None:
        raise NotFound("找不到该党员")
    return m


def get_member(s: Session, member_id: int) -> MemberDetail:
    r = s.execute(_member_select().where(PartyMember.id == member_id)).first()
    if r is None:
        raise NotFound("找不到该党员")
    row = _member_rows(s, [r])[0]
    m: PartyMember = r.PartyMember
    post_org = aliased(PartyOrg)
    posts = [
        PostRow(p.id, p.org_id, org_name, p.post, p.start_on, p.end_on)
        for p, org_name in s.execute(
            select(MemberPost, post_org.name).join(post_org, post_org.id == MemberPost.org_id)
            .where(MemberPost.member_id == m.id)
            .order_by(MemberPost.end_on.isnot(None), MemberPost.start_on.desc().nulls_last(), MemberPost.id.desc())
        )
    ]
    head = (
        select(Resident.name)
        .where(Resident.household_id == Household.id, Resident.relation == HEAD_RELATION,
               Resident.status.in_(ACTIVE_STATUSES))
        .limit(1).scalar_subquery()
    )
    contacts = [
        ContactRow(c.id, c.household_id, number, head_name, address, c.since, c.until)
        for c, number, address, head_name in s.execute(
            select(MemberContact, Household.number, Household.address, head)
            .join(Household, Household.id == MemberContact.household_id)
            .where(MemberContact.member_id == m.id)
            .order_by(MemberContact.until.isnot(None), Household.number, MemberContact.id)
        )
    ]
    return MemberDetail(
        row=row, ethnicity=r.ethnicity, applied_on=m.applied_on, activist_on=m.activist_on,
        candidate_on=m.candidate_on, flow_out_place=m.flow_out_place, dual_report_unit=m.dual_report_unit,
        note=m.note, left_reason=m.left_reason, posts=posts, contacts=contacts,
    )


def member_input(s: Session, member_id: int) -> MemberInput:
    """The stored values as an input, to prefill an edit dialog."""
    d = get_member(s, member_id)
    r = d.row
    return MemberInput(
        name=r.name, id_number=r.id_number or "", gender=r.gender, birth_date=r.birth_date, phone=r.phone,
        education=r.education, ethnicity=d.ethnicity, org_id=r.org_id, group_id=r.group_id, stage=r.stage,
        applied_on=d.applied_on, activist_on=d.activist_on, candidate_on=d.candidate_on, joined_on=r.joined_on,
        confirmed_on=r.confirmed_on, member_type=r.member_type, points_category=r.points_category,
        flow_out_place=d.flow_out_place, dual_report_unit=d.dual_report_unit, note=d.note,
    )


# ---------------------------------------------------------------- member checks


def _check_pipeline(p: Problems, stage: str, dates: dict[str, date | None], birth: date | None) -> None:
    """Dates in order (申请 ≤ 积极分子 ≤ 发展对象 ≤ 入党 < 转正), 预备期一年, age ≥ 18, none in the future."""
    today = date.today()
    for key, value in dates.items():
        if value is not None and value > today:
            p.add(key, DATE_LABELS[key], "日期晚于今天")
    steps = [(k, DATE_LABELS[k], dates.get(k)) for k in ("applied_on", "activist_on", "candidate_on", "joined_on")]
    check_date_order(p, steps)
    joined, confirmed = dates.get("joined_on"), dates.get("confirmed_on")
    if confirmed is not None:
        if joined is None:
            p.add("joined_on", DATE_LABELS["joined_on"], "已填写转正日期，请同时填写入党日期")
        elif confirmed < add_years(joined, 1):
            p.add("confirmed_on", DATE_LABELS["confirmed_on"],
                  f"预备期为一年：{joined.isoformat()} 入党，最早 {add_years(joined, 1).isoformat()} 才能转正")
    if birth is not None:
        first = next(((k, v) for k, v in dates.items() if v is not None and k != "confirmed_on"), None)
        if first is not None and age_on(birth, first[1]) < MIN_APPLY_AGE:
            p.add(first[0], DATE_LABELS[first[0]],
                  f"{first[1].isoformat()} 时未满{MIN_APPLY_AGE}周岁（出生日期 {birth.isoformat()}），不能申请入党")
    if stage in STAGES:
        rank = STAGES.index(stage)
        needed = "joined_on" if stage == "正式党员" else STAGE_DATE[stage]
        if dates.get(needed) is None:
            p.add(needed, DATE_LABELS[needed], f"{stage}须填写{DATE_LABELS[needed]}")
        for later in STAGES[rank + 1:]:
            key = STAGE_DATE[later]
            if dates.get(key) is not None:
                p.add(key, DATE_LABELS[key], f"当前为{stage}，还不应填写{DATE_LABELS[key]}")


def _is_under(s: Session, org: PartyOrg, ancestor_id: int) -> bool:
    seen: set[int] = set()
    current: PartyOrg | None = org
    while current is not None and current.id not in seen:
        if current.id == ancestor_id:
            return True
        seen.add(current.id)
        current = s.get(PartyOrg, current.parent_id) if current.parent_id else None
    return False


def _check_member(s: Session, unit_id: int, data: MemberInput, p: Problems, birth: date | None) -> dict[str, Any]:
    org = s.get(PartyOrg, data.org_id) if data.org_id is not None else None
    if data.org_id is None:
        p.add("org_id", "所在支部", "请选择所在支部")
    elif org is None or org.unit_id != unit_id:
        p.add("org_id", "所在支部", "所选的组织不存在")
    elif org.kind not in BRANCH_KINDS:
        p.add("org_id", "所在支部", f"{org.name} 是{org.kind}，所在支部应为党支部、联合党支部或党总支")
    elif org.closed_on is not None:
        p.add("org_id", "所在支部", f"{org.name} 已撤销")
    if data.group_id is not None:
        group = s.get(PartyOrg, data.group_id)
        if group is None or group.unit_id != unit_id:
            p.add("group_id", "党小组", "所选的党小组不存在")
        elif group.kind not in GROUP_KINDS:
            p.add("group_id", "党小组", f"{group.name} 是{group.kind}，不是党小组")
        elif group.closed_on is not None:
            p.add("group_id", "党小组", f"{group.name} 已撤销")
        elif org is not None and not _is_under(s, group, org.id):
            p.add("group_id", "党小组", f"{group.name} 不属于 {org.name}")
    stage = p.choice("stage", "阶段", data.stage, STAGES, required=True)
    dates = {k: getattr(data, k) for k in DATE_LABELS}
    _check_pipeline(p, stage, dates, birth)
    member_type = p.choice("member_type", "党员类型", data.member_type, MEMBER_TYPES, required=True)
    points_category = p.choice("points_category", "积分类别", data.points_category, POINTS_CATEGORIES, required=True)
    flow_out_place = p.text("flow_out_place", "流出地", data.flow_out_place, max_len=100)
    if member_type == "流动" and not flow_out_place:
        p.add("flow_out_place", "流出地", "流动党员请填写流出地")
    dual = p.text("dual_report_unit", "双报到单位", data.dual_report_unit, max_len=100)
    return dict(
        org_id=data.org_id, group_id=data.group_id, stage=stage, **dates, member_type=member_type,
        points_category=points_category, flow_out_place=flow_out_place, dual_report_unit=dual,
        note=data.note.strip(),
    )


def _existing_resident(s: Session, unit_id: int, id_number: str) -> Resident | None:
    try:
        number = check_id_number(id_number).number
    except InvalidValue:
        return None  # check_person reports it
    rid = find_resident_by_id_number(s, unit_id, number)
    return s.get(Resident, rid) if rid else None


def add_member(s: Session, unit_id: int, data: MemberInput) -> int:
    """Add a member (or applicant). Links to the resident with this 身份证号, or registers the person."""
    access.require_role(s, *access.ENTRY_ROLES, action="登记党员")
    p = Problems()
    resident = _existing_resident(s, unit_id, data.id_number)
    person = check_person(s, unit_id, data, p, resident_id=resident.id if resident else None, id_required=True)
    if resident is not None:
        if person.name and resident.name != person.name:
            p.add("name", "姓名", f"该身份证号已登记为 {resident.name}，与填写的姓名不符")
        other = s.execute(
            select(PartyMember.id, PartyOrg.name).join(PartyOrg, PartyOrg.id == PartyMember.org_id)
            .where(PartyMember.resident_id == resident.id)
        ).first()
        if other is not None:
            p.add("id_number", "身份证号", f"{resident.name} 已在党员名册中（{other.name}）")
    values = _check_member(s, unit_id, data, p, person.birth_date)
    p.raise_if_any()
    if resident is None:
        resident = Resident(unit_id=unit_id)
        person.apply(resident)
        s.add(resident)
        s.flush()
        audit.record(s, unit_id, "create", "resident", resident.id, f"新增居民：{resident.name}（登记党员时）")
    else:
        # keep what the register knows; only fill in what the member form adds
        for key in ("phone", "education"):
            if getattr(person, key):
                setattr(resident, key, getattr(person, key))
        if data.ethnicity.strip() and data.ethnicity.strip() != "汉族":
            resident.ethnicity = person.ethnicity
        resident.gender = resident.gender or person.gender
        resident.birth_date = resident.birth_date or person.birth_date
    m = PartyMember(resident_id=resident.id, **values)
    s.add(m)
    s.flush()
    audit.record(s, unit_id, "create", "party_member", m.id, f"新增{m.stage}：{resident.name}")
    return m.id


def update_member(s: Session, member_id: int, data: MemberInput) -> None:
    """Correct a member's record (person fields go to the resident). Stage moves: use change_stage."""
    access.require_role(s, *access.ENTRY_ROLES, action="修改党员信息")
    m = _get_member(s, member_id)
    resident = m.resident
    data = replace(data, id_number=access.keep_masked(resident.id_number, data.id_number))
    p = Problems()
    person = check_person(s, resident.unit_id, data, p, resident_id=resident.id, id_required=True)
    values = _check_member(s, resident.unit_id, data, p, person.birth_date)
    p.raise_if_any()
    person_fields = tuple(k for k in vars(person) if k not in ("name_initials", "name_pinyin"))
    before = audit.snapshot(resident, person_fields) | audit.snapshot(m, values)
    person.apply(resident)
    for k, v in values.items():
        setattr(m, k, v)
    s.flush()
    after = audit.snapshot(resident, person_fields) | audit.snapshot(m, values)
    audit.record_change(s, resident.unit_id, "party_member", m.id, f"修改党员信息：{resident.name}", before, after)


def change_stage(s: Session, member_id: int, stage: str, on: date) -> None:
    """Move one step forward in 申请入党 → 入党积极分子 → 发展对象 → 预备党员 → 正式党员, dated `on`.

    预备党员: `on` is the 入党日期; 正式党员: `on` is the 转正日期, at least one year after joining.
    """
    access.require_role(s, *access.ENTRY_ROLES, action="办理党员发展阶段")
    m = _get_member(s, member_id)
    p = Problems()
    if m.left_on is not None:
        p.add("stage", "阶段", f"{m.resident.name} 已于 {m.left_on.isoformat()} {m.left_kind or '离开'}")
    stage = p.choice("stage", "阶段", stage, STAGES, required=True)
    if stage:
        current, target = STAGES.index(m.stage), STAGES.index(stage)
        if target <= current:
            p.add("stage", "阶段", f"已是{m.stage}，不能改回{stage}")
        elif target != current + 1:
            p.add("stage", "阶段", f"请按顺序办理：{m.stage}的下一步是{STAGES[current + 1]}")
    if on is None:
        p.add("stage", "阶段", "请填写日期")
    if p:
        p.raise_if_any()
    key = STAGE_DATE[stage]
    dates = {k: getattr(m, k) for k in DATE_LABELS}
    dates[key] = on
    _check_pipeline(p, stage, dates, m.resident.birth_date)
    p.raise_if_any()
    old, before = m.stage, audit.snapshot(m, ("stage", key))
    m.stage = stage
    setattr(m, key, on)
    s.flush()
    audit.record_change(s, m.resident.unit_id, "party_member", m.id,
                        f"{m.resident.name}：{old} → {stage}（{on.isoformat()}）", before,
                        audit.snapshot(m, ("stage", key)), action="stage")


def transfer_out(s: Session, member_id: int, on: date, kind: str = "转出", reason: str = "") -> None:
    """The member leaves the roster (转出, 死亡 …). The row stays; open posts and 联系户 end on that day."""
    access.require_role(s, *access.ENTRY_ROLES, action="办理党员转出")
    m = _get_member(s, member_id)
    p = Problems()
    if m.left_on is not None:
        p.add("left_on", "离开日期", f"已于 {m.left_on.isoformat()} {m.left_kind or '离开'}")
    if on is None:
        p.add("left_on", "离开日期", "请填写日期")
    elif on > date.today():
        p.add("left_on", "离开日期", "日期晚于今天")
    kind = p.choice("left_kind", "离开方式", kind, LEFT_KINDS, required=True)
    p.raise_if_any()
    m.left_on, m.left_kind, m.left_reason = on, kind, reason.strip()
    for post in m.posts:
        if post.end_on is None:
            post.end_on = on
    for contact in m.contacts:
        if contact.until is None:
            contact.until = on
    s.flush()
    audit.record(s, m.resident.unit_id, "close", "party_member", m.id, f"{m.resident.name} {kind}（{on.isoformat()}）")


# ---------------------------------------------------------------- posts and 联系户


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


__all__ = [
    "BRANCH_KINDS", "GROUP_KINDS", "ContactRow", "MemberDetail", "MemberInput", "MemberQuery", "MemberRow",
    "OrgInfo", "OrgInput", "OrgNode", "PartnerRow", "PostRow", "add_contact", "add_member", "add_partner",
    "add_post", "change_stage", "close_org", "count_members", "create_org", "descendant_ids", "end_contact",
    "end_partner", "end_post", "get_member", "get_org", "list_members", "list_org_tree", "list_partners",
    "member_input", "move_org", "org_input", "transfer_out", "update_member", "update_org",
]
