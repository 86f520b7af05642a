"""Editing the grids on the map: 新建网格, 网格信息, 画边界, 调整边界点, 改颜色, 导入底图 and 撤销网格
(with the list of 已撤销的网格).

The buttons live here with what they do; the page lays them out and wires the map's signals
(a boundary drawn or a vertex moved) to on_polygon_drawn / on_polygon_edited.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPointF
from PySide6.QtWidgets import QFileDialog, QInputDialog, QPushButton

from app.services.grid import grids as grid
from app.services.grid import map_data as grid_map

from .buttons import button
from .close_dialog import ClosedGridsDialog, CloseGridDialog
from .dialogs import PALETTE, GridDialog
from .items import GridItem
from .service_calls import try_call

if TYPE_CHECKING:
    from .page import GridMapPage


class GridEditActions(QObject):
    """Works on the page's map (scene, view) and the grid selected beside it."""

    def __init__(self, page: GridMapPage) -> None:
        super().__init__(page)
        self.page = page
        self.scene, self.view, self.status = page.scene, page.view, page.status
        self._draw_for: int | None = None  # the grid whose boundary is being drawn
        self.btn_new_grid = button(page, "btn_new_grid", self.tr("新建网格"), self.new_grid,
                                   self.tr("新建网格或微网格，然后在地图上画出边界"))
        self.btn_edit_grid = button(page, "btn_edit_grid", self.tr("网格信息"), self.edit_grid)
        self.btn_draw = button(page, "btn_draw_boundary", self.tr("画边界"), self.draw_boundary,
                               self.tr("依次点击边界各点，双击结束；右键撤回一点，Esc 取消"))
        self.btn_vertices = button(page, "btn_edit_vertices", self.tr("调整边界点"), self.toggle_vertices)
        self.btn_vertices.setCheckable(True)
        self.btn_recolor = button(page, "btn_recolor", self.tr("改颜色"), self.recolor)
        self.btn_picture = button(page, "btn_import_picture", self.tr("导入底图"), self.import_picture,
                                  self.tr("导入村庄平面图（PNG/JPG 扫描件或照片），保存在数据库中"))
        self.btn_close_grid = button(page, "btn_close_grid", self.tr("撤销网格"), self.close_grid,
                                     self.tr("撤销选中的网格或微网格（须先调出其中的户、为在岗人员办理卸任）"))
        self.btn_closed_grids = button(page, "btn_closed_grids", self.tr("已撤销的网格"), self.show_closed,
                                       self.tr("查看已撤销的网格：撤销日期和原因"))

    def buttons(self) -> list[QPushButton]:
        return [self.btn_new_grid, self.btn_edit_grid, self.btn_draw, self.btn_vertices, self.btn_recolor,
                self.btn_picture, self.btn_close_grid, self.btn_closed_grids]

    def grid_selected(self, gid: int | None) -> None:
        if self.btn_vertices.isChecked():
            self.scene.show_handles(gid)

    def _need_grid(self) -> int | None:
        gid = self.page.selected_grid_id()
        if gid is None:
            self.status.show_error(self.tr("请先在右侧列表或地图上选中一个网格"))
        return gid

    def new_grid(self) -> None:
        gid = self.page.selected_grid_id()
        parent = None
        if gid is not None:
            info = self.scene.grids[gid].info if gid in self.scene.grids else None
            parent = info.parent_id or info.id if info else None
        dialog = GridDialog(self.page.ctx, self.page.unit_id, None, self.page, parent_id=parent)
        if not dialog.exec():
            return
        self.page.announce("grid")
        self.page.refresh()
        self.page.select_grid(dialog.result_value)
        self.draw_boundary()

    def edit_grid(self) -> None:
        gid = self._need_grid()
        if gid is None:
            return
        dialog = GridDialog(self.page.ctx, self.page.unit_id, gid, self.page)
        if dialog.exec():
            self.page.announce("grid")
            self.page.refresh()

    def close_grid(self) -> None:
        gid = self._need_grid()
        if gid is None or gid not in self.scene.grids:
            return
        info = self.scene.grids[gid].info
        if CloseGridDialog(self.page.ctx, info, self.page).exec():
            self.page.announce("grid")
            self.page.select_grid(info.parent_id)
            self.page.refresh()
            self.status.show_info(self.tr("已撤销“{0}”，地图上不再显示").format(info.name))

    def show_closed(self) -> None:
        ClosedGridsDialog(self.page.ctx, self.page.unit_id, self.page).exec()

    def draw_boundary(self) -> None:
        gid = self._need_grid()
        if gid is None:
            return
        self._draw_for = gid
        self.btn_vertices.setChecked(False)
        self.scene.show_handles(None)
        self.view.start_drawing()
        name = self.scene.grids[gid].info.name if gid in self.scene.grids else ""
        self.status.show_info(self.tr("正在画“{0}”的边界：依次点击各点，双击结束；右键撤回一点，Esc 取消").format(name))

    def on_polygon_drawn(self, points: list[tuple[float, float]]) -> None:
        gid, self._draw_for = self._draw_for, None
        if gid is None:
            return
        ok, _ = try_call(self.page, self.page.ctx, grid.set_grid_polygon, gid, points)
        if not ok:
            return
        item = self.scene.grids.get(gid)
        if item is not None:
            item.set_points([QPointF(x, y) for x, y in points])
            item.info = dataclasses.replace(item.info, polygon=tuple(points))
        self.status.show_info(self.tr("已保存边界（{0} 个点）").format(len(points)))
        self.page.announce("grid")

    def toggle_vertices(self, on: bool) -> None:
        self.scene.show_handles(self.page.selected_grid_id() if on else None)
        if on and self.page.selected_grid_id() is None:
            self.status.show_error(self.tr("请先选中一个网格，再拖动它的边界点"))

    def on_polygon_edited(self, item: GridItem) -> None:
        points = item.points()
        ok, _ = try_call(self.page, self.page.ctx, grid.set_grid_polygon, item.info.id, points)
        if ok:
            item.info = dataclasses.replace(item.info, polygon=tuple(points))
            self.status.show_info(self.tr("已保存“{0}”的边界").format(item.info.name))
        else:  # put the boundary back as it was saved
            item.set_points([QPointF(x, y) for x, y in item.info.polygon or ()])
            self.scene.show_handles(item.info.id)

    def recolor(self) -> None:
        gid = self._need_grid()
        if gid is None or gid not in self.scene.grids:
            return
        item = self.scene.grids[gid]
        # by name from the palette 新建网格 offers (Qt's colour dialog speaks of 「HTML」 and RGB, issue 20)
        colours, names = [c for c, _n in PALETTE], [self.tr(n) for _c, n in PALETTE]
        current = colours.index(item.info.color) if item.info.color in colours else 0
        name, chosen = QInputDialog.getItem(self.page, self.tr("网格颜色"),
                                            self.tr("“{0}”的颜色：").format(item.info.name), names, current, False)
        if not chosen:
            return
        colour = colours[names.index(name)]
        ok, _ = try_call(self.page, self.page.ctx, grid.set_grid_color, gid, colour)
        if ok:
            item.set_colour(colour)
            for marker in self.scene.markers.values():
                if marker.marker.grid_id == gid:
                    marker.set_look(colour=self.scene.colour_for(gid))
            self.page.announce("grid")

    def import_picture(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.page, self.tr("选择村庄平面图"), "",
                                              self.tr("图片 (*.png *.jpg *.jpeg)"))
        if not path:
            return
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            self.status.show_error(self.tr("无法读取 {0}：{1}").format(Path(path).name, exc.strerror or exc))
            return
        ok, size = try_call(self.page, self.page.ctx, grid_map.set_map_picture, self.page.unit_id, data,
                            Path(path).stem)
        if ok:
            self.page.refit()
            self.status.show_info(self.tr("已导入底图（{0}×{1} 像素）").format(*size))
