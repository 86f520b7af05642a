"""查看名单 (dlg_notice_rows): the rows of an archived notice as they were posted (masked, frozen), with a
filter — the clerk answering an 异议 looks up who was on the list without opening the PDF."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


class NoticeRowsDialog(QDialog):
    def __init__(self, title: str, columns: list[dict[str, str]], rows: list[list[str]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dlg_notice_rows")
        self.setWindowTitle(self.tr("公示名单：{0}").format(title))
        outer = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.edit_filter = QLineEdit(self)
        self.edit_filter.setObjectName("edit_filter_rows")
        self.edit_filter.setPlaceholderText(self.tr("筛选：姓名、户主、网格……"))
        self.edit_filter.setClearButtonEnabled(True)
        self.label_count = QLabel(self)
        self.label_count.setObjectName("label_rows_count")
        bar.addWidget(self.edit_filter, 1)
        bar.addWidget(self.label_count)
        outer.addLayout(bar)
        self.table = QTableWidget(len(rows), len(columns), self)
        self.table.setObjectName("table_notice_rows")
        self.table.setHorizontalHeaderLabels([c.get("header", "") for c in columns])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        for i, row in enumerate(rows):
            for j, value in enumerate(row[: len(columns)]):
                self.table.setItem(i, j, QTableWidgetItem("" if value is None else str(value)))
        self.table.resizeColumnsToContents()
        outer.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.btn_close = QPushButton(self.tr("关闭"), self)
        self.btn_close.setObjectName("btn_close")
        self.btn_close.clicked.connect(self.accept)
        buttons.addWidget(self.btn_close)
        outer.addLayout(buttons)
        self.edit_filter.textChanged.connect(self.apply_filter)
        self.apply_filter("")
        em = self.fontMetrics().horizontalAdvance("中")
        self.resize(em * 60, em * 32)

    def apply_filter(self, text: str) -> None:
        words = text.split()
        shown = 0
        for i in range(self.table.rowCount()):
            line = " ".join(self.table.item(i, j).text() for j in range(self.table.columnCount())
                            if self.table.item(i, j) is not None)
            hide = any(w not in line for w in words)
            self.table.setRowHidden(i, hide)
            shown += not hide
        self.label_count.setText(self.tr("{0} / {1} 条").format(shown, self.table.rowCount()))
