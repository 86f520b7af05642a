"""镇级汇总 figures (issue 23): per village the village's own figures, per 片区 and in total the sums,
shares and rates from the summed counts; `township stats` prints them; a village's operator is refused."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy.orm import Session

from app.cli import main
from app.db import Database
from app.models import Operator
from app.services import audit
from app.services.errors import PermissionDenied, ServiceError
from app.services.notices.archive import list_notices
from app.services.org.members import MemberQuery, count_members
from app.services.points.assessments import assessment_status
from app.services.stars.rounds import round_for_year
from app.services.stars.stats import round_statistics
from app.services.tickets.stats import summary
from app.services.township.figures import (
    NO_DISTRICT,
    STAR_LEVELS,
    VillageFigures,
    township_figures,
    township_stats_lines,
)

from .township_data import DISTRICT, TODAY, YEAR, Township, add_township


@pytest.fixture
def town(demo_db: Database) -> Iterator[tuple[Database, Township]]:
    with demo_db.session() as s:
        t = add_township(s)
    yield demo_db, t


def _own_figures(s: Session, unit_id: int) -> dict[str, object]:
    """What the village's own pages say for YEAR, through the area services."""
    stats = round_statistics(s, round_for_year(s, unit_id, YEAR))
    st = summary(s, unit_id, date(YEAR, 1, 1), date(YEAR, 12, 31))
    notices = [n for n in list_notices(s, unit_id, TODAY)
               if n.issued_on and n.issued_on.year == YEAR and n.status != "已撤回"]
    return {
        "households": stats.total.households,
        "members": count_members(s, MemberQuery(unit_id=unit_id, stage="members")),
        "star_levels": {lv: stats.total.levels.get(lv, 0) for lv in STAR_LEVELS},
        "star_households": stats.total.starred,
        "share_text": f"{stats.total.share:.1f}%",
        "point_grades": assessment_status(s, unit_id, YEAR).distribution,
        "tickets": st.total, "done": st.closure.text, "satisfaction": st.satisfaction.text,
        "notices": len(notices),
    }


def _figures_of(f: VillageFigures) -> dict[str, object]:
    return {
        "households": f.households, "members": f.members, "star_levels": f.star_levels,
        "star_households": f.star_households, "share_text": f.share_text, "point_grades": f.point_grades,
        "tickets": f.tickets, "done": f.done_rate.text, "satisfaction": f.satisfaction.text, "notices": f.notices,
    }


def test_each_village_shows_its_own_figures(town: tuple[Database, Township]) -> None:
    db, t = town
    with db.session() as s:
        figures = township_figures(s, t.township_id, YEAR, today=TODAY)
        by_id = {f.unit_id: f for f in figures.villages}
        assert set(by_id) == {t.demo_id, t.west_id, t.south_id}
        for unit_id, f in by_id.items():
            assert _figures_of(f) == _own_figures(s, unit_id), f.name
    west = by_id[t.west_id]
    # counted: 5 open households of 6; 正式 ×2 + 预备 (not the one who died, not the 积极分子); levels 5, 3, 3
    # and 2 (the undecided application's two approved stars), not the withdrawn 四星 nor last year's round
    assert (west.households, west.members, west.star_households) == (5, 3, 4)
    assert west.star_levels == {5: 1, 4: 0, 3: 2, 2: 1, 1: 0}
    assert west.star_share == pytest.approx(0.8)
    assert west.point_grades == {"优秀": 1, "良好": 2, "一般": 0, "差": 0}
    # 5 tickets of 2026 (last year's not): 办结 3 of 4 not cancelled; 满意 1 of 2 rated
    assert (west.tickets, west.done_rate.text, west.satisfaction.text) == (5, "75.0%", "50.0%")
    assert west.tickets_done_rate == pytest.approx(0.75) and west.satisfaction_rate == pytest.approx(0.5)
    assert west.notices == 1  # the withdrawn one and last year's are not counted
    assert (west.last_package, west.package_age_days) == (date(2026, 11, 30), 3)  # the current package
    assert by_id[t.south_id].star_levels == {5: 0, 4: 1, 3: 0, 2: 0, 1: 1}
    assert by_id[t.demo_id].last_package is None  # never sent one: works on the shared database


