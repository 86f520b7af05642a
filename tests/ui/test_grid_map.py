"""The map page driven like a user: clicks on the viewport draw a boundary, a marker dragged into it joins it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.services import grid
from app.services.grid import GridInput
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
