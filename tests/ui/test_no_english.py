"""No English in front of a user (issue 20): every page of the main window on the demo village, every
window a button on it opens and the windows those open in turn (a 选择… picker in a form), every right-click
menu of a page's lists, tree and map, every window the menu bar opens, the messages shown, Qt's own file dialog
and message box — each text a user can read is collected and a Latin word outside a short allow-list fails the test.

Qt's own dialogs are in Chinese only with Qt's translation installed, as the program does at start
(ui.main.install_translations); the tests install it the same way and take it away afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QAbstractItemModel, QCoreApplication, QModelIndex, Qt, QTimer
from PySide6.QtGui import QContextMenuEvent, QTextDocumentFragment
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QApplication,
    QComboBox,
    QDialog,
    QFileSystemModel,
    QGraphicsView,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QTabBar,
    QTabWidget,
    QWidget,
)

LATIN = re.compile(r"[A-Za-z]{2,}")
# Latin words a Chinese village office reads as they are: file formats and the programs that open them.
ALLOWED = {
    "PDF", "Excel", "WPS", "CSV", "xlsx", "xls", "csv", "pdf",
    "Ctrl", "Shift", "Alt", "Del", "Enter", "Esc", "Tab",  # key names, as printed on the keyboard
    "PNG",  # the map exported as a picture
    "zs",  # the search boxes' example of 拼音首字母 (张三): what the user types is Latin
    "admin", "wangwenshu",  # login names are Latin letters: the built-in 书记 account and the form's example
    "KB", "MB", "GB", "KiB", "MiB", "GiB",  # file sizes in a file dialog, as Windows shows them too
    "SQLite",  # the file type Qt names for a database backup (「SQLite3 数据库」), like Excel for xlsx
}
# A path or file name (the database's place in the status bar, a file name in a message) is the user's, not ours.
PATH = re.compile(r"(?:[A-Za-z]:)?[\\/][^\s，。；：（）()「」“”]*|\*\.\w+|[\w.-]+\.(?:sqlite|db|vdbak|vdpkg|vdkey|pub|xlsx|xls|csv|pdf|png|jpg|log|ini)\b")
ROWS_SAMPLED = 5
SETTLE_TICKS = 5  # × 30 ms
NESTED = 2  # windows opened from a window opened from a window … this deep are read too
# A button in a window whose text ends with an ellipsis opens another window (选择…, 导出问题行…): pressed.
OPENS_WINDOW = re.compile(r"(…|\.\.\.)$")


def english(texts: dict[str, str]) -> dict[str, str]:
    """{where: text} for the texts holding a Latin word outside the allow-list."""
    out = {}
    for where, text in texts.items():
        words = [w for w in LATIN.findall(PATH.sub(" ", text)) if w not in ALLOWED]
        if words:
            out[where] = text
    return out


def _plain(text: str) -> str:
    return QTextDocumentFragment.fromHtml(text).toPlainText() if "<" in text else text


def _columns(model: QAbstractItemModel, root: QModelIndex) -> int:
    try:
        return model.columnCount(root)
    except TypeError:  # a list model's columnCount is private in PySide6: it has the one
        return 1


def visible_texts(root: QWidget) -> dict[str, str]:
    """Every text a user can read in `root` and its visible children: {where it was found: text}."""
    out: dict[str, str] = {}

    def put(widget: QWidget, what: str, text: object) -> None:
        if isinstance(text, str) and text.strip():  # the child's number: two unnamed buttons are two texts
            out[f"{type(widget).__name__}#{widget.objectName() or number[widget]} {what}"] = text

    widgets = [root, *root.findChildren(QWidget)]
    number = {w: i for i, w in enumerate(widgets)}
    put(root, "title", root.windowTitle())
    for w in widgets:
        if not w.isVisible():
            continue
        put(w, "tooltip", w.toolTip())
        if isinstance(w, QLabel):
            put(w, "text", _plain(w.text()))
        elif isinstance(w, QAbstractButton):
            put(w, "text", w.text())
        elif isinstance(w, QGroupBox):
            put(w, "title", w.title())
        elif isinstance(w, QTabBar):
            for i in range(w.count()):
                put(w, f"tab {i}", w.tabText(i))
        elif isinstance(w, QLineEdit):
            put(w, "placeholder", w.placeholderText())
        elif isinstance(w, QComboBox):
            for i in range(w.count()):
                put(w, f"item {i}", w.itemText(i))
        elif isinstance(w, QAbstractItemView) and not isinstance(w, QHeaderView) and w.model() is not None:
            model, root = w.model(), w.rootIndex()  # the rows shown (a file dialog's model starts at /)
            for c in range(_columns(model, root)):
                put(w, f"header {c}", model.headerData(c, Qt.Orientation.Horizontal))
                # a file dialog's places and file names are the user's; its sizes, types and dates are Qt's
                if w.objectName() == "sidebar" or (c == 0 and isinstance(model, QFileSystemModel)):
                    continue
                for r in range(min(model.rowCount(root), ROWS_SAMPLED)):
                    put(w, f"row {r} col {c}", model.data(model.index(r, c, root)))
    return out


def menu_texts(menu: QMenu, where: str = "") -> dict[str, str]:
    out = {}
    for action in menu.actions():
        key = f"{where}/{action.text()}"
        out[key] = action.text()
        if action.menu() is not None:
            out.update(menu_texts(action.menu(), key))
    return out


class WindowCatcher:
    """While active: each modal dialog that opens has its texts collected and is closed again, and so is
    any other window that appears (a preview): a button can be pressed without a test for each dialog."""

    def __init__(self, known: set[QWidget], depth: int = 0, where: str = "") -> None:
        self.known = known
        self.depth, self.where = depth, where
        self.texts: dict[str, str] = {}
        self.seen: list[str] = []
        self.ticks: dict[QWidget, int] = {}
        self.timer = QTimer()
        self.timer.setInterval(30)
        self.timer.timeout.connect(self.catch)

    def catch(self, now: bool = False) -> None:
        for w in QApplication.topLevelWidgets():
            if w in self.known or not w.isVisible():
                continue
            if isinstance(w, QMenu):  # a button's menu: read, then closed (its exec would wait for a click)
                self.texts.update({f"menu {k}": v for k, v in menu_texts(w).items()})
                w.close()
                continue
            # read a window a few ticks after it appears: its buttons and a file list are filled in by then
            self.ticks[w] = self.ticks.get(w, 0) + 1
            if self.ticks[w] < SETTLE_TICKS and not now:
                continue
            name = f"{self.where}{type(w).__name__}「{w.windowTitle()}」"
            self.seen.append(name)
            self.texts.update({f"{name} {k}": v for k, v in visible_texts(w).items()})
            if isinstance(w, QDialog) and self.depth < NESTED:
                self._open_from(w, name)
            if isinstance(w, QDialog):
                w.reject()
            w.close()

    def _open_from(self, dialog: QDialog, name: str) -> None:
        """Press the buttons of `dialog` that open another window, reading that window (and its own) too."""
        buttons = [b for b in dialog.findChildren(QAbstractButton)
                   if b.isVisible() and b.isEnabled() and OPENS_WINDOW.search(b.text())
                   and not NOT_PRESSED.search(b.text())]
        for button in buttons:
            if not dialog.isVisible():  # a button before closed it (its window took over)
                break
            known = {w for w in QApplication.topLevelWidgets() if w.isVisible()}
            # a timer of its own: this one is inside its timeout and would not fire in the new window's loop
            with WindowCatcher(known, self.depth + 1, f"{name} → ") as inner:
                button.click()
                QApplication.processEvents()
            self.texts.update(inner.texts)
            self.seen += inner.seen

    def __enter__(self) -> WindowCatcher:
        self.timer.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.timer.stop()
        self.catch(now=True)


@pytest.fixture
def qt_chinese(qapp: Any) -> Iterator[None]:
    from ui.main import install_translations

    translators = install_translations(qapp)
    assert len(translators) == 2, "Qt's qtbase_zh_CN.qm is not shipped with PySide6 here"
    yield
    for translator in translators:
        qapp.removeTranslator(translator)


def _pages() -> list[Any]:
    from ui.main_window import TOWNSHIP_PAGES, page_classes

    # the demo village has no township: tests/ui/test_township_page.py walks 镇级汇总 on a township database
    return [pytest.param(cls.object_name, id=cls.object_name) for cls in page_classes()
            if cls.object_name not in TOWNSHIP_PAGES]


# Buttons a walk must not press: they end the session or the program, not open a window.
NOT_PRESSED = re.compile(r"退出|注销|锁定|关闭程序")


def right_click(widget: QWidget) -> None:
    """A right click as the mouse makes it: on a list's first row (its row actions too), else the middle."""
    target = widget.viewport() if isinstance(widget, QAbstractScrollArea) else widget
    pos = target.rect().center()
    if isinstance(widget, QAbstractItemView) and widget.model() is not None and widget.model().rowCount() > 0:
        index = widget.model().index(0, 0)
        widget.setCurrentIndex(index)
        pos = widget.visualRect(index).center()
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, target.mapToGlobal(pos))
    QApplication.sendEvent(target, event)
    QApplication.processEvents()


