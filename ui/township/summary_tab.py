"""镇级汇总 → 汇总: the year's figures of every village, grouped by 片区 (a bold 片区 row, its villages, its
小计), and the township's 合计. A village whose last 上报 package is older than 40 days is shaded; one that
never sent any says 未上报. Double-clicking a village switches the window to it (when the window has the unit
switcher); 导出镇级台账… stacks the villages' ledgers into one workbook."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services import units
from app.services.context import AppContext
from app.services.township import figures
from app.services.township.figures import NO_DISTRICT, TownshipFigures, VillageFigures

if TYPE_CHECKING:
    from app.services.ledgers.list_export import ListSheet

from ..common.page import Changes
from ..common.widgets import InfoLabel
from ..errors import user_errors
from .grouped_header import GroupedHeader

YEARS_BACK = 10
STALE_DAYS = 40  # a village that has not sent a package for longer is shaded (reports are monthly)
STALE_COLOUR = QColor("#ffe0b2")
SUBTOTAL_COLOUR = QColor("#f1f3f4")
TOTAL_COLOUR = QColor("#e0e0e0")
STARS = (5, 4, 3, 2, 1)
STAR_NAMES = {5: "五星", 4: "四星", 3: "三星", 2: "二星", 1: "一星"}
UNIT_ROLE = Qt.ItemDataRole.UserRole  # a village row's unit id (None on 片区, 小计 and 合计 rows)


def headers(grades: list[str]) -> tuple[list[str], dict[str, range]]:
    """The columns (积分评定 has the 等次 the year's figures name: 优秀 良好 一般 差, 待定 while any is open)
    and the groups captioned above them."""
    cols = ["村(社区)", "户数", "党员", *(STAR_NAMES[n] for n in STARS), "合计", "占比", *grades,
            "办结率", "满意率", "公示", "最近上报"]
    g0 = 3 + len(STARS) + 2
    groups = {"星级文明户": range(3, g0), "积分评定": range(g0, g0 + len(grades)),
              "工单": range(g0 + len(grades), g0 + len(grades) + 2)}
    return cols, groups


def last_package_text(v: VillageFigures) -> str:
    """2026-11-03（12天前）; 未上报 when no package came; 在线 for a village working on the shared server."""
    if v.last_package is None:
        return "在线" if v.households or v.members else "未上报"
    return f"{v.last_package.isoformat()}（{last_package_age(v)}）"


def last_package_age(v: VillageFigures) -> str:
    """What 最近上报 shows: 12天前 (the date in its tooltip: with the date the column did not fit a 1366 screen
    with the larger font once packages were 100 days old), 今天, 未上报 or 在线."""
    if v.last_package is None:
        return last_package_text(v)
    return "今天" if not v.package_age_days else f"{v.package_age_days}天前"


def figures_row(v: VillageFigures, grades: list[str]) -> list[str]:
    """The texts of one row (a village, a 片区小计 or the 合计) before 最近上报."""
    return [v.name, str(v.households), str(v.members), *(str(v.star_levels.get(n, 0)) for n in STARS),
            str(v.star_households), v.share_text, *(str(v.point_grades.get(g, 0)) for g in grades),
            v.done_rate.text, v.satisfaction.text, str(v.notices)]


class SummaryTab(QWidget):
    """tab_township_summary: combo_township_year, table_township_summary, btn_township_export."""

    def __init__(self, ctx: AppContext, changes: Changes, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tab_township_summary")
        self.ctx, self.changes = ctx, changes
        self.figures: TownshipFigures | None = None
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr("年度"), self))
        self.combo_year = QComboBox(self)
        self.combo_year.setObjectName("combo_township_year")
        this_year = date.today().year
        for year in range(this_year, this_year - YEARS_BACK, -1):
            self.combo_year.addItem(self.tr("{0}年").format(year), year)
        self.combo_year.currentIndexChanged.connect(self.refresh)
        bar.addWidget(self.combo_year)
        self.label_title = QLabel(self)
        self.label_title.setObjectName("label_township_title")
        bar.addWidget(self.label_title)
        bar.addStretch(1)
        self.btn_export = QPushButton(self.tr("导出镇级台账…"), self)
        self.btn_export.setObjectName("btn_township_export")
        self.btn_export.clicked.connect(self.export_ledgers)
        bar.addWidget(self.btn_export)
        layout.addLayout(bar)

        self.table = QTableWidget(0, 0, self)
        self.table.setObjectName("table_township_summary")
        self.header = header = GroupedHeader({}, self.table)
        self.table.setHorizontalHeader(header)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)  # numbers whole, never elided
        header.setStretchLastSection(True)
        self.table.setToolTip(self.tr("双击一个村，切换到该村查看详细数据"))
        self.table.cellDoubleClicked.connect(self._on_double_click)
        layout.addWidget(self.table, 1)
        self.info = InfoLabel("label_township_info", self)
        layout.addWidget(self.info)

    @property
    def year(self) -> int:
        return int(self.combo_year.currentData())

    def township_id(self) -> int | None:
        return self.ctx.call(units.township_id)

    # ---- showing --------------------------------------------------------------------------------

    def refresh(self) -> None:
        with user_errors(self):
            township_id = self.township_id()
            if township_id is None:
                self.info.show_error(self.tr("本数据库里没有乡镇(街道)单位。"))
                return
            self.figures = self.ctx.call(figures.township_figures, township_id, self.year)
            self._fill(self.figures)

    def _fill(self, f: TownshipFigures) -> None:
        self.label_title.setText(self.tr("{0}：{1} 个村(社区)").format(f.township, len(f.villages)))
        t = self.table
        self.grades = list(f.total.point_grades)
        cols, groups = headers(self.grades)
        t.clearSpans()
        t.clearContents()
        t.setColumnCount(len(cols))
        t.setHorizontalHeaderLabels([self.tr(h) for h in cols])
        self.header.groups = groups
        # 片区 rows and 小计 only where villages are grouped (not one 未分片区 group)
        grouped = len(f.districts) > 1 or any(d.name != NO_DISTRICT for d in f.districts)
        rows: list[tuple[str, Any]] = []
        for d in f.districts:
            if grouped:
                rows.append(("district", d))
            rows += [("village", v) for v in d.villages]
            if grouped:
                rows.append(("subtotal", d))
        rows.append(("total", f.total))
        t.setRowCount(len(rows))
        for r, (kind, item) in enumerate(rows):
            if kind == "district":
                self._district_row(r, self.tr("{0}（{1} 个村）").format(item.name, len(item.villages)))
            elif kind == "village":
                self._values_row(r, item, figures_row(item, self.grades), village=True)
            elif kind == "subtotal":
                self._values_row(r, item.total, [self.tr("{0}小计").format(item.name),
                                                 *figures_row(item.total, self.grades)[1:]], shade=SUBTOTAL_COLOUR)
            else:
                self._values_row(r, item, [self.tr("合计"), *figures_row(item, self.grades)[1:]], shade=TOTAL_COLOUR)
        stale = [v for v in f.villages if last_package_text(v) == "未上报"
                 or (v.package_age_days or 0) > STALE_DAYS]
        text = self.tr("{0}年：{1} 个村(社区)，户 {2}，党员 {3}，星级文明户 {4} 户，占 {5}。").format(
            f.year, len(f.villages), f.total.households, f.total.members, f.total.star_households,
            f.total.share_text)
        if stale:
            text += self.tr("{0} 个村超过{1}天未上报或从未上报。").format(len(stale), STALE_DAYS)
        self.info.show_info(text)

    def _district_row(self, row: int, name: str) -> None:
        item = QTableWidgetItem(name)
        font = item.font()
        font.setBold(True)
        item.setFont(font)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled)
        self.table.setItem(row, 0, item)
        self.table.setSpan(row, 0, 1, self.table.columnCount())

    def _values_row(self, row: int, v: VillageFigures, texts: list[str], village: bool = False,
                    shade: QColor | None = None) -> None:
        bold = QFont(self.table.font())
        bold.setBold(True)
        for c, text in enumerate(texts):
            item = QTableWidgetItem(text)
            if c:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if village:
                item.setData(UNIT_ROLE, v.unit_id)
            if shade is not None:
                item.setBackground(QBrush(shade))
                item.setFont(bold)
            self.table.setItem(row, c, item)
        last = QTableWidgetItem(last_package_age(v) if village else "")
        if village:
            last.setData(UNIT_ROLE, v.unit_id)
            last.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if v.last_package is not None:
                last.setToolTip(self.tr("数据截至 {0}").format(v.last_package.isoformat()))
            if last.text() == "未上报":
                last.setBackground(QBrush(STALE_COLOUR))
                last.setToolTip(self.tr("还没有收到该村的上报数据包"))
            elif (v.package_age_days or 0) > STALE_DAYS:
                last.setBackground(QBrush(STALE_COLOUR))
                last.setToolTip(self.tr("数据截至 {0}，超过{1}天未上报").format(v.last_package, STALE_DAYS))
        elif shade is not None:
            last.setBackground(QBrush(shade))
        self.table.setItem(row, self.table.columnCount() - 1, last)

    # ---- acting ---------------------------------------------------------------------------------

    def _on_double_click(self, row: int, _column: int) -> None:
        item = self.table.item(row, 0)
        unit_id = item.data(UNIT_ROLE) if item is not None else None
        if unit_id is None:
            return
        window = self.window()
        switcher = getattr(window, "unit_switcher", None)
        if switcher is None:  # a window without the 当前村(社区) switcher: nothing to switch to
            return
        switcher.select(int(unit_id))  # every page is built again for that village (this one too)
        if self.ctx.unit_id == unit_id and "page_workbench" in window.pages:
            window.show_page("page_workbench")

    def print_sheet(self) -> ListSheet:
        """The table as 打印当前列表 prints it: the same rows, 最近上报 with its date, and headers that say
        without the grouped caption what a column counts (星级户, 星级占比)."""
        from app.services.ledgers.list_export import ListSheet

        t = self.table
        names = {"合计": "星级户", "占比": "星级占比"}
        cols = [t.horizontalHeaderItem(c).text() for c in range(t.columnCount())]
        star_group = self.header.groups.get("星级文明户", range(0))
        heads = [names.get(h, h) if c in star_group else h for c, h in enumerate(cols)]
        villages = {v.unit_id: v for v in self.figures.villages} if self.figures else {}
        rows = []
        for r in range(t.rowCount()):
            texts = [t.item(r, c).text() if t.item(r, c) is not None else "" for c in range(t.columnCount())]
            first = t.item(r, 0)
            village = villages.get(first.data(UNIT_ROLE)) if first is not None else None
            if village is not None:
                texts[-1] = last_package_text(village)
            rows.append(texts)
        # the printout's title puts the township's name before it: 阳曲镇各村汇总（2026年）
        return ListSheet(self.tr("各村汇总"), self.tr("{0}年").format(self.year), heads, rows, count=len(rows))

    def print_current(self) -> None:
        """Ctrl+P / 打印当前列表: the summary as a PDF in the print preview (printed as the township's)."""
        from ..common.list_output import print_sheet

        with user_errors(self):
            township_id = self.township_id()
            if township_id is None or self.figures is None:
                self.info.show_error(self.tr("本数据库里没有乡镇(街道)单位，没有可打印的汇总。"))
                return
            print_sheet(self, self.ctx, township_id, self.print_sheet())

    def export_ledgers(self) -> None:
        from .dialogs import TownshipLedgerDialog

        with user_errors(self):
            dialog = TownshipLedgerDialog(self.ctx, self)
            dialog.spin_year.setValue(self.year)
            dialog.exec()
