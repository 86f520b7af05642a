"""Dialogs of the 星级文明户 page: new round, review, 公示, objections, decision, 备案, reopen."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QComboBox, QLineEdit, QPushButton, QSpinBox, QWidget

from app.services.context import AppContext
from app.services.errors import FieldProblem, ValidationError
from app.services.stars import applications
from app.services.stars import publicity as star_publicity
from app.services.stars import rounds as stars
from app.services.stars.applications import ApplicationRow, ItemReview
from app.services.stars.publicity import RoundObjection
from app.services.stars.rounds import REVIEW_BODIES, ROUND_STEP_LABELS, ROUND_STEPS

from ..common.files import ask_save_path
from ..common.form import FormDialog, select_combo_data

DECISIONS = [("待审核", "pending"), ("通过", "approved"), ("不通过", "rejected")]
PDF_FILTER = "PDF 文件 (*.pdf)"


def _required_date(form: FormDialog, name: str, problems: list[FieldProblem]) -> date | None:
    value = form.date_value(name, problems)
    if value is None and not any(p.field == name for p in problems):
        problems.append(FieldProblem(name, form.labels[name], form.tr("请填写日期")))
    return value


class NewRoundDialog(FormDialog):
    """新建评选批次 (dlg_star_round)."""

    def __init__(self, ctx: AppContext, unit_id: int, parent: QWidget | None = None) -> None:
        super().__init__("dlg_star_round", self.tr("新建评选批次"), parent)
        self.ctx, self.unit_id = ctx, unit_id
        self.year = QSpinBox(self)
        self.year.setRange(2000, 2100)
        self.year.setValue(date.today().year)
        self.add_field("year", self.tr("年度"), self.year, required=True)
        self.name = self.add_line("name", self.tr("批次名称"), placeholder=self.tr("默认：××年度星级文明户评选"))
        self.started_on = self.add_date("started_on", self.tr("动员部署日期"))
        self.started_on.set_date(date.today())
        self.note = self.add_text("note", self.tr("实施方案要点"))

    def values(self) -> dict[str, Any]:
        problems: list[FieldProblem] = []
        started = self.date_value("started_on", problems)
        if problems:
            raise ValidationError(problems)
        return {"year": self.year.value(), "name": self.name.text(), "started_on": started,
                "note": self.note.toPlainText()}

    def save(self, values: dict[str, Any]) -> int:
        return self.ctx.call(stars.create_round, self.unit_id, **values)


class ReviewDialog(FormDialog):
    """两会审核 of one application: per star 通过/不通过, the reviewing body and the opinion (dlg_star_review).

    With an objection given it resolves that objection as 异议成立 with the changed review.
    """

    def __init__(
        self, ctx: AppContext, application: ApplicationRow, objection: RoundObjection | None = None,
        parent: QWidget | None = None,
    ) -> None:
        title = self.tr("异议成立：修改审核结果") if objection else self.tr("两会审核")
        super().__init__("dlg_star_review", title, parent)
        self.ctx, self.application, self.objection = ctx, application, objection
        who = f"{application.household_number}  {application.head_name}  {application.address}"
        self.add_section(who)
        self.rows: dict[int, tuple[QComboBox, QComboBox, QLineEdit]] = {}
        for item in application.items:
            self.add_section(item.category)
            decision = self.add_combo(f"decision_{item.category_id}", self.tr("结论"),
                                      [(self.tr(t), v) for t, v in DECISIONS])
            select_combo_data(decision, item.decision)
            body = self.add_combo(f"body_{item.category_id}", self.tr("审核机构"), list(REVIEW_BODIES))
            if item.review_body:
                select_combo_data(body, item.review_body)
            opinion = self.add_line(f"opinion_{item.category_id}", self.tr("评议意见"))
            opinion.setText(item.opinion)
            self.rows[item.category_id] = (decision, body, opinion)
        if objection is not None:
            self.add_section(self.tr("异议：{0}").format(objection.content))
            self.reason = self.add_line("resolution", self.tr("处理情况"), required=True)
        self.btn_approve_all = QPushButton(self.tr("全部通过"), self)
        self.btn_approve_all.setObjectName("btn_approve_all")
        self.btn_approve_all.clicked.connect(self.approve_all)
        self.grid.addWidget(self.btn_approve_all, self._row, 1)

    def approve_all(self) -> None:
        for decision, _body, _opinion in self.rows.values():
            select_combo_data(decision, "approved")

    def reviews(self) -> list[ItemReview]:
        return [ItemReview(cid, d.currentData(), b.currentData(), o.text()) for cid, (d, b, o) in self.rows.items()]

    def values(self) -> dict[str, Any]:
        return {"reviews": self.reviews()}

    def save(self, values: dict[str, Any]) -> None:
        if self.objection is None:
            self.ctx.call(applications.review_application, self.application.id, values["reviews"])
        else:
            self.ctx.call(star_publicity.uphold_objection, self.application.round_id, self.objection.id,
                          self.application.id, values["reviews"], self.reason.text())


class PublicizeDialog(FormDialog):
    """生成公示并张榜 (or the corrected notice): 公示开始日期, days, paper, where to save (dlg_star_notice)."""

    def __init__(self, ctx: AppContext, round_id: int, year: int, corrected: bool = False,
                 parent: QWidget | None = None) -> None:
        title = self.tr("发布更正公示") if corrected else self.tr("生成公示并张榜")
        super().__init__("dlg_star_notice", title, parent)
        self.ctx, self.round_id, self.corrected = ctx, round_id, corrected
        self.start = self.add_date("start", self.tr("公示开始日期"), required=True)
        self.start.set_date(date.today())
        self.days = QSpinBox(self)
        self.days.setRange(0, 30)
        self.days.setSpecialValueText(self.tr("按本村设置"))
        self.add_field("days", self.tr("公示天数"), self.days)
        self.paper = self.add_combo("paper", self.tr("纸张"), [(self.tr("A4"), "A4"), (self.tr("A3（公示栏大幅）"), "A3")])
        self.path = self.add_line("path", self.tr("保存到"), required=True)
        self.path.setText(str(Path.home() / f"{year}年度星级文明户公示{'（更正）' if corrected else ''}.pdf"))
        self.btn_browse = QPushButton(self.tr("选择…"), self)
        self.btn_browse.setObjectName("btn_browse")
        self.btn_browse.clicked.connect(self.browse)
        self.grid.addWidget(self.btn_browse, self._row, 1)
        self.btn_save.setText(self.tr("生成并发布"))
        self.result_value: Any = None

    def browse(self) -> None:
        path = ask_save_path(self, self.tr("公示保存到"), Path(self.path.text()).name, self.tr(PDF_FILTER), ".pdf",
                             purpose="notice")
        if path is not None:
            self.path.setText(str(path))

    def values(self) -> dict[str, Any]:
        problems: list[FieldProblem] = []
        start = _required_date(self, "start", problems)
        if not self.path.text().strip():
            problems.append(FieldProblem("path", self.tr("保存到"), self.tr("请选择公示文件保存的位置")))
        if problems:
            raise ValidationError(problems)
        return {"out_path": Path(self.path.text().strip()), "paper": self.paper.currentData(), "start": start,
                "days": self.days.value() or None}

    def save(self, values: dict[str, Any]) -> Any:
        fn = star_publicity.publish_correction if self.corrected else star_publicity.publicize_round
        return self.ctx.call(fn, self.round_id, **values)


class ObjectionDialog(FormDialog):
    """登记异议 (dlg_star_objection)."""

    def __init__(self, ctx: AppContext, round_id: int, parent: QWidget | None = None) -> None:
        super().__init__("dlg_star_objection", self.tr("登记异议"), parent)
        self.ctx, self.round_id = ctx, round_id
        self.received_on = self.add_date("received_on", self.tr("收到日期"), required=True)
        self.received_on.set_date(date.today())
        self.raised_by = self.add_line("raised_by", self.tr("反映人"), placeholder=self.tr("可不填（匿名）"))
        self.subject = self.add_line("subject", self.tr("涉及的户"), placeholder=self.tr("户主姓名或户号"))
        self.content = self.add_text("content", self.tr("异议内容"))

    def values(self) -> dict[str, Any]:
        problems: list[FieldProblem] = []
        received = _required_date(self, "received_on", problems)
        if problems:
            raise ValidationError(problems)
        return {"received_on": received, "raised_by": self.raised_by.text(), "subject": self.subject.text(),
                "content": self.content.toPlainText()}

    def save(self, values: dict[str, Any]) -> int:
        return self.ctx.call(star_publicity.add_round_objection, self.round_id, **values)


class DismissDialog(FormDialog):
    """异议不成立 with the reason (dlg_star_dismiss)."""

    def __init__(self, ctx: AppContext, round_id: int, objection: RoundObjection, parent: QWidget | None = None) -> None:
        super().__init__("dlg_star_dismiss", self.tr("异议不成立"), parent)
        self.ctx, self.round_id, self.objection = ctx, round_id, objection
        self.add_section(self.tr("异议：{0}").format(objection.content))
        self.reason = self.add_line("resolution", self.tr("不成立的理由"), required=True)
        self.on = self.add_date("on", self.tr("处理日期"), required=True)
        self.on.set_date(date.today())

    def values(self) -> dict[str, Any]:
        problems: list[FieldProblem] = []
        on = _required_date(self, "on", problems)
        if problems:
            raise ValidationError(problems)
        return {"reason": self.reason.text(), "on": on}

    def save(self, values: dict[str, Any]) -> None:
        self.ctx.call(star_publicity.dismiss_objection, self.round_id, self.objection.id, **values)


class DecideDialog(FormDialog):
    """两委会确定 (and, if known, 报镇备案) (dlg_star_decide)."""

    def __init__(self, ctx: AppContext, round_id: int, notice_end: date | None, parent: QWidget | None = None) -> None:
        super().__init__("dlg_star_decide", self.tr("两委会确定"), parent)
        self.ctx, self.round_id = ctx, round_id
        if notice_end is not None:
            self.add_section(self.tr("公示期到 {0} 结束；确定后本批次锁定，之后只能加星/减星。").format(notice_end.isoformat()))
        self.meeting_on = self.add_date("meeting_on", self.tr("两委会日期"), required=True)
        default = max(date.today() if notice_end is None else notice_end + timedelta(days=1), date.today())
        self.meeting_on.set_date(min(default, date.today()))
        self.filed_on = self.add_date("filed_on", self.tr("报镇备案日期"))
        self.note = self.add_line("note", self.tr("会议纪要"))
        self.btn_save.setText(self.tr("确定并锁定"))

    def values(self) -> dict[str, Any]:
        problems: list[FieldProblem] = []
        meeting = _required_date(self, "meeting_on", problems)
        filed = self.date_value("filed_on", problems)
        if problems:
            raise ValidationError(problems)
        return {"meeting_on": meeting, "filed_on": filed, "note": self.note.text()}

    def save(self, values: dict[str, Any]) -> None:
        self.ctx.call(star_publicity.decide_round, self.round_id, **values)


class FileDialog(FormDialog):
    """报镇备案 (dlg_star_file)."""

    def __init__(self, ctx: AppContext, round_id: int, parent: QWidget | None = None) -> None:
        super().__init__("dlg_star_file", self.tr("报镇备案"), parent)
        self.ctx, self.round_id = ctx, round_id
        self.filed_on = self.add_date("filed_on", self.tr("报镇备案日期"), required=True)
        self.filed_on.set_date(date.today())
        self.note = self.add_line("note", self.tr("备注"), placeholder=self.tr("如：已报镇党委备案，择日命名授牌"))

    def values(self) -> dict[str, Any]:
        problems: list[FieldProblem] = []
        filed = _required_date(self, "filed_on", problems)
        if problems:
            raise ValidationError(problems)
        return {"filed_on": filed, "note": self.note.text()}

    def save(self, values: dict[str, Any]) -> None:
        self.ctx.call(star_publicity.file_round, self.round_id, **values)


class ReopenDialog(FormDialog):
    """重新打开 a round to an earlier step (书记 only), with the reason (dlg_star_reopen)."""

    def __init__(self, ctx: AppContext, round_id: int, step: str, parent: QWidget | None = None) -> None:
        super().__init__("dlg_star_reopen", self.tr("重新打开评选批次"), parent)
        self.ctx, self.round_id = ctx, round_id
        earlier = ROUND_STEPS[: ROUND_STEPS.index(step)]
        self.add_section(self.tr("只有书记可以重新打开；原因会记入步骤记录和操作日志。"))
        self.to_step = self.add_combo("to_step", self.tr("退回到"), [(ROUND_STEP_LABELS[s], s) for s in earlier])
        if earlier:
            self.to_step.setCurrentIndex(len(earlier) - 1)
        self.reason = self.add_line("reason", self.tr("原因"), required=True)

    def values(self) -> dict[str, Any]:
        return {"to_step": self.to_step.currentData(), "reason": self.reason.text()}

    def save(self, values: dict[str, Any]) -> None:
        self.ctx.call(stars.reopen_round, self.round_id, **values)

