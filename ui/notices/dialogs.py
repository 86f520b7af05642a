"""生成公示, 登记异议, 处理异议: form dialogs over app.services.notices."""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Any

from PySide6.QtWidgets import QCheckBox, QSpinBox, QWidget

from app.services import units
from app.services.calendar import MAX_NOTICE_DAYS
from app.services.context import AppContext
from app.services.errors import FieldProblem, ServiceError, ValidationError
from app.services.notices import archive as notices
from app.services.notices.archive import NoticeInfo, NoticeRow, ObjectionRow
from app.services.output_kinds import NOTICE_KINDS

from ..common.files import ask_save_path
from ..common.form import FormDialog, select_combo_data

PDF_FILTER = "PDF 文件 (*.pdf)"
PAPER_CHOICES = [("A4（常规）", "A4"), ("A3（大幅公示栏）", "A3")]


def _dates(dialog: FormDialog, *names: str) -> dict[str, date | None]:
    """The dialog's date fields; bad dates raise ValidationError (shown beside the fields)."""
    problems: list[FieldProblem] = []
    out = {name: dialog.date_value(name, problems) for name in names}
    if problems:
        raise ValidationError(problems)
    return out


class NewNoticeDialog(FormDialog):
    """dlg_new_notice: kind, paper, 公示期 start and days → choose where to save → publish and archive."""

    def __init__(self, ctx: AppContext, unit_id: int, parent: QWidget | None = None) -> None:
        super().__init__("dlg_new_notice", self.tr("生成公示"), parent)
        self.ctx = ctx
        self.unit_id = unit_id
        unit = ctx.call(units.get_unit, unit_id)
        kinds = [(self.tr(label), kind) for kind, label in NOTICE_KINDS.items()]
        self.kind = self.add_combo("kind", self.tr("公示类别"), kinds, required=True)
        self.paper = self.add_combo("paper", self.tr("纸张"), [(self.tr(t), v) for t, v in PAPER_CHOICES])
        self.start = self.add_date("start", self.tr("公示开始日期"), required=True)
        self.start.set_date(date.today())
        self.days = QSpinBox(self)
        self.days.setRange(1, MAX_NOTICE_DAYS)
        self.days.setValue(unit.notice_days)
        self.days.setSuffix(self.tr(" 天"))
        self.add_field("days", self.tr("公示天数"), self.days, required=True)
        self.workdays = QCheckBox(self.tr("按工作日计算（遇节假日顺延）"), self)
        self.workdays.setChecked(unit.notice_workdays)
        self.add_field("workdays", "", self.workdays)
        self.btn_save.setText(self.tr("生成…"))
        self.btn_save.setToolTip(self.tr("选择保存位置，生成 PDF 并存档（Ctrl+S）"))
        self.result_value: NoticeInfo | None = None

    def values(self) -> dict[str, Any]:
        start = _dates(self, "start")["start"]
        if start is None:
            raise ValidationError([FieldProblem("start", self.labels["start"], self.tr("请填写公示开始日期"))])
        return {"kind": self.kind.currentData(), "paper": self.paper.currentData(), "start": start,
                "days": self.days.value(), "workdays": self.workdays.isChecked()}

    def save(self, values: dict[str, Any]) -> NoticeInfo:
        # Build first: "nothing to publish" is said before the user picks a file.
        draft = self.ctx.call(notices.build_notice, self.unit_id, values["kind"], None, values["start"])
        path = ask_save_path(self, self.tr("保存公示文件"), f"{draft.title}.pdf", self.tr(PDF_FILTER), ".pdf",
                             "notices")
        if path is None:
            raise ServiceError(self.tr("没有选择保存位置，公示尚未生成。"))
        return self.ctx.call(notices.publish_notice, self.unit_id, values["kind"], path, paper=values["paper"],
                             start=values["start"], days=values["days"], workdays=values["workdays"])

    def select_kind(self, kind: str) -> None:
        select_combo_data(self.kind, kind)


class ObjectionDialog(FormDialog):
    """dlg_objection: 登记异议 — who raised it (may be anonymous), when, about whom, what."""

    def __init__(self, ctx: AppContext, notice: NoticeRow, parent: QWidget | None = None) -> None:
        super().__init__("dlg_objection", self.tr("登记异议"), parent)
        self.ctx = ctx
        self.notice = notice
        self.add_section(escape(f"{notice.number}《{notice.title}》"))
        self.received_on = self.add_date("received_on", self.tr("收到日期"), required=True)
        self.received_on.set_date(date.today())
        self.raised_by = self.add_line("raised_by", self.tr("反映人"), placeholder=self.tr("可不填（匿名）"),
                                       max_length=40)
        self.subject = self.add_line("subject", self.tr("涉及对象"), placeholder=self.tr("如：张三、第二网格"),
                                     max_length=100)
        self.content = self.add_text("content", self.tr("异议内容"))
        self.raised_by.setFocus()

    def values(self) -> dict[str, Any]:
        return {"received_on": _dates(self, "received_on")["received_on"], "raised_by": self.raised_by.text(),
                "subject": self.subject.text(), "content": self.content.toPlainText()}

    def save(self, values: dict[str, Any]) -> int:
        return self.ctx.call(notices.add_objection, self.notice.id, values["received_on"], values["raised_by"],
                             values["content"], values["subject"])


class ResolveObjectionDialog(FormDialog):
    """dlg_resolve_objection: 处理异议 — how it was handled (核实情况、答复), and when."""

    def __init__(self, ctx: AppContext, objection: ObjectionRow, parent: QWidget | None = None) -> None:
        super().__init__("dlg_resolve_objection", self.tr("处理异议"), parent)
        self.ctx = ctx
        self.objection = objection
        who = objection.raised_by or self.tr("匿名")
        self.add_section(escape(self.tr("{0} 收到 {1} 反映").format(objection.received_on.isoformat(), who)))
        shown = self.add_text("objection", self.tr("异议内容"))
        shown.setPlainText(objection.content)
        shown.setReadOnly(True)
        self.resolution = self.add_text("resolution", self.tr("处理情况"))
        self.resolution.setPlaceholderText(self.tr("如：经核实情况属实，已取消其公示对象资格并当面答复反映人"))
        if objection.resolution:
            self.resolution.setPlainText(objection.resolution)
        self.resolved_on = self.add_date("resolved_on", self.tr("处理日期"), required=True)
        self.resolved_on.set_date(objection.resolved_on or date.today())
        self.resolution.setFocus()

    def values(self) -> dict[str, Any]:
        return {"resolution": self.resolution.toPlainText(),
                "resolved_on": _dates(self, "resolved_on")["resolved_on"]}

    def save(self, values: dict[str, Any]) -> None:
        self.ctx.call(notices.resolve_objection, self.objection.id, values["resolution"], values["resolved_on"])
