"""A thin, lazy table model over a service query.

The model holds only the rows fetched so far. It asks a count function for the total and a page
function for rows (offset, limit, order); the view pulls more pages through canFetchMore/fetchMore
as the user scrolls. Sorting by a header re-queries the service with the column's sort key, so the
order is the database's, not an in-Python sort over a partial list.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

if TYPE_CHECKING:
    from app.services.context import AppContext

log = logging.getLogger(__name__)

T = TypeVar("T")
PAGE_SIZE = 200
# Later pages grow (half of what is loaded, up to this): each page is one query that the database must
# sort up to its offset, so scrolling to the end of 150,000 residents in pages of 200 took minutes.
MAX_FETCH = 5000

AnyIndex = QModelIndex | QPersistentModelIndex


def format_value(value: object) -> str:
    """Display text for a plain value: dates as yyyy-mm-dd, None as empty, lists joined with 、."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return "、".join(format_value(v) for v in value)
    return str(value)


@dataclass(frozen=True)
class Column(Generic[T]):
    """One column: its Chinese header, how to get the value from a row, how to show it, how to sort."""

    header: str
    attr: str | Callable[[T], object]
    formatter: Callable[[object], str] = format_value
    sort_key: str | None = None  # the service's order_by name; None: this column cannot sort
    align: Qt.AlignmentFlag | None = None
    width: int | None = None  # preferred width in characters (a hint for the view)

    def value(self, row: T) -> object:
        if callable(self.attr):
            return self.attr(row)
        return getattr(row, self.attr, None)

    def text(self, row: T) -> str:
        return self.formatter(self.value(row))


CountFn = Callable[[], int]
PageFn = Callable[[int, int, str | None, bool], Sequence[T]]  # offset, limit, order_by, descending


class LazyTableModel(QAbstractTableModel, Generic[T]):
    """Rows from a service, fetched a page at a time. Read-only; pages edit through dialogs."""

    loadFailed = Signal(str)  # a Chinese message; the page shows it instead of an empty table
    refreshed = Signal()

    def __init__(
        self,
        columns: Sequence[Column[T]],
        count_fn: CountFn,
        page_fn: PageFn[T],
        page_size: int = PAGE_SIZE,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.columns: list[Column[T]] = list(columns)
        self._count_fn = count_fn
        self._page_fn = page_fn
        self.page_size = page_size
        self._rows: list[T] = []
        self._total = 0
        self.order_by: str | None = None
        self.descending = False
        self._sort_column = -1
        self._fetching = False  # no nested fetchMore while rows are being inserted

    # ---- queries --------------------------------------------------------------------------------

    def set_query(self, count_fn: CountFn, page_fn: PageFn[T], refresh: bool = True) -> None:
        self._count_fn = count_fn
        self._page_fn = page_fn
        if refresh:
            self.refresh()

    def refresh(self) -> None:
        """Ask the service again: the total and the first page (in the current order)."""
        self.beginResetModel()
        self._rows = []
        try:
            self._total = int(self._count_fn())
            self._rows = list(self._page_fn(0, self.page_size, self.order_by, self.descending))
        except Exception:
            log.exception("loading a table failed")
            self._total = 0
            self._rows = []
            self.endResetModel()
            self.loadFailed.emit(self.tr("读取数据时出错，详细信息已写入日志。"))
            return
        self._total = max(self._total, len(self._rows))
        self.endResetModel()
        self.refreshed.emit()

    @property
    def total(self) -> int:
        """How many rows the query has (not only those fetched so far)."""
        return self._total

    @property
    def rows(self) -> list[T]:
        return list(self._rows)

    def row_at(self, row: int) -> T | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def find_row(self, predicate: Callable[[T], bool], fetch_all: bool = False) -> int:
        """The row number of the first fetched row that matches, -1 if none (optionally fetch all)."""
        while True:
            for i, r in enumerate(self._rows):
                if predicate(r):
                    return i
            if not (fetch_all and self.canFetchMore()):
                return -1
            self.fetchMore()

    # ---- Qt model -------------------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._fetching and len(self._rows) < self._total

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._fetching or len(self._rows) >= self._total:
            return
        self._fetching = True
        try:
            self._fetch_next_page()
        finally:
            self._fetching = False

    def _fetch_next_page(self) -> None:
        offset = len(self._rows)
        limit = max(self.page_size, min(offset // 2, MAX_FETCH))
        try:
            more = list(self._page_fn(offset, limit, self.order_by, self.descending))
        except Exception:
            log.exception("loading more rows failed")
            more = []
            self.loadFailed.emit(self.tr("读取数据时出错，详细信息已写入日志。"))
        if not more:  # the data changed under us or failed: stop asking
            self._total = offset
            return
        self.beginInsertRows(QModelIndex(), offset, offset + len(more) - 1)
        self._rows.extend(more)
        self.endInsertRows()
        self._total = max(self._total, len(self._rows))

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows) or index.column() >= len(self.columns):
            return None
        column = self.columns[index.column()]
        row = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            try:
                return column.text(row)
            except Exception:  # one bad value must not break the whole table
                log.exception("formatting column %s failed", column.header)
                return ""
        if role == Qt.ItemDataRole.TextAlignmentRole and column.align is not None:
            return int(column.align | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return row
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.columns[section].header if 0 <= section < len(self.columns) else None
        return str(section + 1)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Re-query the service in the column's order. Columns without a sort key keep the order."""
        if not 0 <= column < len(self.columns):
            return
        key = self.columns[column].sort_key
        if key is None:
            return
        descending = order == Qt.SortOrder.DescendingOrder
        if key == self.order_by and descending == self.descending and self._sort_column == column:
            return
        self.order_by, self.descending, self._sort_column = key, descending, column
        self.refresh()

    def is_sortable(self, column: int) -> bool:
        return 0 <= column < len(self.columns) and self.columns[column].sort_key is not None


Q = TypeVar("Q")


def service_source(
    ctx: AppContext,
    count_fn: Callable[..., int],
    list_fn: Callable[..., Sequence[T]],
    query: Q,
) -> tuple[CountFn, PageFn[T]]:
    """count/page functions over a service's paged query (a dataclass with order_by/descending).

    The header's sort order replaces the query's order_by/descending; no sort keeps the query's own.
    """

    def count() -> int:
        return ctx.call(count_fn, query)

    def page(offset: int, limit: int, order_by: str | None, descending: bool) -> Sequence[T]:
        q = replace(query, order_by=order_by, descending=descending) if order_by else query  # type: ignore[type-var]
        return ctx.call(list_fn, q, offset, limit)

    return count, page


def list_source(fetch: Callable[[], Sequence[T]]) -> tuple[CountFn, PageFn[T]]:
    """count/page functions over a short list a service returns whole (one query per refresh)."""
    cache: list[T] = []

    def count() -> int:
        cache[:] = list(fetch())
        return len(cache)

    def page(offset: int, limit: int, _order_by: str | None, _descending: bool) -> Sequence[T]:
        return cache[offset : offset + limit]

    return count, page
