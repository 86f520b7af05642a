"""Small widgets every area uses: a table view that copies like a spreadsheet, a search box."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QContextMenuEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QTableView,
    QWidget,
)

from .table_model import LazyTableModel

SEARCH_DELAY_MS = 250


def tsv_cell(text: str) -> str:
    """A cell as Excel writes it in TSV: quoted (quotes doubled) when it holds a tab, line break or quote."""
    if any(ch in text for ch in '\t\n\r"'):
        return '"' + text.replace('"', '""') + '"'
    return text
SEARCH_MIN_CHARS = 10  # a search box never gets narrower than this many characters


class DataTable(QTableView):
    """A read-only table: whole-row selection, header-click sorting, Ctrl+C copies the rows with their header
    as TSV (as Excel and WPS paste it), Ctrl+V hands pasted text to the page (`pasted`, where a page takes
    rows), and a right-click menu offers 复制, 粘贴导入, 导出当前列表… and 打印当前列表… (ui.common.list_output)."""

    pasted = Signal(str)  # text pasted with Ctrl+V (only when `accepts_paste`)

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.list_name = ""  # the list's name in an export's title (居民名单); "" : the page's title
        self.describe_filter: Callable[[], str] | None = None  # the filter in words; None: read the filter widgets
        self.accepts_paste = False  # a page that imports pasted rows sets it and connects `pasted`
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.horizontalHeader()
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        header.setSectionsClickable(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)

    def setModel(self, model: LazyTableModel) -> None:  # type: ignore[override]
        super().setModel(model)
        header = self.horizontalHeader()
        # Sort through the model (a service query): show the indicator, don't sort at start.
        header.setSortIndicatorShown(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.setSortingEnabled(True)
        self.fit_columns()

    def fit_columns(self) -> None:
        for i, width in enumerate(self._column_widths()):
            self.setColumnWidth(i, width)

    def _column_widths(self) -> list[int]:
        model = self.model()
        if not isinstance(model, LazyTableModel):
            return []
        em = self.fontMetrics().horizontalAdvance("中")
        return [em * (column.width or max(4, len(column.header) + 2)) + 16 for column in model.columns]

    def natural_width(self) -> int:
        """As wide as every column at its fitted width, row numbers and scroll bar included: no sideways scroll."""
        rows = self.verticalHeader().sizeHint().width() if self.verticalHeader().isVisible() else 0
        return (sum(self._column_widths()) + rows + 2 * self.frameWidth()
                + self.verticalScrollBar().sizeHint().width())

    def current_row(self) -> int:
        # The current index first: while currentRowChanged is delivered the selection still holds the
        # row clicked before, and a panel reading it would show that one.
        index = self.currentIndex()
        if index.isValid():
            return index.row()
        selected = self.selectionModel().selectedRows() if self.selectionModel() else []
        return selected[0].row() if selected else -1

    def enable_with_selection(self, *buttons: QWidget,
                              allowed: Callable[[], bool] | None = None) -> Callable[[], None]:
        """Keep `buttons` enabled only while a row is selected (and `allowed()`, e.g. the operator's role), so a
        「修改所选…」 button never silently does nothing. Call after setModel; returns the update to call again
        when `allowed` changes."""
        def update() -> None:
            selection = self.selectionModel()
            on = selection is not None and selection.hasSelection() and (allowed is None or allowed())
            for button in buttons:
                button.setEnabled(on)

        self.selectionModel().selectionChanged.connect(lambda *_a: update())
        self.model().modelReset.connect(update)  # a reset drops the selection without selectionChanged
        update()
        return update

    def select_row(self, row: int) -> None:
        model = self.model()
        if model is None or not 0 <= row < model.rowCount():
            return
        index = model.index(row, 0)
        self.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.scrollTo(index)

    def copy_selection(self) -> None:
        """The selected rows as TSV, the header row first, columns in the order the user sees them."""
        indexes = [i for i in self.selectedIndexes() if not self.isColumnHidden(i.column())]
        if not indexes:
            return
        rows: dict[int, dict[int, str]] = {}
        for index in indexes:
            rows.setdefault(index.row(), {})[index.column()] = tsv_cell(str(index.data() or ""))
        header = self.horizontalHeader()
        cols = sorted({i.column() for i in indexes}, key=header.visualIndex)
        model = self.model()
        titles = [tsv_cell(str(model.headerData(c, Qt.Orientation.Horizontal) or "")) for c in cols]
        lines = ["\t".join(titles)]
        lines += ["\t".join(cells.get(c, "") for c in cols) for _r, cells in sorted(rows.items())]
        QGuiApplication.clipboard().setText("\n".join(lines) + "\n")

    def paste_clipboard(self) -> None:
        text = QGuiApplication.clipboard().text()
        if self.accepts_paste and text.strip():
            self.pasted.emit(text)

    def export_current(self) -> None:
        from .list_output import export_table

        export_table(self)

    def print_current(self) -> None:
        from .list_output import print_table

        print_table(self)

    def add_list_actions(self, menu: QMenu) -> None:
        """复制 / 粘贴导入 / 导出当前列表… / 打印当前列表… in a menu (a page's own row menu adds them too)."""
        copy = menu.addAction(self.tr("复制（含表头）"), self.copy_selection)
        copy.setObjectName("action_copy_rows")
        copy.setEnabled(bool(self.selectedIndexes()))
        if self.accepts_paste:
            paste = menu.addAction(self.tr("粘贴导入…"), self.paste_clipboard)
            paste.setObjectName("action_paste_rows")
            paste.setToolTip(self.tr("把从 Excel 或 WPS 复制的行导入：先检查，再导入，可整批撤销"))
        menu.addSeparator()
        menu.addAction(self.tr("导出当前列表…"), self.export_current).setObjectName("action_export_list")
        menu.addAction(self.tr("打印当前列表…"), self.print_current).setObjectName("action_print_list")

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = QMenu(self)
        menu.setObjectName("menu_list")
        self.add_list_actions(menu)
        menu.popup(event.globalPos())
        event.accept()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:  # the larger-font switch: taller rows, wider columns
            self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
            self.fit_columns()
        super().changeEvent(event)

    def keyPressEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_selection()
            event.accept()
            return
        if event.matches(QKeySequence.StandardKey.Paste) and self.accepts_paste:
            self.paste_clipboard()
            event.accept()
            return
        super().keyPressEvent(event)

    def row_for_index(self, index: QModelIndex) -> int:
        return index.row() if index.isValid() else -1


class SearchBox(QLineEdit):
    """Type to search: emits `search` a moment after the last key (or at once on Enter)."""

    search = Signal(str)

    def __init__(self, object_name: str, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setPlaceholderText(placeholder)
        self.setClearButtonEnabled(True)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._emit)
        self.textChanged.connect(lambda _t: self._timer.start())
        self.returnPressed.connect(self._emit)
        self._last: str | None = None

    def _emit(self) -> None:
        self._timer.stop()
        text = self.text().strip()
        if text != self._last:
            self._last = text
            self.search.emit(text)

    def query(self) -> str:
        return self.text().strip()

    def reset(self) -> None:
        """Empty, without a search: the caller queries once with its other filters (set_filters)."""
        self._timer.stop()
        self.blockSignals(True)
        self.clear()
        self.blockSignals(False)
        self._last = ""

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        # a narrow window squeezes the other widgets first: the box keeps room for a name or ID (never 「…」)
        hint = super().minimumSizeHint()
        return QSize(max(hint.width(), self.fontMetrics().horizontalAdvance("中") * SEARCH_MIN_CHARS), hint.height())


def set_filters(search: SearchBox | None, *combos: tuple[QComboBox, object]) -> None:
    """A list's filters to these values (a value not offered: the first item, 全部) and its search box
    empty, without a query per change: the caller then queries once (a 工作台 line, Page.show_filter)."""
    if search is not None:
        search.reset()
    for combo, value in combos:
        combo.blockSignals(True)
        combo.setCurrentIndex(max(combo.findData(value), 0) if value is not None else 0)
        combo.blockSignals(False)


class InfoLabel(QLabel):
    """A quiet line of text under a table: counts, or what went wrong while loading."""

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setWordWrap(True)  # a long message takes two lines instead of widening the page past the screen

    def show_error(self, message: str) -> None:
        self.setStyleSheet("color: #b00020;")
        self.setText(message)

    def show_info(self, message: str) -> None:
        self.setStyleSheet("")
        self.setText(message)
