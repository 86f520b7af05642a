"""Wires 开始使用 into the main window: its navigation entry, 帮助 → 开始使用, and the pages its buttons open.

The entry sits at the top of the navigation while an item of the checklist is open. Once everything
is ticked it leaves the navigation — not while the user is looking at it, but when they move on — and
comes back if an item opens again. Also: a change of kind "unit" (设置 → 本村信息) renames the window.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QListWidgetItem, QMenu

from app.services.setup import checklist

from ..errors import user_errors
from .start_page import StartPage

if TYPE_CHECKING:
    from ..main_window import MainWindow

START_PAGE = "page_start"


class StartNavigation(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.available = START_PAGE in window.pages  # grid staff do not have it
        self.page: StartPage | None = None  # built while something is open, or when asked for
        self.action = QAction(self.tr("开始使用(&S)"), window)
        self.action.setObjectName("action_getting_started")
        self.action.setEnabled(self.available)
        self.action.triggered.connect(self.open_start_page)
        menu = window.menuBar().findChild(QMenu, "menu_help")
        if menu is not None:
            menu.insertAction(menu.actions()[0] if menu.actions() else None, self.action)  # type: ignore[arg-type]
        window.changes.changed.connect(self._on_changed)
        if not self.available:
            return
        window.nav.currentRowChanged.connect(lambda _row: self.sync())
        # A set-up village (the usual start) needs neither the page nor its counts (50–150 ms on a county
        # database, before the first paint): the quick check says so in a few milliseconds.
        if not self._quick_complete():
            self._build()
        row = self._row()
        if (self.page is None or self.page.complete) and row is not None:
            self.window.nav.takeItem(row)  # the window opens on its first area, not on a finished checklist

    def _quick_complete(self) -> bool:
        unit_id = self.window.ctx.unit_id
        with user_errors(self.window):
            return unit_id is not None and self.window.ctx.call(checklist.checklist_complete, unit_id)
        return False  # could not tell: build the page, which says what is wrong

    def _build(self) -> StartPage | None:
        """The page, built (and its counts taken) on first use; None for an operator without it."""
        if self.page is None and self.available:
            page = self.window.pages[START_PAGE]
            assert isinstance(page, StartPage)
            self.page = page
            page.completion_changed.connect(lambda _complete: self.sync())
            page.open_requested.connect(self.open_item)
            page.update_buttons()
        return self.page

    def _row(self) -> int | None:
        nav = self.window.nav
        for row in range(nav.count()):
            if nav.item(row).data(Qt.ItemDataRole.UserRole) == START_PAGE:
                return row
        return None

    def sync(self) -> None:
        """The navigation entry: there while something is open; gone once all is done and the user moved on."""
        if self.page is None:
            return
        row = self._row()
        if self.page.complete and row is not None and self.window.stack.currentWidget() is not self.page:
            # not now: this may run inside a navigation change (show_page walks the rows)
            QTimer.singleShot(0, self._remove_when_done)
        elif not self.page.complete and row is None:
            item = QListWidgetItem(self.page.title)
            item.setData(Qt.ItemDataRole.UserRole, START_PAGE)
            self.window.nav.insertItem(0, item)

    def _remove_when_done(self) -> None:
        row = self._row()
        if self.page is not None and self.page.complete and row is not None \
                and self.window.stack.currentWidget() is not self.page:
            self.window.nav.takeItem(row)

    def open_start_page(self) -> None:
        page = self._build()
        if page is None:
            return
        if self._row() is not None:
            self.window.show_page(START_PAGE)
            return
        self.window.nav.setCurrentRow(-1)  # not in the navigation: show it without a selected entry
        self.window.stack.setCurrentWidget(page)

    def open_item(self, key: str, page_name: str) -> None:
        page = self.window.show_page(page_name)
        if key == "publicity":
            show_box = getattr(page, "show_unit_box", None)
            if callable(show_box):
                show_box()

    def _on_changed(self, kind: str, _source: object) -> None:
        if kind == "unit":
            self.window.load_unit()
        if self.page is None and self.available and kind in StartPage.watches and \
                (self.window.pages.is_built(START_PAGE) or not self._quick_complete()):
            self._build()  # an item opened again (or the page was built elsewhere): it counts, the entry follows
            self.sync()
