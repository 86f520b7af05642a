"""党员 roster: queries (list, count, detail) and changes (add, edit, 发展党员 stage moves).

Nothing is deleted: members leave (转出/死亡 …) with a date, in roster_changes.py with 转入 and 恢复. The form
and its checks are in member_checks.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from app.models import Household, MemberContact, MemberPost, PartyMember, PartyOrg, Resident
from app.models.org import MANAGEMENT_BY_TYPE, MEMBER_STAGES, STAGES
from app.models.people import HEAD_RELATION

from .. import access, audit
from ..errors import NotFound, ServiceError, check_version
from ..people.residents import ACTIVE_STATUSES, PersonFields, check_person, resident_search
from ..search import unit_scan
from ..validation import Problems, add_years, age_on
from .member_checks import (
    DATE_LABELS,
    STAGE_DATE,
    MemberInput,
    _check_member,
    _check_pipeline,
    _existing_resident,
)
from .memberships import taking_part
from .tree import descendant_ids

PIPELINE_STAGES = STAGES[:3]  # 申请入党, 入党积极分子, 发展对象
ACTIVIST_YEARS = 1  # 入党积极分子 培养教育考察一年以上 before becoming 发展对象
PROBATION_WARN_DAYS = 30  # the 工作台 warns of a 预备期 ending within this many days (转正 to prepare)
# stage filters beyond the stages themselves: what is due (the 工作台's lines open the list with them)
DUE_FILTERS = {"probation_due": f"预备期{PROBATION_WARN_DAYS}天内届满", "activist_due": "积极分子满一年"}



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
    posts: str  # current posts, e.g. "书记、党小组长" (see posts_text)
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
    note: str = ""  # e.g. a 委员's duties


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
    left_to: str = ""  # 转出: the receiving 党组织
    left_letter_no: str = ""  # 转出: 介绍信编号
    arrived_on: date | None = None  # 转入
    arrived_from: str = ""
    arrived_letter_no: str = ""
    version: int = 1  # the member record's version: the edit dialog passes it back (expected_version)


@dataclass
class MemberQuery:
    unit_id: int
    org_id: int | None = None  # this org and everything under it (as 所在支部 or 党小组)
    stage: str | None = None  # one of STAGES, "members" (正式+预备), "pipeline" (申请…发展对象) or a DUE_FILTERS key
    member_type: str | None = None
    points_category: str | None = None
    text: str = ""
    include_left: bool = False
    # name | id_number | birth_date | age | gender | org | stage | joined_on | confirmed_on |
    # member_type | points_category | left_on | id
    order_by: str = "name"
    descending: bool = False
    on: date | None = None  # "today" of the DUE_FILTERS (tests); None: the clock


def due_condition(kind: str, on: date) -> ColumnElement[bool]:
    """A DUE_FILTERS condition on PartyMember: 预备期 (one year from 入党) ending by on + PROBATION_WARN_DAYS
    (already ended and not yet 转正 included), or 积极分子 for ACTIVIST_YEARS or more (可列为发展对象)."""
    if kind == "probation_due":
        latest = add_years(on + timedelta(days=PROBATION_WARN_DAYS), -1)
        return and_(PartyMember.stage == "预备党员", PartyMember.joined_on <= latest)
    latest = add_years(on, -ACTIVIST_YEARS)
    return and_(PartyMember.stage == "入党积极分子", PartyMember.activist_on <= latest)


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
        where.append(or_(PartyMember.org_id.in_(ids), PartyMember.group_id.in_(ids), taking_part(ids)))
    if q.stage == "members":
        where.append(PartyMember.stage.in_(MEMBER_STAGES))
    elif q.stage == "pipeline":
        where.append(PartyMember.stage.in_(PIPELINE_STAGES))
    elif q.stage in DUE_FILTERS:
        where.append(due_condition(q.stage, q.on or date.today()))
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


def posts_text(posts: Iterable[tuple[str, int, str]], own_org_ids: Iterable[int | None]) -> str:
    """党内职务 as the roster prints it: 书记、组织委员（中共××总支部委员会）.

    posts: (post, org id, org name) in the order taken. The organisation is named where it is not the
    member's own 支部 / 党小组 (own_org_ids), so a 书记 of two organisations reads 「书记、书记（××党委）」,
    never 「书记，书记」; the same post in the same organisation twice is shown once. The roster import
    reads this form back.
    """
    own = set(own_org_ids)
    items = (post if org_id in own else f"{post}（{org_name}）" for post, org_id, org_name in posts)
    return "、".join(dict.fromkeys(items))


def _open_posts(s: Session, member_ids: Sequence[int]) -> dict[int, list[tuple[str, int, str]]]:
    """Each member's current posts: (post, org id, org name), in the order they were taken."""
    out: dict[int, list[tuple[str, int, str]]] = {}
    if member_ids:
        rows = s.execute(
            select(MemberPost.member_id, MemberPost.post, PartyOrg.id, PartyOrg.name)
            .join(PartyOrg, PartyOrg.id == MemberPost.org_id)
            .where(MemberPost.member_id.in_(member_ids), MemberPost.end_on.is_(None))
            .order_by(MemberPost.start_on, MemberPost.id)
        )
        for mid, post, org_id, org_name in rows:
            out.setdefault(mid, []).append((post, org_id, org_name))
    return out


