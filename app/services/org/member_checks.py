"""The 党员 form (MemberInput) and the checks adding or changing a member runs on it.

Organisation (所在支部, 党小组), the 发展党员 dates in order with 预备期 and age, type and 积分类别.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from app.models import PartyOrg, Resident
from app.models.org import MEMBER_TYPES, POINTS_CATEGORIES, STAGES

from ..people.residents import find_resident_by_id_number
from ..validation import (
    FREE_TEXT_MAX,
    InvalidValue,
    Problems,
    add_years,
    age_on,
    check_date_order,
    check_id_number,
)
from .tree import BRANCH_KINDS, GROUP_KINDS

STAGE_DATE = {
    "申请入党": "applied_on", "入党积极分子": "activist_on", "发展对象": "candidate_on",
    "预备党员": "joined_on", "正式党员": "confirmed_on",
}
DATE_LABELS = {
    "applied_on": "申请入党日期", "activist_on": "确定为积极分子日期", "candidate_on": "确定为发展对象日期",
    "joined_on": "入党日期", "confirmed_on": "转正日期",
}
MIN_APPLY_AGE = 18


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
        note=p.text("note", "备注", data.note, max_len=FREE_TEXT_MAX),
    )


def _existing_resident(s: Session, unit_id: int, id_number: str) -> Resident | None:
    try:
        number = check_id_number(id_number).number
    except InvalidValue:
        return None  # check_person reports it
    rid = find_resident_by_id_number(s, unit_id, number)
    return s.get(Resident, rid) if rid else None


__all__ = ["DATE_LABELS", "MIN_APPLY_AGE", "STAGE_DATE", "MemberInput"]
