"""撤销网格 on the map page by clicking: refused while households and staff remain (named beside the date);
an empty micro-grid is closed with a date and a reason, leaves the map and is listed under 已撤销的网格."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit, QPushButton

from app.services.grid import grids as grid
from app.services.grid.grids import GridInput
from tests.ui.conftest import FakeMessageBox
from ui.grid import close_dialog

from .test_tickets_page import click, script


@pytest.fixture
def page(window: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    import ui.grid.page

    monkeypatch.setattr(ui.grid.page, "QMessageBox", FakeMessageBox)
    p = window.show_page("page_grid")
    QApplication.processEvents()
    return p


def test_close_a_grid_from_the_map(qtbot: Any, page: Any, demo_ctx: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    uid = demo_ctx.unit_id
    busy = demo_ctx.call(grid.grid_by_code, uid, "G01-2")
    page.select_grid(busy.id)
    refused: list[str] = []

    def try_busy(d: close_dialog.CloseGridDialog) -> None:
        d.findChild(QPlainTextEdit, "field_note").setPlainText("网格合并")
        click(qtbot, d.findChild(QPushButton, "btn_save"))
        assert d.isVisible()  # refused: the dialog stays and says what is still in the grid
        refused.append(d.errors["closed_on"].text())
        click(qtbot, d.findChild(QPushButton, "btn_cancel"))

    script(monkeypatch, close_dialog.CloseGridDialog, try_busy)
    click(qtbot, page.edits.btn_close_grid)
    assert "网格内还有" in refused[0] and "户号" in refused[0] and "卸任" in refused[0]
    assert busy.id in page.scene.grids

    # an empty micro-grid (made for a new housing block that was never built) is closed
    top = demo_ctx.call(grid.grid_by_code, uid, "G01")
    empty = demo_ctx.call(grid.create_grid, uid, GridInput("G01-9", "第一网格新区微网格", parent_id=top.id))
    page.refresh()
    assert empty in page.scene.grids
    page.select_grid(empty)
    on = date.today() - timedelta(days=1)

    def close(d: close_dialog.CloseGridDialog) -> None:
        d.findChild(QLineEdit, "field_closed_on").setText(on.strftime("%Y.%m.%d"))
        click(qtbot, d.findChild(QPushButton, "btn_save"))  # no reason: refused beside it
        assert d.isVisible() and d.errors["note"].text() == "请填写撤销原因"
        d.findChild(QPlainTextEdit, "field_note").setPlainText("规划调整，该片区未建成")
        click(qtbot, d.findChild(QPushButton, "btn_save"))

    script(monkeypatch, close_dialog.CloseGridDialog, close)
    click(qtbot, page.edits.btn_close_grid)
    assert empty not in page.scene.grids  # off the map
    assert page.selected_grid_id() == top.id
    assert "已撤销“第一网格新区微网格”" in page.status.text()
    info = demo_ctx.call(grid.get_grid, empty)
    assert info.closed_on == on and "规划调整，该片区未建成" in info.note

    listed: list[list[str]] = []

    def read(d: close_dialog.ClosedGridsDialog) -> None:
        listed.extend([d.tree.topLevelItem(i).text(c) for c in range(4)] for i in range(d.tree.topLevelItemCount()))
        click(qtbot, d.btn_close)

    script(monkeypatch, close_dialog.ClosedGridsDialog, read)
    click(qtbot, page.edits.btn_closed_grids)
    assert ["G01-9", "第一网格新区微网格", on.isoformat()] in [row[:3] for row in listed]
    assert not FakeMessageBox.shown or all(kind != "critical" for kind, _t, _x in FakeMessageBox.shown)
