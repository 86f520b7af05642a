"""Fixtures of the points tests: a village with two branches and four members."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from app.demo.ids import make_id_number
from app.services.org import members
from app.services.org import tree as org
from app.services.org.member_checks import MemberInput
from app.services.org.tree import OrgInput
from app.services.setup import founding


@pytest.fixture
def vid(session: Session) -> int:
    return founding.create_unit(session, "东坟村", "城关街道", "房山区")


@pytest.fixture
def branch(session: Session, vid: int) -> dict[str, int]:
    """第一党支部 (with 第一党小组) and 第二党支部; members 张三 (在职), 李四 (青年), 王五 (退休), 赵六 (在职, 支部2)."""
    t = {"top": org.create_org(session, vid, OrgInput("东坟村党总支", "党总支"))}
    t["b1"] = org.create_org(session, vid, OrgInput("第一党支部", "党支部", t["top"], sort_order=1))
    t["b2"] = org.create_org(session, vid, OrgInput("第二党支部", "党支部", t["top"], sort_order=2))
    t["g1"] = org.create_org(session, vid, OrgInput("第一党小组", "党小组", t["b1"]))
    people = [("张三", "在职", "b1", 11), ("李四", "青年", "b1", 21), ("王五", "退休", "b1", 31), ("赵六", "在职", "b2", 41)]
    for name, cat, b, seq in people:
        data = MemberInput(name, make_id_number("110105", date(1970, 1, 1), seq), org_id=t[b],
                           group_id=t["g1"] if b == "b1" else None, joined_on=date(2000, 7, 1),
                           confirmed_on=date(2001, 7, 1), points_category=cat)
        t[name] = members.add_member(session, vid, data)
    return t
