"""居民状态变动 (dlg_resident_status): 外出务工 / 返乡 / 迁出 / 死亡 with a date and a reason, or 更正 of a
status entered by mistake. The service decides which change may follow which; its problems show beside
the fields."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtWidgets import QLabel, QWidget

from app.services.context import AppContext
from app.services.errors import FieldProblem, ValidationError
from app.services.people import status_changes
from app.services.people.residents import RESIDENT_STATUSES
from app.services.people.status_changes import CORRECTION, NOTE_LABELS, StatusChange, StatusForm, StatusResult

from ..common.form import FormDialog, select_combo_data

REQUIRED_MARK = "<span style='color:#c62828'> *</span>"


class ResidentStatusDialog(FormDialog):
    """Records one status change; result_value is the service's StatusResult."""

    def __init__(self, ctx: AppContext, resident_id: int, change: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__("dlg_resident_status", self.tr("居民状态变动"), parent)
        self.ctx = ctx
        self.resident_id = resident_id
        self.form: StatusForm = ctx.call(status_changes.status_form, resident_id)
        f = self.form
        self.aliases.update({"status_date": "on", "status": "to_status"})  # set_resident_status's names

        since = f"（{f.status_date.isoformat()}）" if f.status_date else ""
        about = [self.tr("<b>{0}</b>　现在：{1}{2}").format(f.name, f.status, since)]
        if f.household_number:
            head = self.tr("，户主") if f.is_head else ""
            about.append(self.tr("户号 {0}{1}").format(f.household_number, head))
        if f.member_org:
            about.append(self.tr("党员（{0}）：登记死亡时同时办理党员去世").format(f.member_org))
        self.about = QLabel("<br>".join(about), self)
        self.about.setObjectName("label_status_about")
        self.about.setWordWrap(True)
        self.grid.addWidget(self.about, self._row, 0, 1, 3)
        self._row += 1

        names = {"外出务工": self.tr("外出务工"), "返乡": self.tr("返乡（回到在册）"), "迁出": self.tr("迁出"),
                 "死亡": self.tr("死亡"), CORRECTION: self.tr("更正（登记有误）")}
        self.change = self.add_combo("change", self.tr("变动"), [(names[c], c) for c in f.changes], required=True)
        others = [s for s in RESIDENT_STATUSES if s != f.status]
        self.to_status = self.add_combo("to_status", self.tr("更正为"), others, required=True)
        self.on = self.add_date("on", self.tr("日期"), required=True)
        self.note = self.add_text("note", self.tr("说明"))
        self.hint = QLabel(self)
        self.hint.setObjectName("label_status_hint")
        self.hint.setWordWrap(True)
        self.grid.addWidget(self.hint, self._row, 0, 1, 3)
        self._row += 1

        if f.previous_status in others:
            select_combo_data(self.to_status, f.previous_status)
        if change is not None:
            select_combo_data(self.change, change)
        self.change.currentIndexChanged.connect(self._fit)
        self._fit()
        self.change.setFocus()

    def _caption(self, name: str, text: str, required: bool) -> None:
        caption = self.findChild(QLabel, f"label_{name}")
        if caption is not None:
            caption.setText(text + (REQUIRED_MARK if required else ""))

    def _fit(self) -> None:
        kind = self.change.currentData() or ""
        correction = kind == CORRECTION
        self.show_field("to_status", correction)
        self._caption("note", self.tr(NOTE_LABELS.get(kind, "说明")), kind in status_changes.NOTE_REQUIRED)
        self._caption("on", self.tr("{0}日期").format(kind if not correction else self.tr("状态")), not correction)
        if correction:
            previous = self.form.previous_date
            self.on.set_date(previous)
            self.hint.setText(self.tr("更正只改正登记错误（操作日志保留原登记）。更正为在册时日期可以空着。"))
        else:
            self.on.set_date(date.today())
            hints = {
                "死亡": self.tr("记录保留，不再计入在册人数。"),
                "迁出": self.tr("记录保留，不再计入在册人数；迁出后不能再办理其他变动（登记有误可“更正”）。"),
                "返乡": self.tr("回到在册。"),
                "外出务工": self.tr("仍计入本村居民（在册和外出务工）。"),
            }
            self.hint.setText(hints.get(kind, ""))

    def values(self) -> dict[str, Any]:
        problems: list[FieldProblem] = []
        on = self.date_value("on", problems)
        if problems:
            raise ValidationError(problems)
        kind = self.change.currentData() or ""
        return {
            "change": kind,
            "on": on,
            "note": self.note.toPlainText(),
            "to_status": (self.to_status.currentData() or "") if kind == CORRECTION else "",
        }

    def save(self, values: dict[str, Any]) -> StatusResult:
        return self.ctx.call(status_changes.record_status_change, self.resident_id, StatusChange(**values))
