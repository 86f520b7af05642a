"""户星级档案: a household's current stars and full history, with 加星/减星 and corrections."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.services.context import AppContext
from app.services.errors import FieldProblem, ValidationError
from app.services.stars import changes as star_changes
from app.services.stars import rounds as stars
from app.services.stars.changes import HistoryRow

from ..common.form import FormDialog
from ..common.table_model import Column, LazyTableModel, list_source
from ..common.widgets import DataTable
from ..errors import user_errors

HISTORY_COLUMNS: list[Column[HistoryRow]] = [
    Column("日期", "on", width=6),
    Column("事项", "kind", width=4),
    Column("批次", "round_name", width=6),
    Column("星类", "category", width=12),
    Column("说明", lambda r: r.detail + ("（已更正）" if r.corrected else ""), width=24),
    Column("经办人", "operator", width=5),
]


class StarChangeDialog(FormDialog):
    """加星 / 减星 / 更正 with the date and reason (dlg_star_change)."""

    def __init__(self, ctx: AppContext, unit_id: int, household_id: int, delta: int, change_id: int | None = None,
                 parent: QWidget | None = None) -> None:
        title = self.tr("更正加星/减星记录") if change_id else (self.tr("加星") if delta > 0 else self.tr("减星"))
        super().__init__("dlg_star_change", title, parent)
        self.ctx, self.household_id, self.delta, self.change_id = ctx, household_id, delta, change_id
        if change_id is None:
            current = ctx.call(star_changes.current_stars, household_id)
            cats = ctx.call(stars.list_categories, unit_id)
            choices = [(c.name, c.id) for c in cats if (c.id in current.category_ids) == (delta < 0)]
            self.category = self.add_combo("category_id", self.tr("星类"), choices, required=True)
        self.on = self.add_date("changed_on", self.tr("日期"), required=True)
        self.on.set_date(date.today())
        self.reason = self.add_line("reason", self.tr("原因及决定人"), required=True,
                                    placeholder=self.tr("如：两委会研究同意，因……"))

    def values(self) -> dict[str, Any]:
        problems: list[FieldProblem] = []
        on = self.date_value("changed_on", problems)
        if on is None and not problems:
            problems.append(FieldProblem("changed_on", self.tr("日期"), self.tr("请填写日期")))
        if problems:
            raise ValidationError(problems)
        return {"on": on, "reason": self.reason.text()}

    def save(self, values: dict[str, Any]) -> int:
        if self.change_id is not None:
            return self.ctx.call(star_changes.correct_change, self.change_id, values["reason"], values["on"])
        return self.ctx.call(star_changes.change_star, self.household_id, self.category.currentData(), self.delta,
                             values["reason"], values["on"])


class HouseholdHistoryDialog(QDialog):
    """dlg_star_history: current stars at the top, the history table, 加星/减星/更正 buttons."""

    def __init__(self, ctx: AppContext, unit_id: int, household_id: int, title: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dlg_star_history")
        self.setWindowTitle(self.tr("星级档案：{0}").format(title))
        self.ctx, self.unit_id, self.household_id = ctx, unit_id, household_id
        self.changed = False
        layout = QVBoxLayout(self)
        self.label_current = QLabel(self)
        self.label_current.setObjectName("label_current_stars")
        self.label_current.setWordWrap(True)
        layout.addWidget(self.label_current)
        self.table = DataTable("table_star_history", self)
        count, page = list_source(lambda: ctx.call(star_changes.household_history, household_id))
        self.model: LazyTableModel[HistoryRow] = LazyTableModel(HISTORY_COLUMNS, count, page, parent=self)
        self.table.setModel(self.model)
        self.table.setSortingEnabled(False)
        layout.addWidget(self.table, 1)
        bar = QHBoxLayout()
        self.btn_add_star = QPushButton(self.tr("加星…"), self)
        self.btn_add_star.setObjectName("btn_add_star")
        self.btn_remove_star = QPushButton(self.tr("减星…"), self)
        self.btn_remove_star.setObjectName("btn_remove_star")
        self.btn_correct = QPushButton(self.tr("更正选中的记录…"), self)
        self.btn_correct.setObjectName("btn_correct_change")
        self.btn_close = QPushButton(self.tr("关闭"), self)
        self.btn_close.setObjectName("btn_close")
        for b in (self.btn_add_star, self.btn_remove_star, self.btn_correct):
            bar.addWidget(b)
        bar.addStretch(1)
        bar.addWidget(self.btn_close)
        layout.addLayout(bar)
        self.btn_add_star.clicked.connect(lambda: self._change(1))
        self.btn_remove_star.clicked.connect(lambda: self._change(-1))
        self.btn_correct.clicked.connect(self._correct)
        self.btn_close.clicked.connect(self.accept)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
        self.resize(self.fontMetrics().horizontalAdvance("中") * 64, self.fontMetrics().height() * 24)
        self.refresh()

    def refresh(self) -> None:
        current = self.ctx.call(star_changes.current_stars, self.household_id)
        if current.round_id is None:
            text = self.tr("还没有两委会确定的评选批次，暂无星级。")
        else:
            stars_text = "、".join(current.categories) or self.tr("无")
            text = self.tr("现有星级：{0}（{1}）；按 {2} 年度评选结果及其后的加星/减星计算。").format(
                current.level_label, stars_text, current.round_year)
        self.label_current.setText(text)
        self.has_round = current.round_id is not None
        self.level = current.level
        self.model.refresh()
        self._update_buttons()

    def _selected(self) -> HistoryRow | None:
        return self.model.row_at(self.table.current_row())

    def _update_buttons(self) -> None:
        self.btn_add_star.setEnabled(self.has_round)
        self.btn_remove_star.setEnabled(self.has_round and self.level > 0)
        row = self._selected()
        self.btn_correct.setEnabled(row is not None and row.change_id is not None and not row.corrected
                                    and row.kind != "更正")

    def _change(self, delta: int) -> None:
        with user_errors(self):
            dlg = StarChangeDialog(self.ctx, self.unit_id, self.household_id, delta, parent=self)
            if dlg.exec() == QDialog.DialogCode.Accepted:
                self.changed = True
                self.refresh()

    def _correct(self) -> None:
        row = self._selected()
        if row is None or row.change_id is None:
            return
        with user_errors(self):
            dlg = StarChangeDialog(self.ctx, self.unit_id, self.household_id, 0, change_id=row.change_id, parent=self)
            if dlg.exec() == QDialog.DialogCode.Accepted:
                self.changed = True
                self.refresh()
