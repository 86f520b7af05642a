"""网格地图: the village map with its grids, households and 党员联系户, plus statistics and coverage beside it.

A township or county (issue 11: 50,000 households, 1,500 grids) is too much to draw and count at once
on the GUI thread. Above LARGE_MAP_HOUSEHOLDS the page opens with the grids only (names, household
counts, the tree), then draws households for the grid the user picks and, once zoomed in far enough,
for the part of the map in view — read off the GUI thread, a few thousand at most. Statistics and
联系户 coverage are counted off the GUI thread too. A village map stays as it was: everything at once.

The page composes its parts and wires them: the side panel (side_panel: tree, statistics, coverage,
未上图的户), the large map's household reads (marker_loader) and the grid editing buttons
(edit_actions). Placing households on the map, exporting it and 便民服务卡 stay here.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.services import units
from app.services.context import AppContext
from app.services.errors import ServiceError
from app.services.grid import cards as grid_cards
from app.services.grid import grids as grid
from app.services.grid import map_data as grid_map
from app.services.grid.map_data import MapData

from ..common.background import BackgroundJob
from ..common.page import Changes, Page
from ..common.widgets import InfoLabel
from ..errors import show_service_error
from ..people.dialogs import HouseholdDialog
from .buttons import button
from .edit_actions import GridEditActions
from .export import Legend, export_pdf, export_png
from .household_dialog import HouseholdGridDialog
from .items import HouseholdMarker
from .marker_loader import MarkerLoader
from .option_dialogs import CardsChoice, CardsDialog
from .scene import ALL_TAGS, MapScene
from .service_calls import JobRunner, try_call
from .side_panel import GridSidePanel
from .view import MapView

# A township or county: more open households than this and the map opens with the grids only (issue 11).
LARGE_MAP_HOUSEHOLDS = 4000


class GridMapPage(Page):
    title = "网格地图"
    object_name = "page_grid"  # known before the page is built (ui/page_stack.py)
    waits_for_show = True  # heavy at county scale: query when first shown (issue 11)
    watches = frozenset({"household", "grid", "member", "resident"})

    def __init__(self, ctx: AppContext, changes: Changes, parent: QWidget | None = None) -> None:
        super().__init__(ctx, changes, parent)
        self.setObjectName("page_grid")
        self._fitted = False
        self.job: BackgroundJob | None = None

        self.scene = MapScene(self)
        self.view = MapView(self.scene, self)
        self.status = InfoLabel("lbl_map_status", self)  # laid out last; a label takes no Tab focus
        self.jobs = JobRunner(self.status.show_error, self)  # statistics, coverage and household reads
        # the parts are made in the order their widgets appear, which is the order Tab walks them
        self.edits = GridEditActions(self)
        outer = QVBoxLayout(self)
        outer.addLayout(self._edit_bar())
        outer.addLayout(self._view_bar())
        split = QSplitter(Qt.Orientation.Horizontal, self)
        self.side = GridSidePanel(ctx, self.unit_id, self.scene, self.jobs, self.status, self)
        self.marker_loader = MarkerLoader(ctx, self.unit_id, self.scene, self.view, self.jobs,
                                          self.side.selected_grid_id, self)
        split.addWidget(self.view)
        split.addWidget(self.side)
        split.setStretchFactor(0, 1)
        split.setSizes([860, 440])
        outer.addWidget(split, 1)
        outer.addWidget(self.status)

        # the parts' widgets under the page's own names, as tests and callers know them
        side, edits = self.side, self.edits
        self.tree, self.lbl_staff, self.tabs, self.posts = side.tree, side.lbl_staff, side.tabs, side.posts
        self.text_coverage, self.lbl_band, self.btn_band = side.text_coverage, side.lbl_band, side.btn_band
        self.lbl_unplaced, self.list_unplaced = side.lbl_unplaced, side.list_unplaced
        self.btn_new_grid, self.btn_edit_grid = edits.btn_new_grid, edits.btn_edit_grid
        self.btn_draw, self.btn_vertices = edits.btn_draw, edits.btn_vertices
        self.btn_recolor, self.btn_picture = edits.btn_recolor, edits.btn_picture

        self.scene.markerDropped.connect(self.on_marker_dropped)
        self.scene.markerClicked.connect(lambda m: self.open_household(m.household_id))
        self.posts.changed.connect(self.on_posts_changed)
        self.side.contactsChanged.connect(self.on_contacts_changed)
        self.side.gridSelected.connect(self.on_grid_selected)
        self.scene.polygonEdited.connect(self.edits.on_polygon_edited)
        self.view.polygonDrawn.connect(self.edits.on_polygon_drawn)
        self.view.drawingCancelled.connect(lambda: self.status.show_info(self.tr("已取消绘制边界")))
        self.view.clickedAt.connect(self.on_map_clicked)
        self.view.menuAt.connect(self.on_map_menu)
        self.view.householdDropped.connect(self.on_household_dropped)
        self.view.viewChanged.connect(self.marker_loader.on_view_changed)
        self.marker_loader.summary.connect(self.lbl_households.setText)
        self.refresh()

    # ---- building ---------------------------------------------------------------------------------

    def _edit_bar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        self.btn_export = button(self, "btn_export_map", self.tr("导出地图"), self.export_map,
                                 self.tr("导出带图例的地图：PNG 图片，或 A4/A3 横向 PDF"))
        self.btn_cards = button(self, "btn_print_cards", self.tr("便民服务卡"), self.print_cards,
                                self.tr("每户一张或每个网格一张的便民服务卡 PDF（选中网格时只做该网格的）"))
        for b in self.edits.buttons():
            bar.addWidget(b)
        bar.addStretch(1)
        bar.addWidget(self.btn_export)
        bar.addWidget(self.btn_cards)
        return bar

    def _view_bar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        self.btn_zoom_in = button(self, "btn_zoom_in", self.tr("放大"), lambda: self.view.zoom_by(1.25))
        self.btn_zoom_out = button(self, "btn_zoom_out", self.tr("缩小"), lambda: self.view.zoom_by(0.8))
        self.btn_fit = button(self, "btn_fit", self.tr("全图"), self.view.fit)
        for b in (self.btn_zoom_in, self.btn_zoom_out, self.btn_fit):
            bar.addWidget(b)
        bar.addSpacing(16)
        bar.addWidget(QLabel(self.tr("图层："), self))
        self.chk_markers = QCheckBox(self.tr("住户"), self)
        self.chk_markers.setObjectName("chk_layer_households")
        self.chk_markers.setChecked(True)
        self.chk_markers.toggled.connect(self.scene.set_markers_visible)
        self.chk_tags = QCheckBox(self.tr("重点户"), self)
        self.chk_tags.setObjectName("chk_layer_tags")
        self.combo_tag = QComboBox(self)
        self.combo_tag.setObjectName("combo_layer_tag")
        self.chk_tags.toggled.connect(self._apply_tag_layer)
        self.combo_tag.currentIndexChanged.connect(self._apply_tag_layer)
        self.chk_links = QCheckBox(self.tr("党员联系户连线"), self)
        self.chk_links.setObjectName("chk_layer_contacts")
        self.chk_links.toggled.connect(self.scene.set_links_visible)
        for w in (self.chk_markers, self.chk_tags, self.combo_tag, self.chk_links):
            bar.addWidget(w)
        bar.addStretch(1)
        self.lbl_households = QLabel(self)  # a large map: how many households are drawn, and how to see more
        self.lbl_households.setObjectName("lbl_map_households")
        self.lbl_households.setVisible(False)
        bar.addWidget(self.lbl_households)
        return bar

    # ---- loading ----------------------------------------------------------------------------------

    @property
    def data(self) -> MapData | None:
        """The map as last read; the scene holds it, and its parts update it as households move."""
        return self.scene.data

    @property
    def large(self) -> bool:
        """A township or county (MapData.partial): grids first, households for the area looked at."""
        return self.scene.large

    def _try(self, fn: Any, *args: Any, **kwargs: Any) -> tuple[bool, Any]:
        return try_call(self, self.ctx, fn, *args, **kwargs)

    def refresh(self) -> None:
        ok, data = self._try(grid_map.map_data, self.unit_id, marker_limit=LARGE_MAP_HOUSEHOLDS)
        if not ok:
            return
        picture = self.ctx.call(grid_map.map_picture, self.unit_id) if data.has_picture else None
        selected = self.selected_grid_id()
        self.marker_loader.hold = True  # ask for households once, when the view is set (below)
        self.scene.load(data, picture)  # self.data and self.large follow
        self.marker_loader.reset(data)
        self._fill_tags(data.tags)
        self._apply_tag_layer()
        self.scene.set_links_visible(self.chk_links.isChecked())
        self.scene.set_markers_visible(self.chk_markers.isChecked())
        self.lbl_households.setVisible(self.large)
        self.view.set_hint(self._empty_hint(data))
        export_tip = self.tr("导出带图例的地图：PNG 图片，或 A4/A3 横向 PDF")
        if self.large:
            export_tip += self.tr("（户数较多：只含地图上当前显示的住户）")
        self.btn_export.setToolTip(export_tip)
        try:
            self.side.refresh(selected)
            first = not self._fitted
            if first:
                self._fitted = True
                self.view.fit()
        finally:
            self.marker_loader.hold = False
        if self.large:
            self.scene.update_detail(self.view.transform().m11())
            self.marker_loader.request()
            if first:
                self.status.show_info(self.tr("共 {0} 户，户数较多：地图先画出网格，在右侧选中网格或放大地图即显示其中的住户")
                                      .format(data.households))

    def show_filter(self, key: str) -> None:
        """A 工作台 line: contacts_gap, the households without a 联系党员 (the 联系户覆盖 tab's list)."""
        if key == "contacts_gap":
            self.side.show_coverage_gaps()

    def _empty_hint(self, data: MapData) -> str:
        """Where to start when nothing would be drawn: no base map and no grid with a boundary; else ""."""
        if data.has_picture or any(g.polygon for g in data.grids):
            return ""
        if not data.grids:
            return self.tr("地图还是空的：先点“导入底图”导入村庄平面图，或点“新建网格”画出第一个网格。")
        return self.tr("地图还是空的：先点“导入底图”导入村庄平面图，或在右侧选中网格、点“画边界”画出它的边界。")

    def refit(self) -> None:
        """Query again and fit the whole map into view (a new picture changes the map's size)."""
        self._fitted = False
        self.refresh()

    def is_busy(self) -> bool:
        """Still reading households or counting off the GUI thread (tests wait for this to end)."""
        return bool(self.marker_loader.is_busy() or self.side.is_busy() or self.jobs.is_busy())

    def on_contacts_changed(self) -> None:
        """A 联系户 assigned from the coverage gap list: the org and people pages follow; the map redraws its links."""
        self.announce("member")
        self.refresh()

    def on_posts_changed(self) -> None:
        self.announce("grid")
        self.side.refresh(self.selected_grid_id())

    def _fill_tags(self, tags: list[str]) -> None:
        current = self.combo_tag.currentData()
        self.combo_tag.blockSignals(True)
        self.combo_tag.clear()
        self.combo_tag.addItem(self.tr("全部标签"), ALL_TAGS)
        for t in tags:
            self.combo_tag.addItem(t, t)
        index = self.combo_tag.findData(current)
        self.combo_tag.setCurrentIndex(max(0, index))
        self.combo_tag.blockSignals(False)

    def _apply_tag_layer(self, *_: object) -> None:
        self.scene.set_tag_layer(self.combo_tag.currentData() if self.chk_tags.isChecked() else None)

    # ---- grids ------------------------------------------------------------------------------------

    def selected_grid_id(self) -> int | None:
        return self.side.selected_grid_id()

    def select_grid(self, grid_id: int | None) -> None:
        self.side.select_grid(grid_id)

    def on_grid_selected(self, gid: int | None, picked: bool) -> None:
        """The side panel's selection: the map marks the grid (and, large, shows its households)."""
        for item_id, item in self.scene.grids.items():
            if item.selected != (item_id == gid):
                item.set_selected(item_id == gid)
        self.edits.grid_selected(gid)
        if self.large:
            self.marker_loader.grid_selected(gid, picked)

    def on_map_clicked(self, pos: QPointF) -> None:
        area = self.scene.area_at(pos.x(), pos.y())
        self.select_grid(area.id if area else None)

    # ---- households -------------------------------------------------------------------------------

    def _confirm_move(self, label: str, from_id: int | None, to_id: int | None) -> bool:
        if from_id is None or to_id is None or from_id == to_id:
            return True
        names = {gid: item.info.name for gid, item in self.scene.grids.items()}
        answer = QMessageBox.question(
            self, self.tr("调整网格"),
            self.tr("把 {0} 从“{1}”调整到“{2}”？\n调整会记入该户的网格变动记录（日期：{3}）。").format(
                label, names.get(from_id, ""), names.get(to_id, ""), date.today().isoformat()),
        )
        return answer == QMessageBox.StandardButton.Yes

    def _place(self, household_id: int, x: float, y: float, current_grid: int | None, label: str) -> bool:
        target = self.scene.area_at(x, y)
        if target is not None and not self._confirm_move(label, current_grid, target.id):
            return False
        ok, result = self._try(grid.place_household, household_id, x, y)
        if not ok:
            return False
        marker = self.scene.markers.get(household_id)
        if marker is not None:
            marker.marker = dataclasses.replace(marker.marker, grid_id=result.grid_id, x=result.x, y=result.y)
            marker.set_look(colour=self.scene.colour_for(result.grid_id))
        if self.data is not None:
            self.scene.data = dataclasses.replace(self.data, markers=[
                dataclasses.replace(m, grid_id=result.grid_id, x=result.x, y=result.y) if m.id == household_id else m
                for m in self.data.markers])
        self.scene.rebuild_links()
        if result.moved_from:
            self.status.show_info(self.tr("{0} 已从“{1}”调整到“{2}”").format(label, result.moved_from, result.grid_name))
        elif result.warnings:
            self.status.show_error("；".join(result.warnings))
        else:
            self.status.show_info(self.tr("{0} 的位置已保存（{1}）").format(label, result.grid_name))
        self.announce("household")
        if result.moved_from or marker is None:
            self.side.refresh(self.selected_grid_id())
        return True

    def on_marker_dropped(self, marker: HouseholdMarker, old: QPointF) -> None:
        m = marker.marker
        label = self.tr("户号 {0}").format(m.number) + (f"（{m.head_name}）" if m.head_name else "")
        pos = marker.pos()
        if not self._place(m.id, pos.x(), pos.y(), m.grid_id, label):
            marker.setPos(old)
            self.scene.rebuild_links()

    def _marker_data(self, household_id: int) -> Any:
        drawn = self.scene.markers.get(household_id)
        if drawn is not None:  # a large map's data holds only the households not yet placed
            return drawn.marker
        return next((m for m in self.data.markers if m.id == household_id), None) if self.data else None

    def on_household_dropped(self, household_id: int, pos: QPointF) -> None:
        m = self._marker_data(household_id)
        if m is None:
            return
        label = self.tr("户号 {0}").format(m.number) + (f"（{m.head_name}）" if m.head_name else "")
        if not self._place(household_id, pos.x(), pos.y(), m.grid_id, label):
            return
        placed = self._marker_data(household_id)
        if placed is not None and placed.x is not None and household_id not in self.scene.markers:
            self.scene.add_marker(placed, QPointF(placed.x, placed.y or 0))
            self.scene.apply_layers()
        if self.data is not None and m.x is None and self.data.unplaced:
            self.scene.data = dataclasses.replace(self.data, unplaced=self.data.unplaced - 1)
        self.side.fill_unplaced()

    def on_map_menu(self, pos: QPointF, at: QPoint) -> None:
        """Right-click on the map: 「在此新增户…」 puts the new household where the user clicked."""
        menu = QMenu(self.view)
        menu.setObjectName("menu_map")
        menu.addAction(self.tr("在此新增户…"), lambda: self.new_household_at(pos))
        menu.popup(at)

    def new_household_at(self, pos: QPointF) -> None:
        """新增户 with its spot on the map preset (and its grid, when the spot is inside one); saved, it is drawn."""
        ok, found = self._try(grid.grid_at_point, self.unit_id, pos.x(), pos.y())
        if not ok:
            return
        grid_id, grid_name, why = found
        where = (self.tr("地图上所点之处，属于“{0}”").format(grid_name) if grid_id is not None
                 else self.tr("地图上所点之处（{0}，暂不分网格）").format(why))
        dialog = HouseholdDialog(self.ctx, self.unit_id, parent=self, place=(pos.x(), pos.y(), grid_id, where))
        if dialog.exec():
            self.announce("household")
            self.refresh()
            self.status.show_info(self.tr("已新增户并放到地图上：{0}").format(where))

    def open_household(self, household_id: int) -> None:
        """The household's grid, its dated grid changes and a dated move; 编辑户信息… from there."""
        m = self._marker_data(household_id)
        if m is None:
            return
        dialog = HouseholdGridDialog(self.ctx, self.unit_id, m, [g.info for g in self.scene.grids.values()], self)
        dialog.exec()
        if dialog.changed:
            self.announce("household")
            self.refresh()

    # ---- outputs ----------------------------------------------------------------------------------

    def legend(self) -> Legend:
        village = self.ctx.call(units.get_unit, self.unit_id).name
        tops = [(g.info.color, g.info.name) for g in self.scene.grids.values() if not g.info.is_micro]
        tag = self.scene.tag_layer
        note = self.tr("图中只画出当前显示的 {0} 户").format(len(self.scene.markers)) if self.large else ""
        return Legend(self.tr("{0}网格分布图").format(village).strip(), date.today().isoformat(), tops, tag,
                      self.scene.show_links, note)

    def export_map(self) -> None:
        filters = [self.tr("PNG 图片 (*.png)"), self.tr("PDF A4 横向 (*.pdf)"), self.tr("PDF A3 横向 (*.pdf)")]
        path, chosen = QFileDialog.getSaveFileName(self, self.tr("导出地图"), self.tr("网格分布图.png"), ";;".join(filters))
        if not path:
            return
        target = Path(path)
        as_pdf = target.suffix.lower() == ".pdf" or chosen in filters[1:]
        if as_pdf and target.suffix.lower() != ".pdf":
            target = target.with_suffix(".pdf")
        if not as_pdf and target.suffix.lower() != ".png":
            target = target.with_suffix(".png")
        try:
            if as_pdf:
                export_pdf(self.scene, self.legend(), target, "A3" if chosen == filters[2] else "A4")
            else:
                export_png(self.scene, self.legend(), target)
        except ServiceError as exc:
            show_service_error(self, exc)
            return
        if self.large:
            self.status.show_info(self.tr("地图已导出：{0}（户数较多，只含当前显示的 {1} 户）")
                                  .format(target, len(self.scene.markers)))
        else:
            self.status.show_info(self.tr("地图已导出：{0}").format(target))

    def print_cards(self) -> None:
        gid = self.selected_grid_id()
        info = self.scene.grids[gid].info if gid in self.scene.grids else None
        code = info.code if info else None  # a grid's cards include its micro-grids'
        options = CardsDialog(info.name if info else self.tr("全村"), self)
        if not options.exec():
            return
        choice: CardsChoice = options.result_value
        path, _ = QFileDialog.getSaveFileName(self, self.tr("便民服务卡"), self.tr("便民服务卡.pdf"),
                                              self.tr("PDF 文件 (*.pdf)"))
        if not path:
            return
        target = Path(path).with_suffix(".pdf")
        uid = self.unit_id

        def work(progress: Any, cancel: Any) -> grid_cards.CardsResult:
            return self.ctx.call(grid_cards.export_cards, uid, target, choice.per, code, choice.qr, None, progress,
                                 cancel)

        def done(r: grid_cards.CardsResult) -> None:  # one slot: the button and the message change together
            self.btn_cards.setEnabled(True)
            self.status.show_info(self.tr("已生成便民服务卡 {0} 张（{1} 页）：{2}").format(r.cards, r.pages, r.path))

        def failed(message: str) -> None:
            self.btn_cards.setEnabled(True)
            self.status.show_error(message)

        self.job = BackgroundJob(work, self)
        self.job.finished.connect(done)
        self.job.failed.connect(failed)
        self.btn_cards.setEnabled(False)
        self.status.show_info(self.tr("正在生成便民服务卡…"))
        self.job.start()
