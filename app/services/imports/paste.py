"""Rows pasted into a list (居民, 户, 党员) as an import: the same layout detection, checks, report and undo.

The text becomes a SheetTable (app.io.pasted, with a file's limits); from there it is an import like a
file's (flow.detect_layout → check_import → import_with_backup, one batch to undo). Rows copied with their
header row map by its names; rows copied without one are read in the order of the list's visible columns
(the header the caller passes), as a user pasting back into the list expects.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from app.io.excel_import import SheetTable, match_header
from app.io.pasted import pasted_table

from .fields import synonym_index
from .flow import Layout, _check_kind, detect_layout

__all__ = ["has_header", "table_from_paste"]


def has_header(kind: str, row: Sequence[object]) -> bool:
    """Whether a pasted first row names columns: two fields named (one when it is a single cell).

    One match is not enough in a wider row: a data row of a household holds 「户主」 in its 与户主关系 cell.
    """
    names = synonym_index(kind)
    filled = [c for c in row if c is not None and str(c).strip()]
    named = {f for f in (match_header(c, names) for c in filled) if f}
    return len(named) >= min(2, len(filled)) and bool(named)


def table_from_paste(
    s: Session, unit_id: int, kind: str, text: str, columns: Sequence[str]
) -> tuple[SheetTable, Layout]:
    """The pasted rows and their layout; `columns` are the list's visible column headers, in order."""
    _check_kind(kind)
    table = pasted_table(text)
    if has_header(kind, table.rows[0]):
        return table, detect_layout(s, unit_id, kind, table, 0)
    table = pasted_table(text, header=list(columns)[: table.width])  # as many names as pasted columns
    return table, detect_layout(s, unit_id, kind, table, 0)
