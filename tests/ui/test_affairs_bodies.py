"""班子与代表 by clicks, from a blank village: a 届期, a 村委会主任 appointed and ended, a 村民代表 with households
picked by typing; on the demo, the 工作台's 换届 line opens the terms due."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit, QListWidget, QPushButton, QTableView

from app.db import Database
from app.services.affairs import bodies
from app.services.context import AppContext
from app.services.people import households, residents
from app.services.people.households import HouseholdInput
from app.services.people.residents import ResidentInput
from app.services.setup import founding
from tests.ui.dialogs import drive
from tests.ui.test_fits_screen import font  # noqa: F401, F811 (the normal and the larger font)
from tests.ui.test_member_actions import choose, click, click_list_item, errors, save, type_into
from ui.affairs.body_dialogs import BodyPostDialog, EndBodyPostDialog, RepHouseholdsDialog, TermDialog
from ui.affairs.page import AffairsPage
from ui.common.page import Changes


@pytest.fixture
def village(db: Database) -> AppContext:
    with db.session() as s:
        vid = founding.create_unit(s, "东坟村", "城关街道", "房山区")
        residents.add_resident(s, vid, ResidentInput("张三", phone="13912340001"))
        residents.add_resident(s, vid, ResidentInput("李四", phone="13912340002"))
        for number, head in (("001", "陈大"), ("002", "刘二"), ("003", "赵三")):
            hid = households.add_household(s, vid, HouseholdInput(number, f"东坟村{number}号"))
            residents.add_resident(s, vid, ResidentInput(head, household_id=hid, relation="户主"))
    ctx = AppContext(db)
    ctx.set_unit(vid)
    return ctx


@pytest.fixture
def page(qtbot: Any, village: AppContext) -> AffairsPage:
    p = AffairsPage(village, Changes())
    qtbot.addWidget(p)
    p.resize(1300, 760)
    p.show()
    qtbot.waitExposed(p)
    return p


def select(qtbot: Any, table: QTableView, row: int) -> None:
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton,
                     pos=table.visualRect(table.model().index(row, 0)).center())


def pick_person(qtbot: Any, d: Any, name: str) -> None:
    type_into(qtbot, d.findChild(QLineEdit, "edit_post_resident"), name)
    click_list_item(qtbot, d.findChild(QListWidget, "list_post_resident"))


def test_director_appointed_then_ended(qtbot: Any, page: AffairsPage, village: AppContext, monkeypatch: Any) -> None:
    tab = page.bodies

    def term(d: Any) -> None:
        choose(d.findChild(QComboBox, "field_body"), "村民委员会")
        type_into(qtbot, d.findChild(QLineEdit, "field_name"), "第十二届")
        type_into(qtbot, d.findChild(QLineEdit, "field_starts_on"), "2022-01-10")
        save(qtbot, d)

    seen = drive(monkeypatch, TermDialog, term)
    click(qtbot, tab.btn_term_add)
    assert seen[0].result() == 1, errors(seen[0])
    assert [(t.name, t.ends_on) for t in tab.terms_model.rows] == [("第十二届", date(2027, 1, 9))]

    assert not tab.btn_edit.isEnabled() and not tab.btn_end.isEnabled()  # they wait for a row

    def appoint(d: Any) -> None:
        save(qtbot, d)  # nobody picked: said beside the field, nothing saved
        assert "在列表中选中" in errors(d).get("err_resident", "")
        pick_person(qtbot, d, "张三")
        choose(d.findChild(QComboBox, "field_body"), "村民委员会")
        choose(d.findChild(QComboBox, "field_role"), "主任")
        type_into(qtbot, d.findChild(QLineEdit, "field_since"), "2022-01-10")
        save(qtbot, d)

    seen = drive(monkeypatch, BodyPostDialog, appoint)
    click(qtbot, tab.btn_add)
    assert seen[0].result() == 1, errors(seen[0])
    rows = tab.posts_model.rows
    assert [(r.name, r.body, r.role, r.term_text) for r in rows] == [
        ("张三", "村民委员会", "主任", "第十二届（2022-01-10 至 2027-01-09）")]

    select(qtbot, tab.table_posts, 0)
    assert not tab.btn_households.isEnabled()  # only a 代表 has 联系户

    def end(d: Any) -> None:
        type_into(qtbot, d.findChild(QLineEdit, "field_until"), date.today().isoformat())
        d.findChild(QComboBox, "field_end_reason").setCurrentText("辞职")
        save(qtbot, d)

    seen = drive(monkeypatch, EndBodyPostDialog, end)
    click(qtbot, tab.btn_end)
    assert seen[0].result() == 1, errors(seen[0])
    assert tab.posts_model.rows == []
    tab.check_ended.setChecked(True)
    assert [(r.name, r.state, r.end_reason) for r in tab.posts_model.rows] == [("张三", "已结束", "辞职")]


def test_representative_with_households(qtbot: Any, page: AffairsPage, village: AppContext, monkeypatch: Any) -> None:
    tab = page.bodies
    choose(tab.combo_body, "村民代表")

    def appoint(d: Any) -> None:
        assert d.findChild(QComboBox, "field_body").currentData() == "村民代表"  # the list's body
        pick_person(qtbot, d, "李四")
        type_into(qtbot, d.findChild(QLineEdit, "field_group_name"), "第一村民小组")
        save(qtbot, d)

    seen = drive(monkeypatch, BodyPostDialog, appoint)
    click(qtbot, tab.btn_add)
    assert seen[0].result() == 1, errors(seen[0])
    select(qtbot, tab.table_posts, 0)

    def pick(d: Any) -> None:
        for text in ("001", "刘二", "003"):
            type_into(qtbot, d.findChild(QLineEdit, "edit_rep_household"), text)
            click_list_item(qtbot, d.findChild(QListWidget, "list_rep_household"))
        chosen = d.findChild(QListWidget, "list_rep_chosen")
        assert chosen.count() == 3 and "（3 户）" in d.windowTitle()
        chosen.setCurrentRow(2)
        click(qtbot, d.findChild(QPushButton, "btn_rep_remove"))
        save(qtbot, d)

    seen = drive(monkeypatch, RepHouseholdsDialog, pick)
    click(qtbot, tab.btn_households)
    assert seen[0].result() == 1, errors(seen[0])
    post = tab.posts_model.rows[0]
    assert [h.head_name for h in village.call(bodies.post_households, post.id)] == ["陈大", "刘二"]
    assert "联系 2 户" in tab.info.text()


def test_workbench_line_opens_the_terms_due(qtbot: Any, window: Any) -> None:
    window.show_page("page_affairs")
    page = window.pages["page_affairs"]
    page.show_filter("terms_due")
    tab = page.bodies
    assert page.tabs.currentWidget() is tab and tab.check_due.isChecked()
    assert {t.body for t in tab.terms_model.rows} == {"村民委员会", "村务监督委员会", "村民代表"}
    assert any("书记、主任一肩挑" in r.title for r in tab.posts_model.rows)


def test_the_roster_fits_a_1366_screen(qtbot: Any, window: Any, font: bool) -> None:  # noqa: F811
    """职务 gets the room it needs (the 一肩挑 title whole), 届期 is its name with the dates in the tooltip (the
    届期 list shows them), the other columns as wide as their contents: no sideways scroll in the normal font."""
    from PySide6.QtCore import QSize
    from PySide6.QtWidgets import QApplication

    from tests.ui.test_fits_screen import SCREEN, TITLE_BAR

    window.set_large_font(font)
    window.resize(SCREEN - QSize(0, TITLE_BAR))
    window.show_page("page_affairs")
    QApplication.processEvents()
    table = window.pages["page_affairs"].bodies.table_posts
    model = table.model()
    header = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    title_col, term_col = header.index("职务"), header.index("届期")
    row = next(r for r in range(model.rowCount()) if "一肩挑" in model.index(r, title_col).data())
    title = model.index(row, title_col).data()
    assert title == "主任（书记、主任一肩挑）"
    term = model.index(row, term_col)
    assert term.data() == "第十一届"
    assert term.data(Qt.ItemDataRole.ToolTipRole) == "第十一届（2022-01-10 至 2027-01-09）"
    assert model.index(row, title_col).data(Qt.ItemDataRole.ToolTipRole) == title
    if not font:
        assert table.horizontalScrollBar().maximum() == 0
        assert table.columnWidth(title_col) >= table.fontMetrics().horizontalAdvance(title) + 8
