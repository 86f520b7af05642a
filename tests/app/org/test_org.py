from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.demo.ids import make_id_number
from app.models import AuditEntry, MemberPost, PartyMember, Resident
from app.services.errors import ValidationError
from app.services.org import member_posts, members, roster_changes
from app.services.org import tree as org
from app.services.org.member_checks import MemberInput
from app.services.org.members import MemberQuery
from app.services.org.roster_changes import LeaveInput
from app.services.org.tree import OrgInput
from app.services.people import households
from app.services.people import residents as people
from app.services.people.households import HouseholdInput
from app.services.people.residents import ResidentInput
from app.services.setup import founding


def rid(birth: date, seq: int) -> str:
    return make_id_number("110105", birth, seq)


@pytest.fixture
def vid(session: Session) -> int:
    return founding.create_unit(session, "东坟村", "城关街道", "房山区")


@pytest.fixture
def tree(session: Session, vid: int) -> dict[str, int]:
    """党总支 → 第一党支部 (→ 第一党小组, 第二党小组), 第二党支部."""
    t: dict[str, int] = {}
    t["zongzhi"] = org.create_org(session, vid, OrgInput("东坟村党总支", "党总支"))
    t["b1"] = org.create_org(session, vid, OrgInput("第一党支部", "党支部", t["zongzhi"], sort_order=1))
    t["b2"] = org.create_org(session, vid, OrgInput("第二党支部", "党支部", t["zongzhi"], sort_order=2))
    t["g1"] = org.create_org(session, vid, OrgInput("第一党小组", "党小组", t["b1"], sort_order=1))
    t["g2"] = org.create_org(session, vid, OrgInput("第二党小组", "党小组", t["b1"], sort_order=2))
    return t


def member(name: str, birth: date, seq: int, org_id: int, **kw: object) -> MemberInput:
    base = MemberInput(name, rid(birth, seq), org_id=org_id, joined_on=date(2000, 7, 1), confirmed_on=date(2001, 7, 1))
    return replace(base, **kw)  # type: ignore[arg-type]


def audits(s: Session, entity: str, entity_id: int) -> list[str]:
    return list(s.scalars(
        select(AuditEntry.action).where(AuditEntry.entity == entity, AuditEntry.entity_id == entity_id).order_by(AuditEntry.id)
    ))


# ---------------------------------------------------------------- org tree


def test_tree_order_and_member_counts(session: Session, vid: int, tree: dict[str, int]) -> None:
    members.add_member(session, vid, member("张三", date(1960, 1, 1), 11, tree["b1"], group_id=tree["g1"]))
    members.add_member(session, vid, member("李四", date(1961, 1, 1), 21, tree["b1"], group_id=tree["g2"]))
    members.add_member(session, vid, member("王五", date(1962, 1, 1), 31, tree["b1"]))
    members.add_member(session, vid, member("赵六", date(1963, 1, 1), 41, tree["b2"]))
    # an applicant is not counted as a 党员
    members.add_member(session, vid, member("钱七", date(1990, 1, 1), 51, tree["b2"], stage="申请入党",
                                        applied_on=date(2023, 3, 1), joined_on=None, confirmed_on=None))
    nodes = org.list_org_tree(session, vid)
    assert [(n.name, n.depth, n.member_count, n.own_member_count) for n in nodes] == [
        ("东坟村党总支", 0, 4, 0),
        ("第一党支部", 1, 3, 3),
        ("第一党小组", 2, 1, 1),
        ("第二党小组", 2, 1, 1),
        ("第二党支部", 1, 1, 1),
    ]
    assert nodes[1].parent_id == tree["zongzhi"]


def test_org_validation(session: Session, vid: int, tree: dict[str, int]) -> None:
    with pytest.raises(ValidationError) as e:
        org.create_org(session, vid, OrgInput("", "党groups"))
    assert {p.field for p in e.value.problems} == {"name", "kind"}
    with pytest.raises(ValidationError) as e:
        org.create_org(session, vid, OrgInput("小组下的支部", "党支部", tree["g1"]))
    assert e.value.for_field("parent_id") == ["第一党小组 是党小组，其下不能再设组织"]
    with pytest.raises(ValidationError, match="必须有所属党支部"):
        org.create_org(session, vid, OrgInput("孤立小组", "党小组"))


