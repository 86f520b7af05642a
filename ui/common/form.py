"""Dialog forms: fields in a grid, each with a red message beside it when the service says no.

A dialog subclass adds fields (`add_line`, `add_combo`, `add_date` …), implements `values()` and
`save(values)`; `save` calls a service. A ValidationError keeps the dialog open and shows every
problem beside its field (QLabel `err_<field>`); problems for fields the form does not show go to
the line above the buttons (`err_form`). Nothing is saved until the service accepts the whole input.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QCompleter,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.services.errors import FieldProblem, ServiceError, ValidationError

from ..errors import show_failure

log = logging.getLogger(__name__)

ERROR_STYLE = "color: #c62828;"
INVALID_STYLE = "border: 1px solid #c62828;"
FRAME_ALLOWANCE = 40  # the title bar a window manager adds above a dialog (not in its size)

_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-./年\s](\d{1,2})[-./月\s](\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


class DateText(QLineEdit):
    """A date typed as 2021-07-01 (also 2021.7.1, 2021/7/1, 2021年7月1日, 20210701); empty is allowed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText(self.tr("如 2021-07-01"))
        self.setMaxLength(12)
        self.editingFinished.connect(self._tidy)

    def _tidy(self) -> None:
        try:
            d = self.date()
        except ValueError:
            return
        if d is not None:
            self.setText(d.isoformat())

    def date(self) -> date | None:
        """The date, None when empty; ValueError (Chinese message) when it is not a date."""
        text = self.text().strip()
        if not text:
            return None
        for pattern in _DATE_PATTERNS:
            m = pattern.match(text)
            if m:
                try:
                    return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
                except ValueError:
                    raise ValueError(self.tr("日期“{0}”不存在").format(text)) from None
        raise ValueError(self.tr("日期格式应为 年-月-日，如 2021-07-01"))

    def set_date(self, value: date | None) -> None:
        self.setText(value.isoformat() if value else "")


def within_screen(size: QSize) -> QSize:
    """`size` cut to the screen's available area less the title bar: a window opened at it shows its buttons."""
    # QApplication's screen: QWidget.screen() here led to a crash in a later dialog (PySide 6, X11)
    screen = QApplication.primaryScreen()
    if screen is None:
        return size
    room = screen.availableGeometry()
    return size.boundedTo(QSize(room.width(), room.height() - FRAME_ALLOWANCE))


