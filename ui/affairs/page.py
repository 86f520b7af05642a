"""村务决策: the village bodies (班子与代表), 四议两公开 decisions and 环形互动 topics, one tab each
(ui/common/tabbed_page.py says how tabs refresh each other and take the 工作台's filters)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from app.services.context import AppContext

from ..common.page import Changes
from ..common.tabbed_page import TabbedPage
from .bodies_tab import BodiesTab
from .decisions_tab import DecisionsTab
from .topics_tab import TopicsTab


class AffairsPage(TabbedPage):
    title = "村务决策"
    object_name = "page_affairs"  # known before the page is built (ui/page_stack.py)
    watches = frozenset({"affairs", "resident", "household", "member", "org", "ticket", "notice", "import"})

    def __init__(self, ctx: AppContext, changes: Changes, parent: QWidget | None = None) -> None:
        super().__init__(ctx, changes, parent)
        self.bodies = BodiesTab(ctx, changes, self)
        self.tabs.addTab(self.bodies, self.tr("班子与代表"))
        self.tabs.addTab(DecisionsTab(ctx, changes, self), self.tr("四议两公开"))
        self.tabs.addTab(TopicsTab(ctx, changes, self), self.tr("环形互动"))
        self.refresh()
