"""The dialogs of the 民主评议 tab: 开始评议 (or 修改), 确定结果, 后续处理 (劝退/除名 confirmed first: they end
the membership) and 结束评议."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtWidgets import QLabel, QMessageBox, QSpinBox, QWidget

from app.services.context import AppContext
from app.services.errors import FieldProblem, ValidationError
from app.services.partywork import appraisal
from app.services.partywork.appraisal import (
    ABSENT,
    EXIT_MODES,
    FOLLOW_UPS,
    GRADES,
    DecisionInput,
    FollowUpInput,
    MemberAppraisal,
    RoundInfo,
    RoundInput,
)

from ..common.form import FormDialog, select_combo_data


def _date(dialog: FormDialog, name: str, required: bool = True) -> date | None:
    problems: list[FieldProblem] = []
    on = dialog.date_value(name, problems)
    if problems:
        raise ValidationError(problems)
    if required and on is None:
        raise ValidationError([FieldProblem(name, dialog.labels[name], f"请填写{dialog.labels[name]}")])
    return on


class AppraisalRoundDialog(FormDialog):
    """开始评议 for a branch and year (or 修改 the date, ballots and note of an open round)."""

    def __init__(self, ctx: AppContext, unit_id: int, org_id: int | None, year: int,
                 current: RoundInfo | None = None, parent: QWidget | None = None) -> None:
        super().__init__("dialog_appraisal_round", self.tr("修改民主评议") if current else self.tr("开始民主评议"), parent)
        self.ctx, self.unit_id, self.current = ctx, unit_id, current
        branches = ctx.call(appraisal.list_branches, unit_id)
        combo = self.add_combo("org_id", self.tr("党支部"), [(n, i) for i, n in branches], required=True)
        select_combo_data(combo, current.org_id if current else org_id)
        combo.setEnabled(current is None)
        self.spin_year = QSpinBox(self)
        self.spin_year.setRange(2000, 2100)
        self.spin_year.setValue(current.year if current else year)
        self.spin_year.setSuffix(self.tr(" 年度"))
        self.spin_year.setEnabled(current is None)
        self.add_field("year", self.tr("年度"), self.spin_year, required=True)
        self.add_date("held_on", self.tr("评议日期"), required=True).set_date(current.held_on if current else date.today())
        self.spin_voters = QSpinBox(self)
        self.spin_voters.setRange(0, 10000)
        self.spin_voters.setSuffix(self.tr(" 张"))
        self.spin_voters.setValue(current.voters if current else 0)
        self.add_field("voters", self.tr("发出测评票"), self.spin_voters, required=True)
        self.add_text("note", self.tr("备注"))
        if current:
            self.fields["note"].setPlainText(current.note)  # type: ignore[attr-defined]

    def values(self) -> dict[str, Any]:
        return {"data": RoundInput(self.fields["org_id"].currentData(), self.spin_year.value(),  # type: ignore[attr-defined]
                                   _date(self, "held_on"), self.spin_voters.value(),
                                   self.fields["note"].toPlainText())}  # type: ignore[attr-defined]

    def save(self, values: dict[str, Any]) -> int:
        if self.current is not None:
            self.ctx.call(appraisal.update_round, self.current.id, values["data"])
            return self.current.id
        return self.ctx.call(appraisal.open_round, self.unit_id, values["data"])


class AppraisalDecideDialog(FormDialog):
    """确定结果: the grade (the suggestion preselected) or 未参评, with the reason."""

    def __init__(self, ctx: AppContext, round_id: int, member: MemberAppraisal, parent: QWidget | None = None) -> None:
        super().__init__("dialog_appraisal_decide", self.tr("确定评议结果"), parent)
        self.ctx, self.round_id, self.member = ctx, round_id, member
        self.add_section(self.tr("{0}　民主测评：{1}").format(member.name, self._votes(member)))
        suggestion = QLabel(member.suggestion or self.tr("（未录入测评票，无建议）"), self)
        self.add_field("suggestion", self.tr("建议结果"), suggestion)
        combo = self.add_combo("grade", self.tr("评议结果"), [*[(g, g) for g in GRADES], (ABSENT, ABSENT)], required=True)
        select_combo_data(combo, member.grade or member.suggestion or "合格")
        self.add_text("reason", self.tr("理由"))
        self.fields["reason"].setPlainText(member.reason)  # type: ignore[attr-defined]
        self.fields["reason"].setPlaceholderText(self.tr("不合格、未参评须写明理由"))  # type: ignore[attr-defined]
        self.add_date("decided_on", self.tr("确定日期"), required=True).set_date(date.today())

    def _votes(self, m: MemberAppraisal) -> str:
        if not m.cast:
            return self.tr("未录入")
        return "，".join(f"{g} {v}" for g, v in zip(GRADES, m.democratic, strict=True)) + self.tr("（共 {0} 张）").format(m.cast)

    def values(self) -> dict[str, Any]:
        grade = self.fields["grade"].currentData()  # type: ignore[attr-defined]
        return {"data": DecisionInput(None if grade == ABSENT else grade,
                                      self.fields["reason"].toPlainText(),  # type: ignore[attr-defined]
                                      _date(self, "decided_on"))}

    def save(self, values: dict[str, Any]) -> None:
        self.ctx.call(appraisal.decide, self.round_id, self.member.member_id, values["data"])


class AppraisalFollowUpDialog(FormDialog):
    """后续处理 of a 不合格: 限期改正 (期限, 改正完成), 劝退 or 除名 (ends the membership, asked first)."""

    def __init__(self, ctx: AppContext, round_id: int, member: MemberAppraisal, parent: QWidget | None = None) -> None:
        super().__init__("dialog_appraisal_follow_up", self.tr("不合格党员的处理"), parent)
        self.ctx, self.round_id, self.member = ctx, round_id, member
        self.add_section(self.tr("{0}　评议结果：不合格").format(member.name))
        combo = self.add_combo("kind", self.tr("处理方式"), [(k, k) for k in FOLLOW_UPS], required=True)
        select_combo_data(combo, member.follow_up or FOLLOW_UPS[0])
        self.add_date("due_on", self.tr("改正期限")).set_date(member.follow_up_due)
        self.add_date("done_on", self.tr("完成/处理日期")).set_date(member.follow_up_done_on)
        self.add_text("note", self.tr("处理情况"))
        self.fields["note"].setPlainText(member.follow_up_note)  # type: ignore[attr-defined]
        combo.currentIndexChanged.connect(lambda _i: self._kind_changed())
        self._kind_changed()

    def _kind_changed(self) -> None:
        self.show_field("due_on", self.fields["kind"].currentData() == "限期改正")  # type: ignore[attr-defined]

    def values(self) -> dict[str, Any]:
        kind = self.fields["kind"].currentData()  # type: ignore[attr-defined]
        due = _date(self, "due_on", required=False) if kind == "限期改正" else None
        return {"data": FollowUpInput(kind, due, _date(self, "done_on", required=False),
                                      self.fields["note"].toPlainText())}  # type: ignore[attr-defined]

    def save(self, values: dict[str, Any]) -> None:
        data: FollowUpInput = values["data"]
        if data.kind in EXIT_MODES and QMessageBox.question(
                self, self.tr("确认{0}").format(data.kind),
                self.tr("{0}将以“{1}”出党，从党员名册中移出（记录保留）。确定吗？").format(
                    self.member.name, EXIT_MODES[data.kind])) != QMessageBox.StandardButton.Yes:
            raise ValidationError([FieldProblem("kind", self.labels["kind"], self.tr("已取消，未作处理"))])
        self.ctx.call(appraisal.record_follow_up, self.round_id, self.member.member_id, data)


class AppraisalCloseDialog(FormDialog):
    """结束评议: the date; every member must have a result."""

    def __init__(self, ctx: AppContext, info: RoundInfo, parent: QWidget | None = None) -> None:
        super().__init__("dialog_appraisal_close", self.tr("结束民主评议"), parent)
        self.ctx, self.info = ctx, info
        self.add_section(self.tr("{0}{1}年度：结束后仍可更正，更正会记入操作日志").format(info.org_name, info.year))
        self.add_date("closed_on", self.tr("结束日期"), required=True).set_date(date.today())

    def values(self) -> dict[str, Any]:
        return {"on": _date(self, "closed_on")}

    def save(self, values: dict[str, Any]) -> None:
        self.ctx.call(appraisal.close_round, self.info.id, values["on"])
