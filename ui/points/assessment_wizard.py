"""年度评定向导: 计算 → 核对 → 发布, and the dialog that records a 约谈/劝退.

计算 can be run again as often as needed before publication (it replaces the draft); 发布 is the
书记's and freezes the year. A year already published opens straight on its results, read only.
The last step also makes the 党员积分排名公示 (ticked by default): published and archived like one made on the
公示 page, its PDF saved in the 公示 folder used last, so the year-end job is one guided flow.
The review page says what the shares came to and what was done with members tied across a share's
line; under the 待定 rule it records the 支委会's choice for each (确定等次…).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app.services.context import AppContext
from app.services.errors import ServiceError, ValidationError
from app.services.notices import archive as notices
from app.services.notices.archive import NoticeInfo
from app.services.points import assessments
from app.services.points.assessments import AssessmentRow, AssessmentStatus
from app.services.points.rules import points_text

from ..common.charts import BarChart
from ..common.files import unused_path
from ..common.form import FormDialog, within_screen
from ..common.table_model import Column, LazyTableModel, list_source
from ..common.widgets import DataTable
from ..errors import show_service_error, user_errors

REVIEW_COLUMNS: list[Column[AssessmentRow]] = [
    Column("所在支部", "org_name", width=6),
    Column("排名", lambda r: f"{r.rank}/{r.branch_size}", width=3),
    Column("姓名", "name", width=5),
    Column("类别", "category", width=3),
    Column("基础分", lambda r: points_text(r.base), width=3),
    Column("履职分", lambda r: points_text(r.duty), width=3),
    Column("奖励分", lambda r: points_text(r.reward), width=3),
    Column("扣减分", lambda r: points_text(r.deduct), width=3),
    Column("总积分", lambda r: points_text(r.total), width=3),
    Column("等次", "grade", width=3),
    Column("上年", lambda r: r.previous_grade or "", width=3),
    Column("处理", lambda r: r.follow_up or "", width=3),
]


class AssessmentWizard(QWizard):
    def __init__(self, ctx: AppContext, unit_id: int, year: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("wizard_assessment")
        self.setWindowTitle(self.tr("{0}年度党员积分评定").format(year))
        self.ctx, self.unit_id, self.year = ctx, unit_id, year
        self.notice: NoticeInfo | None = None  # the 积分排名公示 made at the end
        self.status: AssessmentStatus = ctx.call(assessments.assessment_status, unit_id, year)
        wb = QWizard.WizardButton
        for button, text in ((wb.BackButton, "上一步"), (wb.NextButton, "下一步"), (wb.FinishButton, "完成"),
                             (wb.CancelButton, "取消")):
            self.setButtonText(button, self.tr(text))
            self.button(button).setObjectName(f"btn_wizard_{button.name.removesuffix('Button').lower()}")
        self.addPage(_ComputePage(self))
        self.addPage(_ReviewPage(self))
        self.addPage(_PublishPage(self))
        # roomy where the screen allows; with the larger font on 1366×768 no wider or taller than the screen
        self.resize(within_screen(QSize(self.fontMetrics().horizontalAdvance("中") * 80,
                                        self.fontMetrics().height() * 34)))

    def reload(self) -> None:
        self.status = self.ctx.call(assessments.assessment_status, self.unit_id, self.year)


class _ComputePage(QWizardPage):
    def __init__(self, wizard: AssessmentWizard) -> None:
        super().__init__(wizard)
        self.w = wizard
        self.setObjectName("wizard_page_compute")
        self.setTitle(self.tr("第一步：计算积分与等次"))
        layout = QVBoxLayout(self)
        self.label = QLabel(self)
        self.label.setObjectName("label_compute")
        self.label.setWordWrap(True)
        layout.addWidget(self.label)
        layout.addStretch(1)

    def initializePage(self) -> None:
        st = self.w.status
        lines = [self.tr("评定规则：{0}").format(st.bands.describe()),
                 self.tr("初次评定为差的当面约谈；连续两年为差的劝说退党，不退者除名。"),
                 self.tr("计算时会给还没有基础分的党员补发本年度基础分。")]
        if st.published_on is not None:
            lines.insert(0, self.tr("{0}年度评定已于 {1} 发布，已封存，下一步只能查看结果。").format(st.year, st.published_on))
        elif st.computed:
            lines.insert(0, self.tr("{0}年度已计算过（{1} 人）。点“下一步”将按最新积分重新计算，替换之前的结果。").format(
                st.year, st.computed))
        else:
            lines.insert(0, self.tr("点“下一步”计算{0}年度每名党员的总积分、支部内排名和等次。").format(st.year))
        self.label.setText("\n\n".join(lines))

    def validatePage(self) -> bool:
        if self.w.status.published_on is not None:
            return True
        try:
            self.w.status = self.w.ctx.call(assessments.compute_assessment, self.w.unit_id, self.w.year)
        except ServiceError as e:
            show_service_error(self, e)
            return False
        return True


class _ReviewPage(QWizardPage):
    def __init__(self, wizard: AssessmentWizard) -> None:
        super().__init__(wizard)
        self.w = wizard
        self.setObjectName("wizard_page_review")
        self.setTitle(self.tr("第二步：核对结果"))
        layout = QVBoxLayout(self)
        split = QSplitter(self)
        self.table = DataTable("table_assessment_review", split)
        count, page = list_source(lambda: self.w.ctx.call(assessments.list_assessment, self.w.unit_id, self.w.year))
        self.model: LazyTableModel[AssessmentRow] = LazyTableModel(REVIEW_COLUMNS, count, page, parent=self)
        self.table.setModel(self.model)
        self.table.setSortingEnabled(False)
        self.chart = BarChart("chart_assessment_grades", split)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        layout.addWidget(split, 1)
        row = QHBoxLayout()
        self.label = QLabel(self)
        self.label.setObjectName("label_review")
        self.label.setWordWrap(True)
        row.addWidget(self.label, 1)
        self.btn_decide = QPushButton(self.tr("确定等次…"), self)
        self.btn_decide.setObjectName("btn_decide_grade")
        self.btn_decide.setToolTip(self.tr("选中一名待定的党员，记录支委会确定的等次"))
        self.btn_decide.clicked.connect(self.decide)
        row.addWidget(self.btn_decide)
        layout.addLayout(row)

    def initializePage(self) -> None:
        self.model.refresh()
        st = self.w.status
        self.chart.set_data(list(st.distribution.items()), self.tr("等次分布"), self.tr(" 人"))
        follow = "，".join(f"{k} {v} 人" for k, v in st.follow_ups.items()) or self.tr("无")
        lines = [self.tr("共 {0} 人：{1}。").format(st.computed, st.shares_text()), *st.ties]
        if st.undecided:
            lines.append(self.tr("还有 {0} 人待定：请选中后点“确定等次…”记录支委会的决定，全部确定后才能发布。").format(
                st.undecided))
        lines.append(self.tr("约谈/劝退：{0}。如有积分录错，请取消向导，改正后再计算。").format(follow))
        self.label.setText("\n".join(lines))
        self.btn_decide.setVisible(st.published_on is None and any(r.choices for r in self.model.rows))

    def decide(self) -> None:
        r = self.model.row_at(self.table.current_row())
        if r is None or not r.choices:
            show_service_error(self, ServiceError(self.tr("请先选中一名同分跨过名额线（待定）的党员。")))
            return
        grade, ok = QInputDialog.getItem(
            self, self.tr("确定等次"), self.tr("{0}（{1} 分）经支委会确定评为：").format(r.name, points_text(r.total)),
            list(r.choices), 0, False)
        if not ok:
            return
        with user_errors(self):
            self.w.ctx.call(assessments.decide_grade, r.id, grade)
            self.w.reload()
            self.initializePage()


class _PublishPage(QWizardPage):
    def __init__(self, wizard: AssessmentWizard) -> None:
        super().__init__(wizard)
        self.w = wizard
        self.setObjectName("wizard_page_publish")
        self.setTitle(self.tr("第三步：发布"))
        layout = QVBoxLayout(self)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.chk_confirm = QCheckBox(self.tr("我已核对评定结果，确认发布"), self)
        self.chk_confirm.setObjectName("chk_confirm_publish")
        self.chk_confirm.toggled.connect(lambda _c: self.completeChanged.emit())
        self.chk_notice = QCheckBox(self.tr("生成积分排名公示（PDF 存入公示文件夹，并在“公示与台账”存档）"), self)
        self.chk_notice.setObjectName("chk_points_notice")
        layout.addWidget(self.label)
        layout.addWidget(self.chk_confirm)
        layout.addWidget(self.chk_notice)
        layout.addStretch(1)

    def initializePage(self) -> None:
        done = self.w.status.published_on is not None
        self.chk_confirm.setVisible(not done)
        self.chk_notice.setChecked(not done)  # once published, the 公示 was most likely made then
        self.label.setText(self.tr("该年度评定已发布。") if done else self.tr(
            "发布后评定结果和本年度的积分记录将封存，不能再修改；请确认没有遗漏的积分记录。发布需书记（管理员）操作。"
            "约谈劝退名单可在“公示与台账”中导出。"))

    def isComplete(self) -> bool:
        return self.w.status.published_on is not None or self.chk_confirm.isChecked()

    def validatePage(self) -> bool:
        try:
            if self.w.status.published_on is None:
                self.w.status = self.w.ctx.call(assessments.publish_assessment, self.w.unit_id, self.w.year)
                self.initializePage()
                self.chk_notice.setChecked(True)  # still wanted: it was ticked when 完成 was clicked
            if self.chk_notice.isChecked() and self.w.notice is None:
                self.w.notice = self._publish_notice()
        except ServiceError as e:
            show_service_error(self, e)
            return False
        return True

    def _publish_notice(self) -> NoticeInfo:
        """The 党员积分排名公示 of the year, from today, with the kind's own 公示期."""
        ctx, unit_id, year = self.w.ctx, self.w.unit_id, self.w.year
        draft = ctx.call(notices.build_notice, unit_id, "points", year, date.today())
        path = unused_path("notices", draft.title, ".pdf")
        return ctx.call(notices.publish_notice, unit_id, "points", path, year=year)


