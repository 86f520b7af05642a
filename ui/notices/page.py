"""公示与台账: the archive of posted notices with their objections; new notices, printing, 导出台账."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.services.context import AppContext
from app.services.notices import archive as notices
from app.services.notices.archive import NoticeRow, ObjectionRow
from app.services.notices.verify import verify_pdf

from ..common.files import ask_open_path, ask_save_path
from ..common.page import Changes, Page
from ..common.printing import PdfPreviewDialog
from ..common.table_model import Column, LazyTableModel, list_source
from ..common.widgets import DataTable, InfoLabel, set_filters
from ..errors import user_errors
from .dialogs import PDF_FILTER, NewNoticeDialog, ObjectionDialog, ResolveObjectionDialog
from .export_dialog import LedgerExportDialog
from .rows_dialog import NoticeRowsDialog

RIGHT = Qt.AlignmentFlag.AlignRight


def _period(row: NoticeRow) -> str:
    if row.period_start is None or row.period_end is None:
        return ""
    return f"{row.period_start.isoformat()} 至 {row.period_end.isoformat()}"


def _objections(row: NoticeRow) -> str:
    if not row.objections:
        return "0"
    if not row.open_objections:
        return f"{row.objections}（均已处理）"
    return f"{row.objections}（未处理 {row.open_objections}）"


NOTICE_COLUMNS: list[Column[NoticeRow]] = [
    Column("编号", "number", width=6),
    Column("类别", "kind_label", width=9),
    Column("标题", "title", width=22),
    Column("公示期", _period, width=14),
    Column("状态", "status", width=4),
    Column("异议", _objections, width=7),
    Column("纸张", "paper", width=3),
    Column("文件", lambda r: str(r.path) if r.path else "", width=20),
]

OBJECTION_COLUMNS: list[Column[ObjectionRow]] = [
    Column("收到日期", "received_on", width=6),
    Column("反映人", lambda o: o.raised_by or "匿名", width=5),
    Column("涉及对象", "subject", width=7),
    Column("异议内容", "content", width=22),
    Column("处理情况", lambda o: o.resolution or "（未处理）", width=18),
    Column("处理日期", "resolved_on", width=6),
]


class NoticesPage(Page):
    title = "公示与台账"
    object_name = "page_notices"  # known before the page is built (ui/page_stack.py)
    watches = frozenset({"notice"})

    def __init__(self, ctx: AppContext, changes: Changes, parent: QWidget | None = None) -> None:
        super().__init__(ctx, changes, parent)
        self.setObjectName("page_notices")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)

        bar = QHBoxLayout()
        self.btn_new_notice = self._button("btn_new_notice", self.tr("生成公示…"), self.new_notice, bar)
        self.btn_open_affairs = self._button("btn_open_affairs", self.tr("村务公开…"), self.new_open_affairs, bar)
        self.btn_open_affairs.setToolTip(self.tr("把任意表格（如财务收支）生成村务公开公示，身份证号、电话自动遮挡"))
        self.btn_open_notice = self._button("btn_open_notice", self.tr("打开"), self.open_notice, bar)
        self.btn_notice_rows = self._button("btn_notice_rows", self.tr("查看名单"), self.show_rows, bar)
        self.btn_notice_rows.setToolTip(self.tr("公示张贴时的名单（已脱敏），可筛选，便于核对异议"))
        self.btn_preview_notice = self._button("btn_preview_notice", self.tr("打印预览"), self.preview_notice, bar)
        self.btn_preview_notice.setToolTip(self.tr("打印预览，可直接打印或另存为 PDF（Ctrl+P）"))
        self.btn_verify_notice = self._button("btn_verify_notice", self.tr("核验文件…"), self.verify_file, bar)
        self.btn_verify_notice.setToolTip(self.tr("选一个 PDF 文件，看它是否与存档的公示一致（未被改动）"))
        self.combo_filter = QComboBox(self)  # the 工作台's lines open the list with one of these
        self.combo_filter.setObjectName("combo_notice_filter")
        self.combo_filter.addItem(self.tr("全部公示"), None)
        for key, label in notices.NOTICE_FILTERS.items():
            self.combo_filter.addItem(self.tr(label), key)
        self.combo_filter.currentIndexChanged.connect(lambda _i: self.refresh())
        bar.addWidget(self.combo_filter)
        bar.addStretch(1)
        self.btn_export_ledger = self._button("btn_export_ledger", self.tr("导出台账…"), self.export_ledgers, bar)
        self.btn_export_ledger.setToolTip(self.tr("把党员花名册、户籍台账等导出为 Excel，报乡镇（街道）"))
        layout.addLayout(bar)

        self.info_notices = InfoLabel("info_notices", self)
        layout.addWidget(self.info_notices)

        split = QSplitter(Qt.Orientation.Vertical, self)
        split.setObjectName("split_notices")
        self.table_notices = DataTable("table_notices", split)
        self.notices_model: LazyTableModel[NoticeRow] = LazyTableModel(
            NOTICE_COLUMNS, *list_source(self._list_notices), parent=self)
        self.table_notices.setModel(self.notices_model)
        self.table_notices.setSelectionMode(DataTable.SelectionMode.SingleSelection)
        self.table_notices.selectionModel().currentRowChanged.connect(lambda *_: self.refresh_objections())
        self.table_notices.doubleClicked.connect(lambda _i: self.open_notice())
        self.notices_model.loadFailed.connect(self.info_notices.show_error)

        lower = QWidget(split)
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        obj_bar = QHBoxLayout()
        self.lbl_objections = QLabel(lower)
        self.lbl_objections.setObjectName("lbl_objections")
        obj_bar.addWidget(self.lbl_objections, 1)
        self.btn_add_objection = self._button("btn_add_objection", self.tr("登记异议…"), self.add_objection, obj_bar)
        self.btn_resolve_objection = self._button(
            "btn_resolve_objection", self.tr("处理异议…"), self.resolve_objection, obj_bar)
        lower_layout.addLayout(obj_bar)
        self.table_objections = DataTable("table_objections", lower)
        self.objections_model: LazyTableModel[ObjectionRow] = LazyTableModel(
            OBJECTION_COLUMNS, *list_source(self._list_objections), parent=self)
        self.table_objections.setModel(self.objections_model)
        self.table_objections.setSelectionMode(DataTable.SelectionMode.SingleSelection)
        self.table_objections.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
        self.table_objections.doubleClicked.connect(lambda _i: self.resolve_objection())
        self.objections_model.loadFailed.connect(self.info_notices.show_error)
        lower_layout.addWidget(self.table_objections, 1)
        split.addWidget(self.table_notices)
        split.addWidget(lower)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout.addWidget(split, 1)

        # Ctrl+P is the window's (打印, every page): here it calls print_current, the selected notice
        self.action_print_notice = QAction(self.tr("打印公示(&P)…"), self)
        self.action_print_notice.setObjectName("action_print_notice")
        self.action_print_notice.triggered.connect(self.preview_notice)
        self.addAction(self.action_print_notice)

        self.refresh()

    def _button(self, name: str, text: str, slot: object, bar: QHBoxLayout) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.clicked.connect(slot)  # type: ignore[arg-type]
        bar.addWidget(button)
        return button

    # ---- queries --------------------------------------------------------------------------------

    def _list_notices(self) -> list[NoticeRow]:
        return self.ctx.call(notices.list_notices, self.unit_id, state=self.combo_filter.currentData())

    def _list_objections(self) -> list[ObjectionRow]:
        notice = self.current_notice()
        return self.ctx.call(notices.list_objections, notice.id) if notice is not None else []

    def show_filter(self, key: str) -> None:
        """A 工作台 line: the notices in their 公示期 (open) or with objections not yet handled (objections)."""
        set_filters(None, (self.combo_filter, key))
        self.refresh()

    def current_notice(self) -> NoticeRow | None:
        return self.notices_model.row_at(self.table_notices.current_row())

    def current_objection(self) -> ObjectionRow | None:
        return self.objections_model.row_at(self.table_objections.current_row())

    def refresh(self, select_id: int | None = None) -> None:
        keep = select_id if select_id is not None else getattr(self.current_notice(), "id", None)
        self.notices_model.refresh()
        rows = self.notices_model.rows
        open_count = sum(1 for r in rows if r.status == notices.STATUS_OPEN)
        pending = sum(r.open_objections for r in rows)
        if rows:
            text = self.tr("共 {0} 份公示，公示中 {1} 份，未处理异议 {2} 条").format(len(rows), open_count, pending)
        elif self.combo_filter.currentData() is not None:
            text = self.tr("没有{0}的公示。").format(self.combo_filter.currentText())
        else:
            text = self.tr("还没有生成过公示。点“生成公示…”开始。")
        self.info_notices.show_info(text)
        row = self.notices_model.find_row(lambda r: r.id == keep) if keep is not None else -1
        self.table_notices.select_row(row if row >= 0 else 0)
        self.refresh_objections()

    def refresh_objections(self, select_id: int | None = None) -> None:
        notice = self.current_notice()
        self.objections_model.refresh()
        if notice is None:
            self.lbl_objections.setText(self.tr("<b>异议登记</b>"))
        else:
            self.lbl_objections.setText(self.tr("<b>异议登记</b>　{0}《{1}》").format(notice.number, notice.title))
        row = self.objections_model.find_row(lambda o: o.id == select_id) if select_id is not None else -1
        if row < 0:  # the first one still waiting to be handled, else the first
            row = max(self.objections_model.find_row(lambda o: o.resolved_on is None), 0)
        self.table_objections.select_row(row)
        self._update_buttons()

    def _update_buttons(self) -> None:
        has_notice = self.current_notice() is not None
        for button in (self.btn_open_notice, self.btn_notice_rows, self.btn_preview_notice, self.btn_add_objection):
            button.setEnabled(has_notice)
        self.action_print_notice.setEnabled(has_notice)
        self.btn_resolve_objection.setEnabled(self.current_objection() is not None)

    # ---- notices --------------------------------------------------------------------------------

    def new_notice(self) -> None:
        with user_errors(self):
            dialog = NewNoticeDialog(self.ctx, self.unit_id, self)
            if dialog.exec() != QDialog.DialogCode.Accepted or dialog.result_value is None:
                return
            info = dialog.result_value
            set_filters(None, (self.combo_filter, None))  # the new notice is shown whatever the filter was
            self.refresh(select_id=info.id)
            self.announce("notice")
            QMessageBox.information(self, self.tr("生成公示"), self.tr(
                "已生成公示 {0}《{1}》，共 {2} 页。\n公示期：{3} 至 {4}\n文件：{5}").format(
                info.number, info.title, info.pages, info.period_start.isoformat(), info.period_end.isoformat(),
                info.path))

    def new_open_affairs(self) -> None:
        """村务公开: a sheet the clerk picks (财务收支 …) made a masked 公示, the 环形互动 tab's dialog."""
        from ..affairs.topic_dialogs import OpenAffairsDialog  # the 村务 views load when first used

        with user_errors(self):
            dialog = OpenAffairsDialog(self.ctx, self.unit_id, self)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return
            set_filters(None, (self.combo_filter, None))
            self.refresh(select_id=dialog.result_value.id)
            self.announce("notice")

    def notice_file(self, notice: NoticeRow) -> Path | None:
        """The notice's archived PDF, checked against the archive; re-made from it if lost or changed."""
        path = notice.path
        if path is None or not path.is_file():
            where = str(path) if path else self.tr("（没有记录保存位置）")
            if not self._ask(self.tr("公示文件不在原处（可能被移动或删除）：\n{0}\n\n要根据存档重新生成这份公示吗？")
                             .format(where)):
                return None
            return self._reprint(notice)
        result = self.ctx.call(verify_pdf, path)
        if result.ok and result.notice is not None and result.notice.id == notice.id:
            return path
        if not self._ask(self.tr("文件与存档的公示不一致，可能被修改或替换过：\n{0}\n\n要根据存档重新生成这份公示吗？"
                                 "（选“否”则不打开）").format(path)):
            return None
        return self._reprint(notice)

    def _ask(self, text: str) -> bool:
        answer = QMessageBox.question(self, self.tr("公示文件"), text,
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def _reprint(self, notice: NoticeRow) -> Path | None:
        path = notice.path
        if path is None:
            path = ask_save_path(self, self.tr("保存公示文件"), f"{notice.title}.pdf", self.tr(PDF_FILTER), ".pdf",
                                 "notices")
            if path is None:
                return None
        self.ctx.call(notices.reprint_notice, notice.id, path)  # the archive now points at this file
        self.refresh(select_id=notice.id)  # so the next 打印预览 finds it and asks nothing
        self.announce("notice")
        result = self.ctx.call(verify_pdf, path)
        if not result.ok:  # e.g. this PC has other fonts than the one that printed it
            QMessageBox.information(self, self.tr("公示文件"), self.tr(
                "已根据存档重新生成文件，内容与存档一致，但文件校验值与原文件不同（可能本机字体与当时不同）。"))
        return path

    def open_notice(self) -> None:
        notice = self.current_notice()
        if notice is None:
            return
        with user_errors(self):
            path = self.notice_file(notice)
            if path is not None and not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
                QMessageBox.warning(self, self.tr("打开公示"), self.tr(
                    "无法打开 {0}。\n请确认本机装有 PDF 阅读器（如 WPS、福昕阅读器），或用“打印预览”直接打印。")
                    .format(path))

    def show_rows(self) -> None:
        notice = self.current_notice()
        if notice is None:
            return
        with user_errors(self):
            columns, rows = self.ctx.call(notices.notice_table, notice.id)
            NoticeRowsDialog(f"{notice.number}《{notice.title}》", columns, rows, self).exec()

    def print_current(self) -> None:
        """Ctrl+P here prints the selected notice (its archived PDF); the objections list when it has the focus."""
        if self.table_objections.hasFocus():
            self.table_objections.print_current()
        elif self.current_notice() is None:
            self.table_notices.print_current()
        else:
            self.preview_notice()

    def preview_notice(self) -> None:
        notice = self.current_notice()
        if notice is None:
            return
        with user_errors(self):
            path = self.notice_file(notice)
            if path is None:
                return
            dialog = PdfPreviewDialog(path, f"{notice.number}《{notice.title}》", self)
            dialog.exec()

    def verify_file(self) -> None:
        path = ask_open_path(self, self.tr("选择要核验的公示 PDF"), self.tr(PDF_FILTER), "notices")
        if path is None:
            return
        with user_errors(self):
            result = self.ctx.call(verify_pdf, path)
            if result.notice is not None:
                self.table_notices.select_row(self.notices_model.find_row(lambda r: r.id == result.notice.id))
            show = QMessageBox.information if result.ok else QMessageBox.warning
            show(self, self.tr("核验公示文件"), f"{path.name}\n\n{result.message}")

    # ---- objections -----------------------------------------------------------------------------

    def add_objection(self) -> None:
        notice = self.current_notice()
        if notice is None:
            return
        with user_errors(self):
            dialog = ObjectionDialog(self.ctx, notice, self)
            if dialog.exec() == QDialog.DialogCode.Accepted:
                self.refresh(select_id=notice.id)
                self.refresh_objections(select_id=dialog.result_value)
                self.announce("notice")

    def resolve_objection(self) -> None:
        notice, objection = self.current_notice(), self.current_objection()
        if notice is None or objection is None:
            return
        with user_errors(self):
            dialog = ResolveObjectionDialog(self.ctx, objection, self)
            if dialog.exec() == QDialog.DialogCode.Accepted:
                self.refresh(select_id=notice.id)
                self.refresh_objections(select_id=objection.id)
                self.announce("notice")

    # ---- ledgers --------------------------------------------------------------------------------

    def export_ledgers(self) -> None:
        with user_errors(self):
            LedgerExportDialog(self.ctx, self.unit_id, self).exec()
