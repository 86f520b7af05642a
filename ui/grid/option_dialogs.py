"""Two small choices on the map page: the 联系户 band (dlg_contact_band) and how to make 便民服务卡 (dlg_service_cards)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtWidgets import QButtonGroup, QCheckBox, QLabel, QRadioButton, QSpinBox, QWidget

from app.services.context import AppContext
from app.services.grid import coverage as grid_coverage

from ..common.form import FormDialog

BAND_MAX = 500


class ContactBandDialog(FormDialog):
    """How many households a party member should contact: fewer or more is listed in the coverage report."""

    def __init__(self, ctx: AppContext, unit_id: int, parent: QWidget | None = None) -> None:
        super().__init__("dlg_contact_band", self.tr("联系户数量范围"), parent)
        self.ctx, self.unit_id = ctx, unit_id
        low, high = ctx.call(grid_coverage.contact_band, unit_id)
        self.spin_low = self._spin(low)
        self.spin_high = self._spin(high)
        self.add_field("low", self.tr("每名党员至少联系"), self.spin_low, required=True)
        self.add_field("high", self.tr("至多联系"), self.spin_high, required=True)
        hint = QLabel(self.tr("覆盖情况中会列出联系户少于下限或多于上限的党员（默认 4–30 户）。"), self)
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #666;")
        self.grid.addWidget(hint, self.grid.rowCount(), 0, 1, 3)
        self.spin_low.setFocus()

    def _spin(self, value: int) -> QSpinBox:
        spin = QSpinBox(self)
        spin.setRange(0, BAND_MAX)
        spin.setSuffix(self.tr(" 户"))
        spin.setValue(value)
        return spin

    def values(self) -> dict[str, Any]:
        return {"low": self.spin_low.value(), "high": self.spin_high.value()}

    def save(self, values: dict[str, Any]) -> tuple[int, int]:
        self.ctx.call(grid_coverage.set_contact_band, self.unit_id, values["low"], values["high"])
        return values["low"], values["high"]


@dataclass(frozen=True)
class CardsChoice:
    per: str  # "household" or "grid"
    qr: bool


class CardsDialog(FormDialog):
    """每户一张 or 每个网格一张, with or without the QR code; result_value is a CardsChoice."""

    def __init__(self, scope: str, parent: QWidget | None = None) -> None:
        super().__init__("dlg_service_cards", self.tr("便民服务卡"), parent)
        where = QLabel(self.tr("制作范围：{0}").format(scope), self)
        where.setObjectName("lbl_cards_scope")
        self.grid.addWidget(where, self.grid.rowCount(), 0, 1, 3)
        self._row = self.grid.rowCount()
        self.radio_household = QRadioButton(self.tr("每户一张（写明户号和门牌，入户发放）"), self)
        self.radio_grid = QRadioButton(self.tr("每个网格一张（张贴或集中发放）"), self)
        self.radio_grid.setObjectName("radio_cards_grid")
        self.radio_household.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.radio_household)
        group.addButton(self.radio_grid)
        self.add_field("per_household", self.tr("制作方式"), self.radio_household)
        self.radio_household.setObjectName("radio_cards_household")
        self.grid.addWidget(self.radio_grid, self.grid.rowCount(), 1)
        self._row = self.grid.rowCount()
        self.chk_no_qr = QCheckBox(self.tr("不含二维码"), self)
        self.chk_no_qr.setToolTip(self.tr("二维码中是网格员的姓名和电话；黑白打印机效果不好时可不印"))
        self.add_field("no_qr", self.tr("二维码"), self.chk_no_qr)
        self.chk_no_qr.setObjectName("chk_cards_no_qr")
        self.btn_save.setText(self.tr("生成 PDF…"))

    def values(self) -> dict[str, Any]:
        return {"per": "grid" if self.radio_grid.isChecked() else "household", "qr": not self.chk_no_qr.isChecked()}

    def save(self, values: dict[str, Any]) -> CardsChoice:
        return CardsChoice(**values)
