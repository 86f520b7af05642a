"""A click on a row shows THAT row's details (the panel must not react before the selection has moved)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication


def _click_row(table: Any, row: int) -> None:
    rect = table.visualRect(table.model().index(row, 0))
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, rect.center())
    QApplication.processEvents()


def test_a_clicked_meeting_shows_its_own_attendance(window: Any) -> None:
    page = window.show_page("page_meetings")
    QApplication.processEvents()
    table = page.table_meetings
    assert table.model().rowCount() >= 3
    for row in (2, 0, 1):
        _click_row(table, row)
        shown = page.meetings_model.rows[row]
        assert page.current() == shown
        assert shown.title in page.label_meeting.text()
