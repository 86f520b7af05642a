"""设置 → 本村信息与公示 and 节假日与调休, typed and clicked as the secretary would."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QGroupBox, QLabel, QLineEdit, QPushButton, QSpinBox

from app.services import calendar, units
from app.services.context import AppContext
from tests.ui.conftest import FakeMessageBox


def type_text(qtbot: Any, edit: QLineEdit, text: str) -> None:
    edit.setFocus()
    edit.selectAll()
    if text.isascii():
        qtbot.keyClicks(edit, text)
    else:
        edit.insert(text)


def click(qtbot: Any, button: QPushButton) -> None:
    assert button.isEnabled(), button.objectName()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def table_texts(table: Any, column: int = 0) -> list[str]:
    model = table.model()
    return [model.index(r, column).data() for r in range(model.rowCount())]


def test_village_details_edited_in_settings(qtbot: Any, window: Any, demo_ctx: AppContext) -> None:
    page = window.show_page("page_settings")
    box = page.findChild(QGroupBox, "box_unit")
    unit_id = demo_ctx.unit_id
    before = demo_ctx.call(units.get_unit, unit_id)
    edit = {name: box.findChild(QLineEdit, f"field_unit_{name}") for name in (
        "name", "township", "county", "contact_person", "contact_phone", "committee_phone", "objection_box")}
    assert edit["name"].text() == before.name and edit["contact_phone"].text() == before.contact_phone

    type_text(qtbot, edit["committee_phone"], "6234567")
    click(qtbot, box.findChild(QPushButton, "btn_save_unit"))
    error = box.findChild(QLabel, "err_unit_committee_phone")
    assert error.isVisible() and "区号" in error.text()
    type_text(qtbot, edit["committee_phone"], before.contact_phone)
    click(qtbot, box.findChild(QPushButton, "btn_save_unit"))
    assert "与公示联系电话相同" in error.text()
    assert demo_ctx.call(units.get_unit, unit_id).committee_phone == before.committee_phone  # nothing saved

    type_text(qtbot, edit["committee_phone"], "010 6234 5678")
    type_text(qtbot, edit["name"], "东坟社区")
    box.findChild(QComboBox, "field_unit_kind").setCurrentIndex(1)
    type_text(qtbot, edit["objection_box"], "村委会大门东侧")
    spin = box.findChild(QSpinBox, "field_unit_notice_days")
    spin.setValue(7)
    box.findChild(QCheckBox, "chk_unit_notice_workdays").setChecked(True)
    click(qtbot, box.findChild(QPushButton, "btn_save_unit"))
    assert not error.isVisible()
    info = demo_ctx.call(units.get_unit, unit_id)
    assert (info.name, info.kind, info.committee_phone, info.objection_box, info.notice_days, info.notice_workdays) == (
        "东坟社区", "社区", "010-62345678", "村委会大门东侧", 7, True)
    assert edit["committee_phone"].text() == "010-62345678"  # shown as stored
    assert window.windowTitle().startswith("村级党建工作台 — 东坟社区")  # the window follows the change


def test_calendar_override_added_and_removed(qtbot: Any, window: Any, demo_ctx: AppContext,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import ui.settings.calendar_box as box_mod
    from ui.settings.calendar_box import OverrideDialog

    monkeypatch.setattr(box_mod, "QMessageBox", FakeMessageBox)
    page = window.show_page("page_settings")
    box = page.findChild(QGroupBox, "box_calendar")
    box.findChild(QSpinBox, "spin_calendar_year").setValue(2026)
    library = box.findChild(type(box.table_library), "table_calendar_library")
    rows = list(zip(table_texts(library, 0), table_texts(library, 2), table_texts(library, 3), strict=True))
    assert ("2026-01-01", "放假", "元旦") in rows
    assert ("2026-09-20", "调休上班", "调休上班日") in rows  # a Sunday worked for National Day

    seen: list[Any] = []

    def fake_exec(dialog: Any) -> int:
        dialog.show()
        seen.append(dialog)
        click(qtbot, dialog.findChild(QPushButton, "btn_save"))  # no date yet
        assert dialog.findChild(QLabel, "err_day").text() == "请填写日期"
        type_text(qtbot, dialog.findChild(QLineEdit, "field_day"), "2027-02-20")
        combo = dialog.findChild(QComboBox, "field_is_workday")
        combo.setCurrentIndex(combo.findData(True))
        type_text(qtbot, dialog.findChild(QLineEdit, "field_note"), "春节调休补班")
        click(qtbot, dialog.findChild(QPushButton, "btn_save"))
        return int(dialog.result())

    monkeypatch.setattr(OverrideDialog, "exec", fake_exec)
    click(qtbot, box.findChild(QPushButton, "btn_add_override"))
    assert seen and seen[0].result() == 1
    assert box.findChild(QSpinBox, "spin_calendar_year").value() == 2027  # shows the year of the new day
    overrides = box.findChild(type(box.table_overrides), "table_calendar_overrides")
    assert table_texts(overrides, 0) == ["2027-02-20"]
    assert table_texts(overrides, 2) == ["上班（补班）"]
    assert calendar.is_workday(date(2027, 2, 20), demo_ctx.call(calendar.overrides_for, demo_ctx.unit_id))

    overrides.select_row(0)
    click(qtbot, box.findChild(QPushButton, "btn_remove_override"))
    assert FakeMessageBox.shown[-1][0] == "question" and "2027-02-20" in FakeMessageBox.shown[-1][2]
    assert table_texts(overrides, 0) == []
    assert demo_ctx.call(calendar.list_overrides, demo_ctx.unit_id) == []
