"""The dialogs of the 四议两公开 tab: 新建事项, 记录会议 (one step), 记录实施结果."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.affairs import decisions, meetings
from app.services.affairs.decisions import STEP_KINDS, DecisionInput, DecisionRow
from app.services.affairs.meetings import VILLAGERS, AffairsMeetingInput, RosterPerson
from app.services.context import AppContext
from app.services.errors import FieldProblem, ServiceError, ValidationError

from ..common.form import FormDialog
from ..common.search_picker import SearchPicker

EXPECTED_COL, PRESENT_COL = 2, 3
PASSED_STYLE, FAILED_STYLE = "color:#2e7d32", "color:#c62828"


class DecisionDialog(FormDialog):
    """新建事项, or 修改 one no meeting has discussed yet; result_value is the decision's id."""

    def __init__(self, ctx: AppContext, unit_id: int, parent: QWidget | None = None,
                 decision: DecisionRow | None = None) -> None:
        super().__init__("dialog_decision", self.tr("修改事项") if decision else self.tr("新建事项"), parent)
        self.ctx, self.unit_id, self.decision = ctx, unit_id, decision
        title = self.add_line("title", self.tr("事项名称"), required=True, max_length=200,
                              placeholder=self.tr("如 村东排水沟硬化工程"))
        on = self.add_date("proposed_on", self.tr("提议日期"), required=True)
        content = self.add_text("content", self.tr("事项内容"))
        on.set_date(decision.proposed_on if decision else date.today())
        if decision is not None:
            title.setText(decision.title)
            content.setPlainText(decision.content)

    def values(self) -> dict[str, Any]:
        problems: list[FieldProblem] = []
        on = self.date_value("proposed_on", problems)
        if problems:
            raise ValidationError(problems)
        return {"data": DecisionInput(self.fields["title"].text(), on,  # type: ignore[attr-defined]
                                      self.fields["content"].toPlainText())}  # type: ignore[attr-defined]

    def save(self, values: dict[str, Any]) -> int:
        if self.decision is not None:
            self.ctx.call(decisions.update_decision, self.decision.id, values["data"])
            return self.decision.id
        return self.ctx.call(decisions.open_decision, self.unit_id, values["data"])


def _spin(maximum: int = 100000) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(0, maximum)
    return spin


