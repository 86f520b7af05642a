"""The grid service: geometry, grids, post history, household moves, coverage, statistics, ledgers, cards."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.cli import main
from app.db import Database
from app.demo import grid as demo_grid
from app.models import AuditEntry, GridPost, Household, HouseholdMove, Operator
from app.services import access, audit
from app.services.errors import ServiceError, ValidationError
from app.services.grid import coverage as grid_coverage
from app.services.grid import grids as grid
from app.services.grid import map_data as grid_map
from app.services.grid.geometry import containing_area, point_in_polygon
from app.services.grid.grids import GridInput, PostInput
from app.services.grid.posts import list_grid_posts
from app.services.notices import archive as notices
from app.services.settings import set_setting
from app.services.units import current_unit_id

SQUARE = [(0, 0), (10, 0), (10, 10), (0, 10)]
L_SHAPE = [(0, 0), (10, 0), (10, 4), (4, 4), (4, 10), (0, 10)]


def test_point_in_polygon() -> None:
    assert point_in_polygon(5, 5, SQUARE)
    assert not point_in_polygon(11, 5, SQUARE)
    assert point_in_polygon(10, 5, SQUARE) and point_in_polygon(0, 0, SQUARE)  # the border counts as inside
    assert point_in_polygon(2, 8, L_SHAPE) and point_in_polygon(8, 2, L_SHAPE)
    assert not point_in_polygon(8, 8, L_SHAPE)  # the notch of the L
    assert not point_in_polygon(1, 1, [(0, 0), (5, 5)])


def test_containing_area_prefers_the_micro_grid() -> None:
    big = grid.GridInfo(1, None, "G1", "网格", "普通", "#000000", tuple(SQUARE), 1, "")
    small = grid.GridInfo(2, 1, "G1-1", "微网格", "普通", "#000000", ((0, 0), (5, 0), (5, 5), (0, 5)), 1, "")
    assert containing_area([big, small], 2, 2) is small
    assert containing_area([big, small], 8, 8) is big
    assert containing_area([big, small], 20, 20) is None


def _unit(s) -> int:  # type: ignore[no-untyped-def]
    uid = current_unit_id(s)
    assert uid is not None
    return uid


def test_grids_checked_and_boundaries_validated(session, unit_id: int) -> None:  # type: ignore[no-untyped-def]
    top = grid.create_grid(session, unit_id, GridInput("G01", "第一网格", polygon=SQUARE))
    micro = grid.create_grid(session, unit_id, GridInput("G01-1", "第一微网格", parent_id=top))
    with pytest.raises(ValidationError) as e:
        grid.create_grid(session, unit_id, GridInput("G01", "", parent_id=micro, color="red"))
    fields = {p.field for p in e.value.problems}
    assert fields == {"code", "name", "parent_id", "color"}
    with pytest.raises(ServiceError, match="至少要有 3 个点"):
        grid.set_grid_polygon(session, micro, [(1, 1), (2, 2)])
    with pytest.raises(ServiceError, match="超出了地图范围"):
        grid.set_grid_polygon(session, micro, [(0, 0), (5000, 0), (0, 10)])
    grid.set_grid_polygon(session, micro, [(0, 0), (5, 0), (5, 5), (0, 5), (0, 0)])
    assert grid.get_grid(session, micro).polygon == ((0, 0), (5, 0), (5, 5), (0, 5))  # closing point dropped
    assert [g.code for g in grid.list_grids(session, unit_id)] == ["G01", "G01-1"]


def test_post_history_keeps_who_held_a_post_when(session, unit_id: int) -> None:  # type: ignore[no-untyped-def]
    top = grid.create_grid(session, unit_id, GridInput("G01", "第一网格"))
    micro = grid.create_grid(session, unit_id, GridInput("G01-1", "第一微网格", parent_id=top))
    first = grid.appoint(session, top, PostInput("网格长", "张三", phone="13812345678", start_on=date(2025, 1, 1)))
    grid.appoint(session, top, PostInput("网格长", "李四", phone="13912345678", start_on=date(2026, 1, 1)))
    history = grid.post_history(session, top)
    assert [(r.name, r.start_on, r.end_on) for r in history] == [
        ("张三", date(2025, 1, 1), date(2026, 1, 1)), ("李四", date(2026, 1, 1), None)]
    assert [r.name for r in grid.current_posts(session, top, date(2025, 6, 1))] == ["张三"]
    assert [r.name for r in grid.current_posts(session, top, date(2026, 6, 1))] == ["李四"]
    assert [p.name for p in list_grid_posts(session, unit_id, date(2025, 12, 31))] == ["张三"]
    with pytest.raises(ValidationError, match="网格一级"):
        grid.appoint(session, micro, PostInput("网格长", "王五", phone="13712345678"))
    with pytest.raises(ValidationError, match="手机号"):
        grid.appoint(session, micro, PostInput("微网格员", "王五", phone="1371234"))
    with pytest.raises(ValidationError, match="卸任日期"):
        grid.end_grid_post(session, first, date(2026, 3, 1))  # already ended
    assert session.get(GridPost, first).end_on == date(2026, 1, 1)


def _household_in(s, code: str) -> Household:  # type: ignore[no-untyped-def]
    g = grid.grid_by_code(s, _unit(s), code)
    return s.scalars(select(Household).where(Household.grid_id == g.id).order_by(Household.id)).first()


def test_placing_a_household_assigns_it_by_point_in_polygon(demo_db: Database) -> None:
    with demo_db.session() as s:
        uid = _unit(s)
        h = _household_in(s, "G01-1")
        old_grid = h.grid_id
        target = grid.grid_by_code(s, uid, "G02-1")
        xs = [p[0] for p in target.polygon or ()]
        ys = [p[1] for p in target.polygon or ()]
        x, y = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
        result = grid.place_household(s, h.id, x, y, on=date(2026, 11, 2))
        assert result.grid_id == target.id and result.moved_from == "第一网格第一微网格"
        assert (h.map_x, h.map_y) == (round(x, 1), round(y, 1))
        moves = grid.household_moves(s, h.id)
        assert [(m.from_grid, m.to_grid, m.moved_on) for m in moves] == [
            ("第一网格第一微网格", "第二网格第一微网格", date(2026, 11, 2))]
        assert grid.grid_on(s, h.id, date(2026, 11, 1)) == old_grid
        assert grid.grid_on(s, h.id, date(2026, 11, 2)) == target.id
        # moving within the same micro-grid records no move
        again = grid.place_household(s, h.id, x + 5, y + 5)
        assert again.moved_from is None
        assert s.scalar(select(HouseholdMove.id).where(HouseholdMove.household_id == h.id).offset(1)) is None
        with pytest.raises(ServiceError, match="地图之外"):
            grid.place_household(s, h.id, -50, 10)
        with pytest.raises(ServiceError, match="微网格"):
            grid.move_household(s, h.id, grid.grid_by_code(s, uid, "G03").id)


def test_a_dated_move_keeps_the_record_in_order(demo_db: Database) -> None:
    today = date.today()
    with demo_db.session() as s:
        uid = _unit(s)
        h = _household_in(s, "G01-1")
        g12, g11 = grid.grid_by_code(s, uid, "G01-2"), grid.grid_by_code(s, uid, "G01-1")
        assert grid.move_household(s, h.id, g12.id, today - timedelta(days=10), "分户")
        with pytest.raises(ServiceError, match="不能早于"):  # before the last move: grid_on would read it wrongly
            grid.move_household(s, h.id, g11.id, today - timedelta(days=11))
        with pytest.raises(ServiceError, match="晚于今天"):
            grid.move_household(s, h.id, g11.id, today + timedelta(days=1))
        assert grid.move_household(s, h.id, g11.id, today - timedelta(days=10), "回迁")  # the same day is fine
        assert not grid.move_household(s, h.id, g11.id, today)  # already there: no move
        moves = grid.household_moves(s, h.id)
        assert [(m.to_grid, m.note) for m in moves] == [("第一网格第二微网格", "分户"), ("第一网格第一微网格", "回迁")]
        assert grid.grid_on(s, h.id, today - timedelta(days=11)) == g11.id


def test_coverage_report_on_the_demo(demo_db: Database) -> None:
    with demo_db.session() as s:
        uid = _unit(s)
        report = grid_coverage.coverage_report(s, uid)
        assert report.band == (4, 30)
        assert len(report.uncovered) == demo_grid.GAP_HOUSEHOLDS
        assert report.covered + len(report.uncovered) == report.households == 301
        assert [m.count for m in report.over] == [demo_grid.OVER_BAND] and not report.under
        assert report.grids_without_head == [] and report.micro_without_staff == []
        assert any("超过 30 户" in line for line in report.lines())
        # a 网格长 leaves and nobody follows yet: the report names the grid
        g1 = grid.grid_by_code(s, uid, "G01")
        head = next(p for p in grid.current_posts(s, g1.id) if p.post == "网格长")
        grid.end_grid_post(s, head.id, date.today())
        assert [g.name for g in grid_coverage.coverage_report(s, uid).grids_without_head] == ["第一网格"]
        grid_coverage.set_contact_band(s, uid, 4, 8)
        narrow = grid_coverage.coverage_report(s, uid)
        assert narrow.band == (4, 8) and len(narrow.over) > 1
        with pytest.raises(ServiceError):
            grid_coverage.set_contact_band(s, uid, 9, 3)


def test_statistics_per_grid_add_up(demo_db: Database) -> None:
    with demo_db.session() as s:
        stats = grid_coverage.grid_statistics(s, _unit(s))
    top = [st for st in stats if st.grid.parent_id is None]
    assert len(top) == 7 and len(stats) == 21
    assert sum(st.households for st in top) == 301
    for st in top:
        micro = [m for m in stats if m.grid.parent_id == st.grid.id]
        assert st.households == sum(m.households for m in micro)
        assert st.residents == sum(m.residents for m in micro)
        assert st.tags["独居老人"] == sum(m.tags["独居老人"] for m in micro)
        assert st.tagged <= st.households and any(p == "网格长" for p, _, _ in st.staff)
    assert sum(st.members for st in top) == 59


def test_ledgers_through_the_cli(demo_db_path: Path, demo_db: Database, tmp_path: Path) -> None:
    out = tmp_path / "grid.xlsx"
    assert main(["--db", str(demo_db_path), "export", "grids", "member-contacts", "grid-posts", "-o", str(out)]) == 0
    with demo_db.session() as s:
        stats = {st.grid.code: st for st in grid_coverage.grid_statistics(s, _unit(s))}
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["网格划分情况表", "党员联系户台账", "网格员信息表"]
    ws = wb["网格划分情况表"]
    header = [c.value for c in ws[3]]
    assert header[:9] == ["序号", "网格编码", "网格名称", "层级", "类型", "上级网格", "户数", "人数", "党员数"]
    rows = {r[1]: r for r in ws.iter_rows(min_row=4, values_only=True) if r[1] and str(r[1]).startswith("G")}
    assert len(rows) == 21
    assert rows["G01"][6] == stats["G01"].households and rows["G01-2"][5] == "第一网格"
    assert rows["G01"][header.index("网格长")] == stats["G01"].staff[0][1]
    ws = wb["党员联系户台账"]
    header = [c.value for c in ws[3]]
    data = [r for r in ws.iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)]
    assert len(data) == 59
    count = header.index("联系户数")
    assert max(r[count] for r in data) == demo_grid.OVER_BAND
    assert [r for r in data if r[count] == demo_grid.OVER_BAND][0][header.index("是否在 4–30 户内")] == "偏多"
    assert ws.cell(row=4, column=header.index("联系电话") + 1).data_type == "s"  # phones stay text
    ws = wb["网格员信息表"]
    header = [c.value for c in ws[3]]
    assert "负责户数" in header
    first = next(ws.iter_rows(min_row=4, max_row=4, values_only=True))
    assert first[header.index("负责户数")] == stats["G01"].households


def test_cards_through_the_cli(demo_db_path: Path, demo_db: Database, tmp_path: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cards.pdf"
    assert main(["--db", str(demo_db_path), "cards", "-o", str(out), "--grid", "G01"]) == 0
    with demo_db.session() as s:
        uid = _unit(s)
        g1 = grid.grid_by_code(s, uid, "G01")
        phones = {p.phone for p in grid.current_posts(s, g1.id)}
        households = next(st.households for st in grid_coverage.grid_statistics(s, uid) if st.grid.id == g1.id)
    reader = PdfReader(out)
    assert len(reader.pages) == -(-households // 8)
    text = "".join(page.extract_text() for page in reader.pages)
    assert phones and all(p in text for p in phones)
    assert "便民服务卡" in text and "第一网格" in text and "第二网格" not in text
    assert f"{households} 张" in capsys.readouterr().out
    assert main(["--db", str(demo_db_path), "cards", "-o", str(tmp_path / "g.pdf"), "--per", "grid"]) == 0
    assert len(PdfReader(tmp_path / "g.pdf").pages) == 2  # 14 micro-grid cards, 8 a sheet
    assert main(["--db", str(demo_db_path), "cards", "-o", str(tmp_path / "x.pdf"), "--grid", "G99"]) == 1
    assert "G99" in capsys.readouterr().err and not (tmp_path / "x.pdf").exists()


def test_contact_notice_follows_the_grid_posts(demo_db: Database, tmp_path: Path) -> None:
    with demo_db.session() as s:
        uid = _unit(s)
        g1 = grid.grid_by_code(s, uid, "G01")
        grid.appoint(s, g1.id, PostInput("网格长", "赵新任", phone="13612345678", start_on=date.today()))
        info = notices.publish_notice(s, uid, "grid-contacts", tmp_path / "n.pdf", start=date.today())
    text = "".join(p.extract_text() for p in PdfReader(info.path).pages)
    assert "赵新任" in text and "13612345678" in text


def test_map_picture_is_stored_and_rescales_the_map(demo_db: Database) -> None:
    with demo_db.session() as s:
        uid = _unit(s)
        before = grid.grid_by_code(s, uid, "G02").polygon
        data = grid_map.map_data(s, uid)
        assert (data.width, data.height, data.has_picture) == (1600, 1000, True)
        assert len(data.markers) == 301 and all(m.x is not None for m in data.markers) and data.links
        png = demo_grid.village_canvas(800, 500, [])
        assert grid_map.set_map_picture(s, uid, png, "新底图") == (800, 500)
        assert grid_map.map_picture(s, uid) == png and grid.map_size(s, uid) == (800, 500)
        after = grid.grid_by_code(s, uid, "G02").polygon
        assert after == tuple((x / 2, y / 2) for x, y in before or ())
        with pytest.raises(ServiceError, match="PNG 或 JPG"):
            grid_map.set_map_picture(s, uid, b"GIF89a....")


def test_a_large_map_comes_in_parts(demo_db: Database) -> None:
    """Above marker_limit: counts and the unplaced households first, then the placed ones area by area."""
    with demo_db.session() as s:
        uid = _unit(s)
        loose = _household_in(s, "G02-1")
        loose.map_x = loose.map_y = None  # not yet placed on the map
        s.flush()
        full = grid_map.map_data(s, uid)
        assert not full.partial and full.households == 301 and full.unplaced == 1 and len(full.markers) == 301
        g1 = grid.grid_by_code(s, uid, "G01")
        micro = [g.id for g in full.grids if g.parent_id == g1.id]
        assert full.counts[g1.id] == 45 == sum(full.counts[m] for m in micro)
        assert not grid_map.map_data(s, uid, marker_limit=301).partial

        part = grid_map.map_data(s, uid, marker_limit=300)
        assert part.partial and (part.households, part.unplaced) == (301, 1)
        assert [m.id for m in part.markers] == [loose.id] and part.links == []
        assert (part.grids, part.counts, part.tags) == (full.grids, full.counts, full.tags)

        by_id = {m.id: m for m in full.markers}
        got = grid_map.map_markers(s, uid, [g1.id, *micro])
        assert len(got.markers) == 45 and not got.truncated
        assert all(m == by_id[m.id] and m.grid_id in micro for m in got.markers)
        shown = {m.id for m in got.markers}
        touching = sorted((k.member_household_id, k.household_id) for k in full.links
                          if k.member_household_id in shown or k.household_id in shown)
        assert touching and sorted((k.member_household_id, k.household_id) for k in got.links) == touching
        for k in got.links:  # both ends' spots come along: the far one may not be drawn
            a, b = by_id[k.member_household_id], by_id[k.household_id]
            assert (k.member_at, k.household_at) == ((a.x, a.y), (b.x, b.y))

        inside = sorted(m.id for m in full.markers if m.x is not None and m.y is not None
                        and 0 <= m.x <= 500 and 0 <= m.y <= 400)
        got = grid_map.map_markers(s, uid, rect=(0, 0, 500, 400))
        assert inside and sorted(m.id for m in got.markers) == inside and loose.id not in inside
        few = grid_map.map_markers(s, uid, rect=(0, 0, 500, 400), limit=5)
        assert len(few.markers) == 5 and few.truncated
        assert grid_map.map_markers(s, uid) == grid_map.MarkerSet([], [], False)


def test_grid_staff_see_only_their_grids_on_a_large_map(demo_db: Database) -> None:
    with demo_db.session() as s:
        uid = _unit(s)
        g1 = grid.grid_by_code(s, uid, "G01")
        op = Operator(unit_id=uid, username="wg", display_name="李网格", role="grid")
        s.add(op)
        s.flush()
        set_setting(s, uid, access.GRID_KEY.format(op.id), [g1.id])
        token = audit.current_operator_id.set(op.id)
        try:
            part = grid_map.map_data(s, uid, marker_limit=10)
            mine = {g.id for g in part.grids}
            assert g1.id in mine and len(mine) == 3 and part.households == 45
            got = grid_map.map_markers(s, uid, rect=(0, 0, 1600, 1000))
            seen = {m.id for m in got.markers}
            assert len(seen) == 45 and all(m.grid_id in mine for m in got.markers)
            assert all(k.member_household_id in seen and k.household_id in seen for k in got.links)
            stats = grid_coverage.grid_statistics(s, uid)
            assert [(st.grid.id, st.households) for st in stats if st.grid.parent_id is None] == [(g1.id, 45)]
        finally:
            audit.current_operator_id.reset(token)


def test_closing_a_grid_says_what_is_still_in_it(demo_db: Database) -> None:
    """撤销网格: refused while households or staff remain (named), dated no earlier than the last one left."""
    today = date.today()
    with demo_db.session() as s:
        uid = _unit(s)
        g12, g11 = grid.grid_by_code(s, uid, "G01-2"), grid.grid_by_code(s, uid, "G01-1")
        houses = list(s.scalars(select(Household).where(Household.grid_id == g12.id, Household.closed_on.is_(None))
                                .order_by(Household.number)))
        staff = [p for p in grid.current_posts(s, g12.id) if p.grid_id == g12.id]
        assert houses and staff
        with pytest.raises(ValidationError) as refused:
            grid.close_grid(s, g12.id, today, "")
        said = {p.field: [] for p in refused.value.problems}
        for problem in refused.value.problems:
            said[problem.field].append(problem.message)
        assert said["note"] == ["请填写撤销原因"]
        text = "；".join(said["closed_on"])
        assert f"网格内还有 {len(houses)} 户" in text and f"户号 {houses[0].number}" in text
        assert f"{staff[0].post} {staff[0].name}" in text and "卸任" in text
        with pytest.raises(ValidationError, match="请先撤销下属微网格"):
            grid.close_grid(s, g12.parent_id, today, "合并网格")

        moved_on = today - timedelta(days=3)
        for h in houses:
            grid.move_household(s, h.id, g11.id, moved_on, "网格合并")
        for p in staff:
            grid.end_grid_post(s, p.id, moved_on, "网格合并")
        with pytest.raises(ValidationError, match=f"撤销日期不能早于 {moved_on}"):  # grid_on reads the day back
            grid.close_grid(s, g12.id, moved_on - timedelta(days=1), "网格合并")
        with pytest.raises(ValidationError, match="晚于今天"):
            grid.close_grid(s, g12.id, today + timedelta(days=1), "网格合并")
        grid.close_grid(s, g12.id, moved_on, "与第一微网格合并")
        closed = grid.get_grid(s, g12.id)
        assert closed.closed_on == moved_on and "撤销：与第一微网格合并" in closed.note
        assert g12.id not in {g.id for g in grid.list_grids(s, uid)}  # off the map and the lists
        assert g12.id in {g.id for g in grid.list_grids(s, uid, include_closed=True)}
        assert g12.id not in {g.id for g in grid_map.map_data(s, uid).grids}
        with pytest.raises(ValidationError, match="已于"):
            grid.close_grid(s, g12.id, today, "再撤一次")
        logged = s.scalars(select(AuditEntry.summary).where(AuditEntry.entity == "grid",
                                                                  AuditEntry.entity_id == g12.id)).all()
        assert any("撤销网格" in line for line in logged)
