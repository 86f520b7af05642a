"""Village bodies from a blank village: posts checked against their body and role, ended and corrected with
the log; 一肩挑; the 村民代表's households; 届期 with the five-year default and the 换届 reminder at its edge."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.demo.ids import make_id_number
from app.models import AuditEntry, BodyPost, PartyMember
from app.services.affairs import bodies, terms
from app.services.errors import ValidationError
from app.services.org import member_posts, members
from app.services.org import tree as org
from app.services.org.member_checks import MemberInput
from app.services.org.tree import OrgInput
from app.services.people import households, residents
from app.services.people.households import HouseholdInput
from app.services.people.residents import ResidentInput
from app.services.setup import founding


@pytest.fixture
def vid(session: Session) -> int:
    return founding.create_unit(session, "东坟村", "城关街道", "房山区")


def person(s: Session, vid: int, name: str, seq: int, household_id: int | None = None) -> int:
    idn = make_id_number("110105", date(1970, 1, 1) + timedelta(days=seq * 40), seq)
    return residents.add_resident(s, vid, ResidentInput(name, idn, phone=f"1391234{seq:04d}",
                                                        household_id=household_id,
                                                        relation="户主" if household_id else ""))


def household(s: Session, vid: int, number: str, head: str, seq: int) -> int:
    hid = households.add_household(s, vid, HouseholdInput(number))
    person(s, vid, head, seq, hid)
    return hid


def problems(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return "；".join(str(p) for p in exc.value.problems)


def test_post_checked_against_body_and_role(session: Session, vid: int) -> None:
    zhang = person(session, vid, "张三", 1)
    with pytest.raises(ValidationError) as e:
        bodies.add_post(session, vid, zhang, "村民委员会", "组长", date(2021, 4, 18))
    assert "职务" in problems(e)
    with pytest.raises(ValidationError) as e:
        bodies.add_post(session, vid, zhang, "居委会", "主任", date(2021, 4, 18))
    assert "班子" in problems(e)
    with pytest.raises(ValidationError) as e:
        bodies.add_post(session, vid, None, "村民委员会", "主任", None)
    assert "姓名" in problems(e) and "任职日期" in problems(e)
    with pytest.raises(ValidationError) as e:  # a 组长 names the group he leads
        bodies.add_post(session, vid, zhang, "村民小组", "组长", date(2021, 4, 18))
    assert "村民小组" in problems(e)
    assert session.scalar(select(BodyPost.id)) is None  # nothing half-written


def test_single_holder_exclusive_bodies_and_terms(session: Session, vid: int) -> None:
    term = terms.add_term(session, vid, "村民委员会", date(2021, 4, 18), name="第十二届")
    zhang, li = person(session, vid, "张三", 1), person(session, vid, "李四", 2)
    post = bodies.add_post(session, vid, zhang, "村民委员会", "主任", date(2021, 4, 18))
    assert session.get(BodyPost, post).term_id == term  # the body's current term
    with pytest.raises(ValidationError) as e:
        bodies.add_post(session, vid, li, "村民委员会", "主任", date(2021, 4, 18))
    assert "现任主任是 张三" in problems(e)
    with pytest.raises(ValidationError) as e:  # 组织法: not on the 村委会 and the 监委会 at once
        bodies.add_post(session, vid, zhang, "村务监督委员会", "委员", date(2021, 4, 18))
    assert "不能同时担任" in problems(e)
    jd = terms.add_term(session, vid, "村务监督委员会", date(2021, 4, 18))
    with pytest.raises(ValidationError) as e:
        bodies.add_post(session, vid, li, "村民委员会", "委员", date(2021, 4, 18), term_id=jd)
    assert "不是村民委员会的" in problems(e)


def test_end_and_correct_are_kept_and_logged(session: Session, vid: int) -> None:
    zhang, li = person(session, vid, "张三", 1), person(session, vid, "李四", 2)
    post = bodies.add_post(session, vid, zhang, "村民委员会", "委员", date(2021, 4, 18))
    with pytest.raises(ValidationError) as e:
        bodies.end_post(session, post, date(2020, 1, 1), "")
    assert "不能早于任职日期" in problems(e) and "结束原因" in problems(e)
    bodies.correct_post(session, post, "村民委员会", "副主任", date(2021, 4, 20), note="分管治保")
    row = session.get(BodyPost, post)
    assert (row.role, row.since, row.note) == ("副主任", date(2021, 4, 20), "分管治保")
    bodies.end_post(session, post, date(2024, 3, 1), "辞职")
    with pytest.raises(ValidationError) as e:
        bodies.end_post(session, post, date(2024, 3, 2), "辞职")
    assert "已于 2024-03-01 结束" in problems(e)
    assert [r.name for r in bodies.list_posts(session, vid)] == []
    ended = bodies.list_posts(session, vid, include_ended=True)
    assert [(r.name, r.role, r.state, r.end_reason) for r in ended] == [("张三", "副主任", "已结束", "辞职")]
    log = session.execute(select(AuditEntry.action, AuditEntry.detail).where(AuditEntry.entity == "body_post")
                          .order_by(AuditEntry.id)).all()
    assert [a for a, _ in log] == ["create", "update", "close"]
    assert "副主任" in str(log[1].detail) and "委员" in str(log[1].detail)
    # once ended, the same post can be taken again by someone else
    bodies.add_post(session, vid, li, "村民委员会", "副主任", date(2024, 3, 2))


def test_one_shoulder_shown_for_secretary_and_director(session: Session, vid: int) -> None:
    branch = org.create_org(session, vid, OrgInput("东坟村党支部", "党支部"))
    idn = make_id_number("110105", date(1968, 5, 1), 7)
    mid = members.add_member(session, vid, MemberInput("王书记", idn, org_id=branch, joined_on=date(1995, 7, 1),
                                                       confirmed_on=date(1996, 7, 1)))
    rid = session.get(PartyMember, mid).resident_id
    bodies.add_post(session, vid, rid, "村民委员会", "主任", date(2021, 4, 18))
    assert [r.title for r in bodies.list_posts(session, vid, "村民委员会")] == ["主任"]
    member_posts.add_post(session, mid, branch, "书记", date(2021, 4, 10))
    assert [r.title for r in bodies.list_posts(session, vid, "村民委员会")] == ["主任（书记、主任一肩挑）"]


def test_representative_households_set_and_replaced(session: Session, vid: int) -> None:
    h = [household(session, vid, f"00{i}", f"户主{i}", 10 + i) for i in range(1, 5)]
    zhang, li = person(session, vid, "张三", 1), person(session, vid, "李四", 2)
    rep = bodies.add_post(session, vid, zhang, "村民代表", "代表", date(2021, 4, 18), group_name="第一村民小组")
    rep2 = bodies.add_post(session, vid, li, "村民代表", "代表", date(2021, 4, 18))
    bodies.set_households(session, rep, [h[0], h[1], h[2]])
    assert [x.head_name for x in bodies.post_households(session, rep)] == ["户主1", "户主2", "户主3"]
    with pytest.raises(ValidationError) as e:
        bodies.set_households(session, rep2, [h[2], h[3]])
    assert "户号 003 已由代表 张三 联系" in problems(e)
    bodies.set_households(session, rep, [h[0], h[3]])  # replaced, not added
    assert [x.number for x in bodies.post_households(session, rep)] == ["001", "004"]
    bodies.set_households(session, rep2, [h[1], h[2]])
    director = bodies.add_post(session, vid, person(session, vid, "王五", 3), "村民委员会", "委员", date(2021, 4, 18))
    with pytest.raises(ValidationError) as e:
        bodies.set_households(session, director, [h[0]])
    assert "只有村民代表联系户" in problems(e)


def test_term_default_and_reminder_at_six_months(session: Session, vid: int) -> None:
    t = terms.add_term(session, vid, "村民委员会", date(2022, 1, 10), name="第十二届")
    assert [(x.starts_on, x.ends_on) for x in terms.list_terms(session, vid)] == [(date(2022, 1, 10), date(2027, 1, 9))]
    old = terms.add_term(session, vid, "村民代表", date(2015, 4, 1))  # before the 2018 revision: three years
    assert next(x for x in terms.list_terms(session, vid) if x.id == old).ends_on == date(2018, 3, 31)
    # ends 2027-01-09: due from 2026-07-09 (exactly six months before), not on 2026-07-08
    assert [x.id for x in terms.due_terms(session, vid, date(2026, 7, 9)) if x.body == "村民委员会"] == [t]
    assert [x.id for x in terms.due_terms(session, vid, date(2026, 7, 8)) if x.body == "村民委员会"] == []
    # ended with no new term: still due; a new term ends it
    assert terms.due_terms(session, vid, date(2027, 3, 1))[0].state == "已届满"
    new = terms.add_term(session, vid, "村民委员会", date(2027, 1, 5), name="第十三届")
    states = {x.id: x.state for x in terms.list_terms(session, vid, date(2027, 3, 1))}
    assert states[t] == "已换届" and states[new] == "届期内"
    with pytest.raises(ValidationError) as e:  # the same term twice
        terms.add_term(session, vid, "村民委员会", date(2027, 1, 5))
    assert "重复" in problems(e)
    terms.correct_term(session, new, date(2027, 1, 6), date(2032, 1, 5), name="第十三届")
    assert session.scalar(select(AuditEntry.action).where(AuditEntry.entity == "body_term",
                                                          AuditEntry.entity_id == new)
                          .order_by(AuditEntry.id.desc())) == "update"
    with pytest.raises(ValidationError) as e:
        terms.add_term(session, vid, "村民小组", date(2027, 1, 5))
    assert "班子" in problems(e)
