"""设置 → 本村信息与公示: the village's name, place, 公示 contact, 村委会电话 and 公示 defaults (书记 only).

Saved through units.update_unit, which checks the role and every field; problems show beside their
fields. A saved change is announced as kind "unit": the window's title and the 开始使用 checklist follow.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.services import units
from app.services.context import AppContext
from app.services.errors import ValidationError

from ..common.form import ERROR_STYLE, INVALID_STYLE, select_combo_data
from ..common.list_editor import announce
from ..common.status import show_status
from ..common.widgets import InfoLabel
from ..errors import user_errors

CHANGE_KIND = "unit"
LINE_FIELDS = (  # field, label, placeholder, max length
    ("name", "村/社区名称", "如 东坟村", 60),
    ("township", "所属乡镇/街道", "如 城关街道", 60),
    ("county", "县/区", "如 房山区", 60),
    ("contact_person", "公示联系人", "公示上印的联系人", 30),
    ("contact_phone", "公示联系电话", "手机号或带区号的固定电话", 20),
    ("committee_phone", "村委会电话", "村委会办公室电话，印在便民服务卡上", 20),
    ("objection_box", "意见箱位置", "如 村委会大门东侧", 100),
)


class UnitInfoBox(QGroupBox):
    """box_unit: field_unit_<name> per field, err_unit_<name> beside it, btn_save_unit."""

    def __init__(self, ctx: AppContext, unit_id: int, editable: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("box_unit")
        self.setTitle(self.tr("本村信息与公示"))
        self.ctx, self.unit_id, self.editable = ctx, unit_id, editable
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr(
            "公示联系人和电话印在每份公示上；村委会电话印在便民服务卡上，两个号码应不同。"
            "默认公示天数用于新生成的公示（已生成的公示不变）。"), self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(4, 1)
        layout.addLayout(grid)
        self.fields: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self.edits: dict[str, QLineEdit] = {}
        self.combo_kind = QComboBox(self)
        for kind in units.UNIT_KINDS:
            self.combo_kind.addItem(kind, kind)
        # left: the village (name, 村/社区, township, county); right: 公示 contact, 村委会电话, 意见箱
        places = [(0, 0), (2, 0), (3, 0), (0, 3), (1, 3), (2, 3), (3, 3)]
        for (field, label, placeholder, max_length), (row_, col) in zip(LINE_FIELDS, places, strict=True):
            edit = QLineEdit(self)
            edit.setPlaceholderText(self.tr(placeholder))
            edit.setMaxLength(max_length)
            self.edits[field] = edit
            self._add(grid, row_, col, field, self.tr(label), edit, required=field == "name")
        self._add(grid, 1, 0, "kind", self.tr("村或社区"), self.combo_kind)
        row = QHBoxLayout()
        self.spin_days = QSpinBox(self)
        self.spin_days.setRange(1, 60)
        self.spin_days.setSuffix(self.tr(" 天"))
        self.chk_workdays = QCheckBox(self.tr("公示期按工作日计算（跳过节假日，见下方“节假日与调休”）"), self)
        self.chk_workdays.setObjectName("chk_unit_notice_workdays")
        row.addWidget(self.spin_days)
        row.addSpacing(12)
        row.addWidget(self.chk_workdays)
        row.addStretch(1)
        days = QWidget(self)
        days.setLayout(row)
        row.setContentsMargins(0, 0, 0, 0)
        self._add(grid, 4, 0, "notice_days", self.tr("默认公示天数"), days, span=4)
        days.setObjectName("row_unit_notice_days")
        self.spin_days.setObjectName("field_unit_notice_days")
        bar = QHBoxLayout()
        self.btn_save = QPushButton(self.tr("保存本村信息"), self)
        self.btn_save.setObjectName("btn_save_unit")
        self.btn_reset = QPushButton(self.tr("放弃修改"), self)
        self.btn_reset.setObjectName("btn_reset_unit")
        bar.addWidget(self.btn_save)
        bar.addWidget(self.btn_reset)
        bar.addStretch(1)
        layout.addLayout(bar)
        self.info = InfoLabel("info_unit", self)
        self.info.setWordWrap(True)
        layout.addWidget(self.info)
        for w in (*self.fields.values(), self.spin_days, self.chk_workdays, self.btn_save, self.btn_reset):
            w.setEnabled(editable)
        if not editable:
            self.info.show_info(self.tr("本村信息只能由书记（管理员）修改。"))
        self.btn_save.clicked.connect(self.save)
        self.btn_reset.clicked.connect(self.refresh)
        self.refresh()

    def _add(self, grid: QGridLayout, row: int, col: int, field: str, label: str, widget: QWidget,
             required: bool = False, span: int = 1) -> None:
        widget.setObjectName(f"field_unit_{field}")
        caption = QLabel(label + ("<span style='color:#c62828'> *</span>" if required else ""), self)
        caption.setBuddy(widget)
        caption.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        error = QLabel(self)
        error.setObjectName(f"err_unit_{field}")
        error.setStyleSheet(ERROR_STYLE)
        error.setWordWrap(True)
        error.hide()
        box = QWidget(self)
        inner = QVBoxLayout(box)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.setSpacing(0)
        inner.addWidget(widget)
        inner.addWidget(error)
        grid.addWidget(caption, row, col, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(box, row, col + 1, 1, span)
        self.fields[field] = widget
        self.errors[field] = error

    def focus_first(self) -> None:
        self.edits["contact_person"].setFocus(Qt.FocusReason.OtherFocusReason)

    def refresh(self) -> None:
        self._clear_problems()
        with user_errors(self):
            info = self.ctx.call(units.get_unit, self.unit_id)
            for field, edit in self.edits.items():
                edit.setText(str(getattr(info, field)))
            select_combo_data(self.combo_kind, info.kind)
            self.spin_days.setValue(info.notice_days)
            self.chk_workdays.setChecked(info.notice_workdays)

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {field: edit.text() for field, edit in self.edits.items()}
        out.update(kind=self.combo_kind.currentData(), notice_days=self.spin_days.value(),
                   notice_workdays=self.chk_workdays.isChecked())
        return out

    def _clear_problems(self) -> None:
        for field, error in self.errors.items():
            error.clear()
            error.hide()
            self.fields[field].setStyleSheet("")

    def save(self) -> None:
        self._clear_problems()
        saved = False
        with user_errors(self):
            try:
                self.ctx.call(units.update_unit, self.unit_id, **self.values())
                saved = True
            except ValidationError as e:
                loose = []
                for p in e.problems:
                    if p.field in self.errors:
                        self.errors[p.field].setText("\n".join(e.for_field(p.field)))
                        self.errors[p.field].show()
                        self.fields[p.field].setStyleSheet(INVALID_STYLE)
                    else:
                        loose.append(str(p))
                self.info.show_error(self.tr("没有保存，请改正标红的项。") + "\n".join(loose))
        if saved:
            self.refresh()  # shows the numbers as stored (0351-1234567)
            self.info.show_info(self.tr("本村信息已保存。"))
            show_status(self, self.tr("已保存本村信息。"))
            announce(self, CHANGE_KIND)
