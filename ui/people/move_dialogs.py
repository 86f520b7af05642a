"""Moving people between 户: 转到其他户 (dlg_move_residents) and 分户 (dlg_split_household).

Both list the people concerned in a table with each one's new 与户主关系; the service checks the whole
move (one 户主 per household, someone staying behind after a 分户) and writes it in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QCheckBox,
    QComboBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from app.services.context import AppContext
from app.services.errors import FieldProblem, ValidationError
from app.services.people import household_changes, households
from app.services.people import residents as people
from app.services.people.household_changes import Move, MoveResult, SplitInput
from app.services.people.residents import RELATIONS, ResidentRow

from ..common.form import FormDialog, NoMatch, combo_choice, searchable, select_combo_data
from .dialogs import household_choices


class PeopleTable(QTableWidget):
    """One row per person: 姓名 (a tick box check_resident_<row> when tickable), 现户号/关系, and a 与户主关系
    choice (combo_relation_<row>)."""

    def __init__(self, rows: Sequence[ResidentRow], tickable: bool, parent: QWidget | None = None) -> None:
        super().__init__(len(rows), 3, parent)
        self.rows = list(rows)
        self.tickable = tickable
        self.setHorizontalHeaderLabels([self.tr("姓名"), self.tr("现在"), self.tr("新的与户主关系")])
        self.verticalHeader().hide()
        self.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setStretchLastSection(True)
        # as wide as its columns: the 新的与户主关系 choices are not cut (larger font included)
        self.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents)
        for i, r in enumerate(self.rows):
            if tickable:
                tick = QCheckBox(r.name, self)
                tick.setObjectName(f"check_resident_{i}")
                self.setCellWidget(i, 0, tick)
            else:
                self.setItem(i, 0, QTableWidgetItem(r.name))
            self.setItem(i, 1, QTableWidgetItem(f"{r.household_number or ''} {r.relation}".strip()))
            combo = QComboBox(self)
            combo.setObjectName(f"combo_relation_{i}")
            combo.addItem("", None)
            for rel in RELATIONS:
                combo.addItem(rel, rel)
            self.setCellWidget(i, 2, combo)
            if tickable:  # choosing someone's new relation means they go
                combo.currentIndexChanged.connect(lambda _i, t=tick, c=combo: t.setChecked(t.isChecked() or bool(c.currentData())))
        self.setMinimumHeight(self.fontMetrics().height() * (min(len(self.rows), 8) + 3))

    def relation_combo(self, row: int) -> QComboBox:
        widget = self.cellWidget(row, 2)
        assert isinstance(widget, QComboBox)
        return widget

    def ticked(self, row: int) -> bool:
        tick = self.cellWidget(row, 0)
        return isinstance(tick, QCheckBox) and tick.isChecked()

    def moves(self) -> list[Move]:
        out = []
        for i, r in enumerate(self.rows):
            if self.tickable and not self.ticked(i):
                continue
            out.append(Move(r.id, self.relation_combo(i).currentData() or ""))
        return out


class MoveResidentsDialog(FormDialog):
    """转到其他户: the given residents move to one open household; result_value is the service's MoveResult."""

    def __init__(self, ctx: AppContext, unit_id: int, residents: Sequence[ResidentRow],
                 parent: QWidget | None = None) -> None:
        super().__init__("dlg_move_residents", self.tr("转到其他户"), parent)
        self.ctx = ctx
        self.aliases["relation"] = "resident_ids"
        leaving = {r.household_id for r in residents}
        choices = [c for c in household_choices(ctx, unit_id) if c[1] not in leaving]
        self.household = self.add_combo("household_id", self.tr("转到户"), choices, required=True, blank="")
        searchable(self.household)
        self.household.lineEdit().setPlaceholderText(self.tr("输入户号或户主姓名"))
        self.table = PeopleTable(residents, tickable=False, parent=self)
        self.add_field("resident_ids", self.tr("居民"), self.table)
        for i, r in enumerate(residents):
            if r.relation and r.relation != "户主":
                select_combo_data(self.table.relation_combo(i), r.relation)
        self.note = self.add_text("note", self.tr("说明"))
        self.household.setFocus()

    def values(self) -> dict[str, Any]:
        household = combo_choice(self.household)
        if household is None or isinstance(household, NoMatch):
            text = self.tr("请选择要转到的户") if household is None else \
                self.tr("没有找到“{0}”，请从列表中选择").format(household.text)
            raise ValidationError([FieldProblem("household_id", "转到户", text)])
        return {"household_id": household, "moves": self.table.moves(), "note": self.note.toPlainText()}

    def save(self, values: dict[str, Any]) -> MoveResult:
        return self.ctx.call(household_changes.move_residents, values["household_id"], values["moves"], values["note"])


class SplitHouseholdDialog(FormDialog):
    """分户: tick who leaves, give each their relation in the new household (one of them 户主), its 户号 and 门牌."""

    def __init__(self, ctx: AppContext, household_id: int, parent: QWidget | None = None) -> None:
        super().__init__("dlg_split_household", self.tr("分户"), parent)
        self.ctx = ctx
        self.household_id = household_id
        self.aliases["relation"] = "resident_ids"
        h = ctx.call(households.get_household, household_id)
        self.add_section(self.tr("从户号 {0}（户主 {1}）分出新户").format(h.number, h.head_name or "—"))
        self.number = self.add_line("number", self.tr("新户号"), required=True, max_length=30)
        self.address = self.add_line("address", self.tr("门牌/住址"), max_length=120)
        self.address.setText(h.address)
        self.table = PeopleTable(ctx.call(people.household_residents, household_id), tickable=True, parent=self)
        self.add_field("resident_ids", self.tr("分出的居民"), self.table, required=True)
        self.note = self.add_text("note", self.tr("说明"))
        self.number.setFocus()

    def values(self) -> dict[str, Any]:
        return {"number": self.number.text(), "address": self.address.text(), "moves": self.table.moves(),
                "note": self.note.toPlainText()}

    def save(self, values: dict[str, Any]) -> MoveResult:
        return self.ctx.call(household_changes.split_household, self.household_id, SplitInput(**values))
