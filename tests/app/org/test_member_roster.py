"""党员 posts, 联系户, stage moves, leaving (转出/去世/出党), 转入, 恢复 and 删除（误录） through the services."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.demo.ids import make_id_number
from app.models import AuditEntry, MemberContact, MemberPost, OrgMembership, PartyMember, Resident
from app.services.errors import ServiceError, ValidationError
from app.services.org import member_posts, members, roster_changes
from app.services.org import tree as org
from app.services.org.member_checks import MemberInput
from app.services.org.members import MemberQuery
from app.services.org.roster_changes import ArrivalInput, LeaveInput
from app.services.org.tree import OrgInput
from app.services.people import households
from app.services.people import residents as people
from app.services.people.households import HouseholdInput
from app.services.people.residents import ResidentInput
from app.services.setup import founding


def rid(birth: date, seq: int) -> str:
    return make_id_number("110105", birth, seq)


def member(name: str, birth: date, seq: int, org_id: int, **kw: object) -> MemberInput:
    base = MemberInput(name, rid(birth, seq), org_id=org_id, joined_on=date(2000, 7, 1), confirmed_on=date(2001, 7, 1))
    return replace(base, **kw)  # type: ignore[arg-type]


@pytest.fixture
def v(session: Session) -> dict[str, int]:
    """A blank village: 党总支 → 第一党支部 (→ 第一党小组), 第二党支部, a 功能型党小组; three members, an applicant,
    two households."""
    t: dict[str, int] = {}
    t["vid"] = vid = founding.create_unit(session, "东坟村", "城关街道", "房山区")
    t["zongzhi"] = org.create_org(session, vid, OrgInput("东坟村党总支", "党总支"))
    t["b1"] = org.create_org(session, vid, OrgInput("第一党支部", "党支部", t["zongzhi"], sort_order=1))
    t["b2"] = org.create_org(session, vid, OrgInput("第二党支部", "党支部", t["zongzhi"], sort_order=2))
    t["g1"] = org.create_org(session, vid, OrgInput("第一党小组", "党小组", t["b1"]))
    t["f1"] = org.create_org(session, vid, OrgInput("志愿服务党小组", "功能型党小组", t["zongzhi"]))
    t["张三"] = members.add_member(session, vid, member("张三", date(1960, 1, 1), 11, t["b1"], group_id=t["g1"]))
    t["李四"] = members.add_member(session, vid, member("李四", date(1962, 1, 1), 21, t["b1"]))
    t["王五"] = members.add_member(session, vid, member("王五", date(1964, 1, 1), 31, t["b2"]))
    t["周申"] = members.add_member(session, vid, member(
        "周申", date(1995, 1, 1), 41, t["b2"], stage="申请入党", applied_on=date(2023, 3, 1), joined_on=None,
        confirmed_on=None))
    for number in ("001", "002"):
        t[number] = households.add_household(session, vid, HouseholdInput(number, f"东坟村{number}号"))
        people.add_resident(session, vid, ResidentInput(f"户主{number}", household_id=t[number], relation="户主"))
    return t


def problems(e: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p in e.value.problems:
        out.setdefault(p.field, []).append(p.message)
    return out


# ---------------------------------------------------------------- posts


def test_posts_refusals_and_history(session: Session, v: dict[str, int]) -> None:
    secretary = member_posts.add_post(session, v["张三"], v["b1"], "书记", date(2021, 1, 1))
    with pytest.raises(ValidationError) as e:
        member_posts.add_post(session, v["李四"], v["b1"], "书记", date(2022, 1, 1))
    assert problems(e) == {"post": ["第一党支部现任书记是 张三，请先结束其任职"]}
    # 党小组长: only in a group, and only of a group the member is in
    with pytest.raises(ValidationError) as e:
        member_posts.add_post(session, v["李四"], v["g1"], "党小组长", date(2022, 1, 1))
    assert problems(e) == {"org_id": ["李四 不是第一党小组的成员，请先把他编入该党小组"]}
    with pytest.raises(ValidationError) as e:
        member_posts.add_post(session, v["李四"], v["b1"], "党小组长", date(2022, 1, 1))
    assert "党小组长只能在党小组或功能型党小组任职" in problems(e)["org_id"][0]
    with pytest.raises(ValidationError) as e:
        member_posts.add_post(session, v["张三"], v["g1"], "委员", date(2022, 1, 1))
    assert problems(e)["post"] == ["第一党小组 是党小组，只设党小组长、联络员"]
    leader = member_posts.add_post(session, v["张三"], v["g1"], "党小组长", date(2022, 1, 1))
    # a 功能型党小组 leader comes from any branch: a member taking part (org_memberships)
    session.add(OrgMembership(org_id=v["f1"], member_id=v["王五"], since=date(2023, 1, 1)))
    session.flush()
    member_posts.add_post(session, v["王五"], v["f1"], "党小组长", date(2023, 2, 1))
    # an applicant holds no post; no date, a date in the future or before joining is refused
    with pytest.raises(ValidationError) as e:
        member_posts.add_post(session, v["周申"], v["b2"], "委员", date(2024, 1, 1))
    assert problems(e)["member_id"] == ["周申 是申请入党，还不是党员，不能担任党内职务"]
    with pytest.raises(ValidationError) as e:
        member_posts.add_post(session, v["李四"], v["b1"], "委员", None)
    assert problems(e) == {"start_on": ["请填写任职日期"]}
    with pytest.raises(ValidationError) as e:
        member_posts.add_post(session, v["李四"], v["b1"], "委员", date(1999, 1, 1))
    assert problems(e) == {"start_on": ["不能早于入党日期（2000-07-01）"]}
    with pytest.raises(ValidationError) as e:
        member_posts.add_post(session, v["李四"], None, "委员", date.today() + timedelta(days=1))
    assert set(problems(e)) == {"org_id", "start_on"}
    committee = member_posts.add_post(session, v["李四"], v["b1"], "委员", date(2021, 1, 1), "分管宣传")
    # ending: not before the start; then the next 书记 can be appointed
    with pytest.raises(ValidationError) as e:
        member_posts.end_post(session, secretary, date(2020, 1, 1))
    assert problems(e) == {"end_on": ["不能早于任职日期（2021-01-01）"]}
    member_posts.end_post(session, secretary, date(2024, 1, 1))
    member_posts.add_post(session, v["李四"], v["b1"], "书记", date(2024, 1, 2))
    d = members.get_member(session, v["张三"])
    assert [(p.post, p.end_on) for p in d.posts] == [("党小组长", None), ("书记", date(2024, 1, 1))]
    assert [(p.post, p.note) for p in members.get_member(session, v["李四"]).posts] == [("书记", ""), ("委员", "分管宣传")]
    assert leader and committee


# ---------------------------------------------------------------- 联系户


def test_contacts_assign_end_and_who_looks_after_a_household(session: Session, v: dict[str, int]) -> None:
    c1 = member_posts.add_contact(session, v["张三"], v["001"], date(2024, 1, 1))
    member_posts.add_contact(session, v["李四"], v["001"], date(2024, 2, 1), "邻居")
    assert [(c.name, c.since) for c in member_posts.household_contacts(session, v["001"])] == [
        ("张三", date(2024, 1, 1)), ("李四", date(2024, 2, 1))]
    with pytest.raises(ValidationError) as e:
        member_posts.add_contact(session, v["周申"], v["002"], date(2024, 1, 1))
    assert problems(e) == {"member_id": ["周申 是申请入党，还不是党员，不能安排联系户"]}
    with pytest.raises(ValidationError) as e:
        member_posts.add_contact(session, v["张三"], None, None)
    assert set(problems(e)) == {"household_id", "since"}
    with pytest.raises(ValidationError) as e:
        member_posts.end_contact(session, c1, date(2023, 12, 31))
    assert problems(e) == {"until": ["不能早于开始日期（2024-01-01）"]}
    member_posts.end_contact(session, c1, date(2024, 6, 1))
    assert [c.name for c in member_posts.household_contacts(session, v["001"])] == ["李四"]
    # the same household again, from another day
    member_posts.add_contact(session, v["张三"], v["001"], date(2024, 7, 1))
    assert [c.until for c in members.get_member(session, v["张三"]).contacts] == [None, date(2024, 6, 1)]


# ---------------------------------------------------------------- stages


def test_stage_moves_one_at_a_time_with_their_dates(session: Session, v: dict[str, int]) -> None:
    mid = v["周申"]
    with pytest.raises(ValidationError) as e:
        members.change_stage(session, mid, "入党积极分子", None)  # type: ignore[arg-type]
    assert problems(e) == {"activist_on": ["请填写确定为积极分子日期"]}
    members.change_stage(session, mid, "入党积极分子", date(2023, 9, 1))
    d = members.get_member(session, mid)
    assert (d.row.stage, d.activist_on) == ("入党积极分子", date(2023, 9, 1))
    with pytest.raises(ValidationError, match="下一步是发展对象"):
        members.change_stage(session, mid, "预备党员", date(2024, 9, 1))


# ---------------------------------------------------------------- leaving and 恢复


def test_transfer_out_with_destination_and_letter(session: Session, v: dict[str, int]) -> None:
    mid = v["张三"]
    member_posts.add_post(session, mid, v["b1"], "书记", date(2021, 1, 1))
    member_posts.add_contact(session, mid, v["001"], date(2022, 1, 1))
    with pytest.raises(ValidationError) as e:
        roster_changes.end_membership(session, mid, LeaveInput("转出", date(2024, 5, 1)))
    assert problems(e) == {"left_to": ["请填写转往党组织"]}
    with pytest.raises(ValidationError) as e:
        roster_changes.end_membership(session, mid, LeaveInput("转出", date(2020, 5, 1), left_to="县委办党支部"))
    assert problems(e)["on"] == ["不能早于其书记任职日期（2021-01-01）"]
    roster_changes.end_membership(session, mid, LeaveInput("转出", date(2024, 5, 1), "调往县城", "县委办党支部", "琼组转字第012号"))
    m = session.get(PartyMember, mid)
    assert m is not None
    assert (m.left_on, m.left_kind, m.left_reason, m.left_to, m.left_letter_no) == (
        date(2024, 5, 1), "转出", "调往县城", "县委办党支部", "琼组转字第012号")
    d = members.get_member(session, mid)
    assert (d.left_to, d.left_letter_no) == ("县委办党支部", "琼组转字第012号")
    assert [p.end_on for p in d.posts] == [date(2024, 5, 1)] and [c.until for c in d.contacts] == [date(2024, 5, 1)]
    assert mid not in [r.id for r in members.list_members(session, MemberQuery(v["vid"]))]
    assert mid in [r.id for r in members.list_members(session, MemberQuery(v["vid"], include_left=True))]
    with pytest.raises(ValidationError, match="已于 2024-05-01 转出"):
        roster_changes.end_membership(session, mid, LeaveInput("死亡", date(2024, 6, 1)))


def test_death_also_in_the_register_and_exit_needs_a_reason(session: Session, v: dict[str, int]) -> None:
    roster_changes.end_membership(session, v["李四"], LeaveInput("死亡", date(2024, 3, 1), "病故", resident_died=True))
    m = session.get(PartyMember, v["李四"])
    assert m is not None and (m.left_kind, m.resident.status, m.resident.status_date) == ("死亡", "死亡", date(2024, 3, 1))
    with pytest.raises(ValidationError) as e:
        roster_changes.end_membership(session, v["王五"], LeaveInput("出党", date(2024, 3, 1)))
    assert set(problems(e)) == {"reason", "exit_mode"}
    roster_changes.end_membership(session, v["王五"], LeaveInput("出党", date(2024, 3, 1), "连续六个月不参加组织生活",
                                                                 exit_mode="除名"))
    w = session.get(PartyMember, v["王五"])
    assert w is not None and (w.left_kind, w.left_reason) == ("出党", "除名：连续六个月不参加组织生活")
    with pytest.raises(ValidationError) as e:
        roster_changes.end_membership(session, v["周申"], LeaveInput("停止党籍", date(2024, 3, 1), "失联"))
    assert "还不是党员" in problems(e)["kind"][0]
    roster_changes.end_membership(session, v["周申"], LeaveInput("其他", date(2024, 3, 1), "本人撤回入党申请"))


def test_restore_reopens_what_the_ending_closed(session: Session, v: dict[str, int]) -> None:
    mid = v["张三"]
    secretary = member_posts.add_post(session, mid, v["b1"], "书记", date(2021, 1, 1))
    leader = member_posts.add_post(session, mid, v["g1"], "党小组长", date(2021, 1, 1))
    contact = member_posts.add_contact(session, mid, v["001"], date(2022, 1, 1))
    early = member_posts.add_contact(session, mid, v["002"], date(2022, 1, 1))
    member_posts.end_contact(session, early, date(2023, 1, 1))  # ended before, by hand: stays ended
    roster_changes.end_membership(session, mid, LeaveInput("死亡", date(2024, 3, 1), resident_died=True))
    member_posts.add_post(session, v["李四"], v["b1"], "书记", date(2024, 3, 2))  # the branch moved on
    result = roster_changes.restore_membership(session, mid)
    assert result.reopened == ["第一党小组党小组长", "联系户 001"]
    assert result.kept_ended == ["第一党支部书记（现由 李四 担任）"]
    assert result.notes == ["居民状态已改回在册"]
    m = session.get(PartyMember, mid)
    assert m is not None and (m.left_on, m.left_kind, m.resident.status) == (None, None, "在册")
    assert session.get(MemberPost, secretary).end_on == date(2024, 3, 1)  # type: ignore[union-attr]
    assert session.get(MemberPost, leader).end_on is None  # type: ignore[union-attr]
    assert session.get(MemberContact, contact).until is None  # type: ignore[union-attr]
    assert session.get(MemberContact, early).until == date(2023, 1, 1)  # type: ignore[union-attr]
    entry = session.scalars(select(AuditEntry).where(AuditEntry.entity == "party_member", AuditEntry.entity_id == mid)
                            .order_by(AuditEntry.id.desc())).first()
    assert entry is not None and entry.action == "restore"
    assert entry.detail["changes"]["left_kind"] == {"from": "死亡", "to": None}
    with pytest.raises(ServiceError, match="没有需要恢复"):
        roster_changes.restore_membership(session, mid)


# ---------------------------------------------------------------- 转入 and 删除（误录）


def test_transfer_in_with_its_origin(session: Session, v: dict[str, int]) -> None:
    data = member("赵来", date(1980, 5, 1), 51, v["b2"], joined_on=date(2005, 7, 1), confirmed_on=date(2006, 7, 1))
    with pytest.raises(ValidationError) as e:
        roster_changes.transfer_in(session, v["vid"], replace(data, org_id=None), ArrivalInput("", date(2004, 1, 1)))
    assert set(problems(e)) == {"arrived_from", "arrived_on", "org_id"}
    assert not session.scalars(select(Resident).where(Resident.name == "赵来")).first()  # nothing left behind
    mid = roster_changes.transfer_in(session, v["vid"], data, ArrivalInput("城关镇东村党支部", date(2024, 4, 1), "城组转字第7号"))
    d = members.get_member(session, mid)
    assert (d.arrived_from, d.arrived_on, d.arrived_letter_no, d.row.joined_on, d.row.confirmed_on) == (
        "城关镇东村党支部", date(2024, 4, 1), "城组转字第7号", date(2005, 7, 1), date(2006, 7, 1))


def test_delete_member_entered_today(session: Session, v: dict[str, int]) -> None:
    mid = members.add_member(session, v["vid"], member("错录", date(1970, 1, 1), 61, v["b1"]))
    resident_id = session.get(PartyMember, mid).resident_id  # type: ignore[union-attr]
    assert roster_changes.delete_member(session, mid) == "党员 错录 及同时登记的居民信息"
    assert session.get(PartyMember, mid) is None and session.get(Resident, resident_id) is None
    # a member something refers to: the message says what, and what to do instead
    member_posts.add_contact(session, v["张三"], v["001"], date(2024, 1, 1))
    with pytest.raises(ServiceError, match="已被 1 条联系户记录引用，不能删除。请用“离开…”登记转出、去世等。"):
        roster_changes.delete_member(session, v["张三"])
    # a resident from the register keeps their record when the member is deleted
    household_resident = people.add_resident(session, v["vid"], ResidentInput("户内人", id_number=rid(date(1975, 1, 1), 71),
                                                                             household_id=v["002"], relation="子"))
    mid2 = members.add_member(session, v["vid"], member("户内人", date(1975, 1, 1), 71, v["b1"]))
    assert roster_changes.delete_member(session, mid2) == "党员 户内人（居民登记保留）"
    assert session.get(Resident, household_resident) is not None


def test_check_member_says_what_saving_would_refuse_and_writes_nothing(session: Session, v: dict[str, int]) -> None:
    """The 党员 form asks check_member when its own date check already refused, to show every problem at once:
    the same problems add_member / update_member would raise, nothing written either way."""
    count = members.count_members(session, MemberQuery(v["vid"]))
    new = member("赵六", date(1970, 1, 1), 51, v["zongzhi"], member_type="流动", id_number="110105")
    with pytest.raises(ValidationError) as checked:
        members.check_member(session, v["vid"], new)
    with pytest.raises(ValidationError) as added:
        members.add_member(session, v["vid"], new)
    assert problems(checked) == problems(added)
    assert {"id_number", "flow_out_place"} <= set(problems(checked))
    assert members.count_members(session, MemberQuery(v["vid"])) == count
    # editing: a 身份证号 left masked as shown is kept, as update_member keeps it
    shown = members.member_input(session, v["李四"])
    members.check_member(session, v["vid"], shown, v["李四"])  # nothing wrong: no error
    with pytest.raises(ValidationError) as edit:
        members.check_member(session, v["vid"], replace(shown, member_type="流动"), v["李四"])
    assert set(problems(edit)) == {"flow_out_place"}
    assert members.member_input(session, v["李四"]).member_type != "流动"
