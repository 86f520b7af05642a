"""四议两公开 from a blank village: the roster each meeting ticks, steps in order, a failed vote ends
the path, 决议公开 / 实施结果公开 archived as masked 公示, withdrawal."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AuditEntry, Notice
from app.models.affairs import AffairsAttendance
from app.services.affairs import decisions, meetings
from app.services.affairs.decisions import DecisionInput
from app.services.errors import ServiceError, ValidationError
from app.services.notices import archive
from app.services.workbench.today import todo_lines

from .decision_village import Village, make_village, ticked

D1, D2, D3, D4 = date(2026, 3, 2), date(2026, 3, 5), date(2026, 3, 9), date(2026, 3, 12)


@pytest.fixture
def v(session: Session) -> Village:
    return make_village(session)


def _open(s: Session, v: Village, title: str = "村东排水沟硬化") -> int:
    return decisions.open_decision(s, v.unit_id, DecisionInput(title, D1, "硬化排水沟 300 米，联系人电话 13812345678"))


def _through_vote(s: Session, v: Village, did: int) -> None:
    decisions.record_step(s, did, "党组织提议", ticked(s, v, "支委会", D1, 5, (5, 0, 0)))
    decisions.record_step(s, did, "两委会商议", ticked(s, v, "两委会", D2, 7, (7, 0, 0)))
    decisions.record_step(s, did, "党员大会审议", ticked(s, v, "党员大会", D3, 10, (9, 1, 0)))
    decisions.record_step(s, did, "村民代表会议决议", ticked(s, v, "村民代表会议", D4, 8, (6, 1, 1)))


def test_roster_per_meeting_kind(session: Session, v: Village) -> None:
    names = {k: [p.name for p in meetings.roster(session, v.unit_id, k, D1)]
             for k in ("支委会", "两委会", "党员大会", "村民代表会议", "村民会议")}
    assert len(names["支委会"]) == 5 and len(names["党员大会"]) == 12 and len(names["村民代表会议"]) == 9
    # 两委会: the 支委 and the 村民委员会; the 书记 who is also 主任 (一肩挑) once, with both posts
    assert len(names["两委会"]) == 7 and names["村民会议"] == []
    both = [p for p in meetings.roster(session, v.unit_id, "两委会", D1) if p.resident_id == v.members[0]]
    assert [p.role for p in both] == ["支部书记、村民委员会主任"]


def test_numbers_and_path_in_order(session: Session, v: Village, tmp_path: Path) -> None:
    did = _open(session, v)
    assert _open(session, v, "第二件事") and decisions.get_decision(session, did).number == "2026-01"
    assert [d.number for d in decisions.list_decisions(session, v.unit_id)] == ["2026-02", "2026-01"]
    with pytest.raises(ServiceError, match="“两委会商议”不能跳过前面的步骤；下一步应是“党组织提议”"):
        decisions.record_step(session, did, "两委会商议", ticked(session, v, "两委会", D2, 7, (7, 0, 0)))
    decisions.update_decision(session, did, DecisionInput("村东排水沟硬化工程", D1, "300 米"))
    assert decisions.get_decision(session, did).title == "村东排水沟硬化工程"
    decisions.record_step(session, did, "党组织提议", ticked(session, v, "支委会", D1, 5, (5, 0, 0)))
    with pytest.raises(ServiceError, match="已召开过会议，不能再修改"):
        decisions.update_decision(session, did, DecisionInput("别的", D1))
    with pytest.raises(ServiceError, match="“党组织提议”已经通过，不能重复登记；下一步应是“两委会商议”"):
        decisions.record_step(session, did, "党组织提议", ticked(session, v, "支委会", D1, 5, (5, 0, 0)))
    with pytest.raises(ValidationError, match="“两委会商议”应召开两委会"):
        decisions.record_step(session, did, "两委会商议", ticked(session, v, "党员大会", D2, 10, (9, 0, 0)))
    with pytest.raises(ValidationError, match="不能早于上一步的日期"):
        decisions.record_step(session, did, "两委会商议", ticked(session, v, "两委会", date(2026, 2, 1), 7, (7, 0, 0)))
    decisions.record_step(session, did, "两委会商议", ticked(session, v, "两委会", D2, 7, (7, 0, 0)))
    decisions.record_step(session, did, "党员大会审议", ticked(session, v, "党员大会", D3, 10, (9, 1, 0)))
    with pytest.raises(ServiceError, match="下一步应是“村民代表会议决议”"):
        decisions.publish_resolution(session, did, tmp_path / "x.pdf")
    result = decisions.record_step(session, did, "村民代表会议决议",
                                   ticked(session, v, "村民代表会议", D4, 7, (5, 1, 1), "一致同意"))
    assert result.passed
    row = decisions.get_decision(session, did)
    assert row.status == "已决议" and row.next_step == "决议公开"
    assert [st.state for st in row.steps] == ["已完成"] * 4 + ["下一步", "未开始"]
    vote = row.steps[3].meeting
    assert vote is not None and (vote.expected, vote.present, vote.votes_text) == (9, 7, "5/1/1")
    assert vote.absent_names == ["代表8", "代表9"]
    sheet = session.scalars(select(AffairsAttendance).where(AffairsAttendance.meeting_id == vote.id)).all()
    assert len(sheet) == 9 and sum(a.present for a in sheet) == 7


def test_failed_quorum_ends_the_path(session: Session, v: Village, tmp_path: Path) -> None:
    did = _open(session, v)
    decisions.record_step(session, did, "党组织提议", ticked(session, v, "支委会", D1, 5, (5, 0, 0)))
    decisions.record_step(session, did, "两委会商议", ticked(session, v, "两委会", D2, 7, (7, 0, 0)))
    decisions.record_step(session, did, "党员大会审议", ticked(session, v, "党员大会", D3, 10, (9, 1, 0)))
    # 5 of 9 representatives is short of two thirds: the meeting cannot sit
    result = decisions.record_step(session, did, "村民代表会议决议", ticked(session, v, "村民代表会议", D4, 5, (5, 0, 0)))
    assert result.outcome == "不足法定人数"
    row = decisions.get_decision(session, did)
    assert (row.status, row.ended_step, row.next_step) == ("未通过", "村民代表会议决议", None)
    assert "应到 9 人，实到 5 人，不足三分之二（需至少 6 人），会议不能举行" in row.end_reason
    assert [st.state for st in row.steps] == ["已完成"] * 3 + ["未通过", "—", "—"]
    assert row.steps[3].meeting is not None and row.steps[3].meeting.votes_text == "未达法定人数"
    with pytest.raises(ServiceError, match="已在“村民代表会议决议”未通过，程序已终止"):
        decisions.record_step(session, did, "村民代表会议决议", ticked(session, v, "村民代表会议", D4, 9, (9, 0, 0)))
    with pytest.raises(ServiceError, match="程序已终止"):
        decisions.publish_resolution(session, did, tmp_path / "x.pdf")
    with pytest.raises(ValidationError, match="程序已终止，不能撤回"):
        decisions.withdraw_decision(session, did, "改期")


def test_failed_majority_at_the_party_congress(session: Session, v: Village) -> None:
    did = _open(session, v)
    decisions.record_step(session, did, "党组织提议", ticked(session, v, "支委会", D1, 5, (5, 0, 0)))
    decisions.record_step(session, did, "两委会商议", ticked(session, v, "两委会", D2, 7, (7, 0, 0)))
    # 12 expected: 6 in favour is not more than half of those expected
    result = decisions.record_step(session, did, "党员大会审议", ticked(session, v, "党员大会", D3, 10, (6, 4, 0)))
    assert result.outcome == "未通过"
    assert decisions.get_decision(session, did).ended_step == "党员大会审议"


def test_withdraw_keeps_the_record(session: Session, v: Village) -> None:
    did = _open(session, v)
    with pytest.raises(ValidationError, match="请填写撤回原因"):
        decisions.withdraw_decision(session, did, " ")
    decisions.withdraw_decision(session, did, "上级项目资金已覆盖")
    row = decisions.get_decision(session, did)
    assert (row.status, row.end_reason, row.next_step) == ("已撤回", "上级项目资金已覆盖", None)
    with pytest.raises(ServiceError, match="已撤回，不能再登记"):
        decisions.record_step(session, did, "党组织提议", ticked(session, v, "支委会", D1, 5, (5, 0, 0)))


def test_bad_meeting_input_is_named(session: Session, v: Village) -> None:
    did = _open(session, v)
    data = ticked(session, v, "支委会", D1, 5, (5, 0, 0))
    data.present_ids = [*data.present_ids, v.representatives[0]]
    with pytest.raises(ValidationError, match="实到人员须从应到人员中勾选"):
        decisions.record_step(session, did, "党组织提议", data)
    with pytest.raises(ValidationError, match="共 6 票，超过了实到 5 人"):
        decisions.record_step(session, did, "党组织提议", ticked(session, v, "支委会", D1, 5, (5, 1, 0)))
    assert decisions.get_decision(session, did).steps[0].meeting is None  # nothing half-written


def _to_publish(s: Session, v: Village) -> int:
    return next(x.count for x in todo_lines(s, v.unit_id) if x.key == "decisions_to_publish")


def test_publishing_both_notices(session: Session, v: Village, tmp_path: Path) -> None:
    did = _open(session, v)
    assert _to_publish(session, v) == 0
    _through_vote(session, v, did)
    assert _to_publish(session, v) == 1  # the 工作台: decided, not yet 公开
    assert [d.id for d in decisions.list_decisions(session, v.unit_id, decisions.TO_PUBLISH)] == [did]
    with pytest.raises(ValidationError, match="决议尚未公开"):
        decisions.record_result(session, did, "已完工", date(2026, 5, 1))
    info = decisions.publish_resolution(session, did, tmp_path / "决议.pdf", issued_on=date(2026, 3, 13))
    notice = session.get(Notice, info.id)
    assert notice is not None and notice.kind == "decision" and notice.pdf_sha256 == info.sha256
    text = "".join(p.extract_text() for p in PdfReader(info.path).pages)
    assert "村东排水沟硬化" in text and "138****5678" in text and "13812345678" not in text
    assert "6/1/1" in text.replace(" ", "")
    row = decisions.get_decision(session, did)
    assert row.status == "实施中" and row.steps[4].state == "已完成" and row.steps[4].notice_number == info.number
    assert _to_publish(session, v) == 0
    with pytest.raises(ServiceError, match="还没有登记实施结果"):
        decisions.publish_result(session, did, tmp_path / "结果.pdf")
    decisions.record_result(session, did, "排水沟硬化完工，验收合格，共支出 8.6 万元", date(2026, 5, 20))
    assert _to_publish(session, v) == 1  # its result waits for 实施结果公开
    result = decisions.publish_result(session, did, tmp_path / "结果.pdf", issued_on=date(2026, 5, 21))
    assert session.get(Notice, result.id).kind == "decision-result"  # type: ignore[union-attr]
    assert "验收合格" in "".join(p.extract_text() for p in PdfReader(result.path).pages)
    row = decisions.get_decision(session, did)
    assert row.status == "已完成" and [st.state for st in row.steps] == ["已完成"] * 6
    assert _to_publish(session, v) == 0
    kinds = [n.kind for n in archive.list_notices(session, v.unit_id)]
    assert sorted(kinds) == ["decision", "decision-result"]
    summaries = session.scalars(select(AuditEntry.summary).where(AuditEntry.entity == "decision")).all()
    assert any("实施结果公开" in x for x in summaries)


def test_committee_roster_of_a_blank_village(session: Session) -> None:
    """No 党组织 yet: no 支委会 to tick, a 两委会 of the 村民委员会 alone. Then a 党总支 with a 支部 under it:
    only the 总支's posts sit on the village's 支委会 and 两委会."""
    from app.demo.ids import make_id_number
    from app.services.affairs import bodies
    from app.services.org import member_posts, members
    from app.services.org import tree as org
    from app.services.org.member_checks import MemberInput
    from app.services.org.tree import OrgInput
    from app.services.people.residents import ResidentInput, add_resident
    from app.services.setup import founding

    vid = founding.create_unit(session, "西坟村", "城关街道", "房山区")
    director = add_resident(session, vid, ResidentInput("村委主任"))
    bodies.add_post(session, vid, director, "村民委员会", "主任", D1)
    assert meetings.roster(session, vid, "支委会", D2) == []
    assert [p.role for p in meetings.roster(session, vid, "两委会", D2)] == ["村民委员会主任"]

    top = org.create_org(session, vid, OrgInput("西坟村党总支", "党总支"))
    branch = org.create_org(session, vid, OrgInput("第一党支部", "党支部", parent_id=top))
    for i, (where, post) in enumerate(((top, "书记"), (top, "委员"), (branch, "书记"), (branch, "委员"))):
        mid = members.add_member(session, vid, MemberInput(
            f"党员{i + 1}", make_id_number("110105", date(1970, 1, 1), 300 + i), org_id=branch,
            joined_on=date(2000, 7, 1), confirmed_on=date(2001, 7, 1)))
        member_posts.add_post(session, mid, where, post, D1)
    assert [(p.name, p.role) for p in meetings.roster(session, vid, "支委会", D2)] == [
        ("党员1", "总支书记"), ("党员2", "总支委员")]
    assert [p.name for p in meetings.roster(session, vid, "两委会", D2)] == ["党员1", "党员2", "村委主任"]
