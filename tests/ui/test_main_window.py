"""The main window on the demo village: navigation, search, member dialog, sorting, first start."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QLineEdit, QPushButton, QWidget
from stdnum.cn import ric

from app.services import units
from app.services.context import AppContext
from app.services.org import members
from app.services.org import tree as org
from app.services.org.members import MemberQuery
from app.services.org.tree import BRANCH_KINDS
from app.services.people import residents as people
from app.services.people.residents import ResidentQuery
from app.text import name_initials
from ui.common.table_model import LazyTableModel
from ui.org.member_dialog import MemberDialog


def make_id(birth: str, seq: str = "123") -> str:
    first17 = "110105" + birth + seq
    return first17 + ric.calc_check_digit(first17 + "0")  # stdnum wants a placeholder check digit


def type_text(qtbot: Any, edit: QLineEdit, text: str) -> None:
    """Type into a line edit: real key presses for ASCII; Chinese arrives as an input method would."""
    edit.setFocus()
    if text.isascii():
        qtbot.keyClicks(edit, text)
    else:
        edit.insert(text)  # QTest cannot press keys for 汉字 (an IME commits the text instead)


def visible_errors(dialog: QWidget) -> list[str]:
    return [f"{e.objectName()}: {e.text()}" for e in dialog.findChildren(QLabel)
            if e.objectName().startswith("err_") and e.isVisible()]


def click_nav(qtbot: Any, window: Any, page_name: str) -> None:
    nav = window.nav
    for row in range(nav.count()):
        item = nav.item(row)
        if item.data(Qt.ItemDataRole.UserRole) == page_name:
            rect = nav.visualItemRect(item)
            qtbot.mouseClick(nav.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
            return
    raise AssertionError(f"no nav item for {page_name}")


def table_texts(table: Any, column: int = 0) -> list[str]:
    model = table.model()
    return [model.index(r, column).data() for r in range(model.rowCount())]


def count_members(ctx: AppContext) -> int:
    return ctx.call(members.count_members, MemberQuery(ctx.unit_id, include_left=True))  # type: ignore[arg-type]


def drive_dialog(monkeypatch: pytest.MonkeyPatch, cls: type, fill: Any) -> list[Any]:
    """Replace cls.exec: show the dialog, let `fill(dialog)` type and click, return its result."""
    seen: list[Any] = []

    def fake_exec(self: Any) -> int:
        self.show()
        seen.append(self)
        fill(self)
        return int(self.result())

    monkeypatch.setattr(cls, "exec", fake_exec)
    return seen


# ------------------------------------------------------------------------------ the window


def test_window_opens_on_demo_village(window: Any, demo_ctx: AppContext) -> None:
    info = demo_ctx.call(units.get_unit, demo_ctx.unit_id)  # type: ignore[arg-type]
    assert window.objectName() == "main_window"
    assert window.windowTitle().startswith("村级党建工作台 — ")
    assert info.name in window.windowTitle()
    nav = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert nav[:4] == ["工作台", "党组织与党员", "党务", "居民与户"] and {"操作日志", "设置"} <= set(nav)
    window.show_page("page_members")  # the window opens on the 工作台; pages are built when first shown
    window.show_page("page_residents")  # (tests/ui/test_lazy_pages.py)
    for name in ("page_members", "page_residents", "nav", "tree_orgs", "table_members", "edit_search_members",
                 "btn_add_member", "btn_edit_member", "combo_stage", "combo_category", "table_households",
                 "table_household_residents", "table_residents", "edit_search_residents"):
        assert window.findChild(QWidget, name) is not None, name
    for name in ("action_quit", "action_large_font", "action_about", "action_find"):
        assert window.findChild(type(window.action_quit), name) is not None, name
    assert info.name in window.status_unit.text()
    assert str(demo_ctx.db_path) in window.status_db.text()


def test_nav_click_switches_page(qtbot: Any, window: Any) -> None:
    click_nav(qtbot, window, "page_residents")
    assert window.stack.currentWidget().objectName() == "page_residents"
    click_nav(qtbot, window, "page_members")
    assert window.stack.currentWidget().objectName() == "page_members"
    assert window.pages["page_members"].table_members.model().rowCount() > 0


def test_ctrl_f_focuses_search_of_current_page(qtbot: Any, window: Any) -> None:
    click_nav(qtbot, window, "page_members")
    window.activateWindow()
    window.action_find.trigger()
    assert QApplication.focusWidget() is window.findChild(QLineEdit, "edit_search_members")


def test_about_shows_paths(window: Any, no_popups: Any, demo_ctx: AppContext) -> None:
    window.action_about.trigger()
    text = no_popups.shown[-1][2]
    assert "版本" in text and str(demo_ctx.db_path) in text and "日志文件夹" in text


def test_large_font_switch(window: Any) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = app.font().pointSize()
    window.action_large_font.trigger()
    assert app.font().pointSize() > before
    window.action_large_font.trigger()
    assert app.font().pointSize() == before


# ------------------------------------------------------------------------------ members


def test_search_members_by_pinyin_initials(qtbot: Any, window: Any, demo_ctx: AppContext) -> None:
    click_nav(qtbot, window, "page_members")
    roster = demo_ctx.call(members.list_members, MemberQuery(demo_ctx.unit_id), 30, 1)  # type: ignore[arg-type]
    name = roster[0].name
    initials = name_initials(name)
    box = window.findChild(QLineEdit, "edit_search_members")
    table = window.findChild(QWidget, "table_members")
    everyone = table.model().total
    qtbot.keyClicks(box, initials)
    qtbot.waitUntil(lambda: table.model().total < everyone, timeout=3000)
    assert name in table_texts(table)
    assert all(initials in name_initials(n) for n in table_texts(table))


def test_tree_and_stage_filters(qtbot: Any, window: Any, demo_ctx: AppContext) -> None:
    page = window.pages["page_members"]
    model = page.members_model
    everyone = model.total
    combo = window.findChild(QComboBox, "combo_stage")
    combo.setCurrentIndex(combo.findData("预备党员"))
    assert 0 < model.total < everyone
    assert {r.stage for r in model.rows} == {"预备党员"}
    combo.setCurrentIndex(0)
    # pick a branch in the tree: only its members
    nodes = demo_ctx.call(org.list_org_tree, demo_ctx.unit_id)  # type: ignore[arg-type]
    branch = next(n for n in nodes if n.kind == "党支部" and n.member_count)
    tree = window.findChild(QWidget, "tree_orgs")
    item = next(
        it for it in _tree_items(tree) if it.data(0, Qt.ItemDataRole.UserRole) == branch.id
    )
    tree.setCurrentItem(item)
    assert model.total < everyone
    assert all(r.org_id == branch.id for r in model.rows)


def _tree_items(tree: Any) -> list[Any]:
    out = []
    stack = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    while stack:
        it = stack.pop()
        out.append(it)
        stack.extend(it.child(i) for i in range(it.childCount()))
    return out


def _pick_branch(dialog: Any) -> None:
    combo = dialog.findChild(QComboBox, "field_org")
    for i in range(combo.count()):
        if combo.itemData(i) is not None:
            combo.setCurrentIndex(i)
            return


def test_add_member_through_dialog(
    qtbot: Any, window: Any, demo_ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    click_nav(qtbot, window, "page_members")
    before = count_members(demo_ctx)
    id_number = make_id("19900307")

    def fill(d: Any) -> None:
        assert d.objectName() == "dlg_member"
        type_text(qtbot, d.findChild(QLineEdit, "field_name"), "测试新党员")
        type_text(qtbot, d.findChild(QLineEdit, "field_id_number"), id_number)
        type_text(qtbot, d.findChild(QLineEdit, "field_phone"), "13912345678")
        _pick_branch(d)
        stage = d.findChild(QComboBox, "field_stage")
        stage.setCurrentIndex(stage.findData("正式党员"))
        type_text(qtbot, d.findChild(QLineEdit, "field_joined_on"), "2015-07-01")
        type_text(qtbot, d.findChild(QLineEdit, "field_confirmed_on"), "2016-07-05")
        qtbot.mouseClick(d.findChild(QPushButton, "btn_save"), Qt.MouseButton.LeftButton)

    seen = drive_dialog(monkeypatch, MemberDialog, fill)
    qtbot.mouseClick(window.findChild(QPushButton, "btn_add_member"), Qt.MouseButton.LeftButton)
    assert seen and seen[0].result() == 1, visible_errors(seen[0])
    assert count_members(demo_ctx) == before + 1
    found = demo_ctx.call(members.list_members, MemberQuery(demo_ctx.unit_id, text="测试新党员"), 0, 10)  # type: ignore[arg-type]
    assert [m.id_number for m in found] == [id_number]
    page = window.pages["page_members"]
    assert page.current_member() is not None and page.current_member().name == "测试新党员"
    assert "测试新党员" in page.text_member_detail.toPlainText()


def test_invalid_id_number_is_shown_beside_the_field(
    qtbot: Any, window: Any, demo_ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = count_members(demo_ctx)
    good = make_id("19900307")
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")

    def fill(d: Any) -> None:
        type_text(qtbot, d.findChild(QLineEdit, "field_name"), "错号码")
        type_text(qtbot, d.findChild(QLineEdit, "field_id_number"), bad)
        _pick_branch(d)
        type_text(qtbot, d.findChild(QLineEdit, "field_joined_on"), "2015-07-01")
        qtbot.mouseClick(d.findChild(QPushButton, "btn_save"), Qt.MouseButton.LeftButton)

    seen = drive_dialog(monkeypatch, MemberDialog, fill)
    window.pages["page_members"].add_member()
    dialog = seen[0]
    err = dialog.findChild(QLabel, "err_id_number")
    assert err.isVisible() and "校验位" in err.text()
    assert dialog.isVisible()  # stays open for the correction
    assert dialog.result() == 0
    assert not dialog.findChild(QLabel, "err_name").isVisible()
    assert count_members(demo_ctx) == before
    dialog.reject()


def test_bad_date_is_shown_beside_the_field(qtbot: Any, demo_ctx: AppContext) -> None:
    d = MemberDialog(demo_ctx, demo_ctx.unit_id)  # type: ignore[arg-type]
    qtbot.addWidget(d)
    d.show()
    type_text(qtbot, d.findChild(QLineEdit, "field_joined_on"), "2015-13-01")
    d.on_save()
    assert "不存在" in d.findChild(QLabel, "err_joined_on").text()
    assert d.isVisible()


# ------------------------------------------------------------------------------ residents


def test_households_show_their_residents(qtbot: Any, window: Any) -> None:
    click_nav(qtbot, window, "page_residents")
    page = window.pages["page_residents"]
    households = page.table_households
    assert households.model().rowCount() > 0
    households.select_row(3)
    head = households.model().row_at(3)
    names = table_texts(page.table_household_residents)
    assert len(names) == head.size
    if head.head_name:
        assert names[0] == head.head_name


def test_search_residents(qtbot: Any, window: Any, demo_ctx: AppContext) -> None:
    click_nav(qtbot, window, "page_residents")
    page = window.pages["page_residents"]
    page.tabs.setCurrentIndex(1)
    sample = demo_ctx.call(people.list_residents, ResidentQuery(demo_ctx.unit_id), 100, 1)[0]  # type: ignore[arg-type]
    box = window.findChild(QLineEdit, "edit_search_residents")
    qtbot.keyClicks(box, sample.id_number[-8:])
    qtbot.waitUntil(lambda: table_texts(page.table_residents) == [sample.name], timeout=3000)


def test_sorting_by_header_requeries_the_service(qtbot: Any, window: Any) -> None:
    click_nav(qtbot, window, "page_residents")
    page = window.pages["page_residents"]
    page.tabs.setCurrentIndex(1)
    table = page.table_residents
    model: LazyTableModel[Any] = table.model()
    age_col = [c.header for c in model.columns].index("年龄")
    first_before = [r.id for r in model.rows[:20]]
    header = table.horizontalHeader()
    x = header.sectionViewportPosition(age_col) + header.sectionSize(age_col) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))
    assert model.order_by == "age"
    ages = [r.age for r in model.rows if r.age is not None]
    assert ages == sorted(ages) or ages == sorted(ages, reverse=True)
    assert [r.id for r in model.rows[:20]] != first_before
    # the other direction
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))
    ages2 = [r.age for r in model.rows if r.age is not None]
    assert ages2 == list(reversed(sorted(ages2))) or ages2 == sorted(ages2)
    assert ages2[0] != ages[0]


def test_add_resident_through_dialog(
    qtbot: Any, window: Any, demo_ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui.people.dialogs import ResidentDialog

    click_nav(qtbot, window, "page_residents")
    page = window.pages["page_residents"]
    page.tabs.setCurrentIndex(1)
    before = demo_ctx.call(people.count_residents, ResidentQuery(demo_ctx.unit_id))  # type: ignore[arg-type]

    def fill(d: Any) -> None:
        assert d.objectName() == "dlg_resident"
        type_text(qtbot, d.findChild(QLineEdit, "field_name"), "新居民")
        type_text(qtbot, d.findChild(QLineEdit, "field_id_number"), make_id("19850101", "457"))
        type_text(qtbot, d.findChild(QLineEdit, "field_phone"), "12345")
        qtbot.mouseClick(d.findChild(QPushButton, "btn_save"), Qt.MouseButton.LeftButton)
        assert d.findChild(QLabel, "err_phone").isVisible()
        d.findChild(QLineEdit, "field_phone").clear()
        qtbot.mouseClick(d.findChild(QPushButton, "btn_save"), Qt.MouseButton.LeftButton)

    seen = drive_dialog(monkeypatch, ResidentDialog, fill)
    qtbot.mouseClick(window.findChild(QPushButton, "btn_add_resident"), Qt.MouseButton.LeftButton)
    assert seen[0].result() == 1, visible_errors(seen[0])
    assert demo_ctx.call(people.count_residents, ResidentQuery(demo_ctx.unit_id)) == before + 1  # type: ignore[arg-type]
    row = page.residents_model.row_at(page.table_residents.current_row())
    assert row is not None and row.name == "新居民" and row.gender == "男"


def test_branch_choices_are_branches(demo_ctx: AppContext, qtbot: Any) -> None:
    d = MemberDialog(demo_ctx, demo_ctx.unit_id)  # type: ignore[arg-type]
    qtbot.addWidget(d)
    nodes = {n.id: n for n in demo_ctx.call(org.list_org_tree, demo_ctx.unit_id)}  # type: ignore[arg-type]
    combo = d.findChild(QComboBox, "field_org")
    ids = [combo.itemData(i) for i in range(combo.count()) if combo.itemData(i) is not None]
    assert ids and all(nodes[i].kind in BRANCH_KINDS for i in ids)


def test_members_page_opens_on_the_roster_of_59(window: Any) -> None:
    page = window.pages["page_members"]
    assert page.combo_stage.currentData() == "members"
    assert page.members_model.total == 59
    assert {r.stage for r in page.members_model.rows} <= {"正式党员", "预备党员"}
    page.combo_stage.setCurrentIndex(page.combo_stage.findData("pipeline"))
    assert page.members_model.total == 6
