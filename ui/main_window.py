"""The main window: navigation by area on the left, the area's page on the right."""

from __future__ import annotations

import logging

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

import app
from app.paths import data_dir, log_dir
from app.server_config import describe_url
from app.services import units
from app.services.access import ENTRY_ROLES
from app.services.context import AppContext

from . import settings
from .appfont import set_large_font
from .common.form import FRAME_ALLOWANCE
from .common.page import Changes, Page
from .errors import user_errors
from .nav_list import NavList
from .page_stack import LazyPages, PageEntry
from .status_bar import ElidedLabel, StatusBar

log = logging.getLogger(__name__)

APP_TITLE = "村级党建工作台"
FIRST_SIZE = QSize(1200, 760)  # the first window's size where the screen has room (fit_to_screen)


# The areas that work, in navigation order. Each page's module is imported when the page is first
# shown; title and roles are repeated here so the navigation needs none of them (a test compares).
PAGES: tuple[PageEntry, ...] = (
    # 开始使用: at the top while the village is being set up (ui/setup/start_nav.py)
    PageEntry("page_start", "开始使用", "ui.setup.start_page:StartPage", frozenset(ENTRY_ROLES)),
    # 镇级汇总: only where the database holds a 镇/街道 unit (TOWNSHIP_PAGES), for its operators
    PageEntry("page_township", "镇级汇总", "ui.township.page:TownshipPage", frozenset({"township"})),
    # 工作台: what the window opens on once the village is set up
    PageEntry("page_workbench", "工作台", "ui.workbench.page:WorkbenchPage"),
    PageEntry("page_members", "党组织与党员", "ui.org.page:MembersPage"),
    PageEntry("page_partywork", "党务", "ui.partywork.page:PartyWorkPage"),
    PageEntry("page_residents", "居民与户", "ui.people.page:ResidentsPage"),
    PageEntry("page_grid", "网格地图", "ui.grid.page:GridMapPage"),
    PageEntry("page_stars", "星级文明户", "ui.stars.page:StarsPage"),
    PageEntry("page_points", "党员积分", "ui.points.page:PointsPage"),
    PageEntry("page_meetings", "三会一课", "ui.points.meetings_page:MeetingsPage"),
    PageEntry("page_affairs", "村务决策", "ui.affairs.page:AffairsPage"),
    PageEntry("page_household_points", "乡风文明积分", "ui.points.household_page:HouseholdPointsPage"),
    PageEntry("page_tickets", "工单", "ui.tickets.page:TicketsPage"),
    PageEntry("page_notices", "公示与台账", "ui.notices.page:NoticesPage"),
    PageEntry("page_audit", "操作日志", "ui.audit.page:AuditPage", frozenset({"admin"})),
    PageEntry("page_settings", "设置", "ui.settings.page:SettingsPage"),
)
TOWNSHIP_PAGES = frozenset({"page_township"})  # a village's own database has no township to sum up


