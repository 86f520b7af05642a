"""党员积分: rules, the append-only ledger, caps, meetings → entries, assessment, follow-up, outputs."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.cli import main as cli_main
from app.db import Database, open_database, resolve_url
from app.models import Assessment, PointEntry, Unit
from app.services import units
from app.services.errors import ServiceError, ValidationError
from app.services.points import assessments, meetings
from app.services.points import member_points as points
from app.services.points import rules as point_rules
from app.services.points.meetings import MeetingInput
from app.services.points.member_points import EntryInput, PointsQuery

D = Decimal
Y = 2025


def rule_id(s: Session, vid: int, name: str) -> int:
    return next(r.id for r in point_rules.list_rules(s, vid) if r.name == name)


def entry(s: Session, vid: int, member: int, rule: str, on: date = date(Y, 5, 1), pts: object = None,
          **kw: str) -> int:
    return points.add_entry(s, EntryInput(member, rule_id(s, vid, rule), on, pts, **kw))


# ---------------------------------------------------------------- rules


def test_default_rules_come_from_the_seeds(session: Session, vid: int) -> None:
    rules = point_rules.list_rules(session, vid)
    assert {r.kind for r in rules} == {"base", "duty", "reward", "deduct"}
    base = {r.categories[0]: r.points for r in rules if r.trigger == "base"}
    assert set(base) == {"青年", "在职", "退休"} and len(set(base.values())) == 3  # 不同党员不同基础分
    assert point_rules.rule_for_trigger(session, vid, "meeting:党课:缺席", "在职").kind == "deduct"
    assert point_rules.rule_for_trigger(session, vid, "ticket:代办", "青年").name == "党员代办事项办结"
    assert len(point_rules.list_rules(session, vid)) == len(rules)  # defaults are added once


def test_rule_validation_names_every_field(session: Session, vid: int) -> None:
    with pytest.raises(ValidationError) as e:
        point_rules.create_rule(session, vid, point_rules.RuleInput(
            "bonus", "", "abc", points_min="5", points_max="2", categories=["老年"], yearly_cap="-1",
            trigger="meeting:党课:出席"))
    fields = {p.field for p in e.value.problems}
    assert {"kind", "name", "points", "points_max", "categories", "yearly_cap"} <= fields
    new = point_rules.create_rule(session, vid, point_rules.RuleInput("reward", "抗洪抢险", "4", "2", "6",
                                                                   ["青年"], "12", True))
    assert point_rules.get_rule(session, new).range_text == "2–6"


# ---------------------------------------------------------------- ledger


def test_totals_are_base_plus_duty_plus_reward_minus_deductions(session: Session, vid: int, branch: dict) -> None:
    m = branch["张三"]
    assert points.grant_base_points(session, vid, Y, date(Y, 1, 2)) == 4
    assert points.grant_base_points(session, vid, Y, date(Y, 1, 2)) == 0  # once a year
    entry(session, vid, m, "参加党课")
    entry(session, vid, m, "六必访入户走访", pts="3", evidence="走访空巢老人")
    entry(session, vid, m, "受到上级表彰", pts="5", evidence="街道表彰")
    entry(session, vid, m, "未按时交纳党费")
    t = points.member_totals(session, m, Y)
    assert (t.base, t.duty, t.reward, t.deduct) == (D(55), D(5), D(5), D(5))
    assert t.total == D(60)
    rows = {r.name: r for r in points.member_points(session, PointsQuery(vid, Y))}
    assert rows["张三"].total == D(60) and rows["王五"].total == D(60) and rows["李四"].total == D(50)
    assert (rows["张三"].rank, rows["王五"].rank, rows["李四"].rank) == (1, 1, 3)  # ties share, within the branch
    assert rows["赵六"].rank == 1 and rows["赵六"].branch_size == 1


def test_entry_checks_range_category_evidence_and_caps(session: Session, vid: int, branch: dict) -> None:
    m = branch["李四"]
    with pytest.raises(ValidationError) as e:
        entry(session, vid, m, "六必访入户走访", pts="7")
    assert {p.field for p in e.value.problems} == {"points", "evidence"}
    with pytest.raises(ValidationError) as e:
        entry(session, vid, m, "基础分（退休党员）")
    assert "只适用于退休党员" in str(e.value)
    for i in range(4):
        entry(session, vid, m, "双报到社区志愿服务", date(Y, 3, 1 + i), "5")
    with pytest.raises(ValidationError) as e:  # the cap is 20 a year
        entry(session, vid, m, "双报到社区志愿服务", date(Y, 4, 1), "1")
    assert "每人每年最多 20" in str(e.value) and "已得 20" in str(e.value)
    entry(session, vid, m, "双报到社区志愿服务", date(Y + 1, 1, 5), "5")  # a new year starts again
    assert session.scalar(select(func.count(PointEntry.id))) == 5


def test_void_keeps_history_and_correction_points_back(session: Session, vid: int, branch: dict) -> None:
    m = branch["张三"]
    wrong = entry(session, vid, m, "六必访入户走访", pts="3", evidence="走访困难家庭")
    with pytest.raises(ValidationError):
        points.void_entry(session, wrong, "  ")
    fixed = points.correct_entry(session, wrong, EntryInput(m, rule_id(session, vid, "六必访入户走访"),
                                                            date(Y, 5, 1), "1", evidence="走访困难家庭"), "分值录错")
    rows = points.list_entries(session, m, Y)
    assert [(r.id, r.voided, str(r.points)) for r in rows] == [(wrong, True, "3.0"), (fixed, False, "1.0")]
    assert rows[0].void_reason == "分值录错" and rows[1].corrects_id == wrong
    assert points.member_totals(session, m, Y).duty == D(1)
    with pytest.raises(ValidationError):
        points.void_entry(session, wrong, "再次作废")
    assert len(points.list_entries(session, m, Y, include_voided=False)) == 1


def test_award_for_ticket_is_idempotent_and_capped(session: Session, vid: int, branch: dict) -> None:
    m = branch["赵六"]
    first = points.award_for_ticket(session, m, "2025-0001", date(Y, 3, 1))
    assert first is not None
    assert points.award_for_ticket(session, m, "2025-0001", date(Y, 3, 2)) == first
    for n in range(2, 11):
        assert points.award_for_ticket(session, m, f"2025-{n:04d}", date(Y, 3, 1)) is not None
    assert points.award_for_ticket(session, m, "2025-0099", date(Y, 4, 1)) is None  # cap 20 reached
    assert points.member_totals(session, m, Y).duty == D(20)
    assert points.revoke_for_ticket(session, "2025-0001", "工单重新打开") == 1
    assert points.member_totals(session, m, Y).duty == D(18)


# ---------------------------------------------------------------- meetings


def test_closing_a_meeting_generates_exactly_the_expected_entries(session: Session, vid: int, branch: dict) -> None:
    mid = meetings.create_meeting(session, vid, MeetingInput(branch["b1"], "党课", datetime(Y, 6, 25, 9), "做合格党员"))
    sheet = meetings.attendance_sheet(session, mid)
    assert {r.name for r in sheet} == {"张三", "李四", "王五"}  # the branch, not 赵六
    meetings.set_attendance(session, mid, branch["张三"], "出席")
    with pytest.raises(ValidationError):
        meetings.set_attendance(session, mid, branch["李四"], "请假")  # 请假 needs a reason
    meetings.set_attendance(session, mid, branch["李四"], "请假", "外出务工")
    with pytest.raises(ServiceError, match="王五"):
        meetings.close_attendance(session, mid)  # not everyone recorded
    meetings.set_attendance(session, mid, branch["王五"], "缺席")
    result = meetings.close_attendance(session, mid)
    assert result.entries == 2 and result.points_by_status == {"出席": 1, "缺席": 1}
    got = {(e.member_name, e.rule_name, str(e.points), e.source, e.source_ref)
           for m in ("张三", "李四", "王五") for e in points.list_entries(session, branch[m], Y)}
    assert got == {("张三", "参加党课", "2.0", "meeting", f"meeting:{mid}"),
                   ("王五", "无故缺席党课", "-3.0", "meeting", f"meeting:{mid}")}
    with pytest.raises(ServiceError):
        meetings.set_attendance(session, mid, branch["王五"], "出席")  # closed: fixed
    row = meetings.get_meeting(session, mid)
    assert (row.expected, row.present, row.leave, row.absent, row.state) == (3, 1, 1, 1, "已结束")
    counts = {c.name: c for c in meetings.member_counts(session, vid, Y)}
    assert counts["王五"].count("党课", "缺席") == 1 and counts["张三"].total("出席") == 1


def test_group_meeting_expects_the_group_and_mark_rest(session: Session, vid: int, branch: dict) -> None:
    with pytest.raises(ValidationError):
        meetings.create_meeting(session, vid, MeetingInput(branch["b1"], "党小组会", date(Y, 3, 1), "学习"))
    with pytest.raises(ValidationError):  # 主题党日 needs its theme
        meetings.create_meeting(session, vid, MeetingInput(branch["b1"], "主题党日", date(Y, 3, 1)))
    mid = meetings.create_meeting(session, vid, MeetingInput(branch["g1"], "党小组会", date(Y, 3, 1), "学习"))
    assert meetings.mark_rest(session, mid) == 3
    assert meetings.close_attendance(session, mid).entries == 3


# ---------------------------------------------------------------- assessment


def _base_and_absences(s: Session, vid: int, t: dict, year: int, absent: str) -> None:
    """Everyone gets the base; `absent` misses three 党课 without leave (below the 60 floor)."""
    points.grant_base_points(s, vid, year, date(year, 1, 2))
    for month in (3, 6, 9):
        mid = meetings.create_meeting(s, vid, MeetingInput(t["b1"], "党课", date(year, month, 25), "党课"))
        for name in ("张三", "李四", "王五"):
            meetings.set_attendance(s, mid, t[name], "缺席" if name == absent else "出席")
        meetings.close_attendance(s, mid)


def test_grade_bands(session: Session, vid: int) -> None:
    bands = point_rules.GradeBands(20, 40, D(60))
    grades = [bands.grade(rank, 10, D(90 - rank)) for rank in range(1, 11)]
    assert grades == ["优秀", "优秀", "良好", "良好", "良好", "良好", "一般", "一般", "一般", "一般"]
    assert bands.grade(1, 10, D("59.5")) == "差"  # below the floor whatever the rank
    assert point_rules.get_grade_bands(session, vid) == bands  # the defaults shown in 设置
    with pytest.raises(ValidationError):
        point_rules.set_grade_bands(session, vid, 70, 40, "60")
    point_rules.set_grade_bands(session, vid, 10, 30, "50")
    assert point_rules.get_grade_bands(session, vid).fail_below == D(50)


def test_first_fail_is_talked_to_then_advised_to_leave(session: Session, vid: int, branch: dict) -> None:
    _base_and_absences(session, vid, branch, Y, "李四")
    status = assessments.compute_assessment(session, vid, Y, date(Y, 12, 31))
    assert status.state == "待发布" and status.computed == 4
    rows = {r.name: r for r in assessments.list_assessment(session, vid, Y)}
    assert rows["李四"].total == D(50 - 9) and rows["李四"].grade == "差" and rows["李四"].follow_up == "约谈"
    assert (rows["王五"].grade, rows["张三"].grade, rows["赵六"].rank) == ("优秀", "良好", 1)
    # re-running before publication replaces the draft
    entry(session, vid, branch["李四"], "受到上级表彰", date(Y, 7, 1), "10", evidence="表彰")
    with pytest.raises(ServiceError, match="重新计算"):
        assessments.publish_assessment(session, vid, Y, date(Y + 1, 1, 10))
    assessments.compute_assessment(session, vid, Y, date(Y, 12, 31))
    assert session.scalar(select(func.count(Assessment.id))) == 4
    assert {r.name: r.total for r in assessments.list_assessment(session, vid, Y)}["李四"] == D(51)
    assessments.publish_assessment(session, vid, Y, date(Y + 1, 1, 10))
    row = assessments.follow_up_list(session, vid, Y)[0]
    assessments.record_follow_up(session, row.id, date(Y + 1, 1, 12), "书记王", "当面约谈，本人表示改正")
    assert assessments.follow_up_list(session, vid, Y)[0].records_text == "2026-01-12 书记王：当面约谈，本人表示改正"

    _base_and_absences(session, vid, branch, Y + 1, "李四")
    assessments.compute_assessment(session, vid, Y + 1, date(Y + 1, 12, 31))
    second = {r.name: r for r in assessments.list_assessment(session, vid, Y + 1)}
    assert second["李四"].grade == "差" and second["李四"].previous_grade == "差"
    assert second["李四"].follow_up == "劝退"


def test_published_assessment_is_frozen(session: Session, vid: int, branch: dict) -> None:
    _base_and_absences(session, vid, branch, Y, "李四")
    assessments.compute_assessment(session, vid, Y, date(Y, 12, 31))
    assessments.publish_assessment(session, vid, Y, date(Y + 1, 1, 10))
    some = points.list_entries(session, branch["张三"], Y)[0].id
    with pytest.raises(ServiceError, match="已.*发布"):
        assessments.compute_assessment(session, vid, Y)
    with pytest.raises(ServiceError, match="封存"):
        entry(session, vid, branch["张三"], "参加党课", date(Y, 12, 1))
    with pytest.raises(ServiceError, match="封存"):
        points.void_entry(session, some, "改")
    with pytest.raises(ServiceError, match="已.*发布"):
        assessments.publish_assessment(session, vid, Y)
    assert points.award_for_ticket(session, branch["赵六"], "2025-0100", date(Y, 12, 1)) is None
    row = next(r for r in assessments.list_assessment(session, vid, Y) if r.name == "张三")
    with pytest.raises(ValidationError):  # no follow-up for a good grade
        assessments.record_follow_up(session, row.id, date(Y + 1, 2, 1), "书记", "无")


# ---------------------------------------------------------------- outputs and CLI (demo village)


def test_demo_has_two_years_and_one_member_failing_twice(demo_db: Database) -> None:
    with demo_db.session() as s:
        uid = units.current_unit_id(s)
        last, this = assessments.assessment_status(s, uid, 2025), assessments.assessment_status(s, uid, 2026)
        assert last.state == "已发布" and this.state == "待发布"
        advised = [r for r in assessments.follow_up_list(s, uid, 2026) if r.follow_up == "劝退"]
        assert len(advised) == 1 and advised[0].previous_grade == "差"
        assert s.scalar(select(func.count(PointEntry.id)).where(PointEntry.voided_at.isnot(None))) >= 3
        kinds = {m.kind for m in meetings.list_meetings(s, uid, 2026)}
        assert kinds == {"主题党日", "支部党员大会", "党课"}
        assert len(meetings.list_meetings(s, uid, 2026, kind="主题党日")) == 21  # monthly to October + one open, two branches


def test_cli_exports_and_notice(demo_db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "points.xlsx"
    assert cli_main(["--db", str(demo_db_path), "export", "points", "point-entries", "-o", str(out),
                     "--year", "2026"]) == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["党员积分台账", "积分明细"]
    header = [c.value for c in wb["党员积分台账"][3]]
    # the demo computes its 2026 draft last: the ledger shows the draft with its grades
    assert header[:6] == ["序号", "姓名", "所在支部", "党小组", "积分类别", "基础分"] and "评定等次" in header
    # a point entered after the draft: live figures, no grades, and the note says so
    db = open_database(resolve_url(demo_db_path))
    try:
        with db.session() as s:
            uid = s.scalars(select(Unit.id)).one()
            member = assessments.list_assessment(s, uid, 2026)[0].member_id
            entry(s, uid, member, "受到上级表彰", date(2026, 11, 20), "10", evidence="县级表彰")
    finally:
        db.dispose()
    assert cli_main(["--db", str(demo_db_path), "export", "points", "-o", str(out), "--year", "2026"]) == 0
    sheet = openpyxl.load_workbook(out)["党员积分台账"]
    assert "评定等次" not in [c.value for c in sheet[3]]
    notes = [c.value for row in sheet.iter_rows() for c in row if str(c.value or "").startswith("注")]
    assert any("实时数" in n and "积分记录有变动" in n for n in notes)
    last = tmp_path / "points2025.xlsx"
    assert cli_main(["--db", str(demo_db_path), "export", "points", "-o", str(last), "--year", "2025"]) == 0
    assert "评定等次" in [c.value for c in openpyxl.load_workbook(last)["党员积分台账"][3]]  # published
    states = {row[9] for row in wb["积分明细"].iter_rows(min_row=4, values_only=True) if row[0]}
    assert "已作废" in states
    out2 = tmp_path / "meetings.xlsx"
    assert cli_main(["--db", str(demo_db_path), "export", "meetings", "meeting-attendance", "point-follow-ups",
                     "-o", str(out2), "--year", "2026"]) == 0
    book = openpyxl.load_workbook(out2)
    assert book.sheetnames[:2] == ["三会一课记录台账", "党员参会情况"] and len(book.sheetnames) == 3
    advised = [r for r in book.worksheets[2].iter_rows(min_row=4, values_only=True) if r[0] and "劝退" in r]
    assert len(advised) == 1
    pdf = tmp_path / "points.pdf"
    assert cli_main(["--db", str(demo_db_path), "notice", "points", "-o", str(pdf), "--year", "2025"]) == 0
    assert pdf.read_bytes().startswith(b"%PDF")
    assert "党员积分排名及评定结果的公示" in capsys.readouterr().out
    assert cli_main(["--db", str(demo_db_path), "notice", "points", "-o", str(pdf), "--year", "2019"]) == 1


def test_member_points_filters(demo_db: Database) -> None:
    with demo_db.session() as s:
        uid = units.current_unit_id(s)
        q = PointsQuery(uid, 2026)
        everyone = points.member_points(s, q)
        retired = points.member_points(s, replace(q, category="退休"))
        assert retired and all(r.category == "退休" for r in retired) and len(retired) < len(everyone)
        first = everyone[0]
        found = points.member_points(s, replace(q, text=first.name))
        assert first.member_id in {r.member_id for r in found}
        by_total = points.member_points(s, replace(q, order_by="total", descending=True))
        assert [r.total for r in by_total] == sorted((r.total for r in everyone), reverse=True)


def test_meeting_list_counts_the_expected_members_of_each_meeting(demo_db: Database) -> None:
    # the list counts in bulk; each count must equal the attendance sheet's (branch, 党小组, joined/left dates)
    with demo_db.session() as s:
        unit_id = units.current_unit_id(s)
        rows = [r for year in (2025, 2026) for r in meetings.list_meetings(s, unit_id, year)]
        assert len({r.org_id for r in rows}) > 1
        for r in rows:
            assert r.expected == len(meetings.attendance_sheet(s, r.id)), r
