"""Excel 台账 engine: one sheet per ledger, laid out as DESIGN §5 says, streamed in write-only mode.

Every sheet: merged title `<本村><台账名>（<年度>年度）`, a 填报单位 / 填报日期 line, a bold bordered
header frozen under it, column widths fitted to Chinese text (a 汉字 counts two), 身份证号 and phones
as text ('@'), real dates 'yyyy-mm-dd', counts and rates as numbers (rates 0.0 %), an optional totals
row, 注 lines wrapped across the sheet, the signature line 填报人 / 审核人 / 联系电话, landscape fitted to
one page wide on A4, or A3 when A4 would print below 8 pt (ledger_layout), the height of every wrapped
row written (spreadsheet programs do not grow it in a file they did not write), the header rows repeated
on every printed page, `第 &P 页 共 &N 页` in the footer, and 内部资料　注意保密 in the page header and
the 填报 line of a sheet with full 身份证号 or phones. A text value starting with = + - @ tab or CR is stored as text with
Excel's quote prefix, never as a formula.

Rows are streamed (openpyxl write-only mode, one reusable style per column), so 100k rows keep memory
flat; only the first WIDTH_SAMPLE rows are held to measure the column widths. Body rows of plain values
go into the sheet's XML stream directly (_RowXml), as openpyxl would write them but without a cell
object per value. The file is written to a temp file beside the target and renamed at the end (see
app.io.atomic).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from app.text import display_width

from .atomic import CancelCheck, Progress, atomic_path, check_cancel
from .ledger_cells import CONVERT, STYLE_OF, STYLES, add_styles, is_plain, looks_like_formula, total_style
from .ledger_layout import (
    BODY_SIZE,
    TITLE_SIZE,
    choose_paper,
    fit_widths,
    line_capacity,
    row_height,
    squeeze_floors,
    text_lines,
)

# openpyxl (~0.15 s to import) is imported where a workbook is written, not when the ledger
# definitions are: the window imports those at start and never needs openpyxl until an export.
if TYPE_CHECKING:
    from lxml.etree import _Element
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles.cell_style import StyleArray
    from openpyxl.worksheet.worksheet import Worksheet

# count: 小计 / 合计 / 户数 as numbers (digits in text too); percent: a rate as a fraction shown 0.0 %
# (ledger_cells.fraction, a tickets.stats.Rate or "98.8%"); decimal1: a number shown with one decimal
# (2.0 天, never 「2」); id / phone: text, and a ledger with any of them unmasked is marked 内部资料.
ColumnKind = Literal["text", "date", "int", "decimal", "decimal1", "id", "phone", "count", "percent"]
COLUMN_KINDS: tuple[str, ...] = ("text", "date", "int", "decimal", "decimal1", "id", "phone", "count", "percent")
SUMMED_KINDS = ("int", "decimal", "decimal1", "count")

HEADER_ROWS = 3  # title, 填报单位 line (with 内部资料 where it applies), column header
WIDTH_SAMPLE = 1000  # rows held back to measure column widths
CHECK_EVERY = 500  # rows between progress reports and cancel checks
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")

FOOTER = "第 &P 页 共 &N 页"
SECRET = "内部资料　注意保密"
HEADER_FOOTER_SIZE = 11  # pt, like the body: scaled to fit the width it still prints at 8 pt or more
SIGNATURE = ("填报人：", "审核人：", "联系电话：")
NO_OPERATOR = "（未记录）"  # 录入人 of a record made with nobody signed in (sign-in off): nobody can say who


class UnitLike(Protocol):
    """What the header needs from the unit (app.services.units.UnitInfo fits)."""

    @property
    def name(self) -> str: ...

    @property
    def full_name(self) -> str: ...


@dataclass(frozen=True)
class LedgerColumn:
    """One column: its Chinese header, where its value comes from, and how it is stored.

    key: an attribute name (or dict key) of the row, or a function of the row.
    width: Excel character units; None fits the header and the values.
    total: sum this column in the totals row (int/decimal/count columns; a rate is given in
    Ledger.total_values instead).
    """

    header: str
    key: str | Callable[[Any], object]
    kind: ColumnKind = "text"
    width: float | None = None
    total: bool = False

    def __post_init__(self) -> None:
        if self.kind not in COLUMN_KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")

    def value_of(self, row: Any) -> object:
        if callable(self.key):
            return self.key(row)
        if isinstance(row, dict):
            return row.get(self.key)
        return getattr(row, self.key)


@dataclass
class Ledger:
    """A 台账: its name (党员花名册), year, columns and rows (any iterable, consumed once).

    count: the number of rows if known (for progress). count_unit: with it, the totals row also says
    how many rows there are (合计 59 人); without it and with no total column there is no totals row.
    """

    name: str
    columns: Sequence[LedgerColumn]
    rows: Iterable[Any]
    year: int | None = None
    count: int | None = None
    count_unit: str = ""
    sheet_name: str = ""
    notes: Sequence[str] = field(default_factory=tuple)  # lines printed under the table (填表说明)
    numbered: bool = True  # a 序号 column first
    # totals-row values that are not sums, by column header (合计 办结率: a Rate or fraction), converted
    # like the column's cells; with them the totals row is written even without a summed column
    total_values: Mapping[str, object] = field(default_factory=dict)
    # further sheets written right after this one: a kind that is several tables (党内统计, one a sheet)
    more: Sequence[Ledger] = field(default_factory=tuple)

    def title(self, village: str) -> str:
        year = f"（{self.year}年度）" if self.year else ""
        return f"{village}{self.name}{year}"


class SubtotalRow(dict[str, Any]):
    """A row written in the 合计 style and left out of the sheet's 合计 and row count: a 小计 inside the
    rows (each village's in a stacked township ledger). Keyed by the columns' keys; 序号 stays empty."""


class _SubtotalValues(list[object]):
    """The converted cells of a SubtotalRow."""


@dataclass(frozen=True)
class LedgerResult:
    path: Path
    sheets: list[str]
    rows: int  # data rows written, all sheets



# ---------------------------------------------------------------- writing


def _cells_to_row(cells: Iterable[WriteOnlyCell | None], row_idx: int) -> Iterator[WriteOnlyCell]:
    """openpyxl's WriteOnlyWorksheet._values_to_row for rows that are styled cells already.

    The stock one first tries each cell as a value (a ValueError per cell) and then makes a new empty
    cell for the next column; for 150,000 rows × 14 columns that was a third of the export's time.
    """
    for col_idx, cell in enumerate(cells, 1):
        if cell is None:
            continue
        cell.column = col_idx
        cell.row = row_idx
        yield cell


class _PlainRow(tuple[tuple[object, str], ...]):
    """A body row of (value, style name) pairs, every value is_plain: written by _RowXml."""


class _RowXml:
    """Builds, for a _PlainRow, the <row> element openpyxl's WorksheetWriter.write_row writes for the same
    values and styles: text inline (<is><t>), numbers and dates (Excel serials) as <v>, an empty cell with
    only its style."""

    def __init__(self, ws: Worksheet, ncols: int, style_id: Callable[[str], str]):
        # bound once: importing them per row was 2 % of a 150,000-row export
        from openpyxl.compat import safe_string
        from openpyxl.utils import get_column_letter
        from openpyxl.utils.datetime import to_excel
        from openpyxl.xml.functions import XML_NS, Element, SubElement

        self.ws = ws
        self.letters = [get_column_letter(i) for i in range(1, ncols + 1)]
        self.style_id = style_id
        self.preserve = {f"{{{XML_NS}}}space": "preserve"}  # text with spaces at either end keeps them
        self.epoch = ws.parent.epoch
        self._element, self._sub, self._safe_string, self._to_excel = Element, SubElement, safe_string, to_excel

    def element(self, row: _PlainRow, row_idx: int) -> _Element:
        sub, safe_string = self._sub, self._safe_string
        r = str(row_idx)
        attrs = {"r": r}
        attrs.update(self.ws.row_dimensions.get(row_idx, {}))
        el = self._element("row", attrs)
        for letter, (value, style) in zip(self.letters, row, strict=True):
            cell = {"r": letter + r, "s": self.style_id(style), "t": "n"}
            if value is None:
                sub(el, "c", cell).text = ""  # <c …></c>, as openpyxl writes it
            elif type(value) is str:
                cell["t"] = "inlineStr"
                space = self.preserve if value != value.strip() else {}
                sub(sub(sub(el, "c", cell), "is"), "t", space).text = value
            elif type(value) is date:
                sub(sub(el, "c", cell), "v").text = safe_string(self._to_excel(value, self.epoch))
            else:
                sub(sub(el, "c", cell), "v").text = safe_string(value)
        return el


class _SheetWriter:
    """Writes one ledger into a write-only worksheet."""

    def __init__(self, ws: Worksheet, ledger: Ledger, unit: UnitLike, filled_on: date):
        self.ws = ws
        self.ledger = ledger
        self.unit = unit
        self.filled_on = filled_on
        self._seq = 0
        number = [LedgerColumn("序号", self._next_number, "int", width=6)] if ledger.numbered else []
        self.columns = number + list(ledger.columns)
        self.ncols = len(self.columns)
        self.row_no = 0
        self.totals: list[int | float | Decimal] = [0] * self.ncols
        self._total_at = [i for i, c in enumerate(self.columns) if c.total and c.kind in SUMMED_KINDS]
        # per column, once: attrgetter is C (rows are mostly SQLAlchemy Rows or dataclasses; dicts use value_of)
        self._getters = [c.key if callable(c.key) else attrgetter(c.key) for c in self.columns]
        self._convert = [CONVERT[c.kind] for c in self.columns]
        self._style_of = [STYLE_OF[c.kind] for c in self.columns]
        self._arrays: dict[str, StyleArray] = {}
        # Body cells: one reusable cell per (column, style); write-only mode writes a row out as it is
        # appended, so the next row can refill the same cells (no 2 million cell objects for 150k rows).
        self._pool: dict[tuple[int, str], WriteOnlyCell] = {}
        self._style_ids: dict[str, str] = {}
        ws._values_to_row = self._to_row  # type: ignore[method-assign]
        self.widths: list[float] = []
        # id / phone columns: a full number in any (not a masked 110111********1234) marks the sheet 内部资料
        self._secret_at = [i for i, c in enumerate(self.columns) if c.kind in ("id", "phone")]
        self.secret = False

    def _next_number(self, _row: Any) -> int:
        self._seq += 1
        return self._seq

    def body_cell(self, col: int, value: object, style: str) -> WriteOnlyCell:
        """A body cell, reused from the previous row when this column had the same style."""
        if isinstance(value, str) and looks_like_formula(value):
            return self.cell(value, style)
        c = self._pool.get((col, style))
        if c is None:
            c = self._pool[(col, style)] = self.cell(None, style)
        c.value = value
        return c

    def cell(self, value: object, style: str) -> WriteOnlyCell:
        from openpyxl.cell import WriteOnlyCell  # body cells are pooled: this runs per new cell only

        if isinstance(value, str) and looks_like_formula(value):
            c = WriteOnlyCell(self.ws)
            c.value = value
            c.data_type = "s"  # text, never a formula
            c.style = style
            c.quotePrefix = True
            return c
        c = WriteOnlyCell(self.ws, value)
        c._style = self._style_array(style)  # shared, read-only: assigning the named style per cell is slow
        return c

    def _style_array(self, style: str) -> StyleArray:
        arr = self._arrays.get(style)
        if arr is None:
            from openpyxl.cell import WriteOnlyCell

            template = WriteOnlyCell(self.ws)
            template.style = style
            arr = self._arrays[style] = template._style
        return arr

    def append(self, cells: list[WriteOnlyCell | None] | _PlainRow, height: float | None = None) -> None:
        """Write the next row; height (pt) for a row whose wrapped text needs more than one line."""
        if height is None:
            self.ws.append(cells)
        else:
            # both row writers read the height from row_dimensions; dropped again once the row is out
            # (a row dimension kept for each of 100k rows would grow memory)
            dims = self.ws.row_dimensions
            dims[self.row_no + 1].height = height
            self.ws.append(cells)
            del dims[self.row_no + 1]
        self.row_no += 1

    @staticmethod
    def _to_row(row: list[WriteOnlyCell | None] | _PlainRow, row_idx: int) -> Iterable[WriteOnlyCell] | _PlainRow:
        """The sheet's _values_to_row: plain rows pass through to the row writer of _stream_rows."""
        return row if type(row) is _PlainRow else _cells_to_row(row, row_idx)

    def _stream_rows(self) -> None:
        """Start the sheet's XML stream (its head: widths and panes are set by now) and take over its
        row writer, so that plain rows skip openpyxl's cell objects (about half the export's time)."""
        self.ws._get_writer()
        writer = self.ws._writer
        stock = writer.write_row
        plain = _RowXml(self.ws, self.ncols, self._style_id)

        def write_row(xf: Any, row: Iterable[WriteOnlyCell] | _PlainRow, row_idx: int) -> None:
            if type(row) is _PlainRow:
                xf.write(plain.element(row, row_idx))
            else:
                stock(xf, row, row_idx)

        writer.write_row = write_row

    def _style_id(self, style: str) -> str:
        # registered on first use, like openpyxl's cell.style_id, so the styles keep openpyxl's order
        sid = self._style_ids.get(style)
        if sid is None:
            sid = self._style_ids[style] = str(self.ws.parent._cell_styles.add(self._style_array(style)))
        return sid

    def merge(self, first: int, last: int) -> None:
        if last > first:
            from openpyxl.utils import get_column_letter

            row = self.row_no
            self.ws.merged_cells.add(f"{get_column_letter(first)}{row}:{get_column_letter(last)}{row}")

    def _has_full_number(self, values: Sequence[object]) -> bool:
        for i in self._secret_at:
            v = values[i]
            if isinstance(v, str) and v.strip() and "*" not in v:
                return True
        return False

    def setup(self, sample: Sequence[list[object]]) -> None:
        """Column widths, paper and print setup from the sampled rows (before any row is written)."""
        from openpyxl.utils import get_column_letter
        from openpyxl.worksheet.header_footer import HeaderFooter
        from openpyxl.worksheet.properties import PageSetupProperties
        from openpyxl.worksheet.worksheet import Worksheet

        ws = self.ws
        kinds = [c.kind for c in self.columns]
        headers = [c.header for c in self.columns]
        widths = fit_widths(kinds, headers, [c.width for c in self.columns], sample)
        floors, typical = squeeze_floors(kinds, headers, widths, sample)
        paper, self.widths = choose_paper(self.ledger.name, widths, floors, typical)
        # per column, the longest text sure to fit on one line, all 汉字 or all ASCII (no line count for
        # the usual short value: 100k rows × 10 columns)
        self._one_line = [int(line_capacity(w) // 2) for w in self.widths]
        self._ascii_line = [int(line_capacity(w)) for w in self.widths]
        for i, w in enumerate(self.widths, 1):
            ws.column_dimensions[get_column_letter(i)].width = round(w, 1)
        self.secret = any(self._has_full_number(v) for v in sample)
        ws.freeze_panes = f"A{HEADER_ROWS + 1}"
        ws.print_title_rows = f"1:{HEADER_ROWS}"
        ws.page_setup.paperSize = paper.size
        ws.page_setup.orientation = Worksheet.ORIENTATION_LANDSCAPE
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.5
        ws.page_margins.top, ws.page_margins.bottom = 0.6, 0.7
        hf = HeaderFooter()
        hf.oddFooter.center.text = FOOTER
        hf.oddFooter.center.size = HEADER_FOOTER_SIZE
        ws.HeaderFooter = hf
        self._stream_rows()

    def _merged_height(self, text: str, first: int, last: int, size: float = BODY_SIZE,
                       least: float | None = None) -> float | None:
        """The height of a row whose text wraps across columns first..last (1-based), None for one line."""
        lines = text_lines(text, sum(self.widths[first - 1:last]), size)
        height = row_height(lines, size) if lines > 1 else None
        if least is not None:
            return max(least, height or 0)
        return height

    def write_head(self) -> None:
        n = self.ncols
        title = self.ledger.title(self.unit.name)
        self.append([self.cell(title, STYLES.title)], self._merged_height(title, 1, n, TITLE_SIZE, 30))
        self.merge(1, n)
        self._info_row()
        header_lines = max(text_lines(c.header, w) for c, w in zip(self.columns, self.widths, strict=True))
        self.append([self.cell(c.header, STYLES.header) for c in self.columns], max(30, row_height(header_lines)))

    def _info_row(self) -> None:
        """填报单位 on the left, 填报日期 from the middle, and on a sheet with full 身份证号 or phones
        内部资料　注意保密 at the right end (in the date's cell when the last columns are too narrow)."""
        n = self.ncols
        unit_text = f"填报单位：{self.unit.full_name}"
        date_text = f"填报日期：{self.filled_on.isoformat()}"
        if n == 1:
            parts = [(0, 1, "　　".join([unit_text, date_text] + [SECRET] * self.secret), STYLES.info)]
        else:
            split = (n + 1) // 2
            mark_at = n
            if self.secret:
                need = display_width(SECRET) + 2
                mark_at = next((m for m in range(n - 1, split, -1) if sum(self.widths[m:]) >= need), n)
                if mark_at == n:
                    date_text += "　　" + SECRET
            parts = [(0, split, unit_text, STYLES.info), (split, mark_at, date_text, STYLES.info)]
            if mark_at < n:
                parts.append((mark_at, n, SECRET, STYLES.secret))
        cells: list[WriteOnlyCell | None] = [None] * n
        heights = [30.0]  # (at least) the height the row has always had
        for first, end, text, style in parts:
            cells[first] = self.cell(text, style)
            heights.append(self._merged_height(text, first + 1, end) or 0)
        self.append(cells, max(heights) if max(heights) > 30 else None)
        for first, end, _text, _style in parts:
            self.merge(first + 1, end)

    def values(self, row: Any) -> list[object]:
        """The row's cell values, converted for their column kinds."""
        if type(row) is SubtotalRow:  # no 序号 (a computed column) on a 小计
            raws = [None if callable(col.key) else row.get(col.key) for col in self.columns]
            return _SubtotalValues(convert(raw) for convert, raw in zip(self._convert, raws, strict=True))
        if isinstance(row, dict):
            raws = [col.value_of(row) for col in self.columns]
        else:
            raws = [get(row) for get in self._getters]
        return [convert(raw) for convert, raw in zip(self._convert, raws, strict=True)]

    def write_row(self, values: list[object]) -> int:
        """Write a body row; 1 for a data row, 0 for a 小计 (not counted, not summed into the 合计)."""
        if type(values) is _SubtotalValues:
            self.append([self.cell(v, total_style(c.kind, v)) for c, v in zip(self.columns, values, strict=True)])
            # its label (the first value) spans the empty cells up to the first figure, like the 合计's
            filled = [i for i, v in enumerate(values) if v is not None]
            if filled:
                self.merge(filled[0] + 1, filled[1] if len(filled) > 1 else self.ncols)
            return 0
        for i in self._total_at:
            v = values[i]
            if isinstance(v, int | float | Decimal):
                self.totals[i] += v
        styles = [style_of(v) for style_of, v in zip(self._style_of, values, strict=True)]
        if not self.secret and self._secret_at and self._has_full_number(values):
            self.secret = True  # past the sample: the page header still says so
        height = self._height(values, styles)
        if all(map(is_plain, values)):
            self.append(_PlainRow(zip(values, styles, strict=True)), height)
        else:
            self.append([self.body_cell(i, v, style) for i, (v, style) in enumerate(zip(values, styles, strict=True))],
                        height)
        return 1

    def _height(self, values: list[object], styles: list[str]) -> float | None:
        """The row's height when a wrapped text cell needs more than one line, else None (the default)."""
        lines = 1
        wraps = STYLES.text
        for v, style, one_line, ascii_line, width in zip(values, styles, self._one_line, self._ascii_line,
                                                         self.widths, strict=True):
            if type(v) is not str or style != wraps:
                continue
            if (len(v) <= one_line or (len(v) <= ascii_line and v.isascii())) and "\n" not in v:
                continue
            lines = max(lines, text_lines(v, width))
        return row_height(lines) if lines > 1 else None

    def write_tail(self, count: int) -> None:
        ledger = self.ledger
        given = ledger.total_values
        if any(c.total for c in self.columns) or ledger.count_unit or given:
            valued = [bool(c.total or c.header in given) for c in self.columns]
            label_at = next((i for i, v in enumerate(valued) if not v), 0)
            label = "合计"
            if ledger.count_unit:
                label = f"合计：{count} {ledger.count_unit}"
            cells = []
            for i, col in enumerate(self.columns):
                if i == label_at:
                    cells.append(self.cell(label, STYLES.total))
                elif col.header in given:
                    value = CONVERT[col.kind](given[col.header])
                    cells.append(self.cell(value, total_style(col.kind, value)))
                elif col.total:
                    cells.append(self.cell(self.totals[i], total_style(col.kind, self.totals[i])))
                else:
                    cells.append(self.cell(None, STYLES.total))
            self.append(cells)
            end = next((i for i in range(label_at + 1, self.ncols) if valued[i]), self.ncols)
            self.merge(label_at + 1, end)
        for note in ledger.notes:
            self.append([self.cell(note, STYLES.note)], self._merged_height(note, 1, self.ncols))
            self.merge(1, self.ncols)
        if self.secret:
            self.ws.HeaderFooter.oddHeader.right.text = SECRET
            self.ws.HeaderFooter.oddHeader.right.size = HEADER_FOOTER_SIZE
        self.append([])
        n = self.ncols
        thirds = [0, n // 3, (2 * n) // 3] if n >= 3 else [0, 0, 0]
        sign: list[WriteOnlyCell | None] = [None] * n
        if n >= 3:
            for at, text in zip(thirds, SIGNATURE, strict=True):
                sign[at] = self.cell(text, STYLES.sign)
        else:
            sign[0] = self.cell("　　　　".join(SIGNATURE), STYLES.sign)
        self.append(sign)
        if n >= 3:
            bounds = [*thirds, n]
            for a, b in itertools.pairwise(bounds):
                self.merge(a + 1, b)


def _sheet_title(ledger: Ledger, taken: set[str]) -> str:
    base = _SHEET_NAME_BAD.sub("", ledger.sheet_name or ledger.name)[:31] or "台账"
    name, k = base, 2
    while name in taken:
        suffix = f"({k})"
        name, k = base[: 31 - len(suffix)] + suffix, k + 1
    taken.add(name)
    return name


def write_ledgers(
    path: Path,
    unit_info: UnitLike,
    ledgers: Sequence[Ledger],
    filled_on: date | None = None,
    progress: Progress | None = None,
    cancel: CancelCheck | None = None,
) -> LedgerResult:
    """Write the ledgers (one sheet each) to path. Raises Cancelled when cancel() returns True."""
    from openpyxl import Workbook

    filled_on = filled_on or date.today()
    ledgers = [sheet for lg in ledgers for sheet in (lg, *lg.more)]
    known = [lg.count for lg in ledgers]
    total = sum(c for c in known if c is not None) if all(c is not None for c in known) else 0
    done = 0
    names: list[str] = []
    wb = Workbook(write_only=True)
    add_styles(wb)
    try:
        for ledger in ledgers:
            check_cancel(cancel)
            title = _sheet_title(ledger, set(names))
            names.append(title)
            writer = _SheetWriter(wb.create_sheet(title), ledger, unit_info, filled_on)
            rows: Iterator[Any] = iter(ledger.rows)
            sample = [writer.values(r) for r in itertools.islice(rows, WIDTH_SAMPLE)]
            writer.setup(sample)
            writer.write_head()
            count = 0
            for values in itertools.chain(sample, (writer.values(r) for r in rows)):
                count += writer.write_row(values)
                if count % CHECK_EVERY == 0:
                    check_cancel(cancel)
                    if progress is not None:
                        progress(done + count, total)
            writer.write_tail(count)
            done += count
            if progress is not None:
                progress(done, total)
        check_cancel(cancel)
        with atomic_path(path) as tmp:
            wb.save(tmp)
    except BaseException:
        _discard(wb)
        raise
    return LedgerResult(Path(path), names, done)


def _discard(wb: Workbook) -> None:
    """Finish and remove the temp files openpyxl streams unsaved write-only sheets into."""
    for ws in wb.worksheets:
        out = getattr(getattr(ws, "_writer", None), "out", None)
        if isinstance(out, str):
            with contextlib.suppress(Exception):
                ws.close()  # ends its XML stream cleanly (no warnings from half-run generators)
            with contextlib.suppress(OSError):
                os.remove(out)
