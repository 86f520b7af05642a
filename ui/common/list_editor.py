"""A short editable list of a village's rule data (星类, 诉求类别, 代办清单) for 设置.

A table plus 新增 / 修改 / 停用(启用) / 上移 / 下移. Rows are never deleted (old records refer to them):
停用 keeps a row readable on old records while new ones can no longer choose it. The editor only lays
out the buttons and keeps the selection; the box that owns it calls the services through callbacks,
each returning the id of the row to select afterwards (None: nothing changed).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, Protocol, TypeVar

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from ..errors import user_errors
from .page import Page
from .table_model import Column, LazyTableModel, list_source
from .widgets import DataTable


def announce(widget: QWidget, kind: str) -> None:
    """Tell the other pages (through the page this widget sits on) that `kind` data changed."""
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, Page):
        parent = parent.parentWidget()
    if parent is not None:
        parent.announce(kind)


class ListRow(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def active(self) -> bool: ...


T = TypeVar("T", bound=ListRow)
Action = Callable[[T], "int | None"]


class ListEditor(QWidget, Generic[T]):
    """table_<table_key>; buttons btn_add_<item_key>, btn_edit_…, btn_toggle_…, btn_<item_key>_up/_down."""

    changed = Signal()  # something was saved: the owner tells the other pages

    def __init__(
        self,
        table_key: str,
        item_key: str,
        noun: str,
        columns: Sequence[Column[T]],
        fetch: Callable[[], Sequence[T]],
        editable: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(f"editor_{table_key}")
        self.on_add: Callable[[], int | None] | None = None
        self.on_edit: Action[T] | None = None
        self.on_toggle: Action[T] | None = None
        self.on_move: Callable[[T, int], int | None] | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.table = DataTable(f"table_{table_key}", self)
        count, page = list_source(fetch)  # the row numbers at the left are the order
        self.model: LazyTableModel[T] = LazyTableModel(columns, count, page, parent=self)
        self.table.setModel(self.model)
        self.table.setSortingEnabled(False)
        self.table.horizontalHeader().setSortIndicatorShown(False)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.btn_add = self._button(f"btn_add_{item_key}", self.tr("新增{0}…").format(noun), row)
        self.btn_edit = self._button(f"btn_edit_{item_key}", self.tr("修改…"), row)
        self.btn_toggle = self._button(f"btn_toggle_{item_key}", self.tr("停用"), row)
        self.btn_up = self._button(f"btn_{item_key}_up", self.tr("上移"), row)
        self.btn_down = self._button(f"btn_{item_key}_down", self.tr("下移"), row)
        row.addStretch(1)
        layout.addLayout(row)
        self.editable = editable
        if not editable:
            for b in (self.btn_add, self.btn_edit, self.btn_toggle, self.btn_up, self.btn_down):
                b.setEnabled(False)
                b.setToolTip(self.tr("只有书记（管理员）可以修改"))
        self.btn_add.clicked.connect(self.add)
        self.btn_edit.clicked.connect(self.edit)
        self.btn_toggle.clicked.connect(self.toggle)
        self.btn_up.clicked.connect(lambda: self.move(-1))
        self.btn_down.clicked.connect(lambda: self.move(1))
        self.table.doubleClicked.connect(lambda _i: self.edit())
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
        self.model.modelReset.connect(self._update_buttons)

    def _button(self, name: str, text: str, row: QHBoxLayout) -> QPushButton:
        b = QPushButton(text, self)
        b.setObjectName(name)
        row.addWidget(b)
        return b

    # ---- state ----------------------------------------------------------------------------------

    def selected(self) -> T | None:
        return self.model.row_at(self.table.current_row())

    def refresh(self, select_id: int | None = None) -> None:
        keep = select_id if select_id is not None else (r.id if (r := self.selected()) else None)
        self.model.refresh()
        if keep is not None:
            self.table.select_row(self.model.find_row(lambda r: r.id == keep))
        self._update_buttons()

    def _update_buttons(self) -> None:
        chosen = self.selected()
        self.btn_toggle.setText(self.tr("启用") if chosen is not None and not chosen.active else self.tr("停用"))
        if not self.editable:
            return
        at = self.table.current_row() if chosen is not None else -1
        for b in (self.btn_edit, self.btn_toggle):
            b.setEnabled(chosen is not None)
        self.btn_up.setEnabled(at > 0)
        self.btn_down.setEnabled(0 <= at < self.model.rowCount() - 1)

    # ---- actions --------------------------------------------------------------------------------

    def _done(self, row_id: int | None) -> None:
        if row_id is not None:
            self.refresh(row_id)
            self.changed.emit()

    def add(self) -> None:
        if self.editable and self.on_add is not None:
            with user_errors(self):
                self._done(self.on_add())

    def edit(self) -> None:
        chosen = self.selected()
        if self.editable and chosen is not None and self.on_edit is not None:
            with user_errors(self):
                self._done(self.on_edit(chosen))

    def toggle(self) -> None:
        chosen = self.selected()
        if self.editable and chosen is not None and self.on_toggle is not None:
            with user_errors(self):
                self._done(self.on_toggle(chosen))

    def move(self, delta: int) -> None:
        chosen = self.selected()
        if self.editable and chosen is not None and self.on_move is not None:
            with user_errors(self):
                self._done(self.on_move(chosen, delta))
