"""Ctrl+V on the 居民, 户 or 党员 list: rows copied from Excel / WPS go to the import wizard's check step.

The text is read as a file would be (app.services.imports.paste: the same limits; a header row found, else
the list's visible columns name the cells); the wizard then checks, reports, imports as one batch (undone in
文件 → 导入记录) exactly as for a file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from ..common.list_output import owning_page, visible_columns
from ..common.widgets import DataTable
from ..errors import user_errors

if TYPE_CHECKING:
    from .wizard import ImportWizard


def connect_paste(table: DataTable, kind: str) -> None:
    """Let the table take pasted rows of `kind` (residents | households | members)."""
    table.accepts_paste = True
    table.pasted.connect(lambda text: import_pasted(table, kind, text))


def import_pasted(table: DataTable, kind: str, text: str) -> ImportWizard | None:
    from app.services.imports import paste  # the importer loads when rows are pasted, not at start

    from .wizard import ImportWizard

    page = owning_page(table)
    if page is None:
        return None
    model = table.model()
    headers = [str(model.headerData(c, Qt.Orientation.Horizontal) or "") for c in visible_columns(table)]
    with user_errors(page):
        sheet, layout = page.ctx.call(paste.table_from_paste, page.unit_id, kind, text, headers)
        window: QWidget = page.window()
        wizard = ImportWizard(page.ctx, window)
        after = getattr(window, "_data_imported", None)  # the main window tells every page
        wizard.imported.connect(after if callable(after) else (lambda _batch: page.refresh()))
        wizard.start_with_rows(kind, sheet, layout)
        wizard.exec()
        return wizard
    return None