def context_menu_widgets(page: QWidget) -> list[QWidget]:
    """The page's visible lists, trees and the map: what a user right-clicks."""
    return [w for w in page.findChildren(QWidget)
            if w.isVisible() and isinstance(w, (QAbstractItemView, QGraphicsView)) and not isinstance(w, QHeaderView)]


def messages(shown: list[tuple[str, str, str]]) -> dict[str, str]:
    """The message boxes the program showed (faked in these tests): their titles and texts."""
    out = {}
    for i, (kind, title, text) in enumerate(shown):
        out[f"message {i} {kind} title"] = title
        out[f"message {i} {kind} text"] = _plain(text)
    return out


@pytest.mark.parametrize("title", _pages())
def test_a_page_and_the_windows_its_buttons_open_show_no_english(
    qtbot: Any, window: Any, qt_chinese: None, title: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    no_popups: Any,
) -> None:
    _file_dialogs_in(tmp_path, monkeypatch)
    page = window.show_page(title)
    window.stack.setCurrentWidget(page)  # 开始使用 leaves the navigation once the village is set up
    qtbot.wait(20)
    texts = {f"{title}: {k}": v for k, v in visible_texts(window).items()}
    known = {w for w in QApplication.topLevelWidgets() if w.isVisible()}
    pressed: set[QAbstractButton] = set()
    # the page as it opens, then each tab of each tab widget: read what shows, press what can be pressed
    views = [(None, 0)] + [(tabs, i) for tabs in page.findChildren(QTabWidget) for i in range(tabs.count())]
    clicked: set[QWidget] = set()
    with WindowCatcher(known) as catcher:
        for tabs, i in views:
            if tabs is not None:
                if not tabs.isVisible():
                    continue
                tabs.setCurrentIndex(i)
                texts.update({f"{title} tab {i}: {k}": v for k, v in visible_texts(page).items()})
            for view in context_menu_widgets(page):
                if view not in clicked and window.stack.currentWidget() is page:
                    right_click(view)
                    clicked.add(view)
                    qtbot.wait(SETTLE_TICKS * 30)  # the catcher reads the menu and closes it
            for button in page.findChildren(QAbstractButton):
                if (button not in pressed and button.isVisible() and button.isEnabled() and button.text()
                        and not NOT_PRESSED.search(button.text()) and window.stack.currentWidget() is page):
                    button.click()
                    pressed.add(button)
                    QApplication.processEvents()
    assert pressed
    texts.update(catcher.texts)
    texts.update(messages(no_popups.shown))
    assert english(texts) == {}


