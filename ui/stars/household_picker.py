"""Pick a household by typing: 户号, 门牌, any member's name, 拼音首字母 (lxl → 李小龙), ID or phone digits.

The household service does the matching (the same search as the 居民与户 page); the popup lists the
first matches as `户号  户主  门牌`. Enter takes the first match.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QStringListModel, Qt, QTimer, Signal
from PySide6.QtWidgets import QCompleter, QLineEdit, QWidget

from app.services.context import AppContext
from app.services.people import households
from app.services.people.households import HouseholdQuery, HouseholdRow

MATCHES = 15
DELAY_MS = 200


def household_text(h: HouseholdRow) -> str:
    return "  ".join(p for p in (h.number, h.head_name or "", h.address) if p)


class HouseholdPicker(QLineEdit):
    picked = Signal(object)  # the household id, or None when the text no longer names one

    def __init__(self, ctx: AppContext, unit_id: int, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.ctx, self.unit_id = ctx, unit_id
        self.setPlaceholderText(self.tr("输入户主姓名、拼音首字母、户号或门牌"))
        self.setClearButtonEnabled(True)
        self.household_id: int | None = None
        self.matches: list[HouseholdRow] = []
        self._model = QStringListModel(self)
        self._completer = QCompleter(self._model, self)
        self._completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self._completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._completer.setWidget(self)
        self._completer.activated[QModelIndex].connect(self._on_activated)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DELAY_MS)
        self._timer.timeout.connect(self.search)
        self.textEdited.connect(self._on_edited)
        self.returnPressed.connect(self.choose_first)

    def _on_edited(self, _text: str) -> None:
        if self.household_id is not None:
            self.household_id = None
            self.picked.emit(None)
        self._timer.start()

    def search(self) -> None:
        """Ask the service for the first matches of the typed text and show them."""
        self._timer.stop()
        text = self.text().strip()
        self.matches = self.ctx.call(households.list_households, HouseholdQuery(self.unit_id, text=text), 0, MATCHES) \
            if text else []
        self._model.setStringList([household_text(h) for h in self.matches])
        if self.matches and self.hasFocus():
            self._completer.complete()

    def _on_activated(self, index: QModelIndex) -> None:
        self.choose(index.row())

    def choose(self, row: int) -> None:
        if 0 <= row < len(self.matches):
            h = self.matches[row]
            self.household_id = h.id
            self.setText(household_text(h))
            self._completer.popup().hide()
            self.picked.emit(h.id)

    def choose_first(self) -> None:
        if self.household_id is None:
            if self._timer.isActive() or not self.matches:
                self.search()
            self.choose(0)

    def reset(self) -> None:
        self.clear()
        self.household_id = None
        self.matches = []
        self._model.setStringList([])
