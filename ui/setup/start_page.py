"""开始使用: the checklist a new village works through, each item with a button to the page that does it.

The ticks come from the data (setup.checklist), never from the user: an item is ticked once the data
it asks for exist, and unticked again if they go. The main window shows this page at the top of the
navigation while an item is open; 帮助 → 开始使用 opens it at any time.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QCheckBox, QFrame, QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.services.access import ENTRY_ROLES
from app.services.context import AppContext
from app.services.setup import checklist
from app.services.setup.checklist import ChecklistItem

from ..common.page import Changes, Page
from ..errors import user_errors
from ..page_stack import LazyPages

# The page (objectName) that does each item: the first of the names the window has.
ITEM_PAGES: dict[str, tuple[str, ...]] = {
    "org": ("page_org", "page_members"),
    "members": ("page_members",),
    "households": ("page_residents",),
    "grid": ("page_grid",),
    "publicity": ("page_settings",),
}
DONE_STYLE = "color: #2e7d32;"
OPEN_STYLE = "color: #c62828;"


class StartPage(Page):
    """page_start: chk_<key> (ticked when done), status_<key>, btn_open_<key> per checklist item."""

    title = "开始使用"
    object_name = "page_start"  # known before the page is built (ui/page_stack.py)
    roles = frozenset(ENTRY_ROLES)  # grid staff do not set the village up
    watches = frozenset({"org", "member", "resident", "household", "grid", "unit", "import"})

    completion_changed = Signal(bool)  # every item ticked (True) or not
    open_requested = Signal(str, str)  # item key, page objectName

    def __init__(self, ctx: AppContext, changes: Changes, parent: QWidget | None = None) -> None:
        super().__init__(ctx, changes, parent)
        self.setObjectName("page_start")
        self.complete: bool | None = None
        self.items: list[ChecklistItem] = []
        layout = QVBoxLayout(self)
        heading = QLabel(self.tr("<h2>开始使用</h2>"), self)
        intro = QLabel(self.tr(
            "新建的村按下面的顺序录入。每一项做完后自动打勾（按已录入的数据判断）；点右边的按钮打开要去的页面。"
            "全部打勾后，左侧导航中不再显示“开始使用”，仍可从菜单“帮助 → 开始使用”打开。"), self)
        intro.setWordWrap(True)
        layout.addWidget(heading)
        layout.addWidget(intro)
        frame = QFrame(self)
        frame.setFrameShape(QFrame.Shape.StyledPanel)
        grid = QGridLayout(frame)
        grid.setColumnStretch(1, 1)
        grid.setVerticalSpacing(14)
        self.checks: dict[str, QCheckBox] = {}
        self.statuses: dict[str, QLabel] = {}
        self.explanations: dict[str, QLabel] = {}
        self.buttons: dict[str, QPushButton] = {}
        for row, key in enumerate(checklist.CHECKLIST_KEYS):
            check = QCheckBox(f"{row + 1}. ", frame)
            check.setObjectName(f"chk_{key}")
            check.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)  # ticked by the data only
            check.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            text = QWidget(frame)
            lines = QVBoxLayout(text)
            lines.setContentsMargins(0, 0, 0, 0)
            explanation = QLabel(text)
            explanation.setObjectName(f"label_{key}")
            explanation.setWordWrap(True)
            status = QLabel(text)
            status.setObjectName(f"status_{key}")
            status.setWordWrap(True)
            lines.addWidget(explanation)
            lines.addWidget(status)
            button = QPushButton(frame)
            button.setObjectName(f"btn_open_{key}")
            button.clicked.connect(lambda _=False, k=key: self.open_item(k))
            grid.addWidget(check, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(text, row, 1)
            grid.addWidget(button, row, 2, Qt.AlignmentFlag.AlignTop)
            self.checks[key], self.statuses[key] = check, status
            self.explanations[key], self.buttons[key] = explanation, button
        layout.addWidget(frame)
        self.summary = QLabel(self)
        self.summary.setObjectName("label_start_summary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        layout.addStretch(1)
        self.refresh()

    def refresh(self) -> None:
        with user_errors(self):
            self.items = self.ctx.call(checklist.checklist, self.unit_id)
            for item in self.items:
                self.checks[item.key].setChecked(item.done)
                self.checks[item.key].setText(f"{checklist.CHECKLIST_KEYS.index(item.key) + 1}. {item.title}")
                self.explanations[item.key].setText(item.explanation)
                self.statuses[item.key].setText((self.tr("已完成：") if item.done else self.tr("未完成：")) + item.status)
                self.statuses[item.key].setStyleSheet(DONE_STYLE if item.done else OPEN_STYLE)
            self.update_buttons()
            open_items = [i.title for i in self.items if not i.done]
            self.summary.setText(
                self.tr("还有 {0} 项未完成：{1}。").format(len(open_items), "、".join(open_items)) if open_items
                else self.tr("全部完成。以后可以从菜单“帮助 → 开始使用”再看这份清单。"))
            complete = not open_items
            if complete != self.complete:
                self.complete = complete
                self.completion_changed.emit(complete)

    def update_buttons(self) -> None:
        """Name each button after the page it opens (the window's pages exist only once it is built)."""
        for key, button in self.buttons.items():
            button.setText(self.tr("打开“{0}”").format(self._page_title(key)))
            button.setEnabled(self.page_for(key) is not None)

    def showEvent(self, event: QShowEvent) -> None:
        self.update_buttons()
        super().showEvent(event)

    def _pages(self) -> LazyPages | None:
        pages = getattr(self.window(), "pages", None)
        return pages if isinstance(pages, LazyPages) else None

    def page_for(self, key: str) -> str | None:
        """The objectName of the window's page that does the item (None: this operator has none)."""
        pages = self._pages()
        return next((name for name in ITEM_PAGES[key] if pages is not None and name in pages), None)

    def _page_title(self, key: str) -> str:
        name = self.page_for(key)
        pages = self._pages()
        if key == "publicity":
            return self.tr("设置 → 本村信息与公示")
        if name is not None and pages is not None:
            return pages.title(name)  # not pages[name]: that would build the page just for its title
        return next((i.title for i in self.items if i.key == key), key)

    def open_item(self, key: str) -> None:
        name = self.page_for(key)
        if name is not None:
            self.open_requested.emit(key, name)
