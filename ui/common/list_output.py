"""导出当前列表 / 打印当前列表: any DataTable's filtered view, every row of its query, as xlsx or a printout.

The rows come from the table's own model query (LazyTableModel.iter_all: the service, the same filter and
order, every page — not only the rows the view has loaded), so a 网格员 gets what their services let them
see; the service masks the sheet once more as their 台账 are. The title states the filter: the page says
it in words (DataTable.describe_filter), or it is read from the search box, the filter lists and ticked
boxes beside the table.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QComboBox,
    QMainWindow,
    QProgressDialog,
    QStackedWidget,
    QTabWidget,
    QWidget,
)

from ..errors import show_service_error, user_errors
from .background import BackgroundJob, Work
from .files import ask_save_path
from .table_model import Column, LazyTableModel, format_value
from .widgets import SearchBox

if TYPE_CHECKING:
    from app.services.ledgers.list_export import ListSheet

    from .page import Page
    from .widgets import DataTable

log = logging.getLogger(__name__)

XLSX_FILTER = "Excel 文件 (*.xlsx)"


def owning_page(widget: QWidget) -> Page | None:
    from .page import Page

    w: QWidget | None = widget
    while w is not None and not isinstance(w, Page):
        w = w.parentWidget()
    return w


def _filter_scope(table: DataTable) -> QWidget:
    """Where the table's filters sit: its tab (a page with tabs), else its page, else its window."""
    w: QWidget | None = table
    while w is not None:
        parent = w.parentWidget()
        if isinstance(parent, QStackedWidget) and isinstance(parent.parentWidget(), QTabWidget):
            return w
        if parent is not None and parent is owning_page(table):
            return parent
        w = parent
    return table.window()


def filter_words(scope: QWidget, combos: Sequence[tuple[str, QComboBox]] = ()) -> str:
    """The filter beside a list, in words: the search box's text (查找：张) and the named filter lists
    that are off their first (全部) choice (状态：已办结). Other lists and boxes on a page are settings or
    entry fields, not filters: a page names its filters (DataTable.describe_filter) to have them said."""
    parts = [f"{label}：{combo.currentText()}" for label, combo in combos if combo.currentIndex() > 0]
    for box in scope.findChildren(SearchBox):
        if box.isVisibleTo(scope) and box.query():
            parts.append(f"查找：{box.query()}")
    return "，".join(parts)


def list_name(table: DataTable) -> str:
    if table.list_name:
        return table.list_name
    page = owning_page(table)
    return (page.title if page is not None else "") or table.window().windowTitle() or "列表"


def visible_columns(table: DataTable) -> list[int]:
    """The model columns the view shows, in the order the user sees them."""
    model = table.model()
    header = table.horizontalHeader()
    shown = [c for c in range(model.columnCount()) if not table.isColumnHidden(c)]
    return sorted(shown, key=header.visualIndex)


def cell_value(column: Column[Any], row: Any) -> object:
    """A date or number as itself (a real date / number in Excel), anything else as the list shows it."""
    if column.formatter is format_value:
        value = column.value(row)
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
    return column.text(row)


def build_sheet(table: DataTable) -> ListSheet:
    """The table's list: its visible columns, and every row of its query (read while the sheet is written)."""
    from app.services.ledgers.list_export import ListSheet  # the 台账 writer loads on the first export
    model = table.model()
    assert isinstance(model, LazyTableModel)
    columns = [model.columns[c] for c in visible_columns(table)]
    describe = table.describe_filter
    words = describe() if describe is not None else filter_words(_filter_scope(table))

    every = model.iter_all()  # the query as it is now, read later on the pool thread

    def rows() -> Iterator[Sequence[object]]:
        for row in every:
            yield [cell_value(c, row) for c in columns]

    return ListSheet(list_name(table), words, [c.header for c in columns], rows(), count=model.total)


def _context(table: DataTable) -> tuple[Any, int] | None:
    page = owning_page(table)
    if page is None or page.ctx.unit_id is None:
        return None
    return page.ctx, page.ctx.unit_id


def _say(table: QWidget, text: str) -> None:
    window = table.window()
    if isinstance(window, QMainWindow):
        window.statusBar().showMessage(text, 15_000)


