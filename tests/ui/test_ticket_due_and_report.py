"""工单: 调整办理期限 on an overdue ticket by clicking, and the 月度通报 from the 统计 tab."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QPushButton
from sqlalchemy import select

from app.models import AuditEntry, Ticket
from app.services.context import AppContext
from ui.tickets import detail, monthly_report, steps

from .test_tickets_page import click, open_page, script


def test_overdue_ticket_gets_a_new_due_date_with_a_reason(qtbot: Any, window: Any, demo_ctx: AppContext,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    page = open_page(qtbot, window)
    page.combo_state.setCurrentIndex(page.combo_state.findData("overdue"))
    qtbot.waitUntil(lambda: page.model.rowCount() > 0)
    page.table.select_row(0)
    row = page.current()
    assert row is not None and row.overdue
    new_day = date.today() + timedelta(days=7)

    def change_due(d: steps.DueDialog) -> None:
        assert d.findChild(QLineEdit, "field_due_date").text()  # the current 期限 to start from
        d.findChild(QLineEdit, "field_due_date").setText("2000-01-01")  # before it was received: refused
        d.findChild(QPlainTextEdit, "field_reason").setPlainText("需协调供电所改线")
        click(qtbot, d.findChild(QPushButton, "btn_save"))
        assert d.isVisible() and "晚于受理时间" in d.errors["due_date"].text()
        d.findChild(QLineEdit, "field_due_date").setText(new_day.strftime("%Y.%m.%d"))
        click(qtbot, d.findChild(QPushButton, "btn_save"))

    def handle(d: detail.TicketDetailDialog) -> None:
        click(qtbot, d.findChild(QPushButton, "btn_ticket_due"))
        notes = [e.note for e in d.detail.events if e.label == "办理记录"]
        assert any(n.startswith(f"办理期限改为 {new_day:%Y-%m-%d}") and n.endswith("需协调供电所改线") for n in notes)
        assert f"期限：{new_day:%Y-%m-%d}" in d.label_info.text()
        click(qtbot, d.btn_close)

    seen = script(monkeypatch, steps.DueDialog, change_due)
    script(monkeypatch, detail.TicketDetailDialog, handle)
    click(qtbot, page.btn_open)
    assert seen
    with demo_ctx.db.session() as s:
        t = s.get(Ticket, row.id)
        assert t is not None and t.due_at is not None and t.due_at.date() == new_day
        logged = s.scalars(select(AuditEntry.summary).where(AuditEntry.entity == "ticket", AuditEntry.entity_id == row.id)
                           .order_by(AuditEntry.id.desc())).first()
        assert logged is not None and "调整办理期限" in logged
    # the list no longer counts it as overdue
    qtbot.waitUntil(lambda: all(r.id != row.id for r in page.model.rows))


def test_closed_ticket_offers_no_due_change(qtbot: Any, window: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    page = open_page(qtbot, window)
    page.combo_state.setCurrentIndex(page.combo_state.findData("closed"))
    qtbot.waitUntil(lambda: page.model.rowCount() > 0)
    page.table.select_row(0)
    visible: list[bool] = []

    def handle(d: detail.TicketDetailDialog) -> None:
        visible.append(d.findChild(QPushButton, "btn_ticket_due").isVisible())
        click(qtbot, d.btn_close)

    script(monkeypatch, detail.TicketDetailDialog, handle)
    click(qtbot, page.btn_open)
    assert visible == [False]


def test_monthly_report_from_the_dashboard(qtbot: Any, window: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    page = open_page(qtbot, window)
    page.tabs.setCurrentIndex(1)
    board = page.dashboard
    board.spin_year.setValue(2026)
    assert not board.btn_monthly.isEnabled()  # 全年: choose a month first
    board.combo_month.setCurrentIndex(board.combo_month.findData(3))
    assert board.btn_monthly.isEnabled()
    texts: list[str] = []

    def read(d: monthly_report.MonthlyReportDialog) -> None:
        texts.append(d.text.toPlainText())
        click(qtbot, d.btn_copy)
        click(qtbot, d.btn_close)

    script(monkeypatch, monthly_report.MonthlyReportDialog, read)
    click(qtbot, board.btn_monthly)
    assert texts and texts[0].splitlines()[0] == "2026年3月工单办理情况" and "办结率" in texts[0]
    from PySide6.QtGui import QGuiApplication

    assert QGuiApplication.clipboard().text() == texts[0]