def test_right_clicks_open_menus_and_nested_windows_are_read(
    qtbot: Any, window: Any, qt_chinese: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The walk above reaches what it claims: a list's right-click menu, the map's, and a picker opened from a form."""
    _file_dialogs_in(tmp_path, monkeypatch)
    known = {w for w in QApplication.topLevelWidgets() if w.isVisible()}
    with WindowCatcher(known) as catcher:
        members = window.show_page("page_members")
        right_click(members.table_members)
        qtbot.wait(SETTLE_TICKS * 60)
        grid = window.show_page("page_grid")
        right_click(grid.findChild(QGraphicsView, "map_view"))
        qtbot.wait(SETTLE_TICKS * 60)
        window.action_import.trigger()  # the import wizard, and its 浏览… opens Qt's file dialog
        QApplication.processEvents()
    menus = {v for k, v in catcher.texts.items() if k.startswith("menu ")}
    assert {"导出当前列表…", "打印当前列表…"} <= menus, sorted(menus)
    assert any("新增户" in v for v in menus), sorted(menus)
    assert any(" → QFileDialog" in name for name in catcher.seen), catcher.seen  # a window opened from a window
    assert english(catcher.texts) == {}


# Menu-bar actions the walk must not trigger: they end the program or switch the font for the rest of the run.
NOT_TRIGGERED = {"action_quit", "action_large_font"}


def test_the_windows_the_menu_bar_opens_show_no_english(
    qtbot: Any, window: Any, qt_chinese: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_popups: Any,
) -> None:
    _file_dialogs_in(tmp_path, monkeypatch)

    def actions(menu: Any) -> list[Any]:
        out = []
        for action in menu.actions():
            if action.menu() is not None:
                out += actions(action.menu())
            elif not action.isSeparator() and action.objectName() not in NOT_TRIGGERED:
                out.append(action)
        return out

    triggered = []
    with WindowCatcher({w for w in QApplication.topLevelWidgets() if w.isVisible()}) as catcher:
        for action in actions(window.menuBar()):
            window.show_page("page_residents")  # a page with a list: 打印 opens its preview
            action.trigger()
            triggered.append(action.objectName())
            qtbot.wait(SETTLE_TICKS * 40)
    assert {"action_import", "action_import_history", "action_export_ledger", "action_print", "action_about"} <= set(
        triggered), triggered
    texts = {**catcher.texts, **messages(no_popups.shown)}
    assert len(catcher.seen) + len(no_popups.shown) >= 4, (catcher.seen, no_popups.shown)
    assert english(texts) == {}


def _file_dialogs_in(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """File dialogs open in `folder` holding a folder and a file (their names and sizes are in Qt's words),
    not in this machine's 文档."""
    from ui.common import files

    monkeypatch.setattr(files, "last_folder", lambda _purpose="export": folder)
    # 从备份文件恢复 opens in the backups folder: there it would list the suite's own database files
    monkeypatch.setattr("ui.settings.page.backup_dir", lambda: folder)
    (folder / "台账").mkdir()
    (folder / "旧台账.xlsx").write_bytes(b"x" * 150_000)


def test_qt_file_dialog_and_message_box_speak_chinese(
    qtbot: Any, window: Any, qt_chinese: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ui.common import files

    _file_dialogs_in(tmp_path, monkeypatch)
    texts = {f"menu {k}": v for k, v in menu_texts(window.menuBar()).items()}
    with WindowCatcher({w for w in QApplication.topLevelWidgets() if w.isVisible()}) as catcher:
        assert files.ask_save_path(window, "导出台账", "台账", "Excel 文件 (*.xlsx)", ".xlsx") is None
        QMessageBox.question(window, "确认", "确定要作废吗？")
        QMessageBox.information(window, "完成", "已保存。")
    assert catcher.seen == ["QFileDialog「导出台账」", "QMessageBox「确认」", "QMessageBox「完成」"]
    texts.update(catcher.texts)
    shown = set(texts.values())
    # Qt's own words, translated: what the issue saw in English
    assert english(texts) == {}
    assert {"查找范围(&L)：", "文件类型(&T)：", "修改日期", "是(&Y)", "否(&N)", "确定"} <= shown, sorted(shown)
    # a file's type column (filled in by a thread, too late for the walk): the supplement's words
    assert QCoreApplication.translate("QAbstractFileIconProvider", "Folder") == "文件夹"
    assert QCoreApplication.translate("QAbstractFileIconProvider", "%1 File") == "%1 文件"


def test_the_check_finds_english_and_lets_file_names_and_formats_pass(qtbot: Any) -> None:
    box = QWidget()
    qtbot.addWidget(box)
    box.setWindowTitle("导出")
    label = QLabel("<b>Look in:</b>", box)
    label.setObjectName("lbl")
    combo = QComboBox(box)
    combo.addItems(["全部", "star_category"])
    QLabel("已导出到 /home/wang/台账.xlsx，可用 Excel 或 WPS 打开（PDF 另存）", box)
    box.show()
    found = english(visible_texts(box))
    assert sorted(found.values()) == ["Look in:", "star_category"]


def test_grid_colour_is_chosen_by_name_and_an_old_colour_is_kept(qtbot: Any, demo_ctx: Any) -> None:
    from ui.grid.dialogs import PALETTE, GridDialog, select_color

    dialog = GridDialog(demo_ctx, demo_ctx.unit_id)
    qtbot.addWidget(dialog)
    combo = dialog.color
    assert [combo.itemText(i) for i in range(combo.count())] == [name for _c, name in PALETTE]
    assert not combo.isEditable()
    combo.setCurrentIndex(2)
    assert dialog.values()["color"] == "#4caf6a"  # stored as before: the map draws it
    select_color(combo, "#123456")  # a grid coloured by an older version keeps its colour
    assert (combo.currentText(), combo.currentData()) == ("原有颜色", "#123456")
    select_color(combo, "#d0605e")
    assert combo.currentText() == "红色"


def test_grid_colour_on_the_map_is_chosen_by_name(
    qtbot: Any, window: Any, demo_ctx: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """改颜色 on the map offers the palette's names (Qt's colour dialog showed 「HTML」 and RGB fields)."""
    from PySide6.QtWidgets import QInputDialog

    from app.services.grid.grids import list_grids
    from ui.grid.dialogs import PALETTE

    page = window.show_page("page_grid")
    grid = demo_ctx.call(list_grids, demo_ctx.unit_id)[0]
    page.select_grid(grid.id)
    offered: list[tuple[str, list[str], int]] = []

    def choose(_parent: Any, title: str, _label: str, items: list[str], current: int, editable: bool) -> Any:
        assert not editable
        offered.append((title, items, current))
        return "紫色", True

    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(choose))
    qtbot.mouseClick(page.btn_recolor, Qt.MouseButton.LeftButton)
    assert offered and offered[0][1] == [name for _c, name in PALETTE]
    saved = {g.id: g.color for g in demo_ctx.call(list_grids, demo_ctx.unit_id)}
    assert saved[grid.id] == "#8a6fd1"
