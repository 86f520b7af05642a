"""居民 status changes through the services: 外出务工, 返乡, 迁出, 死亡, 更正, with what follows for a 党员 or a 户主."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.demo.ids import make_id_number
from app.models import AuditEntry, MemberContact, PartyMember
from app.services.errors import ValidationError
from app.services.org import member_posts, members
from app.services.org import tree as org
from app.services.org.member_checks import MemberInput
from app.services.org.tree import OrgInput
from app.services.people import households, status_changes
from app.services.people import residents as people
from app.services.people.households import HouseholdInput
from app.services.people.residents import ResidentInput
from app.services.people.status_changes import StatusChange
from app.services.setup import founding


def rid(birth: date, seq: int) -> str:
    return make_id_number("110105", birth, seq)


@pytest.fixture
def v(session: Session) -> dict[str, int]:
    """A blank village with one branch, two households; 张三 (户主 of 001) is a 党员 with a 联系户."""
    t: dict[str, int] = {}
    t["vid"] = vid = founding.create_unit(session, "东坟村", "城关街道", "房山区")
    t["b1"] = org.create_org(session, vid, OrgInput("东坟村党支部", "党支部"))
    t["001"] = households.add_household(session, vid, HouseholdInput("001", "东坟村1号"))
    t["002"] = households.add_household(session, vid, HouseholdInput("002", "东坟村2号"))
    t["张三"] = people.add_resident(session, vid, ResidentInput(
        "张三", rid(date(1960, 1, 1), 11), household_id=t["001"], relation="户主"))
    t["李梅"] = people.add_resident(session, vid, ResidentInput(
        "李梅", rid(date(1962, 1, 1), 22), household_id=t["001"], relation="配偶"))
    t["张小"] = people.add_resident(session, vid, ResidentInput(
        "张小", rid(date(1990, 5, 1), 31), household_id=t["001"], relation="子"))
    t["王五"] = people.add_resident(session, vid, ResidentInput(
        "王五", rid(date(1950, 1, 1), 51), household_id=t["002"], relation="户主"))
    t["m张三"] = members.add_member(session, vid, MemberInput(
        "张三", rid(date(1960, 1, 1), 11), org_id=t["b1"], joined_on=date(1990, 7, 1), confirmed_on=date(1991, 7, 1)))
    t["contact"] = member_posts.add_contact(session, t["m张三"], t["002"], date(2020, 1, 1))
    return t


def change(kind: str, on: date | None, note: str = "", to: str = "") -> StatusChange:
    return StatusChange(kind, on, note, to)


def fields(e: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p in e.value.problems:
        out.setdefault(p.field, []).append(p.message)
    return out


def test_away_for_work_then_back(session: Session, v: dict[str, int]) -> None:
    r = status_changes.record_status_change(session, v["张小"], change("外出务工", date(2024, 3, 1), "广东东莞"))
    assert r.summary == "张小：在册 → 外出务工（2024-03-01）" and r.notes == []
    row = people.get_resident(session, v["张小"])
    assert (row.status, row.status_date) == ("外出务工", date(2024, 3, 1))
    assert status_changes.status_form(session, v["张小"]).changes == ("返乡", "迁出", "死亡", "更正")
    with pytest.raises(ValidationError) as e:
        status_changes.record_status_change(session, v["张小"], change("外出务工", date(2024, 4, 1)))
    assert fields(e) == {"change": ["张小 已是外出务工（2024-03-01）"]}
    with pytest.raises(ValidationError) as e:  # back before leaving
        status_changes.record_status_change(session, v["张小"], change("返乡", date(2024, 2, 1)))
    assert fields(e) == {"on": ["不能早于上一次变动（外出务工 2024-03-01）"]}
    status_changes.record_status_change(session, v["张小"], change("返乡", date(2024, 12, 20)))
    row = people.get_resident(session, v["张小"])
    assert (row.status, row.status_date) == ("在册", date(2024, 12, 20))
    with pytest.raises(ValidationError) as e:  # 返乡 only from 外出务工
        status_changes.record_status_change(session, v["张小"], change("返乡", date(2024, 12, 21)))
    assert fields(e) == {"change": ["返乡只适用于外出务工的居民，张小 现在是在册（2024-12-20）"]}
    actions = list(session.scalars(select(AuditEntry.action).where(
        AuditEntry.entity == "resident", AuditEntry.entity_id == v["张小"]).order_by(AuditEntry.id)))
    assert actions == ["create", "status", "status"]


def test_dates_and_reasons_are_checked(session: Session, v: dict[str, int]) -> None:
    with pytest.raises(ValidationError) as e:
        status_changes.record_status_change(session, v["张小"], change("迁出", None))
    assert fields(e) == {"on": ["请填写迁出日期"], "note": ["请填写迁往何处/原因"]}
    with pytest.raises(ValidationError) as e:
        status_changes.record_status_change(session, v["张小"], change("死亡", date.today() + timedelta(days=1)))
    assert fields(e) == {"on": ["日期晚于今天"]}
    with pytest.raises(ValidationError) as e:
        status_changes.record_status_change(session, v["张小"], change("外出务工", date(1989, 1, 1)))
    assert fields(e) == {"on": ["不能早于出生日期（1990-05-01）"]}
    with pytest.raises(ValidationError) as e:
        status_changes.record_status_change(session, v["张小"], change("失踪", date(2024, 1, 1)))
    assert list(fields(e)) == ["change"]
    assert people.get_resident(session, v["张小"]).status == "在册"


def test_death_of_a_member_ends_the_membership_and_asks_for_a_new_head(session: Session, v: dict[str, int]) -> None:
    r = status_changes.record_status_change(session, v["张三"], change("死亡", date(2024, 6, 1), "病故"))
    assert r.member_ended and r.household_needs_head == v["001"] and r.household_empty is None
    assert any("已同时办理去世" in n for n in r.notes)
    assert any("户号 001 的户主" in n and "需要新的户主" in n for n in r.notes)
    m = session.get(PartyMember, v["m张三"])
    assert m is not None and (m.left_on, m.left_kind) == (date(2024, 6, 1), "死亡")
    assert session.get(MemberContact, v["contact"]).until == date(2024, 6, 1)  # type: ignore[union-attr]
    assert (m.resident.status, m.resident.status_date, m.resident.status_note) == ("死亡", date(2024, 6, 1), "病故")
    assert households.get_household(session, v["001"]).head_name is None
    # nothing follows a death but a 更正
    assert status_changes.status_form(session, v["张三"]).changes == ("更正",)
    with pytest.raises(ValidationError) as e:
        status_changes.record_status_change(session, v["张三"], change("迁出", date(2024, 7, 1), "x"))
    assert "已登记死亡（2024-06-01）" in fields(e)["change"][0] and "更正" in fields(e)["change"][0]


def test_death_before_joining_is_refused_by_the_member_record(session: Session, v: dict[str, int]) -> None:
    with pytest.raises(ValidationError) as e:
        status_changes.record_status_change(session, v["张三"], change("死亡", date(1991, 1, 1)))
    assert fields(e)["on"][0].startswith("党员记录：不能早于")
    assert people.get_resident(session, v["张三"]).status == "在册"
    m = session.get(PartyMember, v["m张三"])
    assert m is not None and m.left_on is None


def test_correcting_a_mistaken_death_restores_the_member(session: Session, v: dict[str, int]) -> None:
    status_changes.record_status_change(session, v["张三"], change("死亡", date(2024, 6, 1)))
    form = status_changes.status_form(session, v["张三"])
    assert (form.previous_status, form.previous_date, form.member_org) == ("在册", None, None)
    with pytest.raises(ValidationError) as e:
        status_changes.record_status_change(session, v["张三"], change("更正", None, "", "死亡"))
    assert fields(e) == {"to_status": ["张三 现在就是死亡"], "on": ["请填写死亡日期"], "note": ["请填写更正原因"]}
    r = status_changes.record_status_change(session, v["张三"], change("更正", None, "误登", "在册"))
    assert r.member_ended and any("党员记录已恢复" in n for n in r.notes)
    m = session.get(PartyMember, v["m张三"])
    assert m is not None and m.left_on is None and m.resident.status == "在册"
    assert session.get(MemberContact, v["contact"]).until is None  # type: ignore[union-attr]


def test_moving_away_warns_about_the_party_relation(session: Session, v: dict[str, int]) -> None:
    r = status_changes.record_status_change(session, v["张三"], change("迁出", date(2024, 6, 1), "迁往县城"))
    assert not r.member_ended
    assert any("组织关系转出" in n and "党组织与党员" in n for n in r.notes)
    m = session.get(PartyMember, v["m张三"])
    assert m is not None and m.left_on is None  # the 转出 is the branch's to record
    # the last one in a household: it may be closed now
    r = status_changes.record_status_change(session, v["王五"], change("迁出", date(2024, 6, 1), "随子女"))
    assert r.household_empty == v["002"] and r.household_needs_head is None


def test_a_returning_head_cannot_be_a_second_head(session: Session, v: dict[str, int]) -> None:
    status_changes.record_status_change(session, v["王五"], change("迁出", date(2024, 6, 1), "随子女"))
    people.add_resident(session, v["vid"], ResidentInput("王六", household_id=v["002"], relation="户主"))
    with pytest.raises(ValidationError, match="已有户主 王六"):
        status_changes.record_status_change(session, v["王五"], change("更正", date(2024, 6, 2), "误登", "在册"))
