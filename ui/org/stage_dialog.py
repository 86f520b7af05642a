"""发展党员, one step at a time (dlg_stage): 申请入党 → 入党积极分子 → 发展对象 → 预备党员 → 正式党员, with the
date the step needs (确定为积极分子日期, 确定为发展对象日期, 入党日期, 转正日期); problems beside the date."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtWidgets import QLabel, QWidget

from app.services.context import AppContext
from app.services.errors import FieldProblem, ValidationError
from app.services.org import members
from app.services.org.member_checks import DATE_LABELS, STAGE_DATE, STAGES
from app.services.org.members import MemberRow

from ..common.form import FormDialog

# What the step is called on the button and in the dialog.
STEP_NAMES = {
    "入党积极分子": "确定为入党积极分子", "发展对象": "确定为发展对象", "预备党员": "接收为预备党员", "正式党员": "转为正式党员",
}


def next_stage(stage: str) -> str | None:
    i = STAGES.index(stage) if stage in STAGES else len(STAGES) - 1
    return STAGES[i + 1] if i + 1 < len(STAGES) else None


class StageDialog(FormDialog):
    def __init__(self, ctx: AppContext, row: MemberRow, parent: QWidget | None = None) -> None:
        target = next_stage(row.stage)
        assert target is not None
        super().__init__("dlg_stage", self.tr("{0}：{1}").format(self.tr(STEP_NAMES[target]), row.name), parent)
        self.ctx, self.member_id, self.target = ctx, row.id, target
        step = QLabel(self.tr("{0} → {1}").format(row.stage, target), self)
        self.add_field("stage", self.tr("阶段"), step)
        key = STAGE_DATE[target]
        self.on = self.add_date("on", self.tr(DATE_LABELS[key]), required=True)
        self.on.set_date(date.today())
        for other in DATE_LABELS:  # the pipeline's date checks speak of the date this step sets (or an earlier one)
            self.aliases[other] = "on"
        self.on.setFocus()
        self.on.selectAll()

    def values(self) -> dict[str, Any]:
        problems: list[FieldProblem] = []
        on = self.date_value("on", problems)
        if problems:
            raise ValidationError(problems)
        return {"on": on}

    def save(self, values: dict[str, Any]) -> str:
        self.ctx.call(members.change_stage, self.member_id, self.target, values["on"])
        return self.target
