"""A thin, lazy table model over a service query.

The model knows the total (a count query) and holds only the pages the view has asked for: rowCount is
the total, and data() for a row whose page is not loaded yet reads that one page (offset, limit, order).
Dragging the scroll bar to the end of 150,000 residents reads the last page, not every page in between
(it used to append pages through fetchMore: 12 s). Sorting by a header re-queries the service with the
column's sort key, so the order is the database's, not an in-Python sort over a partial list.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
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
# Pages kept in memory (least recently used dropped first): 200 × 200 rows, so a long scroll through a
# county's residents does not hold all of them.
MAX_PAGES = 200
FIND_CHUNK = 5000  # rows per query when looking for a row that is not read yet

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
    """Rows from a service, read a page at a time when the view shows them. Read-only; pages edit
    through dialogs."""

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
        self._pages: OrderedDict[int, list[T]] = OrderedDict()
        self._total = 0
        self.order_by: str | None = None
        self.descending = False
        self._sort_column = -1

    # ---- queries --------------------------------------------------------------------------------

    def set_query(self, count_fn: CountFn, page_fn: PageFn[T], refresh: bool = True) -> None:
        self._count_fn = count_fn
        self._page_fn = page_fn
        if refresh:
            self.refresh()

    def refresh(self) -> None:
        """Ask the service again: the first page (in the current order) and the total."""
        self.beginResetModel()
        self._pages.clear()
        try:
            first = list(self._page_fn(0, self.page_size, self.order_by, self.descending))
            # a short first page is the whole answer: no count query (a narrow filter costs one scan)
            self._total = len(first) if len(first) < self.page_size else max(int(self._count_fn()), len(first))
        except Exception:
            log.exception("loading a table failed")
            self._total = 0
            self._pages.clear()
            self.endResetModel()
            self.loadFailed.emit(self.tr("读取数据时出错，详细信息已写入日志。"))
            return
        self._pages[0] = first
        self.endResetModel()
        self.refreshed.emit()

    @property
    def total(self) -> int:
        """How many rows the query has (not only those read so far)."""
        return self._total

    @property
    def rows(self) -> list[T]:
        """Every row, in order (reads the pages not read yet: meant for the short lists of a page)."""
        return [r for r in (self._row(i) for i in range(self._total)) if r is not None]

    def iter_all(self, chunk: int = FIND_CHUNK) -> Iterator[T]:
        """Every row of the query, in the view's order, read afresh a chunk at a time and not kept (an
        export of 150,000 residents must not sit in the model). Errors are raised, not reported.

        The query and order are taken now, not when reading starts: an export or printout read on a pool
        thread keeps the filter it was asked for while the user goes on filtering the list."""
        page_fn, order_by, descending = self._page_fn, self.order_by, self.descending

        def read() -> Iterator[T]:
            offset = 0
            while True:
                rows = list(page_fn(offset, chunk, order_by, descending))
                yield from rows
                if len(rows) < chunk:
                    return
                offset += chunk

        return read()

    def row_at(self, row: int) -> T | None:
        return self._row(row) if 0 <= row < self._total else None

    def find_row(self, predicate: Callable[[T], bool], fetch_all: bool = False) -> int:
        """The row number of the first matching row among those read so far, -1 if none.

        fetch_all reads the rest in order until a row matches, many pages per query (finding a
        just-added resident among 150,000 must not take one query per page).
        """
        for number in sorted(self._pages):
            for i, r in enumerate(self._pages[number]):
                if predicate(r):
                    return number * self.page_size + i
        if not fetch_all:
            return -1
        per_query = max(1, FIND_CHUNK // self.page_size)
        pages = (self._total + self.page_size - 1) // self.page_size
        for first in range(0, pages, per_query):
            numbers = range(first, min(first + per_query, pages))
            rows = self._read(first * self.page_size, len(numbers) * self.page_size)
            for i, r in enumerate(rows):
                if predicate(r):
                    self._pages[first + i // self.page_size] = rows[i - i % self.page_size:][: self.page_size]
                    self._trim()
                    return first * self.page_size + i
            if len(rows) < len(numbers) * self.page_size:
                break
        return -1

    def replace_row(self, row: int, value: T) -> None:
        """Show a row read again after a change to it (the rest of the table stays as it was read)."""
        number, i = divmod(row, self.page_size)
        page = self._pages.get(number)
        if page is None or not 0 <= i < len(page):
            return
        page[i] = value
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.columns) - 1))

    def _row(self, row: int) -> T | None:
        number, i = divmod(row, self.page_size)
        page = self._page(number)
        return page[i] if i < len(page) else None  # shorter: the data changed since the count

    def _page(self, number: int) -> list[T]:
        page = self._pages.get(number)
        if page is not None:
            self._pages.move_to_end(number)
            return page
        page = self._read(number * self.page_size, self.page_size)  # kept even when empty after a failure:
        self._pages[number] = page  # a view repainting must not ask (and report) again
        self._trim()
        return page

    def _read(self, offset: int, limit: int) -> list[T]:
        try:
            return list(self._page_fn(offset, limit, self.order_by, self.descending))
        except Exception:
            log.exception("loading rows %d+ failed", offset)
            self.loadFailed.emit(self.tr("读取数据时出错，详细信息已写入日志。"))
            return []

    def _trim(self) -> None:
        while len(self._pages) > MAX_PAGES:
            self._pages.popitem(last=False)

    # ---- Qt model -------------------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._total

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= self._total or index.column() >= len(self.columns):
            return None
        column = self.columns[index.column()]
        row = self._row(index.row())
        if row is None:
            return None
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
        return len(cache)

    def page(offset: int, limit: int, _order_by: str | None, _descending: bool) -> Sequence[T]:
        if offset == 0:  # the model's refresh starts with the first page: read the list again
            cache[:] = list(fetch())
        return cache[offset : offset + limit]

    return count, page