class FollowUpDialog(FormDialog):
    """登记约谈/劝退情况: date, who talked, the outcome; for 劝退 refused, 除名."""

    def __init__(self, ctx: AppContext, row: AssessmentRow, parent: QWidget | None = None) -> None:
        super().__init__("dialog_follow_up", f"登记{row.follow_up}情况：{row.name}", parent)
        self.ctx, self.row = ctx, row
        self.add_date("on", self.tr("日期"), required=True).set_date(date.today())
        self.add_line("by", self.tr("谈话人"), required=True, max_length=40)
        self.add_text("outcome", self.tr("结果"))
        self.chk_removal = QCheckBox(self.tr("劝退不退，予以除名"), self)
        self.chk_removal.setObjectName("chk_removal")
        self.chk_removal.setVisible(row.follow_up == "劝退")
        self.grid.addWidget(self.chk_removal, self.grid.rowCount(), 1)
        if row.records_text:
            earlier = QLabel(self.tr("已登记：") + row.records_text, self)
            earlier.setWordWrap(True)
            self.grid.addWidget(earlier, self.grid.rowCount(), 0, 1, 3)

    def values(self) -> dict[str, Any]:
        problems: list[Any] = []
        on = self.date_value("on", problems)
        if problems:
            raise ValidationError(problems)
        outcome = self.fields["outcome"].toPlainText()  # type: ignore[attr-defined]
        return {"on": on, "by": self.fields["by"].text(), "outcome": outcome,  # type: ignore[attr-defined]
                "removal": self.chk_removal.isChecked()}

    def save(self, values: dict[str, Any]) -> None:
        self.ctx.call(assessments.record_follow_up, self.row.id, values["on"], values["by"], values["outcome"],
                      values["removal"])
