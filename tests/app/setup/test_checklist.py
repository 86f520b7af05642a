"""开始使用: each item ticked from the data as the village fills up."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from app.demo.ids import make_id_number
from app.services import units
from app.services.grid import grids
from app.services.org import members, tree
from app.services.org.member_checks import MemberInput
from app.services.people import households, residents
from app.services.people.households import HouseholdInput
from app.services.people.residents import ResidentInput
from app.services.setup import checklist
from app.services.setup.first_start import VillageSetup, found_village


def ticks(s: Session, unit_id: int) -> dict[str, bool]:
    done = {item.key: item.done for item in checklist.checklist(s, unit_id)}
    assert checklist.checklist_complete(s, unit_id) == all(done.values())  # the window's quick check agrees
    return done


def test_items_tick_as_the_data_appear(session: Session) -> None:
    vid = found_village(session, VillageSetup(
        "杏花村", org_name="中共杏花村总支部委员会", org_kind="党总支", secretary_name="王建国",
        secretary_id_number=make_id_number("110111", date(1968, 4, 2), 13),
        secretary_joined_on=date(1995, 7, 1), secretary_since=date(2021, 1, 15)))
    items = checklist.checklist(session, vid)
    assert [i.key for i in items] == list(checklist.CHECKLIST_KEYS)
    assert [i.title for i in items] == ["建立党组织", "党员", "居民与户", "网格", "公示设置"]
    assert all(i.explanation for i in items)
    assert ticks(session, vid) == dict.fromkeys(checklist.CHECKLIST_KEYS, False)
    assert not all(ticks(session, vid).values())

    top = tree.list_org_tree(session, vid)[0].id  # the 党总支 alone is no 党支部
    branch = tree.create_org(session, vid, tree.OrgInput("第一党支部", "党支部", parent_id=top))
    assert ticks(session, vid)["org"]

    for seq in (15, 17):
        members.add_member(session, vid, MemberInput(f"党员{seq}", make_id_number("110111", date(1970, 1, 1), seq),
                                                     org_id=branch, joined_on=date(2000, 7, 1)))
    done = ticks(session, vid)
    assert done["members"]  # the 书记 and two more
    assert "党员 3 名" in checklist.checklist(session, vid)[1].status

    hh = households.add_household(session, vid, HouseholdInput("0001", "杏花村1号"))
    assert not ticks(session, vid)["households"]  # an empty 户 is not yet a household
    residents.add_resident(session, vid, ResidentInput("赵大", make_id_number("110111", date(1960, 1, 1), 21),
                                                       household_id=hh, relation="户主"))
    assert ticks(session, vid)["households"]

    grid = grids.create_grid(session, vid, grids.GridInput("G01", "第一网格"))
    assert ticks(session, vid)["grid"]
    households.update_household(session, hh, HouseholdInput("0001", "杏花村1号", grid_id=grid))
    assert "1 户已划入网格" in checklist.checklist(session, vid)[3].status

    units.update_unit(session, vid, contact_person="李会计", contact_phone="13812345678")
    assert all(ticks(session, vid).values())
    assert "李会计" in checklist.checklist(session, vid)[4].status


def test_the_quick_check_waits_for_every_item(session: Session) -> None:
    """checklist_complete (asked at every start) with the 公示 contact set first: each other item holds it back."""
    vid = found_village(session, VillageSetup(
        "杏花村", org_name="中共杏花村总支部委员会", org_kind="党总支", secretary_name="王建国",
        secretary_id_number=make_id_number("110111", date(1968, 4, 2), 13),
        secretary_joined_on=date(1995, 7, 1), secretary_since=date(2021, 1, 15)))
    units.update_unit(session, vid, contact_person="李会计", contact_phone="13812345678")
    grids.create_grid(session, vid, grids.GridInput("G01", "第一网格"))
    hh = households.add_household(session, vid, HouseholdInput("0001", "杏花村1号"))
    residents.add_resident(session, vid, ResidentInput("赵大", make_id_number("110111", date(1960, 1, 1), 21),
                                                       household_id=hh, relation="户主"))
    assert ticks(session, vid) == {"org": False, "members": False, "households": True, "grid": True, "publicity": True}
    top = tree.list_org_tree(session, vid)[0].id
    branch = tree.create_org(session, vid, tree.OrgInput("第一党支部", "党支部", parent_id=top))
    members.add_member(session, vid, MemberInput("党员15", make_id_number("110111", date(1970, 1, 1), 15),
                                                 org_id=branch, joined_on=date(2000, 7, 1)))
    assert not ticks(session, vid)["members"]  # two 党员: one short
    members.add_member(session, vid, MemberInput("党员17", make_id_number("110111", date(1970, 1, 1), 17),
                                                 org_id=branch, joined_on=date(2000, 7, 1)))
    assert all(ticks(session, vid).values()) and checklist.checklist_complete(session, vid)


def test_a_village_whose_top_org_is_a_branch_has_built_its_org(session: Session) -> None:
    vid = found_village(session, VillageSetup(
        "杏花村", org_name="中共杏花村支部委员会", org_kind="党支部", secretary_name="王建国",
        secretary_id_number=make_id_number("110111", date(1968, 4, 2), 13),
        secretary_joined_on=date(1995, 7, 1), secretary_since=date(2021, 1, 15)))
    assert ticks(session, vid)["org"]
    assert not ticks(session, vid)["members"]
