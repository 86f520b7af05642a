"""A type-to-find field: a line edit and the matches under it (拼音首字母, 汉字 or a phone fragment).

Up/Down move through the matches without leaving the field; Enter takes the highlighted one. What the user
typed stays usable as free text when nothing is picked (a requester outside the register, a volunteer,
a 网格员 from outside the village). Used by 受理登记/派单 (tickets) and 任命网格员 (grid); the caller gives the
search function, so the matching stays in the services.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

log = logging.getLogger(__name__)
DATA = Qt.ItemDataRole.UserRole

SearchFn = Callable[[str], Sequence[tuple[str, object]]]  # text → (label, value) pairs


class SearchPicker(QWidget):
    picked = Signal(object)  # the chosen value, or None when the text no longer names it

    def __init__(self, name: str, search: SearchFn, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._search = search
        self.value: object | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.edit = QLineEdit(self)
        self.edit.setObjectName(f"edit_{name}")
        self.edit.setPlaceholderText(placeholder)
        self.list = QListWidget(self)
        self.list.setObjectName(f"list_{name}")
        self.list.setMaximumHeight(self.fontMetrics().height() * 5 + 8)
        self.list.hide()
        layout.addWidget(self.edit)
        layout.addWidget(self.list)
        self.edit.textEdited.connect(self._typed)
        self.edit.installEventFilter(self)
        self.list.itemClicked.connect(self._take)
        self.list.itemActivated.connect(self._take)

    def text(self) -> str:
        return self.edit.text().strip()

    def setFocus(self) -> None:  # type: ignore[override]
        self.edit.setFocus()

    def clear(self) -> None:
        self.edit.clear()
        self.list.clear()
        self.list.hide()
        self._set(None)

    def _set(self, value: object | None) -> None:
        if value is not self.value:
            self.value = value
            self.picked.emit(value)

    def _typed(self, text: str) -> None:
        self._set(None)
        self.list.clear()
        matches: Sequence[tuple[str, object]] = []
        if text.strip():
            try:
                matches = self._search(text)
            except Exception:  # a failed lookup must not lose what the clerk is typing
                log.exception("search for %r failed", text)
        for label, value in matches:
            item = QListWidgetItem(label, self.list)
            item.setData(DATA, value)
        self.list.setVisible(bool(matches))
        if matches:
            self.list.setCurrentRow(0)

    def _take(self, item: QListWidgetItem | None = None) -> None:
        item = item or self.list.currentItem()
        if item is None:
            return
        value = item.data(DATA)
        self.edit.setText(getattr(value, "name", item.text()))
        self.list.hide()
        self._set(value)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if watched is self.edit and isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up) and self.list.isVisible():
                step = 1 if key == Qt.Key.Key_Down else -1
                self.list.setCurrentRow(max(0, min(self.list.count() - 1, self.list.currentRow() + step)))
                return True
            plain = not event.modifiers() & Qt.KeyboardModifier.ControlModifier
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and plain and self.list.isVisible():
                self._take()
                return True
        return super().eventFilter(watched, event)
