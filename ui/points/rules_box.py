"""设置 → 积分规则与评定档次: the rules table (新增/修改, 书记 only) and the grade bands.

One table, two ledgers: a scope switch shows the 党员积分 rules or the 乡风文明积分 (五讲五不) rules of
households; a rule made while a scope is shown belongs to it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.services.context import AppContext
from app.services.org.member_checks import POINTS_CATEGORIES
from app.services.points import rules as point_rules
from app.services.points.rules import (
    HOUSEHOLD,
    HOUSEHOLD_KINDS,
    MEMBER,
    RULE_KIND_LABELS,
    RULE_KINDS,
    SCOPE_LABELS,
    TIE_RULES,
    RuleInput,
    RuleRow,
    points_text,
    trigger_label,
)

from ..common.form import FormDialog
from ..common.status import show_status
from ..common.table_model import Column, LazyTableModel, list_source
from ..common.widgets import DataTable, InfoLabel
from ..errors import user_errors

RULE_COLUMNS: list[Column[RuleRow]] = [
    Column("类别", "kind_label", width=4),
    Column("规则", "name", width=10),
    Column("分值", lambda r: r.range_text or points_text(r.points), width=4),
    Column("适用党员", "categories_text", width=5),
    Column("年度上限", lambda r: points_text(r.yearly_cap), width=4),
    Column("须佐证", "evidence_required", width=3),
    Column("自动计分", lambda r: trigger_label(r.trigger), width=12),
    Column("启用", "active", width=3),
]


class RuleDialog(FormDialog):
    def __init__(self, ctx: AppContext, unit_id: int, rule_id: int | None = None, parent: QWidget | None = None,
                 scope: str = MEMBER) -> None:
        loaded = ctx.call(point_rules.rule_input, rule_id) if rule_id is not None else None
        self.scope = loaded.scope if loaded is not None else scope
        what = SCOPE_LABELS.get(self.scope, "积分") + "规则"
        super().__init__("dialog_point_rule", f"修改{what}" if rule_id else f"新增{what}", parent)
        self.ctx, self.unit_id, self.rule_id = ctx, unit_id, rule_id
        kinds = HOUSEHOLD_KINDS if self.scope == HOUSEHOLD else RULE_KINDS
        self.add_combo("kind", self.tr("类别"), [(RULE_KIND_LABELS[k], k) for k in kinds], required=True)
        self.add_line("name", self.tr("规则名称"), required=True, max_length=60)
        self.add_line("points", self.tr("分值"), required=True, placeholder=self.tr("扣减分也填正数"))
        self.add_line("points_min", self.tr("最低分"), placeholder=self.tr("可选：记分时可在范围内选"))
        self.add_line("points_max", self.tr("最高分"))
        household = self.scope == HOUSEHOLD
        self.add_line("yearly_cap", self.tr("每户年度上限") if household else self.tr("每人年度上限"),
                      placeholder=self.tr("不填为不限"))
        self.category_boxes: dict[str, QCheckBox] = {}
        if not household:  # 五讲五不 applies to every household and is always scored by hand
            self.category_boxes = {c: QCheckBox(self.tr("{0}党员").format(c), self) for c in POINTS_CATEGORIES}
            holder = QWidget(self)
            row = QHBoxLayout(holder)
            row.setContentsMargins(0, 0, 0, 0)
            for box in self.category_boxes.values():
                row.addWidget(box)
            self.add_field("categories", self.tr("适用党员（都不选为全部）"), holder)
            self.add_combo("trigger", self.tr("自动计分"), [(trigger_label(t), t) for t in point_rules.TRIGGERS],
                           blank=self.tr("不自动（手工记分）"))
        self.chk_evidence = QCheckBox(self.tr("须填写佐证"), self)
        self.chk_active = QCheckBox(self.tr("启用"), self)
        self.chk_active.setChecked(True)
        self.add_field("evidence_required", "", self.chk_evidence)
        self.add_field("active", "", self.chk_active)
        self.add_line("note", self.tr("说明"))
        if loaded is not None:
            self._fill(loaded)

    def _fill(self, d: RuleInput) -> None:
        f: dict[str, Any] = self.fields
        f["kind"].setCurrentIndex(max(0, f["kind"].findData(d.kind)))
        f["name"].setText(d.name)
        for key in ("points", "points_min", "points_max", "yearly_cap"):
            value = getattr(d, key)
            f[key].setText(points_text(value) if value is not None else "")
        for c, box in self.category_boxes.items():
            box.setChecked(c in d.categories)
        if "trigger" in f:
            f["trigger"].setCurrentIndex(max(0, f["trigger"].findData(d.trigger or None)))
        self.chk_evidence.setChecked(d.evidence_required)
        self.chk_active.setChecked(d.active)
        f["note"].setText(d.note)

    def values(self) -> dict[str, Any]:
        f: dict[str, Any] = self.fields
        return {"data": RuleInput(
            f["kind"].currentData(), f["name"].text(), f["points"].text(), f["points_min"].text() or None,
            f["points_max"].text() or None, [c for c, b in self.category_boxes.items() if b.isChecked()],
            f["yearly_cap"].text() or None, self.chk_evidence.isChecked(),
            f["trigger"].currentData() or "" if "trigger" in f else "", self.chk_active.isChecked(),
            note=f["note"].text(), scope=self.scope)}

    def save(self, values: dict[str, Any]) -> int:
        if self.rule_id is not None:
            self.ctx.call(point_rules.update_rule, self.rule_id, values["data"])
            return self.rule_id
        return self.ctx.call(point_rules.create_rule, self.unit_id, values["data"])


class PointSettingsBox(QGroupBox):
    """The part of 设置 that belongs to 党员积分 (the services refuse non-admins; buttons say so too)."""

    def __init__(self, ctx: AppContext, unit_id: int, admin: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("积分规则与评定档次"))
        self.setObjectName("group_point_rules")
        self.ctx, self.unit_id = ctx, unit_id
        layout = QVBoxLayout(self)
        self.combo_scope = QComboBox(self)
        self.combo_scope.setObjectName("combo_rule_scope")
        self.combo_scope.addItem(self.tr("党员积分规则"), MEMBER)
        self.combo_scope.addItem(self.tr("乡风文明积分规则（农户“五讲五不”）"), HOUSEHOLD)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("规则："), self))
        top.addWidget(self.combo_scope)
        top.addStretch(1)
        layout.addLayout(top)
        self.table_rules = DataTable("table_point_rules", self)
        count, page = list_source(lambda: ctx.call(point_rules.list_rules, unit_id, True, self.scope()))
        self.model: LazyTableModel[RuleRow] = LazyTableModel(RULE_COLUMNS, count, page, parent=self)
        self.table_rules.setModel(self.model)
        self.table_rules.setSortingEnabled(False)
        self.table_rules.setMinimumHeight(self.fontMetrics().height() * 12)
        layout.addWidget(self.table_rules)
        row = QHBoxLayout()
        self.btn_add = QPushButton(self.tr("新增规则…"), self)
        self.btn_add.setObjectName("btn_add_point_rule")
        self.btn_edit = QPushButton(self.tr("修改规则…"), self)
        self.btn_edit.setObjectName("btn_edit_point_rule")
        row.addWidget(self.btn_add)
        row.addWidget(self.btn_edit)
        row.addStretch(1)
        layout.addLayout(row)

        bands = QHBoxLayout()
        self.spin_excellent = QSpinBox(self)
        self.spin_excellent.setObjectName("spin_band_excellent")
        self.spin_good = QSpinBox(self)
        self.spin_good.setObjectName("spin_band_good")
        for spin in (self.spin_excellent, self.spin_good):
            spin.setRange(0, 100)
            spin.setSuffix("%")
        self.edit_floor = QLineEdit(self)
        self.edit_floor.setObjectName("edit_band_floor")
        self.edit_floor.setMaximumWidth(self.fontMetrics().horizontalAdvance("0") * 8)
        self.btn_save_bands = QPushButton(self.tr("保存评定档次"), self)
        self.btn_save_bands.setObjectName("btn_save_grade_bands")
        for w in (QLabel(self.tr("各支部排名前"), self), self.spin_excellent, QLabel(self.tr("为优秀，其后"), self),
                  self.spin_good, QLabel(self.tr("为良好，其余一般；总积分低于"), self), self.edit_floor,
                  QLabel(self.tr("分为差"), self), self.btn_save_bands):
            bands.addWidget(w)
        bands.addStretch(1)
        layout.addLayout(bands)
        ties = QHBoxLayout()
        self.combo_ties = QComboBox(self)
        self.combo_ties.setObjectName("combo_band_ties")
        for key, label in TIE_RULES.items():
            self.combo_ties.addItem(self.tr(label), key)
        self.combo_ties.setToolTip(self.tr(
            "同分的党员跨过优秀（或良好）名额线时：“名额不超比例”均评为下一等次；“并列者交支委会确定”列为待定，"
            "在年度评定向导中由支委会确定"))
        ties.addWidget(QLabel(self.tr("同分并列跨过名额线时："), self))
        ties.addWidget(self.combo_ties)
        ties.addStretch(1)
        layout.addLayout(ties)
        self.info = InfoLabel("info_point_rules", self)
        layout.addWidget(self.info)
        self.table_rules.enable_with_selection(self.btn_edit, allowed=lambda: admin)
        for w in (self.btn_add, self.btn_edit, self.btn_save_bands, self.combo_ties):
            w.setEnabled(admin and w is not self.btn_edit)
            if not admin:
                w.setToolTip(self.tr("只有书记（管理员）可以修改"))
        self.btn_add.clicked.connect(lambda: self.edit_rule(None))
        self.btn_edit.clicked.connect(lambda: self.edit_rule(self._selected()))
        self.table_rules.doubleClicked.connect(lambda _i: admin and self.edit_rule(self._selected()))
        self.btn_save_bands.clicked.connect(self.save_bands)
        self.combo_scope.currentIndexChanged.connect(lambda _i: self.model.refresh())
        self.refresh()

    def scope(self) -> str:
        return str(self.combo_scope.currentData() or MEMBER)

    def _selected(self) -> int | None:
        r = self.model.row_at(self.table_rules.current_row())
        return r.id if r else None

    def refresh(self) -> None:
        self.model.refresh()
        b = self.ctx.call(point_rules.get_grade_bands, self.unit_id)
        self.spin_excellent.setValue(b.excellent_pct)
        self.spin_good.setValue(b.good_pct)
        self.edit_floor.setText(points_text(b.fail_below))
        self.combo_ties.setCurrentIndex(max(0, self.combo_ties.findData(b.ties)))
        self.info.show_info(b.describe())

    def edit_rule(self, rule_id: int | None) -> None:
        if rule_id is None and self.sender() is self.btn_edit:
            return
        with user_errors(self):
            dialog = RuleDialog(self.ctx, self.unit_id, rule_id, self, scope=self.scope())
            if dialog.exec() == QDialog.DialogCode.Accepted:
                self.refresh()

    def save_bands(self) -> None:
        with user_errors(self):
            self.ctx.call(point_rules.set_grade_bands, self.unit_id, self.spin_excellent.value(),
                          self.spin_good.value(), self.edit_floor.text(), self.combo_ties.currentData())
            self.refresh()
            self.info.show_info(self.tr("已保存。") + self.info.text())
            show_status(self, self.tr("已保存评定档次。"))