class StepDialog(FormDialog):
    """记录会议 of the decision's next step: 应到 ticked from the roster, 实到 among them, the votes and the
    minutes; the rule's result shows below before 保存, and a failing one is confirmed (it ends the path)."""

    def __init__(self, ctx: AppContext, unit_id: int, decision: DecisionRow, parent: QWidget | None = None) -> None:
        assert decision.next_step is not None
        self.step = decision.next_step
        super().__init__("dialog_decision_step", self.tr("记录会议：{0}").format(self.step), parent, scroll=True)
        self.ctx, self.unit_id, self.decision = ctx, unit_id, decision
        self.people: list[RosterPerson] = []
        self.add_section(self.tr("{0}　{1}").format(decision.number, decision.title))
        self.kind = self.add_combo("kind", self.tr("会议类型"), list(STEP_KINDS[self.step]), required=True)
        self.held_on = self.add_date("held_on", self.tr("会议日期"), required=True)
        self.held_on.set_date(date.today())
        self.add_line("place", self.tr("地点"), max_length=80).setText(self.tr("村党群服务中心"))
        self.add_line("host", self.tr("主持人"), max_length=40)

        box = QWidget()
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        self.table = QTableWidget(0, 4, box)
        self.table.setObjectName("table_step_people")
        self.table.setHorizontalHeaderLabels([self.tr("姓名"), self.tr("身份"), self.tr("应到"), self.tr("实到")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        for col in (0, EXPECTED_COL, PRESENT_COL):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        # room for a name, a post and both ticks: the 应到/实到 columns were scrolled out of a narrow dialog
        self.table.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 26)
        self.table.setMinimumHeight(self.fontMetrics().height() * 8)
        self.table.itemChanged.connect(self._ticked)
        lay.addWidget(self.table)
        row = QHBoxLayout()
        self.picker = SearchPicker("step_person", self._find, self.tr("添加名册外人员：姓名或拼音首字母"), box)
        self.picker.picked.connect(self._add_person)
        self.btn_all = QPushButton(self.tr("应到全部实到"), box)
        self.btn_all.setObjectName("btn_all_present")
        self.btn_all.clicked.connect(self._all_present)
        row.addWidget(self.picker, 1)
        row.addWidget(self.btn_all)
        lay.addLayout(row)
        self.add_field("expected_ids", self.tr("参会人员"), box)
        self.label_counts = QLabel(self)
        self.label_counts.setObjectName("label_step_counts")
        self.add_field("present_ids", self.tr("应到/实到"), self.label_counts)

        # 村民会议: counted, not ticked
        self.adults, self.households, self.households_present, self.present_count = (_spin() for _ in range(4))
        self.add_field("adults_total", self.tr("年满十八周岁村民"), self.adults)
        self.add_field("households_total", self.tr("全村户数"), self.households)
        self.add_field("households_present", self.tr("到会户代表"), self.households_present)
        self.add_field("present_count", self.tr("到会人数"), self.present_count)

        self.votes = {name: _spin() for name in ("votes_for", "votes_against", "votes_abstain")}
        for name, label in zip(self.votes, (self.tr("赞成"), self.tr("反对"), self.tr("弃权")), strict=True):
            self.add_field(name, label, self.votes[name])
        self.add_text("minutes", self.tr("会议记录"))
        self.label_rule = QLabel(self)
        self.label_rule.setObjectName("label_step_rule")
        self.label_rule.setWordWrap(True)
        self.add_field("rule", self.tr("表决结果"), self.label_rule)

        self.kind.currentIndexChanged.connect(lambda _i: self._load_roster())
        self.held_on.editingFinished.connect(self._load_roster)
        for spin in (*self.votes.values(), self.adults, self.households, self.households_present, self.present_count):
            spin.valueChanged.connect(lambda _v: self._show_rule())
        self._load_roster()

    # ---- people ---------------------------------------------------------------------------------

    def _find(self, text: str) -> list[tuple[str, object]]:
        return [(p.name, p) for p in self.ctx.call(meetings.find_people, self.unit_id, text)]

    def _ticks(self) -> dict[int, tuple[bool, bool]]:
        out = {}
        for i, p in enumerate(self.people):
            exp, pre = self.table.item(i, EXPECTED_COL), self.table.item(i, PRESENT_COL)
            out[p.resident_id] = (exp is not None and exp.checkState() == Qt.CheckState.Checked,
                                  pre is not None and pre.checkState() == Qt.CheckState.Checked)
        return out

    def _load_roster(self) -> None:
        villagers = self.kind.currentText() == VILLAGERS
        for name in ("adults_total", "households_total", "households_present", "present_count"):
            self.show_field(name, villagers)
        try:
            on = self.held_on.date() or date.today()
        except ValueError:
            on = date.today()
        before = self._ticks()
        extra = [p for p in self.people if p.role == "村民"]  # added by hand: kept across kinds
        roster = self.ctx.call(meetings.roster, self.unit_id, self.kind.currentText(), on)
        self.people = [*roster, *(p for p in extra if p.resident_id not in {r.resident_id for r in roster})]
        self._fill(before)

    def _fill(self, ticks: dict[int, tuple[bool, bool]]) -> None:
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.people))
        for i, p in enumerate(self.people):
            expected, present = ticks.get(p.resident_id, (True, False))
            self.table.setItem(i, 0, QTableWidgetItem(p.name))
            role = QTableWidgetItem(p.role)
            role.setToolTip(p.role)  # a long one (支部书记、村委会主任) is cut in the column
            self.table.setItem(i, 1, role)
            for col, on in ((EXPECTED_COL, expected), (PRESENT_COL, present)):
                item = QTableWidgetItem()
                item.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
                self.table.setItem(i, col, item)
        self.table.blockSignals(False)
        self._show_rule()

    def _add_person(self, person: object) -> None:
        if not isinstance(person, RosterPerson) or person.resident_id in {p.resident_id for p in self.people}:
            return
        ticks = self._ticks()
        self.people.append(person)
        self._fill(ticks)
        self.picker.clear()

    def _ticked(self, item: QTableWidgetItem) -> None:
        # 实到 implies 应到; un-ticking 应到 un-ticks 实到
        row, col = item.row(), item.column()
        other = self.table.item(row, EXPECTED_COL if col == PRESENT_COL else PRESENT_COL)
        if other is not None:
            checked = item.checkState() == Qt.CheckState.Checked
            self.table.blockSignals(True)
            if col == PRESENT_COL and checked:
                other.setCheckState(Qt.CheckState.Checked)
            elif col == EXPECTED_COL and not checked:
                other.setCheckState(Qt.CheckState.Unchecked)
            self.table.blockSignals(False)
        self._show_rule()

    def _all_present(self) -> None:
        self._fill({rid: (exp, exp) for rid, (exp, _pre) in self._ticks().items()})

    # ---- the rule -------------------------------------------------------------------------------

    def _data(self) -> AffairsMeetingInput:
        ticks = self._ticks()
        try:
            on = self.held_on.date()
        except ValueError:
            on = None
        villagers = self.kind.currentText() == VILLAGERS
        return AffairsMeetingInput(
            self.kind.currentText(), on, [rid for rid, (e, _p) in ticks.items() if e],
            [rid for rid, (_e, p) in ticks.items() if p],
            *(spin.value() for spin in self.votes.values()),
            minutes=self.fields["minutes"].toPlainText(),  # type: ignore[attr-defined]
            place=self.fields["place"].text(), host=self.fields["host"].text(),  # type: ignore[attr-defined]
            adults_total=self.adults.value() if villagers else 0,
            households_total=self.households.value() if villagers else 0,
            households_present=self.households_present.value() if villagers else 0,
            present_count=self.present_count.value() if villagers else None)

    def _show_rule(self) -> None:
        data = self._data()
        self.label_counts.setText(self.tr("应到 {0} 人，实到 {1} 人").format(len(data.expected_ids),
                                                                        len(data.present_ids)))
        try:
            result = self.ctx.call(meetings.check_meeting, self.unit_id, data)
        except ServiceError as e:  # counts that cannot be yet (no one ticked, more votes than people)
            self.label_rule.setStyleSheet(FAILED_STYLE)
            self.label_rule.setText(str(e))
            return
        self.label_rule.setStyleSheet(PASSED_STYLE if result.passed else FAILED_STYLE)
        self.label_rule.setText(f"{result.outcome}：{result.note}")

    # ---- saving ---------------------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        problems: list[FieldProblem] = []
        self.date_value("held_on", problems)
        if problems:
            raise ValidationError(problems)
        return {"data": self._data()}

    def save(self, values: dict[str, Any]) -> Any:
        result = self.ctx.call(meetings.check_meeting, self.unit_id, values["data"])
        if not result.passed:
            answer = QMessageBox.question(self, self.tr("表决未通过"), self.tr(
                "{0}\n\n保存后事项“{1}”将在“{2}”终止，不能再继续后面的步骤。确定保存吗？").format(
                result.note, self.decision.title, self.step))
            if answer != QMessageBox.StandardButton.Yes:
                raise ServiceError(self.tr("未保存。"))
        return self.ctx.call(decisions.record_step, self.decision.id, self.step, values["data"])


class ResultDialog(FormDialog):
    """记录实施结果 (may be corrected until 实施结果公开)."""

    def __init__(self, ctx: AppContext, decision: DecisionRow, parent: QWidget | None = None) -> None:
        super().__init__("dialog_decision_result", self.tr("记录实施结果"), parent)
        self.ctx, self.decision = ctx, decision
        self.add_section(f"{decision.number}　{decision.title}")
        self.add_date("implemented_on", self.tr("实施日期"), required=True).set_date(
            decision.implemented_on or date.today())
        self.add_text("result_text", self.tr("实施结果")).setPlainText(decision.result_text)

    def values(self) -> dict[str, Any]:
        problems: list[FieldProblem] = []
        on = self.date_value("implemented_on", problems)
        if problems:
            raise ValidationError(problems)
        return {"text": self.fields["result_text"].toPlainText(), "on": on}  # type: ignore[attr-defined]

    def save(self, values: dict[str, Any]) -> None:
        self.ctx.call(decisions.record_result, self.decision.id, values["text"], values["on"])
