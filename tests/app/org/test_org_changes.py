"""党组织 changes a village makes from blank: create, edit, kind changes, moves, 撤销 with members moved,
删除（误录）, 联建, and members of several branches in a 功能型党小组 / 联合党支部."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.demo.ids import make_id_number
from app.models import AuditEntry, PartyMember, PartyOrg
from app.services.errors import ServiceError, ValidationError
from app.services.org import members, memberships, org_changes
from app.services.org import tree as org
from app.services.org.member_checks import MemberInput
from app.services.org.members import MemberQuery
from app.services.org.tree import OrgInput
from app.services.setup import founding


@pytest.fixture
def vid(session: Session) -> int:
    return founding.create_unit(session, "新庄村", "城关镇", "某县")


@pytest.fixture
def t(session: Session, vid: int) -> dict[str, int]:
    """党总支 → 第一党支部 (→ 第一党小组), 第二党支部 (→ 第二党小组); 功能型党小组 under the 总支."""
    out: dict[str, int] = {}
    out["zz"] = org.create_org(session, vid, OrgInput("新庄村党总支", "党总支", code="Z01", established_on=date(2010, 7, 1)))
    out["b1"] = org.create_org(session, vid, OrgInput("第一党支部", "党支部", out["zz"]))
    out["b2"] = org.create_org(session, vid, OrgInput("第二党支部", "党支部", out["zz"]))
    out["g1"] = org.create_org(session, vid, OrgInput("第一党小组", "党小组", out["b1"]))
    out["g2"] = org.create_org(session, vid, OrgInput("第二党小组", "党小组", out["b2"]))
    out["fn"] = org.create_org(session, vid, OrgInput("产业发展功能型党小组", "功能型党小组", out["zz"]))
    return out


def add(s: Session, vid: int, name: str, seq: int, org_id: int, group_id: int | None = None, **kw: object) -> int:
    data = MemberInput(name, make_id_number("110105", date(1970, 1, 1), seq), org_id=org_id, group_id=group_id,
                       joined_on=date(2000, 7, 1), confirmed_on=date(2001, 7, 1))
    return members.add_member(s, vid, replace(data, **kw))  # type: ignore[arg-type]


def actions(s: Session, entity: str, entity_id: int) -> list[str]:
    return list(s.scalars(select(AuditEntry.action).where(AuditEntry.entity == entity, AuditEntry.entity_id == entity_id)
                          .order_by(AuditEntry.id)))


def roster(s: Session, vid: int, org_id: int) -> list[str]:
    return [r.name for r in members.list_members(s, MemberQuery(vid, org_id=org_id))]


def test_create_and_edit_read_back(session: Session, vid: int, t: dict[str, int]) -> None:
    info = org.get_org(session, t["zz"])
    assert (info.name, info.kind, info.code, info.established_on) == ("新庄村党总支", "党总支", "Z01", date(2010, 7, 1))
    data = org.org_input(session, t["b1"])
    org.update_org(session, t["b1"], replace(data, name="一支部", note="种植户为主"))
    assert org.get_org(session, t["b1"]).name == "一支部"
    assert actions(session, "party_org", t["b1"]) == ["create", "update"]
    with pytest.raises(ValidationError) as e:
        org.create_org(session, vid, OrgInput("小组下的小组", "党小组", t["g1"]))
    assert e.value.for_field("parent_id") == ["第一党小组 是党小组，其下不能再设组织"]


def test_kind_change_refused_when_it_breaks_the_tree_or_members(session: Session, vid: int, t: dict[str, int]) -> None:
    add(session, vid, "张三", 11, t["b2"])
    with pytest.raises(ValidationError) as e:  # a branch with members and a group under it cannot become a group
        org.update_org(session, t["b2"], replace(org.org_input(session, t["b2"]), kind="党小组"))
    assert e.value.for_field("kind") == ["该组织下还有 1 个下级组织，不能改为党小组",
                                         "有 1 名党员以该组织为所在支部，不能改为党小组"]
    with pytest.raises(ValidationError) as e:  # 党小组 cannot stay under a 党委
        org.update_org(session, t["b1"], replace(org.org_input(session, t["b1"]), kind="党委"))
    assert e.value.for_field("kind") == [
        "该组织下有 1 个党小组，党小组只能设在党支部、联合党支部或党总支之下，不能改为党委"]
    m = add(session, vid, "李四", 21, t["b1"], t["g1"])
    with pytest.raises(ValidationError, match="有 1 名党员编在该党小组，不能改为党支部"):
        org.update_org(session, t["g1"], replace(org.org_input(session, t["g1"]), kind="党支部"))
    memberships.add_org_member(session, t["fn"], m, date(2024, 3, 1))
    with pytest.raises(ValidationError, match="有 1 名其他支部的党员参加该组织，不能改为党小组"):
        org.update_org(session, t["fn"], replace(org.org_input(session, t["fn"]), kind="党小组"))
    org.update_org(session, t["b1"], replace(org.org_input(session, t["b1"]), kind="联合党支部"))  # still a branch
    assert org.get_org(session, t["b1"]).kind == "联合党支部"


def test_move_refuses_cycles_and_bad_parents_and_takes_group_members_along(
        session: Session, vid: int, t: dict[str, int]) -> None:
    with pytest.raises(ValidationError, match="不能把组织移到它自己或它的下级组织之下"):
        org.move_org(session, t["zz"], t["g1"])
    with pytest.raises(ValidationError, match="应设在党支部、联合党支部或党总支之下"):
        root = org.create_org(session, vid, OrgInput("镇党委", "党委"))
        org.move_org(session, t["g1"], root)
    with pytest.raises(ValidationError, match="是党小组，其下不能再设组织"):
        org.move_org(session, t["b1"], t["g2"])
    choices = {n.name for n in org.parent_choices(session, t["g1"])}
    assert choices == {"新庄村党总支", "第二党支部"}  # not its own branch, not a 党委, not a group
    assert {n.name for n in org.parent_choices(session, t["zz"])} == {"镇党委"}

    m = add(session, vid, "王五", 31, t["b1"], t["g1"])
    org.move_org(session, t["g1"], t["b2"])
    moved = session.get(PartyMember, m)
    assert moved is not None and (moved.org_id, moved.group_id) == (t["b2"], t["g1"])
    assert actions(session, "party_member", m)[-1] == "update"
    org.move_org(session, t["zz"], root)  # a whole subtree under the township's 党委
    assert [(n.name, n.depth) for n in org.list_org_tree(session, vid)][:2] == [("镇党委", 0), ("新庄村党总支", 1)]
    org.move_org(session, t["zz"], None)  # and back to the top
    assert org.get_org(session, t["zz"]).parent_id is None


def test_close_refused_with_members_then_moved_and_closed(session: Session, vid: int, t: dict[str, int]) -> None:
    a = add(session, vid, "赵六", 41, t["b2"])
    b = add(session, vid, "钱七", 51, t["b2"], t["g2"])
    c = add(session, vid, "孙八", 61, t["b2"], stage="入党积极分子", applied_on=date(2023, 1, 1),
            activist_on=date(2023, 6, 1), joined_on=None, confirmed_on=None)
    org.add_partner(session, t["g2"], "城关小学", "村校", date(2020, 1, 1))
    with pytest.raises(ValidationError) as e:
        org.close_org(session, t["g2"], date(2024, 6, 1), "合并")
    assert e.value.for_field("closed_on") == ["该组织还有 1 名党员（含入党申请人等），请先转出或调整到其他组织"]
    check = org_changes.close_check(session, t["b2"])
    assert (check.members, check.open_below) == (3, ["第二党小组"])
    with pytest.raises(ValidationError, match="属于第二党支部，请选择其他支部"):
        org_changes.close_moving_members(session, t["b2"], date(2024, 6, 1), "合并", t["b2"])
    with pytest.raises(ValidationError, match="不属于 第一党支部"):
        org_changes.close_moving_members(session, t["b2"], date(2024, 6, 1), "合并", t["b1"], t["g2"])
    with pytest.raises(ValidationError, match="请选择要调整到的支部"):
        org_changes.close_moving_members(session, t["b2"], date(2024, 6, 1), "合并")

    moved = org_changes.close_moving_members(session, t["b2"], date(2024, 6, 1), "两支部合并", t["b1"], t["g1"])
    assert moved == 3
    for mid in (a, b, c):
        m = session.get(PartyMember, mid)
        assert m is not None and (m.org_id, m.group_id) == (t["b1"], t["g1"])
        assert "update" in actions(session, "party_member", mid)
    closed = {n.name: n for n in org.list_org_tree(session, vid, include_closed=True)}
    assert closed["第二党支部"].closed and closed["第二党小组"].closed
    assert "第二党支部" not in {n.name for n in org.list_org_tree(session, vid)}
    assert org.get_org(session, t["b2"]).close_reason == "两支部合并"
    assert org.list_partners(session, t["g2"]) == []  # the 联建 of a closed org ended with it
    assert org.list_partners(session, t["g2"], include_ended=True)[0].until == date(2024, 6, 1)
    assert actions(session, "party_org", t["b2"]) == ["create", "close"]
    with pytest.raises(ValidationError, match="撤销，不能再调整隶属关系"):
        org.move_org(session, t["b2"], t["b1"])


def test_close_an_empty_org_without_a_target(session: Session, vid: int, t: dict[str, int]) -> None:
    assert org_changes.close_moving_members(session, t["b2"], date(2024, 6, 1), "撤并") == 0
    assert org.get_org(session, t["g2"]).closed_on == date(2024, 6, 1)


def test_delete_an_org_entered_by_mistake(session: Session, vid: int, t: dict[str, int]) -> None:
    typo = org.create_org(session, vid, OrgInput("第三支部（误）", "党支部", t["zz"]))
    org_changes.delete_org(session, typo)
    assert session.get(PartyOrg, typo) is None
    assert actions(session, "party_org", typo) == ["create", "delete"]
    with pytest.raises(ServiceError, match=r"已被 1 条党组织引用，不能删除。请用“撤销”"):
        org_changes.delete_org(session, t["b2"])  # 第二党小组 is under it
    session.execute(update(PartyOrg).where(PartyOrg.id == t["g2"])
                    .values(created_at=datetime.now() - timedelta(days=2)))
    with pytest.raises(ServiceError, match="不是今天录入的"):
        org_changes.delete_org(session, t["g2"])


def test_partners_with_dates(session: Session, vid: int, t: dict[str, int]) -> None:
    pid = org.add_partner(session, t["zz"], "东村", "村村", date(2022, 1, 1), "结对共建")
    org.add_partner(session, t["zz"], "某农业公司", "村企", date(2023, 1, 1))
    with pytest.raises(ValidationError) as e:
        org.end_partner(session, pid, date(2021, 1, 1))
    assert e.value.for_field("until") == ["不能早于联建开始日期（2022-01-01）"]
    org.end_partner(session, pid, date(2024, 1, 1))
    assert [p.name for p in org.list_partners(session, t["zz"])] == ["某农业公司"]
    history = org.list_partners(session, t["zz"], include_ended=True)
    assert [(p.name, p.until) for p in history] == [("东村", date(2024, 1, 1)), ("某农业公司", None)]


def test_members_of_several_branches_in_a_functional_group(session: Session, vid: int, t: dict[str, int]) -> None:
    a = add(session, vid, "周一", 71, t["b1"], t["g1"])
    b = add(session, vid, "吴二", 81, t["b2"])
    applicant = add(session, vid, "郑三", 91, t["b2"], stage="申请入党", applied_on=date(2023, 1, 1),
                    joined_on=None, confirmed_on=None)
    assert [c.name for c in memberships.find_members(session, t["fn"], "z")] == ["周一"]  # 拼音首字母, no applicant
    first = memberships.add_org_member(session, t["fn"], a, date(2024, 1, 1), "种植技术")
    memberships.add_org_member(session, t["fn"], b, date(2024, 2, 1))
    assert memberships.find_members(session, t["fn"], "zy") == []  # already in
    with pytest.raises(ValidationError, match="周一 已在产业发展功能型党小组（自 2024-01-01 起）"):
        memberships.add_org_member(session, t["fn"], a, date(2024, 5, 1))
    with pytest.raises(ValidationError, match="郑三 是申请入党，只有正式党员和预备党员可以参加"):
        memberships.add_org_member(session, t["fn"], applicant, date(2024, 5, 1))
    with pytest.raises(ValidationError, match="请从列表中选择本村的党员"):
        memberships.add_org_member(session, t["fn"], None, date(2024, 5, 1))
    with pytest.raises(ValidationError, match="只能参加功能型党小组或联合党支部"):
        memberships.add_org_member(session, t["b1"], b, date(2024, 5, 1))
    with pytest.raises(ValidationError, match="不能早于新成立小组的成立日期"):
        late = org.create_org(session, vid, OrgInput("新成立小组", "功能型党小组", t["zz"], established_on=date(2024, 1, 1)))
        memberships.add_org_member(session, late, b, date(2023, 1, 1))

    rows = memberships.list_org_members(session, t["fn"])
    assert [(r.name, r.branch_name) for r in rows] == [("吴二", "第二党支部"), ("周一", "第一党支部 · 第一党小组")]
    assert sorted(roster(session, vid, t["fn"])) == ["吴二", "周一"]
    node = {n.id: n for n in org.list_org_tree(session, vid)}
    assert (node[t["fn"]].member_count, node[t["fn"]].own_member_count) == (2, 2)
    assert node[t["zz"]].member_count == 2  # each member counted once in the 总支

    memberships.end_org_member(session, first, date(2024, 6, 30))
    with pytest.raises(ValidationError, match="已于 2024-06-30 结束"):
        memberships.end_org_member(session, first, date(2024, 7, 1))
    assert roster(session, vid, t["fn"]) == ["吴二"]
    history = memberships.list_org_members(session, t["fn"], include_ended=True)
    assert [(r.name, r.until) for r in history] == [("吴二", None), ("周一", date(2024, 6, 30))]
    assert actions(session, "org_membership", first) == ["create", "close"]
    memberships.add_org_member(session, t["fn"], a, date(2024, 9, 1))  # may take part again
    org_changes.close_moving_members(session, t["fn"], date(2024, 12, 31), "任务完成")
    assert memberships.list_org_members(session, t["fn"]) == []  # closing ends the participation
