"""The five headline jobs of a village secretary, each from a cold start (the window just opened on the demo
village) with the fewest actions, counted: a click, a key shortcut or one field entry is one action (issue 20:
each ≤ 6). Each test then checks the result in the services, not on the screen."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QMenu,
    QPlainTextEdit,
    QRadioButton,
    QWidget,
)
from sqlalchemy import select

from app.models import Ticket
from app.services.context import AppContext
from tests.ui.dialogs import drive
from ui.tickets import intake, steps

GOAL = 6


class Actions:
    """Performs the user's actions through QTest and counts them."""

    def __init__(self, qtbot: Any) -> None:
        self.qtbot = qtbot
        self.done: list[str] = []

    @property
    def count(self) -> int:
        return len(self.done)

    def _note(self, what: str) -> None:
        self.done.append(what)

    def click(self, widget: QWidget, pos: QPoint | None = None, what: str = "") -> None:
        assert widget.isVisible() and widget.isEnabled(), widget.objectName()
        self._note(what or f"click {widget.objectName()}")
        if pos is None and isinstance(widget, (QCheckBox, QRadioButton)):
            pos = QPoint(8, widget.height() // 2)  # on the box: a wide check box takes clicks on its box and text only
        if pos is None:
            self.qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)
        else:
            self.qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=pos)

    def right_click(self, widget: QWidget, pos: QPoint, what: str = "") -> None:
        """A right-click (the context menu opens on the press, as on Windows)."""
        self._note(what or f"right-click {widget.objectName()}")
        self.qtbot.mouseClick(widget, Qt.MouseButton.RightButton, pos=pos)
        # QTest's click brings no context-menu event; the window system sends one after the button
        QApplication.sendEvent(widget, QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, widget.mapToGlobal(pos)))
        QApplication.processEvents()

    def menu(self, text: str) -> None:
        """Click an entry of the context menu that is open."""
        menu = QApplication.activePopupWidget()
        assert isinstance(menu, QMenu), "no menu open"
        action = next(a for a in menu.actions() if a.text() == text)
        assert action.isEnabled(), text
        self._note(f"menu {text}")
        self.qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(action).center())

    def nav(self, window: Any, title: str) -> Any:
        """Click a page in the navigation list; returns the page."""
        nav = window.nav
        row = next(i for i in range(nav.count()) if nav.item(i).text() == title)
        self.click(nav.viewport(), nav.visualItemRect(nav.item(row)).center(), f"nav {title}")
        page = window.current_page()
        assert page is not None and page.title == title
        return page

    def type(self, widget: QWidget, text: str) -> None:
        """One field entry. QTest types Latin-1 only: Chinese goes in as an input method would put it."""
        self._note(f"type into {widget.objectName()}")
        widget.setFocus()
        if isinstance(widget, QPlainTextEdit):
            widget.insertPlainText(text)
        elif text.isascii():
            self.qtbot.keyClicks(widget, text)
        else:
            widget.insert(text)  # type: ignore[attr-defined]
            widget.textEdited.emit(widget.text())  # type: ignore[attr-defined]

    def choose(self, combo: QComboBox, text: str) -> None:
        """One field entry: pick an entry of a list."""
        index = combo.findText(text, Qt.MatchFlag.MatchStartsWith)
        assert index >= 0, text
        self._note(f"choose {text}")
        combo.setCurrentIndex(index)

    def key(self, widget: QWidget, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
        self._note(f"key {key.name}")
        self.qtbot.keyClick(widget, key, modifier)


@pytest.fixture
def act(qtbot: Any) -> Actions:
    return Actions(qtbot)


def cell_pos(table: Any, row: int) -> QPoint:
    return table.visualRect(table.model().index(row, 1)).center()


# ---- 3. a request logged and closed on the spot, and its 回访 ------------------------------------------------


def test_request_logged_closed_and_visited_in_one_sitting(qtbot: Any, window: Any, demo_ctx: AppContext, act: Actions,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole job — log, close on the spot, 回访 with the resident present — in one dialog, ≤ 6 actions."""
    def fill(d: intake.IntakeDialog) -> None:
        assert d.check_solved.isChecked() and d.fields["on_spot_reply"].isVisible()
        assert d.combo_category.currentData() is not None  # the most used category, not the first of the list
        assert d.visit_radios["满意"].isVisible() and d.visit_radios["满意"].isChecked()  # the resident is there
        assert d.edit_visited_by.text()  # 回访人 filled in (whoever did the last 回访 when nobody signed in)
        act.type(d.requester.edit, "王大爷")
        act.type(d.edit_content, "村口路灯不亮")
        act.type(d.edit_reply, "电工当场换了灯泡")
        act.key(d.edit_reply, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # Ctrl+Enter saves

    seen = drive(monkeypatch, intake.IntakeDialog, fill)
    page = act.nav(window, "工单")
    act.click(page.btn_solved)
    assert seen and seen[0].result_value is not None
    assert act.count <= GOAL, act.done
    number = seen[0].result_value.number
    with demo_ctx.db.session() as s:
        t = s.scalars(select(Ticket).where(Ticket.number == number)).one()
        assert (t.state, t.mode, t.reply, t.requester_name) == ("closed", "现场解决", "电工当场换了灯泡", "王大爷")
        assert t.satisfaction == "满意" and t.visited_by == seen[0].edit_visited_by.text()
    row = page.current()
    assert row is not None and row.number == number and not page.btn_visit.isEnabled()  # nothing left to do
    assert "当场回访：满意" in page.info.text()
    # the ticket's timeline shows 受理, 办结 and 回访
    detail = page.detail_dialog(row.id)
    qtbot.addWidget(detail)
    tree = detail.tree_events
    steps_shown = [tree.topLevelItem(i).text(1) for i in range(tree.topLevelItemCount())]
    assert steps_shown == ["受理", "办结", "回访"], steps_shown


def test_request_solved_on_the_spot_with_the_visit_left_for_later(qtbot: Any, window: Any, demo_ctx: AppContext,
                                                                   act: Actions, monkeypatch: pytest.MonkeyPatch) -> None:
    """「以后回访」: closed on the spot, the 回访 stays to do from the list (the separate path)."""
    def fill(d: intake.IntakeDialog) -> None:
        act.type(d.requester.edit, "李大娘")
        act.type(d.edit_content, "低保材料怎么交")
        act.type(d.edit_reply, "当场讲清了要带的材料")
        act.click(d.visit_radios["以后回访"])
        assert not d.edit_visited_by.isEnabled()
        act.click(d.btn_save)

    seen = drive(monkeypatch, intake.IntakeDialog, fill)
    page = act.nav(window, "工单")
    act.click(page.btn_solved)
    assert seen and seen[0].result_value is not None
    with demo_ctx.db.session() as s:
        t = s.scalars(select(Ticket).where(Ticket.number == seen[0].result_value.number)).one()
        assert (t.state, t.mode, t.satisfaction, t.visited_at) == ("closed", "现场解决", None, None)
    assert page.btn_visit.isEnabled()  # 回访 still to do, from the list


def test_visit_from_the_list_in_one_dialog(qtbot: Any, window: Any, demo_ctx: AppContext, act: Actions,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    def fill(d: steps.VisitDialog) -> None:
        assert d.edit_by.text()  # 回访人 filled in (whoever did the last 回访 when nobody signed in)
        act.click(d.radios["满意"])
        act.click(d.btn_save)

    seen = drive(monkeypatch, steps.VisitDialog, fill)
    page = act.nav(window, "工单")
    act.choose(page.combo_state, "待回访")
    qtbot.waitUntil(lambda: page.model.rowCount() > 0)
    first = page.model.row_at(0)
    assert first is not None and first.state in ("replied", "closed")
    act.right_click(page.table.viewport(), cell_pos(page.table, 0))
    act.menu("回访…")
    assert seen and seen[0].result() == 1
    assert act.count <= GOAL, act.done
    with demo_ctx.db.session() as s:
        t = s.get(Ticket, first.id)
        assert t is not None and (t.state, t.satisfaction) == ("closed", "满意")


def test_ticket_list_opens_with_overdue_then_open_tickets_on_top(qtbot: Any, window: Any) -> None:
    page = window.show_page("page_tickets")
    qtbot.waitUntil(lambda: page.model.total > 0)
    page.model.find_row(lambda _r: False, fetch_all=True)  # every row loaded
    rows = page.model.rows
    ranks = [0 if r.overdue else 1 if r.state not in ("closed", "cancelled") else 2 for r in rows]
    assert ranks == sorted(ranks) and ranks[0] == 0 and 2 in ranks  # demo: overdue, open and closed ones
    assert page.model.data(page.model.index(0, 0), Qt.ItemDataRole.BackgroundRole) is not None  # highlighted


# ---- 4. a household added and put on the map ------------------------------------------------------------


def free_spot_in_a_micro_grid(page: Any) -> tuple[QPoint, Any]:
    """A point of the view inside a micro-grid with no marker under it, and that grid."""
    view = page.view
    for gid, item in page.scene.grids.items():
        info = item.info
        if info.parent_id is None or not info.polygon:
            continue
        xs, ys = [p[0] for p in info.polygon], [p[1] for p in info.polygon]
        for fx in (0.5, 0.4, 0.6, 0.3, 0.7):
            for fy in (0.5, 0.4, 0.6, 0.3, 0.7):
                spot = QPointF(min(xs) + (max(xs) - min(xs)) * fx, min(ys) + (max(ys) - min(ys)) * fy)
                at = view.mapFromScene(spot)
                if (view.viewport().rect().contains(at) and page.scene.area_at(spot.x(), spot.y()) is not None
                        and page.scene.area_at(spot.x(), spot.y()).id == gid
                        and not hasattr(view.itemAt(at), "household_id")):
                    return at, info
    raise AssertionError("no free spot in any micro-grid")


def test_new_household_from_a_right_click_on_the_map(qtbot: Any, window: Any, demo_ctx: AppContext, act: Actions,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from app.models import Household
    from ui.people.dialogs import HouseholdDialog

    def fill(d: HouseholdDialog) -> None:
        assert "属于" in d.findChild(QWidget, "field_map_place").text()  # says where it goes
        act.type(d.number, "G5-001")
        act.click(d.btn_save)

    seen = drive(monkeypatch, HouseholdDialog, fill)
    page = act.nav(window, "网格地图")
    qtbot.waitUntil(lambda: bool(page.scene.grids))
    at, micro = free_spot_in_a_micro_grid(page)
    act.right_click(page.view.viewport(), at)
    act.menu("在此新增户…")
    assert seen and seen[0].result() == 1
    assert act.count <= GOAL, act.done
    spot = page.view.mapToScene(at)
    with demo_ctx.db.session() as s:
        h = s.scalars(select(Household).where(Household.number == "G5-001")).one()
        assert h.grid_id == micro.id
        assert abs(h.map_x - spot.x()) < 1 and abs(h.map_y - spot.y()) < 1
        new_id = h.id
    qtbot.waitUntil(lambda: new_id in page.scene.markers)  # drawn on the map


# ---- 5. the year-end assessment and its ranking 公示, one guided flow ------------------------------------------


def test_year_end_assessment_and_its_ranking_notice_in_one_flow(
    qtbot: Any, window: Any, demo_ctx: AppContext, act: Actions, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    from PySide6.QtWidgets import QWizard

    import ui.common.files
    from app.services.notices import archive as notices
    from app.services.points import assessments
    from ui.points.assessment_wizard import AssessmentWizard

    monkeypatch.setattr(ui.common.files, "last_folder", lambda _purpose="export": tmp_path)
    buttons = QWizard.WizardButton

    def fill(w: AssessmentWizard) -> None:
        act.click(w.button(buttons.NextButton))  # 计算
        assert w.currentPage().objectName() == "wizard_page_review"
        act.click(w.button(buttons.NextButton))  # 核对无误
        page = w.currentPage()
        assert page.chk_notice.isChecked()  # the 公示 is part of the flow
        act.click(page.chk_confirm)
        act.click(w.button(buttons.FinishButton))  # 发布 and 公示

    seen = drive(monkeypatch, AssessmentWizard, fill)
    page = act.nav(window, "党员积分")
    act.click(page.btn_wizard)
    assert seen and seen[0].result() == 1
    assert act.count <= GOAL, act.done
    year = page.year()
    assert demo_ctx.call(assessments.assessment_status, demo_ctx.unit_id, year).state == "已发布"
    made = seen[0].notice
    assert made is not None and made.path.parent == tmp_path and made.path.is_file() and made.rows > 0
    archived = [n for n in demo_ctx.call(notices.list_notices, demo_ctx.unit_id) if n.id == made.id]
    assert archived and archived[0].kind == "points"
    assert made.number in window.statusBar().currentMessage()


# ---- 2. the 党员积分台账 exported ------------------------------------------------------------------------------


def test_points_ledger_exported(qtbot: Any, window: Any, act: Actions, monkeypatch: pytest.MonkeyPatch,
                                tmp_path: Any, no_popups: Any) -> None:
    import openpyxl

    import ui.common.files
    import ui.notices.export_dialog as export_dialog

    monkeypatch.setattr(export_dialog, "last_folder", lambda _purpose="export": tmp_path)
    monkeypatch.setattr(export_dialog, "QMessageBox", no_popups)
    monkeypatch.setattr(ui.common.files, "last_folder", lambda _purpose="export": tmp_path)

    def fill(d: export_dialog.LedgerExportDialog) -> None:
        for kind, check in d.checks.items():  # the first time only 党员花名册 is ticked
            if check.isChecked() != (kind == "points"):
                act.click(check)
        act.click(d.btn_export)
        qtbot.waitUntil(lambda: d.exported is not None, timeout=30_000)

    seen = drive(monkeypatch, export_dialog.LedgerExportDialog, fill)
    bar = window.menuBar()
    menu_file = window.findChild(QMenu, "menu_file")
    act.click(bar, bar.actionGeometry(menu_file.menuAction()).center(), "menu 文件")
    act.menu("导出台账(&E)…")
    assert seen and seen[0].exported is not None
    assert act.count <= GOAL, act.done
    path = seen[0].target
    assert path.parent == tmp_path
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["党员积分台账"] and seen[0].exported.rows > 5 and book.active.max_row > 5


# ---- 4. this year's 星级文明户公示 printed ---------------------------------------------------------------------


def test_this_years_star_notice_printed(qtbot: Any, window: Any, demo_ctx: AppContext, act: Actions,
                                        monkeypatch: pytest.MonkeyPatch, tmp_path: Any, no_popups: Any) -> None:
    from pypdf import PdfReader
    from PySide6.QtCore import QTimer
    from PySide6.QtPrintSupport import QPrintDialog
    from PySide6.QtWidgets import QDialogButtonBox, QToolBar

    import ui.common.files
    import ui.notices.page
    from ui.common.printing import PdfPreviewDialog

    # the demo's notice has no file on this PC yet: the save dialog opens once, its proposed name is kept
    def save_as(_parent: Any, _title: str, start: str, _filter: str) -> tuple[str, str]:
        act.done.append("save dialog 保存")
        return str(tmp_path / Path(start).name), ""

    monkeypatch.setattr(ui.common.files.QFileDialog, "getSaveFileName", staticmethod(save_as))
    printed = tmp_path / "printed.pdf"

    def make_again(*_args: Any) -> Any:  # 「要根据存档重新生成这份公示吗？」 → 是
        act.done.append("question 是")
        return no_popups.StandardButton.Yes

    monkeypatch.setattr(ui.notices.page, "QMessageBox", no_popups)
    monkeypatch.setattr(no_popups, "question", staticmethod(make_again))

    def accept_print_dialog() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QPrintDialog):
            QTimer.singleShot(50, accept_print_dialog)
            return
        box = dialog.findChild(QDialogButtonBox)
        act.click(box.button(QDialogButtonBox.StandardButton.Ok), what="print dialog 确定")

    def fill(preview: PdfPreviewDialog) -> None:
        preview.printer.setOutputFileName(str(printed))  # the test's printer: a PDF file, at a quick resolution
        preview.printer.setResolution(150)
        toolbar = preview.findChild(QToolBar)
        action = next(a for a in toolbar.actions() if a.text() in ("Print", "打印"))
        QTimer.singleShot(50, accept_print_dialog)
        act.click(toolbar.widgetForAction(action), what="preview 打印")

    seen = drive(monkeypatch, PdfPreviewDialog, fill)
    page = act.nav(window, "公示与台账")
    notice = page.current_notice()
    assert notice is not None and notice.kind == "stars" and notice.year == date.today().year
    act.click(page.btn_preview_notice)
    assert seen and act.count <= GOAL, act.done
    assert printed.is_file() and len(PdfReader(printed).pages) == seen[0].pages >= 1
    assert seen[0].painted == seen[0].pages


# ---- small things ---------------------------------------------------------------------------------------


def test_ending_the_applications_asks_first(qtbot: Any, window: Any, demo_ctx: AppContext,
                                            monkeypatch: pytest.MonkeyPatch, no_popups: Any) -> None:
    import ui.stars.page
    from app.models import Household
    from app.services.stars import applications
    from app.services.stars import rounds as stars

    asked: list[str] = []
    answer = {"value": no_popups.StandardButton.No}

    def question(*args: Any) -> int:
        asked.append(str(args[2]))
        return answer["value"]

    monkeypatch.setattr(ui.stars.page, "QMessageBox", no_popups)
    monkeypatch.setattr(no_popups, "question", staticmethod(question))
    round_id = demo_ctx.call(stars.create_round, demo_ctx.unit_id, date.today().year + 1, "下年度评选")
    demo_ctx.call(stars.advance_round, round_id)  # 农户申报
    with demo_ctx.db.session() as s:
        household = s.scalars(select(Household.id).where(Household.closed_on.is_(None)).limit(1)).one()
    category = demo_ctx.call(stars.list_categories, demo_ctx.unit_id)[0].id
    demo_ctx.call(applications.add_application, round_id, household, [category])
    page = window.show_page("page_stars")
    page.refresh()
    page.combo_round.setCurrentIndex(page.combo_round.findData(round_id))
    assert page.round is not None and page.round.id == round_id and page.round.step == "apply"
    qtbot.mouseClick(page.btn_step, Qt.MouseButton.LeftButton)
    assert asked and "结束申报" in asked[0]
    assert demo_ctx.call(stars.get_round, round_id).step == "apply"  # 否: nothing moved
    answer["value"] = no_popups.StandardButton.Yes
    qtbot.mouseClick(page.btn_step, Qt.MouseButton.LeftButton)
    assert len(asked) == 2 and demo_ctx.call(stars.get_round, round_id).step == "review"


def test_grid_posts_panel_points_to_the_list_on_the_right(window: Any) -> None:
    page = window.show_page("page_grid")
    texts = [label.text() for label in page.findChildren(type(page.lbl_staff))]
    assert not any("左侧" in t for t in texts)
    assert any("右侧的网格列表" in t for t in texts)
