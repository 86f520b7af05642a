"""The first start's set-up: the village, its top 党组织 and its 书记, in one transaction.

found_village creates the Unit (founding.create_unit), the top 党组织 (org.tree.create_org), the 书记 as
a 正式党员 of it (org.members.add_member) and the post 书记 (org.member_posts.add_post). Called through
AppContext.call, it runs in one transaction: if any step refuses, nothing is written. Problems come
back under the form's own field names (VillageSetup), so the dialog shows each beside its field.

A 党委 has no members of its own (a member's 所在支部 is a 党支部, 联合党支部 or 党总支): for a 党委 the
set-up also creates the 党支部 the 书记 belongs to (branch_name).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from sqlalchemy.orm import Session

from .. import access
from ..errors import FieldProblem, ValidationError
from ..org import member_posts, members, tree
from ..org.member_checks import MemberInput
from ..units import check_distinct_phones, check_fields
from ..validation import Problems
from . import founding

TOP_ORG_KINDS = ("党委", "党总支", "党支部")  # what a village's top 党组织 is
SECRETARY = "书记"

R = TypeVar("R")


@dataclass
class VillageSetup:
    """The set-up form. Required: name, kind, org_name, org_kind, the 书记's name, 身份证号, 入党日期 and
    任职日期, and branch_name when org_kind is 党委. The rest may be filled in later (设置 → 本村信息与公示)."""

    name: str
    kind: str = "村"
    township: str = ""
    county: str = ""
    org_name: str = ""  # e.g. 中共东坟村支部委员会
    org_kind: str = "党支部"  # one of TOP_ORG_KINDS
    branch_name: str = ""  # 党委 only: the 党支部 the 书记 belongs to
    secretary_name: str = ""
    secretary_id_number: str = ""
    secretary_phone: str = ""
    secretary_joined_on: date | None = None  # 入党日期 (a 正式党员 has one)
    secretary_since: date | None = None  # 任职日期 (任书记 from)
    contact_person: str = ""  # 公示联系人
    contact_phone: str = ""  # 公示联系电话
    committee_phone: str = ""  # 村委会电话 (another number)


# What each service calls a field → the form's field (unknown fields go to the last entry's "*").
_ORG_FIELDS = {"name": "org_name", "kind": "org_kind", "*": "org_name"}
_BRANCH_FIELDS = {"*": "branch_name"}
_MEMBER_FIELDS = {
    "name": "secretary_name", "id_number": "secretary_id_number", "gender": "secretary_id_number",
    "birth_date": "secretary_id_number", "phone": "secretary_phone", "joined_on": "secretary_joined_on",
    "*": "secretary_joined_on",
}
_POST_FIELDS = {"*": "secretary_since"}


def found_village(s: Session, data: VillageSetup) -> int:
    """Create the village with its top 党组织 and 书记; returns the unit id. Refused if a village exists."""
    access.require_role(s, "admin", action="新建本村")
    founding.ensure_blank(s)
    _precheck(data)
    unit_id = founding.create_unit(
        s, data.name, township=data.township, county=data.county, kind=data.kind,
        contact_person=data.contact_person, contact_phone=data.contact_phone, committee_phone=data.committee_phone,
    )
    top = _step(_ORG_FIELDS, tree.create_org, s, unit_id, tree.OrgInput(data.org_name, data.org_kind))
    branch = top
    if data.org_kind == "党委":
        branch = _step(_BRANCH_FIELDS, tree.create_org, s, unit_id,
                       tree.OrgInput(data.branch_name, "党支部", parent_id=top))
    member = MemberInput(data.secretary_name, data.secretary_id_number, phone=data.secretary_phone, org_id=branch,
                         stage="正式党员", joined_on=data.secretary_joined_on)
    member_id = _step(_MEMBER_FIELDS, members.add_member, s, unit_id, member)
    _step(_POST_FIELDS, member_posts.add_post, s, member_id, top, SECRETARY, data.secretary_since)
    return unit_id


def _precheck(data: VillageSetup) -> None:
    """Every problem the form itself shows at once; the services check the rest (age, dates …) after."""
    p = Problems()
    values = check_fields(p, {
        "name": data.name, "township": data.township, "county": data.county, "kind": data.kind,
        "contact_person": data.contact_person, "contact_phone": data.contact_phone,
        "committee_phone": data.committee_phone,
    })
    check_distinct_phones(p, values.get("contact_phone"), values.get("committee_phone"))
    p.text("org_name", "党组织名称", data.org_name, required=True, max_len=80)
    p.choice("org_kind", "党组织类别", data.org_kind, TOP_ORG_KINDS, required=True)
    if data.org_kind == "党委":
        p.text("branch_name", "书记所在党支部", data.branch_name, required=True, max_len=80)
    p.text("secretary_name", "书记姓名", data.secretary_name, required=True, max_len=40)
    p.id_number("secretary_id_number", "书记身份证号", data.secretary_id_number, required=True)
    p.phone("secretary_phone", "书记手机号", data.secretary_phone)
    today = date.today()
    for field, label, value in (("secretary_joined_on", "入党日期", data.secretary_joined_on),
                                ("secretary_since", "任职日期", data.secretary_since)):
        if value is None:
            p.add(field, label, f"请填写{label}")
        elif value > today:
            p.add(field, label, "日期晚于今天")
    joined, since = data.secretary_joined_on, data.secretary_since
    if joined is not None and since is not None and since < joined and not p.has("secretary_since"):
        p.add("secretary_since", "任职日期", f"不能早于入党日期（{joined.isoformat()}）")
    p.raise_if_any()


def _step(fields: Mapping[str, str], fn: Callable[..., R], *args: object) -> R:
    """Run one service; its problems are renamed to the form's fields (the transaction is rolled back)."""
    try:
        return fn(*args)
    except ValidationError as e:
        raise ValidationError([
            FieldProblem(fields.get(p.field, fields["*"]), p.label, p.message, p.row) for p in e.problems
        ]) from None
