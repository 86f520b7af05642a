"""更正积分记录: the right rule, points, date and note for a wrong entry, and why.

The ledgers are append-only: the service voids the wrong entry (its reason is the 更正原因) and adds the
right one as a new row that points back at it. One dialog serves both ledgers — 党员积分 and 乡风文明积分
(五讲五不, with the 党小组长 who scored) — a subclass says which rules it offers and how it saves.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from PySide6.QtWidgets import QComboBox, QLabel, QWidget

from app.services.context import AppContext
from app.services.errors import FieldProblem, ValidationError
from app.services.points import household_points
from app.services.points import member_points as points
from app.services.points import rules as point_rules
from app.services.points.household_points import HouseholdEntryInput, HouseholdEntryRow
from app.services.points.member_points import EntryInput, EntryRow
from app.services.points.rules import RuleRow, points_text, signed_text

from ..common.form import FormDialog, select_combo_data


class CorrectEntryDialog(FormDialog):
    """dlg_correct_entry: the entry's values to start from; 保存 voids it and records the corrected one."""

    def __init__(self, ctx: AppContext, entry: EntryRow | HouseholdEntryRow, who: str,
                 parent: QWidget | None = None) -> None:
        super().__init__("dlg_correct_entry", self.tr("更正积分记录"), parent)
        self.ctx, self.entry = ctx, entry
        self.label_old = QLabel(self.tr("原记录：{0}　{1}　{2}　{3}").format(
            who, entry.entry_date.isoformat(), entry.rule_name, signed_text(entry.points)), self)
        self.label_old.setObjectName("label_old_entry")
        self.grid.addWidget(self.label_old, self._row, 0, 1, 3)
        self._row += 1
        self.combo_rule = self.add_combo("rule_id", self.tr("积分规则"), [], required=True)
        self.edit_points = self.add_line("points", self.tr("分值"), max_length=8)
        self.label_used = QLabel(self)
        self.label_used.setObjectName("label_rule_used")
        self.label_used.setWordWrap(True)
        self.grid.addWidget(self.label_used, self._row, 1, 1, 2)
        self._row += 1
        self.edit_date = self.add_date("entry_date", self.tr("日期"), required=True)
        self.edit_note = self.add_line("note", self.tr("说明"), max_length=500)
        self.edit_evidence = self.add_line("evidence", self.tr("佐证"), max_length=500)
        self.add_extra_fields()
        self.edit_reason = self.add_text("reason", self.tr("更正原因"))
        self.aliases["void_reason"] = "reason"  # the service calls it the old entry's 作废原因
        self.btn_save.setText(self.tr("更正"))

        for r in self.rules():
            sign = "−" if r.kind == "deduct" else "+"
            self.combo_rule.addItem(f"{r.kind_label}｜{r.name}（{sign}{r.range_text or points_text(r.points)}）", r)
        select_combo_data_by_id(self.combo_rule, entry.rule_id)
        self.combo_rule.currentIndexChanged.connect(lambda _i: self._rule_changed(keep_points=False))
        self._rule_changed(keep_points=True)
        self.edit_date.set_date(entry.entry_date)
        self.edit_note.setText(entry.note)
        self.edit_evidence.setText(entry.evidence)

    # ---- what a subclass says -------------------------------------------------------------------

    def add_extra_fields(self) -> None:
        """More fields between 佐证 and 更正原因 (the 乡风文明积分 asks who scored)."""

    def rules(self) -> list[RuleRow]:
        raise NotImplementedError

    def used_text(self, rule: RuleRow, year: int) -> str:
        """What the rule's yearly cap leaves, shown under the points ('' when there is nothing to say)."""
        return ""

    # ---- the form -------------------------------------------------------------------------------

    def _rule_changed(self, keep_points: bool) -> None:
        rule: RuleRow | None = self.combo_rule.currentData()
        if rule is None:
            return
        same = keep_points and rule.id == self.entry.rule_id and rule.range_text  # a fixed rule has one value
        amount = abs(self.entry.points) if same else rule.points
        self.edit_points.setText(points_text(amount))
        self.edit_points.setReadOnly(not rule.range_text)  # a fixed rule's points are not typed
        self.edit_points.setToolTip(self.tr("可在 {0} 之间选择").format(rule.range_text) if rule.range_text else "")
        self.label_used.setText(self.used_text(rule, self.entry.entry_date.year))

    def read(self) -> tuple[RuleRow | None, date | None, str]:
        problems: list[FieldProblem] = []
        on = self.date_value("entry_date", problems)
        if problems:
            raise ValidationError(problems)
        reason = self.edit_reason.toPlainText().strip()
        if not reason:
            raise ValidationError([FieldProblem("reason", self.tr("更正原因"), self.tr("请填写更正原因"))])
        return self.combo_rule.currentData(), on, reason


