"""月度通报: the month's ticket figures as text to read out at the 支委会 or paste into a 述职 report."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QHBoxLayout, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget


class MonthlyReportDialog(QDialog):
    """dlg_ticket_monthly: the lines of tickets.stats.monthly_report, read-only, with 复制."""

    def __init__(self, title: str, lines: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dlg_ticket_monthly")
        self.setWindowTitle(title)
        outer = QVBoxLayout(self)
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("text_monthly_report")
        self.text.setReadOnly(True)
        self.text.setPlainText("\n".join(lines))
        outer.addWidget(self.text, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.btn_copy = QPushButton(self.tr("复制全文"), self)
        self.btn_copy.setObjectName("btn_copy_report")
        self.btn_copy.clicked.connect(self.copy)
        self.btn_close = QPushButton(self.tr("关闭"), self)
        self.btn_close.setObjectName("btn_close")
        self.btn_close.clicked.connect(self.accept)
        row.addWidget(self.btn_copy)
        row.addWidget(self.btn_close)
        outer.addLayout(row)
        em = self.fontMetrics().horizontalAdvance("中")
        self.resize(em * 46, em * 26)

    def copy(self) -> None:
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None:
            clipboard.setText(self.text.toPlainText())
