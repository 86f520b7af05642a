"""班子与代表: the village bodies' posts, their 届期 and the 村民代表's households."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.services.context import AppContext

from ..common.page import Changes


class BodiesTab(QWidget):
    def __init__(self, ctx: AppContext, changes: Changes, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tab_affairs_bodies")
        self.ctx, self.changes = ctx, changes
        QVBoxLayout(self)

    def refresh(self) -> None:
        """Query the posts and terms again."""
