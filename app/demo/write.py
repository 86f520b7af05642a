"""Writing a demo plan to the database with bulk inserts (fast), and counting what was written."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from app.models import (
    AuditEntry,
    Base,
    Grid,
    GridPost,
    Household,
    MemberContact,
    MemberPost,
    Operator,
    OrgPartner,
    PartyMember,
    PartyOrg,
    Resident,
    Tag,
    Unit,
    household_tags,
)
from app.models.people import DEFAULT_HOUSEHOLD_TAGS
from app.text import name_initials, name_pinyin

from ..services import audit
from .facts import COUNTY, OBJECTION_BOX, TOWNSHIP, UNIT_NAME
from .plan import _OrgPlan, _Plan
from .summary import DemoSummary


def _insert_ids(s: Session, model: type[Base], rows: list[dict[str, Any]]) -> list[int]:
    if not rows:
        return []
    stmt = insert(model).returning(model.id, sort_by_parameter_order=True)  # type: ignore[attr-defined]
    return list(s.scalars(stmt, rows))


def _write(s: Session, plan: _Plan) -> DemoSummary:
    secretary = plan.persons[plan.secretary]
    unit = Unit(
        name=UNIT_NAME, kind="村", township=TOWNSHIP, county=COUNTY,
        contact_person=secretary.name, contact_phone=secretary.phone, objection_box=OBJECTION_BOX,
        committee_phone="0316-5218866",  # the office's 座机 on the 便民服务卡, not the 书记's mobile
        notice_days=5, notice_workdays=False, is_demo=True,
    )
    s.add(unit)
    s.flush()
    uid = unit.id
    operator_ids = _insert_ids(
        s, Operator, [{"unit_id": uid, "username": "admin", "display_name": "村书记", "role": "admin",
                       "password_hash": None, "active": True}]
    )
    tag_ids = dict(zip(
        DEFAULT_HOUSEHOLD_TAGS,
        _insert_ids(s, Tag, [{"unit_id": uid, "name": t, "sort_order": i} for i, t in enumerate(DEFAULT_HOUSEHOLD_TAGS)]),
        strict=True,
    ))

    # Grids first (parents, then micro-grids), households point at their micro-grid.
    grid_ids: list[int] = [0] * len(plan.grids)
    for level in (False, True):
        idx = [i for i, g in enumerate(plan.grids) if (g.parent is not None) == level]
        rows = [
            {
                "unit_id": uid, "parent_id": grid_ids[g.parent] if g.parent is not None else None,
                "code": g.code, "name": g.name, "kind": "普通", "color": g.color, "polygon": g.polygon,
                "sort_order": g.sort_order, "note": "",
            }
            for g in (plan.grids[i] for i in idx)
        ]
        for i, new_id in zip(idx, _insert_ids(s, Grid, rows), strict=True):
            grid_ids[i] = new_id

    house_ids = _insert_ids(s, Household, [
        {"unit_id": uid, "number": h.number, "address": h.address, "grid_id": grid_ids[h.micro],
         "map_x": h.x, "map_y": h.y, "note": ""}
        for h in plan.houses
    ])
    tag_rows = [{"household_id": house_ids[h.idx], "tag_id": tag_ids[t]} for h in plan.houses for t in h.tags]
    if tag_rows:
        s.execute(household_tags.insert(), tag_rows)

    person_ids = _insert_ids(s, Resident, [
        {
            "unit_id": uid, "name": p.name, "name_initials": name_initials(p.name),
            "name_pinyin": name_pinyin(p.name), "gender": p.gender, "ethnicity": p.ethnicity,
            "id_number": p.id_number, "birth_date": p.birth, "phone": p.phone,
            "household_id": house_ids[p.house], "relation": p.relation, "education": p.education,
            "status": p.status, "status_date": p.status_date, "status_note": p.status_note, "note": "",
        }
        for p in plan.persons
    ])

    org_ids: list[int] = [0] * len(plan.orgs)
    for depth in range(3):  # parents before children
        idx = [i for i, o in enumerate(plan.orgs) if _org_depth(plan.orgs, i) == depth]
        rows = [
            {"unit_id": uid, "parent_id": org_ids[o.parent] if o.parent is not None else None, "name": o.name,
             "kind": o.kind, "code": o.code, "established_on": o.established_on, "sort_order": o.sort_order,
             "note": o.note}
            for o in (plan.orgs[i] for i in idx)
        ]
        for i, new_id in zip(idx, _insert_ids(s, PartyOrg, rows), strict=True):
            org_ids[i] = new_id
    _insert_ids(s, OrgPartner, [
        {"org_id": org_ids[o], "name": name, "kind": kind, "since": since, "note": note}
        for o, name, kind, since, note in plan.partners
    ])

    member_ids = _insert_ids(s, PartyMember, [
        {
            "resident_id": person_ids[m.person], "org_id": org_ids[m.org],
            "group_id": org_ids[m.group] if m.group is not None else None, "stage": m.stage,
            "applied_on": m.applied_on, "activist_on": m.activist_on, "candidate_on": m.candidate_on,
            "joined_on": m.joined_on, "confirmed_on": m.confirmed_on, "member_type": m.member_type,
            "points_category": m.points_category, "flow_out_place": m.flow_out_place,
            "dual_report_unit": m.dual_report_unit, "note": m.note,
        }
        for m in plan.members
    ])
    _insert_ids(s, MemberPost, [
        {"member_id": member_ids[k], "org_id": org_ids[o], "post": post, "start_on": start, "note": note}
        for k, o, post, start, note in plan.member_posts
    ])
    _insert_ids(s, MemberContact, [
        {"member_id": member_ids[k], "household_id": house_ids[h], "since": since, "note": ""}
        for k, h, since in plan.contacts
    ])
    _insert_ids(s, GridPost, [
        {"grid_id": grid_ids[g], "post": post, "resident_id": person_ids[p],
         "person_name": plan.persons[p].name, "phone": plan.persons[p].phone, "start_on": start, "note": note}
        for g, post, p, start, note in plan.grid_posts
    ])
    s.add(AuditEntry(
        unit_id=uid, operator_id=operator_ids[0], action="demo", entity="unit", entity_id=uid,
        summary=f"生成演示村：{TOWNSHIP}{UNIT_NAME}",
    ))
    # the operator's digest in the log, as for one added in 设置 (else `check` reports it)
    audit.record(s, uid, "create", "operator", operator_ids[0], "新增操作员：村书记（书记(管理员)）",
                 audit.operator_detail(s, operator_ids[0]))
    s.flush()

    statuses = [p.status for p in plan.persons]
    stages = [m.stage for m in plan.members]
    return DemoSummary(
        unit_name=UNIT_NAME,
        residents=len(plan.persons),
        residents_registered=statuses.count("在册"),
        residents_away=statuses.count("外出务工"),
        residents_moved_out=statuses.count("迁出"),
        residents_deceased=statuses.count("死亡"),
        households=len(plan.houses),
        tagged_households=sum(1 for h in plan.houses if h.tags),
        members=stages.count("正式党员") + stages.count("预备党员"),
        members_full=stages.count("正式党员"),
        members_probationary=stages.count("预备党员"),
        pipeline=sum(1 for st in stages if st not in ("正式党员", "预备党员")),
        orgs=len(plan.orgs),
        grids=sum(1 for g in plan.grids if g.parent is None),
        micro_grids=sum(1 for g in plan.grids if g.parent is not None),
        grid_posts=len(plan.grid_posts),
        member_posts=len(plan.member_posts),
        contacts=len(plan.contacts),
    )


def _org_depth(orgs: list[_OrgPlan], i: int) -> int:
    depth = 0
    parent = orgs[i].parent
    while parent is not None:
        depth += 1
        parent = orgs[parent].parent
    return depth
