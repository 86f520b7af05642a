"""The blank-village dialogs on a 1366×768 screen (less a 40 px taskbar), the larger font included: nothing cut
at the right or bottom, 保存/取消 in reach, a problem beside a field shown whole."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QScrollArea, QWidget

from app.demo.ids import make_id_number
from app.services.context import AppContext
from app.services.org import tree
from app.services.people import households
from app.services.people import residents as people
from app.services.people.households import HouseholdInput
from app.services.people.residents import ResidentInput
from app.services.setup.first_start import VillageSetup, found_village

SCREEN_W, SCREEN_H = 1366, 768 - 40
TITLE_BAR = 40
SECRETARY_ID = make_id_number("110111", date(1968, 4, 2), 13)


@pytest.fixture(params=[False, True], ids=["normal-font", "large-font"])
def font(request: pytest.FixtureRequest, qapp: Any) -> Iterator[bool]:
    from ui.appfont import set_large_font

    set_large_font(qapp, request.param)
    yield request.param
    set_large_font(qapp, False)


@pytest.fixture
def village(db: Any) -> AppContext:
    ctx = AppContext(db)
    ctx.set_unit(ctx.call(found_village, VillageSetup(
        "杏花村", org_name="中共杏花村总支部委员会", org_kind="党总支", secretary_name="王建国",
        secretary_id_number=SECRETARY_ID, secretary_joined_on=date(1995, 7, 1), secretary_since=date(2021, 1, 15))))
    return ctx


def shown_whole(label: QLabel) -> bool:
    """A wrapped label as tall as its text needs at its width (not cut to one line and a half)."""
    need = label.heightForWidth(label.width()) if label.wordWrap() else label.sizeHint().height()
    return label.height() >= need and label.width() >= min(label.sizeHint().width(), label.maximumWidth())


def errors(dialog: QWidget) -> list[QLabel]:
    return [e for e in dialog.findChildren(QLabel) if e.objectName().startswith("err_") and e.isVisible()]


def test_first_start_fits_the_screen_and_shows_its_problems_whole(qtbot: Any, db: Any, font: bool) -> None:
    from ui.setup.first_start import FirstStartDialog

    dialog = FirstStartDialog(AppContext(db))
    qtbot.addWidget(dialog)
    # the fields scroll: the dialog can always be made as low as the screen, 新建本村/退出 still in it
    least = dialog.minimumSizeHint()
    assert least.width() <= SCREEN_W and least.height() <= SCREEN_H - TITLE_BAR, (font, least)
    assert dialog.findChild(QScrollArea, "scroll_form") is not None
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.width() >= dialog.sizeHint().width() or dialog.width() >= QApplication.primaryScreen().availableGeometry().width()

    qtbot.mouseClick(dialog.findChild(QPushButton, "btn_create_unit"), Qt.MouseButton.LeftButton)
    shown = errors(dialog)
    assert len(shown) >= 5
    body = dialog.body
    assert body.width() >= body.minimumSizeHint().width()  # nothing hidden at the right of the scroll area
    for label in [*shown, dialog.findChild(QLabel, "label_secretary_note")]:
        assert shown_whole(label), (label.objectName(), label.text(), label.size(), label.sizeHint())
    button = dialog.findChild(QPushButton, "btn_create_unit")
    assert button.isVisible() and button.geometry().bottom() <= dialog.height()
    dialog.date_since.setFocus()  # Tab from the last field goes to 新建本村 (the scroll area is no stop)
    dialog.focusNextChild()
    assert dialog.focusWidget() is button


def test_a_problem_beside_a_field_widens_the_dialog_to_show_it(qtbot: Any, village: AppContext, font: bool) -> None:
    from ui.org.org_dialogs import OrgDialog

    nodes = village.call(tree.list_org_tree, village.unit_id)
    dialog = OrgDialog(village, village.unit_id, nodes, parent_id=nodes[0].id)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.mouseClick(dialog.findChild(QPushButton, "btn_save"), Qt.MouseButton.LeftButton)
    [problem] = errors(dialog)
    assert problem.text() == "请填写组织名称"
    assert shown_whole(problem), (problem.size(), problem.sizeHint())
    assert dialog.width() >= dialog.sizeHint().width()


def test_split_household_table_shows_the_new_relations_whole(qtbot: Any, village: AppContext, font: bool) -> None:
    from ui.people.move_dialogs import SplitHouseholdDialog

    hid = village.call(households.add_household, village.unit_id, HouseholdInput("0001", "杏花村东街1号"))
    for seq, (name, relation) in enumerate((("陈大", "户主"), ("陈二", "子"), ("刘梅", "儿媳")), start=71):
        village.call(people.add_resident, village.unit_id, ResidentInput(
            name, make_id_number("110111", date(1980, 3, 4), seq), household_id=hid, relation=relation))
    dialog = SplitHouseholdDialog(village, hid)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    table = dialog.table
    # as wide as its columns: every column in view, 新的与户主关系 not cut
    assert table.sizeHint().width() >= table.horizontalHeader().length() + 2 * table.frameWidth()
    assert table.horizontalScrollBar().maximum() == 0
    assert dialog.width() <= SCREEN_W and dialog.height() <= SCREEN_H - TITLE_BAR


def test_a_long_message_on_the_members_page_does_not_widen_the_window(qtbot: Any, village: AppContext,
                                                                      font: bool) -> None:
    from ui.common.page import Changes
    from ui.org.page import MembersPage

    page = MembersPage(village, Changes())
    qtbot.addWidget(page)
    page.show()
    before = page.minimumSizeHint().width()
    page.info_members.show_info("赵六 已转出，已离开党员名册（勾选“含已离开”可查看）" * 2)
    qtbot.wait(10)
    assert page.minimumSizeHint().width() == before
    # the nav (about 13 large characters) and the page side by side on the screen
    nav = page.fontMetrics().horizontalAdvance("中") * 10
    assert before + nav <= SCREEN_W, before


def test_a_preselected_household_shows_its_number(qtbot: Any, village: AppContext) -> None:
    from ui.people.dialogs import ResidentDialog

    hid = village.call(households.add_household, village.unit_id, HouseholdInput("0001", "杏花村东街一号大院北侧"))
    dialog = ResidentDialog(village, village.unit_id, household_id=hid)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    line = dialog.household.lineEdit()
    assert line.text().startswith("0001") and line.cursorPosition() == 0
