"""网格岗位, 联系户 band, a household's grid changes and 便民服务卡 options, driven from the map page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QSpinBox
from sqlalchemy import select

from app.models import GridPost, Household, Resident
from app.services.context import AppContext
from app.services.grid import coverage as grid_coverage
from app.services.grid import grids as grid
from tests.ui.conftest import FakeMessageBox
from tests.ui.test_grid_map import _drag, _vp
from ui.grid.household_dialog import HouseholdGridDialog
from ui.grid.option_dialogs import CardsDialog, ContactBandDialog
from ui.grid.post_dialogs import AppointPostDialog, EndPostDialog


@pytest.fixture
def page(window: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    import ui.grid.page

    monkeypatch.setattr(ui.grid.page, "QMessageBox", FakeMessageBox)
    p = window.show_page("page_grid")
    QApplication.processEvents()
    p.view.fit()
    QApplication.processEvents()
    return p


def script(monkeypatch: pytest.MonkeyPatch, cls: type[QDialog], fn: Callable[[Any], None]) -> list[Any]:
    """Replace cls.exec: show the dialog, let `fn` click and type in it, return the dialogs seen."""
    seen: list[Any] = []

    def exec_(self: QDialog) -> int:
        self.show()
        seen.append(self)
        fn(self)
        return self.result()

    monkeypatch.setattr(cls, "exec", exec_)
    return seen


def click(qtbot: Any, widget: Any) -> None:
    assert widget.isVisible() and widget.isEnabled(), widget.objectName()
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def table_column(table: Any, col: int) -> list[str]:
    return [table.item(r, col).text() for r in range(table.rowCount())]


def test_appoint_by_initials_then_a_new_head_and_an_end(qtbot: Any, page: Any, demo_ctx: AppContext,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    uid = demo_ctx.unit_id
    g1 = demo_ctx.call(grid.grid_by_code, uid, "G01")
    with demo_ctx.db.session() as s:
        holders = set(s.scalars(select(GridPost.resident_id).where(GridPost.resident_id.is_not(None))))
        person = next(r for r in s.execute(
            select(Resident.id, Resident.name, Resident.name_initials, Resident.phone).join(Household)
            .where(Resident.status == "在册", Resident.phone != "", Household.grid_id.is_not(None))
            .order_by(Resident.id)) if r.id not in holders)
    page.select_grid(g1.id)
    table = page.posts.table
    assert table.objectName() == "table_grid_posts"
    assert "李明杰" in table_column(table, 2) and "本网格" in table_column(table, 0)
    before = table.rowCount()

    # 任命 a 专职网格员: typed as 拼音首字母, taken from the list with Down/Enter
    def fill(d: AppointPostDialog) -> None:
        d.combo_post.setCurrentIndex(d.combo_post.findData("专职网格员"))
        edit = d.findChild(QLineEdit, "edit_post_person")
        qtbot.keyClicks(edit, person.name_initials)
        matches = d.picker.list
        qtbot.waitUntil(lambda: matches.count() > 0)
        for _ in range(matches.count()):
            if matches.currentItem().data(Qt.ItemDataRole.UserRole).id == person.id:
                break
            qtbot.keyClick(edit, Qt.Key.Key_Down)
        qtbot.keyClick(edit, Qt.Key.Key_Return)
        assert d.picker.value.id == person.id
        assert "留空则用居民登记的电话" in d.edit_phone.placeholderText()
        assert not d.lbl_replace.isVisible()  # 专职网格员 may be several: nobody is replaced
        click(qtbot, d.btn_save)

    seen = script(monkeypatch, AppointPostDialog, fill)
    click(qtbot, page.posts.btn_appoint)
    assert seen and seen[0].objectName() == "dlg_appoint_post" and seen[0].result() == QDialog.DialogCode.Accepted
    assert table.rowCount() == before + 1 and person.name in table_column(table, 2)
    current = demo_ctx.call(grid.current_posts, g1.id)
    mine = [p for p in current if p.resident_id == person.id]
    assert [(p.post, p.phone, p.start_on) for p in mine] == [("专职网格员", person.phone, date.today())]
    assert person.name in page.lbl_staff.text()  # the tree's staff line followed

    # a new 网格长, typed (not in the register): the dialog says whose term ends, the service ends it
    def fill_head(d: AppointPostDialog) -> None:
        d.combo_post.setCurrentIndex(d.combo_post.findData("网格长"))
        assert d.lbl_replace.isVisible() and "李明杰" in d.lbl_replace.text()
        d.picker.edit.setText("赵新任")
        qtbot.keyClicks(d.edit_phone, "13612345678")
        click(qtbot, d.btn_save)

    script(monkeypatch, AppointPostDialog, fill_head)
    click(qtbot, page.posts.btn_appoint)
    heads = [p for p in demo_ctx.call(grid.current_posts, g1.id) if p.post == "网格长"]
    assert [(p.name, p.resident_id) for p in heads] == [("赵新任", None)]
    assert "李明杰" not in table_column(table, 2)

    # 卸任 the one just appointed: gone from the current list, kept in the history with its date
    row = table_column(table, 2).index(person.name)
    table.selectRow(row)

    def end(d: EndPostDialog) -> None:
        assert person.name in d.findChild(type(d.form_error), "lbl_end_post_who").text()
        qtbot.keyClicks(d.edit_note, "ci zhi")
        click(qtbot, d.btn_save)

    ended = script(monkeypatch, EndPostDialog, end)
    click(qtbot, page.posts.btn_end)
    assert ended and ended[0].objectName() == "dlg_end_post"
    assert person.name not in table_column(table, 2)
    assert all(p.resident_id != person.id for p in demo_ctx.call(grid.current_posts, g1.id))
    page.posts.chk_history.setChecked(True)
    assert not table.isColumnHidden(5)
    names = table_column(table, 2)
    assert person.name in names and "李明杰" in names
    assert table.item(names.index(person.name), 5).text() == date.today().isoformat()
    history = [p for p in demo_ctx.call(grid.post_history, g1.id) if p.resident_id == person.id]
    assert [(p.end_on, p.note) for p in history] == [(date.today(), "ci zhi")]
    # an ended post cannot be ended again
    table.selectRow(names.index(person.name))
    assert not page.posts.btn_end.isEnabled()


def test_a_micro_grid_offers_its_own_posts_and_bad_input_stays_in_the_dialog(
        qtbot: Any, page: Any, demo_ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    micro = demo_ctx.call(grid.grid_by_code, demo_ctx.unit_id, "G02-1")
    page.select_grid(micro.id)

    def fill(d: AppointPostDialog) -> None:
        posts = [d.combo_post.itemData(i) for i in range(d.combo_post.count())]
        assert "网格长" not in posts and "微网格员" in posts
        d.combo_post.setCurrentIndex(d.combo_post.findData("楼栋长"))
        d.picker.edit.setText("外来人员")
        d.edit_start.setText("2026-02-30")
        click(qtbot, d.btn_save)
        assert d.isVisible() and d.errors["start_on"].isVisible()  # no such day
        d.edit_start.setText(date.today().isoformat())
        click(qtbot, d.btn_save)  # no phone for someone outside the register
        assert d.isVisible() and d.errors["phone"].isVisible()
        d.reject()

    seen = script(monkeypatch, AppointPostDialog, fill)
    click(qtbot, page.posts.btn_appoint)
    assert seen and seen[0].result() == QDialog.DialogCode.Rejected
    assert all(p.name != "外来人员" for p in demo_ctx.call(grid.post_history, micro.id))


def test_the_contact_band_changes_the_coverage_text(qtbot: Any, page: Any, demo_ctx: AppContext,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    page.tabs.setCurrentIndex(1)
    before = page.text_coverage.toPlainText()
    assert "多于 30 户的 1 名" in before and "超过 30 户" in before

    def fill(d: ContactBandDialog) -> None:
        assert (d.spin_low.value(), d.spin_high.value()) == (4, 30)
        d.findChild(QSpinBox, "field_low").setValue(40)
        d.findChild(QSpinBox, "field_high").setValue(10)
        click(qtbot, d.btn_save)  # the upper bound below the lower: refused, said in the dialog
        assert d.isVisible() and "上限不能小于下限" in d.form_error.text()
        d.spin_low.setValue(2)
        d.spin_high.setValue(40)
        click(qtbot, d.btn_save)

    seen = script(monkeypatch, ContactBandDialog, fill)
    click(qtbot, page.btn_band)
    assert seen and seen[0].objectName() == "dlg_contact_band"
    after = page.text_coverage.toPlainText()
    assert after != before
    assert "联系户少于 2 户的党员 0 名，多于 40 户的 0 名" in after and "超过" not in after
    assert page.lbl_band.text() == "每名党员联系 2–40 户"
    assert demo_ctx.call(grid_coverage.contact_band, demo_ctx.unit_id) == (2, 40)


def test_a_household_shows_its_grid_changes(qtbot: Any, page: Any, demo_ctx: AppContext,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    uid = demo_ctx.unit_id
    g3 = demo_ctx.call(grid.grid_by_code, uid, "G03-1")
    g32 = demo_ctx.call(grid.grid_by_code, uid, "G03-2")
    g2 = demo_ctx.call(grid.grid_by_code, uid, "G02-1")
    marker = next(m for m in page.scene.markers.values() if m.marker.grid_id == g3.id)
    hid = marker.household_id
    earlier = date.today() - timedelta(days=30)
    assert demo_ctx.call(grid.move_household, hid, g32.id, earlier, "分户")  # a move done in the register
    demo_ctx.call(grid.move_household, hid, g3.id, earlier, "回迁")
    page.refresh()
    marker = page.scene.markers[hid]
    target = g2.polygon[0]
    _drag(page, page.view.mapFromScene(marker.pos()), _vp(page, target[0] + 30, target[1] + 30))  # and one on the map
    assert marker.marker.grid_id == g2.id

    def look(d: HouseholdGridDialog) -> None:
        table = d.findChild(type(d.table), "table_household_moves")
        rows = [[table.item(r, c).text() for c in range(4)] for r in range(table.rowCount())]
        assert rows == [
            [date.today().isoformat(), "第三网格第一微网格", "第二网格第一微网格", "在地图上移动"],
            [earlier.isoformat(), "第三网格第二微网格", "第三网格第一微网格", "回迁"],
            [earlier.isoformat(), "第三网格第一微网格", "第三网格第二微网格", "分户"],
        ]
        assert d.lbl_grid.text() == "第二网格第一微网格"
        # a move dated before the last one would scramble the record: refused, said in the dialog
        d.combo_to.setCurrentIndex(d.combo_to.findData(g32.id))
        d.edit_on.setText(earlier.isoformat())
        click(qtbot, d.btn_move)
        assert "不能早于" in d.status.text() and table.rowCount() == 3
        d.edit_on.setText(date.today().isoformat())
        qtbot.keyClicks(d.edit_note, "ban qian")
        click(qtbot, d.btn_move)
        assert table.rowCount() == 4 and table.item(0, 2).text() == "第三网格第二微网格"
        assert d.lbl_grid.text() == "第三网格第二微网格"
        click(qtbot, d.btn_close)

    seen = script(monkeypatch, HouseholdGridDialog, look)
    QTest.mouseClick(page.view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     page.view.mapFromScene(marker.pos()))  # a click (no drag) opens the household
    assert seen and seen[0].objectName() == "dlg_household_grid"
    assert page.scene.markers[hid].marker.grid_id == g32.id  # the page reloaded after the dialog's move
    assert [m.note for m in demo_ctx.call(grid.household_moves, hid)][-1] == "ban qian"


def _xobjects(reader: PdfReader) -> int:
    total = 0
    for p in reader.pages:
        xo = p["/Resources"].get("/XObject")
        total += len(xo.get_object()) if xo is not None else 0
    return total


def _cards(qtbot: Any, page: Any, monkeypatch: pytest.MonkeyPatch, out: Path, per_grid: bool, no_qr: bool) -> PdfReader:
    import ui.grid.page

    monkeypatch.setattr(ui.grid.page.QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(out), "")))

    def choose(d: CardsDialog) -> None:
        assert d.findChild(type(d.form_error), "lbl_cards_scope").text() == "制作范围：第一网格"
        assert d.radio_household.isChecked() and not d.chk_no_qr.isChecked()  # the defaults
        if per_grid:
            click(qtbot, d.radio_grid)
        if no_qr:  # on its box: the field is wider than the text
            qtbot.mouseClick(d.chk_no_qr, Qt.MouseButton.LeftButton, pos=QPoint(8, d.chk_no_qr.height() // 2))
            assert d.chk_no_qr.isChecked()
        click(qtbot, d.btn_save)

    script(monkeypatch, CardsDialog, choose)
    click(qtbot, page.btn_cards)
    qtbot.waitUntil(lambda: "已生成便民服务卡" in page.status.text(), timeout=60_000)
    assert page.btn_cards.isEnabled()
    return PdfReader(out)


def test_cards_per_grid_without_qr(qtbot: Any, page: Any, demo_ctx: AppContext, monkeypatch: pytest.MonkeyPatch,
                                   tmp_path: Path) -> None:
    g1 = demo_ctx.call(grid.grid_by_code, demo_ctx.unit_id, "G01")
    page.select_grid(g1.id)
    households = _cards(qtbot, page, monkeypatch, tmp_path / "each.pdf", per_grid=False, no_qr=False)
    assert "45 张" in page.status.text()  # the 45 households of 第一网格
    per_grid = _cards(qtbot, page, monkeypatch, tmp_path / "grid.pdf", per_grid=True, no_qr=True)
    assert "2 张" in page.status.text()  # its two micro-grids
    assert len(per_grid.pages) < len(households.pages)
    assert _xobjects(households) > 0 and _xobjects(per_grid) == 0  # the QR codes are form XObjects
    text = "".join(p.extract_text() or "" for p in per_grid.pages)
    assert "第一微网格" in text and "户号" not in text