def page_classes() -> list[type[Page]]:
    """The page classes, in navigation order (imports every page's module)."""
    return [entry.load() for entry in PAGES]


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("main_window")
        self.changes = Changes(self)
        self.unit_name = ""

        central = QWidget(self)
        layout = QHBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 6)
        self.nav = NavList(central)  # every entry in view at 1366×768 with the larger font (ui/nav_list.py)
        self.stack = QStackedWidget(central)
        self.stack.setObjectName("stack_pages")
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        # each page is built when first shown or asked for (ui/page_stack.py): the window opens sooner
        self.pages = LazyPages(self.stack, lambda cls: cls(ctx, self.changes, self.stack))
        role = self.operator_role()
        township = self.ctx.call(units.township_id) is not None
        for entry in PAGES:
            if entry.roles is not None and role is not None and role not in entry.roles:
                continue  # e.g. 操作日志 is the 书记's; the service refuses others anyway
            if entry.name in TOWNSHIP_PAGES and not township:
                continue
            self.pages.register(entry)
            item = QListWidgetItem(entry.title, self.nav)
            item.setData(Qt.ItemDataRole.UserRole, entry.name)
        self.nav.currentRowChanged.connect(self._on_nav)

        self._build_actions()
        from .setup.start_nav import StartNavigation

        self.start_nav = StartNavigation(self)  # 开始使用: its navigation entry and 帮助 → 开始使用
        self._fit_nav()
        # long texts end in 「…」 (whole in their tooltips) rather than overlap or widen the window (ui/status_bar.py)
        self.setStatusBar(StatusBar(self))
        self.status_unit = ElidedLabel("status_unit", self)
        self.status_db = ElidedLabel("status_db", self, Qt.TextElideMode.ElideMiddle)  # a path keeps its file name
        self.statusBar().addWidget(self.status_unit)
        self.statusBar().addPermanentWidget(self.status_db)

        self.load_unit()
        from .common.unit_switcher import install

        self.unit_switcher = install(self)  # 当前村(社区): where this operator sees several villages
        self.nav.setCurrentRow(0)
        self.fit_to_screen(FIRST_SIZE)

        from .auth.session import IdleLock

        self.idle_lock = IdleLock(ctx, self)  # locks after the configured idle minutes (sign-in on)

    # ---- building -------------------------------------------------------------------------------

    def _fit_nav(self) -> None:
        app_ = QApplication.instance()
        base = app_.font().pointSize() if isinstance(app_, QApplication) else 10
        longest = max((len(entry.title) for entry in self.pages.entries()), default=6)
        self.nav.set_font_size(max(base, 8) + 2, longest)

    def _action(self, name: str, text: str, shortcut: QKeySequence | str | None = None) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        self.addAction(action)  # the shortcut works wherever the focus is
        return action

    def _build_actions(self) -> None:
        menu_file = self.menuBar().addMenu(self.tr("文件(&F)"))
        menu_file.setObjectName("menu_file")
        self.action_import = self._action("action_import", self.tr("导入(&I)…"), "Ctrl+I")
        self.action_import.triggered.connect(self.open_import)
        menu_file.addAction(self.action_import)
        self.action_import_history = self._action("action_import_history", self.tr("导入记录(&H)…"))
        self.action_import_history.triggered.connect(self.open_import_history)
        menu_file.addAction(self.action_import_history)
        self.action_export_ledger = self._action("action_export_ledger", self.tr("导出台账(&E)…"))
        self.action_export_ledger.triggered.connect(self.open_export_ledger)
        menu_file.addAction(self.action_export_ledger)
        # Ctrl+P on every page: the page prints what it shows (its list, filtered; the selected notice)
        self.action_print = self._action("action_print", self.tr("打印(&P)…"), QKeySequence.StandardKey.Print)
        self.action_print.triggered.connect(self.print_current)
        menu_file.addAction(self.action_print)
        menu_file.addSeparator()
        self.action_quit = self._action("action_quit", self.tr("退出(&X)"), "Ctrl+Q")
        self.action_quit.triggered.connect(self.close)
        menu_file.addAction(self.action_quit)

        menu_edit = self.menuBar().addMenu(self.tr("编辑(&E)"))
        menu_edit.setObjectName("menu_edit")
        self.action_find = self._action("action_find", self.tr("查找(&F)"), QKeySequence.StandardKey.Find)
        self.action_find.triggered.connect(self.focus_search)
        menu_edit.addAction(self.action_find)
        self.action_refresh = self._action("action_refresh", self.tr("刷新(&R)"), QKeySequence.StandardKey.Refresh)
        self.action_refresh.triggered.connect(self.refresh_current)
        menu_edit.addAction(self.action_refresh)

        menu_view = self.menuBar().addMenu(self.tr("视图(&V)"))
        menu_view.setObjectName("menu_view")
        self.action_large_font = self._action("action_large_font", self.tr("大字体(&L)"), "Ctrl+=")
        self.action_large_font.setCheckable(True)
        self.action_large_font.setChecked(settings.get_bool("large_font"))
        self.action_large_font.toggled.connect(self.set_large_font)
        menu_view.addAction(self.action_large_font)

        menu_help = self.menuBar().addMenu(self.tr("帮助(&H)"))
        menu_help.setObjectName("menu_help")
        self.action_about = self._action("action_about", self.tr("关于(&A)"))
        self.action_about.triggered.connect(self.show_about)
        menu_help.addAction(self.action_about)

    # ---- behaviour ------------------------------------------------------------------------------

    def load_unit(self) -> None:
        unit_id = self.ctx.unit_id
        name = ""
        if unit_id is not None:
            with user_errors(self):
                info = self.ctx.call(units.get_unit, unit_id)
                name = info.name + (self.tr("（演示）") if info.is_demo else "")
        self.unit_name = name
        self.setWindowTitle(f"{APP_TITLE} — {name}" if name else APP_TITLE)
        self.status_unit.setText(self.tr("本村：{0}").format(name or self.tr("未设置")))
        where = str(self.ctx.db_path) if self.ctx.db_path else describe_url(self.ctx.url)
        self.status_db.setText(self.tr("数据库：{0}").format(where))

    def operator_role(self) -> str | None:
        """The signed-in operator's role (None: no operator, nothing restricted)."""
        from app.services.safety.auth import current_operator

        me = self.ctx.call(current_operator) if self.ctx.operator_id is not None else None
        return me.role if me else None

    def reload_everything(self) -> None:
        """After a restore: the whole database changed under the window; read everything again."""
        from .auth.session import sign_in

        self.ctx.set_unit(None)
        with user_errors(self):
            if not sign_in(self.ctx, self):
                self.close()
                return
        self.load_unit()
        self.unit_switcher.reload()
        for page in self.pages.built():  # the others query when they are built
            with user_errors(self):
                page.refresh()

    def current_page(self) -> Page | None:
        widget = self.stack.currentWidget()
        return widget if isinstance(widget, Page) else None

    def show_page(self, object_name: str) -> Page:
        page = self.pages[object_name]
        for row in range(self.nav.count()):
            if self.nav.item(row).data(Qt.ItemDataRole.UserRole) == object_name:
                self.nav.setCurrentRow(row)
        return page

    def _on_nav(self, row: int) -> None:
        item = self.nav.item(row)
        if item is None:
            return
        page = self.pages[item.data(Qt.ItemDataRole.UserRole)]
        self.stack.setCurrentWidget(page)

    def focus_search(self) -> None:
        page = self.current_page()
        box = page.search_box() if page else None
        if box is not None:
            box.setFocus(Qt.FocusReason.ShortcutFocusReason)
            box.selectAll()

    def print_current(self) -> None:
        page = self.current_page()
        if page is not None:
            with user_errors(self):
                page.print_current()

    def refresh_current(self) -> None:
        page = self.current_page()
        if page is not None:
            with user_errors(self):
                page.refresh()

    def set_large_font(self, large: bool) -> None:
        app_ = QApplication.instance()
        if isinstance(app_, QApplication):
            set_large_font(app_, large)
        self._fit_nav()
        settings.set_value("large_font", large)

    def open_import(self) -> None:
        from .imports.wizard import ImportWizard

        wizard = ImportWizard(self.ctx, self)
        wizard.imported.connect(self._data_imported)
        wizard.exec()

    def open_export_ledger(self) -> None:
        from .notices.page import NoticesPage

        page = self.pages.get("page_notices")
        if isinstance(page, NoticesPage):
            page.export_ledgers()

    def open_import_history(self) -> None:
        from .imports.history import ImportHistoryDialog

        dialog = ImportHistoryDialog(self.ctx, self)
        dialog.undone.connect(self._data_imported)
        dialog.exec()

    def _data_imported(self, _batch_id: int) -> None:
        # an import touches people, households, members, grids: every page queries again when shown
        for kind in ("resident", "household", "member", "org", "grid", "ticket"):
            self.changes.changed.emit(kind, self)

    def show_about(self) -> None:
        where = str(self.ctx.db_path) if self.ctx.db_path else describe_url(self.ctx.url)
        text = self.tr(
            "<h3>村级党建工作台</h3>"
            "<p>版本：{0}</p>"
            "<p>本村：{1}</p>"
            "<p>数据库：{2}</p>"
            "<p>数据文件夹：{3}</p>"
            "<p>日志文件夹：{4}</p>"
            "<p>离线使用，数据只保存在本机（或本乡镇的服务器）上。</p>"
        ).format(app.__version__, self.unit_name or "—", where, data_dir(), log_dir())
        box = QMessageBox(QMessageBox.Icon.Information, self.tr("关于"), text, QMessageBox.StandardButton.Ok, self)
        box.setObjectName("dlg_about")
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.exec()

    def closeEvent(self, event: QCloseEvent) -> None:
        settings.set_value("geometry", self.saveGeometry())
        super().closeEvent(event)

    def restore_geometry(self) -> None:
        geometry = settings.ui_settings().value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)  # type: ignore[arg-type]
            if not self.isMaximized() and not self.isFullScreen():
                self.fit_to_screen(self.size())  # saved on a larger monitor, or before the taskbar moved

    def fit_to_screen(self, size: QSize) -> None:
        """Resize to `size` but never past the screen's available area (less the title bar), and move the
        window inside it: a 1366×768 screen less its taskbar shows the whole window, 状态栏 included."""
        screen = QApplication.screenAt(self.geometry().center()) or QApplication.primaryScreen()
        if screen is None:
            self.resize(size)
            return
        room = screen.availableGeometry()
        width = min(size.width(), room.width())
        height = min(size.height(), room.height() - FRAME_ALLOWANCE)
        self.resize(width, height)
        x = min(max(self.x(), room.left()), room.left() + room.width() - width)
        y = min(max(self.y(), room.top()), room.top() + room.height() - height - FRAME_ALLOWANCE)
        self.move(max(x, room.left()), max(y, room.top()))

