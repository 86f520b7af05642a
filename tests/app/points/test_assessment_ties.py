"""Right figures in the points 公示 and ledger (issue 19, point 1): a stale draft is never shown beside current
figures, and members tied across a share's line follow the unit's stated rule (名额不超比例 or 待定)."""

from __future__ import annotations

import math
import random
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.cli import main as cli_main
from app.db import Database
from app.models import AuditEntry
from app.services import units
from app.services.context import AppContext
from app.services.errors import ServiceError
from app.services.notices import archive
from app.services.points import assessments, ledgers
from app.services.points import member_points as points
from app.services.points import rules as point_rules
from app.services.points.notice import build_points_notice
from app.services.points.rules import PENDING, GradeBands

from ..roles import as_, make_staff
from .test_points import Y, entry

D = Decimal


# ---------------------------------------------------------------- the rule itself (one branch)


TOTALS = {1: D(99), 2: D(95), 3: D(95), 4: D(95), 5: D(90), 6: D(88), 7: D(88), 8: D(85), 9: D(80), 10: D(59)}


def test_cap_rule_drops_a_tie_across_the_line_to_the_grade_below() -> None:
    placed = GradeBands(20, 40, D(60)).place(7, TOTALS)  # 10 members: 优秀 2 places, 优秀+良好 6 places
    assert [placed.grades[m] for m in range(1, 11)] == [
        "优秀", "良好", "良好", "良好", "良好", "一般", "一般", "一般", "一般", "差"]
    assert not placed.pending
    first, second = placed.ties
    assert (first.grade, first.line, first.first, first.last, first.total, first.outcome) == (
        "优秀", 2, 2, 4, D(95), "良好")
    assert first.text("cap") == "第 2–4 名有 3 人同分 95 分，跨过优秀名额线（2 名），按“名额不超比例”规则均评为良好"
    assert (second.grade, second.first, second.last, second.outcome) == ("良好", 6, 7, "一般")


def test_pending_rule_lists_the_tie_for_the_committee() -> None:
    placed = GradeBands(20, 40, D(60), "pending").place(7, TOTALS)
    assert placed.pending == {2: ("优秀", "良好"), 3: ("优秀", "良好"), 4: ("优秀", "良好"),
                              6: ("良好", "一般"), 7: ("良好", "一般")}
    assert placed.grades[1] == "优秀" and placed.grades[5] == "良好"
    assert "列为待定（可评优秀或良好）" in placed.ties[0].text("pending")


def test_cap_rule_never_exceeds_a_share_on_random_branches() -> None:
    rng = random.Random(19)
    for _ in range(400):
        n = rng.randint(1, 60)
        totals = {i: D(rng.choice((60, 70, 80, 85, 90, 95, 100)) + rng.randint(0, 3)) for i in range(n)}
        excellent, good = rng.randint(1, 50), rng.randint(0, 50)
        placed = GradeBands(excellent, good, D(60)).place(1, totals)
        grades = list(placed.grades.values())
        assert grades.count("优秀") <= math.ceil(n * excellent / 100)
        assert grades.count("优秀") + grades.count("良好") <= math.ceil(n * (excellent + good) / 100)
        order = ("优秀", "良好", "一般", "差")
        for a in totals:  # equal totals, equal grades; a higher total never a worse grade
            for b in totals:
                if totals[a] == totals[b]:
                    assert placed.grades[a] == placed.grades[b]
                elif totals[a] > totals[b]:
                    assert order.index(placed.grades[a]) <= order.index(placed.grades[b])


# ---------------------------------------------------------------- the assessment (services)


def _tie_at_the_top(s: Session, vid: int, t: dict) -> None:
    """第一党支部 (3 members: one 优秀 place, two 优秀+良好): 张三 and 王五 both on 60, 李四 50 (差)."""
    points.grant_base_points(s, vid, Y, date(Y, 1, 2))  # 在职 55, 青年 50, 退休 60
    entry(s, vid, t["张三"], "受到上级表彰", date(Y, 7, 1), "5", evidence="街道表彰")


def test_ties_under_the_cap_rule(session: Session, vid: int, branch: dict) -> None:
    _tie_at_the_top(session, vid, branch)
    status = assessments.compute_assessment(session, vid, Y, date(Y, 12, 31))
    rows = {r.name: r for r in assessments.list_assessment(session, vid, Y)}
    assert (rows["张三"].grade, rows["王五"].grade, rows["李四"].grade) == ("良好", "良好", "差")
    assert rows["张三"].rank == rows["王五"].rank == 1 and not rows["张三"].choices
    assert status.ties == ("第一党支部：第 1–2 名有 2 人同分 60 分，跨过优秀名额线（1 名），按“名额不超比例”规则均评为良好",)
    assert status.undecided == 0 and "待定" not in status.distribution
    assessments.publish_assessment(session, vid, Y, date(Y + 1, 1, 10))


