"""党员积分: this year's totals by kind, rank and grade for every member, fast entry, member detail,
and the year-end assessment (status, grade chart, 约谈/劝退 follow-up)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.services.context import AppContext
from app.services.org import tree as org
from app.services.org.member_checks import POINTS_CATEGORIES
from app.services.points import assessments
from app.services.points import member_points as points
from app.services.points.assessments import AssessmentRow, AssessmentStatus
from app.services.points.member_points import MemberPoints, PointsQuery
from app.services.points.rules import points_text

from ..common.charts import BarChart
from ..common.page import Changes, Page
from ..common.status import show_status
from ..common.table_model import Column, LazyTableModel, list_source
from ..common.widgets import DataTable, InfoLabel, SearchBox
from ..errors import user_errors
from .assessment_wizard import AssessmentWizard, FollowUpDialog
from .detail_dialog import MemberPointsDialog
from .entry_bar import QuickEntry

RIGHT = Qt.AlignmentFlag.AlignRight


def _pts(attr: str) -> object:
    return lambda r: points_text(getattr(r, attr))


POINT_COLUMNS: list[Column[MemberPoints]] = [
    Column("姓名", "name", sort_key="name", width=5),
    Column("所在支部", lambda r: f"{r.org_name} · {r.group_name}" if r.group_name else r.org_name, sort_key="org",
           width=12),
    Column("类别", "category", width=3),
    Column("基础分", _pts("base"), sort_key="base", align=RIGHT, width=4),  # type: ignore[arg-type]
    Column("履职分", _pts("duty"), sort_key="duty", align=RIGHT, width=4),  # type: ignore[arg-type]
    Column("奖励分", _pts("reward"), sort_key="reward", align=RIGHT, width=4),  # type: ignore[arg-type]
    Column("扣减分", _pts("deduct"), sort_key="deduct", align=RIGHT, width=4),  # type: ignore[arg-type]
    Column("总积分", _pts("total"), sort_key="total", align=RIGHT, width=4),  # type: ignore[arg-type]
    Column("支部排名", lambda r: f"{r.rank}/{r.branch_size}", sort_key="rank", align=RIGHT, width=4),
    Column("等次", lambda r: r.grade or "", width=3),
    Column("处理", lambda r: r.follow_up or "", width=3),
    Column("评定", "assessment_state", width=4),
]

FOLLOW_COLUMNS: list[Column[AssessmentRow]] = [
    Column("姓名", "name", width=5),
    Column("所在支部", "org_name", width=8),
    Column("总积分", lambda r: points_text(r.total), width=4),
    Column("等次", "grade", width=3),
    Column("上年等次", lambda r: r.previous_grade or "", width=4),
    Column("处理", lambda r: r.follow_up or "", width=3),
    Column("谈话/处理情况", "records_text", width=30),
]


class PointsPage(Page):
    title = "党员积分"
    object_name = "page_points"  # known before the page is built (ui/page_stack.py)
    waits_for_show = True  # heavy at county scale: query when first shown (issue 11)
    watches = frozenset({"member", "org", "points", "meeting"})

    def __init__(self, ctx: AppContext, changes: Changes, parent: QWidget | None = None) -> None:
        super().__init__(ctx, changes, parent)
        self.setObjectName("page_points")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)

        bar = QHBoxLayout()
        self.spin_year = QSpinBox(self)
        self.spin_year.setObjectName("spin_points_year")
        self.spin_year.setRange(2000, 2100)
        self.spin_year.setValue(date.today().year)
        self.spin_year.setSuffix(self.tr(" 年度"))
        self.combo_branch = QComboBox(self)
        self.combo_branch.setObjectName("combo_points_branch")
        self.combo_category = QComboBox(self)
        self.combo_category.setObjectName("combo_points_category")
        self.combo_category.addItem(self.tr("全部类别"), None)
        for c in POINTS_CATEGORIES:
            self.combo_category.addItem(self.tr("{0}党员").format(c), c)
        self.edit_search = SearchBox("edit_search_points", self.tr("查找党员：姓名或拼音首字母"), self)
        for w in (self.spin_year, self.combo_branch, self.combo_category):
            bar.addWidget(w)
        bar.addWidget(self.edit_search, 1)
        # the year-end job from either tab: 计算 → 核对 → 发布 → 积分排名公示
        self.btn_wizard = QPushButton(self.tr("年度评定向导…"), self)
        self.btn_wizard.setObjectName("btn_assessment_wizard")
        bar.addWidget(self.btn_wizard)
        outer.addLayout(bar)

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("tabs_points")
        outer.addWidget(self.tabs, 1)
        self.tabs.addTab(self._points_tab(), self.tr("积分汇总"))
        self.tabs.addTab(self._assessment_tab(), self.tr("年度评定"))

        self.spin_year.valueChanged.connect(lambda _v: self.refresh())
        self.combo_branch.currentIndexChanged.connect(lambda _i: self.refresh_points())
        self.combo_category.currentIndexChanged.connect(lambda _i: self.refresh_points())
        self.edit_search.search.connect(lambda _t: self.refresh_points())
        self.refresh()

    # ---- building -------------------------------------------------------------------------------

    def _points_tab(self) -> QWidget:
        tab = QWidget(self)
        layout = QVBoxLayout(tab)
        row = QHBoxLayout()
        self.btn_detail = QPushButton(self.tr("积分明细…"), tab)
        self.btn_detail.setObjectName("btn_points_detail")
        self.info_points = InfoLabel("info_points", tab)
        row.addWidget(self.btn_detail)
        row.addWidget(self.info_points, 1)
        layout.addLayout(row)
        self.table_points = DataTable("table_points", tab)
        count, page = list_source(self._rows)
        self.points_model: LazyTableModel[MemberPoints] = LazyTableModel(POINT_COLUMNS, count, page, parent=self)
        self.points_model.loadFailed.connect(self.info_points.show_error)
        self.table_points.setModel(self.points_model)
        self.table_points.doubleClicked.connect(lambda _i: self.open_detail())
        layout.addWidget(self.table_points, 1)
        self.quick = QuickEntry(self.ctx, self.unit_id, tab)
        self.quick.saved.connect(self._on_saved)
        layout.addWidget(self.quick)
        self.btn_detail.clicked.connect(self.open_detail)
        return tab

    def _assessment_tab(self) -> QWidget:
        tab = QWidget(self)
        layout = QVBoxLayout(tab)
        row = QHBoxLayout()
        self.label_assessment = QLabel(tab)
        self.label_assessment.setObjectName("label_assessment_state")
        self.label_assessment.setWordWrap(True)
        self.btn_follow_up = QPushButton(self.tr("登记约谈/劝退情况…"), tab)
        self.btn_follow_up.setObjectName("btn_record_follow_up")
        row.addWidget(self.label_assessment, 1)
        row.addWidget(self.btn_follow_up)
        layout.addLayout(row)
        split = QSplitter(Qt.Orientation.Horizontal, tab)
        self.chart_grades = BarChart("chart_grades", split)
        self.table_follow_ups = DataTable("table_follow_ups", split)
        count, page = list_source(lambda: self.ctx.call(assessments.follow_up_list, self.unit_id, self.year()))
        self.follow_model: LazyTableModel[AssessmentRow] = LazyTableModel(FOLLOW_COLUMNS, count, page, parent=self)
        self.table_follow_ups.setModel(self.follow_model)
        self.table_follow_ups.setSortingEnabled(False)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        layout.addWidget(split, 1)
        self.btn_wizard.clicked.connect(self.open_wizard)
        self.btn_follow_up.clicked.connect(self.record_follow_up)
        return tab

    # ---- queries --------------------------------------------------------------------------------

    def search_box(self) -> SearchBox:
        return self.edit_search

    def year(self) -> int:
        return self.spin_year.value()

    def query(self) -> PointsQuery:
        # the header's sort (LazyTableModel.sort keeps order_by/descending and refreshes)
        return PointsQuery(self.unit_id, self.year(), self.combo_branch.currentData(), self.combo_category.currentData(),
                           self.edit_search.query(), self.points_model.order_by or "rank", self.points_model.descending)

    def _rows(self) -> list[MemberPoints]:
        return self.ctx.call(points.member_points, self.query())

    def refresh(self) -> None:
        self._load_branches()
        self.quick.load_rules()
        self.refresh_points()
        self.refresh_assessment()

    def _load_branches(self) -> None:
        keep = self.combo_branch.currentData()
        self.combo_branch.blockSignals(True)
        self.combo_branch.clear()
        self.combo_branch.addItem(self.tr("全部支部"), None)
        for n in self.ctx.call(org.list_org_tree, self.unit_id):
            if n.kind in org.BRANCH_KINDS and n.kind != "党总支":
                self.combo_branch.addItem(n.name, n.id)
        self.combo_branch.setCurrentIndex(max(0, self.combo_branch.findData(keep)))
        self.combo_branch.blockSignals(False)

    def current(self) -> MemberPoints | None:
        return self.points_model.row_at(self.table_points.current_row())

    def refresh_points(self, select_member: int | None = None) -> None:
        keep = select_member or getattr(self.current(), "member_id", None)
        self.points_model.refresh()
        rows = self.points_model.rows
        text = self.tr("{0} 名党员；总积分 = 基础分 + 履职分 + 奖励分 − 扣减分").format(len(rows))
        if any(r.assessment_state == "待重新计算" for r in rows):  # grades only beside their own figures
            text += self.tr("。年度评定草稿计算之后积分有变动，等次暂不显示，请在“年度评定”中重新计算")
        self.info_points.show_info(text)
        index = next((i for i, r in enumerate(rows) if r.member_id == keep), 0)
        self.table_points.select_row(index)

    def refresh_assessment(self) -> None:
        with user_errors(self):
            st: AssessmentStatus = self.ctx.call(assessments.assessment_status, self.unit_id, self.year())
            text = {"已发布": self.tr("{0}年度评定已于 {1} 发布（已封存）"),
                    "待发布": self.tr("{0}年度评定已计算，待书记核对后发布"),
                    "未计算": self.tr("{0}年度尚未评定")}[st.state].format(st.year, st.published_on)
            problem = self.ctx.call(assessments.draft_problem, self.unit_id, self.year()) if st.computed else None
            if problem:
                text += self.tr("；草稿{0}，请重新计算").format(problem)
            if st.undecided:
                text += self.tr("；{0} 人同分跨过名额线，等次待支委会确定").format(st.undecided)
            self.label_assessment.setText(f"{text}。{st.bands.describe()}")
            self.chart_grades.set_data(list(st.distribution.items()), self.tr("{0}年度评定等次分布").format(st.year),
                                       self.tr(" 人"))
            self.follow_model.refresh()
            self.btn_follow_up.setEnabled(st.published_on is not None and self.follow_model.total > 0)

    # ---- actions --------------------------------------------------------------------------------

    def _on_saved(self, _entry_id: int, member_id: int) -> None:
        self.refresh_points(select_member=member_id)
        self.announce("points")

    def open_detail(self) -> None:
        m = self.current()
        if m is None:
            return
        with user_errors(self):
            dialog = MemberPointsDialog(self.ctx, m.member_id, m.name, self.year(), self)
            dialog.exec()
            if dialog.changed:
                self.refresh_points(select_member=m.member_id)
                self.announce("points")

    def open_wizard(self) -> None:
        with user_errors(self):
            wizard = AssessmentWizard(self.ctx, self.unit_id, self.year(), self)
            wizard.exec()
            if wizard.notice is not None:
                show_status(self, self.tr("已生成并存档{0}（{1}），文件：{2}").format(
                    wizard.notice.title, wizard.notice.number, wizard.notice.path))
        self.refresh_points()
        self.refresh_assessment()
        self.announce("points")

    def record_follow_up(self) -> None:
        row = self.follow_model.row_at(self.table_follow_ups.current_row())
        if row is None:
            return
        with user_errors(self):
            dialog = FollowUpDialog(self.ctx, row, self)
            if dialog.exec() == QDialog.DialogCode.Accepted:
                self.refresh_assessment()