class FormScrollArea(QScrollArea):
    """The fields of a tall form (scroll=True): they scroll on a low screen while the buttons stay in view.
    It asks for the whole form (QScrollArea's own hint is capped at a few dozen lines)."""

    def __init__(self, body: QWidget, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("scroll_form")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # no Tab stop of its own; it scrolls to the focused field
        self.setWidgetResizable(True)
        self.setWidget(body)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        hint = self.widget().sizeHint()
        return QSize(hint.width() + self.verticalScrollBar().sizeHint().width(), hint.height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        width = self.widget().minimumSizeHint().width() + self.verticalScrollBar().sizeHint().width()
        return QSize(width, self.fontMetrics().height() * 8)


class FormDialog(QDialog):
    """A dialog of labelled fields with inline problems, 保存 (Ctrl+S) and 取消.

    It opens at its full size within the screen (Qt alone shrinks a new window to two thirds of the screen,
    cutting wrapped lines) and grows when problems appear beside the fields. scroll=True puts the fields in
    a scroll area: a long form on a 1366×768 screen with the larger font keeps 保存/取消 in view.
    """

    def __init__(self, object_name: str, title: str, parent: QWidget | None = None, scroll: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setWindowTitle(title)
        self.setModal(True)
        self.fields: dict[str, QWidget] = {}
        self.labels: dict[str, str] = {}
        self.errors: dict[str, QLabel] = {}
        self.aliases: dict[str, str] = {}  # the service's field id → this form's field name
        self.result_value: Any = None

        outer = QVBoxLayout(self)
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(10)
        self.grid.setVerticalSpacing(6)
        self.grid.setColumnStretch(1, 1)
        self.body: QWidget = self  # the widget that holds the grid of fields
        if scroll:
            self.body = QWidget(self)
            self.body.setObjectName("form_body")
            self.body.setLayout(self.grid)
            self.grid.setContentsMargins(0, 0, 0, 0)  # aligned with what is above and below the scroll area
            outer.addWidget(FormScrollArea(self.body, self), 1)
        else:
            outer.addLayout(self.grid)
        self._row = 0
        self._col = 0  # first grid column of the current column of fields (label, widget, message)

        self.form_error = QLabel(self)
        self.form_error.setObjectName("err_form")
        self.form_error.setStyleSheet(ERROR_STYLE)
        self.form_error.setWordWrap(True)
        self.form_error.hide()
        outer.addWidget(self.form_error)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.btn_save = QPushButton(self.tr("保存"), self)
        self.btn_save.setObjectName("btn_save")
        self.btn_save.setDefault(True)
        self.btn_save.setToolTip(self.tr("保存（Ctrl+S）"))
        self.btn_cancel = QPushButton(self.tr("取消"), self)
        self.btn_cancel.setObjectName("btn_cancel")
        buttons.addWidget(self.btn_save)
        buttons.addWidget(self.btn_cancel)
        outer.addLayout(buttons)

        self.btn_save.clicked.connect(self.on_save)
        self.btn_cancel.clicked.connect(self.reject)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.on_save)

    # ---- building -------------------------------------------------------------------------------

    def add_section(self, title: str) -> None:
        label = QLabel(f"<b>{title}</b>", self.body)
        self.grid.addWidget(label, self._row, self._col, 1, 3)
        self._row += 1

    def new_column(self) -> None:
        """Further fields go into a new column to the right (long forms on low screens)."""
        self._col += 3
        self._row = 0
        self.grid.setColumnMinimumWidth(self._col, 16)
        self.grid.setColumnStretch(self._col + 1, 1)

    def add_field(
        self, name: str, label: str, widget: QWidget, required: bool = False, service_field: str | None = None
    ) -> QWidget:
        """Add a field `field_<name>` with its message label `err_<name>`.

        service_field: the name the service uses in its problems when it differs (org_id for org).
        """
        widget.setObjectName(f"field_{name}")
        widget.setParent(self.body)
        widget.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 13)
        caption = QLabel(label + ("<span style='color:#c62828'> *</span>" if required else ""), self.body)
        caption.setObjectName(f"label_{name}")
        caption.setBuddy(widget)
        caption.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        error = QLabel(self.body)
        error.setObjectName(f"err_{name}")
        error.setStyleSheet(ERROR_STYLE)
        error.setWordWrap(True)
        error.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 12)
        error.setMaximumWidth(self.fontMetrics().horizontalAdvance("中") * 18)
        error.hide()
        self.grid.addWidget(caption, self._row, self._col)
        self.grid.addWidget(widget, self._row, self._col + 1)
        self.grid.addWidget(error, self._row, self._col + 2)
        self._row += 1
        if service_field:
            self.aliases[service_field] = name
        self.fields[name] = widget
        self.labels[name] = label
        self.errors[name] = error
        return widget

    def show_field(self, name: str, visible: bool) -> None:
        """Show or hide a field with its caption; a hidden field's problem text goes with it."""
        self.fields[name].setVisible(visible)
        caption = self.findChild(QLabel, f"label_{name}")
        if caption is not None:
            caption.setVisible(visible)
        if not visible:
            self.errors[name].hide()

    def add_line(
        self, name: str, label: str, required: bool = False, placeholder: str = "", max_length: int = 0
    ) -> QLineEdit:
        edit = QLineEdit(self)
        if placeholder:
            edit.setPlaceholderText(placeholder)
        if max_length:
            edit.setMaxLength(max_length)
        self.add_field(name, label, edit, required)
        return edit

    def add_combo(
        self,
        name: str,
        label: str,
        items: Sequence[tuple[str, object]] | Sequence[str],
        required: bool = False,
        blank: str | None = None,
        service_field: str | None = None,
    ) -> QComboBox:
        """A choice. items: texts, or (text, value) pairs; `blank` adds a first entry meaning none."""
        combo = QComboBox(self)
        if blank is not None:
            combo.addItem(blank, None)
        set_combo_items(combo, items, keep_first=blank is not None)
        self.add_field(name, label, combo, required, service_field)
        return combo

    def add_date(self, name: str, label: str, required: bool = False) -> DateText:
        edit = DateText(self)
        self.add_field(name, label, edit, required)
        return edit

    def add_text(self, name: str, label: str) -> QPlainTextEdit:
        edit = QPlainTextEdit(self)
        edit.setFixedHeight(self.fontMetrics().height() * 3 + 12)
        edit.setTabChangesFocus(True)
        self.add_field(name, label, edit)
        return edit

    # ---- size -----------------------------------------------------------------------------------

    def fit_contents(self) -> None:
        """Grow to show what the form holds now (a problem beside a field wraps to two lines), within the
        screen; never shrink what the user has sized."""
        layout = self.layout()
        if layout is None:
            return
        for area in self.findChildren(FormScrollArea):
            area.updateGeometry()  # the layout keeps its hint until told: the fields may have grown
        layout.activate()
        hint = self.sizeHint()
        width = max(self.width(), hint.width())
        size = within_screen(QSize(width, max(self.height(), hint.height(), self.heightForWidth(width))))
        if size != self.size():
            self.resize(size)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt API)
        if not event.spontaneous():
            self.fit_contents()  # before QDialog centres it over its parent
        super().showEvent(event)

    # ---- reading --------------------------------------------------------------------------------

    def date_value(self, name: str, problems: list[FieldProblem]) -> date | None:
        """The date in a DateText field; a bad date becomes a problem shown beside the field."""
        widget = self.fields[name]
        assert isinstance(widget, DateText)
        try:
            return widget.date()
        except ValueError as e:
            problems.append(FieldProblem(name, self.labels[name], str(e)))
            return None

    # ---- problems -------------------------------------------------------------------------------

    def clear_problems(self) -> None:
        for name, label in self.errors.items():
            label.clear()
            label.hide()
            self.fields[name].setStyleSheet("")
        self.form_error.clear()
        self.form_error.hide()

    def show_problems(self, problems: Sequence[FieldProblem]) -> None:
        self.clear_problems()
        loose: list[str] = []
        first: QWidget | None = None
        by_field: dict[str, list[str]] = {}
        for p in problems:
            name = self.aliases.get(p.field, p.field)
            if name in self.errors:
                by_field.setdefault(name, []).append(p.message)
            else:
                loose.append(str(p))
        for name, messages in by_field.items():
            self.errors[name].setText("\n".join(messages))
            self.errors[name].show()
            self.fields[name].setStyleSheet(INVALID_STYLE)
            if first is None:
                first = self.fields[name]
        if loose:
            self.show_form_error("\n".join(loose))
        if first is not None:
            first.setFocus()
        self.fit_contents()

    def show_form_error(self, message: str) -> None:
        self.form_error.setText(message)
        self.form_error.show()
        self.fit_contents()

    # ---- saving ---------------------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        """The input as the service wants it. Raise ValidationError for what the form itself rejects."""
        raise NotImplementedError

    def save(self, values: dict[str, Any]) -> Any:
        """Call the service; return what it returns (kept in result_value)."""
        raise NotImplementedError

    def on_save(self) -> None:
        if not self.btn_save.isEnabled():
            return
        try:
            values = self.values()
            self.result_value = self.save(values)
        except ValidationError as e:
            self.show_problems(e.problems)
            return
        except ServiceError as e:
            self.clear_problems()
            self.show_form_error(str(e))
            return
        except Exception as e:  # a full disk or a locked database is said as it is, anything else logged
            log.info("saving %s failed", self.objectName())
            show_failure(self, e)
            return
        self.accept()