def test_move_org_refuses_cycles(session: Session, vid: int, tree: dict[str, int]) -> None:
    for target in (tree["b1"], tree["g1"]):
        with pytest.raises(ValidationError) as e:
            org.move_org(session, tree["zongzhi"] if target == tree["b1"] else tree["b1"], target)
        assert e.value.for_field("parent_id") == ["不能把组织移到它自己或它的下级组织之下"]
    with pytest.raises(ValidationError):
        org.move_org(session, tree["b1"], tree["b1"])
    org.move_org(session, tree["g2"], tree["b2"])
    assert org.get_org(session, tree["g2"]).parent_id == tree["b2"]
    assert org.descendant_ids(session, tree["b2"]) == {tree["b2"], tree["g2"]}
    assert audits(session, "party_org", tree["g2"]) == ["create", "update"]


def test_close_org_refused_with_members_and_children(session: Session, vid: int, tree: dict[str, int]) -> None:
    m = members.add_member(session, vid, member("张三", date(1960, 1, 1), 11, tree["b2"]))
    with pytest.raises(ValidationError) as e:
        org.close_org(session, tree["b2"], date(2024, 1, 1), "合并")
    assert e.value.for_field("closed_on") == ["该组织还有 1 名党员（含入党申请人等），请先转出或调整到其他组织"]
    with pytest.raises(ValidationError) as e:
        org.close_org(session, tree["b1"], date(2024, 1, 1), "合并")
    assert e.value.for_field("closed_on") == ["该组织还有 2 个下级组织未撤销"]
    roster_changes.end_membership(session, m, LeaveInput("转出", date(2023, 12, 1), "迁往城区", left_to="城关街道党工委"))
    org.close_org(session, tree["b2"], date(2024, 1, 1), "合并")
    names = [n.name for n in org.list_org_tree(session, vid)]
    assert "第二党支部" not in names
    closed = [n for n in org.list_org_tree(session, vid, include_closed=True) if n.name == "第二党支部"]
    assert closed[0].closed
    assert audits(session, "party_org", tree["b2"]) == ["create", "close"]
    with pytest.raises(ValidationError, match="已撤销"):
        members.add_member(session, vid, member("李四", date(1961, 1, 1), 21, tree["b2"]))


def test_partners(session: Session, vid: int, tree: dict[str, int]) -> None:
    pid = org.add_partner(session, tree["zongzhi"], "某某公司", "村企", date(2022, 1, 1))
    with pytest.raises(ValidationError):
        org.add_partner(session, tree["zongzhi"], "", "村镇")
    assert [(x.name, x.kind) for x in org.list_partners(session, tree["zongzhi"])] == [("某某公司", "村企")]
    org.end_partner(session, pid, date(2024, 1, 1))
    assert org.list_partners(session, tree["zongzhi"]) == []
    assert len(org.list_partners(session, tree["zongzhi"], include_ended=True)) == 1


# ---------------------------------------------------------------- members


def test_add_member_creates_resident_and_reads_back(session: Session, vid: int, tree: dict[str, int]) -> None:
    mid = members.add_member(session, vid, member("张三", date(1960, 1, 1), 11, tree["b1"], group_id=tree["g1"],
                                              phone="13812345678", member_type="在职", dual_report_unit="县农业局"))
    d = members.get_member(session, mid)
    assert (d.row.name, d.row.gender, d.row.org_name, d.row.group_name) == ("张三", "男", "第一党支部", "第一党小组")
    assert (d.row.management, d.row.stage, d.row.phone) == ("双重管理", "正式党员", "13812345678")
    assert d.dual_report_unit == "县农业局"
    r = session.get(Resident, d.row.resident_id)
    assert r is not None and r.name_initials == "zs"
    assert audits(session, "party_member", mid) == ["create"]
    assert audits(session, "resident", r.id) == ["create"]
    assert members.member_input(session, mid).group_id == tree["g1"]


