"""设置 → 星级文明户星类 and 工单设置, driven as the secretary would; the other pages follow the change."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QGroupBox, QPushButton

from app.services.context import AppContext
from app.services.stars import categories as star_categories
from app.services.tickets import catalog as ticket_settings
from app.services.tickets import queries as ticket_queries
from app.services.tickets import workflow as tickets
from app.services.tickets.workflow import TicketInput
from tests.ui.conftest import FakeMessageBox
from ui.common.list_editor import ListEditor
from ui.stars.categories_box import StarCategoriesBox, StarCategoryDialog
from ui.tickets.settings_box import TicketSettingsBox
from ui.tickets.settings_dialogs import ServiceItemDialog, TicketCategoryDialog


def answer_dialog(monkeypatch: pytest.MonkeyPatch, cls: type, fill: Callable[[Any], None]) -> None:
    """The dialog's exec() fills the form and presses 保存 instead of waiting for a user."""

    def exec_(self: Any) -> int:
        fill(self)
        self.on_save()
        return self.result()

    monkeypatch.setattr(cls, "exec", exec_)


def select(editor: ListEditor[Any], name: str) -> None:
    row = editor.model.find_row(lambda r: r.name == name)
    assert row >= 0, name
    editor.table.select_row(row)


def click(qtbot: Any, button: QPushButton) -> None:
    assert button.isEnabled(), button.objectName()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def star_checks(window: Any) -> dict[str, str]:
    page = window.show_page("page_stars")
    return {c.text(): c.toolTip() for c in page.star_checks.values()}


