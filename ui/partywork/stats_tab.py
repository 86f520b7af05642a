"""党内统计与发展: the year's 党内统计 figures at 31 December in small tables, 导出统计表…, and the
发展党员 timing list (培养期, 预备期) with due dates and warnings."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.services.context import AppContext

from ..common.page import Changes


class StatsTab(QWidget):
    def __init__(self, ctx: AppContext, changes: Changes, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tab_partywork_stats")
        self.ctx, self.changes = ctx, changes
        outer = QVBoxLayout(self)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr("年度"), self))
        self.combo_year = QComboBox(self)
        self.combo_year.setObjectName("combo_stats_year")
        this_year = date.today().year
        for year in range(this_year, this_year - 10, -1):
            self.combo_year.addItem(f"{year}年", year)
        bar.addWidget(self.combo_year)
        bar.addStretch(1)
        outer.addLayout(bar)
        outer.addStretch(1)

    def refresh(self) -> None:
        """Count the chosen year's figures again."""