def test_ties_listed_for_the_committee(session: Session, vid: int, branch: dict) -> None:
    point_rules.set_grade_bands(session, vid, 20, 40, "60", "pending")
    assert point_rules.get_grade_bands(session, vid).ties == "pending"
    _tie_at_the_top(session, vid, branch)
    status = assessments.compute_assessment(session, vid, Y, date(Y, 12, 31))
    assert status.undecided == 2 and status.distribution[PENDING] == 2 and "列为待定" in status.ties[0]
    rows = {r.name: r for r in assessments.list_assessment(session, vid, Y)}
    assert (rows["张三"].grade, rows["王五"].grade) == (PENDING, PENDING)
    assert rows["张三"].choices == ("优秀", "良好") and not rows["李四"].choices
    with pytest.raises(ServiceError, match="待定"):
        assessments.publish_assessment(session, vid, Y, date(Y + 1, 1, 10))
    with pytest.raises(ServiceError, match="待支委会确定（王五、张三）"):
        build_points_notice(session, vid, Y)
    with pytest.raises(ServiceError, match="只能评为优秀或良好"):
        assessments.decide_grade(session, rows["王五"].id, "一般")
    with pytest.raises(ServiceError, match="不需要支委会确定"):
        assessments.decide_grade(session, rows["李四"].id, "良好")
    assessments.decide_grade(session, rows["王五"].id, "优秀")
    assessments.decide_grade(session, rows["张三"].id, "良好")
    assessments.compute_assessment(session, vid, Y, date(Y, 12, 31))  # the decisions survive a recomputation
    rows = {r.name: r for r in assessments.list_assessment(session, vid, Y)}
    assert (rows["王五"].grade, rows["张三"].grade) == ("优秀", "良好")
    assert [r[5] for r in build_points_notice(session, vid, Y).rows][:2] == ["优秀", "良好"]
    assessments.publish_assessment(session, vid, Y, date(Y + 1, 1, 10))
    assert assessments.assessment_status(session, vid, Y).distribution["优秀"] == 1  # 王五, as the 支委会 decided


def test_a_changed_total_drops_the_committees_decision(session: Session, vid: int, branch: dict) -> None:
    point_rules.set_grade_bands(session, vid, 20, 40, "60", "pending")
    _tie_at_the_top(session, vid, branch)
    assessments.compute_assessment(session, vid, Y, date(Y, 12, 31))
    row = next(r for r in assessments.list_assessment(session, vid, Y) if r.name == "王五")
    assessments.decide_grade(session, row.id, "优秀")
    entry(session, vid, branch["张三"], "受到上级表彰", date(Y, 8, 1), "2", evidence="街道表彰")
    with pytest.raises(ServiceError, match="重新计算"):  # no decision on stale figures
        assessments.decide_grade(session, row.id, "良好")
    assessments.compute_assessment(session, vid, Y, date(Y, 12, 31))
    rows = {r.name: r for r in assessments.list_assessment(session, vid, Y)}
    assert (rows["张三"].grade, rows["王五"].grade) == ("优秀", "良好")  # no tie any more
    assert assessments.assessment_status(session, vid, Y).undecided == 0


# ---------------------------------------------------------------- a stale draft in the 公示 and the ledger


def _figures(rows: list[list[object]]) -> dict[str, tuple[str, str, str]]:
    return {str(r[1]): (str(r[3]), str(r[4]), str(r[5])) for r in rows}


def test_the_notice_recomputes_a_stale_draft(session: Session, vid: int, branch: dict) -> None:
    _tie_at_the_top(session, vid, branch)
    assessments.compute_assessment(session, vid, Y, date(Y, 12, 31))
    entry(session, vid, branch["李四"], "受到上级表彰", date(Y, 9, 1), "10", evidence="表彰")  # 50 → 60
    assert assessments.draft_problem(session, vid, Y) == "计算之后积分记录有变动"
    draft = build_points_notice(session, vid, Y)
    assert assessments.draft_problem(session, vid, Y) is None
    # three on 60 across both lines (one 优秀 place, two 优秀+良好 places): under 名额不超比例 all 一般
    assert _figures(draft.rows)["李四"] == ("60", "1", "一般")
    current = {r.name: (point_rules.points_text(r.total), str(r.rank), r.grade)
               for r in assessments.list_assessment(session, vid, Y)}
    assert _figures(draft.rows) == current
    summary = session.scalars(select(AuditEntry.summary).where(AuditEntry.entity == "assessment")
                              .order_by(AuditEntry.id.desc())).first()
    assert summary is not None and "生成积分排名公示时发现草稿计算之后积分记录有变动，自动重新计算" in summary


