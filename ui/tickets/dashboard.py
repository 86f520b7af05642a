"""工单统计: the year's (or a month's) 办结率, 满意率, 按期办结率, average time, rates by category, and two
charts — tickets by category and by month. Every figure comes from ticket_stats (SQL aggregates)."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.services.context import AppContext
from app.services.tickets import stats as ticket_stats
from app.services.tickets.stats import TicketStats

from ..common.charts import BarChart
from ..common.table_model import Column, LazyTableModel, list_source
from ..common.widgets import DataTable, InfoLabel
from ..errors import user_errors
from .monthly_report import MonthlyReportDialog

RATE_COLUMNS: list[Column[TicketStats]] = [
    Column("诉求类别", "label", width=6), Column("受理", "total", width=3), Column("办结", "closed", width=3),
    Column("办理中", "open", width=3), Column("逾期", "overdue", width=3),
    Column("办结率", lambda r: r.closure.text, width=5), Column("满意率", lambda r: r.satisfaction.text, width=5),
    Column("按期办结率", lambda r: r.on_time_rate.text, width=6), Column("平均办理时长", "avg_text", width=7),
]


class TicketDashboard(QWidget):
    def __init__(self, ctx: AppContext, unit_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("panel_ticket_stats")
        self.ctx, self.unit_id = ctx, unit_id
        outer = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.spin_year = QSpinBox(self)
        self.spin_year.setObjectName("spin_ticket_year")
        self.spin_year.setRange(2000, 2100)
        self.spin_year.setValue(date.today().year)
        self.spin_year.setSuffix(self.tr(" 年"))
        self.combo_month = QComboBox(self)
        self.combo_month.setObjectName("combo_ticket_month")
        self.combo_month.addItem(self.tr("全年"), None)
        for m in range(1, 13):
            self.combo_month.addItem(self.tr("{0}月").format(m), m)
        bar.addWidget(QLabel(self.tr("统计期间（按受理日期）"), self))
        bar.addWidget(self.spin_year)
        bar.addWidget(self.combo_month)
        bar.addStretch(1)
        self.btn_monthly = QPushButton(self.tr("月度通报"), self)
        self.btn_monthly.setObjectName("btn_ticket_monthly")
        self.btn_monthly.setToolTip(self.tr("选定月份的工单办理情况，可复制到述职报告或通报中"))
        self.btn_monthly.setEnabled(False)
        self.btn_monthly.clicked.connect(self.show_monthly_report)
        bar.addWidget(self.btn_monthly)
        outer.addLayout(bar)

        figures = QGridLayout()
        self.figures: dict[str, QLabel] = {}
        for i, (key, text) in enumerate((("total", "受理"), ("closure", "办结率"), ("satisfaction", "满意率"),
                                         ("on_time", "按期办结率"), ("avg", "平均办理时长"), ("overdue", "逾期未办结"))):
            caption = QLabel(self.tr(text), self)
            value = QLabel("—", self)
            value.setObjectName(f"label_stat_{key}")
            value.setStyleSheet("font-size: 18pt; font-weight: bold; color: #c0392b;")
            figures.addWidget(caption, 0, i)
            figures.addWidget(value, 1, i)
            self.figures[key] = value
        outer.addLayout(figures)
        self.label_detail = InfoLabel("label_ticket_stats_detail", self)
        self.label_detail.setWordWrap(True)
        outer.addWidget(self.label_detail)

        self.model: LazyTableModel[TicketStats] = LazyTableModel(RATE_COLUMNS, lambda: 0, lambda *_: [], parent=self)
        self.table = DataTable("table_ticket_rates", self)
        self.table.setModel(self.model)
        self.table.setMaximumHeight(self.table.verticalHeader().defaultSectionSize() * 9 + 30)
        outer.addWidget(self.table)
        charts = QHBoxLayout()
        self.chart_category = BarChart("chart_ticket_category", self)
        self.chart_month = BarChart("chart_ticket_month", self)
        charts.addWidget(self.chart_category)
        charts.addWidget(self.chart_month)
        outer.addLayout(charts, 1)
        self.spin_year.valueChanged.connect(lambda _v: self.refresh())
        self.combo_month.currentIndexChanged.connect(lambda _i: self.refresh())
        self.combo_month.currentIndexChanged.connect(
            lambda _i: self.btn_monthly.setEnabled(self.combo_month.currentData() is not None))

    def period(self) -> tuple[date, date]:
        year, month = self.spin_year.value(), self.combo_month.currentData()
        if month is None:
            return date(year, 1, 1), date(year, 12, 31)
        return ticket_stats.month_range(year, month)

    def monthly_dialog(self) -> MonthlyReportDialog | None:
        """The 月度通报 of the chosen month (None when the figures could not be read)."""
        year, month = self.spin_year.value(), self.combo_month.currentData()
        if month is None:
            return None
        lines: list[str] = []
        with user_errors(self):
            lines = self.ctx.call(ticket_stats.monthly_report, self.unit_id, year, month)
        if not lines:
            return None
        return MonthlyReportDialog(self.tr("{0}年{1}月工单月度通报").format(year, month), lines, self)

    def show_monthly_report(self) -> None:
        dialog = self.monthly_dialog()
        if dialog is not None:
            dialog.exec()

    def refresh(self) -> None:
        start, end = self.period()
        with user_errors(self):
            total = self.ctx.call(ticket_stats.summary, self.unit_id, start, end)
            cats = self.ctx.call(ticket_stats.ticket_stats, self.unit_id, start, end, "category")
            year = self.spin_year.value()
            months = self.ctx.call(ticket_stats.ticket_stats, self.unit_id, date(year, 1, 1), date(year, 12, 31), "month")
            self.show_figures(total, cats, months)

    def show_figures(self, total: TicketStats, cats: list[TicketStats], months: list[TicketStats]) -> None:
        f = self.figures
        f["total"].setText(self.tr("{0} 件").format(total.total))
        f["closure"].setText(total.closure.text)
        f["satisfaction"].setText(total.satisfaction.text)
        f["on_time"].setText(total.on_time_rate.text)
        f["avg"].setText(total.avg_text)
        f["overdue"].setText(self.tr("{0} 件").format(total.overdue))
        self.label_detail.show_info("；".join(ticket_stats.summary_lines(total)))
        self.model.set_query(*list_source(lambda: cats))
        self.chart_category.set_data([(c.label, c.total) for c in cats], self.tr("各类诉求受理件数"), self.tr("件"))
        by_month = {m.label: m.total for m in months}
        year = self.spin_year.value()
        self.chart_month.set_data([(f"{m}月", by_month.get(f"{year}-{m:02d}", 0)) for m in range(1, 13)],
                                  self.tr("{0}年各月受理件数").format(year), "")
