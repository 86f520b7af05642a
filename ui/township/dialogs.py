"""镇级汇总's dialogs: 导入数据包 (each file's result: 已导入 / 未变化 / 拒收 and why), 颁发上报密钥 (村名, 片区,
folder → the village's .vdkey and .pub) and 导出镇级台账 (ledgers stacked by village into one workbook).

Imports and exports run on the thread pool (ui/common/background.py); each package is imported in its own
transaction, so one refused file leaves the others imported.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services import units
from app.services.context import AppContext
from app.services.errors import FieldProblem, NotFound, ServiceError, ValidationError, explain
from app.services.township.packages import ImportOutcome

from ..common.background import BackgroundJob
from ..common.files import ask_folder, ask_save_path, last_folder
from ..common.form import ERROR_STYLE, FormDialog
from ..errors import unexpected_message

PACKAGE_FILTER = "上报数据包 (*.vdpkg)"
XLSX_FILTER = "Excel 文件 (*.xlsx)"
IMPORTED, UNCHANGED, REFUSED = "已导入", "未变化", "拒收"
REFUSED_COLOUR = QColor("#ffcdd2")


def township_of(ctx: AppContext, township_id: int | None) -> int:
    """The township unit the dialog works for (the window's, when not given)."""
    found = township_id if township_id is not None else ctx.call(units.township_id)
    if found is None:
        raise NotFound("本数据库里没有乡镇(街道)单位，不能导入或颁发上报数据包。")
    return found


@dataclass(frozen=True)
class PackageResult:
    name: str  # the file's name
    status: str  # 已导入 / 未变化 / 拒收
    detail: str  # 村, 数据截至 and rows; or why it was refused


def _import_one(ctx: AppContext, path: Path) -> PackageResult:
    from app.services.township import packages

    try:
        outcome = ctx.call(packages.import_package, path)
    except ServiceError as exc:  # PackageRefused and any other refusal: said as the service words it
        return PackageResult(path.name, REFUSED, str(exc))
    except Exception as exc:  # noqa: BLE001 - a broken file must not stop the other files
        return PackageResult(path.name, REFUSED, explain(exc) or unexpected_message())
    status = IMPORTED if outcome.status == "imported" else UNCHANGED
    return PackageResult(path.name, status, _describe(outcome))


def _describe(outcome: ImportOutcome) -> str:
    text = f"{outcome.village}，数据截至 {outcome.as_of.isoformat()}，{outcome.rows} 行"
    if outcome.status != "imported":
        text += "；与已导入的数据包相同，未重复导入"
    elif outcome.replaced_same_day:
        text += "；替换了同一天较早的数据包"
    return text


class PackageImportDialog(QDialog):
    """dlg_package_import: start(paths) imports each file off the GUI thread and lists the results."""

    imported = Signal(int)  # how many packages were imported (not unchanged, not refused)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("dlg_package_import")
        self.setWindowTitle(self.tr("导入上报数据包"))
        self.setModal(True)
        self.job: BackgroundJob | None = None
        self.results: list[PackageResult] = []
        layout = QVBoxLayout(self)
        self.label_status = QLabel(self.tr("请选择要导入的数据包。"), self)
        self.label_status.setObjectName("label_import_status")
        self.label_status.setWordWrap(True)
        layout.addWidget(self.label_status)
        self.table = QTableWidget(0, 3, self)
        self.table.setObjectName("table_import_results")
        self.table.setHorizontalHeaderLabels([self.tr("文件"), self.tr("结果"), self.tr("说明")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        em = self.fontMetrics().horizontalAdvance("中")
        self.table.setMinimumSize(em * 48, self.fontMetrics().height() * 10)
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.btn_close = QPushButton(self.tr("关闭"), self)
        self.btn_close.setObjectName("btn_close")
        self.btn_close.clicked.connect(self.reject)
        buttons.addWidget(self.btn_close)
        layout.addLayout(buttons)

    def start(self, paths: Sequence[Path]) -> None:
        if self.job is not None and self.job.running or not paths:
            return
        ctx, todo = self.ctx, list(paths)

        def work(progress: Callable[[int, int], None], cancel: Callable[[], bool]) -> list[PackageResult]:
            out = []
            for i, path in enumerate(todo):
                if cancel():
                    break
                out.append(_import_one(ctx, path))
                progress(i + 1, len(todo))
            return out

        self.job = BackgroundJob(work)  # no Qt parent: closing the dialog cannot delete it under the worker
        self.job.progress.connect(self._on_progress)
        self.job.finished.connect(self._on_finished)
        self.job.failed.connect(self._on_failed)
        self.btn_close.setEnabled(False)
        self.label_status.setText(self.tr("正在导入 {0} 个数据包……").format(len(todo)))
        self.job.start()

    def _on_progress(self, done: int, total: int) -> None:
        self.label_status.setText(self.tr("正在导入：第 {0} / {1} 个").format(done, total))

    def _on_finished(self, results: list[PackageResult]) -> None:
        self.results = results
        self.btn_close.setEnabled(True)
        self.table.setRowCount(len(results))
        for r, result in enumerate(results):
            for c, text in enumerate((result.name, result.status, result.detail)):
                item = QTableWidgetItem(text)
                if result.status == REFUSED:
                    item.setBackground(QBrush(REFUSED_COLOUR))
                self.table.setItem(r, c, item)
        self.table.resizeRowsToContents()
        counts = {s: sum(r.status == s for r in results) for s in (IMPORTED, UNCHANGED, REFUSED)}
        self.label_status.setText(self.tr("已导入 {0} 个，未变化 {1} 个，拒收 {2} 个。").format(
            counts[IMPORTED], counts[UNCHANGED], counts[REFUSED]))
        self.imported.emit(counts[IMPORTED])

    def _on_failed(self, message: str) -> None:
        self.btn_close.setEnabled(True)
        self.label_status.setStyleSheet(ERROR_STYLE)
        self.label_status.setText(message)

    def reject(self) -> None:
        if self.job is not None and self.job.running:
            return  # the files being imported finish first (each in its own transaction)
        super().reject()


class IssueKeyDialog(FormDialog):
    """dlg_issue_key: 村名, 片区 and a folder → issue_keys; result_value is the IssuedKey."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, township_id: int | None = None) -> None:
        super().__init__("dlg_issue_key", self.tr("颁发上报密钥"), parent)
        self.ctx = ctx
        self.township_id = township_id if township_id is not None else ctx.call(units.township_id)
        villages = ctx.call(units.list_villages, self.township_id) if self.township_id is not None else []
        self.combo_village = QComboBox(self)
        self.combo_village.setEditable(True)
        self.combo_village.addItems([v.name for v in villages])
        self.combo_village.setCurrentText("")
        self.combo_village.lineEdit().setPlaceholderText(self.tr("已有的村可选，新村直接输入"))
        self.add_field("village", self.tr("村(社区)名"), self.combo_village, required=True)
        self.combo_district = QComboBox(self)
        self.combo_district.setEditable(True)
        self.combo_district.addItems(sorted({v.district for v in villages if v.district}, key=units.district_order))
        self.combo_district.setCurrentText("")
        self.combo_district.lineEdit().setPlaceholderText(self.tr("如 第一片区，可不填"))
        self.add_field("district", self.tr("所属片区"), self.combo_district)
        holder = QWidget(self)
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        self.edit_folder = QLineEdit(holder)
        self.edit_folder.setObjectName("edit_key_folder")
        self.edit_folder.setText(str(last_folder("keys")))
        self.edit_folder.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 22)  # a USB stick's path
        self.btn_folder = QPushButton(self.tr("浏览…"), holder)
        self.btn_folder.setObjectName("btn_key_folder")
        self.btn_folder.clicked.connect(self.choose_folder)
        row.addWidget(self.edit_folder, 1)
        row.addWidget(self.btn_folder)
        self.add_field("out_dir", self.tr("保存到文件夹"), holder, required=True)
        hint = QLabel(self.tr("将生成两个文件：“村名.vdkey”是私钥，交给该村安装；“村名.pub”是公钥，同时登记在本库。"
                              "私钥文件请用U盘当面交给村里，不要通过微信、邮件发送。"), self)
        hint.setObjectName("label_issue_hint")
        hint.setWordWrap(True)
        self.layout().insertWidget(0, hint)
        self.btn_save.setText(self.tr("颁发"))
        self.btn_save.setToolTip(self.tr("颁发（Ctrl+S）"))
        self.combo_village.currentTextChanged.connect(self._district_of_known)
        self._villages = {v.name: v.district for v in villages}

    def _district_of_known(self, name: str) -> None:
        if name.strip() in self._villages:
            self.combo_district.setCurrentText(self._villages[name.strip()])

    def choose_folder(self) -> None:
        folder = ask_folder(self, self.tr("选择保存密钥的文件夹"), "keys")
        if folder is not None:
            self.edit_folder.setText(str(folder))

    def values(self) -> dict[str, Any]:
        village = self.combo_village.currentText().strip()
        folder = self.edit_folder.text().strip()
        problems = []
        if not village:
            problems.append(FieldProblem("village", self.labels["village"], self.tr("请填写村(社区)名")))
        if not folder:
            problems.append(FieldProblem("out_dir", self.labels["out_dir"], self.tr("请选择文件夹")))
        elif not Path(folder).is_dir():
            problems.append(FieldProblem("out_dir", self.labels["out_dir"], self.tr("文件夹不存在")))
        if problems:
            raise ValidationError(problems)
        return {"village": village, "district": self.combo_district.currentText().strip(), "out_dir": Path(folder)}

    def save(self, values: dict[str, Any]) -> Any:
        from app.services.township import keys

        township_id = township_of(self.ctx, self.township_id)
        return self.ctx.call(keys.issue_keys, township_id, values["village"], values["out_dir"],
                             district=values["district"])


def issued_text(issued: Any) -> str:
    """What the township does with the two files (shown after 颁发)."""
    return (f"已为 {issued.village} 颁发上报密钥（编号 {issued.key_id}）。\n"
            f"私钥：{issued.private_path}\n公钥：{issued.public_path}\n\n"
            f"把 {Path(issued.private_path).name} 交给该村，在 设置 → 上报数据包 安装；"
            f"公钥 {Path(issued.public_path).name} 已登记在本库。")


class TownshipLedgerDialog(QDialog):
    """dlg_township_ledger: the kinds (township_kinds()), the year and the file; the export runs off the GUI
    thread. `exported` holds the result after a successful export."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, township_id: int | None = None) -> None:
        super().__init__(parent)
        from app.services.township.township_ledgers import township_kinds

        self.ctx, self.township_id = ctx, township_id
        self.setObjectName("dlg_township_ledger")
        self.setWindowTitle(self.tr("导出镇级台账"))
        self.setModal(True)
        self.job: BackgroundJob | None = None
        self.exported: Any = None
        outer = QVBoxLayout(self)
        box = QGroupBox(self.tr("要导出的台账（各村汇总，带“村”列、各村小计和合计）"), self)
        grid = QGridLayout(box)
        self.checks: dict[str, QCheckBox] = {}
        for i, (kind, name) in enumerate(township_kinds().items()):
            check = QCheckBox(self.tr(name), box)
            check.setObjectName(f"chk_township_{kind.replace('-', '_')}")
            check.setChecked(i == 0)
            grid.addWidget(check, i // 3, i % 3)
            self.checks[kind] = check
        outer.addWidget(box)
        form = QGridLayout()
        form.addWidget(QLabel(self.tr("年度"), self), 0, 0)
        self.spin_year = QSpinBox(self)
        self.spin_year.setObjectName("spin_year")
        self.spin_year.setRange(2000, 2100)
        self.spin_year.setValue(date.today().year)
        form.addWidget(self.spin_year, 0, 1, Qt.AlignmentFlag.AlignLeft)
        form.addWidget(QLabel(self.tr("保存到"), self), 1, 0)
        self.edit_output = QLineEdit(self)
        self.edit_output.setObjectName("edit_output")
        self.edit_output.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 30)
        self._auto_name = ""
        self._suggest_name()
        self.spin_year.valueChanged.connect(self._suggest_name)
        form.addWidget(self.edit_output, 1, 1)
        self.btn_choose = QPushButton(self.tr("浏览…"), self)
        self.btn_choose.setObjectName("btn_choose_output")
        self.btn_choose.clicked.connect(self.choose_output)
        form.addWidget(self.btn_choose, 1, 2)
        form.setColumnStretch(1, 1)
        outer.addLayout(form)
        hint = QLabel(self.tr("镇级台账含各村完整的身份证号和电话，请妥善保管，不要张贴或外传。"), self)
        hint.setWordWrap(True)
        outer.addWidget(hint)
        self.label_status = QLabel(self)
        self.label_status.setObjectName("lbl_export_status")
        self.label_status.setWordWrap(True)
        outer.addWidget(self.label_status)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.btn_export = QPushButton(self.tr("导出"), self)
        self.btn_export.setObjectName("btn_export")
        self.btn_export.setDefault(True)
        self.btn_export.clicked.connect(self.start_export)
        self.btn_close = QPushButton(self.tr("关闭"), self)
        self.btn_close.setObjectName("btn_close")
        self.btn_close.clicked.connect(self.reject)
        buttons.addWidget(self.btn_export)
        buttons.addWidget(self.btn_close)
        outer.addLayout(buttons)

    def kinds(self) -> list[str]:
        return [kind for kind, check in self.checks.items() if check.isChecked()]

    def _suggest_name(self) -> None:
        """镇级台账_<年>.xlsx in the last folder, unless the user typed or chose a name of their own."""
        current = self.edit_output.text().strip()
        if current and current != self._auto_name:
            return
        self._auto_name = str(last_folder("ledgers") / self.tr("镇级台账_{0}.xlsx").format(self.spin_year.value()))
        self.edit_output.setText(self._auto_name)

    def choose_output(self) -> None:
        current = Path(self.edit_output.text().strip() or "镇级台账.xlsx")
        path = ask_save_path(self, self.tr("导出镇级台账"), current.name, self.tr(XLSX_FILTER), ".xlsx", "ledgers")
        if path is not None:
            self.edit_output.setText(str(path))

    def show_status(self, message: str, error: bool = False) -> None:
        self.label_status.setStyleSheet(ERROR_STYLE if error else "")
        self.label_status.setText(message)

    def start_export(self) -> None:
        if self.job is not None and self.job.running:
            return
        kinds, text, year = self.kinds(), self.edit_output.text().strip(), self.spin_year.value()
        if not kinds:
            self.show_status(self.tr("请至少选择一种台账。"), error=True)
            return
        if not text:
            self.show_status(self.tr("请选择保存位置。"), error=True)
            return
        path = Path(text) if text.lower().endswith(".xlsx") else Path(text + ".xlsx")
        if not path.parent.is_dir():
            self.show_status(self.tr("保存位置的文件夹不存在：{0}").format(path.parent), error=True)
            return
        try:
            township_id = township_of(self.ctx, self.township_id)
        except ServiceError as exc:
            self.show_status(str(exc), error=True)
            return
        ctx = self.ctx
        from app.services.township import township_ledgers

        def work(progress: Callable[[int, int], None], cancel: Callable[[], bool]) -> Any:
            return ctx.call(township_ledgers.export_township_ledgers, township_id, kinds, path, year=year,
                            progress=progress, cancel=cancel)

        self.target = path
        self.job = BackgroundJob(work)
        self.job.progress.connect(self._on_progress)
        self.job.finished.connect(self._on_finished)
        self.job.failed.connect(self._on_failed)
        self.job.cancelled.connect(self._on_failed)
        for w in (self.btn_export, self.btn_choose, self.edit_output, self.spin_year, *self.checks.values()):
            w.setEnabled(False)
        self.show_status(self.tr("正在导出……"))
        self.job.start()

    def _done(self) -> None:
        for w in (self.btn_export, self.btn_choose, self.edit_output, self.spin_year, *self.checks.values()):
            w.setEnabled(True)

    def _on_progress(self, done: int, total: int) -> None:
        if total > 0:
            self.show_status(self.tr("正在导出：第 {0} / {1} 行").format(done, total))

    def _on_finished(self, result: Any) -> None:
        self._done()
        self.exported = result
        self.show_status(self.tr("已导出：{0}（{1} 行）").format(self.target, result.rows))

    def _on_failed(self, message: str) -> None:
        self._done()
        self.show_status(message, error=True)

    def reject(self) -> None:
        if self.job is not None and self.job.running:
            return
        super().reject()
