"""工作台: every 待办 line, clicked, opens its page showing exactly the rows it counted (demo village, with a
notice posted today, objections and a ticket due within a day added as an office would); the 三会一课提醒
in 设置 changes the 工作台's line."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox

from app.services.context import AppContext
from app.services.grid.coverage import coverage_report
from app.services.notices import archive as notices
from app.services.tickets import workflow
from app.services.tickets.queries import TicketQuery, stream_tickets
from tests.ui.dialogs import drive
from ui.points.meetings_page import MeetingDialog


def _busy_day(ctx: AppContext, folder: Path) -> None:
    """Today a notice is posted and two of the village's notices have objections; a ticket is due in 5 hours."""
    uid = ctx.unit_id
    older = ctx.call(notices.list_notices, uid)[0]
    posted = ctx.call(notices.publish_notice, uid, "grid-contacts", folder / "今天的公示.pdf", start=date.today())
    for content in ("联系户名单有误", "本户没有联系党员"):
        ctx.call(notices.add_objection, posted.id, date.today(), "张三", content)
    ctx.call(notices.add_objection, older.id, date.today(), "", "名单漏了一户")
    overdue = next(iter(ctx.call(lambda s: list(stream_tickets(s, TicketQuery(uid, state="overdue"))))))
    ctx.call(workflow.set_due, overdue.id, datetime.now() + timedelta(hours=5), "群众同意延后处理")


@pytest.fixture
def window(qtbot: Any, demo_ctx: AppContext, tmp_path: Path) -> Any:
    _busy_day(demo_ctx, tmp_path)
    from ui.main_window import MainWindow

    w = MainWindow(demo_ctx)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def _click(qtbot: Any, window: Any, key: str) -> tuple[int, Any]:
    """The line's count, and the page its click shows (the 工作台 first, as the user comes back to it)."""
    window.show_page("page_workbench")
    bench = window.pages["page_workbench"]
    qtbot.waitUntil(lambda: key in bench.buttons and bench.buttons[key].isVisible(), timeout=20_000)
    button = bench.buttons[key]
    assert button.objectName() == f"btn_todo_{key}"
    count = bench.line(key).count
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    return count, window.stack.currentWidget()


def test_ticket_lines_list_what_they_count(qtbot: Any, window: Any) -> None:
    tickets = window.show_page("page_tickets")
    qtbot.keyClicks(tickets.edit_search, "zzz")  # a search and a filter left over from earlier work
    tickets.combo_category.setCurrentIndex(1)
    for key, flag in (("tickets_overdue", "overdue"), ("tickets_due_soon", "due_soon")):
        count, page = _click(qtbot, window, key)
        assert page is tickets and count >= 1, key
        assert page.edit_search.text() == "" and page.combo_category.currentIndex() == 0
        assert page.model.rowCount() == count
        assert all(getattr(page.model.row_at(i), flag) for i in range(count))


def test_notice_lines_list_notices_in_period_or_with_open_objections(qtbot: Any, window: Any,
                                                                     demo_ctx: AppContext) -> None:
    count, page = _click(qtbot, window, "notices_open")
    assert page.objectName() == "page_notices" and count >= 1
    assert page.combo_filter.currentData() == "open"
    assert page.notices_model.rowCount() == count
    assert {page.notices_model.row_at(i).status for i in range(count)} == {notices.STATUS_OPEN}

    bench = window.pages["page_workbench"]
    assert bench.buttons["objections_open"].text() == "有未处理异议的公示：2 份（异议 3 条）"
    count, page = _click(qtbot, window, "objections_open")
    assert page.combo_filter.currentData() == "objections"
    assert count == page.notices_model.rowCount() == 2
    assert sum(page.notices_model.row_at(i).open_objections for i in range(count)) == 3
    assert page.combo_filter.findText("全部公示") == 0
    page.combo_filter.setCurrentIndex(0)  # the whole archive again
    assert page.notices_model.rowCount() == len(demo_ctx.call(notices.list_notices, demo_ctx.unit_id))


def test_member_lines_list_the_whole_villages_members_due(qtbot: Any, window: Any) -> None:
    members = window.show_page("page_members")
    roster = members.members_model.rowCount()
    members.tree_orgs.setCurrentItem(members.tree_orgs.topLevelItem(0).child(0))  # a branch chosen earlier
    for key in ("probation_due", "activist_due"):
        count, page = _click(qtbot, window, key)
        assert page is members and page.combo_stage.currentData() == key
        assert page.tree_orgs.currentItem() is page.tree_orgs.topLevelItem(0)
        assert page.members_model.rowCount() == count < roster, key
    assert count >= 1  # the demo has activists of more than a year


