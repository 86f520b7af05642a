"""工单 page: the list with filters (overdue rows highlighted), 受理登记 (Ctrl+N), the detail with the
timeline and the legal next steps, the ledger export, and the 统计 tab."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QMenu, QPushButton, QTabWidget, QVBoxLayout, QWidget

from app.services.affairs import topics
from app.services.context import AppContext
from app.services.grid import grids as grid
from app.services.output_kinds import LEDGER_KINDS
from app.services.tickets import queries as ticket_queries
from app.services.tickets import workflow as tickets
from app.services.tickets.queries import STATE_FILTERS, TicketQuery, TicketRow
from app.services.tickets.workflow import STATE_LABELS

from ..common.list_output import filter_words
from ..common.page import Changes, Page
from ..common.table_model import AnyIndex, Column, LazyTableModel, service_source
from ..common.widgets import DataTable, InfoLabel, SearchBox, set_filters
from ..errors import user_errors
from .dashboard import TicketDashboard
from .detail import TicketDetailDialog
from .intake import IntakeDialog
from .steps import VisitDialog, default_visitor

OVERDUE_BG = QColor("#fde2e1")
DUE_SOON_BG = QColor("#fff4d6")
TICKET_LEDGERS = ("tickets", "ticket-rates", "ticket-services", "ticket-monthly")

COLUMNS: list[Column[TicketRow]] = [
    Column("编号", "number", sort_key="number", width=6),
    Column("受理时间", "received_at", sort_key="received", width=9),
    Column("渠道", "channel", sort_key="channel", width=4),
    Column("类别", lambda r: f"{r.category}／{r.service_item}" if r.service_item else r.category, sort_key="category",
           width=6),
    Column("诉求人", "requester", sort_key="requester", width=5),
    Column("网格", "grid_name", sort_key="grid", width=5),
    Column("诉求内容", "content", width=16),
    Column("办理人", "assignees", width=5),
    Column("状态", "state_label", sort_key="state", width=4),
    Column("办理期限", "due_at", sort_key="due", width=9),
    Column("提醒", "due_text", width=4),
    Column("评价", "satisfaction", width=4),
]


class TicketModel(LazyTableModel[TicketRow]):
    """Overdue rows red, due within a day yellow (the color is a hint; the 提醒 column says it in words)."""

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.BackgroundRole and index.isValid():
            row = self.row_at(index.row())
            if row is not None and row.overdue:
                return OVERDUE_BG
            if row is not None and row.due_soon:
                return DUE_SOON_BG
            return None
        return super().data(index, role)


class TicketsPage(Page):
    title = "工单"
    object_name = "page_tickets"  # known before the page is built (ui/page_stack.py)
    waits_for_show = True  # heavy at county scale: query when first shown (issue 11)
    watches = frozenset({"ticket", "resident", "household", "member", "grid", "import", "ticket_settings"})

    def __init__(self, ctx: AppContext, changes: Changes, parent: QWidget | None = None) -> None:
        super().__init__(ctx, changes, parent)
        self.setObjectName("page_tickets")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("tabs_tickets")
        outer.addWidget(self.tabs)
        self.tabs.addTab(self._list_tab(), self.tr("工单列表"))
        self.dashboard = TicketDashboard(ctx, self.unit_id, self)
        self.tabs.addTab(self.dashboard, self.tr("统计分析"))
        self.tabs.currentChanged.connect(lambda i: self.dashboard.refresh() if i == 1 else None)
        QShortcut(QKeySequence.StandardKey.New, self, activated=self.new_ticket)
        self.refresh()

    def _list_tab(self) -> QWidget:
        tab = QWidget(self)
        layout = QVBoxLayout(tab)
        bar = QHBoxLayout()
        self.combo_state = self._combo("combo_ticket_state", [(self.tr("全部状态"), None)]
                                       + [(self.tr(v), k) for k, v in STATE_FILTERS.items()], tab)
        self.combo_category = self._combo("combo_ticket_category", [(self.tr("全部类别"), None)], tab)
        self.combo_grid = self._combo("combo_ticket_grid", [(self.tr("全部网格"), None)], tab)
        self.combo_assignee = self._combo("combo_ticket_assignee", [(self.tr("全部办理人"), None)], tab)
        self.edit_search = SearchBox("edit_search_tickets", self.tr("查找：编号、内容、诉求人（拼音首字母）或电话"), tab)
        for w in (self.combo_state, self.combo_category, self.combo_grid, self.combo_assignee):
            bar.addWidget(w)
            w.currentIndexChanged.connect(lambda _i: self.refresh_list())
        bar.addWidget(self.edit_search, 1)
        self.edit_search.search.connect(lambda _t: self.refresh_list())
        layout.addLayout(bar)

        buttons = QHBoxLayout()
        self.btn_new = QPushButton(self.tr("受理登记（Ctrl+N）"), tab)
        self.btn_new.setObjectName("btn_ticket_new")
        self.btn_solved = QPushButton(self.tr("现场解决…"), tab)
        self.btn_solved.setObjectName("btn_ticket_new_solved")
        self.btn_solved.setToolTip(self.tr("登记一件当场已解决的诉求：受理即办结，群众在场可同时回访"))
        self.btn_open = QPushButton(self.tr("查看/办理…"), tab)
        self.btn_open.setObjectName("btn_ticket_open")
        self.btn_visit = QPushButton(self.tr("回访…"), tab)
        self.btn_visit.setObjectName("btn_ticket_visit_row")
        self.btn_visit.setEnabled(False)
        self.btn_topic = QPushButton(self.tr("转为环形互动议题"), tab)
        self.btn_topic.setObjectName("btn_ticket_to_topic")
        self.btn_topic.setToolTip(self.tr("把群众提出的诉求转为“环形互动”倒序议题，由党员征求意见、支部研究答复"))
        self.btn_export = QPushButton(self.tr("导出工单台账…"), tab)
        self.btn_export.setObjectName("btn_export_ledger")
        for b in (self.btn_new, self.btn_solved, self.btn_open, self.btn_visit, self.btn_topic):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.btn_export)
        layout.addLayout(buttons)
        self.btn_new.clicked.connect(lambda: self.new_ticket())
        self.btn_solved.clicked.connect(lambda: self.new_ticket(solved=True))
        self.btn_open.clicked.connect(self.open_current)
        self.btn_visit.clicked.connect(self.visit_current)
        self.btn_topic.clicked.connect(self.promote_current)
        self.btn_export.clicked.connect(self.export_ledgers)

        self.model = TicketModel(COLUMNS, lambda: 0, lambda *_: [], parent=self)
        self.table = DataTable("table_tickets", tab)
        self.table.setModel(self.model)
        self.table.doubleClicked.connect(lambda _i: self.open_current())
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._row_changed())
        self.model.modelReset.connect(self._row_changed)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.table.list_name = self.tr("工单列表")
        self.table.describe_filter = lambda: filter_words(tab, [
            (self.tr("状态"), self.combo_state), (self.tr("类别"), self.combo_category),
            (self.tr("网格"), self.combo_grid), (self.tr("办理人"), self.combo_assignee)])
        layout.addWidget(self.table, 1)
        self.info = InfoLabel("label_tickets_info", tab)
        layout.addWidget(self.info)
        self.model.loadFailed.connect(self.info.show_error)
        return tab

    @staticmethod
    def _combo(name: str, items: list[tuple[str, object]], parent: QWidget) -> QComboBox:
        combo = QComboBox(parent)
        combo.setObjectName(name)
        for text, value in items:
            combo.addItem(text, value)
        return combo

    # ---- data -----------------------------------------------------------------------------------

    def _refill(self, combo: QComboBox, items: list[tuple[str, object]]) -> None:
        keep = combo.currentData()
        combo.blockSignals(True)
        while combo.count() > 1:
            combo.removeItem(1)
        for text, value in items:
            combo.addItem(text, value)
        index = combo.findData(keep)
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)

    def refresh(self) -> None:
        with user_errors(self):
            cats = self.ctx.call(tickets.list_categories, self.unit_id)
            self._refill(self.combo_category, [(c.name, c.id) for c in cats])
            grids = [g for g in self.ctx.call(grid.list_grids, self.unit_id) if g.parent_id is None]
            self._refill(self.combo_grid, [(g.name, g.id) for g in grids])
            self._refill(self.combo_assignee, [(n, n) for n in self.ctx.call(ticket_queries.handler_names, self.unit_id)])
        self.refresh_list()
        if self.tabs.currentIndex() == 1:
            self.dashboard.refresh()

    def query(self) -> TicketQuery:
        return TicketQuery(self.unit_id, text=self.edit_search.query(), state=self.combo_state.currentData(),
                           category_id=self.combo_category.currentData(), grid_id=self.combo_grid.currentData(),
                           assignee=self.combo_assignee.currentData(), order_by="attention")

    def refresh_list(self) -> None:
        self.model.set_query(*service_source(self.ctx, ticket_queries.count_tickets, ticket_queries.list_tickets,
                                             self.query()))
        with user_errors(self):
            c = self.ctx.call(ticket_queries.overdue_counts, self.unit_id)
            self.info.show_info(self.tr("共 {0} 件；未办结 {1} 件，其中已逾期 {2} 件，24小时内到期 {3} 件")
                                .format(self.model.total, c.open, c.overdue, c.due_soon))

    def search_box(self) -> SearchBox:
        return self.edit_search

    def show_filter(self, key: str) -> None:
        """A 工作台 line: the list with this state filter (overdue / due_soon) and nothing else."""
        self.tabs.setCurrentIndex(0)
        set_filters(self.edit_search, (self.combo_state, key), (self.combo_category, None), (self.combo_grid, None),
                    (self.combo_assignee, None))
        self.refresh_list()

    # ---- actions --------------------------------------------------------------------------------

    def new_ticket(self, solved: bool = False) -> None:
        """受理登记; solved: the 现场解决 path (the form opens with 「现场已解决」 ticked)."""
        with user_errors(self):
            dialog = IntakeDialog(self.ctx, self.unit_id, self, solved=solved)
            if dialog.exec():
                made = dialog.result_value
                self.announce("ticket")
                self.refresh()
                row = self.model.find_row(lambda r: r.id == made.id, fetch_all=True)
                self.table.select_row(row)
                done = self.tr("已受理工单 {0}。").format(made.number)
                if dialog.visited:
                    done = self.tr("已受理并办结工单 {0}，当场回访：{1}。").format(made.number, dialog.visited)
                self.info.show_info(done + self.info.text())

    def current(self) -> TicketRow | None:
        return self.model.row_at(self.table.current_row())

    def open_current(self) -> None:
        row = self.current()
        if row is None:
            self.info.show_error(self.tr("请先在列表中选中一件工单"))
            return
        self.open_ticket(row.id)

    @staticmethod
    def _can_visit(row: TicketRow | None) -> bool:
        return row is not None and "visit" in tickets.legal_actions(row.state, row.satisfaction or None)

    def _row_changed(self) -> None:
        self.btn_visit.setEnabled(self._can_visit(self.current()))

    def _context_menu(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        menu = QMenu(self.table)
        menu.setObjectName("menu_ticket_row")
        if index.isValid():
            self.table.select_row(index.row())
            menu.addAction(self.tr("查看/办理…"), self.open_current)
            visit = menu.addAction(self.tr("回访…"), self.visit_current)
            visit.setEnabled(self._can_visit(self.current()))
            menu.addAction(self.tr("转为环形互动议题"), self.promote_current)
            menu.addSeparator()
        self.table.add_list_actions(menu)  # 复制, 导出当前列表…, 打印当前列表…
        menu.popup(self.table.viewport().mapToGlobal(pos))

    def visit_current(self) -> None:
        """The one-dialog 回访 of the selected ticket: satisfaction and a note, 回访人 filled in."""
        row = self.current()
        if not self._can_visit(row):
            self.info.show_error(self.tr("请先选中一件已答复或现场解决、尚未回访的工单"))
            return
        assert row is not None
        with user_errors(self):
            dialog = VisitDialog(self.ctx, row.id, default_visitor(self.ctx, self.unit_id), self)
            if dialog.exec():
                self.announce("ticket")
                self.refresh()
                self.table.select_row(self.model.find_row(lambda r: r.id == row.id, fetch_all=True))
                self.info.show_info(self.tr("工单 {0} 已回访，现为“{1}”。").format(
                    row.number, STATE_LABELS.get(dialog.result_state, "")) + self.info.text())

    def promote_current(self) -> None:
        """One step from a villager's 工单 to a 倒序 环形互动 topic (a ticket is promoted once)."""
        row = self.current()
        if row is None:
            self.info.show_error(self.tr("请先在列表中选中一件工单"))
            return
        with user_errors(self):
            topic_id = self.ctx.call(topics.promote_ticket, row.id)
            number = self.ctx.call(topics.get_topic, topic_id).row.number
            self.announce("ticket")
            self.announce("affairs")
            self.info.show_info(self.tr("工单 {0} 已转为环形互动议题 {1}（倒序），请到“村务决策 → 环形互动”记录意见。")
                                .format(row.number, number))

    def detail_dialog(self, ticket_id: int) -> TicketDetailDialog:
        dialog = TicketDetailDialog(self.ctx, self.unit_id, ticket_id, self)
        dialog.changed.connect(lambda: self.announce("ticket"))
        return dialog

    def open_ticket(self, ticket_id: int) -> None:
        self.detail_dialog(ticket_id).exec()
        self.refresh()
        self.table.select_row(self.model.find_row(lambda r: r.id == ticket_id))

    def export_ledgers(self) -> None:
        from ..notices.export_dialog import LedgerExportDialog

        with user_errors(self):
            dialog = LedgerExportDialog(self.ctx, self.unit_id, self)
            for kind, check in dialog.checks.items():  # the tickets' own ledgers ticked, the others not
                check.setChecked(kind in TICKET_LEDGERS and kind in LEDGER_KINDS)
            dialog.exec()