def test_add_member_links_existing_resident(session: Session, vid: int, tree: dict[str, int]) -> None:
    hh = households.add_household(session, vid, HouseholdInput("001"))
    number = rid(date(1970, 5, 5), 33)
    res = people.add_resident(session, vid, ResidentInput("王五", number, household_id=hh, relation="户主"))
    mid = members.add_member(session, vid, member("王五", date(1970, 5, 5), 33, tree["b1"], phone="13900001111"))
    d = members.get_member(session, mid)
    assert d.row.resident_id == res
    assert people.get_resident(session, res).phone == "13900001111"
    assert people.get_resident(session, res).household_number == "001"  # household kept
    assert session.scalar(select(func.count(Resident.id))) == 1
    # the same person twice, or a different name for the same ID
    with pytest.raises(ValidationError) as e:
        members.add_member(session, vid, member("王五", date(1970, 5, 5), 33, tree["b2"]))
    assert e.value.for_field("id_number") == ["王五 已在党员名册中（第一党支部）"]
    other = rid(date(1971, 6, 6), 45)
    people.add_resident(session, vid, ResidentInput("赵六", other))
    with pytest.raises(ValidationError) as e:
        members.add_member(session, vid, replace(member("赵陆", date(1971, 6, 6), 45, tree["b1"])))
    assert e.value.for_field("name") == ["该身份证号已登记为 赵六，与填写的姓名不符"]


def test_member_validation_reports_everything(session: Session, vid: int, tree: dict[str, int]) -> None:
    bad = MemberInput(
        "张三", rid(date(1960, 1, 1), 11), gender="女", org_id=tree["g1"], group_id=tree["b2"], stage="正式党员",
        applied_on=date(1999, 1, 1), activist_on=date(1998, 1, 1), joined_on=date(2000, 7, 1),
        confirmed_on=date(2001, 3, 1), member_type="流动", points_category="老年", phone="123",
    )
    with pytest.raises(ValidationError) as e:
        members.add_member(session, vid, bad)
    by_field = {p.field: p.message for p in e.value.problems}
    assert set(by_field) == {"gender", "org_id", "group_id", "activist_on", "confirmed_on", "points_category",
                             "flow_out_place", "phone"}
    assert by_field["org_id"] == "第一党小组 是党小组，所在支部应为党支部、联合党支部或党总支"
    assert by_field["group_id"] == "第二党支部 是党支部，不是党小组"
    assert by_field["activist_on"] == "确定为积极分子日期（1998-01-01）不能早于申请入党日期（1999-01-01）"
    assert by_field["confirmed_on"] == "预备期为一年：2000-07-01 入党，最早 2001-07-01 才能转正"
    assert by_field["flow_out_place"] == "流动党员请填写流出地"
    assert session.scalar(select(func.count(PartyMember.id))) == 0


def test_member_rules_age_group_and_stage_dates(session: Session, vid: int, tree: dict[str, int]) -> None:
    young = member("小李", date(2006, 1, 1), 11, tree["b1"], stage="申请入党", applied_on=date(2023, 6, 1),
                   joined_on=None, confirmed_on=None)
    with pytest.raises(ValidationError) as e:
        members.add_member(session, vid, young)
    assert e.value.for_field("applied_on") == ["2023-06-01 时未满18周岁（出生日期 2006-01-01），不能申请入党"]
    # a group that belongs to another branch
    with pytest.raises(ValidationError, match="第一党小组 不属于 第二党支部"):
        members.add_member(session, vid, member("王五", date(1962, 1, 1), 31, tree["b2"], group_id=tree["g1"]))
    # stage needs its date, and later dates must be empty
    with pytest.raises(ValidationError) as e:
        members.add_member(session, vid, member("赵六", date(1963, 1, 1), 41, tree["b1"], stage="发展对象"))
    assert set(e.value.for_field("candidate_on")) == {"发展对象须填写确定为发展对象日期"}
    assert e.value.for_field("joined_on") == ["当前为发展对象，还不应填写入党日期"]
    with pytest.raises(ValidationError) as e:
        members.add_member(session, vid, member("赵六", date(1963, 1, 1), 41, tree["b1"], id_number=""))
    assert e.value.for_field("id_number") == ["请填写身份证号"]


