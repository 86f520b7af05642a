"""镇级汇总: the township's own page, shown only where the database holds a township unit and the operator
is a township operator (or nobody signs in). 汇总 (the figures by 片区 and village) and 上报数据包 (packages
received, keys issued)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from app.services.context import AppContext

from ..common.page import Changes
from ..common.tabbed_page import TabbedPage
from .packages_tab import PackagesTab
from .summary_tab import SummaryTab


class TownshipPage(TabbedPage):
    title = "镇级汇总"
    object_name = "page_township"  # known before the page is built (ui/page_stack.py)
    roles = frozenset({"township"})
    watches = frozenset({"package", "import", "unit"})
    waits_for_show = True  # the figures read every village: not before the window is shown

    def __init__(self, ctx: AppContext, changes: Changes, parent: QWidget | None = None) -> None:
        super().__init__(ctx, changes, parent)
        self.summary = SummaryTab(ctx, changes, self)
        self.packages = PackagesTab(ctx, changes, self)
        self.tabs.addTab(self.summary, self.tr("汇总"))
        self.tabs.addTab(self.packages, self.tr("上报数据包"))
        self.refresh()

    def print_current(self) -> None:
        """Ctrl+P: 汇总 prints its table (a plain table widget, not a list the page's search would find);
        上报数据包 its list of packages."""
        if self.tabs.currentWidget() is self.summary:
            self.summary.print_current()
        else:
            super().print_current()
