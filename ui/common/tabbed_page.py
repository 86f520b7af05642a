"""A page made of tabs (村务决策, 党务): refresh and 工作台 filters go to the tabs, and a change one tab
makes refreshes the others.

Each tab is a QWidget built as Tab(ctx, changes, parent) with an optional refresh() and
show_filter(key) -> bool. A tab announces its changes through `changes` with itself as the source;
the page then refreshes its other tabs (the tab has already refreshed itself).
"""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from app.services.context import AppContext

from .page import Changes, Page


class TabbedPage(Page):
    def __init__(self, ctx: AppContext, changes: Changes, parent: QWidget | None = None) -> None:
        super().__init__(ctx, changes, parent)
        self.setObjectName(self.object_name)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("tabs_" + self.object_name.removeprefix("page_"))
        outer.addWidget(self.tabs)

    def _tab_widgets(self) -> list[QWidget]:
        return [self.tabs.widget(i) for i in range(self.tabs.count())]

    def refresh(self) -> None:
        for tab in self._tab_widgets():
            refresh = getattr(tab, "refresh", None)
            if refresh is not None:
                refresh()

    def show_filter(self, key: str) -> None:
        """A 工作台 line's key: the tab that knows it shows those rows and comes to the front."""
        for tab in self._tab_widgets():
            show = getattr(tab, "show_filter", None)
            if show is not None and show(key):
                self.tabs.setCurrentWidget(tab)
                return

    def _on_changed(self, kind: str, source: object) -> None:
        tabs = self._tab_widgets()
        if source in tabs and kind in self.watches:  # one of our tabs changed: the others query again
            for tab in tabs:
                refresh = getattr(tab, "refresh", None)
                if tab is not source and refresh is not None:
                    refresh()
            return
        super()._on_changed(kind, source)