def set_combo_items(
    combo: QComboBox, items: Sequence[tuple[str, object]] | Sequence[str], keep_first: bool = False
) -> None:
    while combo.count() > (1 if keep_first else 0):
        combo.removeItem(combo.count() - 1)
    for item in items:
        if isinstance(item, tuple):
            combo.addItem(item[0], item[1])
        else:
            combo.addItem(item, item)


def select_combo_data(combo: QComboBox, value: object) -> None:
    for i in range(combo.count()):
        if combo.itemData(i) == value:
            combo.setCurrentIndex(i)
            line = combo.lineEdit()
            if line is not None:  # an entry longer than the field shows from its start (the 户号), not its end
                line.setCursorPosition(0)
            return


def searchable(combo: QComboBox) -> None:
    """Let the user type part of the text (户号, 户主 …) to pick an entry."""
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    completer = combo.completer()
    if completer is not None:
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)


def combo_choice(combo: QComboBox) -> Any:
    """The data of the chosen entry; for an editable combo, what the typed text names (None if nothing)."""
    if combo.isEditable():
        text = combo.currentText().strip()
        if not text:
            return None
        index = combo.findText(text, Qt.MatchFlag.MatchExactly)
        if index < 0:
            return NoMatch(text)
        return combo.itemData(index)
    return combo.currentData()


class NoMatch:
    """What an editable combo holds when the typed text names no entry."""

    def __init__(self, text: str) -> None:
        self.text = text
