"""工作台: the first page on start; each line opens its list with the filter that counts it; the 年度概况 PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton

from app.io.pdf_pages import read_text


def _workbench(qtbot: Any, window: Any) -> Any:
    """The 工作台 with its 待办 counted (off the GUI thread, after the window shows)."""
    page = window.pages["page_workbench"]
    qtbot.waitUntil(lambda: bool(page.buttons), timeout=20_000)
    return page


def _click(qtbot: Any, window: Any, key: str) -> Any:
    page = _workbench(qtbot, window)
    button = page.findChild(QPushButton, f"btn_todo_{key}")
    assert button is not None and button.isVisible(), key
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    return window.stack.currentWidget()


def test_the_workbench_is_the_first_page(qtbot: Any, window: Any) -> None:
    assert window.stack.currentWidget().objectName() == "page_workbench"
    assert window.nav.currentItem().text() == "工作台"
    page = _workbench(qtbot, window)
    assert not page.findChild(QLabel, "label_todo_wait").isVisible()  # the wait note made way for the lines
    overdue = page.line("tickets_overdue")
    assert overdue.count >= 1 and page.buttons["tickets_overdue"].text() == f"已逾期的工单：{overdue.count} 件"
    quiet = [line for line in page.lines if not line.due]
    assert quiet and all(page.buttons[line.key].text().endswith("：无") for line in quiet if not line.detail)


def test_a_line_opens_the_tickets_with_its_filter(qtbot: Any, window: Any) -> None:
    count = _workbench(qtbot, window).line("tickets_overdue").count
    tickets = _click(qtbot, window, "tickets_overdue")
    assert tickets.objectName() == "page_tickets"
    assert window.nav.currentItem().text() == "工单"
    assert tickets.combo_state.currentData() == "overdue"
    qtbot.waitUntil(lambda: tickets.model.total == count)
    assert all(tickets.model.row_at(i).overdue for i in range(tickets.model.rowCount()))


def test_a_member_line_opens_the_roster_filtered(qtbot: Any, window: Any) -> None:
    bench = _workbench(qtbot, window)
    count = bench.line("activist_due").count
    assert count >= 1  # the demo has activists of more than a year
    members = _click(qtbot, window, "activist_due")
    assert members.objectName() == "page_members"
    assert members.combo_stage.currentData() == "activist_due"
    assert members.members_model.total == count
    assert all(members.members_model.row_at(i).stage == "入党积极分子" for i in range(members.members_model.rowCount()))
    # back on the 工作台, a line without a filter just opens its page
    window.show_page("page_workbench")
    assert _click(qtbot, window, "contacts_gap").objectName() == "page_grid"


def test_print_the_year_summary(qtbot: Any, window: Any, tmp_path: Path) -> None:
    page = window.pages["page_workbench"]
    qtbot.waitUntil(lambda: page.figures is not None, timeout=20_000)  # counted off the GUI thread
    assert page.findChild(QLabel, "label_fig_党员").text() == f"<b>{page.figures.value('党员')}</b>"
    out = tmp_path / "年度概况.pdf"
    page.save_summary(out, page.figures.year)
    qtbot.waitUntil(lambda: page.btn_print.isEnabled(), timeout=20_000)
    assert "已保存" in page.info.text()
    _keywords, pages = read_text(out)
    assert len(pages) == 1
    text = "".join(pages[0].split())
    assert page.figures.title in text
    for label in ("党员", "户", "办结率", "满意率"):
        assert "".join(page.figures.value(label).split()) in text
