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

from .start_page import StartPage

if TYPE_CHECKING:
    from ..main_window import MainWindow

START_PAGE = "page_start"


class StartNavigation(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        page = window.pages.get(START_PAGE)
        self.page = page if isinstance(page, StartPage) else None
        self.action = QAction(self.tr("开始使用(&S)"), window)
        self.action.setObjectName("action_getting_started")
        self.action.setEnabled(self.page is not None)
        self.action.triggered.connect(self.open_start_page)
        menu = window.menuBar().findChild(QMenu, "menu_help")
        if menu is not None:
            menu.insertAction(menu.actions()[0] if menu.actions() else None, self.action)  # type: ignore[arg-type]
        window.changes.changed.connect(self._on_changed)
        if self.page is None:
            return
        self.page.completion_changed.connect(lambda _complete: self.sync())
        self.page.open_requested.connect(self.open_item)
        window.nav.currentRowChanged.connect(lambda _row: self.sync())
        self.page.update_buttons()
        row = self._row()
        if self.page.complete and row is not None:
            self.window.nav.takeItem(row)  # the window opens on its first area, not on a finished checklist

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
        if self.page is None:
            return
        if self._row() is not None:
            self.window.show_page(START_PAGE)
            return
        self.window.nav.setCurrentRow(-1)  # not in the navigation: show it without a selected entry
        self.window.stack.setCurrentWidget(self.page)

    def open_item(self, key: str, page_name: str) -> None:
        page = self.window.show_page(page_name)
        if key == "publicity":
            show_box = getattr(page, "show_unit_box", None)
            if callable(show_box):
                show_box()

    def _on_changed(self, kind: str, _source: object) -> None:
        if kind == "unit":
            self.window.load_unit()
