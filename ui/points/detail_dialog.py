"""积分明细 of one member: every entry of the year, voided ones greyed and struck through, 作废 with a reason,
更正 (the wrong entry voided, the right one added in its place)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services.context import AppContext
from app.services.errors import ServiceError
from app.services.points import member_points as points
from app.services.points.member_points import EntryRow
from app.services.points.rules import points_text, signed_text

from ..common.table_model import Column, LazyTableModel, list_source
from ..common.widgets import DataTable
from ..errors import user_errors
from .correct_dialog import CorrectMemberEntryDialog

GREY = QBrush(QColor("#9e9e9e"))


def _state(e: EntryRow) -> str:
    if e.voided:
        return f"已作废：{e.void_reason}"
    return "更正记录" if e.corrects_id else ""


ENTRY_COLUMNS: list[Column[EntryRow]] = [
    Column("日期", "entry_date", width=6),
    Column("类别", "kind_label", width=4),
    Column("规则", "rule_name", width=10),
    Column("分值", lambda e: signed_text(e.points), width=3),
    Column("来源", "source_label", width=4),
    Column("说明/佐证", lambda e: "；".join(x for x in (e.note, e.evidence) if x), width=16),
    Column("状态", _state, width=10),
]


class EntryModel(LazyTableModel[EntryRow]):
    """Voided entries stay visible (the ledger is append-only) but greyed and struck through."""

    def data(self, index: Any, role: int = 0) -> Any:
        row = self.row_at(index.row()) if index.isValid() else None
        if row is not None and row.voided:
            if role == Qt.ItemDataRole.ForegroundRole:
                return GREY
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setStrikeOut(True)
                return font
        return super().data(index, role)


class MemberPointsDialog(QDialog):
    def __init__(self, ctx: AppContext, member_id: int, name: str, year: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dialog_member_points")
        self.setWindowTitle(self.tr("{0} 的{1}年度积分明细").format(name, year))
        self.ctx, self.member_id, self.year, self.changed = ctx, member_id, year, False
        layout = QVBoxLayout(self)
        self.label_totals = QLabel(self)
        self.label_totals.setObjectName("label_member_totals")
        layout.addWidget(self.label_totals)
        self.table = DataTable("table_member_entries", self)
        count, page = list_source(lambda: self.ctx.call(points.list_entries, self.member_id, self.year))
        self.model = EntryModel(ENTRY_COLUMNS, count, page, parent=self)
        self.table.setModel(self.model)
        self.table.setSortingEnabled(False)
        layout.addWidget(self.table, 1)
        bar = QHBoxLayout()
        self.btn_void = QPushButton(self.tr("作废所选记录…"), self)
        self.btn_void.setObjectName("btn_void_entry")
        self.btn_correct = QPushButton(self.tr("更正所选记录…"), self)
        self.btn_correct.setObjectName("btn_correct_entry")
        self.btn_close = QPushButton(self.tr("关闭"), self)
        self.btn_close.setObjectName("btn_close")
        bar.addWidget(self.btn_correct)
        bar.addWidget(self.btn_void)
        bar.addStretch(1)
        bar.addWidget(self.btn_close)
        layout.addLayout(bar)
        self.btn_void.clicked.connect(self.void_selected)
        self.btn_correct.clicked.connect(self.correct_selected)
        self.btn_close.clicked.connect(self.accept)
        self.table.enable_with_selection(self.btn_correct)
        self.table.enable_with_selection(self.btn_void, allowed=self._selected_not_voided)
        self.resize(self.fontMetrics().horizontalAdvance("中") * 70, self.fontMetrics().height() * 30)
        self.name = name
        self.refresh()

    def refresh(self) -> None:
        self.model.refresh()
        t = self.ctx.call(points.member_totals, self.member_id, self.year)
        self.label_totals.setText(self.tr("基础分 {0}　履职分 {1}　奖励分 {2}　扣减分 {3}　<b>总积分 {4}</b>").format(
            *(points_text(v) for v in (t.base, t.duty, t.reward, t.deduct, t.total))))

    def _selected_not_voided(self) -> bool:
        e = self.model.row_at(self.table.current_row())
        return e is not None and not e.voided

    def void_selected(self) -> None:
        e = self.model.row_at(self.table.current_row())
        if e is None or e.voided:
            return
        reason, ok = QInputDialog.getText(self, self.tr("作废积分记录"), self.tr(
            "作废“{0} {1} {2}”的原因：\n（记录不会删除，作废后不计入总积分）").format(
            e.entry_date.isoformat(), e.rule_name, signed_text(e.points)))
        if not ok:
            return
        with user_errors(self):
            self.ctx.call(points.void_entry, e.id, reason)
            self.changed = True
        self.refresh()

    def correct_dialog(self) -> CorrectMemberEntryDialog | None:
        """The 更正 dialog of the selected entry (None when nothing, or a voided entry, is selected)."""
        e = self.model.row_at(self.table.current_row())
        if e is None:
            return None
        if e.voided:
            raise ServiceError(self.tr("该记录已作废，不能再更正；需要时另记一条。"))
        return CorrectMemberEntryDialog(self.ctx, e, self.name, self)

    def correct_selected(self) -> None:
        with user_errors(self):
            dialog = self.correct_dialog()
            if dialog is not None and dialog.exec() == QDialog.DialogCode.Accepted:
                self.changed = True
                self.refresh()
                self.table.select_row(self.model.find_row(lambda r: r.id == dialog.result_value))
