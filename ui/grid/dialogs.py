"""新建网格 / 编辑网格 (dlg_grid): code, name, parent grid, kind, colour. The boundary is drawn on the map."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QComboBox, QWidget

from app.services.context import AppContext
from app.services.grid import grids as grid
from app.services.grid.grids import GridInput

from ..common.form import FormDialog, select_combo_data

# The map colours offered, by name: a user picks 「蓝色」 with its swatch, never types or reads "#4f8fd6".
PALETTE = (("#4f8fd6", "蓝色"), ("#e07b39", "橙色"), ("#4caf6a", "绿色"), ("#c85a9e", "玫红色"),
           ("#d4a93f", "金黄色"), ("#3fb5b0", "青色"), ("#8a6fd1", "紫色"), ("#d0605e", "红色"))


def swatch(color: str) -> QIcon:
    pixmap = QPixmap(16, 16)
    pixmap.fill(QColor(color))
    return QIcon(pixmap)


def select_color(combo: QComboBox, color: str) -> None:
    """Select the grid's colour; one outside the palette (set by an older version) is kept as 「原有颜色」."""
    i = combo.findData(color)
    if i < 0 and QColor.isValidColorName(color):
        combo.addItem(swatch(color), "原有颜色", color)
        i = combo.count() - 1
    combo.setCurrentIndex(max(i, 0))


class GridDialog(FormDialog):
    def __init__(self, ctx: AppContext, unit_id: int, grid_id: int | None = None, parent: QWidget | None = None,
                 parent_id: int | None = None) -> None:
        super().__init__("dlg_grid", self.tr("编辑网格") if grid_id else self.tr("新建网格"), parent)
        self.ctx = ctx
        self.unit_id = unit_id
        self.grid_id = grid_id
        grids = ctx.call(grid.list_grids, unit_id)
        tops = [(g.name, g.id) for g in grids if g.parent_id is None and g.id != grid_id]
        self.code = self.add_line("code", self.tr("网格编码"), required=True, max_length=30,
                                  placeholder=self.tr("如 G08 或 G01-3"))
        self.name = self.add_line("name", self.tr("网格名称"), required=True, max_length=60)
        self.parent_combo = self.add_combo("parent_id", self.tr("上级网格"), tops, blank=self.tr("（无，本身是网格）"))
        self.kind = self.add_combo("kind", self.tr("网格类型"), list(grid.GRID_KINDS), required=True)
        self.color = self.add_combo("color", self.tr("颜色"), [(self.tr(name), c) for c, name in PALETTE])
        for i, (c, _name) in enumerate(PALETTE):
            self.color.setItemIcon(i, swatch(c))
        self.note = self.add_text("note", self.tr("备注"))
        self._polygon = None
        if grid_id is not None:
            info = ctx.call(grid.get_grid, grid_id)
            self.code.setText(info.code)
            self.name.setText(info.name)
            select_combo_data(self.parent_combo, info.parent_id)
            select_combo_data(self.kind, info.kind)
            select_color(self.color, info.color)
            self.note.setPlainText(info.note)
            self._polygon = info.polygon
        else:
            select_combo_data(self.parent_combo, parent_id)
            self.color.setCurrentIndex(len(grids) % len(PALETTE))
        self.code.setFocus()

    def values(self) -> dict[str, Any]:
        return {
            "code": self.code.text(), "name": self.name.text(), "parent_id": self.parent_combo.currentData(),
            "kind": self.kind.currentData() or "普通", "color": self.color.currentData(),
            "note": self.note.toPlainText(), "polygon": self._polygon,
        }

    def save(self, values: dict[str, Any]) -> int:
        data = GridInput(**values)
        if self.grid_id is None:
            return self.ctx.call(grid.create_grid, self.unit_id, data)
        self.ctx.call(grid.update_grid, self.grid_id, data)
        return self.grid_id
