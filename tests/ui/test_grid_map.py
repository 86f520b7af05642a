"""The map page driven like a user: clicks on the viewport draw a boundary, a marker dragged into it joins it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QEvent, QLineF, QPoint, QPointF, Qt
from PySide6.QtGui import QHelpEvent, QMouseEvent, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QToolTip

from app.services.grid import coverage as grid_coverage
from app.services.grid import grids as grid
from app.services.grid import map_data as grid_map
from app.services.grid.grids import GridInput
from tests.ui.conftest import FakeMessageBox


@pytest.fixture
def page(window: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    import ui.grid.page

    monkeypatch.setattr(ui.grid.page, "QMessageBox", FakeMessageBox)
    p = window.show_page("page_grid")
    QApplication.processEvents()
    p.view.fit()
    QApplication.processEvents()
    return p


def _vp(page: Any, x: float, y: float) -> QPoint:
    return page.view.mapFromScene(QPointF(x, y))


def _drag(page: Any, start: QPoint, end: QPoint) -> None:
    vp = page.view.viewport()
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for k in range(1, 6):  # QTest.mouseMove carries no buttons: send real move events with the left button held
        pos = QPointF(start + (end - start) * k / 5)
        event = QMouseEvent(QEvent.Type.MouseMove, pos, vp.mapToGlobal(pos), Qt.MouseButton.NoButton,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(vp, event)
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)


def test_the_demo_village_on_the_map(page: Any) -> None:
    assert page.objectName() == "page_grid"
    assert len(page.scene.grids) == 21 and len(page.scene.markers) == 301
    assert page.tree.topLevelItemCount() == 7
    assert page.list_unplaced.count() == 0
    assert "无联系党员 3 户" in page.text_coverage.toPlainText()
    page.chk_tags.setChecked(True)
    tagged = {m.household_id for m in page.scene.markers.values() if m.marker.tags}
    assert {m.household_id for m in page.scene.markers.values() if m.highlight} == tagged
    page.combo_tag.setCurrentIndex(page.combo_tag.findData("独居老人"))
    lonely = {m.household_id for m in page.scene.markers.values() if "独居老人" in m.marker.tags}
    assert lonely and {m.household_id for m in page.scene.markers.values() if m.highlight} == lonely
    assert page.scene.links_item.path().elementCount() == 0
    page.chk_links.setChecked(True)
    assert page.scene.links_item.path().elementCount() == 2 * len(page.data.links)
    before = page.view.transform().m11()
    wheel = QWheelEvent(QPointF(200, 200), page.view.viewport().mapToGlobal(QPointF(200, 200)), QPoint(0, 0),
                        QPoint(0, 240), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(page.view.viewport(), wheel)
    assert page.view.transform().m11() == pytest.approx(before * 1.44)
    page.btn_fit.click()
    fitted = page.view.transform().m11()
    assert fitted < before * 1.44
    data = page.scene.data
    shown = page.view.mapToScene(page.view.viewport().rect()).boundingRect()
    assert shown.width() >= data.width - 1 and shown.height() >= data.height - 1  # the whole village in view


def test_draw_a_boundary_then_drop_a_household_inside(page: Any, demo_ctx: Any) -> None:
    uid = demo_ctx.unit_id
    g1 = demo_ctx.call(grid.grid_by_code, uid, "G01")
    new_id = demo_ctx.call(grid.create_grid, uid, GridInput("G01-3", "第一网格第三微网格", parent_id=g1.id))
    page.refresh()
    page.select_grid(new_id)
    page.btn_draw.click()
    assert page.view.drawing
    corners = [(120, 120), (300, 120), (300, 300), (120, 300)]
    vp = page.view.viewport()
    for x, y in corners:
        QTest.mouseClick(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, _vp(page, x, y))
    QTest.mouseDClick(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, _vp(page, 120, 300))
    assert not page.view.drawing
    saved = demo_ctx.call(grid.get_grid, new_id).polygon
    assert saved is not None and len(saved) == 4
    for (x, y), (sx, sy) in zip(corners, saved, strict=True):
        assert abs(x - sx) < 3 and abs(y - sy) < 3  # one screen pixel is about two map units here

    # a household of the third grid dragged into the new micro-grid: asked, then moved
    g3 = demo_ctx.call(grid.grid_by_code, uid, "G03-1")
    marker = next(m for m in page.scene.markers.values() if m.marker.grid_id == g3.id)
    hid = marker.household_id
    FakeMessageBox.shown.clear()
    _drag(page, page.view.mapFromScene(marker.pos()), _vp(page, 210, 210))
    assert [k for k, *_ in FakeMessageBox.shown] == ["question"]
    assert "第三网格第一微网格" in FakeMessageBox.shown[0][2] and "第一网格第三微网格" in FakeMessageBox.shown[0][2]
    moves = demo_ctx.call(grid.household_moves, hid)
    assert [(m.from_grid, m.to_grid) for m in moves] == [("第三网格第一微网格", "第一网格第三微网格")]
    assert marker.marker.grid_id == new_id
    assert abs(marker.pos().x() - 210) < 3 and abs(marker.pos().y() - 210) < 3
    new_row = page.tree.findItems("第三微网格", Qt.MatchFlag.MatchRecursive | Qt.MatchFlag.MatchContains)[0]
    assert new_row.text(1) == "1"


def test_drag_a_boundary_point_and_it_is_saved(page: Any, demo_ctx: Any) -> None:
    g = demo_ctx.call(grid.grid_by_code, demo_ctx.unit_id, "G01-1")
    before = demo_ctx.call(grid.get_grid, g.id).polygon
    page.select_grid(g.id)
    page.btn_vertices.click()  # 调整边界点
    QApplication.processEvents()
    handles = page.scene.handles
    assert len(handles) == len(before)
    corner = handles[0]
    x, y = corner.pos().x(), corner.pos().y()
    _drag(page, page.view.mapFromScene(corner.pos()), _vp(page, x + 20, y + 15))
    after = demo_ctx.call(grid.get_grid, g.id).polygon
    assert after is not None and len(after) == len(before)
    assert abs(after[0][0] - (x + 20)) < 3 and abs(after[0][1] - (y + 15)) < 3  # saved where it was dropped
    assert list(after[1:]) == list(before[1:])
    item = page.scene.grids[g.id]
    assert abs(item.polygon().at(0).x() - after[0][0]) < 0.5  # and drawn there (saved to 0.1)


def test_saying_no_puts_the_marker_back(page: Any, demo_ctx: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(FakeMessageBox, "question", classmethod(lambda cls, *a: cls.StandardButton.No))
    g2 = demo_ctx.call(grid.grid_by_code, demo_ctx.unit_id, "G02-1")
    marker = next(m for m in page.scene.markers.values() if m.marker.grid_id != g2.id)
    start = QPointF(marker.pos())
    target = g2.polygon[0]
    _drag(page, page.view.mapFromScene(marker.pos()), _vp(page, target[0] + 30, target[1] + 30))
    assert marker.pos() == start
    assert demo_ctx.call(grid.household_moves, marker.household_id) == []


def test_click_on_a_marker_opens_the_household(page: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[int] = []

    class FakeDialog:  # the household with its grid changes (test_grid_posts drives the real one)
        changed = False

        def __init__(self, _ctx: Any, _uid: int, marker: Any, _grids: Any, _parent: Any) -> None:
            opened.append(marker.id)

        def exec(self) -> int:
            return 0

    import ui.grid.page

    monkeypatch.setattr(ui.grid.page, "HouseholdGridDialog", FakeDialog)
    marker = next(iter(page.scene.markers.values()))
    QTest.mouseClick(page.view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     page.view.mapFromScene(marker.pos()))
    assert opened == [marker.household_id]
    assert "户号" in marker.toolTip() and "标签" in marker.toolTip()


@pytest.mark.parametrize(("name", "chosen", "paper"), [
    ("map.png", "PNG 图片 (*.png)", None), ("map.pdf", "PDF A4 横向 (*.pdf)", (842, 595)),
    ("wall.pdf", "PDF A3 横向 (*.pdf)", (1191, 842)),
])
def test_export_the_map(page: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, chosen: str,
                        paper: tuple[int, int] | None) -> None:
    import ui.grid.page

    out = tmp_path / name
    monkeypatch.setattr(ui.grid.page.QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(out), chosen)))
    page.chk_tags.setChecked(True)
    page.btn_export.click()
    assert out.exists() and out.stat().st_size > 20_000
    if paper is None:
        assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    else:
        box = PdfReader(out).pages[0].mediabox
        assert (round(float(box.width)), round(float(box.height))) == paper
    assert "已导出" in page.status.text()


# ---- a township or county: the large-map path, triggered on the demo village by lowering the threshold


@pytest.fixture
def large_page(window: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    import ui.grid.marker_loader
    import ui.grid.page

    monkeypatch.setattr(ui.grid.page, "QMessageBox", FakeMessageBox)
    monkeypatch.setattr(ui.grid.page, "LARGE_MAP_HOUSEHOLDS", 100)  # the demo's 301 households count as many
    monkeypatch.setattr(ui.grid.marker_loader, "VIEW_MARKERS", 20)  # households in view only when zoomed far in
    p = window.show_page("page_grid")
    QApplication.processEvents()
    p.view.fit()
    _settle(qtbot, p)
    return p


def _settle(qtbot: Any, page: Any) -> None:
    qtbot.waitUntil(lambda: not page.is_busy(), timeout=20_000)
    QApplication.processEvents()


def _rows(page: Any) -> dict[int, Any]:
    return {item.data(0, Qt.ItemDataRole.UserRole): item for item in
            page.tree.findItems("*", Qt.MatchFlag.MatchWildcard | Qt.MatchFlag.MatchRecursive)}


def _area(demo_ctx: Any, code: str) -> tuple[Any, set[int]]:
    g = demo_ctx.call(grid.grid_by_code, demo_ctx.unit_id, code)
    return g, {g.id} | {x.id for x in demo_ctx.call(grid.list_grids, demo_ctx.unit_id) if x.parent_id == g.id}


def test_a_large_map_opens_with_the_grids_and_their_counts(large_page: Any, demo_ctx: Any) -> None:
    page = large_page
    assert page.large and len(page.scene.grids) == 21 and page.scene.markers == {}
    assert page.lbl_households.isVisible() and "共 301 户" in page.lbl_households.text()
    assert "选中网格或放大地图" in page.status.text()
    g1, _ = _area(demo_ctx, "G01")
    label = page.scene.grids[g1.id].label
    assert label.text() == "第一网格\n45 户" and label.isVisible()
    page.view.zoom_by(0.1)  # far out: the names no longer fit in their grids and are not drawn
    assert not label.isVisible()
    page.view.fit()
    assert label.isVisible()
    # the tree: counted off the GUI thread, the same numbers as the village's
    stats = {st.grid.id: st for st in demo_ctx.call(grid_coverage.grid_statistics, demo_ctx.unit_id)}
    rows = _rows(page)
    assert page.tree.topLevelItemCount() == 7 and set(rows) == set(stats)
    for gid, item in rows.items():
        st = stats[gid]
        assert [item.text(c) for c in range(1, 5)] == [str(st.households), str(st.residents), str(st.members),
                                                       str(st.tagged)]
    assert "无联系党员 3 户" in page.text_coverage.toPlainText()
    assert page.list_unplaced.count() == 0 and "0 户" in page.lbl_unplaced.text()
    assert "只含" in page.btn_export.toolTip()


def test_picking_a_grid_in_the_list_shows_its_households(large_page: Any, qtbot: Any, demo_ctx: Any) -> None:
    page = large_page
    g3, ids = _area(demo_ctx, "G03")
    fitted = page.view.transform().m11()
    page.tree.setCurrentItem(_rows(page)[g3.id])  # as a click in the list
    _settle(qtbot, page)
    markers = page.scene.markers
    assert len(markers) == 44 and {m.marker.grid_id for m in markers.values()} <= ids
    assert "地图上显示 44 户" in page.lbl_households.text()
    box = page.scene.grids[g3.id].polygon().boundingRect()
    assert page.view.visible_rect().contains(box)  # brought into view
    assert page.view.transform().m11() > 1.5 * fitted  # and zoomed in on it
    assert "在岗：" in page.lbl_staff.text() and "统计中" not in page.lbl_staff.text()
    marker = next(iter(markers.values()))
    at = page.view.mapFromScene(marker.pos())  # the mouse resting on a marker: its tooltip, written now
    QApplication.sendEvent(page.view.viewport(), QHelpEvent(QEvent.Type.ToolTip, at, page.view.viewport().mapToGlobal(at)))
    assert QToolTip.text() == marker.toolTip() and f"户号 {marker.marker.number}" in QToolTip.text()

    g5, ids5 = _area(demo_ctx, "G05-2")
    page.select_grid(g5.id)
    _settle(qtbot, page)
    assert len(page.scene.markers) == 17 and {m.marker.grid_id for m in page.scene.markers.values()} == ids5
    page.tree.clearSelection()
    _settle(qtbot, page)
    assert page.scene.markers == {} and "共 301 户" in page.lbl_households.text()


def test_zoomed_in_a_large_map_shows_the_households_in_view(large_page: Any, qtbot: Any, demo_ctx: Any,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import ui.grid.marker_loader

    monkeypatch.setattr(ui.grid.marker_loader, "VIEW_MARKERS", 150)
    page = large_page
    page.view.zoom_by(1.01)  # the whole village (301) is still more than that: nothing drawn
    _settle(qtbot, page)
    assert page.scene.markers == {}
    g, _ = _area(demo_ctx, "G06-1")
    page.view.show_rect(page.scene.grids[g.id].polygon().boundingRect())
    _settle(qtbot, page)
    shown = set(page.scene.markers)
    assert 0 < len(shown) <= 150
    visible = page.view.visible_rect()
    everyone = demo_ctx.call(grid_map.map_data, demo_ctx.unit_id).markers
    in_view = {m.id for m in everyone if visible.contains(QPointF(m.x, m.y))}
    assert in_view and in_view <= shown  # every household in view is drawn (and a margin around it)
    page.chk_tags.setChecked(True)
    assert any(m.highlight for m in page.scene.markers.values())
    page.chk_links.setChecked(True)
    path = page.scene.links_item.path()
    assert page.scene.links and path.elementCount() == 2 * len(page.scene.links)
    spots = {(round(m.pos().x(), 3), round(m.pos().y(), 3)) for m in page.scene.markers.values()}
    for i in range(0, path.elementCount(), 2):  # a line between two drawn households, or a short stroke
        a, b = path.elementAt(i), path.elementAt(i + 1)
        both = {(round(a.x, 3), round(a.y, 3)), (round(b.x, 3), round(b.y, 3))} <= spots
        assert both or QLineF(a.x, a.y, b.x, b.y).length() <= page.scene.stub + 1e-6
    page.btn_fit.click()
    _settle(qtbot, page)
    assert page.scene.markers == {}


def test_drag_a_household_to_another_grid_on_a_large_map(large_page: Any, qtbot: Any, demo_ctx: Any) -> None:
    page = large_page
    g3, _ = _area(demo_ctx, "G03-1")
    fitted = page.view.transform().m11()
    page.select_grid(g3.id)  # as a click on the map: the view stays where it is
    _settle(qtbot, page)
    assert len(page.scene.markers) == 17 and page.view.transform().m11() == fitted
    marker = next(iter(page.scene.markers.values()))
    hid = marker.household_id
    g2 = demo_ctx.call(grid.grid_by_code, demo_ctx.unit_id, "G02-1")
    target = g2.polygon[0]
    FakeMessageBox.shown.clear()
    _drag(page, page.view.mapFromScene(marker.pos()), _vp(page, target[0] + 30, target[1] + 30))
    assert [k for k, *_ in FakeMessageBox.shown] == ["question"]
    assert [(m.from_grid, m.to_grid) for m in demo_ctx.call(grid.household_moves, hid)] == [
        ("第三网格第一微网格", "第二网格第一微网格")]
    assert page.scene.markers[hid].marker.grid_id == g2.id
    _settle(qtbot, page)
    rows = _rows(page)
    assert (rows[g2.id].text(1), rows[g3.id].text(1)) == ("26", "16")  # recounted off the GUI thread
    assert page.scene.grids[g2.id].label.text().endswith("\n26 户")  # and the map's labels follow
    assert page.view.transform().m11() == fitted and hid in page.scene.markers


def test_a_household_not_on_a_large_map_is_dropped_onto_it(window: Any, qtbot: Any, demo_ctx: Any,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy import select

    import ui.grid.page
    from app.models import Household

    with demo_ctx.db.session() as s:
        h = s.scalars(select(Household).order_by(Household.id)).first()
        h.map_x = h.map_y = None
        hid = h.id
    monkeypatch.setattr(ui.grid.page, "QMessageBox", FakeMessageBox)
    monkeypatch.setattr(ui.grid.page, "LARGE_MAP_HOUSEHOLDS", 100)
    page = window.show_page("page_grid")
    _settle(qtbot, page)
    assert page.list_unplaced.count() == 1 and "1 户" in page.lbl_unplaced.text()
    spot = demo_ctx.call(grid.grid_by_code, demo_ctx.unit_id, "G04-1").polygon[0]
    page.view.householdDropped.emit(hid, QPointF(spot[0] + 20, spot[1] + 20))
    assert hid in page.scene.markers and page.list_unplaced.count() == 0
    assert "0 户" in page.lbl_unplaced.text()
    assert demo_ctx.call(grid.household_moves, hid)[-1].to_grid == "第四网格第一微网格"


def test_a_large_map_exports_what_it_shows(large_page: Any, qtbot: Any, demo_ctx: Any, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import ui.grid.page

    page = large_page
    page.select_grid(_area(demo_ctx, "G01-1")[0].id)
    _settle(qtbot, page)
    out = tmp_path / "county.png"
    monkeypatch.setattr(ui.grid.page.QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(out), "PNG 图片 (*.png)")))
    page.btn_export.click()
    assert out.exists() and out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "只含当前显示的 20 户" in page.status.text()
    assert page.legend().households_note == "图中只画出当前显示的 20 户"
