"""组织关系转接: every 介绍信 out and in (filter 全部 / 转出 / 转入 / 待回执; 回执逾期 shaded), with 转出并开
介绍信…, 转入登记…, 打印介绍信 (a 转出 letter; the same number again), 打印回执 (a letter received), 登记回执…
and 作废…. The 工作台's 「逾期未回执的组织关系介绍信」 line opens it on 待回执."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services.context import AppContext
from app.services.partywork import transfers
from app.services.partywork.transfers import LetterRow

from ..common.files import ask_save_path
from ..common.form import FormDialog
from ..common.page import Changes
from ..common.table_model import Column, LazyTableModel, list_source
from ..common.widgets import DataTable, InfoLabel
from ..errors import user_errors
from .transfer_dialogs import CancelDialog, LetterInDialog, ReceiptDialog, TransferOutDialog

OVERDUE_BG = QColor("#fff3cd")
PDF_FILTER = "PDF 文件 (*.pdf)"
FILTERS = (("全部", None), ("转出", "转出"), ("转入", "转入"), ("待回执", "waiting"))

COLUMNS: list[Column[LetterRow]] = [
    Column("编号", "letter_no", width=8),
    Column("转出/转入", "direction", width=4),
    Column("姓名", "name", width=5),
    Column("性别", "gender", width=2),
    Column("正式/预备", lambda r: r.member_status.removesuffix("党员"), width=4),
    Column("由", "from_org", width=16),
    Column("去", "to_org", width=16),
    Column("日期", "issued_on", width=6),
    Column("党费交到", "dues_text", width=6),
    Column("有效期", lambda r: f"{r.valid_days} 天", width=4),
    Column("回执日期", "receipt_on", width=6),
    Column("状态", "state", width=5),
]


class _Model(LazyTableModel[LetterRow]):
    def data(self, index, role=Qt.ItemDataRole.DisplayRole):  # type: ignore[no-untyped-def, override]
        if role == Qt.ItemDataRole.BackgroundRole:
            row = self.row_at(index.row())
            return OVERDUE_BG if row is not None and row.state == "回执逾期" else None
        return super().data(index, role)


class TransfersTab(QWidget):
    def __init__(self, ctx: AppContext, changes: Changes, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tab_partywork_transfers")
        self.ctx, self.changes = ctx, changes
        outer = QVBoxLayout(self)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr("显示："), self))
        self.combo_filter = QComboBox(self)
        self.combo_filter.setObjectName("combo_transfer_filter")
        for text, key in FILTERS:
            self.combo_filter.addItem(self.tr(text), key)
        bar.addWidget(self.combo_filter)
        bar.addStretch(1)
        self.btn_out = self._button("btn_transfer_out", self.tr("转出并开介绍信…"), bar)
        self.btn_in = self._button("btn_letter_in", self.tr("转入登记…"), bar)
        self.btn_print = self._button("btn_letter_print", self.tr("打印介绍信"), bar)
        self.btn_receipt_print = self._button("btn_receipt_print", self.tr("打印回执"), bar)
        self.btn_receipt = self._button("btn_letter_receipt", self.tr("登记回执…"), bar)
        self.btn_cancel = self._button("btn_letter_cancel", self.tr("作废…"), bar)
        outer.addLayout(bar)
        self.table = DataTable("table_transfer_letters", self)
        self.table.list_name = self.tr("组织关系转接")
        count, page = list_source(self._letters)
        self.model = _Model(COLUMNS, count, page, parent=self)
        self.table.setModel(self.model)
        outer.addWidget(self.table, 1)
        self.info = InfoLabel("info_partywork_transfers", self)
        outer.addWidget(self.info)
        self.model.loadFailed.connect(self.info.show_error)

        def state_is(*states: str) -> bool:
            row = self.current()
            return row is not None and row.state in states

        self.table.enable_with_selection(self.btn_print, allowed=lambda: self._is("转出"))
        self.table.enable_with_selection(self.btn_receipt_print, allowed=lambda: state_is("未寄回执", "已寄回执"))
        self.table.enable_with_selection(self.btn_receipt, allowed=lambda: state_is("待回执", "回执逾期"))
        self.table.enable_with_selection(self.btn_cancel, allowed=lambda: state_is("待回执", "回执逾期", "未寄回执",
                                                                                    "已寄回执"))
        self.combo_filter.currentIndexChanged.connect(lambda _i: self.refresh())
        self.btn_out.clicked.connect(lambda: self.transfer_out())
        self.btn_in.clicked.connect(self.letter_in)
        self.btn_print.clicked.connect(lambda: self.print_letter(self.current()))
        self.btn_receipt_print.clicked.connect(lambda: self.print_receipt(self.current()))
        self.btn_receipt.clicked.connect(lambda: self._with_row(ReceiptDialog))
        self.btn_cancel.clicked.connect(self.cancel)

    def _button(self, name: str, text: str, bar: QHBoxLayout) -> QPushButton:
        b = QPushButton(text, self)
        b.setObjectName(name)
        bar.addWidget(b)
        return b

    @property
    def unit_id(self) -> int:
        unit_id = self.ctx.unit_id
        assert unit_id is not None
        return unit_id

    # ---- list -----------------------------------------------------------------------------------

    def _letters(self) -> list[LetterRow]:
        key = self.combo_filter.currentData()
        if key == "waiting":
            return self.ctx.call(transfers.list_letters, self.unit_id, waiting=True)
        return self.ctx.call(transfers.list_letters, self.unit_id, key)

    def refresh(self) -> None:
        self.model.refresh()
        rows = self.model.rows
        waiting = [r for r in rows if r.state in ("待回执", "回执逾期")]
        overdue = sum(1 for r in waiting if r.state == "回执逾期")
        text = self.tr("共 {0} 封，待回执 {1} 封").format(len(rows), len(waiting))
        if overdue:
            text += self.tr("（其中超过有效期 {0} 封）").format(overdue)
        self.info.show_info(text)

    def show_filter(self, key: str) -> bool:
        """The 工作台's 「逾期未回执的组织关系介绍信」 line: the letters waiting for their 回执."""
        if key != "receipts_overdue":
            return False
        self.combo_filter.setCurrentIndex(self.combo_filter.findData("waiting"))
        self.refresh()
        return True

    def current(self) -> LetterRow | None:
        row = self.table.current_row()
        return self.model.row_at(row) if row >= 0 else None

    def _is(self, direction: str) -> bool:
        row = self.current()
        return row is not None and row.direction == direction and row.cancelled_on is None

    def _select(self, letter_id: int | None) -> None:
        for i in range(self.model.rowCount()):
            row = self.model.row_at(i)
            if row is not None and row.id == letter_id:
                self.table.select_row(i)
                return

    # ---- actions --------------------------------------------------------------------------------

    def _run(self, dialog: FormDialog) -> bool:
        with user_errors(self):
            if dialog.exec() == QDialog.DialogCode.Accepted:
                self.refresh()
                self.changes.changed.emit("partywork", self)
                self.changes.changed.emit("member", self)  # 转出 and 转入 change the roster
                return True
        return False

    def _with_row(self, make: type[ReceiptDialog]) -> None:
        row = self.current()
        if row is not None and self._run(make(self.ctx, row, self)):
            self._select(row.id)

    def transfer_out(self, member: tuple[int, str] | None = None) -> None:
        """转出并开介绍信 (member: the 党员 page's selected member, fixed in the dialog)."""
        dialog = TransferOutDialog(self.ctx, self.unit_id, member, self)
        if self._run(dialog) and isinstance(dialog.result_value, int):
            self._select(dialog.result_value)
            if dialog.print_after.isChecked():
                self.print_letter(self.ctx.call(transfers.get_letter, dialog.result_value))

    def letter_in(self) -> None:
        dialog = LetterInDialog(self.ctx, self.unit_id, self)
        if self._run(dialog) and isinstance(dialog.result_value, int):
            self._select(dialog.result_value)
            if dialog.print_after.isChecked():
                self.print_receipt(self.ctx.call(transfers.get_letter, dialog.result_value))

    def cancel(self) -> None:
        row = self.current()
        if row is None:
            return
        dialog = CancelDialog(self.ctx, row, self)
        if self._run(dialog):
            self._select(dialog.result_value if isinstance(dialog.result_value, int) else row.id)

    def _ask(self, title: str, name: str) -> Path | None:
        return ask_save_path(self, title, name, self.tr(PDF_FILTER), ".pdf", purpose="export")

    def print_letter(self, row: LetterRow | None) -> None:
        if row is not None and row.direction == "转出":
            save_letter(self, self.ctx, row)

    def print_receipt(self, row: LetterRow | None) -> None:
        if row is None or row.direction != "转入":
            return
        path = self._ask(self.tr("保存介绍信回执"), f"介绍信回执第{row.letter_no}号 {row.name}.pdf")
        if path is None:
            return
        with user_errors(self):
            done = self.ctx.call(transfers.print_receipt, row.id, path, date.today())
            self.refresh()
            self._select(row.id)
            QMessageBox.information(self, self.tr("已生成回执"), self.tr(
                "已生成回执：\n{0}\n盖章后寄回{1}。").format(done, row.from_org))


