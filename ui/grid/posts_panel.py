"""网格岗位 beside the map: who holds which post in the selected grid (and its micro-grids), and since when.

The table shows the posts held today; 显示历任 adds the ended ones (grey, with their 卸任日期) so the
secretary sees who held a post when. 任命… and 卸任… change them through the grid service.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.context import AppContext
from app.services.grid import grids as grid
from app.services.grid.grids import GridInfo, PostRow

from ..errors import user_errors
from .post_dialogs import AppointPostDialog, EndPostDialog

COLUMNS = ("网格", "岗位", "姓名", "联系电话", "任职日期", "卸任日期", "备注")
ENDED_COLUMN = 5
DATA = Qt.ItemDataRole.UserRole


def _day(d: date | None) -> str:
    return d.isoformat() if d else ""


def _ended(r: PostRow, today: date) -> bool:
    """Ended by today (a post starting later is listed: it has been decided)."""
    return r.end_on is not None and r.end_on <= today


class PostsPanel(QWidget):
    changed = Signal()  # a post was appointed or ended

    def __init__(self, ctx: AppContext, unit_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("panel_grid_posts")
        self.ctx, self.unit_id = ctx, unit_id
        self.grid_id: int | None = None
        self.grids: list[GridInfo] = []
        self.rows: list[PostRow] = []
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        self.lbl_title = QLabel(self)
        self.lbl_title.setObjectName("lbl_grid_posts")
        self.lbl_title.setWordWrap(True)
        lay.addWidget(self.lbl_title)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("table_grid_posts")
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in COLUMNS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.itemDoubleClicked.connect(lambda _item: self.end_post())
        lay.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.chk_history = QCheckBox(self.tr("显示历任"), self)
        self.chk_history.setObjectName("chk_post_history")
        self.chk_history.setToolTip(self.tr("同时列出已卸任的人员和卸任日期"))
        self.chk_history.toggled.connect(lambda _on: self.reload())
        self.btn_appoint = QPushButton(self.tr("任命…"), self)
        self.btn_appoint.setObjectName("btn_appoint_post")
        self.btn_appoint.setToolTip(self.tr("在选中的网格或微网格任命网格长、网格员、楼栋长"))
        self.btn_appoint.clicked.connect(self.appoint)
        self.btn_end = QPushButton(self.tr("卸任…"), self)
        self.btn_end.setObjectName("btn_end_post")
        self.btn_end.setToolTip(self.tr("选中表中一名在岗人员，办理卸任"))
        self.btn_end.clicked.connect(self.end_post)
        buttons.addWidget(self.chk_history)
        buttons.addStretch(1)
        buttons.addWidget(self.btn_appoint)
        buttons.addWidget(self.btn_end)
        lay.addLayout(buttons)
        self.set_grid(None, [])

    # ---- showing ----------------------------------------------------------------------------------

    def set_grid(self, grid_id: int | None, grids: Sequence[GridInfo]) -> None:
        self.grid_id = grid_id
        self.grids = list(grids)
        self.reload()

    def _name(self, grid_id: int | None) -> str:
        return next((g.name for g in self.grids if g.id == grid_id), "")

    def _area(self, name: str) -> str:
        """第一网格第二微网格 → 第二微网格 under 第一网格; the selected grid itself → 本网格."""
        own = self._name(self.grid_id)
        if name == own:
            return self.tr("本网格")
        return name.removeprefix(own) or name

    def reload(self) -> None:
        keep = self.selected_post()
        rows: list[PostRow] = []
        if self.grid_id is not None:
            with user_errors(self):
                rows = self.ctx.call(grid.post_history, self.grid_id)
        today = date.today()
        history = self.chk_history.isChecked()
        self.rows = [r for r in rows if history or not _ended(r, today)]
        self.table.setSortingEnabled(False)
        self.table.setRowCount(len(self.rows))
        for i, r in enumerate(self.rows):
            ended = _ended(r, today)
            texts = (self._area(r.grid_name), r.post, r.name, r.phone, _day(r.start_on), _day(r.end_on), r.note)
            for col, text in enumerate(texts):
                item = QTableWidgetItem(text)
                item.setData(DATA, r.id)
                if ended:
                    item.setForeground(QColor("#888888"))
                self.table.setItem(i, col, item)
        self.table.setColumnHidden(ENDED_COLUMN, not history)
        self.table.resizeColumnsToContents()
        if keep is not None:
            for i, r in enumerate(self.rows):
                if r.id == keep.id:
                    self.table.selectRow(i)
        if self.grid_id is None:
            self.lbl_title.setText(self.tr("在右侧的网格列表或地图上选中一个网格，查看和任命网格员"))
        else:
            held = sum(1 for r in rows if not _ended(r, today))
            self.lbl_title.setText(self.tr("{0}：在岗 {1} 人，历任记录 {2} 条").format(
                self._name(self.grid_id), held, len(rows)))
        self._update_buttons()

    def selected_post(self) -> PostRow | None:
        items = self.table.selectedItems() if hasattr(self, "table") else []
        if not items:
            return None
        post_id = items[0].data(DATA)
        return next((r for r in self.rows if r.id == post_id), None)

    def _update_buttons(self) -> None:
        self.btn_appoint.setEnabled(self.grid_id is not None)
        post = self.selected_post()
        self.btn_end.setEnabled(post is not None and post.end_on is None)

    # ---- changing ---------------------------------------------------------------------------------

    def appoint(self) -> None:
        if self.grid_id is None:
            return
        with user_errors(self):
            dialog = AppointPostDialog(self.ctx, self.unit_id, self.grids, self.grid_id, self)
            if dialog.exec():
                self.reload()
                self.changed.emit()

    def end_post(self) -> None:
        post = self.selected_post()
        if post is None or post.end_on is not None:
            return
        with user_errors(self):
            dialog = EndPostDialog(self.ctx, post, self)
            if dialog.exec():
                self.reload()
                self.changed.emit()
