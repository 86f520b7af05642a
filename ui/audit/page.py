"""操作日志: who changed what and when, with from → to; filters and an Excel export (书记 only)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services.context import AppContext
from app.services.safety import audit_log
from app.services.safety.audit_log import AuditQuery, AuditRow

from ..common.page import Changes, Page
from ..common.table_model import Column, LazyTableModel, service_source
from ..common.widgets import DataTable, InfoLabel, SearchBox
from ..errors import user_errors

AUDIT_COLUMNS: list[Column[AuditRow]] = [
    Column("时间", "at", width=9),
    Column("操作员", "operator", width=5),
    Column("操作", "action", width=4),
    Column("对象", "entity", width=4),
    Column("摘要", "summary", width=18),
    Column("修改内容（原值 → 新值）", "changes", width=30),
]


class AuditPage(Page):
    title = "操作日志"
    object_name = "page_audit"  # known before the page is built (ui/page_stack.py)
    roles = frozenset({"admin"})

    def __init__(self, ctx: AppContext, changes: Changes, parent: QWidget | None = None) -> None:
        super().__init__(ctx, changes, parent)
        self.setObjectName("page_audit")
        layout = QVBoxLayout(self)

        bar = QHBoxLayout()
        self.chk_dates = QCheckBox(self.tr("日期"), self)
        self.chk_dates.setObjectName("chk_audit_dates")
        self.date_from = QDateEdit(self)
        self.date_from.setObjectName("date_audit_from")
        self.date_to = QDateEdit(self)
        self.date_to.setObjectName("date_audit_to")
        today = QDate.currentDate()
        for edit, value in ((self.date_from, today.addDays(-30)), (self.date_to, today)):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setDate(value)
            edit.setEnabled(False)
        self.combo_operator = QComboBox(self)
        self.combo_operator.setObjectName("combo_audit_operator")
        self.combo_entity = QComboBox(self)
        self.combo_entity.setObjectName("combo_audit_entity")
        for combo in (self.combo_operator, self.combo_entity):
            # the list of 对象 grows with every area: the box keeps a fixed room, its popup shows whole names
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(7)
        self.edit_search = SearchBox("edit_search_audit", self.tr("在摘要中查找，如 姓名、户号"), self)
        self.btn_export = QPushButton(self.tr("导出 Excel…"), self)
        self.btn_export.setObjectName("btn_export_audit")
        bar.addWidget(self.chk_dates)
        bar.addWidget(self.date_from)
        bar.addWidget(QLabel(self.tr("至"), self))
        bar.addWidget(self.date_to)
        bar.addWidget(QLabel(self.tr("操作员"), self))
        bar.addWidget(self.combo_operator)
        bar.addWidget(QLabel(self.tr("对象"), self))
        bar.addWidget(self.combo_entity)
        bar.addWidget(self.edit_search, 1)
        bar.addWidget(self.btn_export)
        layout.addLayout(bar)

        self.table = DataTable("table_audit", self)
        count, page = service_source(ctx, audit_log.count_audit, audit_log.list_audit, self.query())
        self.model: LazyTableModel[AuditRow] = LazyTableModel(AUDIT_COLUMNS, count, page, parent=self)
        self.table.setModel(self.model)
        self.table.setWordWrap(False)
        layout.addWidget(self.table, 1)
        self.info = InfoLabel("info_audit", self)
        layout.addWidget(self.info)
        self.model.loadFailed.connect(self.info.show_error)
        self.model.refreshed.connect(self._show_count)

        self.chk_dates.toggled.connect(self._dates_toggled)
        self.date_from.dateChanged.connect(lambda _d: self.apply_filters())
        self.date_to.dateChanged.connect(lambda _d: self.apply_filters())
        self.combo_operator.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.combo_entity.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.edit_search.search.connect(lambda _t: self.apply_filters())
        self.btn_export.clicked.connect(self.export)
        self._loading = False
        self.load_filters()

    # ---- filters --------------------------------------------------------------------------------

    def load_filters(self) -> None:
        self._loading = True
        try:
            with user_errors(self):
                operators, entities = self.ctx.call(audit_log.audit_filters, self.unit_id)
                current_op = self.combo_operator.currentData()
                current_entity = self.combo_entity.currentData()
                self.combo_operator.clear()
                self.combo_operator.addItem(self.tr("全部"), None)
                for op_id, name in operators:
                    self.combo_operator.addItem(name, op_id)
                self.combo_operator.addItem(self.tr("（系统/命令行）"), audit_log.NO_OPERATOR)
                self.combo_entity.clear()
                self.combo_entity.addItem(self.tr("全部"), None)
                for key, label in entities:
                    self.combo_entity.addItem(label, key)
                for combo, value in ((self.combo_operator, current_op), (self.combo_entity, current_entity)):
                    i = combo.findData(value)
                    combo.setCurrentIndex(max(i, 0))
                    combo.view().setMinimumWidth(combo.view().sizeHintForColumn(0) + 24)  # whole names
        finally:
            self._loading = False

    def _dates_toggled(self, on: bool) -> None:
        self.date_from.setEnabled(on)
        self.date_to.setEnabled(on)
        self.apply_filters()

    @staticmethod
    def _day(edit: QDateEdit) -> date:
        d = edit.date()
        return date(d.year(), d.month(), d.day())

    def query(self) -> AuditQuery:
        dated = self.chk_dates.isChecked()
        return AuditQuery(
            unit_id=self.ctx.unit_id,
            date_from=self._day(self.date_from) if dated else None,
            date_to=self._day(self.date_to) if dated else None,
            operator_id=self.combo_operator.currentData(),
            entity=self.combo_entity.currentData(),
            text=self.edit_search.query(),
        )

    def apply_filters(self) -> None:
        if self._loading:
            return
        count, page = service_source(self.ctx, audit_log.count_audit, audit_log.list_audit, self.query())
        self.model.set_query(count, page)

    def _show_count(self) -> None:
        self.info.show_info(self.tr("共 {0} 条记录").format(self.model.total))

    def refresh(self) -> None:
        self.load_filters()
        self.apply_filters()

    def showEvent(self, event: QShowEvent) -> None:
        # every change anywhere lands in the log: look again each time the page is opened
        self._stale = True
        super().showEvent(event)

    def search_box(self) -> SearchBox:
        return self.edit_search

    # ---- export ---------------------------------------------------------------------------------

    def export(self) -> None:
        name = f"操作日志-{date.today():%Y%m%d}.xlsx"
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("导出操作日志"), str(Path.home() / name), self.tr("Excel 文件 (*.xlsx)")
        )
        if not path:
            return
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        result = None
        try:
            with user_errors(self):
                result = self.ctx.call(audit_log.export_audit, self.unit_id, self.query(), Path(path))
        finally:
            QApplication.restoreOverrideCursor()
        if result is not None:
            QMessageBox.information(
                self, self.tr("导出完成"), self.tr("已导出 {0} 条记录到\n{1}").format(result.rows, result.path)
            )
