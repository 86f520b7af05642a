"""工单 page: a ticket from intake to 回访 by clicking and typing; overdue rows highlighted; filters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QComboBox, QDialog, QLineEdit, QPlainTextEdit, QPushButton, QRadioButton
from sqlalchemy import select

from app.models import Household, Resident, Ticket
from app.services.context import AppContext
from tests.ui.test_fits_screen import SCREEN, TITLE_BAR, fits, font, outside_buttons, screen_1366  # noqa: F401
from ui.tickets import detail, intake, steps
from ui.tickets.page import OVERDUE_BG, TicketsPage


def open_page(qtbot: Any, window: Any) -> TicketsPage:
    row = next(i for i in range(window.nav.count()) if window.nav.item(i).text() == "工单")
    window.nav.setCurrentRow(row)
    page = window.pages["page_tickets"]
    assert isinstance(page, TicketsPage)
    qtbot.waitUntil(lambda: page.model.total > 0)
    return page


def script(monkeypatch: pytest.MonkeyPatch, cls: type[QDialog], fn: Callable[[Any], None]) -> list[Any]:
    """Replace cls.exec: show the dialog, let `fn` click and type in it, return how it ended."""
    seen: list[Any] = []

    def exec_(self: QDialog) -> int:
        self.show()
        seen.append(self)
        fn(self)
        return self.result()

    monkeypatch.setattr(cls, "exec", exec_)
    return seen


def click(qtbot: Any, widget: Any) -> None:
    assert widget.isVisible(), widget.objectName()
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def visible_actions(dialog: Any) -> set[str]:
    return {name for name, b in dialog.buttons.items() if b.isVisible()}


def test_ticket_from_intake_to_visit_by_clicking(qtbot: Any, window: Any, demo_ctx: AppContext,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    page = open_page(qtbot, window)
    with demo_ctx.db.session() as s:
        person = s.execute(select(Resident.id, Resident.name, Resident.name_initials).join(Household)
                           .where(Resident.status == "在册", Resident.phone != "").order_by(Resident.id)).first()
    assert person is not None

    def fill_intake(d: intake.IntakeDialog) -> None:
        edit = d.findChild(QLineEdit, "edit_requester")
        qtbot.keyClicks(edit, person.name_initials)  # 拼音首字母; the list shows the matches
        matches = d.findChild(type(d.requester.list), "list_requester")
        qtbot.waitUntil(lambda: matches.count() > 0)
        for _ in range(matches.count()):  # Down through namesakes to the one on the phone
            if matches.currentItem().data(Qt.ItemDataRole.UserRole).id == person.id:
                break
            qtbot.keyClick(edit, Qt.Key.Key_Down)
        qtbot.keyClick(edit, Qt.Key.Key_Return)  # take the highlighted match
        assert d.requester.value.id == person.id
        combo = d.findChild(QComboBox, "field_category_id")
        combo.setCurrentIndex(combo.findText("环境卫生", Qt.MatchFlag.MatchStartsWith))
        content = d.findChild(QPlainTextEdit, "field_content")
        content.setPlainText("门口垃圾三天没人清运")  # (QTest types Latin-1 only)
        qtbot.keyClick(content, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # Ctrl+Enter saves

    made = script(monkeypatch, intake.IntakeDialog, fill_intake)
    click(qtbot, page.btn_new)
    assert made and made[0].result() == QDialog.DialogCode.Accepted
    number = made[0].result_value.number
    current = page.current()
    assert current is not None and current.number == number and current.state == "received"
    assert current.requester == person.name

    def assign(d: steps.AssignDialog) -> None:
        d.findChild(QLineEdit, "edit_handler").setText("百事帮志愿者小王")
        d.findChild(QComboBox, "field_role").setCurrentText("志愿者")
        click(qtbot, d.findChild(QPushButton, "btn_save"))

    def reply(d: steps.ReplyDialog) -> None:
        click(qtbot, d.findChild(QPushButton, "btn_save"))  # empty: refused beside the field, dialog stays
        assert d.isVisible() and d.findChild(type(d.form_error), "err_reply").text() == "请填写答复内容"
        d.findChild(QPlainTextEdit, "field_reply").setPlainText("已联系保洁员清运完毕")
        click(qtbot, d.findChild(QPushButton, "btn_save"))

    def visit(d: steps.VisitDialog) -> None:
        click(qtbot, d.findChild(QRadioButton, "radio_visit_0"))  # 满意
        d.findChild(QLineEdit, "field_visited_by").setText("李文书")
        click(qtbot, d.findChild(QPushButton, "btn_save"))

    script(monkeypatch, steps.AssignDialog, assign)
    script(monkeypatch, steps.ReplyDialog, reply)
    script(monkeypatch, steps.VisitDialog, visit)
    states: list[tuple[str, set[str]]] = []

    def handle(d: detail.TicketDetailDialog) -> None:
        states.append((d.detail.row.state, visible_actions(d)))
        for button in ("btn_ticket_assign", "btn_ticket_accept", "btn_ticket_reply", "btn_ticket_visit"):
            click(qtbot, d.findChild(QPushButton, button))
            states.append((d.detail.row.state, visible_actions(d)))
        assert [e.label for e in d.detail.events] == ["受理", "派单", "接单", "答复", "回访"]
        assert d.tree_events.topLevelItemCount() == 5
        click(qtbot, d.btn_close)

    script(monkeypatch, detail.TicketDetailDialog, handle)
    click(qtbot, page.btn_open)
    # only the legal next steps were offered at each point
    assert states == [
        ("received", {"assign", "solve", "cancel"}),
        ("assigned", {"reassign", "accept", "cancel"}),
        ("accepted", {"reassign", "escalate", "reply", "cancel"}),
        ("replied", {"visit", "cancel"}),
        ("closed", {"reopen"}),
    ]
    with demo_ctx.db.session() as s:
        t = s.scalars(select(Ticket).where(Ticket.number == number)).one()
        assert (t.state, t.satisfaction, t.visited_by, t.requester_id) == ("closed", "满意", "李文书", person.id)
        assert [a.name for a in t.assignees] == ["百事帮志愿者小王"]
    row = page.current()
    assert row is not None and row.number == number and row.state_label == "已办结"


def test_overdue_rows_are_highlighted_and_filtered(qtbot: Any, window: Any) -> None:
    page = open_page(qtbot, window)
    page.combo_state.setCurrentIndex(page.combo_state.findData("overdue"))
    qtbot.waitUntil(lambda: page.model.rowCount() > 0)
    rows = page.model.rows
    assert rows and all(r.overdue for r in rows)
    index = page.model.index(0, 0)
    assert page.model.data(index, Qt.ItemDataRole.BackgroundRole) == OVERDUE_BG
    assert page.model.data(page.model.index(0, 10)) == "已逾期"
    assert "已逾期" in page.info.text()


def test_dashboard_shows_rates_and_charts(qtbot: Any, window: Any) -> None:
    page = open_page(qtbot, window)
    page.tabs.setCurrentIndex(1)
    page.dashboard.spin_year.setValue(2026)
    qtbot.waitUntil(lambda: page.dashboard.figures["closure"].text().endswith("%"))
    assert page.dashboard.model.rowCount() == 7
    assert len(page.dashboard.chart_month.data) == 12 and sum(v for _l, v in page.dashboard.chart_category.data) > 100


@pytest.mark.usefixtures("font", "screen_1366")  # both font sizes, on a 1366×768 screen less its taskbar
def test_on_spot_intake_with_its_visit_fits_a_1366_screen(qtbot: Any, demo_ctx: AppContext) -> None:
    """The 现场解决 form shows three more rows (当场回访, 回访人, 回访意见): it still opens inside a 1366×768
    screen in both font sizes with 受理并办结/取消 in view, and a problem beside a field keeps them there."""
    dialog = intake.IntakeDialog(demo_ctx, demo_ctx.unit_id, solved=True)
    qtbot.addWidget(dialog)
    dialog.show()
    room = SCREEN - QSize(0, TITLE_BAR)
    assert dialog.fields["visit_comment"].isVisible()
    assert fits(dialog.size(), room), dialog.size()
    assert not outside_buttons(dialog)
    dialog.on_save()  # nothing typed: problems beside 诉求人, 诉求内容 and 现场答复 at once
    assert {n for n, e in dialog.errors.items() if e.isVisible()} >= {"requester_name", "content", "on_spot_reply"}
    assert fits(dialog.size(), room), dialog.size()
    assert not outside_buttons(dialog)
