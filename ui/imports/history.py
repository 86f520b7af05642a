"""导入记录: every import of this village, and 撤销本次导入 for a batch nothing has touched since."""

from __future__ import annotations

from datetime import UTC

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.context import AppContext
from app.services.imports import flow as imports

from ..errors import user_errors

HEADERS = ("批次", "导入时间", "内容", "文件", "新增", "更新", "状态")


class ImportHistoryDialog(QDialog):
    """dlg_import_history. `undone` is emitted with the batch id after an undo."""

    undone = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("dlg_import_history")
        self.setWindowTitle(self.tr("导入记录"))
        self.resize(900, 420)
        self.rows: list[imports.BatchRow] = []
        box = QVBoxLayout(self)
        self.table = QTableWidget(self)
        self.table.setObjectName("table_batches")
        self.table.setColumnCount(len(HEADERS))
        self.table.setHorizontalHeaderLabels([self.tr(h) for h in HEADERS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        box.addWidget(self.table, 1)
        self.lbl_info = QLabel(self.tr("撤销会删除这批导入新增的记录，并把被更新的记录恢复原样；"
                                       "导入后又被修改或引用过的记录会阻止撤销，并列出是哪些。"), self)
        self.lbl_info.setWordWrap(True)
        box.addWidget(self.lbl_info)
        row = QHBoxLayout()
        self.btn_undo = QPushButton(self.tr("撤销本次导入…"), self)
        self.btn_undo.setObjectName("btn_undo_import")
        self.btn_undo.clicked.connect(self.undo_selected)
        close = QPushButton(self.tr("关闭"), self)
        close.setObjectName("btn_close")
        close.clicked.connect(self.accept)
        row.addWidget(self.btn_undo)
        row.addStretch(1)
        row.addWidget(close)
        box.addLayout(row)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.refresh()

    def refresh(self) -> None:
        with user_errors(self):
            self.rows = self.ctx.call(imports.list_batches, self.ctx.unit_id)
        self.table.setRowCount(len(self.rows))
        for r, b in enumerate(self.rows):
            state = self.tr("已撤销（{0}）").format(b.undo_reason) if b.undone_at else self.tr("有效")
            local = b.created_at.replace(tzinfo=UTC).astimezone()  # stored in UTC
            values = (str(b.id), f"{local:%Y-%m-%d %H:%M}", b.kind_label, b.file_name, str(b.new),
                      str(b.updated), state)
            for c, text in enumerate(values):
                item = QTableWidgetItem(text)
                if c in (0, 4, 5):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        if self.rows:
            self.table.selectRow(0)
        self._update_buttons()

    def selected(self) -> imports.BatchRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.rows[rows[0].row()] if rows else None

    def _update_buttons(self) -> None:
        b = self.selected()
        self.btn_undo.setEnabled(b is not None and b.undone_at is None)

    def undo_selected(self) -> None:
        b = self.selected()
        if b is None or b.undone_at is not None:
            return
        reason, ok = QInputDialog.getText(
            self, self.tr("撤销本次导入"),
            self.tr("撤销第 {0} 批导入（{1}，{2}）。\n请填写撤销原因：").format(b.id, b.kind_label, b.file_name))
        if not ok:
            return
        with user_errors(self):
            result = self.ctx.call(imports.undo_import, b.id, reason)
            removed = sum(v for k, v in result.items() if k != "restored")
            QMessageBox.information(self, self.tr("撤销本次导入"), self.tr("已撤销：删除 {0} 条新增记录，恢复 {1} 条被更新的记录。").format(
                removed, result.get("restored", 0)))
            self.undone.emit(b.id)
        self.refresh()
