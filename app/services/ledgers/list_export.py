"""导出/打印当前列表: a list as it is filtered on screen, to an xlsx sheet (the 台账 writer) or a PDF to print.

The caller gives the list's visible column headers and its rows in order, read through the same service
query the list shows (same filter, every page, not only the rows loaded in the view): those queries
already keep a 网格员 to their grids and mask 身份证号. Here the sheet is masked once more for a 网格员
as their 台账 are (phones too, 出生日期 to the year: ledgers.export.masked_ledger). The title states the
filter: 「<本村>居民名单（户标签：低保户）」.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy.orm import Session

from app.io.atomic import CancelCheck, Progress
from app.io.ledgers import ColumnKind, Ledger, LedgerColumn, LedgerResult, write_ledgers

from .. import access, audit
from ..errors import ServiceError
from ..units import get_unit
from .export import masked_ledger

MAX_PRINT_ROWS = 3000  # about 120 A4 pages: more is an export, not a printout
KIND_SAMPLE = 200  # rows looked at to tell a date or number column from a text one
_ID_WORDS = ("身份证", "证件号")
_PHONE_WORDS = ("电话", "手机")

__all__ = ["MAX_PRINT_ROWS", "ListSheet", "column_kind", "export_list", "print_list"]


@dataclass
class ListSheet:
    """A list to write: its name (居民名单), the filter as words (户标签：低保户; "" for none), the visible
    column headers and the rows (each a sequence of values in the headers' order; consumed once)."""

    name: str
    filter_text: str
    headers: Sequence[str]
    rows: Iterable[Sequence[object]]
    count: int | None = None  # the rows' number if known (progress)

    @property
    def title(self) -> str:
        return f"{self.name}（{self.filter_text}）" if self.filter_text else self.name


def column_kind(header: str, values: Iterable[object]) -> ColumnKind:
    """How a column is stored: 身份证号 / phones as text (and masked for a 网格员), dates as dates,
    numbers as numbers; anything else text."""
    if any(w in header for w in _ID_WORDS):
        return "id"
    if any(w in header for w in _PHONE_WORDS):
        return "phone"
    seen = [v for v in values if v is not None and v != ""]
    if seen and all(isinstance(v, date) and not isinstance(v, datetime) for v in seen):
        return "date"
    if seen and all(isinstance(v, int | float | Decimal) and not isinstance(v, bool) for v in seen):
        return "decimal" if any(isinstance(v, float | Decimal) for v in seen) else "int"
    return "text"


def _ledger(s: Session, sheet: ListSheet) -> tuple[Ledger, bool]:
    rows = iter(sheet.rows)
    sample = list(itertools.islice(rows, KIND_SAMPLE))
    columns = [
        LedgerColumn(h, (lambda r, i=i: r[i] if i < len(r) else None),
                     column_kind(h, (r[i] for r in sample if i < len(r))))
        for i, h in enumerate(sheet.headers)
    ]
    ledger = Ledger(sheet.title, columns, itertools.chain(sample, rows), count=sheet.count,
                    sheet_name=sheet.name)
    scoped = access.is_grid_staff(s)
    return (masked_ledger(ledger) if scoped else ledger), scoped


def export_list(
    s: Session, unit_id: int, sheet: ListSheet, out_path: Path,
    progress: Progress | None = None, cancel: CancelCheck | None = None,
) -> LedgerResult:
    """Write the list to an xlsx file laid out as a 台账 (title, 填报 line, header, signature, print setup)."""
    if not sheet.headers:
        raise ServiceError("这个列表没有可导出的列")
    unit = get_unit(s, unit_id)
    ledger, scoped = _ledger(s, sheet)
    result = write_ledgers(Path(out_path), unit, [ledger], progress=progress, cancel=cancel)
    audit.record(s, unit_id, "export", "ledger", None,
                 f"导出列表：{sheet.title}（{result.rows} 行{'，证件号和电话已隐去' if scoped else ''}）",
                 {"path": str(Path(out_path).resolve()), "list": sheet.title, "grid_scope": scoped})
    return result


def print_list(s: Session, unit_id: int, sheet: ListSheet, out_path: Path) -> int:
    """Write the list as a PDF to print (A4 landscape); returns its pages. Refuses more than MAX_PRINT_ROWS."""
    from app.io.list_pdf import info_line, render_list_pdf  # reportlab: only when printing

    if sheet.count is not None and sheet.count > MAX_PRINT_ROWS:
        raise ServiceError(f"当前列表有 {sheet.count} 条，超过 {MAX_PRINT_ROWS} 条，打印会有上百页。"
                           "请先用查找或筛选缩小范围，或改用“导出当前列表”保存为 Excel。")
    unit = get_unit(s, unit_id)
    ledger, scoped = _ledger(s, sheet)
    rows = [[_text(c.value_of(r)) for c in ledger.columns] for r in itertools.islice(ledger.rows, MAX_PRINT_ROWS + 1)]
    if len(rows) > MAX_PRINT_ROWS:
        raise ServiceError(f"当前列表超过 {MAX_PRINT_ROWS} 条，请先缩小范围，或改用“导出当前列表”。")
    title = ledger.title(unit.name)
    pages = render_list_pdf(Path(out_path), title, info_line(unit.full_name, len(rows)), sheet.headers, rows)
    audit.record(s, unit_id, "export", "ledger", None,
                 f"打印列表：{sheet.title}（{len(rows)} 行{'，证件号和电话已隐去' if scoped else ''}）",
                 {"list": sheet.title, "pages": pages, "grid_scope": scoped})
    return pages


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)
