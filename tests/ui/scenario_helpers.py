"""What a user's hands do in the blank-village scenario (test_blank_village_scenario): type, click, pick from a
list, answer the dialog that opens, drag a household from the 未上图 list onto the map.

Modal dialogs are driven by tests/ui/dialogs.py `drive`, as the component tests do it.
"""

from __future__ import annotations

import sys
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QInputMethodEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTreeWidget,
    QWidget,
)

from tests.ui.conftest import FakeMessageBox
from tests.ui.dialogs import Seen


def quiet_message_boxes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every window module that shows a QMessageBox gets the recording stand-in (question → 是)."""
    for name, module in list(sys.modules.items()):
        if name.startswith("ui.") and getattr(module, "QMessageBox", None) is QMessageBox:
            monkeypatch.setattr(module, "QMessageBox", FakeMessageBox)


def click(qtbot: Any, widget: QWidget | None) -> None:
    assert widget is not None, "no such widget"
    assert widget.isVisible() and widget.isEnabled(), f"{widget.objectName()} cannot be clicked"
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def button(parent: QWidget, name: str) -> QPushButton:
    found = parent.findChild(QPushButton, name)
    assert found is not None, name
    return found


def field(dialog: QWidget, name: str) -> Any:
    found = dialog.findChild(QWidget, f"field_{name}")
    assert found is not None, name
    return found


def type_into(qtbot: Any, edit: QLineEdit | QPlainTextEdit, text: str) -> None:
    """Replace the field's text as a user would: select all, then key presses (ASCII) or an input method's
    commit (汉字, which QTest cannot press)."""
    assert edit.isVisible() and edit.isEnabled(), edit.objectName()
    edit.setFocus()
    edit.selectAll()
    if text.isascii():
        if isinstance(edit, QPlainTextEdit):
            edit.clear()
        elif edit.hasSelectedText():
            qtbot.keyClick(edit, Qt.Key.Key_Delete)
        qtbot.keyClicks(edit, text)
        return
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(edit, event)
    assert text in (edit.toPlainText() if isinstance(edit, QPlainTextEdit) else edit.text())


def type_field(qtbot: Any, dialog: QWidget, name: str, text: str) -> None:
    type_into(qtbot, field(dialog, name), text)


def choose(combo: QComboBox, data: object) -> None:
    """Pick the entry whose data is `data` (as a click in the open list would)."""
    index = combo.findData(data)
    assert index >= 0, f"{combo.objectName()}: no {data!r}"
    combo.setCurrentIndex(index)


def choose_text(combo: QComboBox, text: str) -> None:
    """Pick the entry shown as `text` (leading indentation of tree levels ignored)."""
    index = next((i for i in range(combo.count()) if combo.itemText(i).strip() == text), -1)
    assert index >= 0, f"{combo.objectName()}: no {text!r} in {[combo.itemText(i) for i in range(combo.count())]}"
    combo.setCurrentIndex(index)


def save(qtbot: Any, dialog: QWidget) -> None:
    click(qtbot, button(dialog, "btn_save"))


def errors(widget: QWidget) -> dict[str, str]:
    """The problems shown beside fields (err_<field>) and above the buttons (err_form)."""
    return {e.objectName(): e.text() for e in widget.findChildren(QLabel)
            if e.objectName().startswith("err_") and e.isVisible() and e.text()}


def opened(seen: Seen) -> Any:
    """The dialog the scenario filled in, after checking it opened and nothing failed in it."""
    assert seen, "the dialog did not open"
    if seen.failure is not None:
        raise seen.failure
    return seen[-1]


def accepted(seen: Seen) -> Any:
    """The dialog the scenario filled in, after checking it opened, nothing failed in it and it was saved."""
    dialog = opened(seen)
    assert dialog.result() == 1, errors(dialog)
    return dialog


# ---- lists, tables, trees ------------------------------------------------------------------------


def click_nav(qtbot: Any, window: Any, page_name: str) -> Any:
    nav = window.nav
    for row in range(nav.count()):
        item = nav.item(row)
        if item.data(Qt.ItemDataRole.UserRole) == page_name:
            nav.scrollToItem(item)
            qtbot.mouseClick(nav.viewport(), Qt.MouseButton.LeftButton, pos=nav.visualItemRect(item).center())
            assert window.stack.currentWidget().objectName() == page_name
            QApplication.processEvents()
            return window.pages[page_name]
    raise AssertionError(f"no navigation entry for {page_name}")


def click_list_item(qtbot: Any, lst: QListWidget, text: str) -> None:
    """Click the entry whose text starts with `text`."""
    for row in range(lst.count()):
        item = lst.item(row)
        if item.text().startswith(text):
            lst.scrollToItem(item)
            qtbot.mouseClick(lst.viewport(), Qt.MouseButton.LeftButton, pos=lst.visualItemRect(item).center())
            assert lst.currentItem() is item
            return
    raise AssertionError(f"{lst.objectName()}: no {text!r} in {list_texts(lst)}")


def list_texts(lst: QListWidget) -> list[str]:
    return [lst.item(i).text() for i in range(lst.count())]


def pick(qtbot: Any, dialog: QWidget, name: str, typed: str, label: str) -> None:
    """A SearchPicker (edit_<name> / list_<name>): type, wait for the matches, click the one meant."""
    edit = dialog.findChild(QLineEdit, f"edit_{name}")
    matches = dialog.findChild(QListWidget, f"list_{name}")
    assert edit is not None and matches is not None, name
    type_into(qtbot, edit, typed)
    qtbot.waitUntil(lambda: any(t.startswith(label) for t in list_texts(matches)))
    click_list_item(qtbot, matches, label)


def click_row(qtbot: Any, table: Any, column: int, text: str) -> None:
    """Click the table row whose cell in `column` shows `text`."""
    model = table.model()
    for row in range(model.rowCount()):
        index = model.index(row, column)
        if index.data() == text:
            table.scrollTo(index)
            qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(index).center())
            assert table.current_row() == row
            return
    raise AssertionError(f"{table.objectName()}: no row {text!r}")


def column_texts(table: Any, header: str) -> list[str]:
    model = table.model()
    col = next(c for c in range(model.columnCount())
               if model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole) == header)
    return [model.index(r, col).data() for r in range(model.rowCount())]


def click_tree_item(qtbot: Any, tree: QTreeWidget, text: str) -> None:
    found = tree.findItems(text, Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive)
    assert found, f"{tree.objectName()}: no {text!r}"
    item = found[0]
    tree.scrollToItem(item)
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualItemRect(item).center())
    assert tree.currentItem() is item


def ticks(start_page: QWidget, keys: tuple[str, ...]) -> dict[str, bool]:
    return {key: start_page.findChild(QCheckBox, f"chk_{key}").isChecked() for key in keys}


# ---- the map --------------------------------------------------------------------------------------


def click_map(view: Any, x: float, y: float, double: bool = False) -> None:
    at = view.mapFromScene(QPointF(x, y))
    if double:
        QTest.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at)
    else:
        QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at)


def drag_household_onto_map(page: Any, label: str, x: float, y: float) -> None:
    """A household dragged from 未上图的户 and dropped on the map at (x, y) in map units.

    The drag carries what the list itself puts on it (UnplacedList.mimeData) and the map's viewport receives
    the enter, move and drop events a drag delivers, so MapView.dropEvent runs as it does for a user. The
    list's own QDrag is not started: on the offscreen test platform QDrag.exec returns at once without
    delivering anything (tried: the press and moves do reach startDrag).
    """
    lst = page.list_unplaced
    item = next((lst.item(i) for i in range(lst.count()) if lst.item(i).text().startswith(label)), None)
    assert item is not None, f"{label!r} not in {list_texts(lst)}"
    lst.setCurrentItem(item)
    mime = lst.mimeData([item])
    viewport = page.view.viewport()
    at = QPointF(page.view.mapFromScene(QPointF(x, y)))
    buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    action = Qt.DropAction.MoveAction
    enter = QDragEnterEvent(QPoint(int(at.x()), int(at.y())), action, mime, buttons, mods)
    QApplication.sendEvent(viewport, enter)
    assert enter.isAccepted(), "the map refused the drag"
    move = QDragMoveEvent(QPoint(int(at.x()), int(at.y())), action, mime, buttons, mods)
    QApplication.sendEvent(viewport, move)
    assert move.isAccepted()
    drop = QDropEvent(at, action, mime, buttons, mods)
    QApplication.sendEvent(viewport, drop)
    assert drop.isAccepted(), "the map did not take the household"
    QApplication.processEvents()
