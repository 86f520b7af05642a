"""Beside the map: the grid tree with its statistics, 网格岗位, 联系户覆盖 and the households not on the map.

The 联系户覆盖 tab lists the households nobody looks after; 「指定联系党员」 on one of them picks the member
in one step (the org area's dialog), and the page then reads the map again (contactsChanged).

A village counts everything at once. A large map (MapData.partial) shows each grid's households at once
(known from the map's data) and counts the other numbers and the coverage off the GUI thread; results
of older work are dropped (a generation counter), and the numbers are written a few hundred rows per
turn of the event loop so 1,500 rows never stop the GUI for long.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QMimeData, Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QTabWidget,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.context import AppContext
from app.services.grid import coverage as grid_coverage
from app.services.grid.coverage import CoverageReport, GridStats
from app.services.grid.grids import GridInfo

from ..common.widgets import InfoLabel
from ..errors import user_errors
from ..org.contact_dialogs import assign_household_contact
from .buttons import button
from .option_dialogs import ContactBandDialog
from .posts_panel import PostsPanel
from .scene import MapScene
from .service_calls import JobRunner, try_call
from .view import HOUSEHOLD_MIME

TREE_COLUMNS = ("网格", "户", "人", "党员", "重点户")
COUNTING = "…"  # a cell whose number is still being counted off the GUI thread
TREE_BATCH = 300  # tree rows given their numbers per turn of the event loop
TreeRow = tuple[GridInfo, list[str], "str | None"]  # the grid, its number cells, its staff (None: counting)
GAP_LIST_LIMIT = 500  # households without a contact listed for 「指定联系党员」 (a county has thousands)


class UnplacedList(QListWidget):
    """Households not yet on the map; drag one onto the map to place it."""

    def mimeData(self, items: list[QListWidgetItem]) -> QMimeData:  # noqa: N802 - Qt's name
        mime = QMimeData()
        if items:
            mime.setData(HOUSEHOLD_MIME, str(items[0].data(Qt.ItemDataRole.UserRole)).encode())
        return mime


class GridSidePanel(QWidget):
    """The tree of grids and the tabs under it; reads the map's data and grids from the scene."""

    # the tree's selection changed: the grid (None: none), and whether the user picked it in the list
    # (not the map or the program choosing it: only then does the map move to show it)
    gridSelected = Signal(object, bool)  # noqa: N815
    contactsChanged = Signal()  # noqa: N815 - a 联系户 was assigned from the gap list

    def __init__(self, ctx: AppContext, unit_id: int, scene: MapScene, jobs: JobRunner, status: InfoLabel,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.unit_id = ctx, unit_id
        self.scene = scene
        self.jobs = jobs
        self.status = status
        self._gen = 0  # results of older statistics/coverage work are dropped
        self._quiet_select = False  # selecting a grid from code (not the tree): do not move the view
        self._filling = False  # the tree's numbers are being written in batches
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("tree_grids")
        self.tree.setHeaderLabels([self.tr(c) for c in TREE_COLUMNS])
        self.tree.setRootIsDecorated(True)
        self.tree.itemSelectionChanged.connect(self.on_grid_selected)
        lay.addWidget(self.tree, 3)
        self.lbl_staff = QLabel(self)
        self.lbl_staff.setObjectName("lbl_grid_staff")
        self.lbl_staff.setWordWrap(True)
        lay.addWidget(self.lbl_staff)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("tabs_grid_side")
        self.posts = PostsPanel(self.ctx, self.unit_id, self.tabs)
        self.tabs.addTab(self.posts, self.tr("网格岗位"))
        self.tab_coverage = self._coverage_tab()  # the 工作台's 联系户 line opens this tab (show_coverage_gaps)
        self.tabs.addTab(self.tab_coverage, self.tr("联系户覆盖"))
        self.tabs.addTab(self._unplaced_tab(), self.tr("未上图的户"))
        lay.addWidget(self.tabs, 4)

    def _coverage_tab(self) -> QWidget:
        tab = QWidget(self)
        lay = QVBoxLayout(tab)
        lay.setContentsMargins(4, 4, 4, 4)
        self.text_coverage = QTextBrowser(tab)
        self.text_coverage.setObjectName("text_coverage")
        lay.addWidget(self.text_coverage, 1)
        gaps = QHBoxLayout()
        self.lbl_uncovered = QLabel(self.tr("无联系党员的户："), tab)
        gaps.addWidget(self.lbl_uncovered)
        gaps.addStretch(1)
        self.btn_assign_contact = button(self, "btn_assign_contact", self.tr("指定联系党员…"), self.assign_contact,
                                         self.tr("为选中的户指定一名联系党员"))
        gaps.addWidget(self.btn_assign_contact)
        lay.addLayout(gaps)
        self.list_uncovered = QListWidget(tab)
        self.list_uncovered.setObjectName("list_uncovered")
        self.list_uncovered.itemDoubleClicked.connect(lambda _i: self.assign_contact())
        self.list_uncovered.currentRowChanged.connect(
            lambda row: self.btn_assign_contact.setEnabled(row >= 0))
        lay.addWidget(self.list_uncovered, 1)
        row = QHBoxLayout()
        self.lbl_band = QLabel(tab)
        self.lbl_band.setObjectName("lbl_contact_band")
        row.addWidget(self.lbl_band)
        row.addStretch(1)
        self.btn_band = button(self, "btn_contact_band", self.tr("联系户范围…"), self.edit_contact_band,
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

    @property
    def large(self) -> bool:
        return self.scene.large

    def is_busy(self) -> bool:
        """The tree's numbers are still being written (tests wait for this to end)."""
        return self._filling

    # ---- statistics -------------------------------------------------------------------------------

    def refresh(self, select_id: int | None = None) -> None:
        """Statistics, coverage and the unplaced list (after a change; the scene is kept).

        A large map counts them off the GUI thread: the tree first shows each grid's households (known
        from the map's data) and fills in the other numbers when they arrive.
        """
        if self.large:
            self._gen += 1
            if {self._row_id(item) for item in self._tree_items()} != set(self.scene.grids):
                self._fill_tree(self._rows_from_counts(), select_id)
            else:  # the same grids: the tree keeps its rows (new numbers follow); the map shows the selection
                self._quiet_select = True
                try:
                    self.on_grid_selected()
                finally:
                    self._quiet_select = False
            uid, gen = self.unit_id, self._gen
            self.jobs.run(lambda _p, _c: (gen, self.ctx.call(grid_coverage.grid_statistics, uid)), self._on_stats)
            self.fill_unplaced()
            self.refresh_coverage()
            return
        ok, stats = try_call(self, self.ctx, grid_coverage.grid_statistics, self.unit_id)
        if not ok:
            return
        self._fill_tree(self._rows_from_stats(stats), select_id)
        self.fill_unplaced()
        self.refresh_coverage()

    @staticmethod
    def _rows_from_stats(stats: list[GridStats]) -> list[TreeRow]:
        return [(st.grid, [str(st.households), str(st.residents), str(st.members), str(st.tagged)], st.staff_text())
                for st in stats]

    def _rows_from_counts(self) -> list[TreeRow]:
        counts = self.scene.data.counts if self.scene.data is not None else {}
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
        if gen != self._gen:
            return
        rows = {info.id: (cells, staff) for info, cells, staff in self._rows_from_stats(stats)}
        data = self.scene.data
        if data is not None:  # households moved since the map was read: its labels follow
            counts = {st.grid.id: st.households for st in stats}
            for gid, n in counts.items():
                if data.counts.get(gid) != n:
                    self.scene.set_count(gid, n)
            self.scene.data = dataclasses.replace(data, counts=counts)
        items = self._tree_items()
        if {self._row_id(item) for item in items} != set(rows):
            self._fill_tree(self._rows_from_stats(stats), self.selected_grid_id())
            return
        self._fill_in(gen, rows, items)

    def _fill_in(self, gen: int, rows: dict[int, tuple[list[str], str | None]], items: list[QTreeWidgetItem]) -> None:
        """Write the numbers a few hundred rows at a time, so the GUI never stops for long (1,500 rows)."""
        self._filling = False
        if gen != self._gen:
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

    # ---- coverage and the households not on the map -----------------------------------------------

    def refresh_coverage(self) -> None:
        if self.large:
            self.text_coverage.setPlainText(self.tr("正在统计联系户覆盖情况…"))
            uid, gen = self.unit_id, self._gen
            self.jobs.run(lambda _p, _c: (gen, self.ctx.call(grid_coverage.coverage_report, uid)), self._on_coverage)
            return
        ok, report = try_call(self, self.ctx, grid_coverage.coverage_report, self.unit_id)
        if ok:
            self._show_coverage(report)

    def _on_coverage(self, result: tuple[int, CoverageReport]) -> None:
        gen, report = result
        if gen == self._gen:
            self._show_coverage(report)

    def _show_coverage(self, report: CoverageReport) -> None:
        self.text_coverage.setPlainText("\n".join(report.lines()))
        self.lbl_band.setText(self.tr("每名党员联系 {0}–{1} 户").format(*report.band))
        self.list_uncovered.clear()
        for h in report.uncovered[:GAP_LIST_LIMIT]:
            item = QListWidgetItem(f"{h.number} {h.head_name}　{h.grid_name}".strip(), self.list_uncovered)
            item.setData(Qt.ItemDataRole.UserRole, h.id)
        text = self.tr("无联系党员的户：{0} 户").format(len(report.uncovered))
        if len(report.uncovered) > GAP_LIST_LIMIT:
            text += self.tr("，列出前 {0} 户").format(GAP_LIST_LIMIT)
        self.lbl_uncovered.setText(text)
        self.btn_assign_contact.setEnabled(self.list_uncovered.currentRow() >= 0)

    def show_coverage_gaps(self) -> None:
        """The 联系户覆盖 tab: its list is the households with no member looking after them."""
        self.tabs.setCurrentWidget(self.tab_coverage)

    def assign_contact(self) -> None:
        """「指定联系党员」 for the household selected in the gap list."""
        item = self.list_uncovered.currentItem()
        if item is None:
            self.status.show_info(self.tr("请先在“无联系党员的户”中选中一户"))
            return
        if assign_household_contact(self, self.ctx, self.unit_id, int(item.data(Qt.ItemDataRole.UserRole))):
            self.status.show_info(self.tr("已为 {0} 指定联系党员").format(item.text().split("　")[0]))
            self.contactsChanged.emit()

    def edit_contact_band(self) -> None:
        with user_errors(self):
            dialog = ContactBandDialog(self.ctx, self.unit_id, self)
            if dialog.exec():
                self.refresh_coverage()
                low, high = dialog.result_value
                self.status.show_info(self.tr("联系户数量范围已改为 {0}–{1} 户").format(low, high))

    def fill_unplaced(self) -> None:
        data = self.scene.data
        self.list_unplaced.clear()
        for m in data.markers if data else []:
            if m.x is None or m.y is None:
                item = QListWidgetItem(f"{m.number} {m.head_name}".strip(), self.list_unplaced)
                item.setData(Qt.ItemDataRole.UserRole, m.id)
        n = self.list_unplaced.count()
        text = self.tr("未上图的户（拖到地图上）：{0} 户").format(data.unplaced if self.large and data else n)
        if self.large and data is not None and data.unplaced > n:
            text += self.tr("，列出前 {0} 户").format(n)
        self.lbl_unplaced.setText(text)

    # ---- the selected grid ------------------------------------------------------------------------

    def selected_grid_id(self) -> int | None:
        item = self.tree.currentItem()
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
        self._show_staff()
        self.posts.set_grid(gid, [g.info for g in self.scene.grids.values()])
        self.gridSelected.emit(gid, not self._quiet_select)

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
