"""Row handlers for people: 居民 and 户籍 rows (handle_person), 党员 rows (handle_member)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Household, MemberPost, PartyMember, PartyOrg, Resident
from app.models.org import POSTS
from app.models.people import HEAD_RELATION

from ..errors import ValidationError
from ..org import member_checks, member_posts, members
from ..org import tree as org
from ..people import households
from ..people import residents as people
from ..validation import Problems
from .bulk import _add_resident_later
from .cells import _merge, _person_overlay, check_in_file_duplicate, id_number_of, sheet_date, text
from .fields import norm_member_type, norm_points, norm_post, norm_relation, norm_stage, norm_status
from .names import resolve_area, resolve_org
from .state import Outcome, RunState, Values

# ---------------------------------------------------------------- 居民 and 户


def split_tags(s: Session, unit_id: int, cell: str) -> list[str]:
    """Tag names in a cell: split on 、 , ; and spaces, and on / unless the piece is a tag with a / in its
    name (五保/特困, 优抚对象/军烈属 — as the 居民户籍台账 writes them)."""
    names = {t.name for t in households.list_tags(s, unit_id, include_inactive=True)} if "/" in cell else set()
    out: list[str] = []
    for piece in re.split(r"[、,，;；\s]+", cell):
        if piece:
            out.extend([piece] if piece in names or "/" not in piece else [t for t in piece.split("/") if t])
    return out


def _next_household_number(s: Session, unit_id: int) -> str:
    numbers = s.scalars(select(Household.number).where(Household.unit_id == unit_id)).all()
    digits = [int(n) for n in numbers if n.isdigit()]
    width = max((len(n) for n in numbers if n.isdigit()), default=4)
    return f"{(max(digits) + 1) if digits else 1:0{width}d}"


def _household_for_row(state: RunState, row: int, values: Values, p: Problems, relation: str) -> int | None:
    s, unit_id = state.s, state.unit_id
    number = text(values, "household_number")
    if state.kind == "residents":
        if not number:
            return None
        if number not in state.household_numbers:
            state.read_more = True
            state.household_numbers[number] = s.scalar(
                select(Household.id).where(Household.unit_id == unit_id, Household.number == number))
        hid = state.household_numbers[number]
        if hid is None:
            p.add("household_number", "户号", f"户号 {number} 不存在（导入“户籍（按户导入）”可同时建户）")
        return hid
    # households: by 户号, or a 户主 row opens a household and the rows under it belong to it
    if not number and relation != HEAD_RELATION:
        if state.current_household is not None:
            return state.current_household
        if state.head_failed_row is not None:
            p.add("household_number", "户号", f"本户户主所在的第 {state.head_failed_row} 行有问题，无法确定所属户")
        else:
            p.add("household_number", "户号", "找不到所属户：请填写户号，或把户主排在家庭成员之前")
        return None
    hid = None
    if number:
        hid = s.scalar(select(Household.id).where(Household.unit_id == unit_id, Household.number == number))
    tags = split_tags(s, unit_id, text(values, "tags"))
    grid_id = resolve_area(state, p, text(values, "grid"), text(values, "micro_grid")) if text(values, "grid") else None
    if not text(values, "grid") and text(values, "micro_grid"):
        p.add("grid", "网格", "填写了微网格，请同时填写它所属的网格")
    if p:
        return None
    state.writing()
    if hid is None:
        data = households.HouseholdInput(
            number=number or _next_household_number(s, unit_id), address=text(values, "address"),
            grid_id=grid_id, tag_names=tags,
        )
        try:
            hid = households.add_household(s, unit_id, data)
        except ValidationError as e:
            _merge(p, e)
            return None
        state.journal.add_created("household", hid, row)
    elif state.options.on_existing == "update" and (text(values, "address") or grid_id or tags):
        data = households.household_input(s, hid)
        data.address = text(values, "address") or data.address
        data.grid_id = grid_id or data.grid_id
        data.tag_names = tuple(dict.fromkeys([*data.tag_names, *tags]))
        hh = s.get(Household, hid)
        assert hh is not None
        state.journal.before_update("household", hh, row)
        try:
            households.update_household(s, hid, data)
        except ValidationError as e:
            _merge(p, e)
            return None
    state.pending_household = hid
    return hid


def _existing_resident(state: RunState, values: Values) -> int | None:
    number = id_number_of(values)
    if number is not None:
        found = state.known(number)
        return found.id if found is not None else None
    return None


def _status(values: Values, p: Problems) -> str:
    """人员状态 as the register has it: 在册 or 外出务工 (迁出 / 死亡 need their date: recorded on the resident)."""
    status = norm_status(text(values, "status"))
    if status in people.GONE_STATUSES:
        p.add("status", "人员状态", f"{status}的人员请在居民页登记{status}（须填写日期），不从表格导入")
    elif status and status not in people.ACTIVE_STATUSES:
        p.add("status", "人员状态", f"“{status}”不是人员状态（可选：{'、'.join(people.ACTIVE_STATUSES)}）")
    return status


def handle_person(state: RunState, row: int, values: Values) -> Outcome:
    """居民 (kind residents) and 户籍 rows (kind households: the household is found or made first)."""
    s = state.s
    p = Problems()
    check_in_file_duplicate(state, row, values, p)
    overlay = _person_overlay(p, values)
    status = _status(values, p)
    relation = norm_relation(text(values, "relation"))
    existing = _existing_resident(state, values)
    if existing is not None and state.options.on_existing != "update":
        p.raise_if_any()
        if state.kind == "households" and relation == HEAD_RELATION:
            resident = s.get(Resident, existing)
            state.pending_household = resident.household_id if resident else None
        return "skip", "已登记，跳过"
    household_id = _household_for_row(state, row, values, p, relation)
    p.raise_if_any()
    if existing is None:
        data = people.ResidentInput(name="")
        for k, v in overlay.items():
            setattr(data, k, v)
        data.household_id, data.relation = household_id, relation
        _add_resident_later(state, row, data, status or "在册")
        return "new", ""
    state.writing()
    data = people.resident_input(s, existing)
    for k, v in overlay.items():
        setattr(data, k, v)
    if household_id is not None:
        data.household_id = household_id
    if relation:
        data.relation = relation
    resident = s.get(Resident, existing)
    assert resident is not None
    state.journal.before_update("resident", resident, row)
    people.update_resident(s, existing, data)
    if status and status != resident.status:
        people.set_resident_status(s, existing, status, date.today(), "导入")
    return "update", "已登记，按表更新"


# ---------------------------------------------------------------- 党员


def _member_fields(state: RunState, values: Values, p: Problems) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if text(values, "org"):
        out["org_id"] = resolve_org(state, p, text(values, "org"), org.BRANCH_KINDS, None, "org", "所在支部")
    if text(values, "group"):
        parent = out.get("org_id")
        out["group_id"] = resolve_org(state, p, text(values, "group"), org.GROUP_KINDS, parent, "group", "党小组")
    for key, label in (("joined_on", "入党日期"), ("confirmed_on", "转正日期")):
        d = sheet_date(p, values, key, label)
        if d is not None:
            out[key] = d
    if text(values, "stage"):
        out["stage"] = norm_stage(text(values, "stage"))
    for key, norm in (("member_type", norm_member_type), ("points_category", norm_points)):
        if text(values, key):
            out[key] = norm(text(values, key))
    for key in ("flow_out_place", "dual_report_unit"):
        if text(values, key):
            out[key] = text(values, key)
    return out


def handle_member(state: RunState, row: int, values: Values) -> Outcome:
    s = state.s
    p = Problems()
    check_in_file_duplicate(state, row, values, p)
    overlay = _person_overlay(p, values)
    member_values = _member_fields(state, values, p)
    rid = _existing_resident(state, values)
    member = s.scalar(select(PartyMember).where(PartyMember.resident_id == rid)) if rid else None
    if member is not None and state.options.on_existing != "update":
        p.raise_if_any()
        return "skip", "已在党员名册中，跳过"
    p.raise_if_any()
    if member is None:
        data = member_checks.MemberInput(name="", id_number="")
        for k, v in {**overlay, **member_values}.items():
            setattr(data, k, v)
        if "stage" not in member_values:
            data.stage = "正式党员" if data.confirmed_on or not data.joined_on else "预备党员"
        resident = s.get(Resident, rid) if rid else None
        if resident is not None:
            state.journal.before_update("resident", resident, row)
        mid = members.add_member(s, state.unit_id, data)
        m = s.get(PartyMember, mid)
        assert m is not None
        m.import_batch_id = state.batch_id
        if resident is None:
            new_resident = s.get(Resident, m.resident_id)
            assert new_resident is not None
            new_resident.import_batch_id = state.batch_id
            state.journal.add_created("resident", m.resident_id, row)
        state.journal.add_created("party_member", mid, row)
        _appoint_posts(state, row, m, text(values, "posts"))
        return "new", "" if resident is None else "已有居民信息，登记为党员"
    data = members.member_input(s, member.id)
    for k, v in {**overlay, **member_values}.items():
        setattr(data, k, v)
    state.journal.before_update("party_member", member, row)
    state.journal.before_update("resident", member.resident, row)
    members.update_member(s, member.id, data)
    _appoint_posts(state, row, member, text(values, "posts"))
    return "update", "已在党员名册中，按表更新"


_POST_ITEM = re.compile(r"([^、,，;；（(]+)(?:[（(]([^）)]*)[）)])?")


def _appoint_posts(state: RunState, row: int, m: PartyMember, cell: str) -> None:
    """党内职务 as the 党员花名册 prints it: 书记、组织委员（中共××总支部委员会）. A post without an
    organisation is held in the member's own 支部 (党小组长: their 党小组). The 任职日期 is not in the roster:
    the import date stands for it, with a note saying so."""
    s, p = state.s, Problems()
    wanted: list[tuple[str, int]] = []
    for word, org_name in _POST_ITEM.findall(cell):
        word, org_name = word.strip(), org_name.strip()
        if not word:
            continue
        post = norm_post(word)
        if post not in POSTS:
            p.add("posts", "党内职务", f"“{word}”不是党内职务（可选：{'、'.join(POSTS)}）；其他职务请写在备注中")
            continue
        if org_name:
            found = s.scalars(select(PartyOrg.id).where(
                PartyOrg.unit_id == state.unit_id, PartyOrg.closed_on.is_(None),
                (PartyOrg.name == org_name) | (PartyOrg.code == org_name))).all()
            if len(found) != 1:
                p.add("posts", "党内职务", f"没有名为“{org_name}”的党组织（请先在“党组织”中建立）" if not found
                      else f"有 {len(found)} 个组织都叫“{org_name}”，请写组织代码")
                continue
            wanted.append((post, found[0]))
        elif post == member_posts.GROUP_LEADER:
            if m.group_id is None:
                p.add("posts", "党内职务", "党小组长须同时填写所在党小组")
                continue
            wanted.append((post, m.group_id))
        else:
            wanted.append((post, m.org_id))
    p.raise_if_any()
    held = set(s.execute(select(MemberPost.post, MemberPost.org_id).where(
        MemberPost.member_id == m.id, MemberPost.end_on.is_(None))).all())
    for post, org_id in dict.fromkeys(wanted):
        if (post, org_id) in held:
            continue
        try:
            post_id = member_posts.add_post(s, m.id, org_id, post, date.today(), "由花名册导入，任职日期以任命文件为准")
        except ValidationError as e:
            raise ValidationError([replace(x, field="posts", label="党内职务") for x in e.problems]) from None
        state.journal.add_created("member_post", post_id, row)
