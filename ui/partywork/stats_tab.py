"""党内统计与发展: the year's 党内统计 figures at 31 December in small tables, 导出统计表…, and the
发展党员 timing list (培养期, 公示, 预备期) with due dates and warnings, the warnings first."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.context import AppContext
from app.services.partywork import development, party_stats
from app.services.partywork.development import SHORT_TRAINING, WARNINGS, TimingRow
from app.services.partywork.party_stats import StatTable

from ..common.page import Changes
from ..common.table_model import Column, LazyTableModel, list_source
from ..common.widgets import DataTable, InfoLabel
from ..errors import user_errors

YEARS_BACK = 10
TABLE_COLUMNS = 2  # small tables side by side in the figures area
ALL, WARN_ONLY = "all", "warn"
COLUMNS: list[Column[TimingRow]] = [
    Column("姓名", "name", width=5),
    Column("所在支部", "org_name", width=8),
    Column("阶段", "stage", width=6),
    Column("事项", "step", width=6),
    Column("起始日期", lambda r: r.since.isoformat() if r.since else "", width=6),
    Column("到期日期", lambda r: r.due_on.isoformat() if r.due_on else "", width=6),
    Column("情况", "status", width=24),
]


def _amount(table: StatTable, label: str, value: int) -> str:
    if table.unit == "元" and label.endswith("（元）"):
        return f"{value // 100}.{value % 100:02d}"
    return str(value)


class StatsTab(QWidget):
    def __init__(self, ctx: AppContext, changes: Changes, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tab_partywork_stats")
        self.ctx, self.changes = ctx, changes
        outer = QVBoxLayout(self)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        outer.addWidget(split)

        # ---- left: the figures
        left = QWidget(split)
        lay = QVBoxLayout(left)
        lay.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr("统计年度"), left))
        self.combo_year = QComboBox(left)
        self.combo_year.setObjectName("combo_stats_year")
        this_year = date.today().year
        for year in range(this_year, this_year - YEARS_BACK, -1):
            self.combo_year.addItem(self.tr("{0}年（截至12月31日）").format(year), year)
        self.combo_year.currentIndexChanged.connect(self.show_figures)
        bar.addWidget(self.combo_year)
        bar.addStretch(1)
        self.btn_export = QPushButton(self.tr("导出统计表…"), left)
        self.btn_export.setObjectName("btn_stats_export")
        self.btn_export.clicked.connect(self.export)
        bar.addWidget(self.btn_export)
        lay.addLayout(bar)
        self.label_total = QLabel(left)
        self.label_total.setObjectName("label_stats_total")
        lay.addWidget(self.label_total)
        scroll = QScrollArea(left)
        scroll.setWidgetResizable(True)
        holder = QWidget(scroll)
        self.grid = QGridLayout(holder)
        scroll.setWidget(holder)
        lay.addWidget(scroll, 1)
        self.tables: dict[str, QTableWidget] = {}

        # ---- right: 发展党员 timing
        right = QWidget(split)
        rlay = QVBoxLayout(right)
        rlay.setContentsMargins(0, 0, 0, 0)
        rbar = QHBoxLayout()
        rbar.addWidget(QLabel(self.tr("发展党员时间节点"), right))
        self.combo_timing = QComboBox(right)
        self.combo_timing.setObjectName("combo_timing_filter")
        self.combo_timing.addItem(self.tr("全部"), ALL)
        self.combo_timing.addItem(self.tr("只看需提醒的"), WARN_ONLY)
        self.combo_timing.addItem(self.tr("培养期不足一年"), SHORT_TRAINING)
        self.combo_timing.currentIndexChanged.connect(self.show_timing)
        rbar.addWidget(self.combo_timing)
        rbar.addStretch(1)
        rlay.addLayout(rbar)
        self.timing = DataTable("table_development_timing", right)
        self.timing_model: LazyTableModel[TimingRow] = LazyTableModel(COLUMNS, *list_source(self._timing_rows),
                                                                      parent=self)
        self.timing.setModel(self.timing_model)
        rlay.addWidget(self.timing, 1)
        self.info_timing = InfoLabel("label_timing_info", right)
        rlay.addWidget(self.info_timing)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setSizes([520, 780])

    @property
    def unit_id(self) -> int:
        unit_id = self.ctx.unit_id
        assert unit_id is not None
        return unit_id

    @property
    def year(self) -> int:
        return int(self.combo_year.currentData())

    def refresh(self) -> None:
        self.show_figures()
        self.show_timing()

    # ---- the figures ----------------------------------------------------------------------------

    def show_figures(self) -> None:
        with user_errors(self):
            stats = self.ctx.call(party_stats.party_statistics, self.unit_id, self.year)
            self.label_total.setText(self.tr("{0}年12月31日：党员 {1} 名").format(stats.year, stats.members))
            for i, table in enumerate(stats.tables):
                widget = self.tables.get(table.key)
                if widget is None:
                    widget = self._small_table(table)
                    self.grid.addWidget(widget.parentWidget(), i // TABLE_COLUMNS, i % TABLE_COLUMNS,
                                        Qt.AlignmentFlag.AlignTop)
                    widget.parentWidget().show()  # counted by the layout now, not when Qt gets round to it
                self._fill(widget, table)

    def _small_table(self, table: StatTable) -> QTableWidget:
        box = QGroupBox(table.title, self.grid.parentWidget())
        box.setToolTip(table.note)
        lay = QVBoxLayout(box)
        t = QTableWidget(0, 2, box)
        t.setObjectName(f"table_stats_{table.key}")
        t.setHorizontalHeaderLabels([self.tr("项目"), self.tr("元" if table.unit == "元" else "数量")])
        t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        t.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        t.verticalHeader().hide()
        t.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        t.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        t.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        t.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        lay.addWidget(t)
        self.tables[table.key] = t
        return t

    def _fill(self, widget: QTableWidget, table: StatTable) -> None:
        rows = list(table.rows)
        if table.summed:
            rows.append(("合计", table.total))
        widget.setRowCount(len(rows))
        for r, (label, value) in enumerate(rows):
            widget.setItem(r, 0, QTableWidgetItem(label))
            item = QTableWidgetItem(_amount(table, label, value))
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            widget.setItem(r, 1, item)
        # every row shown: the figures area scrolls as a whole, a small table never does
        height = (widget.horizontalHeader().sizeHint().height() + widget.verticalHeader().length()
                  + 2 * widget.frameWidth())
        widget.setFixedHeight(height)

    def export(self) -> None:
        from ..notices.export_dialog import LedgerExportDialog

        with user_errors(self):
            dialog = LedgerExportDialog(self.ctx, self.unit_id, self)
            for kind, check in dialog.checks.items():
                check.setChecked(kind == "party-stats")
            dialog.spin_year.setValue(self.year)
            dialog.exec()

    # ---- 发展党员 timing ------------------------------------------------------------------------

    def _timing_rows(self) -> list[TimingRow]:
        wanted = self.combo_timing.currentData()
        rows = self.ctx.call(development.development_timing, self.unit_id)
        if wanted == WARN_ONLY:
            return [r for r in rows if r.kind in WARNINGS]
        if wanted == SHORT_TRAINING:
            return [r for r in rows if r.kind == SHORT_TRAINING]
        return rows

    def show_timing(self) -> None:
        with user_errors(self):
            self.timing_model.refresh()
        rows = self.timing_model.rows
        warn = sum(r.warn for r in rows)
        self.info_timing.setText(self.tr("共 {0} 项").format(len(rows)) + (self.tr("，需提醒 {0} 项").format(warn)
                                                                         if warn else ""))

    def show_filter(self, key: str) -> bool:
        """The 工作台's 培养期不足一年 line lists exactly the people it counted."""
        if key != SHORT_TRAINING:
            return False
        self.combo_timing.setCurrentIndex(self.combo_timing.findData(SHORT_TRAINING))
        return True