def _in_background(table: QWidget, work: Work, busy: str, title: str, name: str,
                   done: Callable[[Any], None], cleanup: Callable[[], None] = lambda: None) -> BackgroundJob:
    """Run `work` on the pool: the window stays usable, the status bar and a progress dialog (shown after
    half a second, with 取消) say what is being made; `done` gets the result on the GUI thread, a failure is
    said in Chinese. `cleanup` runs however it ends."""
    _say(table, busy)
    dialog = QProgressDialog(busy, table.tr("取消"), 0, 0, table)
    dialog.setObjectName(name)
    dialog.setWindowTitle(title)
    dialog.setMinimumDuration(500)
    job = BackgroundJob(work, table)
    dialog.canceled.connect(job.cancel)

    def progress(count: int, total: int) -> None:
        if total > 0:
            dialog.setRange(0, total)
            dialog.setValue(min(count, total))

    def finished(result: Any) -> None:
        dialog.reset()
        try:
            if job.is_cancelled():  # asked to stop after the last step: nothing is shown
                _say(table, table.tr("已取消"))
            else:
                with user_errors(table):
                    done(result)
        finally:
            cleanup()

    def failed(message: str) -> None:
        dialog.reset()
        _say(table, "")
        cleanup()
        show_service_error(table, message)

    def cancelled(_message: str) -> None:
        dialog.reset()
        _say(table, table.tr("已取消"))
        cleanup()

    job.progress.connect(progress)
    job.finished.connect(finished)
    job.failed.connect(failed)
    job.cancelled.connect(cancelled)
    job.start()
    return job


def export_table(table: DataTable, path: Path | None = None) -> BackgroundJob | None:
    """导出当前列表…: ask where (unless given), write off the GUI thread with a progress dialog and 取消."""
    found = _context(table)
    if found is None or not isinstance(table.model(), LazyTableModel):
        return None
    ctx, unit_id = found
    with user_errors(table):
        sheet = build_sheet(table)
        if path is None:
            path = ask_save_path(table, table.tr("导出当前列表"), f"{sheet.title}.xlsx", table.tr(XLSX_FILTER), ".xlsx")
        if path is None:
            return None
        target = path

        from app.services.ledgers import list_export

        def work(progress: Any, cancel: Any) -> Any:
            return ctx.call(list_export.export_list, unit_id, sheet, target, progress, cancel)

        def done(result: Any) -> None:
            _say(table, table.tr("已导出 {0} 行到 {1}").format(result.rows, target))

        return _in_background(table, work, table.tr("正在导出“{0}”……").format(sheet.title), table.tr("导出当前列表"),
                              "dlg_export_list", done)
    return None


def print_table(table: DataTable) -> BackgroundJob | None:
    """打印当前列表…: the list as a PDF (title with the filter, every row) made off the GUI thread, then shown
    in the print preview."""
    found = _context(table)
    if found is None or not isinstance(table.model(), LazyTableModel):
        return None
    ctx, unit_id = found
    with user_errors(table):
        return print_sheet(table, ctx, unit_id, build_sheet(table))
    return None


def print_sheet(widget: QWidget, ctx: Any, unit_id: int, sheet: ListSheet) -> BackgroundJob | None:
    """A list (a DataTable's, or a page's own table: 镇级汇总) printed as unit_id's: the PDF made off the GUI
    thread, then shown in the print preview. The PDF lives in a temporary folder removed when the preview
    closes."""
    from app.services.ledgers import list_export

    from .printing import PdfPreviewDialog

    folder = Path(tempfile.mkdtemp(prefix="villagedesk-print-"))
    path = folder / "list.pdf"

    def cleanup() -> None:  # a list of people's details does not stay in the temp folder
        shutil.rmtree(folder, ignore_errors=True)

    started = False
    try:
        with user_errors(widget):

            def work(_progress: Any, _cancel: Any) -> Any:
                return ctx.call(list_export.print_list, unit_id, sheet, path)

            def done(pages: Any) -> None:
                _say(widget, widget.tr("已生成“{0}”，共 {1} 页").format(sheet.title, pages))
                PdfPreviewDialog(path, sheet.title, widget.window()).exec()

            job = _in_background(widget, work, widget.tr("正在生成“{0}”的打印页……").format(sheet.title),
                                 widget.tr("打印当前列表"), "dlg_print_list", done, cleanup)
            started = True
            return job
        return None
    finally:
        if not started:
            cleanup()