def test_change_stage_pipeline(session: Session, vid: int, tree: dict[str, int]) -> None:
    mid = members.add_member(session, vid, member("周树", date(1995, 1, 1), 51, tree["b1"], stage="申请入党",
                                              applied_on=date(2021, 3, 1), joined_on=None, confirmed_on=None))
    with pytest.raises(ValidationError, match="下一步是入党积极分子"):
        members.change_stage(session, mid, "发展对象", date(2021, 9, 1))
    with pytest.raises(ValidationError, match="不能早于申请入党日期"):
        members.change_stage(session, mid, "入党积极分子", date(2021, 1, 1))
    members.change_stage(session, mid, "入党积极分子", date(2021, 9, 1))
    members.change_stage(session, mid, "发展对象", date(2022, 9, 1))
    members.change_stage(session, mid, "预备党员", date(2023, 7, 1))
    assert members.get_member(session, mid).row.joined_on == date(2023, 7, 1)
    with pytest.raises(ValidationError) as e:
        members.change_stage(session, mid, "正式党员", date(2024, 3, 1))
    assert e.value.for_field("confirmed_on") == ["预备期为一年：2023-07-01 入党，最早 2024-07-01 才能转正"]
    members.change_stage(session, mid, "正式党员", date(2024, 7, 1))
    d = members.get_member(session, mid)
    assert (d.row.stage, d.row.confirmed_on, d.activist_on, d.candidate_on) == (
        "正式党员", date(2024, 7, 1), date(2021, 9, 1), date(2022, 9, 1))
    with pytest.raises(ValidationError, match="不能改回"):
        members.change_stage(session, mid, "预备党员", date(2024, 8, 1))
    assert audits(session, "party_member", mid) == ["create", "stage", "stage", "stage", "stage"]


def test_update_member(session: Session, vid: int, tree: dict[str, int]) -> None:
    mid = members.add_member(session, vid, member("张三", date(1960, 1, 1), 11, tree["b1"]))
    data = members.member_input(session, mid)
    data.name, data.org_id, data.points_category, data.phone = "张叁", tree["b2"], "退休", "0351-1234567"
    members.update_member(session, mid, data)
    row = members.get_member(session, mid).row
    assert (row.name, row.org_name, row.points_category, row.phone) == ("张叁", "第二党支部", "退休", "0351-1234567")
    assert audits(session, "party_member", mid) == ["create", "update"]


@pytest.fixture
def roster(session: Session, vid: int, tree: dict[str, int]) -> dict[str, int]:
    m = {}
    m["张三"] = members.add_member(session, vid, member("张三", date(1950, 1, 1), 11, tree["b1"], group_id=tree["g1"],
                                                   phone="13812345678"))
    m["李四"] = members.add_member(session, vid, member("李四", date(1960, 1, 1), 22, tree["b1"], group_id=tree["g2"],
                                                   member_type="离退休", points_category="退休"))
    m["王五"] = members.add_member(session, vid, member("王五", date(1970, 1, 1), 31, tree["b2"], stage="预备党员",
                                                   joined_on=date(2025, 1, 1), confirmed_on=None))
    m["赵思"] = members.add_member(session, vid, member("赵思", date(1998, 1, 1), 42, tree["b2"], stage="入党积极分子",
                                                   applied_on=date(2022, 1, 1), activist_on=date(2022, 6, 1),
                                                   joined_on=None, confirmed_on=None))
    return m


def mnames(s: Session, q: MemberQuery) -> list[str]:
    rows = members.list_members(s, q)
    assert members.count_members(s, q) == len(rows)
    return [r.name for r in rows]


def test_member_queries(session: Session, vid: int, tree: dict[str, int], roster: dict[str, int]) -> None:
    assert mnames(session, MemberQuery(vid)) == ["李四", "王五", "张三", "赵思"]  # 拼音 order
    assert mnames(session, MemberQuery(vid, stage="members")) == ["李四", "王五", "张三"]
    assert mnames(session, MemberQuery(vid, stage="pipeline")) == ["赵思"]
    assert mnames(session, MemberQuery(vid, stage="预备党员")) == ["王五"]
    assert mnames(session, MemberQuery(vid, org_id=tree["b1"])) == ["李四", "张三"]
    assert mnames(session, MemberQuery(vid, org_id=tree["g1"])) == ["张三"]  # matched by group_id
    assert mnames(session, MemberQuery(vid, org_id=tree["zongzhi"])) == ["李四", "王五", "张三", "赵思"]
    assert mnames(session, MemberQuery(vid, member_type="离退休")) == ["李四"]
    assert mnames(session, MemberQuery(vid, points_category="退休")) == ["李四"]
    assert mnames(session, MemberQuery(vid, text="zs")) == ["张三", "赵思"]
    assert mnames(session, MemberQuery(vid, text="张")) == ["张三"]
    assert mnames(session, MemberQuery(vid, text="5678")) == ["张三"]
    assert mnames(session, MemberQuery(vid, text="19700101")) == ["王五"]
    assert mnames(session, MemberQuery(vid, order_by="birth_date", descending=True)) == ["赵思", "王五", "李四", "张三"]
    assert mnames(session, MemberQuery(vid, order_by="stage")) == ["赵思", "王五", "张三", "李四"]  # ties by id
    assert [r.name for r in members.list_members(session, MemberQuery(vid, order_by="age"), offset=1, limit=2)] == ["王五", "李四"]
    row = members.list_members(session, MemberQuery(vid, text="李四"))[0]
    assert (row.management, row.group_name, row.org_name) == ("延续管理", "第二党小组", "第一党支部")


