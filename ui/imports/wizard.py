"""导入向导: choose file → preview with the detected header → mapping → check report → import → done.

Reading, checking and importing run off the GUI thread (ui.common.background) with a progress bar
and 取消. Nothing is written before the user has seen the report and pressed 开始导入; the import
itself backs the database up first and writes everything in one transaction.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.io.excel_import import SheetTable, cell_text, read_table
from app.services.context import AppContext
from app.services.errors import ServiceError
from app.services.imports import flow as imports

from ..common.background import BackgroundJob
from ..errors import user_errors

PREVIEW_ROWS = 30
CELL_CHARS = 40  # a 10,000-character cell is cut in the preview, not in the data
STEPS = ("选择文件", "预览", "列对应", "检查结果", "导入", "完成")
FILE_FILTER = "表格文件 (*.xlsx *.xls *.et *.csv);;所有文件 (*)"


def _short(value: object) -> str:
    text = cell_text(value)  # type: ignore[arg-type]
    return text if len(text) <= CELL_CHARS else text[:CELL_CHARS] + "…"


def _item(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled)
    return item


class ImportWizard(QDialog):
    """dlg_import. `imported` is emitted with the batch id after a successful import."""

    imported = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("dlg_import")
        self.setWindowTitle(self.tr("导入名册"))
        self.setModal(True)
        self.resize(980, 640)
        self.table: SheetTable | None = None
        self.layout_info: imports.Layout | None = None
        self.report: imports.ImportReport | None = None
        self.result: imports.ImportResult | None = None
        self.job: BackgroundJob | None = None
        self.pasted = False  # rows pasted into a list (start_with_rows), not a file

        outer = QVBoxLayout(self)
        self.lbl_step = QLabel(self)
        self.lbl_step.setObjectName("lbl_step")
        outer.addWidget(self.lbl_step)
        self.stack = QStackedWidget(self)
        self.stack.setObjectName("stack_steps")
        outer.addWidget(self.stack, 1)
        for build in (self._build_file, self._build_preview, self._build_mapping, self._build_report,
                      self._build_progress, self._build_done):
            self.stack.addWidget(build())

        self.lbl_error = QLabel(self)
        self.lbl_error.setObjectName("lbl_error")
        self.lbl_error.setStyleSheet("color: #c62828;")
        self.lbl_error.setWordWrap(True)
        self.lbl_error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        outer.addWidget(self.lbl_error)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("progress_import")
        self.progress.hide()
        outer.addWidget(self.progress)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.btn_back = QPushButton(self.tr("上一步"), self)
        self.btn_back.setObjectName("btn_back")
        self.btn_next = QPushButton(self.tr("下一步"), self)
        self.btn_next.setObjectName("btn_next")
        self.btn_next.setDefault(True)
        self.btn_cancel = QPushButton(self.tr("取消"), self)
        self.btn_cancel.setObjectName("btn_cancel")
        for b in (self.btn_back, self.btn_next, self.btn_cancel):
            buttons.addWidget(b)
        outer.addLayout(buttons)
        self.btn_back.clicked.connect(self.go_back)
        self.btn_next.clicked.connect(self.go_next)
        self.btn_cancel.clicked.connect(self.cancel_or_close)
        self._show_step(0)

    # ---- building the steps ---------------------------------------------------------------------

    def _build_file(self) -> QWidget:
        page = QWidget(self)
        page.setObjectName("step_file")
        grid = QGridLayout(page)
        grid.addWidget(QLabel(self.tr("文件："), page), 0, 0)
        self.edit_path = QLineEdit(page)
        self.edit_path.setObjectName("edit_path")
        self.edit_path.setPlaceholderText(self.tr("选择 Excel（.xlsx/.xls）或 CSV 文件"))
        grid.addWidget(self.edit_path, 0, 1)
        self.btn_choose_file = QPushButton(self.tr("浏览…"), page)
        self.btn_choose_file.setObjectName("btn_choose_file")
        self.btn_choose_file.clicked.connect(self.choose_file)
        grid.addWidget(self.btn_choose_file, 0, 2)
        grid.addWidget(QLabel(self.tr("导入内容："), page), 1, 0)
        self.combo_kind = QComboBox(page)
        self.combo_kind.setObjectName("combo_kind")
        for kind, label in imports.KIND_LABELS.items():
            self.combo_kind.addItem(label, kind)
        grid.addWidget(self.combo_kind, 1, 1)
        hint = QLabel(self.tr(
            "表格第一行可以是标题，程序会在前 30 行中自动找到表头。\n"
            "身份证号一列请设为“文本”格式，否则 Excel 会丢掉后几位。\n"
            "导入前会自动备份数据库；导入后可在“文件 → 导入记录”中整批撤销。"), page)
        hint.setWordWrap(True)
        grid.addWidget(hint, 2, 0, 1, 3)
        grid.setRowStretch(3, 1)
        grid.setColumnStretch(1, 1)
        return page

    def _build_preview(self) -> QWidget:
        page = QWidget(self)
        page.setObjectName("step_preview")
        box = QVBoxLayout(page)
        row = QHBoxLayout()
        self.lbl_header = QLabel(page)
        self.lbl_header.setObjectName("lbl_header")
        row.addWidget(self.lbl_header, 1)
        row.addWidget(QLabel(self.tr("表头在第"), page))
        self.spin_header = QSpinBox(page)
        self.spin_header.setObjectName("spin_header_row")
        self.spin_header.setMinimum(1)
        row.addWidget(self.spin_header)
        row.addWidget(QLabel(self.tr("行"), page))
        box.addLayout(row)
        self.table_preview = QTableWidget(page)
        self.table_preview.setObjectName("table_preview")
        self.table_preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        box.addWidget(self.table_preview, 1)
        self.spin_header.valueChanged.connect(self._header_row_changed)
        return page

    def _build_mapping(self) -> QWidget:
        page = QWidget(self)
        page.setObjectName("step_mapping")
        box = QVBoxLayout(page)
        self.lbl_mapping = QLabel(page)
        self.lbl_mapping.setObjectName("lbl_mapping")
        self.lbl_mapping.setWordWrap(True)
        box.addWidget(self.lbl_mapping)
        self.table_mapping = QTableWidget(page)
        self.table_mapping.setObjectName("table_mapping")
        self.table_mapping.setColumnCount(3)
        self.table_mapping.setHorizontalHeaderLabels([self.tr("表中的列"), self.tr("示例"), self.tr("导入为")])
        self.table_mapping.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table_mapping.verticalHeader().hide()
        box.addWidget(self.table_mapping, 1)
        opts = QHBoxLayout()
        opts.addWidget(QLabel(self.tr("已登记的人："), page))
        self.radio_skip = QRadioButton(self.tr("跳过"), page)
        self.radio_skip.setObjectName("radio_existing_skip")
        self.radio_skip.setChecked(True)
        self.radio_update = QRadioButton(self.tr("按表更新"), page)
        self.radio_update.setObjectName("radio_existing_update")
        group = QButtonGroup(page)
        group.addButton(self.radio_skip)
        group.addButton(self.radio_update)
        opts.addWidget(self.radio_skip)
        opts.addWidget(self.radio_update)
        opts.addSpacing(20)
        self.chk_create = QCheckBox(self.tr("自动新建表中未知的支部/网格/类别"), page)
        self.chk_create.setObjectName("chk_create_missing")
        opts.addWidget(self.chk_create)
        self.chk_skip_errors = QCheckBox(self.tr("跳过有问题的行，只导入无误的行"), page)
        self.chk_skip_errors.setObjectName("chk_skip_errors")
        opts.addWidget(self.chk_skip_errors)
        opts.addStretch(1)
        box.addLayout(opts)
        return page

    def _build_report(self) -> QWidget:
        page = QWidget(self)
        page.setObjectName("step_report")
        box = QVBoxLayout(page)
        self.lbl_summary = QLabel(page)
        self.lbl_summary.setObjectName("lbl_summary")
        self.lbl_summary.setWordWrap(True)
        box.addWidget(self.lbl_summary)
        self.table_problems = QTableWidget(page)
        self.table_problems.setObjectName("table_problems")
        self.table_problems.setColumnCount(3)
        self.table_problems.setHorizontalHeaderLabels([self.tr("行"), self.tr("列"), self.tr("问题")])
        self.table_problems.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table_problems.verticalHeader().hide()
        self.table_problems.setWordWrap(True)
        box.addWidget(self.table_problems, 1)
        row = QHBoxLayout()
        self.btn_export_problems = QPushButton(self.tr("导出问题行…"), page)
        self.btn_export_problems.setObjectName("btn_export_problems")
        self.btn_export_problems.clicked.connect(self.export_problems)
        row.addWidget(self.btn_export_problems)
        row.addStretch(1)
        box.addLayout(row)
        return page

    def _build_progress(self) -> QWidget:
        page = QWidget(self)
        page.setObjectName("step_import")
        box = QVBoxLayout(page)
        self.lbl_working = QLabel(self.tr("正在备份并导入，请稍候……"), page)
        self.lbl_working.setObjectName("lbl_working")
        box.addWidget(self.lbl_working)
        box.addStretch(1)
        return page

    def _build_done(self) -> QWidget:
        page = QWidget(self)
        page.setObjectName("step_done")
        box = QVBoxLayout(page)
        self.lbl_done = QLabel(page)
        self.lbl_done.setObjectName("lbl_done")
        self.lbl_done.setWordWrap(True)
        self.lbl_done.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.addWidget(self.lbl_done)
        box.addStretch(1)
        return page

    # ---- navigation -----------------------------------------------------------------------------

    def step(self) -> int:
        return self.stack.currentIndex()

    def _show_step(self, index: int) -> None:
        self.stack.setCurrentIndex(index)
        self.lbl_step.setText(" → ".join(
            f"<b>{self.tr(name)}</b>" if i == index else self.tr(name) for i, name in enumerate(STEPS)))
        self.lbl_error.clear()
        busy = self.job is not None and self.job.running
        self.btn_back.setEnabled((1 if self.pasted else 0) < index < 4 and not busy)  # pasted rows: no file step
        self.btn_back.setVisible(index < 5)
        texts = {0: "下一步", 1: "下一步", 2: "检查", 3: "开始导入", 4: "导入中…", 5: "完成"}
        self.btn_next.setText(self.tr(texts[index]))
        can_import = self.report is not None and self.report.can_write
        self.btn_next.setEnabled(not busy and (index != 3 or can_import) and index != 4)
        self.btn_cancel.setVisible(index < 5)

    def go_back(self) -> None:
        if self.step() in (1, 2, 3):
            self._show_step(self.step() - 1)

    def go_next(self) -> None:
        index = self.step()
        if index == 0:
            self.load_file()
        elif index == 1:
            self._fill_mapping()
            self._show_step(2)
        elif index == 2:
            self.run_check()
        elif index == 3:
            self.run_import()
        elif index == 5:
            self.accept()

    def cancel_or_close(self) -> None:
        if self.job is not None and self.job.running:
            self.job.cancel()
            self.lbl_working.setText(self.tr("正在取消……"))
            return
        self.reject()

    def reject(self) -> None:
        if self.job is not None and self.job.running:
            self.job.cancel()  # Esc while working: stop the work first, close when it says so
            return
        super().reject()

    # ---- step 1: the file -----------------------------------------------------------------------

    def kind(self) -> str:
        return str(self.combo_kind.currentData())

    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("选择要导入的文件"), self.edit_path.text(), self.tr(FILE_FILTER))
        if path:
            self.edit_path.setText(path)

    def _start(self, work: Any, on_done: Any, label: str) -> None:
        self.job = BackgroundJob(work, self)
        self.job.progress.connect(self._on_progress)
        self.job.finished.connect(on_done)
        self.job.failed.connect(self._on_failed)
        self.job.cancelled.connect(self._on_cancelled)
        self.progress.setRange(0, 0)
        self.progress.setFormat(label + " %p%")
        self.progress.show()
        self.btn_next.setEnabled(False)
        self.btn_back.setEnabled(False)
        self.job.start()

    def _on_progress(self, done: int, total: int) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(done)

    def _finish_job(self) -> None:
        self.progress.hide()

    def _on_failed(self, message: str) -> None:
        self._finish_job()
        back = {4: 3}.get(self.step(), self.step())
        self._show_step(back)
        self.lbl_error.setText(message)

    def _on_cancelled(self, message: str) -> None:
        self._on_failed(message)

    def load_file(self) -> None:
        text = self.edit_path.text().strip()
        if not text:
            self.lbl_error.setText(self.tr("请先选择要导入的文件"))
            return
        path, kind, ctx = Path(text), self.kind(), self.ctx

        def work(progress: Any, cancel: Any) -> tuple[SheetTable, imports.Layout]:
            table = read_table(path)
            return table, ctx.call(imports.detect_layout, ctx.unit_id, kind, table)

        self._start(work, self._file_loaded, self.tr("读取文件"))

    def _file_loaded(self, result: tuple[SheetTable, imports.Layout]) -> None:
        self._finish_job()
        self.table, self.layout_info = result
        self.spin_header.blockSignals(True)
        self.spin_header.setMaximum(len(self.table.rows))
        self.spin_header.setValue(self.layout_info.header_row + 1)
        self.spin_header.blockSignals(False)
        self._fill_preview()
        self._show_step(1)

    def start_with_rows(self, kind: str, table: SheetTable, layout: imports.Layout) -> None:
        """Rows pasted into the 居民, 户 or 党员 list: no file to choose; the check runs at once, and the
        report, 开始导入 and the undo in 导入记录 are a file's. 上一步 shows the column mapping."""
        self.pasted = True
        self.setWindowTitle(self.tr("粘贴导入{0}").format(imports.KIND_LABELS.get(kind, "")))
        self.combo_kind.setCurrentIndex(max(self.combo_kind.findData(kind), 0))
        self.table, self.layout_info = table, layout
        self.spin_header.blockSignals(True)
        self.spin_header.setMaximum(len(table.rows))
        self.spin_header.setValue(layout.header_row + 1)
        self.spin_header.blockSignals(False)
        self._fill_preview()
        self._fill_mapping()
        self._show_step(2)
        self.run_check()

    # ---- step 2: preview ------------------------------------------------------------------------

    def _fill_preview(self) -> None:
        table, layout = self.table, self.layout_info
        assert table is not None and layout is not None
        rows = table.rows[:PREVIEW_ROWS]
        width = max((len(r) for r in rows), default=0)
        self.table_preview.clear()
        self.table_preview.setRowCount(len(rows))
        self.table_preview.setColumnCount(width)
        self.table_preview.setVerticalHeaderLabels([str(i + 1) for i in range(len(rows))])
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                item = _item(_short(value))
                if r == layout.header_row:
                    item.setBackground(QColor("#fde2e1"))
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table_preview.setItem(r, c, item)
        self.lbl_header.setText(self.tr("“{0}”工作表“{1}”，共 {2} 行。第 {3} 行是表头（红色），其下为数据。").format(
            table.file_name, table.sheet_name, len(table.rows), layout.header_row + 1))

    def _header_row_changed(self, value: int) -> None:
        if self.table is None:
            return
        with user_errors(self):
            self.layout_info = self.ctx.call(imports.detect_layout, self.ctx.unit_id, self.kind(), self.table, value - 1)
            self._fill_preview()

    # ---- step 3: mapping ------------------------------------------------------------------------

    def _fill_mapping(self) -> None:
        table, layout = self.table, self.layout_info
        assert table is not None and layout is not None
        fields = imports.fields_of(self.kind())
        sample_row = next((r for r in table.rows[layout.header_row + 1:] if any(c is not None for c in r)), [])
        self.table_mapping.setRowCount(len(layout.headers))
        for col, header in enumerate(layout.headers):
            self.table_mapping.setItem(col, 0, _item(header or self.tr("第{0}列").format(col + 1)))
            self.table_mapping.setItem(col, 1, _item(_short(sample_row[col]) if col < len(sample_row) else ""))
            combo = QComboBox(self.table_mapping)
            combo.setObjectName(f"combo_map_{col}")
            combo.addItem(self.tr("（不导入）"), None)
            for f in fields:
                combo.addItem(f.label + ("（必填）" if f.required else ""), f.key)
            current = layout.mapping.get(col)
            combo.setCurrentIndex(max(combo.findData(current), 0) if current else 0)
            self.table_mapping.setCellWidget(col, 2, combo)
        self.table_mapping.resizeColumnToContents(0)
        self.table_mapping.setColumnWidth(2, 220)
        note = self.tr("已按上次同样格式的文件自动对应。") if layout.remembered else self.tr("已按列名自动对应。")
        self.lbl_mapping.setText(note + self.tr("请核对每一列要导入为什么；不需要的列选“（不导入）”。"))

    def mapping(self) -> dict[int, str]:
        out: dict[int, str] = {}
        for col in range(self.table_mapping.rowCount()):
            combo = self.table_mapping.cellWidget(col, 2)
            if isinstance(combo, QComboBox) and combo.currentData():
                out[col] = str(combo.currentData())
        return out

    def options(self) -> imports.ImportOptions:
        return imports.ImportOptions(
            on_existing="update" if self.radio_update.isChecked() else "skip",
            skip_errors=self.chk_skip_errors.isChecked(), create_missing=self.chk_create.isChecked(),
        )

    def _current_layout(self) -> imports.Layout:
        assert self.layout_info is not None
        mapping = self.mapping()
        twice = [k for k in set(mapping.values()) if list(mapping.values()).count(k) > 1]
        if twice:
            labels = "、".join(imports.field_label(self.kind(), k) for k in twice)
            raise ServiceError(self.tr("“{0}”对应了不止一列，请只保留一列").format(labels))
        return imports.Layout(self.layout_info.header_row, self.layout_info.headers, mapping,
                              self.layout_info.remembered)

    # ---- step 4: the check report ---------------------------------------------------------------

    def run_check(self) -> None:
        try:
            layout = self._current_layout()
        except ServiceError as exc:
            self.lbl_error.setText(str(exc))
            return
        self.layout_info = layout
        table, kind, options, ctx = self.table, self.kind(), self.options(), self.ctx

        def work(progress: Any, cancel: Any) -> imports.ImportReport:
            return ctx.call(imports.check_import, ctx.unit_id, kind, table, layout, options, progress, cancel)

        self._start(work, self._checked, self.tr("检查"))

    def _checked(self, report: imports.ImportReport) -> None:
        self._finish_job()
        self.report = report
        problems = report.lines() if report.missing else []
        rows: list[tuple[str, str, str]] = [("", "", line) for line in problems]
        rows += [(str(p.row or ""), p.label, p.message) for p in report.problems]
        self.table_problems.setRowCount(len(rows))
        for r, (row, col, msg) in enumerate(rows):
            for c, text in enumerate((row, col, msg)):
                self.table_problems.setItem(r, c, _item(text))
        self.table_problems.resizeColumnToContents(0)
        self.table_problems.resizeColumnToContents(1)
        text = report.summary() + "。"
        if report.unknown_names:
            text += "".join(self.tr("\n表中有本村尚未建立的{0}：{1}（可勾选“自动新建”后重新检查）").format(
                label, "、".join(names[:10])) for label, names in report.unknown_names.items())
        if report.can_write:
            text += self.tr("\n按“开始导入”写入数据库（导入前自动备份）。")
        elif report.has_problems:
            text += self.tr("\n有问题的行须先改正：可“导出问题行”在 Excel 中改好后重新导入，"
                            "或返回上一步勾选“跳过有问题的行”。")
        else:
            text += self.tr("\n没有需要新增或更新的行。")
        self.lbl_summary.setText(text)
        self.btn_export_problems.setEnabled(report.has_problems)
        self._show_step(3)

    def export_problems(self) -> None:
        if self.report is None or self.table is None:
            return
        name = Path(self.table.file_name).stem + "-问题行.xlsx"
        source = self.edit_path.text().strip()
        default = str(Path(source).with_name(name)) if source else name
        path, _ = QFileDialog.getSaveFileName(self, self.tr("导出问题行"), default, self.tr("Excel 文件 (*.xlsx)"))
        if not path:
            return
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        with user_errors(self):
            self.ctx.call(imports.export_problem_rows, self.ctx.unit_id, self.report, self.table, Path(path))
            QMessageBox.information(self, self.tr("导出问题行"), self.tr("已导出到 {0}").format(path))

    # ---- step 5/6: import -----------------------------------------------------------------------

    def run_import(self) -> None:
        if self.report is None or not self.report.can_write or self.layout_info is None:
            return
        table, kind, layout, options, ctx = self.table, self.kind(), self.layout_info, self.options(), self.ctx

        def work(progress: Any, cancel: Any) -> imports.ImportResult:
            return ctx.call_db(imports.import_with_backup, ctx.unit_id, kind, table, layout, options, progress, cancel)

        self.lbl_working.setText(self.tr("正在备份并导入，请稍候……（可按“取消”停止，数据库不会有任何改动）"))
        self._show_step(4)
        self._start(work, self._imported, self.tr("导入"))
        self.btn_cancel.setEnabled(True)

    def _imported(self, result: imports.ImportResult) -> None:
        self._finish_job()
        self.result = result
        text = result.summary() + "。"
        if result.backup:
            text += self.tr("\n导入前的数据已备份到：{0}").format(result.backup)
        text += self.tr("\n如需撤销，请到“文件 → 导入记录”中选择这次导入（第 {0} 批）后按“撤销本次导入”。").format(result.batch_id)
        self.lbl_done.setText(text)
        self._show_step(5)
        self.imported.emit(result.batch_id)