def test_the_notice_is_refused_when_the_operator_may_not_recompute(demo_db: Database) -> None:
    ctx = AppContext(demo_db)
    staff = make_staff(ctx)
    uid = ctx.unit_id
    assert ctx.call(assessments.draft_problem, uid, 2026) is None  # the demo computes its draft last
    some_member = ctx.call(assessments.list_assessment, uid, 2026)[0].member_id
    ctx.call(entry, uid, some_member, "受到上级表彰", date(2026, 11, 20), "10", evidence="县级表彰")
    assert ctx.call(assessments.draft_problem, uid, 2026) == "计算之后积分记录有变动"  # now stale
    with pytest.raises(ServiceError) as refused:
        as_(ctx, staff["grid"]).call(build_points_notice, uid, 2026)
    assert str(refused.value) == ("2026年度评定草稿计算之后积分记录有变动，请先在年度评定向导中重新计算，"
                                  "再生成积分排名公示。")
    assert ctx.call(assessments.draft_problem, uid, 2026) is not None  # nothing was written
    as_(ctx, staff["clerk"]).call(build_points_notice, uid, 2026)  # the 文书 may compute: it is recomputed
    assert ctx.call(assessments.draft_problem, uid, 2026) is None


def test_the_ledger_shows_one_consistent_set(session: Session, vid: int, branch: dict) -> None:
    _tie_at_the_top(session, vid, branch)
    assessments.compute_assessment(session, vid, Y, date(Y, 12, 31))
    entry(session, vid, branch["李四"], "受到上级表彰", date(Y, 9, 1), "10", evidence="表彰")
    stale = ledgers.points_ledger(session, vid, Y)
    headers = [c.header for c in stale.columns]
    assert "评定等次" not in headers and "后续处理" not in headers
    assert "实时数" in stale.notes[0] and "计算之后积分记录有变动" in stale.notes[0]
    live = {r.name: r for r in stale.rows}
    assert live["李四"].total == D(60) and live["李四"].grade is None and live["李四"].rank == 1
    page = {r.name: r for r in points.member_points(session, points.PointsQuery(vid, Y))}
    assert page["张三"].grade is None and page["张三"].assessment_state == "待重新计算"

    assessments.compute_assessment(session, vid, Y, date(Y, 12, 31))
    fresh = ledgers.points_ledger(session, vid, Y)
    assert "评定等次" in [c.header for c in fresh.columns] and "与积分记录一致" in fresh.notes[0]
    assessed = {r.name: (r.total, r.rank, r.grade) for r in assessments.list_assessment(session, vid, Y)}
    assert {r.name: (r.total, r.rank, r.grade) for r in fresh.rows} == assessed


# ---------------------------------------------------------------- the demo village: notice = ledger, row by row


# the draft (59 on the roster and the two 转出 during 2026), the published year
@pytest.mark.parametrize(("year", "members"), [(2026, 61), (2025, 55)])
def test_demo_notice_and_ledger_agree_row_by_row(demo_db_path: Path, tmp_path: Path, year: int, members: int) -> None:
    db = ["--db", str(demo_db_path)]
    assert cli_main([*db, "notice", "points", "-o", str(tmp_path / "n.pdf"), "--year", str(year)]) == 0
    assert cli_main([*db, "export", "points", "-o", str(tmp_path / "l.xlsx"), "--year", str(year)]) == 0
    from app.db import open_database, resolve_url

    database = open_database(resolve_url(demo_db_path))
    try:
        with database.session() as s:
            uid = units.current_unit_id(s)
            notice = next(n for n in archive.list_notices(s, uid, kind="points") if n.year == year)
            columns, rows = archive.notice_table(s, notice.id)
    finally:
        database.dispose()
    at = {c["header"]: i for i, c in enumerate(columns)}
    printed = {(r[at["所在支部"]], r[at["姓名"]]): (r[at["总积分"]], r[at["支部排名"]], r[at["评定等次"]])
               for r in rows}
    sheet = openpyxl.load_workbook(tmp_path / "l.xlsx")["党员积分台账"]
    header = [c.value for c in sheet[3]]
    col = {h: header.index(h) for h in ("姓名", "所在支部", "总积分", "支部内排名", "评定等次")}
    ledger = {}
    for r in sheet.iter_rows(min_row=4, values_only=True):
        if isinstance(r[0], int):  # numbered rows (not 合计, 注, signatures)
            ledger[(r[col["所在支部"]], r[col["姓名"]])] = (
                point_rules.points_text(Decimal(str(r[col["总积分"]]))), str(r[col["支部内排名"]]), r[col["评定等次"]])
    assert len(printed) == len(rows) == len(ledger) == members
    assert printed == ledger
