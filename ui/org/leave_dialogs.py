"""Leaving and joining the roster: 转出 / 去世 / 出党 / 停止党籍 (dlg_leave) and 转入 (dlg_transfer_in).

dlg_leave shows the fields of the chosen way of leaving: 转出 asks where to (转往党组织) and the 介绍信编号,
出党 asks its form (开除党籍, 除名 …) and a reason, 去世 can record the death in the 居民 register as well.
dlg_transfer_in is 新增党员 plus where the relation comes from, the 转入日期 and the 介绍信编号.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtWidgets import QCheckBox, QLabel, QWidget

from app.services.context import AppContext
from app.services.errors import FieldProblem, ValidationError
from app.services.org import roster_changes
from app.services.org.member_checks import MemberInput
from app.services.org.members import MemberRow
from app.services.org.roster_changes import (
    EXIT_MODES,
    MEMBER_ONLY_KINDS,
    MEMBER_STAGES,
    ArrivalInput,
    LeaveInput,
)

from ..common.form import FormDialog, select_combo_data
from .member_dialog import MemberDialog

# (shown, stored left_kind)
KIND_CHOICES = [("转出", "转出"), ("去世", "死亡"), ("出党", "出党"), ("停止党籍", "停止党籍"), ("其他", "其他")]


ORG_NAME_EM = 20  # a full 党组织 name (中共某某县某某镇某某村支部委员会) shows whole


class LeaveDialog(FormDialog):
    def __init__(self, ctx: AppContext, row: MemberRow, kind: str = "转出", parent: QWidget | None = None) -> None:
        super().__init__("dlg_leave", self.tr("离开党员名册：{0}").format(row.name), parent)
        self.ctx, self.member_id = ctx, row.id
        choices = [(self.tr(text), value) for text, value in KIND_CHOICES
                   if row.stage in MEMBER_STAGES or value not in MEMBER_ONLY_KINDS]
        self.kind = self.add_combo("kind", self.tr("离开方式"), choices, required=True)
        self.on = self.add_date("on", self.tr("日期"), required=True)
        self.on.set_date(date.today())
        self.left_to = self.add_line("left_to", self.tr("转往党组织"), required=True, max_length=100,
                                     placeholder=self.tr("接收组织关系的党组织全称"))
        self.left_to.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * ORG_NAME_EM)
        self.letter = self.add_line("letter_no", self.tr("介绍信编号"), max_length=30)
        self.exit_mode = self.add_combo("exit_mode", self.tr("出党方式"), list(EXIT_MODES), required=True)
        self.reason = self.add_text("reason", self.tr("原因"))
        self.died = QCheckBox(self.tr("同时在居民登记中记为死亡"), self)
        self.died.setChecked(True)
        self.add_field("resident_died", "", self.died)
        self.note = QLabel(self.tr("离开后不再计入党员名册，记录保留；所任职务和联系户于当日结束。"), self)
        self.note.setWordWrap(True)
        self.grid.addWidget(self.note, self._row, 0, 1, 3)
        self._row += 1
        self.kind.currentIndexChanged.connect(self._fit_kind)
        select_combo_data(self.kind, kind)
        self._fit_kind()
        self.kind.setFocus()

    def _fit_kind(self) -> None:
        kind = self.kind.currentData()
        self.show_field("left_to", kind == "转出")
        self.show_field("letter_no", kind == "转出")
        self.show_field("exit_mode", kind == "出党")
        self.show_field("resident_died", kind == "死亡")
        required = kind in roster_changes.REASON_REQUIRED
        caption = self.findChild(QLabel, "label_reason")
        if caption is not None:
            caption.setText(self.tr("原因") + ("<span style='color:#c62828'> *</span>" if required else ""))

    def values(self) -> dict[str, Any]:
        problems: list[FieldProblem] = []
        on = self.date_value("on", problems)
        if problems:
            raise ValidationError(problems)
        kind = self.kind.currentData()
        return {"data": LeaveInput(
            kind=kind, on=on, reason=self.reason.toPlainText(),
            left_to=self.left_to.text() if kind == "转出" else "",
            letter_no=self.letter.text() if kind == "转出" else "",
            exit_mode=self.exit_mode.currentData() if kind == "出党" else "",
            resident_died=kind == "死亡" and self.died.isChecked(),
        )}

    def save(self, values: dict[str, Any]) -> str:
        data: LeaveInput = values["data"]
        self.ctx.call(roster_changes.end_membership, self.member_id, data)
        return data.kind


class TransferInDialog(MemberDialog):
    """转入: the member's form (with the original 入党/转正 dates) and where the relation comes from."""

    def __init__(self, ctx: AppContext, unit_id: int, org_id: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(ctx, unit_id, org_id=org_id, parent=parent)
        self.setObjectName("dlg_transfer_in")
        self.setWindowTitle(self.tr("转入党员"))
        self.add_section(self.tr("组织关系转入"))
        self.arrived_from = self.add_line("arrived_from", self.tr("转出党组织"), required=True, max_length=100,
                                          placeholder=self.tr("原所在党组织全称"))
        self.arrived_from.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * ORG_NAME_EM)
        self.arrived_on = self.add_date("arrived_on", self.tr("转入日期"), required=True)
        self.arrived_on.set_date(date.today())
        self.arrived_letter = self.add_line("arrived_letter_no", self.tr("介绍信编号"), max_length=30)

    def values(self) -> dict[str, Any]:
        problems: list[FieldProblem] = []
        arrived_on = self.date_value("arrived_on", problems)
        try:
            base = super().values()
        except ValidationError as e:
            raise ValidationError([*e.problems, *problems]) from None
        if problems:
            raise ValidationError(problems)
        return {**base, "arrival": ArrivalInput(self.arrived_from.text(), arrived_on, self.arrived_letter.text())}

    def save(self, values: dict[str, Any]) -> int:
        values = dict(values)
        arrival: ArrivalInput = values.pop("arrival")
        return self.ctx.call(roster_changes.transfer_in, self.unit_id, MemberInput(**values), arrival)