def test_meeting_lines_list_open_meetings_and_orgs_behind(qtbot: Any, window: Any,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    count, page = _click(qtbot, window, "meetings_unregistered")
    assert page.objectName() == "page_meetings" and count >= 1
    assert page.combo_view.currentData() == "unregistered" and not page.spin_year.isEnabled()
    assert page.table_meetings.isVisible() and page.meetings_model.rowCount() == count
    assert all(not m.registered and not m.cancelled for m in page.meetings_model.rows)

    count, page = _click(qtbot, window, "meetings_behind")
    assert page.combo_view.currentData() == "behind"
    assert page.table_behind.isVisible() and not page.table_meetings.isVisible()
    assert page.behind_model.rowCount() == count >= 1
    # 登记会议… on the selected one fills in its org and kind; saved, the list and the line have one fewer
    first = page.behind_model.row_at(page.table_behind.current_row())
    seen: dict[str, Any] = {}

    def fill(dialog: Any) -> None:
        seen["org"], seen["kind"] = dialog.fields["org"].currentData(), dialog.fields["kind"].currentText()
        dialog.fields["held_on"].set_date(first.since + timedelta(days=2))
        dialog.fields["topic"].insert("研究上月工作")  # typed with the input method
        qtbot.mouseClick(dialog.btn_save, Qt.MouseButton.LeftButton)

    drive(monkeypatch, MeetingDialog, fill)
    qtbot.mouseClick(page.btn_new, Qt.MouseButton.LeftButton)
    assert (seen["org"], seen["kind"]) == (first.org_id, first.kind)
    assert page.behind_model.rowCount() == count - 1
    assert (first.org_id, first.kind) not in {(b.org_id, b.kind) for b in page.behind_model.rows}
    bench = window.show_page("page_workbench")  # counts again (the meeting was announced)
    qtbot.waitUntil(lambda: bench.line("meetings_behind").count == count - 1, timeout=20_000)
    again, page = _click(qtbot, window, "meetings_behind")
    assert page.behind_model.rowCount() == again


def test_contact_line_opens_the_gap_list(qtbot: Any, window: Any, demo_ctx: AppContext) -> None:
    count, page = _click(qtbot, window, "contacts_gap")
    assert page.objectName() == "page_grid" and count >= 1
    assert page.tabs.tabText(page.tabs.currentIndex()) == "联系户覆盖"
    gaps = page.findChild(type(page.side.list_uncovered), "list_uncovered")
    qtbot.waitUntil(lambda: gaps.count() == count, timeout=20_000)
    uncovered = demo_ctx.call(coverage_report, demo_ctx.unit_id).uncovered
    assert {gaps.item(i).data(Qt.ItemDataRole.UserRole) for i in range(gaps.count())} == {h.id for h in uncovered}


def test_the_schedule_in_settings_changes_the_line(qtbot: Any, window: Any) -> None:
    bench = window.pages["page_workbench"]
    before, _page = _click(qtbot, window, "meetings_behind")
    branch_meetings = sum(1 for b in _page.behind_model.rows if b.kind == "支委会")
    assert branch_meetings >= 1
    settings = window.show_page("page_settings")
    combo = settings.findChild(QComboBox, "combo_schedule_支委会")
    assert combo.currentText() == "每月"
    assert [combo.itemText(i) for i in range(combo.count())] == ["每月", "每季度", "每半年", "每年", "不提醒"]
    combo.setFocus()
    combo.setCurrentIndex(combo.findText("不提醒"))  # as a pick from the list
    info = settings.findChild(type(settings.info_backups), "info_meeting_schedule")
    assert info.text() == "已保存：支委会不再提醒。"
    assert window.statusBar().currentMessage() == "已保存：支委会不再提醒。"
    window.show_page("page_workbench")
    qtbot.waitUntil(lambda: bench.line("meetings_behind").count == before - branch_meetings, timeout=20_000)
    after, page = _click(qtbot, window, "meetings_behind")
    assert page.behind_model.rowCount() == after and all(b.kind != "支委会" for b in page.behind_model.rows)
    # the choice is kept: a new 设置 page shows it
    settings.findChild(QComboBox, "combo_schedule_党课").setCurrentIndex(2)
    from ui.settings.schedule_box import MeetingScheduleBox

    again = MeetingScheduleBox(window.ctx, window.ctx.unit_id, True)
    assert again.combos["支委会"].currentData() == "none" and again.combos["党课"].currentData() == "half"
    again.deleteLater()
