"""A page of the main window, and the signal that tells pages their data changed elsewhere."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QWidget

from app.services.context import AppContext

from .widgets import SearchBox


class Changes(QObject):
    """App-wide: a page that changed data says what kind ("member", "resident", "household" …).

    Other pages mark themselves stale and query again when they are next shown.
    """

    changed = Signal(str, object)  # kind, the page that made the change


class Page(QWidget):
    """One area of the main window (objectName `page_<area>`)."""

    title = ""  # the Chinese name shown in the navigation
    watches: frozenset[str] = frozenset()  # change kinds that make this page stale
    roles: frozenset[str] | None = None  # operator roles that get this page (None: everyone)

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

    def refresh(self) -> None:
        """Query everything on the page again."""

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