def test_district_and_township_totals_are_the_sums(town: tuple[Database, Township]) -> None:
    db, t = town
    with db.session() as s:
        figures = township_figures(s, t.township_id, YEAR, today=TODAY)
    assert [(d.name, [v.name for v in d.villages]) for d in figures.districts] == [
        (DISTRICT, ["东坟村", "西坟村"]), (NO_DISTRICT, ["南坟村"])]
    assert [v.name for v in figures.villages] == ["东坟村", "西坟村", "南坟村"]
    for group, parts in [*((d.total, d.villages) for d in figures.districts), (figures.total, figures.villages)]:
        for attr in ("households", "members", "star_households", "tickets", "notices", "tickets_counted",
                     "tickets_closed", "tickets_rated", "tickets_satisfied"):
            assert getattr(group, attr) == sum(getattr(p, attr) for p in parts), attr
        assert group.star_levels == {lv: sum(p.star_levels[lv] for p in parts) for lv in STAR_LEVELS}
        for grade, n in group.point_grades.items():
            assert n == sum(p.point_grades.get(grade, 0) for p in parts)
        assert group.villages == len(parts)
    total = figures.total
    # the share and the rates come from the summed counts, never from averaging the villages'
    assert total.star_share == pytest.approx(total.star_households / total.households)
    assert total.star_share != pytest.approx(sum(v.star_share for v in figures.villages) / 3)
    assert total.tickets_done_rate == pytest.approx(total.tickets_closed / total.tickets_counted)
    assert total.done_rate.text == f"{100 * total.tickets_closed / total.tickets_counted:.1f}%"
    assert (total.last_package, total.package_age_days) == (date(2026, 11, 30), 3)


def test_stats_lines_group_villages_under_their_district(town: tuple[Database, Township]) -> None:
    db, t = town
    with db.session() as s:
        lines = township_stats_lines(township_figures(s, t.township_id, YEAR, today=TODAY))
    text = "\n".join(lines)
    assert lines[0].startswith("城关街道2026年度各村汇总（3 个村(社区)")
    assert lines.index(f"{DISTRICT}（2 个村）") < lines.index(f"{NO_DISTRICT}（1 个村）")
    west = next(line for line in lines if line.startswith("  西坟村："))
    assert "户 5 · 党员 3 名 · 星级文明户 4 户（五星 1 / 四星 0 / 三星 2 / 二星 1 / 一星 0），占 80.0%" in west
    assert "积分评定 优秀 1 / 良好 2 / 一般 0 / 差 0" in west
    assert "工单 5 件，办结率 75.0%，满意率 50.0%" in west and "公示 1 份" in west
    assert west.endswith("数据包 2026-11-30（3 天前）")
    assert next(line for line in lines if line.startswith("  东坟村：")).endswith("在线")
    assert f"  {DISTRICT}小计：" in text and lines[-1].startswith("合计（3 个村）：户 ")


def test_a_year_without_rounds_or_tickets_counts_zero(town: tuple[Database, Township]) -> None:
    db, t = town
    with db.session() as s:
        figures = township_figures(s, t.township_id, 2020, today=TODAY)
    assert figures.total.star_households == 0 and figures.total.tickets == 0
    assert figures.total.done_rate.text == "—" and figures.total.households > 0


