"""A page of the main window, and the signal that tells pages their data changed elsewhere."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QWidget

from app.services.context import AppContext

from ..errors import show_service_error
from .widgets import DataTable, SearchBox


class Changes(QObject):
    """App-wide: a page that changed data says what kind ("member", "resident", "household" …).

    Other pages mark themselves stale and query again when they are next shown.
    """

    changed = Signal(str, object)  # kind, the page that made the change


class Page(QWidget):
    """One area of the main window (objectName `page_<area>`).

    A page with `waits_for_show = True` does not query while its window has not been shown yet: the
    main window builds every page at start, and on a county database the heavy ones (a map of 50,000
    households, 2,000 meetings …) kept the window from opening for 15 s. Such a page is marked stale
    instead and queries when it is first shown (showEvent), as a page that missed a change already
    does. Pages whose refresh also sets what the operator may do (settings) keep querying at once.
    """

    title = ""  # the Chinese name shown in the navigation
    object_name = ""  # `page_<area>`, as __init__ names it: the window builds the page on first use
    watches: frozenset[str] = frozenset()  # change kinds that make this page stale
    roles: frozenset[str] | None = None  # operator roles that get this page (None: everyone)
    waits_for_show = False  # True: refresh() before the window is first shown only marks the page stale

    def __init__(self, ctx: AppContext, changes: Changes, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.changes = changes
        self._stale = False
        changes.changed.connect(self._on_changed)

    @property
    def unit_id(self) -> int:
        unit_id = self.ctx.unit_id
        assert unit_id is not None  # the main window opens only once a unit exists
        return unit_id

    def search_box(self) -> SearchBox | None:
        """The page's main search box (Ctrl+F focuses it)."""
        return None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("refresh")
        if own is not None and not getattr(own, "_waits_for_show", False):
            cls.refresh = _wait_for_show(own)  # type: ignore[method-assign]

    def refresh(self) -> None:
        """Query everything on the page again."""

    def show_filter(self, key: str) -> None:
        """Show exactly the rows a 工作台 line counted (its TodoLine.filter key): that filter on, every other
        filter and the search text off. A page without such a list shows itself as it is."""

    def current_list(self) -> DataTable | None:
        """The list Ctrl+P prints: the one with the keyboard focus, else the named list shown (居民名单 …),
        else the largest list shown."""
        focus = self.focusWidget()
        while focus is not None and not isinstance(focus, DataTable) and focus is not self:
            focus = focus.parentWidget()
        if isinstance(focus, DataTable) and focus.isVisible():
            return focus
        shown = [t for t in self.findChildren(DataTable) if t.isVisibleTo(self)]
        named = [t for t in shown if t.list_name]
        pool = named or shown
        return max(pool, key=lambda t: t.width() * t.height()) if pool else None

    def print_current(self) -> None:
        """Ctrl+P: print what the page shows. Here: its current list, filtered as shown, every row (a page
        that shows one document, a notice, prints that instead)."""
        table = self.current_list()
        if table is None:
            show_service_error(self, self.tr("这一页没有可打印的列表。"))
            return
        table.print_current()

    def announce(self, kind: str) -> None:
        """This page changed data of `kind`; tell the others."""
        self.changes.changed.emit(kind, self)

    def _on_changed(self, kind: str, source: object) -> None:
        if source is self or kind not in self.watches:
            return
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:
        if self._stale:
            self._stale = False
            self.refresh()
        super().showEvent(event)


def _wait_for_show(refresh: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(refresh)
    def wrapper(self: Page, *args: Any, **kwargs: Any) -> Any:
        top = self.window()
        if self.waits_for_show and top is not self and not top.isVisible():  # the window is not open yet
            self._stale = True
            return None
        return refresh(self, *args, **kwargs)

    wrapper._waits_for_show = True  # type: ignore[attr-defined]
    return wrapper
