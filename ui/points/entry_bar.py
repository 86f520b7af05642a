"""快速记分: pick a member by 拼音 (zs → 张三), a rule, the date (today), Enter saves and stays.

After saving, the member field is cleared and focused for the next one; rule, date and points stay,
so a clerk entering ten 六必访 visits types a name and Enter ten times.

The bar is shared by the 乡风文明积分 page (ui/points/household_page.py): a subclass says whom it
scores (find_owners), which rules it offers (rules) and how an entry is saved (submit).
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QWidget,
)

from app.services.context import AppContext
from app.services.errors import ServiceError, ValidationError
from app.services.points import member_points as points
from app.services.points import rules as point_rules
from app.services.points.member_points import EntryInput
from app.services.points.rules import RuleRow

from ..common.form import DateText
from ..errors import show_failure

ERROR_STYLE = "color: #c62828;"
OK_STYLE = "color: #2e7d32;"
ID_ROLE = Qt.ItemDataRole.UserRole


class QuickEntry(QGroupBox):
    saved = Signal(int, int)  # entry id, member id (household id on the 乡风文明积分 page)

    owner_label = "党员"

    def __init__(self, ctx: AppContext, unit_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("快速记分（回车保存并继续下一位）"))
        self.setObjectName("group_quick_entry")
        self.ctx, self.unit_id = ctx, unit_id
        grid = QGridLayout(self)
        self.grid = grid
        self.edit_member = QLineEdit(self)
        self.edit_member.setObjectName("edit_entry_member")
        self.edit_member.setPlaceholderText(self.placeholder())
        self.list_members = QListWidget(self)
        self.list_members.setObjectName("list_entry_members")
        self.list_members.setMaximumHeight(self.fontMetrics().height() * 5)
        self.combo_rule = QComboBox(self)
        self.combo_rule.setObjectName("combo_entry_rule")
        self.edit_points = QLineEdit(self)
        self.edit_points.setObjectName("edit_entry_points")
        self.edit_points.setMaximumWidth(self.fontMetrics().horizontalAdvance("0") * 8)
        self.edit_date = DateText(self)
        self.edit_date.setObjectName("edit_entry_date")
        self.edit_note = QLineEdit(self)
        self.edit_note.setObjectName("edit_entry_note")
        self.edit_note.setPlaceholderText(self.tr("说明或佐证（如走访对象、表彰文件）"))
        self.btn_save = QPushButton(self.tr("记分"), self)
        self.btn_save.setObjectName("btn_save_entry")
        self.label_status = QLabel(self)
        self.label_status.setObjectName("label_entry_status")
        self.label_status.setWordWrap(True)

        grid.addWidget(QLabel(self.owner_label, self), 0, 0)
        grid.addWidget(self.edit_member, 0, 1)
        grid.addWidget(QLabel(self.tr("规则"), self), 0, 2)
        grid.addWidget(self.combo_rule, 0, 3)
        grid.addWidget(QLabel(self.tr("分值"), self), 0, 4)
        grid.addWidget(self.edit_points, 0, 5)
        grid.addWidget(QLabel(self.tr("日期"), self), 0, 6)
        grid.addWidget(self.edit_date, 0, 7)
        grid.addWidget(self.list_members, 1, 1, 2, 1)
        grid.addWidget(QLabel(self.tr("说明"), self), 1, 2)
        grid.addWidget(self.edit_note, 1, 3, 1, 5)
        grid.addWidget(self.btn_save, 1, 8)
        grid.addWidget(self.label_status, 2, 2, 1, 7)
        grid.setColumnStretch(1, 2)
        grid.setColumnStretch(3, 3)

        self.edit_member.textEdited.connect(self._search)
        self.edit_member.installEventFilter(self)
        self.combo_rule.currentIndexChanged.connect(self._rule_changed)
        self.btn_save.clicked.connect(self.save)
        for w in (self.edit_member, self.edit_points, self.edit_date, self.edit_note):
            w.returnPressed.connect(self.save)
        self.edit_date.set_date(date.today())
        self.load_rules()

    # ---- rules and members ----------------------------------------------------------------------

    # ---- what a subclass changes -----------------------------------------------------------------

    def placeholder(self) -> str:
        return self.tr("党员：姓名或拼音首字母，如 zs")

    def rules(self) -> list[RuleRow]:
        """The rules offered (基础分 is given once a year by the assessment)."""
        rules: list[RuleRow] = self.ctx.call(point_rules.list_rules, self.unit_id)
        return [r for r in rules if r.trigger != point_rules.BASE_TRIGGER]

    def find_owners(self, text: str) -> list[tuple[int, str]]:
        """(id, label) of whom to score, for the text typed."""
        return [(m.id, m.label) for m in self.ctx.call(points.find_members, self.unit_id, text, 8)]

    def submit(self, owner_id: int, rule: RuleRow, on: date, amount: str | None, note: str, evidence: str) -> int:
        """Save one entry (raises the service's errors); returns its id."""
        entry_id: int = self.ctx.call(points.add_entry, EntryInput(owner_id, rule.id, on, amount, note=note,
                                                                   evidence=evidence))
        return entry_id

    def missing_owner(self) -> str:
        return self.tr("请先输入党员姓名或拼音首字母，并在下面的列表中选中")

    # ---- rules and members ----------------------------------------------------------------------

    def load_rules(self) -> None:
        keep = self.combo_rule.currentData()
        rules = self.rules()
        self.combo_rule.blockSignals(True)
        self.combo_rule.clear()
        for r in rules:
            sign = "−" if r.kind == "deduct" else "+"
            amount = r.range_text or point_rules.points_text(r.points)
            self.combo_rule.addItem(f"{r.kind_label}｜{r.name}（{sign}{amount}）", r)
        rows = [self.combo_rule.itemData(i) for i in range(self.combo_rule.count())]
        # keep the rule in use; else the first one entered by hand (meeting rules come from 三会一课)
        index = next((i for i, r in enumerate(rows) if keep and r.id == keep.id),
                     next((i for i, r in enumerate(rows) if not r.trigger), 0))
        self.combo_rule.setCurrentIndex(index)
        self.combo_rule.blockSignals(False)
        self._rule_changed()

    def _rule_changed(self) -> None:
        r = self.combo_rule.currentData()
        if r is None:
            return
        self.edit_points.setText(point_rules.points_text(r.points))
        self.edit_points.setReadOnly(not r.range_text)  # a fixed rule's points are not typed
        self.edit_points.setToolTip(self.tr("可在 {0} 之间选择").format(r.range_text) if r.range_text else "")

    def _search(self, text: str) -> None:
        self.list_members.clear()
        if not text.strip():
            return
        found = self.find_owners(text)
        for owner_id, label in found:
            item = QListWidgetItem(label, self.list_members)
            item.setData(ID_ROLE, owner_id)
        if found:
            self.list_members.setCurrentRow(0)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Up/Down in the name field move through the matches, so the hands stay on the keyboard.
        if watched is self.edit_member and isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress:
            if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up) and self.list_members.count():
                step = 1 if event.key() == Qt.Key.Key_Down else -1
                row = max(0, min(self.list_members.count() - 1, self.list_members.currentRow() + step))
                self.list_members.setCurrentRow(row)
                return True
        return super().eventFilter(watched, event)

    def member_id(self) -> int | None:
        item = self.list_members.currentItem()
        return item.data(ID_ROLE) if item is not None else None

    # ---- saving ---------------------------------------------------------------------------------

    def show_status(self, text: str, error: bool) -> None:
        self.label_status.setStyleSheet(ERROR_STYLE if error else OK_STYLE)
        self.label_status.setText(text)

    def save(self) -> None:
        member_id, rule = self.member_id(), self.combo_rule.currentData()
        if member_id is None:
            self.show_status(self.missing_owner(), True)
            self.edit_member.setFocus()
            return
        try:
            on = self.edit_date.date()
        except ValueError as e:
            self.show_status(str(e), True)
            return
        text = self.edit_note.text().strip()
        evidence = rule is not None and rule.evidence_required  # then the text is the 佐证 the rule asks for
        if rule is None:
            self.show_status(self.tr("请选择积分规则"), True)
            return
        try:
            entry_id = self.submit(member_id, rule, on, self.edit_points.text().strip() or None,
                                   "" if evidence else text, text if evidence else "")
        except ValidationError as e:
            self.show_status("；".join(p.message for p in e.problems), True)
            return
        except ServiceError as e:
            self.show_status(str(e), True)
            return
        except Exception as e:
            show_failure(self, e)
            return
        name = self.list_members.currentItem().text().split("（")[0].split(" 户号")[0]
        self.show_status(self.tr("已记分：{0} {1} {2}").format(name, rule.name, self._signed(rule)), False)
        self.edit_member.clear()
        self.list_members.clear()
        self.edit_note.clear()
        self.edit_member.setFocus()
        self.saved.emit(entry_id, member_id)

    def _signed(self, rule: point_rules.RuleRow) -> str:
        text = self.edit_points.text().strip() or point_rules.points_text(rule.points)
        return ("−" if rule.kind == "deduct" else "+") + text