def test_only_the_townships_operator_sees_the_villages(town: tuple[Database, Township]) -> None:
    db, t = town
    with db.session() as s:
        village_admin = Operator(unit_id=t.demo_id, username="sj", display_name="村书记", role="admin")
        township_op = Operator(unit_id=t.township_id, username="zj", display_name="镇干部", role="township")
        s.add_all([village_admin, township_op])
        s.flush()
        ids = village_admin.id, township_op.id
    for op_id, allowed in zip(ids, (False, True), strict=True):
        token = audit.current_operator_id.set(op_id)
        try:
            with db.session() as s:
                if allowed:
                    assert township_figures(s, t.township_id, YEAR, today=TODAY).total.households > 0
                else:
                    with pytest.raises(PermissionDenied, match=r"只有本乡镇\(街道\)的镇级操作员"):
                        township_figures(s, t.township_id, YEAR, today=TODAY)
        finally:
            audit.current_operator_id.reset(token)
    with db.session() as s, pytest.raises(ServiceError, match="不是乡镇"):
        township_figures(s, t.demo_id, YEAR)


def test_township_stats_command(town: tuple[Database, Township], capsys: pytest.CaptureFixture[str]) -> None:
    db, _t = town
    assert main(["--db-url", db.url, "township", "stats", "--year", str(YEAR)]) == 0
    out = capsys.readouterr().out
    assert "城关街道2026年度各村汇总" in out and "  西坟村：户 5 · 党员 3 名" in out and "合计（3 个村）" in out


def test_draft_grades_equal_each_villages_own_with_and_without_ties(
    town: tuple[Database, Township], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An unpublished 积分评定: the stored grades, except members tied across a line under the 待定 rule —
    only such villages are worked out one by one (the others come from the grouped query)."""
    from decimal import Decimal

    from sqlalchemy import delete, select, update

    from app.models import Assessment, PartyMember, Resident
    from app.services.points import assessments
    from app.services.points.rules import PENDING, TIE_CAP, TIE_PENDING, set_grade_bands
    from app.services.township import figures as figures_mod

    db, t = town
    with db.session() as s:
        def rows_of(uid: int):  # type: ignore[no-untyped-def]
            return (select(Assessment.id).join(PartyMember, PartyMember.id == Assessment.member_id)
                    .join(Resident, Resident.id == PartyMember.resident_id)
                    .where(Resident.unit_id == uid, Assessment.year == YEAR))

        for uid, ties in ((t.west_id, TIE_PENDING), (t.south_id, TIE_CAP)):
            s.execute(delete(Assessment).where(Assessment.id.in_(rows_of(uid))))
            set_grade_bands(s, uid, 20, 50, 0, ties=ties)  # nobody below the 差 line
            assessments.compute_assessment(s, uid, YEAR, on=TODAY)  # equal totals: one tie group
        # the demo village's draft made tie-free: distinct totals, so its stored grades stand
        s.execute(delete(Assessment).where(Assessment.id.in_(rows_of(t.demo_id))))
        assessments.compute_assessment(s, t.demo_id, YEAR, on=TODAY)
        for i, aid in enumerate(s.scalars(rows_of(t.demo_id).order_by(Assessment.id))):
            s.execute(update(Assessment).where(Assessment.id == aid, Assessment.decided_on.is_(None))
                      .values(total=Decimal(1000 - i)))
    worked_out: list[int] = []
    real = figures_mod.assessment_status
    monkeypatch.setattr(figures_mod, "assessment_status",
                        lambda s, uid, year: (worked_out.append(uid), real(s, uid, year))[1])
    with db.session() as s:
        by_id = {f.unit_id: f for f in township_figures(s, t.township_id, YEAR, today=TODAY).villages}
        own = {uid: real(s, uid, YEAR).distribution for uid in by_id}
    assert {uid: f.point_grades for uid, f in by_id.items()} == own
    assert by_id[t.west_id].point_grades.get(PENDING, 0) > 0  # tied across a line: 待定
    assert PENDING not in by_id[t.south_id].point_grades and sum(by_id[t.south_id].point_grades.values()) > 0
    assert sorted(worked_out) == sorted([t.west_id, t.south_id])  # the tie-free draft from the grouped query