def save_letter(parent: QWidget, ctx: AppContext, row: LetterRow) -> Path | None:
    """Ask where, then write the 介绍信 PDF (存根, 介绍信, 回执); None when the user cancels or it fails."""
    path = ask_save_path(parent, parent.tr("保存组织关系介绍信"), f"组织关系介绍信第{row.letter_no}号 {row.name}.pdf",
                         parent.tr(PDF_FILTER), ".pdf", purpose="export")
    if path is None:
        return None
    with user_errors(parent):
        done: Path = ctx.call(transfers.print_letter, row.id, path)
        QMessageBox.information(parent, parent.tr("已生成介绍信"), parent.tr(
            "已生成第 {0} 号组织关系介绍信（存根、介绍信、回执，一页 A4）：\n{1}\n"
            "内含完整身份证号，请打印后妥善保管，在骑缝处加盖骑缝章。").format(row.letter_no, done))
        return done
    return None


def offer_letter(parent: QWidget, ctx: AppContext, member_id: int) -> Path | None:
    """After a 转出 entered on the 党员 page: offer to issue and print the member's 介绍信 (the number typed
    there, else the next one)."""
    answer = QMessageBox.question(parent, parent.tr("组织关系介绍信"),
                                  parent.tr("已办理转出。现在开具并打印组织关系介绍信吗？"))
    if answer != QMessageBox.StandardButton.Yes:
        return None
    with user_errors(parent):
        row = ctx.call(transfers.get_letter, ctx.call(transfers.letter_of_departed, member_id))
        return save_letter(parent, ctx, row)
    return None
