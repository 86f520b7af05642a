"""导出台账: tick the ledgers, the year and the file; the export runs off the GUI thread.

A QProgressDialog shows how far it got and can cancel: the engine writes a temp file and renames it
at the end, so a cancelled (or failed) export leaves no file behind and keeps an older one as it was.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.services.context import AppContext
from app.services.output_kinds import LEDGER_KINDS

from .. import settings
from ..common.background import BackgroundJob
from ..common.files import ask_save_path, last_folder

if TYPE_CHECKING:
    from app.io.ledgers import LedgerResult

XLSX_FILTER = "Excel 文件 (*.xlsx)"
SHOW_PROGRESS_AFTER_MS = 500  # quick exports never flash a progress dialog
ERROR_STYLE = "color: #c62828;"
KINDS_KEY = "export/ledger_kinds"  # in the window preferences: the ledgers ticked last time
KIND_COLUMNS = 3  # ticks side by side: the 30-odd kinds keep 导出 in view on a 1366×768 screen


class LedgerExportDialog(QDialog):
    """dlg_export_ledger. `exported` holds the result after a successful export."""

    def __init__(self, ctx: AppContext, unit_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.unit_id = unit_id
        self.setObjectName("dlg_export_ledger")
        self.setWindowTitle(self.tr("导出台账"))
        self.setModal(True)
        self.job: BackgroundJob | None = None
        self.progress: QProgressDialog | None = None
        self.exported: LedgerResult | None = None

        outer = QVBoxLayout(self)
        box = QGroupBox(self.tr("要导出的台账（每种一张工作表，放在同一个 Excel 文件里）"), self)
        box_layout = QGridLayout(box)
        self.checks: dict[str, QCheckBox] = {}
        from app.services.ledgers import export as ledgers  # when the dialog opens, not with the window

        allowed = ctx.call(ledgers.exportable_kinds)  # a 网格员: only the ledgers of their grids
        ticked = self._last_kinds(allowed)
        for i, kind in enumerate(allowed):
            check = QCheckBox(self.tr(LEDGER_KINDS[kind]), box)
            check.setObjectName(f"chk_ledger_{kind.replace('-', '_')}")
            check.setChecked(kind in ticked)
            check.toggled.connect(self._suggest_name)
            box_layout.addWidget(check, i // KIND_COLUMNS, i % KIND_COLUMNS)
            self.checks[kind] = check
        outer.addWidget(box)

        grid = QGridLayout()
        grid.addWidget(QLabel(self.tr("年度"), self), 0, 0)
        self.spin_year = QSpinBox(self)
        self.spin_year.setObjectName("spin_year")
        self.spin_year.setRange(2000, 2100)
        self.spin_year.setValue(date.today().year)
        self.spin_year.valueChanged.connect(self._suggest_name)
        grid.addWidget(self.spin_year, 0, 1, Qt.AlignmentFlag.AlignLeft)
        grid.addWidget(QLabel(self.tr("保存到"), self), 1, 0)
        self.edit_output = QLineEdit(self)
        self.edit_output.setObjectName("edit_output")
        self.edit_output.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 30)
        grid.addWidget(self.edit_output, 1, 1)
        self.btn_choose_output = QPushButton(self.tr("浏览…"), self)
        self.btn_choose_output.setObjectName("btn_choose_output")
        self.btn_choose_output.clicked.connect(self.choose_output)
        grid.addWidget(self.btn_choose_output, 1, 2)
        grid.setColumnStretch(1, 1)
        outer.addLayout(grid)

        hint = QLabel(self.tr("报乡镇（街道）的台账含完整身份证号和电话，请妥善保管，不要张贴或外传。"), self)
        hint.setWordWrap(True)
        outer.addWidget(hint)
        self.lbl_status = QLabel(self)
        self.lbl_status.setObjectName("lbl_export_status")
        self.lbl_status.setWordWrap(True)
        outer.addWidget(self.lbl_status)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.btn_export = QPushButton(self.tr("导出"), self)
        self.btn_export.setObjectName("btn_export")
        self.btn_export.setDefault(True)
        self.btn_close = QPushButton(self.tr("关闭"), self)
        self.btn_close.setObjectName("btn_close")
        buttons.addWidget(self.btn_export)
        buttons.addWidget(self.btn_close)
        outer.addLayout(buttons)
        self.btn_export.clicked.connect(self.start_export)
        self.btn_close.clicked.connect(self.reject)
        self._auto_name = ""
        self._suggest_name()

    # ---- input ----------------------------------------------------------------------------------

    @staticmethod
    def _last_kinds(allowed: list[str]) -> set[str]:
        """The ledgers ticked last time (the first one offered, 党员花名册, the first time)."""
        value = settings.ui_settings().value(KINDS_KEY)
        kinds = {str(k) for k in value} if isinstance(value, list) else {str(value)} if value else set()
        return (kinds & set(allowed)) or set(allowed[:1])

    def kinds(self) -> list[str]:
        return [kind for kind, check in self.checks.items() if check.isChecked()]

    def default_name(self) -> str:
        kinds = self.kinds()
        what = LEDGER_KINDS[kinds[0]] if len(kinds) == 1 else self.tr("台账")
        return f"{what}_{self.spin_year.value()}.xlsx"

    def _suggest_name(self) -> None:
        """Fill in a name in the last folder, unless the user typed or chose one of their own."""
        current = self.edit_output.text().strip()
        if current and current != self._auto_name:
            return
        self._auto_name = str(last_folder("ledgers") / self.default_name())
        self.edit_output.setText(self._auto_name)

    def choose_output(self) -> None:
        current = Path(self.edit_output.text().strip() or self.default_name())
        path = ask_save_path(self, self.tr("导出台账"), current.name, self.tr(XLSX_FILTER), ".xlsx", "ledgers")
        if path is not None:
            self.edit_output.setText(str(path))

    def output_path(self) -> Path | None:
        text = self.edit_output.text().strip()
        if not text:
            return None
        path = Path(text)
        return path if path.suffix.lower() == ".xlsx" else path.with_name(path.name + ".xlsx")

    # ---- running --------------------------------------------------------------------------------

    def show_status(self, message: str, error: bool = False) -> None:
        self.lbl_status.setStyleSheet(ERROR_STYLE if error else "")
        self.lbl_status.setText(message)

    def start_export(self) -> None:
        if self.job is not None and self.job.running:
            return
        kinds, path, year = self.kinds(), self.output_path(), self.spin_year.value()
        if not kinds:
            self.show_status(self.tr("请至少选择一种台账。"), error=True)
            return
        if path is None:
            self.show_status(self.tr("请选择保存位置。"), error=True)
            return
        if path.exists():
            answer = QMessageBox.question(
                self, self.tr("导出台账"), self.tr("文件 {0} 已存在，要替换它吗？").format(path.name),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                return
        settings.set_value(KINDS_KEY, kinds)
        ctx, unit_id = self.ctx, self.unit_id
        # every ledger's service module, imported when an export starts, not when the window opens
        from app.services.ledgers import export as ledgers

        def work(progress, cancel):  # type: ignore[no-untyped-def]  # runs on a pool thread, no widgets
            return ctx.call(ledgers.export_ledgers, unit_id, kinds, path, year=year, progress=progress,
                            cancel=cancel)

        self.target = path
        self.job = BackgroundJob(work)  # no Qt parent: a closed window cannot delete it under the worker
        self.job.progress.connect(self._on_progress)
        self.job.finished.connect(self._on_finished)
        self.job.failed.connect(self._on_failed)
        self.job.cancelled.connect(self._on_cancelled)
        self.progress = self._progress_dialog()
        self._set_busy(True)
        self.show_status(self.tr("正在导出……"))
        self.job.start()

    def _progress_dialog(self) -> QProgressDialog:
        dialog = QProgressDialog(self.tr("正在导出台账，请稍候……"), self.tr("取消"), 0, 0, self)
        dialog.setObjectName("progress_export")
        dialog.setWindowTitle(self.tr("导出台账"))
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(SHOW_PROGRESS_AFTER_MS)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.canceled.connect(self.cancel_export)
        dialog.setValue(0)
        return dialog

    def cancel_export(self) -> None:
        if self.job is not None and self.job.running:
            self.job.cancel()
            self.show_status(self.tr("正在取消……"))

    def _set_busy(self, busy: bool) -> None:
        for widget in (self.btn_export, self.btn_choose_output, self.edit_output, self.spin_year,
                       *self.checks.values()):
            widget.setEnabled(not busy)

    def _end_job(self) -> None:
        if self.progress is not None:
            self.progress.canceled.disconnect(self.cancel_export)
            self.progress.close()
            self.progress.deleteLater()
            self.progress = None
        self._set_busy(False)

    def _on_progress(self, done: int, total: int) -> None:
        if self.progress is None or self.progress.wasCanceled():
            return
        if total > 0:
            self.progress.setMaximum(total)
            self.progress.setValue(min(done, total))
            self.progress.setLabelText(self.tr("正在导出台账：第 {0} / {1} 行").format(done, total))

    def _on_finished(self, result: LedgerResult) -> None:
        self._end_job()
        self.exported = result
        self.show_status(self.tr("已导出 {0} 行到 {1}").format(result.rows, self.target))
        QMessageBox.information(self, self.tr("导出台账"),
                                self.tr("已导出 {0} 行，保存在：\n{1}").format(result.rows, self.target))
        self.accept()

    def _on_failed(self, message: str) -> None:
        self._end_job()
        self.show_status(message, error=True)

    def _on_cancelled(self, message: str) -> None:
        self._end_job()
        self.show_status(message or self.tr("已取消，未生成文件。"))

    def reject(self) -> None:
        if self.job is not None and self.job.running:
            self.cancel_export()  # Esc while exporting: stop first; the dialog stays until it has stopped
            return
        super().reject()
