"""户 changes through the services: 变更户主, 转户, 分户, 销户, tags and 删除（误录）."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.demo.ids import make_id_number
from app.models import AuditEntry, Household, Resident, Tag
from app.services.errors import ServiceError, ValidationError
from app.services.org import members
from app.services.org import tree as org
from app.services.org.member_checks import MemberInput
from app.services.org.tree import OrgInput
from app.services.people import household_changes, households, mistakes
from app.services.people import residents as people
from app.services.people.household_changes import Move, SplitInput
from app.services.people.households import HouseholdInput, HouseholdQuery
from app.services.people.residents import ResidentInput
from app.services.setup import founding


def rid(birth: date, seq: int) -> str:
    return make_id_number("110105", birth, seq)


@pytest.fixture
def v(session: Session) -> dict[str, int]:
    """Two households: 001 张三 (户主), 李梅 (配偶), 张小 (子), 张丽 (女); 002 王五 (户主)."""
    t: dict[str, int] = {"vid": founding.create_unit(session, "东坟村", "城关街道", "房山区")}
    vid = t["vid"]
    t["001"] = households.add_household(session, vid, HouseholdInput("001", "东坟村1号"))
    t["002"] = households.add_household(session, vid, HouseholdInput("002", "东坟村2号"))
    for name, year, seq, hh, relation in (
        ("张三", 1960, 11, "001", "户主"), ("李梅", 1962, 22, "001", "配偶"), ("张小", 1990, 31, "001", "子"),
        ("张丽", 1993, 42, "001", "女"), ("王五", 1950, 51, "002", "户主"),
    ):
        t[name] = people.add_resident(session, vid, ResidentInput(
            name, rid(date(year, 1, 1), seq), household_id=t[hh], relation=relation))
    return t


def fields(e: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p in e.value.problems:
        out.setdefault(p.field, []).append(p.message)
    return out


def relations(s: Session, household_id: int) -> dict[str, str]:
    return {r.name: r.relation for r in people.household_residents(s, household_id)}


def test_change_head(session: Session, v: dict[str, int]) -> None:
    with pytest.raises(ValidationError) as e:
        household_changes.change_head(session, v["001"], v["张小"], "")
    assert fields(e) == {"old_head_relation": ["请选择原户主 张三 改为"]}
    with pytest.raises(ValidationError) as e:
        household_changes.change_head(session, v["001"], v["王五"], "父亲")
    assert fields(e) == {"new_head_id": ["请从户号 001 的在册居民中选择新户主"]}
    with pytest.raises(ValidationError) as e:
        household_changes.change_head(session, v["001"], v["张小"], "户主")
    assert list(fields(e)) == ["old_head_relation"]
    notes = household_changes.change_head(session, v["001"], v["张小"], "父亲")
    assert notes == ["其他家庭成员（李梅、张丽）的与户主关系仍按原户主填写，请逐一核对。"]
    assert relations(session, v["001"])["张小"] == "户主" and relations(session, v["001"])["张三"] == "父亲"
    assert households.get_household(session, v["001"]).head_name == "张小"
    entry = session.scalars(select(AuditEntry).where(AuditEntry.entity == "household", AuditEntry.action == "head")).one()
    assert entry.summary == "户号 001 户主：张三 → 张小"
    with pytest.raises(ValidationError, match="已是户主"):
        household_changes.change_head(session, v["001"], v["张小"], "")


def test_new_head_after_the_head_died(session: Session, v: dict[str, int]) -> None:
    people.set_resident_status(session, v["张三"], "死亡", date(2024, 1, 1))
    assert household_changes.change_head(session, v["001"], v["李梅"], "") != []  # no old head to give a relation
    assert relations(session, v["001"])["李梅"] == "户主"


def test_move_a_resident(session: Session, v: dict[str, int]) -> None:
    with pytest.raises(ValidationError) as e:
        household_changes.move_residents(session, v["002"], [Move(v["张丽"], "户主")])
    assert fields(e) == {"relation": ["户号 002 已有户主 王五，一户只能有一个户主"]}
    with pytest.raises(ValidationError) as e:
        household_changes.move_residents(session, v["001"], [Move(v["张丽"], "女")])
    assert fields(e) == {"resident_ids": ["张丽 已在户号 001"]}
    result = household_changes.move_residents(session, v["002"], [Move(v["张丽"], "儿媳")], "嫁入")
    assert result.household_id == v["002"] and result.notes == [] and result.needs_head == []
    assert relations(session, v["002"]) == {"王五": "户主", "张丽": "儿媳"}
    entry = session.scalars(select(AuditEntry).where(AuditEntry.entity == "resident", AuditEntry.action == "move")).one()
    assert entry.summary == "张丽 从户号 001 转到户号 002（儿媳）：嫁入"
    # the head moves away: the old household needs a new one
    result = household_changes.move_residents(session, v["002"], [Move(v["张三"], "其他")])
    assert result.needs_head == [v["001"]] and "需要新的户主" in result.notes[0]


def test_split_household(session: Session, v: dict[str, int]) -> None:
    with pytest.raises(ValidationError) as e:  # a taken number, no head among those who leave
        household_changes.split_household(session, v["001"], SplitInput(
            "002", moves=[Move(v["张小"], "子")]))
    assert fields(e) == {"number": ["户号 002 已被另一户使用（东坟村2号）"],
                         "relation": ["请指定分出后新户的户主（与户主关系选“户主”）"]}
    with pytest.raises(ValidationError) as e:  # somebody must stay
        household_changes.split_household(session, v["001"], SplitInput("003", moves=[
            Move(v["张三"], "户主"), Move(v["李梅"], "配偶"), Move(v["张小"], "子"), Move(v["张丽"], "女")]))
    assert "原户至少要留一人" in fields(e)["resident_ids"][0]
    with pytest.raises(ValidationError) as e:
        household_changes.split_household(session, v["001"], SplitInput("003", moves=[Move(v["王五"], "户主")]))
    assert fields(e) == {"resident_ids": ["王五 不在本户"]}
    assert session.scalar(select(Household.id).where(Household.number == "003")) is None  # nothing half-written
    result = household_changes.split_household(session, v["001"], SplitInput(
        "003", "东坟村3号", [Move(v["张小"], "户主"), Move(v["张丽"], "姐妹")]))
    new = households.get_household(session, result.household_id)
    assert (new.number, new.address, new.head_name, new.size) == ("003", "东坟村3号", "张小", 2)
    assert relations(session, new.id) == {"张小": "户主", "张丽": "姐妹"}
    assert relations(session, v["001"]) == {"张三": "户主", "李梅": "配偶"}
    assert result.needs_head == [] and result.emptied == []
    split = session.scalars(select(AuditEntry).where(AuditEntry.action == "split")).one()
    assert split.entity_id == v["001"] and "分出户号 003" in split.summary


def test_split_taking_the_head(session: Session, v: dict[str, int]) -> None:
    result = household_changes.split_household(session, v["001"], SplitInput(
        "003", moves=[Move(v["张三"], "户主"), Move(v["李梅"], "配偶")]))
    assert result.needs_head == [v["001"]]


def test_close_household_refused_while_people_live_there(session: Session, v: dict[str, int]) -> None:
    with pytest.raises(ValidationError) as e:
        households.close_household(session, v["002"], date(2024, 6, 1), "全户迁出")
    assert fields(e) == {"residents": ["该户还有 1 名在册居民（王五），请先把他们转到其他户，或登记迁出、死亡"]}
    result = household_changes.move_residents(session, v["001"], [Move(v["王五"], "其他")])
    assert result.emptied == [v["002"]] and "可以办理销户" in result.notes[0]
    households.close_household(session, v["002"], date(2024, 6, 1), "并入001户")
    row = households.get_household(session, v["002"])
    assert (row.closed_on, row.close_reason) == (date(2024, 6, 1), "并入001户")
    assert households.count_households(session, HouseholdQuery(v["vid"])) == 1
    assert session.get(Household, v["002"]) is not None  # never deleted
    with pytest.raises(ValidationError, match="已于 2024-06-01 销户"):
        household_changes.move_residents(session, v["002"], [Move(v["张小"], "子")])


def test_tags_edited_and_added(session: Session, v: dict[str, int]) -> None:
    households.set_household_tags(session, v["001"], ["低保", "空巢"])
    assert households.get_household(session, v["001"]).tags == ("低保", "空巢")
    with pytest.raises(ValidationError, match="没有这些标签：不存在"):
        households.set_household_tags(session, v["001"], ["不存在"])
    tid = households.add_tag(session, v["vid"], " 重点关注 ")
    assert session.get(Tag, tid).name == "重点关注"  # type: ignore[union-attr]
    for bad, message in (("", "请填写标签名称"), ("低保", "已有标签“低保”"), ("低保、残疾", "不能有空格")):
        with pytest.raises(ValidationError, match=message):
            households.add_tag(session, v["vid"], bad)
    households.set_household_tags(session, v["001"], ["重点关注"])
    assert households.get_household(session, v["001"]).tags == ("重点关注",)


def test_delete_if_fresh(session: Session, v: dict[str, int]) -> None:
    fresh = households.add_household(session, v["vid"], HouseholdInput("009"))
    households.set_household_tags(session, fresh, ["低保"])
    assert mistakes.delete_household(session, fresh) == "户号 009"
    assert session.get(Household, fresh) is None
    with pytest.raises(ServiceError, match="户号 002已被 1 条居民引用，不能删除。.*销户"):
        mistakes.delete_household(session, v["002"])
    assert mistakes.delete_resident(session, v["张丽"]) == "居民 张丽"
    assert session.get(Resident, v["张丽"]) is None
    # a 党员 refers to the resident
    b = org.create_org(session, v["vid"], OrgInput("东坟村党支部", "党支部"))
    members.add_member(session, v["vid"], MemberInput("张小", rid(date(1990, 1, 1), 31), org_id=b,
                                                      joined_on=date(2015, 7, 1), confirmed_on=date(2016, 7, 1)))
    with pytest.raises(ServiceError, match="居民 张小已被 1 条党员引用，不能删除。请用“状态变动”登记迁出或死亡。"):
        mistakes.delete_resident(session, v["张小"])
    # not entered today
    r = session.get(Resident, v["李梅"])
    assert r is not None
    r.created_at = datetime.now() - timedelta(days=3)
    session.flush()
    with pytest.raises(ServiceError, match="不是今天录入的"):
        mistakes.delete_resident(session, v["李梅"])