def select_combo_data_by_id(combo: QComboBox, rule_id: int) -> None:
    for i in range(combo.count()):
        data = combo.itemData(i)
        if data is not None and data.id == rule_id:
            combo.setCurrentIndex(i)
            return


class CorrectMemberEntryDialog(CorrectEntryDialog):
    """更正 a 党员积分 entry (member_points.correct_entry)."""

    entry: EntryRow

    def rules(self) -> list[RuleRow]:
        rules: list[RuleRow] = self.ctx.call(point_rules.list_rules, self.ctx.unit_id)
        return rules

    def used_text(self, rule: RuleRow, year: int) -> str:
        if rule.yearly_cap is None:
            return ""
        used: Decimal = self.ctx.call(points.used_this_year, self.entry.member_id, rule.id, year, self.entry.id)
        return self.tr("“{0}”每人每年最多 {1} 分；{2}年已得 {3} 分（不含本条）").format(
            rule.name, points_text(rule.yearly_cap), year, points_text(used))

    def values(self) -> dict[str, Any]:
        rule, on, reason = self.read()
        data = EntryInput(self.entry.member_id, rule.id if rule else None, on, self.edit_points.text().strip() or None,
                          self.edit_note.text(), self.edit_evidence.text())
        return {"data": data, "reason": reason}

    def save(self, values: dict[str, Any]) -> int:
        new_id: int = self.ctx.call(points.correct_entry, self.entry.id, values["data"], values["reason"])
        return new_id


class CorrectHouseholdEntryDialog(CorrectEntryDialog):
    """更正 a 乡风文明积分 entry (household_points.correct_household_entry), the 评分人 included."""

    entry: HouseholdEntryRow

    def add_extra_fields(self) -> None:
        self.combo_scorer = self.add_combo("scored_by_member_id", self.tr("评分人"), [])
        for c in self.ctx.call(household_points.list_scorers, self.ctx.unit_id):
            self.combo_scorer.addItem(c.label, c.member_id)
        if self.combo_scorer.findData(self.entry.scored_by_member_id) < 0 and self.entry.scored_by_member_id:
            self.combo_scorer.addItem(self.entry.scored_by, self.entry.scored_by_member_id)  # no longer 党小组长
        select_combo_data(self.combo_scorer, self.entry.scored_by_member_id)

    def rules(self) -> list[RuleRow]:
        rules: list[RuleRow] = self.ctx.call(household_points.list_household_rules, self.ctx.unit_id)
        return rules

    def values(self) -> dict[str, Any]:
        rule, on, reason = self.read()
        data = HouseholdEntryInput(self.entry.household_id, rule.id if rule else None, on,
                                   self.edit_points.text().strip() or None, self.edit_note.text(),
                                   self.edit_evidence.text(), self.combo_scorer.currentData())
        return {"data": data, "reason": reason}

    def save(self, values: dict[str, Any]) -> int:
        new_id: int = self.ctx.call(household_points.correct_household_entry, self.entry.id, values["data"],
                                    values["reason"])
        return new_id
