"""A blank village with one 党支部 and 党员 of each 党费 category (P1's 党费 tests)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from app.demo.ids import make_id_number
from app.services.org import members
from app.services.org import tree as org
from app.services.org.member_checks import MemberInput
from app.services.org.tree import OrgInput
from app.services.setup import founding


def make_village(s: Session, people: tuple[tuple[str, str], ...] = (
        ("张农", "农民"), ("李职", "在职"), ("王退", "离退休"), ("赵流", "流动"))) -> tuple[int, dict[str, int]]:
    """(unit id, member id by name); 正式党员 since 2000."""
    vid = founding.create_unit(s, "东坟村", "城关街道", "房山区")
    branch = org.create_org(s, vid, OrgInput("东坟村党支部", "党支部"))
    ids = {}
    for i, (name, kind) in enumerate(people):
        data = MemberInput(name, make_id_number("110105", date(1970, 1, 1), 300 + i), org_id=branch,
                           joined_on=date(2000, 7, 1), confirmed_on=date(2001, 7, 1), member_type=kind,
                           flow_out_place="广东省深圳市" if kind == "流动" else "")
        ids[name] = members.add_member(s, vid, data)
    return vid, ids
