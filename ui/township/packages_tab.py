"""镇级汇总 → 上报数据包: every package received, the current one of each village first; 导入数据包… (files
from a USB stick, each verified and merged) and 颁发上报密钥… (a new village's key pair)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QPushButton, QVBoxLayout, QWidget

from app.services import units
from app.services.context import AppContext

from ..common.files import ask_open_paths
from ..common.page import Changes
from ..common.table_model import Column, LazyTableModel, list_source
from ..common.widgets import DataTable, InfoLabel
from ..errors import user_errors
from .dialogs import PACKAGE_FILTER, IssueKeyDialog, PackageImportDialog, issued_text

if TYPE_CHECKING:
    from app.services.township.packages import SnapshotRow

CHANGE_KIND = "package"


def local_time(at: datetime) -> datetime:
    """The database keeps UTC; the office reads its own clock."""
    return at.replace(tzinfo=UTC).astimezone().replace(tzinfo=None)
  # the 汇总 tab counts again after an import

COLUMNS: list[Column[SnapshotRow]] = [
    Column("村(社区)", "village", width=8),
    Column("片区", "district", width=7),
    Column("数据截至", "as_of", width=6),
    Column("导入时间", lambda r: local_time(r.imported_at), width=9),
    Column("行数", "rows", width=5),
    Column("状态", lambda r: "当前" if r.is_current else "历史", width=4),
]


class PackagesTab(QWidget):
    """tab_township_packages: table_snapshots, btn_import_packages, btn_issue_key."""

    def __init__(self, ctx: AppContext, changes: Changes, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tab_township_packages")
        self.ctx, self.changes = ctx, changes
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("不联网的村每月导出一个上报数据包（*.vdpkg 文件），用U盘交到镇里，在这里导入。每个包都核对该村的"
                               "密钥签名；同一个包导入两次不会重复，较早的包按日期保留为历史。"), self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        bar = QHBoxLayout()
        self.btn_import = QPushButton(self.tr("导入数据包…"), self)
        self.btn_import.setObjectName("btn_import_packages")
        self.btn_import.clicked.connect(self.import_packages)
        self.btn_issue = QPushButton(self.tr("颁发上报密钥…"), self)
        self.btn_issue.setObjectName("btn_issue_key")
        self.btn_issue.clicked.connect(self.issue_key)
        bar.addWidget(self.btn_import)
        bar.addWidget(self.btn_issue)
        bar.addStretch(1)
        layout.addLayout(bar)
        self.table = DataTable("table_snapshots", self)
        self.table.list_name = "上报数据包"
        self.model: LazyTableModel[SnapshotRow] = LazyTableModel(COLUMNS, *list_source(self._rows), parent=self)
        self.table.setModel(self.model)
        layout.addWidget(self.table, 1)
        self.info = InfoLabel("label_snapshots_info", self)
        layout.addWidget(self.info)
        self.model.loadFailed.connect(self.info.show_error)
        if not self._may_write():  # a 镇级 operator who only reads: offered nothing the service refuses
            for button in (self.btn_import, self.btn_issue):
                button.setEnabled(False)
                button.setToolTip(self.tr("镇级操作员只能查看各村数据；导入数据包和颁发密钥需要“允许修改各村数据”"))

    def _may_write(self) -> bool:
        from app.services.safety.auth import current_operator

        me = self.ctx.call(current_operator) if self.ctx.operator_id is not None else None
        return me is None or me.role in ("admin",) or (me.role == "township" and me.can_write)

    def _rows(self) -> list[SnapshotRow]:
        from app.services.township import packages

        township_id = self.ctx.call(units.township_id)
        return [] if township_id is None else self.ctx.call(packages.list_snapshots, township_id)

    def refresh(self) -> None:
        with user_errors(self):
            self.model.refresh()
        rows = self.model.rows
        current = sum(r.is_current for r in rows)
        self.info.show_info(self.tr("共 {0} 个数据包，其中当前 {1} 个。").format(len(rows), current))

    def import_packages(self) -> None:
        paths = ask_open_paths(self, self.tr("选择上报数据包"), self.tr(PACKAGE_FILTER), "packages")
        if not paths:
            return
        dialog = PackageImportDialog(self.ctx, self)
        dialog.imported.connect(self._after_import)
        dialog.start(paths)
        dialog.exec()

    def _after_import(self, count: int) -> None:
        self.refresh()
        if count:
            self.changes.changed.emit(CHANGE_KIND, self)

    def issue_key(self) -> None:
        with user_errors(self):
            dialog = IssueKeyDialog(self.ctx, self)
            if dialog.exec() and dialog.result_value is not None:
                QMessageBox.information(self, self.tr("颁发上报密钥"), issued_text(dialog.result_value))
                self.changes.changed.emit(CHANGE_KIND, self)
