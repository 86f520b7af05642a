"""Small widgets every area uses: a table view that copies like a spreadsheet, a search box."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QWidget,
)

from .table_model import LazyTableModel

SEARCH_DELAY_MS = 250
SEARCH_MIN_CHARS = 10  # a search box never gets narrower than this many characters


class DataTable(QTableView):
    """A read-only table: whole-row selection, header-click sorting, Ctrl+C copies cells as TSV."""

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
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
        model = self.model()
        if not isinstance(model, LazyTableModel):
            return
        em = self.fontMetrics().horizontalAdvance("中")
        for i, column in enumerate(model.columns):
            chars = column.width or max(4, len(column.header) + 2)
            self.setColumnWidth(i, em * chars + 16)

    def current_row(self) -> int:
        # The current index first: while currentRowChanged is delivered the selection still holds the
        # row clicked before, and a panel reading it would show that one.
        index = self.currentIndex()
        if index.isValid():
            return index.row()
        selected = self.selectionModel().selectedRows() if self.selectionModel() else []
        return selected[0].row() if selected else -1

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
        indexes = sorted(self.selectedIndexes(), key=lambda i: (i.row(), i.column()))
        if not indexes:
            return
        rows: dict[int, dict[int, str]] = {}
        for index in indexes:
            rows.setdefault(index.row(), {})[index.column()] = str(index.data() or "")
        cols = sorted({i.column() for i in indexes})
        text = "\n".join("\t".join(cells.get(c, "") for c in cols) for _r, cells in sorted(rows.items()))
        QGuiApplication.clipboard().setText(text)

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

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        # a narrow window squeezes the other widgets first: the box keeps room for a name or ID (never 「…」)
        hint = super().minimumSizeHint()
        return QSize(max(hint.width(), self.fontMetrics().horizontalAdvance("中") * SEARCH_MIN_CHARS), hint.height())


class InfoLabel(QLabel):
    """A quiet line of text under a table: counts, or what went wrong while loading."""

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    def show_error(self, message: str) -> None:
        self.setStyleSheet("color: #b00020;")
        self.setText(message)

    def show_info(self, message: str) -> None:
        self.setStyleSheet("")
        self.setText(message)
