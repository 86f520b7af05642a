"""A household on the map (dlg_household_grid): where it belongs, its dated grid changes, and a dated move.

Clicking a marker opens this; 编辑户信息… opens the usual 编辑户 dialog. A move made here carries the day
it really happened (dragging on the map records today).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.context import AppContext
from app.services.errors import ServiceError
from app.services.grid import grids as grid
from app.services.grid.grids import GridInfo, MoveRow
from app.services.grid.map_data import MapMarker

from ..common.form import DateText, select_combo_data
from ..common.widgets import InfoLabel
from ..errors import show_failure, user_errors
from ..people.dialogs import HouseholdDialog

MOVE_COLUMNS = ("日期", "原网格", "调整到", "说明")


def leaf_areas(grids: Sequence[GridInfo]) -> list[GridInfo]:
    """Where a household can be: micro-grids, and grids without micro-grids (open ones)."""
    parents = {g.parent_id for g in grids if g.parent_id is not None and g.closed_on is None}
    return [g for g in grids if g.closed_on is None and g.id not in parents]


class HouseholdGridDialog(QDialog):
    """`changed` tells the page to reload after the dialog closes."""

    def __init__(self, ctx: AppContext, unit_id: int, marker: MapMarker, grids: Sequence[GridInfo],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dlg_household_grid")
        self.ctx, self.unit_id, self.marker = ctx, unit_id, marker
        self.grids = {g.id: g for g in grids}
        self.grid_id = marker.grid_id
        self.changed = False
        self.moves: list[MoveRow] = []
        title = self.tr("户号 {0}").format(marker.number) + (f"（{marker.head_name}）" if marker.head_name else "")
        self.setWindowTitle(title)
        self.resize(560, 440)
        lay = QVBoxLayout(self)
        info = QFormLayout()
        self.lbl_address = QLabel(marker.address or self.tr("（未登记门牌）"), self)
        self.lbl_grid = QLabel(self)
        self.lbl_grid.setObjectName("lbl_household_grid")
        self.lbl_tags = QLabel("、".join(marker.tags) or self.tr("无"), self)
        head = QLabel(f"{marker.number}　{marker.head_name}".strip(), self)
        head.setObjectName("lbl_household_head")
        info.addRow(self.tr("户号/户主："), head)
        info.addRow(self.tr("门牌/住址："), self.lbl_address)
        info.addRow(self.tr("所属网格："), self.lbl_grid)
        info.addRow(self.tr("标签："), self.lbl_tags)
        lay.addLayout(info)

        lay.addWidget(QLabel(self.tr("网格变更记录："), self))
        self.table = QTableWidget(0, len(MOVE_COLUMNS), self)
        self.table.setObjectName("table_household_moves")
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in MOVE_COLUMNS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        lay.addWidget(self.table, 1)

        move = QHBoxLayout()
        move.addWidget(QLabel(self.tr("调整到"), self))
        self.combo_to = QComboBox(self)
        self.combo_to.setObjectName("combo_move_to")
        for g in leaf_areas(grids):
            self.combo_to.addItem(g.name, g.id)
        move.addWidget(self.combo_to, 2)
        move.addWidget(QLabel(self.tr("日期"), self))
        self.edit_on = DateText(self)
        self.edit_on.setObjectName("edit_move_on")
        self.edit_on.set_date(date.today())
        move.addWidget(self.edit_on, 1)
        self.edit_note = QLineEdit(self)
        self.edit_note.setObjectName("edit_move_note")
        self.edit_note.setPlaceholderText(self.tr("说明，如 搬迁、分户"))
        self.edit_note.setMaxLength(200)
        move.addWidget(self.edit_note, 2)
        self.btn_move = QPushButton(self.tr("调整网格"), self)
        self.btn_move.setObjectName("btn_move_household")
        self.btn_move.clicked.connect(self.move)
        move.addWidget(self.btn_move)
        lay.addLayout(move)
        self.status = InfoLabel("lbl_move_status", self)
        lay.addWidget(self.status)

        buttons = QHBoxLayout()
        self.btn_edit = QPushButton(self.tr("编辑户信息…"), self)
        self.btn_edit.setObjectName("btn_edit_household")
        self.btn_edit.clicked.connect(self.edit_household)
        self.btn_close = QPushButton(self.tr("关闭"), self)
        self.btn_close.setObjectName("btn_close")
        self.btn_close.clicked.connect(self.accept)
        buttons.addWidget(self.btn_edit)
        buttons.addStretch(1)
        buttons.addWidget(self.btn_close)
        lay.addLayout(buttons)
        self.reload()

    def reload(self) -> None:
        self.lbl_grid.setText(self.grids[self.grid_id].name if self.grid_id in self.grids else self.tr("未分网格"))
        select_combo_data(self.combo_to, self.grid_id)
        with user_errors(self):
            self.moves = self.ctx.call(grid.household_moves, self.marker.id)
        rows = list(reversed(self.moves))  # the latest first
        self.table.setRowCount(len(rows))
        for i, m in enumerate(rows):
            for col, text in enumerate((m.moved_on.isoformat(), m.from_grid, m.to_grid, m.note)):
                self.table.setItem(i, col, QTableWidgetItem(text))
        if not rows:
            self.status.show_info(self.tr("尚无网格变更记录"))

    def move(self) -> None:
        to = self.combo_to.currentData()
        try:
            on = self.edit_on.date()
        except ValueError as exc:
            self.status.show_error(str(exc))
            return
        try:
            moved = self.ctx.call(grid.move_household, self.marker.id, to, on, self.edit_note.text())
        except ServiceError as exc:
            self.status.show_error(str(exc))
            return
        except Exception as exc:
            show_failure(self, exc)
            return
        if not moved:
            self.status.show_error(self.tr("该户已在“{0}”，未作调整").format(self.combo_to.currentText()))
            return
        self.changed = True
        self.grid_id = to
        self.edit_note.clear()
        self.reload()
        self.status.show_info(self.tr("已调整到“{0}”，记入变更记录").format(self.combo_to.currentText()))

    def edit_household(self) -> None:
        dialog = HouseholdDialog(self.ctx, self.unit_id, self.marker.id, self)
        if dialog.exec():
            self.changed = True