def test_star_category_added_renamed_and_stopped_in_settings_shows_on_the_application_form(
    qtbot: Any, window: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ui.stars.categories_box as box_mod

    monkeypatch.setattr(box_mod, "QMessageBox", FakeMessageBox)
    page = window.show_page("page_settings")
    box = page.findChild(QGroupBox, "box_star_categories")
    assert isinstance(box, StarCategoriesBox)
    assert "勤劳敬业星" in star_checks(window)  # the stars page has been shown before the change

    answer_dialog(monkeypatch, StarCategoryDialog, lambda d: (
        d.edit_name.setText("平安法治星"), d.edit_criteria.setPlainText("遵纪守法，家中无违法犯罪人员。")))
    window.show_page("page_settings")
    click(qtbot, box.findChild(QPushButton, "btn_add_star_category"))
    assert [c.name for c in box.editor.model.rows][-1] == "平安法治星"
    assert box.editor.selected() is not None and box.editor.selected().name == "平安法治星"
    assert star_checks(window)["平安法治星"] == "遵纪守法，家中无违法犯罪人员。"  # criteria shown on the form

    # a duplicate name keeps the dialog open with the message beside the field
    seen: list[str] = []
    answer_dialog(monkeypatch, StarCategoryDialog, lambda d: (
        d.edit_name.setText("孝老爱亲星"), d.edit_criteria.setPlainText(""), d.on_save(),
        seen.append(d.errors["name"].text()), d.edit_name.setText("平安星")))
    window.show_page("page_settings")
    select(box.editor, "平安法治星")
    click(qtbot, box.findChild(QPushButton, "btn_edit_star_category"))
    assert seen and "已有名为“孝老爱亲星”的星类" in seen[0]
    checks = star_checks(window)
    assert "平安星" in checks and "平安法治星" not in checks  # renamed in place

    window.show_page("page_settings")
    select(box.editor, "平安星")
    toggle = box.findChild(QPushButton, "btn_toggle_star_category")
    assert toggle.text() == "停用"
    click(qtbot, toggle)
    assert any(k == "question" and "平安星" in text for k, _t, text in FakeMessageBox.shown)
    assert "平安星" not in star_checks(window)
    uid = window.ctx.unit_id
    stopped = [c for c in window.ctx.call(star_categories.list_categories, uid, True) if c.name == "平安星"]
    assert stopped and not stopped[0].active


def test_ticket_time_limit_and_lists_and_the_reopen_switch(
    qtbot: Any, window: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx: AppContext = window.ctx
    uid = ctx.unit_id
    page = window.show_page("page_settings")
    box = page.findChild(QGroupBox, "box_ticket_settings")
    assert isinstance(box, TicketSettingsBox)
    assert box.categories.table.objectName() == "table_ticket_categories"
    assert box.items.table.objectName() == "table_service_items"

    def to_36_hours(d: TicketCategoryDialog) -> None:
        assert d.hours() == 48 and d.combo_unit.currentText() == "天" and d.spin_due.value() == 2
        d.spin_due.setValue(36)
        d.combo_unit.setCurrentIndex(d.combo_unit.findData("hours"))

    answer_dialog(monkeypatch, TicketCategoryDialog, to_36_hours)
    select(box.categories, "环境卫生")
    click(qtbot, box.findChild(QPushButton, "btn_edit_ticket_category"))
    shown = box.categories.model.row_at(box.categories.table.current_row())
    assert shown is not None and (shown.name, ticket_settings.due_text(shown.due_hours)) == ("环境卫生", "36小时")
    assert box.categories.table.model().index(box.categories.table.current_row(), 1).data() == "36小时"

    from ui.tickets.intake import IntakeDialog

    intake = IntakeDialog(ctx, uid)
    qtbot.addWidget(intake)
    texts = [intake.combo_category.itemText(i) for i in range(intake.combo_category.count())]
    assert "环境卫生（36小时）" in texts
    cid = intake.combo_category.itemData(texts.index("环境卫生（36小时）"))
    received = datetime.now().replace(microsecond=0) - timedelta(hours=1)
    created = ctx.call(tickets.create_ticket, uid, TicketInput(cid, "垃圾没人清运", requester_name="张三",
                                                                received_at=received))
    assert ctx.call(ticket_queries.get_ticket, created.id).row.due_at == received + timedelta(hours=36)

    # 代办清单: add one, it goes to the end; move it up
    answer_dialog(monkeypatch, ServiceItemDialog, lambda d: d.edit_name.setText("老年证办理"))
    click(qtbot, box.findChild(QPushButton, "btn_add_service_item"))
    assert box.items.model.rows[-1].name == "老年证办理"
    click(qtbot, box.findChild(QPushButton, "btn_service_item_up"))
    assert box.items.model.rows[-2].name == "老年证办理"
    assert box.items.selected() is not None and box.items.selected().name == "老年证办理"

    switch = box.findChild(QCheckBox, "chk_reopen_unsatisfied")
    assert switch.isChecked() and switch.isEnabled()
    switch.click()
    assert ctx.call(ticket_settings.reopen_on_unsatisfied, uid) is False
    assert "不再自动重新办理" in box.info.text()
    switch.click()
    assert ctx.call(ticket_settings.reopen_on_unsatisfied, uid) is True


def test_boxes_are_read_only_for_a_clerk(qtbot: Any, demo_ctx: AppContext) -> None:
    from app.services.safety import auth

    uid = demo_ctx.unit_id
    clerk = demo_ctx.call(auth.create_operator, uid, "wenshu", "王文书", "clerk", "clerk-pass")
    demo_ctx.operator_id = clerk
    stars_box = StarCategoriesBox(demo_ctx, uid, False)
    tickets_box = TicketSettingsBox(demo_ctx, uid, False)
    qtbot.addWidget(stars_box)
    qtbot.addWidget(tickets_box)
    assert stars_box.editor.model.rowCount() >= 5 and tickets_box.categories.model.rowCount() >= 7
    for b in [*stars_box.findChildren(QPushButton), *tickets_box.findChildren(QPushButton)]:
        assert not b.isEnabled() and "书记" in b.toolTip(), b.objectName()
    assert not tickets_box.findChild(QCheckBox, "chk_reopen_unsatisfied").isEnabled()
