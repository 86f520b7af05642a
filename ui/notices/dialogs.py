"""生成公示, 登记异议, 处理异议: form dialogs over app.services.notices."""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Any

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSpinBox, QWidget

from app.services import units
from app.services.calendar import MAX_NOTICE_DAYS
from app.services.context import AppContext
from app.services.errors import FieldProblem, ServiceError, ValidationError
from app.services.notices import archive as notices
from app.services.notices import periods
from app.services.notices.archive import NoticeInfo, NoticeRow, ObjectionRow
from app.services.output_kinds import NOTICE_KINDS

from ..common.files import ask_save_path
from ..common.form import FormDialog, select_combo_data

PDF_FILTER = "PDF 文件 (*.pdf)"
PAPER_CHOICES = [("A4（常规）", "A4"), ("A3（大幅公示栏）", "A3")]
DAY_UNITS = [("天", False), ("个工作日", True)]  # 公示期 in calendar days or in working days


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
        # 年度: which year's list or ranking (in January the yearly rankings default to last year)
        self.year = QSpinBox(self)
        self.year.setRange(2000, date.today().year + 1)
        self.year.setValue(date.today().year)
        self.add_field("year", self.tr("年度"), self.year, required=True)
        self.start = self.add_date("start", self.tr("公示开始日期"), required=True)
        self.start.set_date(date.today())
        # 公示期: a number and its unit (天 / 个工作日), set to the kind's rule (notices.periods) when the
        # kind changes; the line under it says the dates the notice will print
        box = QWidget(self)
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        self.days = QSpinBox(box)
        self.days.setObjectName("spin_days")
        self.days.setRange(1, MAX_NOTICE_DAYS)
        self.days.setValue(unit.notice_days)
        self.day_unit = QComboBox(box)
        self.day_unit.setObjectName("combo_day_unit")
        for text, value in DAY_UNITS:
            self.day_unit.addItem(self.tr(text), value)
        self.day_unit.setToolTip(self.tr("工作日不计周末和法定节假日，调休上班的周末计入"))
        row.addWidget(self.days, 1)
        row.addWidget(self.day_unit)
        self.add_field("days", self.tr("公示期"), box, required=True)
        self.period_hint = QLabel(self)
        self.period_hint.setWordWrap(True)
        self.add_field("period_hint", "", self.period_hint)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        for signal in (self.days.valueChanged, self.day_unit.currentIndexChanged, self.start.textChanged):
            signal.connect(self._show_period)
        self._kind_changed()
        self.btn_save.setText(self.tr("生成…"))
        self.btn_save.setToolTip(self.tr("选择保存位置，生成 PDF 并存档（Ctrl+S）"))
        self.result_value: NoticeInfo | None = None

    def values(self) -> dict[str, Any]:
        start = _dates(self, "start")["start"]
        if start is None:
            raise ValidationError([FieldProblem("start", self.labels["start"], self.tr("请填写公示开始日期"))])
        return {"kind": self.kind.currentData(), "paper": self.paper.currentData(), "start": start,
                "days": self.days.value(), "workdays": bool(self.day_unit.currentData()),
                "year": self.year.value()}

    def save(self, values: dict[str, Any]) -> NoticeInfo:
        # Build first: "nothing to publish" is said before the user picks a file.
        draft = self.ctx.call(notices.build_notice, self.unit_id, values["kind"], values["year"], values["start"])
        path = ask_save_path(self, self.tr("保存公示文件"), f"{draft.title}.pdf", self.tr(PDF_FILTER), ".pdf",
                             "notices")
        if path is None:
            raise ServiceError(self.tr("没有选择保存位置，公示尚未生成。"))
        return self.ctx.call(notices.publish_notice, self.unit_id, values["kind"], path, paper=values["paper"],
                             start=values["start"], days=values["days"], workdays=values["workdays"],
                             year=values["year"])

    def select_kind(self, kind: str) -> None:
        select_combo_data(self.kind, kind)

    def _kind_changed(self) -> None:
        """The kind's own 公示期 (发展党员公示: 5 个工作日; others the village's setting)."""
        kind = self.kind.currentData()
        if kind is None:
            return
        self.year.setValue(notices.default_notice_year(kind))
        days, workdays = self.ctx.call(periods.default_period, self.unit_id, kind)
        self.days.setValue(days)
        select_combo_data(self.day_unit, workdays)
        self.day_unit.setToolTip(self.tr("规定：{0}。工作日不计周末和法定节假日，调休上班的周末计入")
                                 .format(periods.rule_for(kind).basis))
        self._show_period()

    def _show_period(self) -> None:
        """公示期：2026年12月3日至2026年12月9日（5个工作日）, as the notice will print it."""
        try:
            start = self.start.date()
        except ValueError:
            start = None
        if start is None or self.kind.currentData() is None:
            self.period_hint.setText("")
            return
        try:
            period = self.ctx.call(periods.notice_period, self.unit_id, self.kind.currentData(), start,
                                   self.days.value(), bool(self.day_unit.currentData()))
        except ServiceError as e:
            self.period_hint.setText(str(e))
            return
        self.period_hint.setText(period.sentence())


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
