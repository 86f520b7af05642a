"""A blank village from the first start: the set-up dialog typed in, then 开始使用 ticking as data appear."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QPushButton, QWidget

from app.demo.ids import make_id_number
from app.services import units
from app.services.context import AppContext
from app.services.grid import grids
from app.services.org import members, tree
from app.services.org.member_checks import MemberInput
from app.services.org.members import MemberQuery
from app.services.people import households, residents
from app.services.people.households import HouseholdInput
from app.services.people.residents import ResidentInput
from app.services.setup import checklist
from app.services.setup.first_start import VillageSetup, found_village

SECRETARY_ID = make_id_number("110111", date(1968, 4, 2), 13)


def type_text(qtbot: Any, edit: QLineEdit, text: str) -> None:
    """Real key presses for ASCII; Chinese arrives as an input method commits it."""
    edit.setFocus()
    edit.selectAll()
    if text.isascii():
        qtbot.keyClicks(edit, text)
    else:
        edit.insert(text)


def field(dialog: QWidget, name: str) -> Any:
    widget = dialog.findChild(QWidget, f"field_{name}")
    assert widget is not None, name
    return widget


def shown_errors(widget: QWidget) -> dict[str, str]:
    return {e.objectName().removeprefix("err_"): e.text() for e in widget.findChildren(QLabel)
            if e.objectName().startswith("err_") and e.isVisible() and e.text()}


def choose(combo: QComboBox, text: str) -> None:
    combo.setCurrentIndex(combo.findText(text))


# ------------------------------------------------------------------------------ the set-up dialog


def test_first_start_set_up_typed_from_an_empty_database(qtbot: Any, db: Any) -> None:
    from ui.main_window import MainWindow
    from ui.setup.first_start import FirstStartDialog

    ctx = AppContext(db)
    assert ctx.unit_id is None
    dialog = FirstStartDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.objectName() == "dlg_first_start"
    create = dialog.findChild(QPushButton, "btn_create_unit")
    assert create.text() == "新建本村"
    assert not field(dialog, "branch_name").isVisible()  # only a 党委 needs the 书记's 党支部

    qtbot.mouseClick(create, Qt.MouseButton.LeftButton)  # nothing typed yet
    errors = shown_errors(dialog)
    assert {"name", "secretary_name", "secretary_id_number", "secretary_joined_on", "secretary_since"} <= set(errors)
    assert errors["org_name"] == "请填写党组织名称"
    assert ctx.call(units.current_unit_id) is None

    type_text(qtbot, field(dialog, "name"), "杏花村")
    assert field(dialog, "org_name").text() == "中共杏花村支部委员会"  # suggested from the name and the kind
    choose(field(dialog, "org_kind"), "党总支")
    assert field(dialog, "org_name").text() == "中共杏花村总支部委员会"
    type_text(qtbot, field(dialog, "township"), "城关镇")
    type_text(qtbot, field(dialog, "county"), "汾阳县")
    type_text(qtbot, field(dialog, "secretary_name"), "王建国")
    type_text(qtbot, field(dialog, "secretary_id_number"), SECRETARY_ID[:-1] + ("0" if SECRETARY_ID[-1] != "0" else "1"))
    type_text(qtbot, field(dialog, "secretary_joined_on"), "1995-07-01")
    type_text(qtbot, field(dialog, "secretary_since"), "2021.1.15")
    type_text(qtbot, field(dialog, "contact_person"), "李会计")
    type_text(qtbot, field(dialog, "contact_phone"), "13812345678")
    type_text(qtbot, field(dialog, "committee_phone"), "138-1234-5678")  # the same number written otherwise
    qtbot.mouseClick(create, Qt.MouseButton.LeftButton)
    errors = shown_errors(dialog)
    assert set(errors) == {"secretary_id_number", "committee_phone"}, errors
    assert "校验位错误" in errors["secretary_id_number"]
    assert "与公示联系电话相同" in errors["committee_phone"]
    assert ctx.call(units.current_unit_id) is None  # nothing half-written

    type_text(qtbot, field(dialog, "secretary_id_number"), SECRETARY_ID)
    type_text(qtbot, field(dialog, "committee_phone"), "0358-7221234")
    qtbot.mouseClick(create, Qt.MouseButton.LeftButton)
    assert dialog.result() == 1, shown_errors(dialog)
    unit_id = ctx.call(units.current_unit_id)
    assert unit_id is not None and ctx.unit_id == unit_id
    info = ctx.call(units.get_unit, unit_id)
    assert (info.name, info.township, info.county, info.committee_phone) == ("杏花村", "城关镇", "汾阳县", "0358-7221234")
    [secretary] = ctx.call(members.list_members, MemberQuery(unit_id))
    assert (secretary.name, secretary.org_name, secretary.posts, secretary.stage) == (
        "王建国", "中共杏花村总支部委员会", "书记", "正式党员")

    window = MainWindow(ctx)
    qtbot.addWidget(window)
    assert window.windowTitle() == "村级党建工作台 — 杏花村"
    assert window.nav.item(0).data(Qt.ItemDataRole.UserRole) == "page_start"
    assert window.stack.currentWidget().objectName() == "page_start"


def test_a_party_committee_asks_for_the_secretarys_branch(qtbot: Any, db: Any) -> None:
    from ui.setup.first_start import FirstStartDialog

    ctx = AppContext(db)
    dialog = FirstStartDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    type_text(qtbot, field(dialog, "name"), "杏花社区")
    choose(field(dialog, "kind"), "社区")
    choose(field(dialog, "org_kind"), "党委")
    assert field(dialog, "org_name").text() == "中共杏花社区委员会"
    assert field(dialog, "branch_name").isVisible()
    type_text(qtbot, field(dialog, "org_name"), "中共杏花社区委员会")
    type_text(qtbot, field(dialog, "secretary_name"), "王建国")
    type_text(qtbot, field(dialog, "secretary_id_number"), SECRETARY_ID)
    type_text(qtbot, field(dialog, "secretary_joined_on"), "1995-07-01")
    type_text(qtbot, field(dialog, "secretary_since"), "2021-01-15")
    qtbot.mouseClick(dialog.findChild(QPushButton, "btn_create_unit"), Qt.MouseButton.LeftButton)
    assert shown_errors(dialog) == {"branch_name": "请填写书记所在党支部"}
    type_text(qtbot, field(dialog, "branch_name"), "第一党支部")
    qtbot.mouseClick(dialog.findChild(QPushButton, "btn_create_unit"), Qt.MouseButton.LeftButton)
    assert dialog.result() == 1, shown_errors(dialog)
    nodes = {n.name: n for n in ctx.call(tree.list_org_tree, ctx.unit_id)}  # type: ignore[arg-type]
    assert nodes["第一党支部"].parent_id == nodes["中共杏花社区委员会"].id
    assert ctx.call(units.get_unit, ctx.unit_id).kind == "社区"  # type: ignore[arg-type]


def test_first_start_demo_village(qtbot: Any, db: Any) -> None:
    from ui.setup.first_start import FirstStartDialog

    ctx = AppContext(db)
    dialog = FirstStartDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    ticks: list[int] = []
    timer = QTimer(dialog)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(20)
    ticks_when_done: list[int] = []
    dialog.accepted.connect(lambda: ticks_when_done.append(len(ticks)))
    qtbot.mouseClick(dialog.findChild(QPushButton, "btn_use_demo"), Qt.MouseButton.LeftButton)
    # built on the thread pool behind a progress dialog; the buttons wait, closing is refused meanwhile
    assert dialog.demo_progress is not None and dialog.demo_progress.isVisible()
    assert not dialog.btn_use_demo.isEnabled() and not dialog.btn_create_unit.isEnabled()
    dialog.reject()
    assert dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.result() == 1, timeout=60000)
    assert ticks_when_done[0] > 0  # the event loop ran while the demo was written: the window stayed responsive
    assert ctx.unit_id is not None
    assert ctx.call(units.get_unit, ctx.unit_id).is_demo
    assert not dialog.demo_progress.isVisible()


# ------------------------------------------------------------------------------ 开始使用


def ticks(page: Any) -> dict[str, bool]:
    return {key: page.findChild(QCheckBox, f"chk_{key}").isChecked() for key in checklist.CHECKLIST_KEYS}


def nav_names(window: Any) -> list[str]:
    return [window.nav.item(i).data(Qt.ItemDataRole.UserRole) for i in range(window.nav.count())]


def test_checklist_ticks_as_the_village_fills_and_then_leaves_the_navigation(qtbot: Any, db: Any) -> None:
    from ui.main_window import MainWindow

    ctx = AppContext(db)
    unit_id = ctx.call(found_village, VillageSetup(
        "杏花村", org_name="中共杏花村总支部委员会", org_kind="党总支", secretary_name="王建国",
        secretary_id_number=SECRETARY_ID, secretary_joined_on=date(1995, 7, 1), secretary_since=date(2021, 1, 15)))
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    page = window.pages["page_start"]
    assert window.stack.currentWidget() is page
    assert ticks(page) == dict.fromkeys(checklist.CHECKLIST_KEYS, False)
    assert "还有 5 项未完成" in page.findChild(QLabel, "label_start_summary").text()

    # each button opens its page; the data then appear (as those pages would save them and announce it)
    qtbot.mouseClick(page.findChild(QPushButton, "btn_open_org"), Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget().objectName() in ("page_org", "page_members")
    top = ctx.call(tree.list_org_tree, unit_id)[0].id
    branch = ctx.call(tree.create_org, unit_id, tree.OrgInput("第一党支部", "党支部", parent_id=top))
    window.changes.changed.emit("org", None)
    for seq in (15, 17):
        ctx.call(members.add_member, unit_id, MemberInput(
            f"党员{seq}", make_id_number("110111", date(1970, 1, 1), seq), org_id=branch, joined_on=date(2000, 7, 1)))
    window.changes.changed.emit("member", None)
    window.show_page("page_start")
    assert ticks(page) == {"org": True, "members": True, "households": False, "grid": False, "publicity": False}

    qtbot.mouseClick(page.findChild(QPushButton, "btn_open_households"), Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget().objectName() == "page_residents"
    hh = ctx.call(households.add_household, unit_id, HouseholdInput("0001", "杏花村1号"))
    ctx.call(residents.add_resident, unit_id, ResidentInput(
        "赵大", make_id_number("110111", date(1960, 1, 1), 21), household_id=hh, relation="户主"))
    window.changes.changed.emit("household", None)
    qtbot.mouseClick(window.pages["page_start"].findChild(QPushButton, "btn_open_grid"), Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget().objectName() == "page_grid"
    ctx.call(grids.create_grid, unit_id, grids.GridInput("G01", "第一网格"))
    window.changes.changed.emit("grid", None)
    window.show_page("page_start")
    assert ticks(page) == {"org": True, "members": True, "households": True, "grid": True, "publicity": False}

    # 公示设置 opens 设置 at 本村信息与公示; saving there ticks the last item
    qtbot.mouseClick(page.findChild(QPushButton, "btn_open_publicity"), Qt.MouseButton.LeftButton)
    settings = window.stack.currentWidget()
    assert settings.objectName() == "page_settings"
    box = settings.unit_box
    type_text(qtbot, box.findChild(QLineEdit, "field_unit_contact_person"), "李会计")
    type_text(qtbot, box.findChild(QLineEdit, "field_unit_contact_phone"), "13812345678")
    qtbot.mouseClick(box.findChild(QPushButton, "btn_save_unit"), Qt.MouseButton.LeftButton)
    assert all(i.done for i in ctx.call(checklist.checklist, unit_id))
    assert "page_start" in nav_names(window)  # still listed: the user has not looked at it yet

    window.show_page("page_start")
    assert all(ticks(page).values())
    assert "全部完成" in page.findChild(QLabel, "label_start_summary").text()
    assert nav_names(window)[0] == "page_start"  # not pulled away while it is being looked at
    window.show_page("page_members")
    qtbot.waitUntil(lambda: "page_start" not in nav_names(window))
    assert window.stack.currentWidget().objectName() == "page_members"

    window.findChild(type(window.start_nav.action), "action_getting_started").trigger()  # 帮助 → 开始使用
    assert window.stack.currentWidget() is page


def test_demo_village_needs_no_checklist_in_the_navigation(qtbot: Any, window: Any) -> None:
    qtbot.waitUntil(lambda: "page_start" not in nav_names(window))
    assert window.stack.currentWidget().objectName() == nav_names(window)[0]
    window.start_nav.action.trigger()
    assert window.stack.currentWidget().objectName() == "page_start"
    assert all(ticks(window.pages["page_start"]).values())
