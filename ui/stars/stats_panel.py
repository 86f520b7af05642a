"""统计: households per level as a bar chart, the share and participation, and the same per 网格 / 党小组."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.stars.stats import GroupStats, RoundStats

from ..common.charts import BarChart

# 网格 and 党小组 are told by a row across the table above each, not by a column: the panel shares the page with
# the applications, and with the larger font a 类别 column pushed 占比 out of sight (issue 20)
HEADERS = ("名称", "总户数", "申报", "参与率", "星级户", "占比")


class StatsPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("panel_star_stats")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.chart = BarChart("chart_star_levels", self)
        layout.addWidget(self.chart, 2)
        self.label_summary = QLabel(self)
        self.label_summary.setObjectName("label_star_summary")
        self.label_summary.setWordWrap(True)
        layout.addWidget(self.label_summary)
        self.table = QTableWidget(0, len(HEADERS), self)
        self.table.setObjectName("table_star_groups")
        self.table.setHorizontalHeaderLabels([self.tr(h) for h in HEADERS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        # every column as wide as its text, never elided: where the panel is narrower the table scrolls
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.table, 3)

    def show_stats(self, stats: RoundStats | None) -> None:
        if stats is None:
            self.chart.set_data([], self.tr("各星级户数"))
            self.label_summary.setText(self.tr("（还没有评选批次）"))
            self.table.setRowCount(0)
            return
        t = stats.total
        self.chart.set_data(stats.level_counts(), self.tr("各星级户数"), self.tr("户"))
        state = self.tr("两委会确定结果") if stats.decided else self.tr("按目前审核结果")
        self.label_summary.setText(
            self.tr("{0}：星级户合计 {1} 户，占总户数 {2} 户的 {3:.1f}%；申报 {4} 户，参与率 {5:.1f}%。").format(
                state, t.starred, t.households, t.share, t.applied, t.participation))
        sections: list[tuple[str, list[GroupStats]]] = [
            (title, groups) for title, groups in ((self.tr("按网格"), stats.grids), (self.tr("按党小组"), stats.party_groups))
            if groups
        ]
        self.table.clearSpans()
        self.table.clearContents()  # a row that becomes a section row keeps no old cells
        self.table.setRowCount(sum(len(groups) + 1 for _t, groups in sections))
        row = 0
        for title, groups in sections:
            self._section_row(row, title)
            row += 1
            for g in groups:
                values = (g.name, str(g.households), str(g.applied), f"{g.participation:.1f}%", str(g.starred),
                          f"{g.share:.1f}%")
                for j, v in enumerate(values):
                    item = QTableWidgetItem(v)
                    if j:
                        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    self.table.setItem(row, j, item)
                row += 1

    def _section_row(self, row: int, title: str) -> None:
        item = QTableWidgetItem(title)
        font = item.font()
        font.setBold(True)
        item.setFont(font)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled)
        self.table.setItem(row, 0, item)
        self.table.setSpan(row, 0, 1, len(HEADERS))
