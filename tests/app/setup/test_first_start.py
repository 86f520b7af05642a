"""The first start's set-up: village, top 党组织 and 书记 in one transaction, problems under the form's fields."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select

from app.db import Database
from app.demo.ids import make_id_number
from app.models import MemberPost, PartyMember, PartyOrg, Resident, Unit
from app.services import units
from app.services.context import AppContext
from app.services.errors import ServiceError, ValidationError
from app.services.org import members, tree
from app.services.org.members import MemberQuery
from app.services.setup import founding
from app.services.setup.first_start import VillageSetup, found_village

SECRETARY_ID = make_id_number("110111", date(1968, 4, 2), 13)


def setup_data(**changes: object) -> VillageSetup:
    data = VillageSetup(
        name="杏花村", kind="村", township="城关镇", county="汾阳县",
        org_name="中共杏花村支部委员会", org_kind="党支部",
        secretary_name="王建国", secretary_id_number=SECRETARY_ID, secretary_phone="13912345678",
        secretary_joined_on=date(1995, 7, 1), secretary_since=date(2021, 1, 15),
        contact_person="李会计", contact_phone="13812345678", committee_phone="0358-7221234",
    )
    return replace(data, **changes)


def counts(db: Database) -> tuple[int, ...]:
    with db.session() as s:
        return tuple(int(s.scalar(select(func.count()).select_from(m)) or 0)
                     for m in (Unit, PartyOrg, Resident, PartyMember, MemberPost))


def test_founds_the_village_with_its_branch_and_secretary(db: Database) -> None:
    ctx = AppContext(db)
    unit_id = ctx.call(found_village, setup_data())
    info = ctx.call(units.get_unit, unit_id)
    assert (info.name, info.township, info.county, info.kind) == ("杏花村", "城关镇", "汾阳县", "村")
    assert (info.contact_person, info.contact_phone, info.committee_phone) == ("李会计", "13812345678", "0358-7221234")
    nodes = ctx.call(tree.list_org_tree, unit_id)
    assert [(n.name, n.kind, n.parent_id) for n in nodes] == [("中共杏花村支部委员会", "党支部", None)]
    roster = ctx.call(members.list_members, MemberQuery(unit_id))
    assert [(m.name, m.stage, m.org_name, m.posts, m.joined_on) for m in roster] == [
        ("王建国", "正式党员", "中共杏花村支部委员会", "书记", date(1995, 7, 1))]
    assert counts(db) == (1, 1, 1, 1, 1)


def test_a_party_committee_gets_the_secretarys_branch_under_it(db: Database) -> None:
    ctx = AppContext(db)
    unit_id = ctx.call(found_village, setup_data(org_name="中共杏花村委员会", org_kind="党委", branch_name="第一党支部"))
    nodes = {n.name: n for n in ctx.call(tree.list_org_tree, unit_id)}
    assert nodes["中共杏花村委员会"].kind == "党委"
    assert nodes["第一党支部"].parent_id == nodes["中共杏花村委员会"].id
    row = ctx.call(members.list_members, MemberQuery(unit_id))[0]
    # a member of the branch who is 书记 of the committee: the post names the org that is not his own
    assert row.org_name == "第一党支部" and row.posts == "书记（中共杏花村委员会）"
    detail = ctx.call(members.get_member, row.id)
    assert [(p.org_name, p.post, p.start_on) for p in detail.posts] == [("中共杏花村委员会", "书记", date(2021, 1, 15))]


def test_every_form_problem_at_once_nothing_written(db: Database) -> None:
    ctx = AppContext(db)
    bad = setup_data(name=" ", org_name="", org_kind="党委", secretary_id_number="110111196804021234",
                     secretary_joined_on=None, secretary_since=date(2999, 1, 1), committee_phone="138 1234 5678")
    with pytest.raises(ValidationError) as e:
        ctx.call(found_village, bad)
    fields = {p.field for p in e.value.problems}
    assert fields == {"name", "org_name", "branch_name", "secretary_id_number", "secretary_joined_on",
                      "secretary_since", "committee_phone"}
    assert "与公示联系电话相同" in e.value.for_field("committee_phone")[0]
    assert counts(db) == (0, 0, 0, 0, 0)


def test_a_refusal_after_the_first_steps_rolls_everything_back(db: Database) -> None:
    ctx = AppContext(db)
    # the form's checks pass; add_member refuses (under 18 when joining) after the unit and org were made
    with pytest.raises(ValidationError) as e:
        ctx.call(found_village, setup_data(secretary_joined_on=date(1980, 1, 1)))
    assert [p.field for p in e.value.problems] == ["secretary_joined_on"]
    assert "未满18周岁" in e.value.problems[0].message
    assert counts(db) == (0, 0, 0, 0, 0)
    assert ctx.call(units.current_unit_id) is None


def test_refused_when_a_village_exists(db: Database) -> None:
    ctx = AppContext(db)
    ctx.call(founding.create_unit, "东坟村", "城关街道", "房山区")
    with pytest.raises(ServiceError, match="数据库中已有村：城关街道东坟村"):
        ctx.call(found_village, setup_data())
    assert counts(db)[:2] == (1, 0)