def test_posts_contacts_and_transfer_out(session: Session, vid: int, tree: dict[str, int], roster: dict[str, int]) -> None:
    zs = roster["张三"]
    post = member_posts.add_post(session, zs, tree["b1"], "书记", date(2021, 1, 1))
    member_posts.add_post(session, zs, tree["g1"], "党小组长", date(2021, 1, 1))
    with pytest.raises(ValidationError, match="现任书记是 张三"):
        member_posts.add_post(session, roster["李四"], tree["b1"], "书记", date(2022, 1, 1))
    with pytest.raises(ValidationError, match="已任第一党支部书记"):
        member_posts.add_post(session, zs, tree["b1"], "书记", date(2022, 1, 1))
    assert members.list_members(session, MemberQuery(vid, text="张三"))[0].posts == "书记、党小组长"
    hh = households.add_household(session, vid, HouseholdInput("001", "东坟村1号"))
    people.add_resident(session, vid, ResidentInput("户主甲", household_id=hh, relation="户主"))
    contact = member_posts.add_contact(session, zs, hh, date(2022, 1, 1))
    with pytest.raises(ValidationError, match="已在联系户号 001"):
        member_posts.add_contact(session, zs, hh, date(2022, 2, 1))
    d = members.get_member(session, zs)
    assert [(c.household_number, c.head_name) for c in d.contacts] == [("001", "户主甲")]
    assert {p.post for p in d.posts} == {"书记", "党小组长"}

    roster_changes.end_membership(session, zs, LeaveInput("转出", date(2024, 5, 1), "调往县城", left_to="县委办公室党支部"))
    m = session.get(PartyMember, zs)
    assert m is not None and (m.left_on, m.left_kind, m.left_reason) == (date(2024, 5, 1), "转出", "调往县城")
    assert all(p.end_on == date(2024, 5, 1) for p in session.scalars(select(MemberPost).where(MemberPost.member_id == zs)))
    assert members.get_member(session, zs).contacts[0].until == date(2024, 5, 1)
    assert "张三" not in mnames(session, MemberQuery(vid))
    assert "张三" in mnames(session, MemberQuery(vid, include_left=True))
    assert org.list_org_tree(session, vid)[0].member_count == 2
    with pytest.raises(ValidationError, match="已于 2024-05-01 转出"):
        roster_changes.end_membership(session, zs, LeaveInput("死亡", date(2024, 6, 1)))
    with pytest.raises(ValidationError):
        members.change_stage(session, zs, "正式党员", date(2024, 6, 1))
    assert audits(session, "party_member", zs) == ["create", "close"]
    # the post had ended with the transfer: ending again is refused
    with pytest.raises(ValidationError, match="已于 2024-05-01 离任"):
        member_posts.end_post(session, post, date(2024, 6, 1))
    with pytest.raises(ValidationError, match="已于 2024-05-01 结束"):
        member_posts.end_contact(session, contact, date(2024, 6, 1))
    # the new 书记 can now be appointed
    new_post = member_posts.add_post(session, roster["李四"], tree["b1"], "书记", date(2024, 5, 2))
    with pytest.raises(ValidationError, match="不能早于任职日期"):
        member_posts.end_post(session, new_post, date(2024, 1, 1))
    member_posts.end_post(session, new_post, date(2025, 1, 1))
    assert audits(session, "member_post", new_post) == ["create", "close"]
