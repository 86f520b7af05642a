"""乡风文明积分 (五讲五不): the year's ranking of households, a household's entries with voids, and
fast entry (户主 by 拼音 or 户号, the 党小组长 who scored, rule, date = today, Enter saves and stays); a wrong
entry is 作废 or 更正 (voided, the right one added in its place)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.services.context import AppContext
from app.services.errors import ServiceError
from app.services.points import household_points
from app.services.points.household_points import HouseholdEntryInput, HouseholdEntryRow, HouseholdPoints
from app.services.points.rules import RuleRow, points_text, signed_text

from ..common.page import Changes, Page
from ..common.table_model import Column, LazyTableModel, list_source
from ..common.widgets import DataTable, InfoLabel, SearchBox
from ..errors import user_errors
from .correct_dialog import CorrectHouseholdEntryDialog
from .detail_dialog import EntryModel
from .entry_bar import QuickEntry

RIGHT = Qt.AlignmentFlag.AlignRight

RANK_COLUMNS: list[Column[HouseholdPoints]] = [
    Column("名次", "rank", align=RIGHT, width=3),
    Column("户号", "number", width=5),
    Column("户主", "head_name", width=5),
    Column("网格", "grid_name", width=10),
    Column("奖励分", lambda r: points_text(r.reward), align=RIGHT, width=4),
    Column("扣减分", lambda r: points_text(r.deduct), align=RIGHT, width=4),
    Column("总积分", lambda r: points_text(r.total), align=RIGHT, width=4),
    Column("记分次数", "entries", align=RIGHT, width=4),
]


def _state(e: HouseholdEntryRow) -> str:
    if e.voided:
        return f"已作废：{e.void_reason}"
    return "更正记录" if e.corrects_id else ""


HISTORY_COLUMNS: list[Column[HouseholdEntryRow]] = [
    Column("日期", "entry_date", width=6),
    Column("规则", "rule_name", width=12),
    Column("分值", lambda e: signed_text(e.points), width=3),
    Column("评分人", "scored_by", width=4),
    Column("说明/佐证", lambda e: "；".join(x for x in (e.note, e.evidence) if x), width=14),
    Column("状态", _state, width=10),
]


class HouseholdQuickEntry(QuickEntry):
    """The member bar, scoring households: 户主 拼音 or 户号, plus the 党小组长 who scored (kept for the next)."""

    owner_label = "农户"

    def __init__(self, ctx: AppContext, unit_id: int, parent: QWidget | None = None) -> None:
        super().__init__(ctx, unit_id, parent)
        self.setObjectName("group_household_quick_entry")
        self.edit_member.setObjectName("edit_household_entry_member")
        self.list_members.setObjectName("list_household_entry_members")
        self.combo_rule.setObjectName("combo_household_entry_rule")
        self.btn_save.setObjectName("btn_save_household_entry")
        self.label_status.setObjectName("label_household_entry_status")
        self.edit_note.setPlaceholderText(self.tr("说明；扣减须写明事实经过"))
        self.combo_scorer = QComboBox(self)
        self.combo_scorer.setObjectName("combo_household_scorer")
        self.combo_scorer.setToolTip(self.tr("参与“五讲五不”考评的党小组长"))
        self.grid.removeWidget(self.label_status)
        self.grid.addWidget(QLabel(self.tr("评分人"), self), 2, 2)
        self.grid.addWidget(self.combo_scorer, 2, 3)
        self.grid.addWidget(self.label_status, 3, 2, 1, 7)
        self.load_scorers()

    def placeholder(self) -> str:
        return self.tr("农户：户主姓名、拼音首字母（如 zs）或户号")

    def missing_owner(self) -> str:
        return self.tr("请先输入户主姓名、拼音首字母或户号，并在下面的列表中选中")

    def rules(self) -> list[RuleRow]:
        rules: list[RuleRow] = self.ctx.call(household_points.list_household_rules, self.unit_id)
        return rules

    def find_owners(self, text: str) -> list[tuple[int, str]]:
        return [(h.id, h.label) for h in self.ctx.call(household_points.find_households, self.unit_id, text, 8)]

    def submit(self, owner_id: int, rule: RuleRow, on: date, amount: str | None, note: str, evidence: str) -> int:
        data = HouseholdEntryInput(owner_id, rule.id, on, amount, note, evidence, self.combo_scorer.currentData())
        entry_id: int = self.ctx.call(household_points.add_household_entry, data)
        return entry_id

    def load_scorers(self) -> None:
        keep = self.combo_scorer.currentData()
        self.combo_scorer.clear()
        for c in self.ctx.call(household_points.list_scorers, self.unit_id):
            self.combo_scorer.addItem(c.label, c.member_id)
        if self.combo_scorer.count() == 0:
            self.combo_scorer.addItem(self.tr("（尚未任命党小组长：在“党组织与党员”中选中党员，点“任职…”）"), None)
        self.combo_scorer.setCurrentIndex(max(0, self.combo_scorer.findData(keep)))


class HouseholdPointsPage(Page):
    title = "乡风文明积分"
    object_name = "page_household_points"  # known before the page is built (ui/page_stack.py)
    watches = frozenset({"household", "resident", "member", "org", "household_points"})
    waits_for_show = True  # a county's households: query when first shown (issue 11)

    def __init__(self, ctx: AppContext, changes: Changes, parent: QWidget | None = None) -> None:
        super().__init__(ctx, changes, parent)
        self.setObjectName("page_household_points")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)

        bar = QHBoxLayout()
        self.spin_year = QSpinBox(self)
        self.spin_year.setObjectName("spin_household_points_year")
        self.spin_year.setRange(2000, 2100)
        self.spin_year.setValue(date.today().year)
        self.spin_year.setSuffix(self.tr(" 年度"))
        self.edit_search = SearchBox("edit_search_household_points", self.tr("查找农户：户主姓名、拼音首字母或户号"), self)
        bar.addWidget(self.spin_year)
        bar.addWidget(self.edit_search, 1)
        outer.addLayout(bar)

        split = QSplitter(Qt.Orientation.Horizontal, self)
        left = QWidget(split)
        lay = QVBoxLayout(left)
        lay.setContentsMargins(0, 0, 0, 0)
        self.info_ranking = InfoLabel("info_household_ranking", left)
        lay.addWidget(self.info_ranking)
        self.table_ranking = DataTable("table_household_ranking", left)
        count, page = list_source(self._ranking)
        self.ranking_model: LazyTableModel[HouseholdPoints] = LazyTableModel(RANK_COLUMNS, count, page, parent=self)
        self.ranking_model.loadFailed.connect(self.info_ranking.show_error)
        self.table_ranking.setModel(self.ranking_model)
        self.table_ranking.setSortingEnabled(False)
        lay.addWidget(self.table_ranking, 1)

        right = QWidget(split)
        rlay = QVBoxLayout(right)
        rlay.setContentsMargins(0, 0, 0, 0)
        self.label_history = QLabel(right)
        self.label_history.setObjectName("label_household_history")
        self.label_history.setWordWrap(True)
        rlay.addWidget(self.label_history)
        self.table_history = DataTable("table_household_history", right)
        hcount, hpage = list_source(self._history)
        self.history_model = EntryModel(HISTORY_COLUMNS, hcount, hpage, parent=self)  # type: ignore[arg-type]
        self.table_history.setModel(self.history_model)
        self.table_history.setSortingEnabled(False)
        rlay.addWidget(self.table_history, 1)
        row = QHBoxLayout()
        self.btn_void = QPushButton(self.tr("作废所选记录…"), right)
        self.btn_void.setObjectName("btn_void_household_entry")
        self.btn_correct = QPushButton(self.tr("更正所选记录…"), right)
        self.btn_correct.setObjectName("btn_correct_household_entry")
        row.addWidget(self.btn_correct)
        row.addWidget(self.btn_void)
        row.addStretch(1)
        rlay.addLayout(row)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        outer.addWidget(split, 1)

        self.quick = HouseholdQuickEntry(ctx, self.unit_id, self)
        self.quick.saved.connect(self._on_saved)
        outer.addWidget(self.quick)

        self._selected: int | None = None  # household shown in the history
        self.spin_year.valueChanged.connect(lambda _v: self.refresh())
        self.edit_search.search.connect(lambda _t: self.refresh_ranking())
        self.table_ranking.selectionModel().currentRowChanged.connect(lambda *_a: self._ranking_clicked())
        self.btn_void.clicked.connect(self.void_selected)
        self.btn_correct.clicked.connect(self.correct_selected)
        self.table_history.enable_with_selection(self.btn_void, self.btn_correct)
        self.refresh()

    # ---- queries --------------------------------------------------------------------------------

    def search_box(self) -> SearchBox:
        return self.edit_search

    def year(self) -> int:
        return self.spin_year.value()

    def _ranking(self) -> list[HouseholdPoints]:
        rows: list[HouseholdPoints] = self.ctx.call(household_points.household_ranking, self.unit_id, self.year(),
                                                    self.edit_search.query())
        return rows

    def _history(self) -> list[HouseholdEntryRow]:
        if self._selected is None:
            return []
        rows: list[HouseholdEntryRow] = self.ctx.call(household_points.list_household_entries, self._selected,
                                                      self.year())
        return rows

    def refresh(self) -> None:
        self.quick.load_rules()
        self.quick.load_scorers()
        self.refresh_ranking()

    def refresh_ranking(self, select_household: int | None = None) -> None:
        keep = select_household or self._selected
        self.ranking_model.refresh()
        rows = self.ranking_model.rows
        self.info_ranking.show_info(self.tr("{0}年度 {1} 户有乡风文明积分（五讲五不）；积分相同名次并列").format(
            self.year(), len(rows)))
        index = next((i for i, r in enumerate(rows) if r.household_id == keep), None)
        if index is not None:
            self.table_ranking.select_row(index)
        else:
            self._selected = keep  # a household scored but filtered out, or not scored yet this year
        self.refresh_history()

    def current(self) -> HouseholdPoints | None:
        return self.ranking_model.row_at(self.table_ranking.current_row())

    def _ranking_clicked(self) -> None:
        r = self.current()
        if r is not None and r.household_id != self._selected:
            self._selected = r.household_id
            self.refresh_history()

    def refresh_history(self) -> None:
        self.history_model.refresh()
        if self._selected is None:
            self.label_history.setText(self.tr("选中左侧的农户查看积分记录"))
            return
        with user_errors(self):
            t = self.ctx.call(household_points.household_totals, self._selected, self.year())
            row = next((r for r in self.ranking_model.rows if r.household_id == self._selected), None)
            who = f"{row.head_name}户（户号 {row.number}）" if row else self.tr("该户")
            rank = self.tr("，第 {0} 名").format(row.rank) if row else ""
            self.label_history.setText(self.tr("{0} {1}年度：奖励 {2}，扣减 {3}，<b>总积分 {4}</b>{5}").format(
                who, self.year(), points_text(t.reward), points_text(t.deduct), points_text(t.total), rank))

    # ---- actions --------------------------------------------------------------------------------

    def _on_saved(self, _entry_id: int, household_id: int) -> None:
        self._selected = household_id
        self.refresh_ranking(select_household=household_id)
        self.announce("household_points")

    def void_selected(self) -> None:
        e = self.history_model.row_at(self.table_history.current_row())
        if e is None or e.voided:
            return
        reason, ok = QInputDialog.getText(self, self.tr("作废乡风文明积分记录"), self.tr(
            "作废“{0} {1} {2}”的原因：\n（记录不会删除，作废后不计入总积分）").format(
            e.entry_date.isoformat(), e.rule_name, signed_text(e.points)))
        if not ok:
            return
        with user_errors(self):
            self.ctx.call(household_points.void_household_entry, e.id, reason)
            self.announce("household_points")
        self.refresh_ranking()

    def correct_dialog(self) -> CorrectHouseholdEntryDialog | None:
        """The 更正 dialog of the selected entry (None when none is selected; a voided one is refused)."""
        e = self.history_model.row_at(self.table_history.current_row())
        if e is None:
            return None
        if e.voided:
            raise ServiceError(self.tr("该记录已作废，不能再更正；需要时另记一条。"))
        return CorrectHouseholdEntryDialog(self.ctx, e, self.tr("{0}户（户号 {1}）").format(
            e.head_name, e.household_number), self)

    def correct_selected(self) -> None:
        with user_errors(self):
            dialog = self.correct_dialog()
            if dialog is not None and dialog.exec() == QDialog.DialogCode.Accepted:
                self.announce("household_points")
                self.refresh_ranking()
                self.table_history.select_row(self.history_model.find_row(lambda r: r.id == dialog.result_value))
