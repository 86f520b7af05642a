"""星级文明户: the round's five steps at the top, the applications with quick entry and review columns,
the statistics (chart, share, participation) and the 公示 with its objections on the right."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.services.context import AppContext
from app.services.errors import ValidationError
from app.services.grid import grids as grid_service
from app.services.stars import applications
from app.services.stars import publicity as star_publicity
from app.services.stars import rounds as stars
from app.services.stars import stats as star_stats
from app.services.stars.applications import ApplicationQuery, ApplicationRow
from app.services.stars.publicity import RoundObjection
from app.services.stars.rounds import ROUND_STEP_LABELS, CategoryInfo, RoundInfo

from ..common.flow import FlowLayout, flow_row
from ..common.page import Changes, Page
from ..common.table_model import Column, LazyTableModel, list_source, service_source
from ..common.widgets import DataTable, InfoLabel, SearchBox
from ..errors import user_errors
from ..notices.export_dialog import LedgerExportDialog
from .dialogs import (
    DecideDialog,
    DismissDialog,
    FileDialog,
    NewRoundDialog,
    ObjectionDialog,
    PublicizeDialog,
    ReopenDialog,
    ReviewDialog,
)
from .edit_application import EditApplicationDialog
from .history import HouseholdHistoryDialog
from .household_picker import HouseholdPicker
from .stats_panel import StatsPanel
from .stepper import Stepper

STEPPER_STEPS = ("mobilize", "apply", "review", "publicize", "decide")  # 五步法; 报镇备案 finishes the last
STATUS_FILTERS = [("全部", None), ("待审核", "pending"), ("已审核", "reviewed"), ("评上星级", "starred"),
                  ("未评上", "unstarred"), ("已撤回", "withdrawn")]
# What the main button does in each step (its text and the tooltip that says what will happen).
STEP_ACTIONS = {
    "mobilize": ("开始农户申报", "动员部署完成，进入农户申报：可以登记农户自报和群众推荐。"),
    "apply": ("结束申报，进入两会审核", "申报截止，交道德评议会和村民议事会逐户逐星审核。"),
    "review": ("生成公示并张榜…", "所有申报审核完毕后，生成评选结果公示（PDF）并存档，进入张榜公示期。"),
    "publicize": ("两委会确定…", "公示期满、异议全部处理后，登记两委会确定日期；确定后批次锁定。"),
    "decide": ("报镇备案…", "登记报镇党委备案日期，之后命名授牌。"),
    "filed": ("评选已完成", "本批次已报镇备案；之后的变动请在户的星级档案中加星/减星。"),
}
RIGHT = Qt.AlignmentFlag.AlignRight


def _review_text(category_id: int) -> object:
    def value(a: ApplicationRow) -> str:
        item = a.item_for(category_id)
        return "" if item is None else item.decision_label

    return value


def application_columns(categories: list[CategoryInfo]) -> list[Column[ApplicationRow]]:
    return [
        Column("户号", "household_number", sort_key="number", width=4),
        Column("户主", "head_name", sort_key="head", width=4),
        Column("网格", "grid_name", sort_key="grid", width=8),
        Column("方式", lambda a: a.source + (f"（{a.recommender}）" if a.recommender else ""), sort_key="source",
               width=5),
        *[Column(c.name, _review_text(c.id), width=max(4, len(c.name))) for c in categories],  # type: ignore[arg-type]
        Column("星级", lambda a: stars.level_label(a.shown_level) if not a.pending else "", sort_key="level",
               width=4),
        Column("状态", "status", width=4),
    ]


OBJECTION_COLUMNS: list[Column[RoundObjection]] = [
    Column("收到日期", "received_on", width=6),
    Column("反映人", lambda o: o.raised_by or "匿名", width=4),
    Column("涉及", "subject", width=5),
    Column("内容", "content", width=14),
    Column("处理", lambda o: o.outcome, width=5),
    Column("处理情况", "resolution", width=14),
]


class StarsPage(Page):
    title = "星级文明户"
    object_name = "page_stars"  # known before the page is built (ui/page_stack.py)
    waits_for_show = True  # heavy at county scale: query when first shown (issue 11)
    watches = frozenset({"household", "resident", "grid", "notice", "star_category"})  # star_category: 设置

    def __init__(self, ctx: AppContext, changes: Changes, parent: QWidget | None = None) -> None:
        super().__init__(ctx, changes, parent)
        self.setObjectName("page_stars")
        self.round: RoundInfo | None = None
        self.categories: list[CategoryInfo] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(self._build_round_bar())
        self.stepper = Stepper("stepper_round", self)
        layout.addWidget(self.stepper)
        layout.addLayout(self._build_step_bar())

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setObjectName("split_stars")
        splitter.addWidget(self._build_applications(splitter))
        self.tabs = QTabWidget(splitter)
        self.tabs.setObjectName("tabs_stars")
        self.stats_panel = StatsPanel(self.tabs)
        self.tabs.addTab(self.stats_panel, self.tr("统计"))
        self.tabs.addTab(self._build_notice_tab(), self.tr("公示与异议"))
        self.tabs.addTab(self._build_steps_tab(), self.tr("步骤记录"))
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout.addWidget(splitter, 1)
        self.refresh()

    # ---- building -------------------------------------------------------------------------------

    def _button(self, name: str, text: str, slot: object, parent: QWidget | None = None) -> QPushButton:
        b = QPushButton(self.tr(text), parent or self)
        b.setObjectName(name)
        b.clicked.connect(slot)  # type: ignore[arg-type]
        return b

    def _build_round_bar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr("评选批次"), self))
        self.combo_round = QComboBox(self)
        self.combo_round.setObjectName("combo_round")
        self.combo_round.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 22)
        self.combo_round.currentIndexChanged.connect(lambda _i: self.load_round())
        bar.addWidget(self.combo_round)
        self.btn_new_round = self._button("btn_new_round", "新建评选批次…", self.new_round)
        bar.addWidget(self.btn_new_round)
        bar.addStretch(1)
        self.btn_export_ledger = self._button("btn_export_ledger", "导出台账…", self.export_ledgers)
        bar.addWidget(self.btn_export_ledger)
        return bar

    def _build_step_bar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        self.label_round_status = QLabel(self)
        self.label_round_status.setObjectName("label_round_status")
        self.label_round_status.setWordWrap(True)  # the dates of a finished round make it long
        bar.addWidget(self.label_round_status, 1)
        self.btn_step = self._button("btn_step_action", "开始农户申报", self.step_action)
        self.btn_step.setDefault(True)
        bar.addWidget(self.btn_step)
        self.btn_reopen = self._button("btn_reopen_round", "重新打开…", self.reopen)
        bar.addWidget(self.btn_reopen)
        return bar

    def _build_applications(self, parent: QWidget) -> QWidget:
        box = QWidget(parent)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        self.group_entry = QGroupBox(self.tr("快速登记申报"), box)
        self.group_entry.setObjectName("group_quick_entry")
        entry = QVBoxLayout(self.group_entry)
        row1 = QHBoxLayout()
        self.picker = HouseholdPicker(self.ctx, self.unit_id, "edit_entry_household", self.group_entry)
        row1.addWidget(self.picker, 1)
        self.combo_source = QComboBox(self.group_entry)
        self.combo_source.setObjectName("combo_entry_source")
        self.combo_source.addItem(self.tr("自报"), "自报")
        self.combo_source.addItem(self.tr("群众推荐"), "推荐")
        row1.addWidget(self.combo_source)
        self.edit_recommender = QLineEdit(self.group_entry)
        self.edit_recommender.setObjectName("edit_entry_recommender")
        self.edit_recommender.setPlaceholderText(self.tr("推荐人"))
        self.edit_recommender.setMaximumWidth(self.fontMetrics().horizontalAdvance("中") * 8)
        row1.addWidget(self.edit_recommender)
        entry.addLayout(row1)
        self.row_stars = FlowLayout()  # wraps: ten 星类 with the larger font still fit a 1366-wide screen
        self.star_checks: dict[int, QCheckBox] = {}
        entry.addLayout(self.row_stars)
        self.label_entry_error = QLabel(self.group_entry)
        self.label_entry_error.setObjectName("err_entry")
        self.label_entry_error.setStyleSheet("color: #c62828;")
        self.label_entry_error.setWordWrap(True)
        entry.addWidget(self.label_entry_error)
        layout.addWidget(self.group_entry)

        filters = QHBoxLayout()
        self.edit_search = SearchBox("edit_search_applications", self.tr("查找：户主、拼音首字母、户号、门牌"), box)
        self.edit_search.search.connect(lambda _t: self.refresh_applications())
        filters.addWidget(self.edit_search, 1)
        filters.addWidget(QLabel(self.tr("网格"), box))
        self.combo_grid = QComboBox(box)
        self.combo_grid.setObjectName("combo_filter_grid")
        self.combo_grid.currentIndexChanged.connect(lambda _i: self.refresh_applications())
        filters.addWidget(self.combo_grid)
        filters.addWidget(QLabel(self.tr("状态"), box))
        self.combo_status = QComboBox(box)
        self.combo_status.setObjectName("combo_filter_status")
        for text, value in STATUS_FILTERS:
            self.combo_status.addItem(self.tr(text), value)
        self.combo_status.currentIndexChanged.connect(lambda _i: self.refresh_applications())
        filters.addWidget(self.combo_status)
        layout.addLayout(filters)

        self.table = DataTable("table_applications", box)
        count, page = list_source(lambda: [])
        self.model: LazyTableModel[ApplicationRow] = LazyTableModel([], count, page, parent=self)
        self.table.setModel(self.model)
        self.table.doubleClicked.connect(lambda _i: self.review())
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
        layout.addWidget(self.table, 1)
        self.info = InfoLabel("info_applications", box)
        self.model.loadFailed.connect(self.info.show_error)
        layout.addWidget(self.info)

        self.btn_review = self._button("btn_review", "审核…", self.review, box)
        self.btn_edit = self._button("btn_edit_application", "编辑申报…", self.edit_application, box)
        self.btn_withdraw = self._button("btn_withdraw_application", "撤回申报…", self.withdraw, box)
        self.btn_history = self._button("btn_star_history", "星级档案（加星/减星）…", self.history, box)
        layout.addLayout(flow_row(self.btn_review, self.btn_edit, self.btn_withdraw, self.btn_history))
        return box

    def _build_notice_tab(self) -> QWidget:
        tab = QWidget(self)
        tab.setObjectName("tab_star_notice")
        layout = QVBoxLayout(tab)
        self.label_notice = QLabel(tab)
        self.label_notice.setObjectName("label_star_notice")
        self.label_notice.setWordWrap(True)
        layout.addWidget(self.label_notice)
        self.table_objections = DataTable("table_objections", tab)
        count, page = list_source(self._objections)
        self.objections_model: LazyTableModel[RoundObjection] = LazyTableModel(OBJECTION_COLUMNS, count, page,
                                                                              parent=self)
        self.table_objections.setModel(self.objections_model)
        self.table_objections.setSortingEnabled(False)
        self.table_objections.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
        layout.addWidget(self.table_objections, 1)
        self.btn_add_objection = self._button("btn_add_objection", "登记异议…", self.add_objection, tab)
        self.btn_dismiss = self._button("btn_dismiss_objection", "异议不成立…", self.dismiss_objection, tab)
        self.btn_uphold = self._button("btn_uphold_objection", "异议成立…", self.uphold_objection, tab)
        self.btn_correction = self._button("btn_publish_correction", "发布更正公示…", self.publish_correction, tab)
        layout.addLayout(flow_row(self.btn_add_objection, self.btn_dismiss, self.btn_uphold, self.btn_correction))
        return tab

    def _build_steps_tab(self) -> QWidget:
        tab = QWidget(self)
        layout = QVBoxLayout(tab)
        self.label_steps = QLabel(tab)
        self.label_steps.setObjectName("label_round_steps")
        self.label_steps.setWordWrap(True)
        self.label_steps.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.label_steps.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.label_steps, 1)
        return tab

    # ---- loading --------------------------------------------------------------------------------

    def refresh(self) -> None:
        keep = self.combo_round.currentData()
        rounds = self.ctx.call(stars.list_rounds, self.unit_id)
        self.combo_round.blockSignals(True)
        self.combo_round.clear()
        for r in rounds:
            self.combo_round.addItem(r.title, r.id)
        index = self.combo_round.findData(keep) if keep is not None else 0
        self.combo_round.setCurrentIndex(max(index, 0))
        self.combo_round.blockSignals(False)
        self._load_grids()
        self.load_round()

    def _load_grids(self) -> None:
        keep = self.combo_grid.currentData()
        self.combo_grid.blockSignals(True)
        self.combo_grid.clear()
        self.combo_grid.addItem(self.tr("全部"), None)
        for g in self.ctx.call(grid_service.list_grids, self.unit_id):
            if g.parent_id is None:
                self.combo_grid.addItem(g.name, g.id)
        self.combo_grid.setCurrentIndex(max(self.combo_grid.findData(keep), 0))
        self.combo_grid.blockSignals(False)

    def load_round(self) -> None:
        round_id = self.combo_round.currentData()
        self.round = self.ctx.call(stars.get_round, round_id) if round_id is not None else None
        cats = self.ctx.call(stars.list_categories, self.unit_id)
        if cats != self.categories:  # also a rename or new criteria (设置 → 星级文明户星类)
            self.categories = cats
            self._build_star_checks()
        self.model.beginResetModel()
        self.model.columns = application_columns(self.categories)
        self.model.endResetModel()
        self.table.fit_columns()
        self._show_round()
        self.refresh_applications()
        self.objections_model.refresh()
        self.stats_panel.show_stats(self.ctx.call(star_stats.round_statistics, round_id) if round_id else None)

    def _build_star_checks(self) -> None:
        while self.row_stars.count():
            w = self.row_stars.takeAt(0).widget()
            if w is not None:
                w.deleteLater()
        self.star_checks = {}
        for c in self.categories:
            check = QCheckBox(c.name, self.group_entry)
            check.setObjectName(f"chk_star_{c.id}")
            check.setToolTip(c.criteria)
            self.row_stars.addWidget(check)
            self.star_checks[c.id] = check
        self.btn_add_application = self._button("btn_add_application", "登记申报", self.add_application,
                                                self.group_entry)
        self.row_stars.add_stretch()
        self.row_stars.addWidget(self.btn_add_application)

    def _show_round(self) -> None:
        r = self.round
        if r is None:
            self.stepper.set_steps([ROUND_STEP_LABELS[s] for s in STEPPER_STEPS], -1)
            self.label_round_status.setText(self.tr("还没有评选批次：请点“新建评选批次”开始动员部署。"))
            self.label_steps.setText("")
            self.label_notice.setText("")
        else:
            current = min(STEPPER_STEPS.index(r.step) if r.step in STEPPER_STEPS else len(STEPPER_STEPS) - 1,
                          len(STEPPER_STEPS) - 1)
            self.stepper.set_steps([ROUND_STEP_LABELS[s] for s in STEPPER_STEPS], current,
                                   finished=r.step in ("decide", "filed"))
            dates = []
            if r.meeting_on:
                dates.append(self.tr("两委会 {0}").format(r.meeting_on.isoformat()))
            if r.filed_on:
                dates.append(self.tr("报镇备案 {0}").format(r.filed_on.isoformat()))
            extra = f"（{'，'.join(dates)}）" if dates else ""
            self.label_round_status.setText(
                self.tr("<b>{0}年度</b>　当前：{1}{2}　申报 {3} 户").format(r.year, r.status, extra, r.applications))
            lines = [f"{st.on.isoformat()}　{'重新打开到' if st.reopened else ''}{st.label}"
                     f"{'　' + st.note if st.note else ''}{'　（' + st.operator + '）' if st.operator else ''}"
                     for st in r.steps]
            self.label_steps.setText("\n".join(lines))
            if r.notice_id is not None:
                self.label_notice.setText(self.tr("当前公示：公示期 {0} 至 {1}；异议 {2} 条，未处理 {3} 条。{4}").format(
                    r.notice_start, r.notice_end, r.objections, r.open_objections,
                    self.tr("有成立的异议，需发布更正公示。") if r.needs_correction else ""))
            else:
                self.label_notice.setText(self.tr("两会审核完毕后点“生成公示并张榜”，公示在此登记异议。"))
        step = r.step if r else "mobilize"
        text, tip = STEP_ACTIONS[step]
        self.btn_step.setText(self.tr(text))
        self.btn_step.setToolTip(self.tr(tip))
        self._update_buttons()

    def _query(self) -> ApplicationQuery:
        assert self.round is not None
        return ApplicationQuery(self.round.id, text=self.edit_search.query(), grid_id=self.combo_grid.currentData(),
                                status=self.combo_status.currentData())

    def refresh_applications(self, select_id: int | None = None) -> None:
        if self.round is None:
            count, page = list_source(lambda: [])
        else:
            count, page = service_source(self.ctx, applications.count_applications, applications.list_applications, self._query())
        self.model.set_query(count, page)
        self.info.show_info(self.tr("共 {0} 户").format(self.model.total))
        if select_id is not None:
            self.table.select_row(self.model.find_row(lambda a: a.id == select_id, fetch_all=True))
        self._update_buttons()

    def _objections(self) -> list[RoundObjection]:
        return [] if self.round is None else self.ctx.call(star_publicity.list_round_objections, self.round.id)

    def _current(self) -> ApplicationRow | None:
        return self.model.row_at(self.table.current_row())

    def _current_objection(self) -> RoundObjection | None:
        return self.objections_model.row_at(self.table_objections.current_row())

    def _update_buttons(self) -> None:
        r = self.round
        step = r.step if r else None
        editable = step in stars.EDIT_STEPS
        self.group_entry.setEnabled(editable)
        self.btn_step.setEnabled(r is not None and step != "filed")
        self.btn_reopen.setEnabled(r is not None and step != "mobilize")
        app = self._current()
        self.btn_review.setEnabled(app is not None and step == "review" and app.withdrawn_on is None)
        self.btn_withdraw.setEnabled(app is not None and editable and app.withdrawn_on is None)
        self.btn_edit.setEnabled(app is not None and editable and app.withdrawn_on is None)
        self.btn_history.setEnabled(app is not None)
        obj = self._current_objection()
        in_notice = step == "publicize"
        self.btn_add_objection.setEnabled(in_notice)
        self.btn_dismiss.setEnabled(in_notice and obj is not None and obj.resolved_on is None)
        self.btn_uphold.setEnabled(in_notice and obj is not None and obj.resolved_on is None)
        self.btn_correction.setEnabled(in_notice and r is not None and r.needs_correction)

    def _after_change(self, select_id: int | None = None) -> None:
        self.round = self.ctx.call(stars.get_round, self.round.id) if self.round else None
        self._show_round()
        self.refresh_applications(select_id)
        self.objections_model.refresh()
        if self.round is not None:
            self.stats_panel.show_stats(self.ctx.call(star_stats.round_statistics, self.round.id))
            title = stars.RoundRow(self.round.id, self.round.year, self.round.name, self.round.step,
                                   self.round.step_label).title
            self.combo_round.setItemText(self.combo_round.currentIndex(), title)
        self.announce("stars")

    def _run(self, dialog: QDialog) -> object | None:
        with user_errors(self):
            if dialog.exec() == QDialog.DialogCode.Accepted:
                return getattr(dialog, "result_value", True) or True
        return None

    def search_box(self) -> SearchBox:
        return self.edit_search

    # ---- actions --------------------------------------------------------------------------------

    def new_round(self) -> None:
        result = self._run(NewRoundDialog(self.ctx, self.unit_id, self))
        if isinstance(result, int):
            self.refresh()
            self.combo_round.setCurrentIndex(max(self.combo_round.findData(result), 0))
            self.announce("stars")

    def step_action(self) -> None:
        r = self.round
        if r is None:
            return
        if r.step in ("mobilize", "apply"):
            if r.step == "apply" and QMessageBox.question(
                    self, self.tr("结束申报"),
                    self.tr("结束申报后不能再登记农户自报和群众推荐，本批次进入两会审核。确定结束申报吗？"),
                    QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                    QMessageBox.StandardButton.No) != QMessageBox.StandardButton.Yes:
                return  # the round moves on only when the user says so
            with user_errors(self):
                self.ctx.call(stars.advance_round, r.id)
                self._after_change()
            return
        if r.step == "review":
            dlg: QDialog = PublicizeDialog(self.ctx, r.id, r.year, parent=self)
        elif r.step == "publicize":
            dlg = DecideDialog(self.ctx, r.id, r.notice_end, self)
        elif r.step == "decide":
            dlg = FileDialog(self.ctx, r.id, self)
        else:
            return
        QApplication.setOverrideCursor(Qt.CursorShape.ArrowCursor)
        try:
            done = self._run(dlg)
        finally:
            QApplication.restoreOverrideCursor()
        if done:
            self._after_change()
            info = getattr(dlg, "result_value", None)
            if info is not None and hasattr(info, "path"):
                QMessageBox.information(self, self.tr("公示已生成"), self.tr(
                    "已生成公示 {0}（{1} 页，{2} 户），公示期 {3} 至 {4}。\n文件：{5}\n请打印后张贴在村公示栏。").format(
                    info.number, info.pages, info.rows, info.period_start, info.period_end, info.path))

    def reopen(self) -> None:
        if self.round is not None and self._run(ReopenDialog(self.ctx, self.round.id, self.round.step, self)):
            self._after_change()

    def add_application(self) -> None:
        if self.round is None:
            return
        if self.picker.household_id is None and self.picker.text().strip():
            self.picker.choose_first()
        self.label_entry_error.clear()
        ids = [cid for cid, check in self.star_checks.items() if check.isChecked()]
        with user_errors(self):
            try:
                new_id = self.ctx.call(applications.add_application, self.round.id, self.picker.household_id, ids,
                                       self.combo_source.currentData(), self.edit_recommender.text())
            except ValidationError as e:
                self.label_entry_error.setText("\n".join(str(p) for p in e.problems))
                return
            self.picker.reset()
            self.combo_source.setCurrentIndex(0)  # most households apply themselves
            self.edit_recommender.clear()
            for check in self.star_checks.values():
                check.setChecked(False)
            self._after_change(select_id=new_id)
            self.picker.setFocus()

    def review(self) -> None:
        app = self._current()
        if app is None or self.round is None or self.round.step != "review":
            return
        if self._run(ReviewDialog(self.ctx, app, parent=self)):
            self._after_change(select_id=app.id)

    def edit_application(self) -> None:
        app, dialog = self._current(), None
        if app is not None:
            with user_errors(self):
                dialog = EditApplicationDialog(self.ctx, app.id, self.categories, self)
        if app is not None and dialog is not None and self._run(dialog):
            self._after_change(select_id=app.id)

    def withdraw(self) -> None:
        app = self._current()
        if app is None:
            return
        reason, ok = QInputDialog.getText(self, self.tr("撤回申报"), self.tr("撤回 {0} 的申报，原因：").format(app.head_name))
        if ok:
            with user_errors(self):
                self.ctx.call(applications.withdraw_application, app.id, reason)
                self._after_change(select_id=app.id)

    def history(self) -> None:
        app = self._current()
        if app is None:
            return
        dlg = HouseholdHistoryDialog(self.ctx, self.unit_id, app.household_id,
                                     f"{app.household_number} {app.head_name}", self)
        with user_errors(self):
            dlg.exec()
        if dlg.changed:
            self._after_change(select_id=app.id)

    def add_objection(self) -> None:
        if self.round is not None and self._run(ObjectionDialog(self.ctx, self.round.id, self)):
            self._after_change()

    def dismiss_objection(self) -> None:
        obj = self._current_objection()
        if self.round is not None and obj is not None and self._run(DismissDialog(self.ctx, self.round.id, obj, self)):
            self._after_change()

    def uphold_objection(self) -> None:
        """异议成立: the household it concerns is the one selected in the applications table."""
        obj = self._current_objection()
        app = self._current()
        if self.round is None or obj is None:
            return
        if app is None:
            QMessageBox.information(self, self.tr("异议成立"), self.tr("请先在左边的申报表中选中异议涉及的户。"))
            return
        if self._run(ReviewDialog(self.ctx, app, objection=obj, parent=self)):
            self._after_change(select_id=app.id)

    def publish_correction(self) -> None:
        if self.round is None:
            return
        dlg = PublicizeDialog(self.ctx, self.round.id, self.round.year, corrected=True, parent=self)
        if self._run(dlg):
            self._after_change()

    def export_ledgers(self) -> None:
        dlg = LedgerExportDialog(self.ctx, self.unit_id, self)
        frozen = self.round is not None and self.round.frozen
        for kind, check in dlg.checks.items():
            check.setChecked(kind in ("stars", "star-stats") or (frozen and kind == "star-awards"))
        if self.round is not None:
            dlg.spin_year.setValue(self.round.year)
        dlg.exec()
