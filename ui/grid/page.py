"""网格地图: the village map with its grids, households and 党员联系户, plus statistics and coverage beside it.

A township or county (issue 11: 50,000 households, 1,500 grids) is too much to draw and count at once
on the GUI thread. Above LARGE_MAP_HOUSEHOLDS the page opens with the grids only (names, household
counts, the tree), then draws households for the grid the user picks and, once zoomed in far enough,
for the part of the map in view — read off the GUI thread, a few thousand at most. Statistics and
联系户 coverage are counted off the GUI thread too. A village map stays as it was: everything at once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QColorDialog,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services import grid, grid_cards, grid_coverage, grid_map, units
from app.services.context import AppContext
from app.services.errors import ServiceError
from app.services.grid import GridInfo
from app.services.grid_coverage import CoverageReport, GridStats
from app.services.grid_map import MapData, MarkerSet

from ..common.background import BackgroundJob, Work
from ..common.page import Changes, Page
from ..common.widgets import InfoLabel
from ..errors import show_service_error, show_unexpected, user_errors
from .dialogs import GridDialog
from .export import Legend, export_pdf, export_png
from .household_dialog import HouseholdGridDialog
from .items import GridItem, HouseholdMarker
from .option_dialogs import CardsChoice, CardsDialog, ContactBandDialog
from .posts_panel import PostsPanel
from .scene import ALL_TAGS, MapScene
from .view import HOUSEHOLD_MIME, MapView

TREE_COLUMNS = ("网格", "户", "人", "党员", "重点户")
# A township or county: more open households than this and the map opens with the grids only (issue 11).
LARGE_MAP_HOUSEHOLDS = 4000
VIEW_MARKERS = 2500  # a large map draws the households in view once about this many are in view
MARKER_LIMIT = 6000  # at most this many households drawn at once on a large map
COUNTING = "…"  # a cell whose number is still being counted off the GUI thread
TREE_BATCH = 300  # tree rows given their numbers per turn of the event loop
TreeRow = tuple[GridInfo, list[str], "str | None"]  # the grid, its number cells, its staff (None: counting)


class UnplacedList(QListWidget):
    """Households not yet on the map; drag one onto the map to place it."""

    def mimeData(self, items: list[QListWidgetItem]) -> QMimeData:  # noqa: N802 - Qt's name
        mime = QMimeData()
        if items:
            mime.setData(HOUSEHOLD_MIME, str(items[0].data(Qt.ItemDataRole.UserRole)).encode())
        return mime


class GridMapPage(Page):
    title = "网格地图"
    waits_for_show = True  # heavy at county scale: query when first shown (issue 11)
    watches = frozenset({"household", "grid", "member", "resident"})

    def __init__(self, ctx: AppContext, changes: Changes, parent: QWidget | None = None) -> None:
        super().__init__(ctx, changes, parent)
        self.setObjectName("page_grid")
        self.data: MapData | None = None
        self._draw_for: int | None = None
        self._fitted = False
        self.job: BackgroundJob | None = None
        # a large map (MapData.partial): what the markers shown are for, and the work counting beside it
        self.large = False
        self._marker_key: tuple[object, ...] | None = None  # (grid ids, rect) loaded or being loaded
        self._marker_rect: QRectF | None = None
        self._marker_job: BackgroundJob | None = None
        self._marker_again = False  # the view changed while markers were being read: ask again after
        self._leaves: list[tuple[QRectF, int]] = []  # bounding box and households of each grid without micro-grids
        self._panel_gen = 0  # results of older statistics/coverage work are dropped
        self._pending: set[BackgroundJob] = set()  # started, result not yet handled
        self._handled: list[BackgroundJob] = []  # handled: deleted when the next one starts
        self._quiet_select = False  # selecting a grid from code (not the tree): do not move the view
        self._filling = False  # the tree's numbers are being written in batches
        self._loading = False  # refresh() is rebuilding the map: no household requests until it is done
        self._loose = 0  # placed households in no grid drawn (spread over the map for the estimate)
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(150)
        self._settle.timeout.connect(self._request_markers)

        self.scene = MapScene(self)
        self.view = MapView(self.scene, self)
        outer = QVBoxLayout(self)
        outer.addLayout(self._edit_bar())
        outer.addLayout(self._view_bar())
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.view)
        split.addWidget(self._side_panel())
        split.setStretchFactor(0, 1)
        split.setSizes([860, 440])
        outer.addWidget(split, 1)
        self.status = InfoLabel("lbl_map_status", self)
        outer.addWidget(self.status)

        self.scene.markerDropped.connect(self.on_marker_dropped)
        self.scene.markerClicked.connect(lambda m: self.open_household(m.household_id))
        self.posts.changed.connect(self.on_posts_changed)
        self.scene.polygonEdited.connect(self.on_polygon_edited)
        self.view.polygonDrawn.connect(self.on_polygon_drawn)
        self.view.drawingCancelled.connect(lambda: self.status.show_info(self.tr("已取消绘制边界")))
        self.view.clickedAt.connect(self.on_map_clicked)
        self.view.householdDropped.connect(self.on_household_dropped)
        self.view.viewChanged.connect(self._on_view_changed)
        self.refresh()

    # ---- building ---------------------------------------------------------------------------------

    def _button(self, name: str, text: str, slot: Any, tip: str = "") -> QPushButton:
        b = QPushButton(text, self)
        b.setObjectName(name)
        if tip:
            b.setToolTip(tip)
        b.clicked.connect(slot)
        return b

    def _edit_bar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        self.btn_new_grid = self._button("btn_new_grid", self.tr("新建网格"), self.new_grid,
                                         self.tr("新建网格或微网格，然后在地图上画出边界"))
        self.btn_edit_grid = self._button("btn_edit_grid", self.tr("网格信息"), self.edit_grid)
        self.btn_draw = self._button("btn_draw_boundary", self.tr("画边界"), self.draw_boundary,
                                     self.tr("依次点击边界各点，双击结束；右键撤回一点，Esc 取消"))
        self.btn_vertices = self._button("btn_edit_vertices", self.tr("调整边界点"), self.toggle_vertices)
        self.btn_vertices.setCheckable(True)
        self.btn_recolor = self._button("btn_recolor", self.tr("改颜色"), self.recolor)
        self.btn_picture = self._button("btn_import_picture", self.tr("导入底图"), self.import_picture,
                                        self.tr("导入村庄平面图（PNG/JPG 扫描件或照片），保存在数据库中"))
        self.btn_export = self._button("btn_export_map", self.tr("导出地图"), self.export_map,
                                       self.tr("导出带图例的地图：PNG 图片，或 A4/A3 横向 PDF"))
        self.btn_cards = self._button("btn_print_cards", self.tr("便民服务卡"), self.print_cards,
                                      self.tr("每户一张或每个网格一张的便民服务卡 PDF（选中网格时只做该网格的）"))
        for b in (self.btn_new_grid, self.btn_edit_grid, self.btn_draw, self.btn_vertices, self.btn_recolor,
                  self.btn_picture):
            bar.addWidget(b)
        bar.addStretch(1)
        bar.addWidget(self.btn_export)
        bar.addWidget(self.btn_cards)
        return bar

    def _view_bar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        self.btn_zoom_in = self._button("btn_zoom_in", self.tr("放大"), lambda: self.view.zoom_by(1.25))
        self.btn_zoom_out = self._button("btn_zoom_out", self.tr("缩小"), lambda: self.view.zoom_by(0.8))
        self.btn_fit = self._button("btn_fit", self.tr("全图"), self.view.fit)
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

    def _side_panel(self) -> QWidget:
        panel = QWidget(self)
        lay = QVBoxLayout(panel)
        lay.setContentsMargins(0, 0, 0, 0)
        self.tree = QTreeWidget(panel)
        self.tree.setObjectName("tree_grids")
        self.tree.setHeaderLabels([self.tr(c) for c in TREE_COLUMNS])
        self.tree.setRootIsDecorated(True)
        self.tree.itemSelectionChanged.connect(self.on_grid_selected)
        lay.addWidget(self.tree, 3)
        self.lbl_staff = QLabel(panel)
        self.lbl_staff.setObjectName("lbl_grid_staff")
        self.lbl_staff.setWordWrap(True)
        lay.addWidget(self.lbl_staff)
        self.tabs = QTabWidget(panel)
        self.tabs.setObjectName("tabs_grid_side")
        self.posts = PostsPanel(self.ctx, self.unit_id, self.tabs)
        self.tabs.addTab(self.posts, self.tr("网格岗位"))
        self.tabs.addTab(self._coverage_tab(), self.tr("联系户覆盖"))
        self.tabs.addTab(self._unplaced_tab(), self.tr("未上图的户"))
        lay.addWidget(self.tabs, 4)
        return panel

    def _coverage_tab(self) -> QWidget:
        tab = QWidget(self)
        lay = QVBoxLayout(tab)
        lay.setContentsMargins(4, 4, 4, 4)
        self.text_coverage = QTextBrowser(tab)
        self.text_coverage.setObjectName("text_coverage")
        lay.addWidget(self.text_coverage, 1)
        row = QHBoxLayout()
        self.lbl_band = QLabel(tab)
        self.lbl_band.setObjectName("lbl_contact_band")
        row.addWidget(self.lbl_band)
        row.addStretch(1)
        self.btn_band = self._button("btn_contact_band", self.tr("联系户范围…"), self.edit_contact_band,
                                     self.tr("每名党员应联系的户数（上下限），超出的党员列在覆盖情况中"))
        row.addWidget(self.btn_band)
        lay.addLayout(row)
        return tab

    def _unplaced_tab(self) -> QWidget:
        tab = QWidget(self)
        lay = QVBoxLayout(tab)
        lay.setContentsMargins(4, 4, 4, 4)
        self.lbl_unplaced = QLabel(self.tr("未上图的户（拖到地图上）："), tab)
        lay.addWidget(self.lbl_unplaced)
        self.list_unplaced = UnplacedList(tab)
        self.list_unplaced.setObjectName("list_unplaced")
        self.list_unplaced.setDragEnabled(True)
        lay.addWidget(self.list_unplaced, 1)
        return tab

    # ---- loading ----------------------------------------------------------------------------------

    def _try(self, fn: Any, *args: Any, **kwargs: Any) -> tuple[bool, Any]:
        """Call a service; show a failure (Chinese, no traceback) and say whether it worked."""
        try:
            return True, self.ctx.call(fn, *args, **kwargs)
        except ServiceError as exc:
            show_service_error(self, exc)
        except Exception:
            import logging

            logging.getLogger(__name__).exception("grid map action failed")
            show_unexpected(self)
        return False, None

    def refresh(self) -> None:
        ok, data = self._try(grid_map.map_data, self.unit_id, marker_limit=LARGE_MAP_HOUSEHOLDS)
        if not ok:
            return
        picture = self.ctx.call(grid_map.map_picture, self.unit_id) if data.has_picture else None
        selected = self.selected_grid_id()
        self.data = data
        self.large = data.partial
        self._marker_key = self._marker_rect = None  # the scene is rebuilt: no household drawn yet
        self._loading = True  # ask for households once, when the view is set (below)
        self.scene.load(data, picture)
        self._leaves = self._leaf_boxes(data) if self.large else []
        self._loose = max(0, data.households - data.unplaced - sum(n for _, n in self._leaves))
        self._fill_tags(data.tags)
        self._apply_tag_layer()
        self.scene.set_links_visible(self.chk_links.isChecked())
        self.scene.set_markers_visible(self.chk_markers.isChecked())
        self.lbl_households.setVisible(self.large)
        export_tip = self.tr("导出带图例的地图：PNG 图片，或 A4/A3 横向 PDF")
        if self.large:
            export_tip += self.tr("（户数较多：只含地图上当前显示的住户）")
        self.btn_export.setToolTip(export_tip)
        try:
            self.refresh_panels(selected)
            first = not self._fitted
            if first:
                self._fitted = True
                self.view.fit()
        finally:
            self._loading = False
        if self.large:
            self.scene.update_detail(self.view.transform().m11())
            self._request_markers()
            if first:
                self.status.show_info(self.tr("共 {0} 户，户数较多：地图先画出网格，在右侧选中网格或放大地图即显示其中的住户")
                                      .format(data.households))

    def refresh_panels(self, select_id: int | None = None) -> None:
        """Statistics, coverage and the unplaced list (after a change; the scene is kept).

        A large map counts them off the GUI thread: the tree first shows each grid's households (known
        from the map's data) and fills in the other numbers when they arrive.
        """
        if self.large:
            self._panel_gen += 1
            if {self._row_id(item) for item in self._tree_items()} != set(self.scene.grids):
                self._fill_tree(self._rows_from_counts(), select_id)
            else:  # the same grids: the tree keeps its rows (new numbers follow); the map shows the selection
                self._quiet_select = True
                try:
                    self.on_grid_selected()
                finally:
                    self._quiet_select = False
            uid, gen = self.unit_id, self._panel_gen
            self._run(lambda _p, _c: (gen, self.ctx.call(grid_coverage.grid_statistics, uid)), self._on_stats)
            self._fill_unplaced()
            self.refresh_coverage()
            return
        ok, stats = self._try(grid_coverage.grid_statistics, self.unit_id)
        if not ok:
            return
        self._fill_tree(self._rows_from_stats(stats), select_id)
        self._fill_unplaced()
        self.refresh_coverage()

    @staticmethod
    def _rows_from_stats(stats: list[GridStats]) -> list[TreeRow]:
        return [(st.grid, [str(st.households), str(st.residents), str(st.members), str(st.tagged)], st.staff_text())
                for st in stats]

    def _rows_from_counts(self) -> list[TreeRow]:
        counts = self.data.counts if self.data is not None else {}
        return [(item.info, [str(counts.get(gid, 0)), COUNTING, COUNTING, COUNTING], None)
                for gid, item in self.scene.grids.items()]

    @staticmethod
    def _row_id(item: QTreeWidgetItem) -> int:
        return int(item.data(0, Qt.ItemDataRole.UserRole))

    def _tree_items(self) -> list[QTreeWidgetItem]:
        out = []
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            out.append(top)
            out.extend(top.child(k) for k in range(top.childCount()))
        return out

    def _fill_tree(self, rows: list[TreeRow], select_id: int | None) -> None:
        self.tree.blockSignals(True)
        self.tree.clear()
        items: dict[int, QTreeWidgetItem] = {}
        for info, cells, staff in rows:
            parent = items.get(info.parent_id) if info.parent_id else None
            name = info.name.removeprefix(parent.text(0)) if parent is not None else info.name
            row = QTreeWidgetItem([name or info.name, *cells])
            row.setData(0, Qt.ItemDataRole.UserRole, info.id)
            row.setData(1, Qt.ItemDataRole.UserRole, staff)
            row.setForeground(0, QColor(info.color).darker(150))
            for col in range(1, len(TREE_COLUMNS)):
                row.setTextAlignment(col, Qt.AlignmentFlag.AlignRight)
            if parent is not None:
                parent.addChild(row)
            else:
                self.tree.addTopLevelItem(row)
            items[info.id] = row
        if not self.large:  # 1,500 rows of a county stay folded: its 300 grids are the list
            self.tree.expandAll()
        for col in range(len(TREE_COLUMNS)):
            self.tree.resizeColumnToContents(col)
        self.tree.blockSignals(False)
        if select_id in items:
            self._quiet_select = True
            try:
                self.tree.setCurrentItem(items[select_id])
            finally:
                self._quiet_select = False
        self.on_grid_selected()

    def _on_stats(self, result: tuple[int, list[GridStats]]) -> None:
        """A large map's statistics arrived: fill in the tree's numbers where it stands (selection kept)."""
        gen, stats = result
        if gen != self._panel_gen:
            return
        rows = {info.id: (cells, staff) for info, cells, staff in self._rows_from_stats(stats)}
        if self.data is not None:  # households moved since the map was read: its labels follow
            counts = {st.grid.id: st.households for st in stats}
            for gid, n in counts.items():
                if self.data.counts.get(gid) != n:
                    self.scene.set_count(gid, n)
            self.data = dataclasses.replace(self.data, counts=counts)
            self.scene.data = self.data
        items = self._tree_items()
        if {self._row_id(item) for item in items} != set(rows):
            self._fill_tree(self._rows_from_stats(stats), self.selected_grid_id())
            return
        self._fill_in(gen, rows, items)

    def _fill_in(self, gen: int, rows: dict[int, tuple[list[str], str | None]], items: list[QTreeWidgetItem]) -> None:
        """Write the numbers a few hundred rows at a time, so the GUI never stops for long (1,500 rows)."""
        self._filling = False
        if gen != self._panel_gen:
            return
        for item in items[:TREE_BATCH]:
            cells, staff = rows[self._row_id(item)]
            for col, text in enumerate(cells, start=1):
                item.setText(col, text)
            item.setData(1, Qt.ItemDataRole.UserRole, staff)
        if len(items) > TREE_BATCH:
            self._filling = True
            QTimer.singleShot(0, self, lambda: self._fill_in(gen, rows, items[TREE_BATCH:]))
            return
        for col in range(1, len(TREE_COLUMNS)):
            self.tree.resizeColumnToContents(col)
        self._show_staff()

    def refresh_coverage(self) -> None:
        if self.large:
            self.text_coverage.setPlainText(self.tr("正在统计联系户覆盖情况…"))
            uid, gen = self.unit_id, self._panel_gen
            self._run(lambda _p, _c: (gen, self.ctx.call(grid_coverage.coverage_report, uid)), self._on_coverage)
            return
        ok, report = self._try(grid_coverage.coverage_report, self.unit_id)
        if ok:
            self._show_coverage(report)

    def _on_coverage(self, result: tuple[int, CoverageReport]) -> None:
        gen, report = result
        if gen == self._panel_gen:
            self._show_coverage(report)

    def _show_coverage(self, report: CoverageReport) -> None:
        self.text_coverage.setPlainText("\n".join(report.lines()))
        self.lbl_band.setText(self.tr("每名党员联系 {0}–{1} 户").format(*report.band))

    def _run(self, work: Work, done: Callable[[Any], None],
             after_failure: Callable[[], None] | None = None) -> BackgroundJob:
        """Work off the GUI thread; `done` gets its result on the GUI thread, a failure goes to the status line.

        One slot per outcome, so "finished" and "its result shown" never fall apart between two events.
        """
        for old in self._handled:  # they reported back long ago
            old.deleteLater()
        self._handled = []
        job = BackgroundJob(work, self)

        def finished(result: object) -> None:
            self._pending.discard(job)
            self._handled.append(job)
            done(result)

        def failed(message: str) -> None:
            self._pending.discard(job)
            self._handled.append(job)
            self.status.show_error(message)
            if after_failure is not None:
                after_failure()

        job.finished.connect(finished)
        job.failed.connect(failed)
        self._pending.add(job)
        job.start()
        return job

    def is_busy(self) -> bool:
        """Still reading households or counting off the GUI thread (tests wait for this to end)."""
        return bool(self._settle.isActive() or self._filling or self._marker_again or self._pending)

    # ---- a large map: households of the area looked at --------------------------------------------

    @staticmethod
    def _leaf_boxes(data: MapData) -> list[tuple[QRectF, int]]:
        parents = {g.parent_id for g in data.grids if g.parent_id is not None}
        out = []
        for g in data.grids:
            if g.id not in parents and g.polygon:
                xs, ys = [p[0] for p in g.polygon], [p[1] for p in g.polygon]
                out.append((QRectF(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)), data.counts.get(g.id, 0)))
        return out

    def _households_in(self, rect: QRectF) -> float:
        """About how many households lie in the rectangle (each grid's count, by the share of its box inside)."""
        total = 0.0
        for box, n in self._leaves:
            if n and box.intersects(rect):
                part = box & rect
                area = box.width() * box.height()
                total += n * (part.width() * part.height() / area if area > 0 else 1)
        if self._loose and self.data is not None:
            part = rect & QRectF(0, 0, self.data.width, self.data.height)
            total += self._loose * part.width() * part.height() / max(1, self.data.width * self.data.height)
        return total

    def _selected_ids(self) -> tuple[int, ...]:
        gid = self.selected_grid_id()
        if gid is None:
            return ()
        return (gid, *sorted(g for g, item in self.scene.grids.items() if item.info.parent_id == gid))

    def _on_view_changed(self) -> None:
        if self.large:
            self.scene.update_detail(self.view.transform().m11())
            self._settle.start()  # ask for the households in view once the zooming and panning stop

    def _request_markers(self) -> None:
        """A large map: draw the households of the selected grid and, zoomed in, those in view."""
        if not self.large or self.data is None or self._loading:
            return
        ids = self._selected_ids()
        whole = QRectF(0, 0, self.data.width, self.data.height)
        visible = self.view.visible_rect() & whole
        rect: QRectF | None = None
        if not visible.isEmpty() and self._households_in(visible) <= VIEW_MARKERS:
            if (self._marker_key is not None and self._marker_key[0] == ids and self._marker_rect is not None
                    and self._marker_rect.contains(visible)):
                return  # already drawn (or being read) with a margin around the view
            dx, dy = visible.width() / 4, visible.height() / 4
            wider = visible.adjusted(-dx, -dy, dx, dy) & whole  # a margin: panning a little reads nothing
            rect = wider if self._households_in(wider) <= VIEW_MARKERS else visible
        area = None if rect is None else (round(rect.left(), 1), round(rect.top(), 1), round(rect.right(), 1),
                                          round(rect.bottom(), 1))
        key = (ids, area)
        if key == self._marker_key:
            return
        if self._marker_job in self._pending:
            self._marker_again = True
            return
        self._marker_key, self._marker_rect = key, rect
        if not ids and area is None:
            self._show_markers(key, MarkerSet([], [], False))
            return
        uid = self.unit_id
        self._marker_job = self._run(
            lambda _p, _c: (key, self.ctx.call(grid_map.map_markers, uid, ids, area, MARKER_LIMIT)),
            lambda result: self._show_markers(*result), self._markers_read)

    def _show_markers(self, key: tuple[object, ...], found: MarkerSet) -> None:
        if key == self._marker_key and self.large:
            self.scene.sync_markers(found.markers, found.links)
            total = self.data.households if self.data is not None else 0
            if not self.scene.markers:
                text = self.tr("共 {0} 户：选中网格或放大地图以显示住户").format(total)
            else:
                text = self.tr("地图上显示 {0} 户（共 {1} 户）").format(len(self.scene.markers), total)
                if found.truncated:
                    text += self.tr("，仅前 {0} 户").format(MARKER_LIMIT)
            self.lbl_households.setText(text)
        self._markers_read()

    def _markers_read(self) -> None:
        if self._marker_again:
            self._marker_again = False
            self._request_markers()

    def edit_contact_band(self) -> None:
        with user_errors(self):
            dialog = ContactBandDialog(self.ctx, self.unit_id, self)
            if dialog.exec():
                self.refresh_coverage()
                low, high = dialog.result_value
                self.status.show_info(self.tr("联系户数量范围已改为 {0}–{1} 户").format(low, high))

    def on_posts_changed(self) -> None:
        self.announce("grid")
        self.refresh_panels(self.selected_grid_id())

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

    def _fill_unplaced(self) -> None:
        self.list_unplaced.clear()
        for m in self.data.markers if self.data else []:
            if m.x is None or m.y is None:
                item = QListWidgetItem(f"{m.number} {m.head_name}".strip(), self.list_unplaced)
                item.setData(Qt.ItemDataRole.UserRole, m.id)
        n = self.list_unplaced.count()
        text = self.tr("未上图的户（拖到地图上）：{0} 户").format(self.data.unplaced if self.large and self.data else n)
        if self.large and self.data is not None and self.data.unplaced > n:
            text += self.tr("，列出前 {0} 户").format(n)
        self.lbl_unplaced.setText(text)

    def _apply_tag_layer(self, *_: object) -> None:
        self.scene.set_tag_layer(self.combo_tag.currentData() if self.chk_tags.isChecked() else None)

    # ---- grids ------------------------------------------------------------------------------------

    def selected_grid_id(self) -> int | None:
        item = self.tree.currentItem() if hasattr(self, "tree") else None
        return item.data(0, Qt.ItemDataRole.UserRole) if item is not None and item.isSelected() else None

    def select_grid(self, grid_id: int | None) -> None:
        self._quiet_select = True  # chosen on the map or by the program: the view stays where it is
        try:
            for item in self._tree_items():
                if item.data(0, Qt.ItemDataRole.UserRole) == grid_id:
                    self.tree.setCurrentItem(item)
                    self.tree.scrollToItem(item)
                    return
            self.tree.clearSelection()
        finally:
            self._quiet_select = False

    def on_grid_selected(self) -> None:
        gid = self.selected_grid_id()
        for item_id, item in self.scene.grids.items():
            if item.selected != (item_id == gid):
                item.set_selected(item_id == gid)
        self._show_staff()
        self.posts.set_grid(gid, [g.info for g in self.scene.grids.values()])
        if self.btn_vertices.isChecked():
            self.scene.show_handles(gid)
        if self.large:
            if gid is not None and not self._quiet_select:
                self._reveal(gid)  # picked in the list: bring the grid into view, big enough to see its households
            self._request_markers()

    def _show_staff(self) -> None:
        gid = self.selected_grid_id()
        current = self.tree.currentItem()
        staff = current.data(1, Qt.ItemDataRole.UserRole) if current is not None and gid is not None else ""
        if gid is None:
            self.lbl_staff.setText("")
        elif staff is None:  # a large map still counting
            self.lbl_staff.setText(self.tr("在岗：统计中…"))
        else:
            self.lbl_staff.setText(self.tr("在岗：{0}").format(staff or self.tr("无")))

    def _reveal(self, gid: int) -> None:
        item = self.scene.grids.get(gid)
        box = item.polygon().boundingRect() if item is not None else QRectF()
        if box.isEmpty():
            return
        scale = self.view.transform().m11()
        port = self.view.viewport().rect()
        if box.width() * scale < port.width() / 3 and box.height() * scale < port.height() / 3:
            self.view.show_rect(box)
        elif not self.view.visible_rect().contains(box):
            self.view.centerOn(box.center())

    def on_map_clicked(self, pos: QPointF) -> None:
        area = self.scene.area_at(pos.x(), pos.y())
        self.select_grid(area.id if area else None)

    def _need_grid(self) -> int | None:
        gid = self.selected_grid_id()
        if gid is None:
            self.status.show_error(self.tr("请先在右侧列表或地图上选中一个网格"))
        return gid

    def new_grid(self) -> None:
        gid = self.selected_grid_id()
        parent = None
        if gid is not None:
            info = self.scene.grids[gid].info if gid in self.scene.grids else None
            parent = info.parent_id or info.id if info else None
        dialog = GridDialog(self.ctx, self.unit_id, None, self, parent_id=parent)
        if not dialog.exec():
            return
        self.announce("grid")
        self.refresh()
        self.select_grid(dialog.result_value)
        self.draw_boundary()

    def edit_grid(self) -> None:
        gid = self._need_grid()
        if gid is None:
            return
        dialog = GridDialog(self.ctx, self.unit_id, gid, self)
        if dialog.exec():
            self.announce("grid")
            self.refresh()

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
        ok, _ = self._try(grid.set_grid_polygon, gid, points)
        if not ok:
            return
        item = self.scene.grids.get(gid)
        if item is not None:
            item.set_points([QPointF(x, y) for x, y in points])
            item.info = dataclasses.replace(item.info, polygon=tuple(points))
        self.status.show_info(self.tr("已保存边界（{0} 个点）").format(len(points)))
        self.announce("grid")

    def toggle_vertices(self, on: bool) -> None:
        self.scene.show_handles(self.selected_grid_id() if on else None)
        if on and self.selected_grid_id() is None:
            self.status.show_error(self.tr("请先选中一个网格，再拖动它的边界点"))

    def on_polygon_edited(self, item: GridItem) -> None:
        points = item.points()
        ok, _ = self._try(grid.set_grid_polygon, item.info.id, points)
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
        colour = QColorDialog.getColor(QColor(item.info.color), self, self.tr("网格颜色"))
        if not colour.isValid():
            return
        ok, _ = self._try(grid.set_grid_color, gid, colour.name())
        if ok:
            item.set_colour(colour.name())
            for marker in self.scene.markers.values():
                if marker.marker.grid_id == gid:
                    marker.set_look(colour=self.scene.colour_for(gid))
            self.announce("grid")

    def import_picture(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("选择村庄平面图"), "", self.tr("图片 (*.png *.jpg *.jpeg)"))
        if not path:
            return
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            self.status.show_error(self.tr("无法读取 {0}：{1}").format(Path(path).name, exc.strerror or exc))
            return
        ok, size = self._try(grid_map.set_map_picture, self.unit_id, data, Path(path).stem)
        if ok:
            self._fitted = False
            self.refresh()
            self.status.show_info(self.tr("已导入底图（{0}×{1} 像素）").format(*size))

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
            self.data = dataclasses.replace(self.data, markers=[
                dataclasses.replace(m, grid_id=result.grid_id, x=result.x, y=result.y) if m.id == household_id else m
                for m in self.data.markers])
            self.scene.data = self.data
        self.scene.rebuild_links()
        if result.moved_from:
            self.status.show_info(self.tr("{0} 已从“{1}”调整到“{2}”").format(label, result.moved_from, result.grid_name))
        elif result.warnings:
            self.status.show_error("；".join(result.warnings))
        else:
            self.status.show_info(self.tr("{0} 的位置已保存（{1}）").format(label, result.grid_name))
        self.announce("household")
        if result.moved_from or marker is None:
            self.refresh_panels(self.selected_grid_id())
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
            self.data = dataclasses.replace(self.data, unplaced=self.data.unplaced - 1)
            self.scene.data = self.data
        self._fill_unplaced()

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