def _member_rows(s: Session, rows: Sequence[Any]) -> list[MemberRow]:
    posts = _open_posts(s, [r.PartyMember.id for r in rows])
    today, masked = date.today(), access.is_grid_staff(s)
    out = []
    for r in rows:
        m: PartyMember = r.PartyMember
        out.append(MemberRow(
            id=m.id, resident_id=m.resident_id, name=r.name, gender=r.gender,
            age=age_on(r.birth_date, today) if r.birth_date else None,
            birth_date=access.birth_for_display(r.birth_date, r.id_number, masked),
            id_number=access.id_for_display(r.id_number, masked), phone=r.phone, education=r.education,
            org_id=m.org_id, org_name=r.org_name,
            group_id=m.group_id, group_name=r.group_name, stage=m.stage, joined_on=m.joined_on,
            confirmed_on=m.confirmed_on, member_type=m.member_type,
            management=MANAGEMENT_BY_TYPE.get(m.member_type, ""), points_category=m.points_category,
            posts=posts_text(posts.get(m.id, []), (m.org_id, m.group_id)), left_on=m.left_on, left_kind=m.left_kind,
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
    elif q.order_by == "id_number":
        cols, desc = access.id_order(Resident.id_number, access.is_grid_staff(s)), q.descending
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
        PostRow(p.id, p.org_id, org_name, p.post, p.start_on, p.end_on, p.note)
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
        left_to=m.left_to, left_letter_no=m.left_letter_no, arrived_on=m.arrived_on, arrived_from=m.arrived_from,
        arrived_letter_no=m.arrived_letter_no, version=m.version,
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

# ---------------------------------------------------------------- changes


def _check_new(s: Session, unit_id: int, data: MemberInput, p: Problems) -> tuple[Resident | None, PersonFields, dict[str, Any]]:
    """add_member's checks: the resident this 身份证号 links to (None: a new person), the person, the member."""
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
    return resident, person, _check_member(s, unit_id, data, p, person.birth_date)


def _check_edit(s: Session, m: PartyMember, data: MemberInput, p: Problems) -> tuple[PersonFields, dict[str, Any]]:
    """update_member's checks (a masked 身份证号 left as shown keeps the stored one): the person, the member."""
    resident = m.resident
    data = replace(data, id_number=access.keep_masked(resident.id_number, data.id_number))
    person = check_person(s, resident.unit_id, data, p, resident_id=resident.id, id_required=True)
    return person, _check_member(s, resident.unit_id, data, p, person.birth_date)


def check_member(s: Session, unit_id: int, data: MemberInput, member_id: int | None = None) -> None:
    """Raise ValidationError with every problem 保存 would find, saving nothing: the 党员 form asks when its own
    check (an unreadable date) already refused, so all problems show at once beside their fields."""
    p = Problems()
    if member_id is None:
        _check_new(s, unit_id, data, p)
    else:
        _check_edit(s, _get_member(s, member_id), data, p)
    p.raise_if_any()


def add_member(s: Session, unit_id: int, data: MemberInput) -> int:
    """Add a member (or applicant). Links to the resident with this 身份证号, or registers the person."""
    access.require_role(s, *access.ENTRY_ROLES, action="登记党员")
    p = Problems()
    resident, person, values = _check_new(s, unit_id, data, p)
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


def update_member(s: Session, member_id: int, data: MemberInput, expected_version: int | None = None) -> None:
    """Correct a member's record (person fields go to the resident). Stage moves: use change_stage.
    expected_version (the version the dialog showed) refuses a save over someone else's change."""
    access.require_role(s, *access.ENTRY_ROLES, action="修改党员信息")
    m = _get_member(s, member_id)
    check_version(m.version, expected_version)
    resident = m.resident
    p = Problems()
    person, values = _check_edit(s, m, data, p)
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
    if on is None and stage in STAGE_DATE:
        p.add(STAGE_DATE[stage], DATE_LABELS[STAGE_DATE[stage]], f"请填写{DATE_LABELS[STAGE_DATE[stage]]}")
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


__all__ = [
    "ContactRow", "MemberDetail", "MemberQuery", "MemberRow", "PostRow", "add_member", "change_stage", "check_member",
    "count_members", "get_member", "list_members", "member_input", "update_member",
]
