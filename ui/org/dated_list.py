"""A small list of dated rows belonging to one 党组织 (联建 partners, members of other branches) with
添加, 结束 and a 「显示已结束」 switch; rows are ended with a date, never deleted."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.context import AppContext

from ..common.table_model import format_value
from ..errors import user_errors

DATA = Qt.ItemDataRole.UserRole


class DatedListDialog(QDialog):
    """Subclasses give `headers`, `load(include_ended)` → rows, `cells(row)`, `is_ended(row)`, and run
    `add()` / `end(row)` (True when something changed). `changed` is True once anything was saved."""

    headers: Sequence[str] = ()

    def __init__(self, ctx: AppContext, name: str, title: str, intro: str, add_text: str, end_text: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.changed = False
        self.setObjectName(f"dlg_{name}")
        self.setWindowTitle(title)
        self.setModal(True)
        layout = QVBoxLayout(self)
        label = QLabel(intro, self)
        label.setWordWrap(True)
        layout.addWidget(label)
        self.table = QTableWidget(0, len(self.headers), self)
        self.table.setObjectName(f"table_{name}")
        self.table.setHorizontalHeaderLabels([self.tr(h) for h in self.headers])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        em = self.fontMetrics().horizontalAdvance("中")
        self.table.setMinimumSize(em * 42, self.fontMetrics().height() * 12)
        layout.addWidget(self.table, 1)
        bar = QHBoxLayout()
        self.btn_add = QPushButton(add_text, self)
        self.btn_add.setObjectName(f"btn_add_{name}")
        self.btn_end = QPushButton(end_text, self)
        self.btn_end.setObjectName(f"btn_end_{name}")
        self.check_ended = QCheckBox(self.tr("显示已结束"), self)
        self.check_ended.setObjectName(f"check_{name}_ended")
        self.btn_close = QPushButton(self.tr("关闭"), self)
        self.btn_close.setObjectName("btn_close")
        for w in (self.btn_add, self.btn_end, self.check_ended):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.btn_close)
        layout.addLayout(bar)
        self.rows: list[Any] = []
        self.btn_add.clicked.connect(self._add)
        self.btn_end.clicked.connect(self._end)
        self.btn_close.clicked.connect(self.accept)
        self.check_ended.toggled.connect(lambda _on: self.refresh())
        self.table.itemSelectionChanged.connect(self._update_buttons)

    # ---- for subclasses ---------------------------------------------------------------------------

    def load(self, include_ended: bool) -> list[Any]:
        raise NotImplementedError

    def cells(self, row: Any) -> list[object]:
        raise NotImplementedError

    def is_ended(self, row: Any) -> bool:
        return getattr(row, "until", None) is not None

    def add(self) -> bool:
        raise NotImplementedError

    def end(self, row: Any) -> bool:
        raise NotImplementedError

    # ---- the list ---------------------------------------------------------------------------------

    def refresh(self) -> None:
        with user_errors(self):
            self.rows = self.load(self.check_ended.isChecked())
        self.table.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            for c, value in enumerate(self.cells(row)):
                item = QTableWidgetItem(format_value(value))
                if self.is_ended(row):
                    item.setForeground(Qt.GlobalColor.gray)
                self.table.setItem(r, c, item)
        self._update_buttons()

    def current(self) -> Any:
        r = self.table.currentRow()
        return self.rows[r] if 0 <= r < len(self.rows) and self.table.selectedItems() else None

    def select_row(self, r: int) -> None:
        self.table.selectRow(r)

    def _update_buttons(self) -> None:
        row = self.current()
        self.btn_end.setEnabled(row is not None and not self.is_ended(row))

    def _add(self) -> None:
        with user_errors(self):
            if self.add():
                self.changed = True
                self.refresh()

    def _end(self) -> None:
        row = self.current()
        if row is None:
            return
        with user_errors(self):
            if self.end(row):
                self.changed = True
                self.refresh()
