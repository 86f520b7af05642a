"""党务: 党费, 组织关系转接, 流动与失联, 民主评议, 党内统计与发展 — one tab each (ui/common/tabbed_page.py
says how tabs refresh each other and take the 工作台's filters)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from app.services.context import AppContext

from ..common.page import Changes
from ..common.tabbed_page import TabbedPage
from .appraisal_tab import AppraisalTab
from .dues_tab import DuesTab
from .mobile_tab import MobileTab
from .stats_tab import StatsTab
from .transfers_tab import TransfersTab


class PartyWorkPage(TabbedPage):
    title = "党务"
    object_name = "page_partywork"  # known before the page is built (ui/page_stack.py)
    watches = frozenset({"partywork", "member", "resident", "org", "notice", "import"})

    def __init__(self, ctx: AppContext, changes: Changes, parent: QWidget | None = None) -> None:
        super().__init__(ctx, changes, parent)
        self.tabs.addTab(DuesTab(ctx, changes, self), self.tr("党费"))
        self.tabs.addTab(TransfersTab(ctx, changes, self), self.tr("组织关系转接"))
        self.tabs.addTab(MobileTab(ctx, changes, self), self.tr("流动与失联"))
        self.tabs.addTab(AppraisalTab(ctx, changes, self), self.tr("民主评议"))
        self.tabs.addTab(StatsTab(ctx, changes, self), self.tr("党内统计与发展"))
        self.refresh()
