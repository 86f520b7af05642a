"""Read a roster file as offices have it: xlsx / xls (WPS) via python-calamine, csv in UTF-8 or GBK.

The reader only turns a file into rows of plain cell values; it knows nothing about fields. The
format is taken from the file's first bytes, not its name, so junk renamed to .xlsx gets a clear
message instead of a crash. Header detection (which row names the columns) lives here too, as a
plain scoring function; the services give it the names to look for.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from app.services.errors import ServiceError

log = logging.getLogger(__name__)

Cell = str | int | float | bool | date | datetime | None

MAX_ROWS = 100_000  # a village roster is far smaller; bigger files are split by the user
MAX_FILE_BYTES = 200 * 1024 * 1024
HEADER_SCAN_ROWS = 30  # the header is looked for in the first rows (under merged title rows)
FORMATS = ("xlsx", "xls", "csv")
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, .et (WPS)


class UnreadableFile(ServiceError):
    """The file cannot be read as a table; the message says why in Chinese."""


@dataclass
class SheetTable:
    """One sheet of a file: all its rows (trailing empty cells dropped), as read."""

    file_name: str
    sheet_name: str
    format: str  # xlsx | xls | csv
    rows: list[list[Cell]]
    sha256: str
    sheet_names: list[str] = field(default_factory=list)

    def row(self, index: int) -> list[Cell]:
        return self.rows[index] if 0 <= index < len(self.rows) else []

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)


def _clean(value: object) -> Cell:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        # openpyxl and WPS leave non-breaking spaces and stray control characters in cells
        text = value.replace("\u00a0", " ").replace("\u3000", " ").strip()
        return text or None
    if isinstance(value, bool | int | float | date | datetime):
        return value
    return str(value)


def _trim(row: Sequence[object]) -> list[Cell]:
    cells = [_clean(v) for v in row]
    while cells and cells[-1] is None:
        cells.pop()
    return cells


def detect_format(head: bytes, name: str) -> str:
    """xlsx / xls / csv from the first bytes; the extension only decides for text files."""
    if head.startswith(_ZIP):
        return "xlsx"
    if head.startswith(_OLE):
        return "xls"
    suffix = Path(name).suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls", ".et", ".ett"):
        raise UnreadableFile(
            f"“{name}”不是有效的 Excel 文件（可能已损坏，或是改了扩展名的其他文件）。"
            "请用 Excel 或 WPS 打开后另存为 .xlsx 再导入。"
        )
    if b"\x00" in head[:4096]:
        raise UnreadableFile(f"“{name}”不是表格文件，请选择 .xlsx、.xls 或 .csv 文件。")
    return "csv"


def decode_text(data: bytes, name: str) -> str:
    """UTF-8 (with or without BOM), else GB18030 (a superset of GBK/GB2312, what WPS saves)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile(f"无法识别“{name}”的文字编码，请用 Excel 或 WPS 另存为“CSV UTF-8”或 .xlsx 后再导入。")


def _read_csv(data: bytes, name: str) -> list[list[Cell]]:
    text = decode_text(data, name)
    sample = text[:8192]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",\t;|，")
    except csv.Error:
        dialect = csv.excel
    csv.field_size_limit(10 * 1024 * 1024)
    try:
        return [_trim(r) for r in csv.reader(io.StringIO(text, newline=""), dialect)]
    except csv.Error as exc:
        raise UnreadableFile(f"“{name}”的 CSV 格式有误：{exc}") from None


def _read_workbook(data: bytes, name: str, sheet: str | None) -> tuple[str, list[str], list[list[Cell]]]:
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = list(wb.sheet_names)
        if not names:
            raise UnreadableFile(f"“{name}”中没有工作表。")
        if sheet is not None and sheet not in names:
            raise UnreadableFile(f"“{name}”中没有名为“{sheet}”的工作表。")
        chosen = sheet
        rows: list[list[Cell]] = []
        for candidate in [sheet] if sheet is not None else names:
            rows = [_trim(r) for r in wb.get_sheet_by_name(candidate).to_python(skip_empty_area=False)]
            chosen = candidate
            if any(rows):
                break  # the first sheet with something in it (WPS adds empty Sheet2, Sheet3)
        return str(chosen), names, rows
    except UnreadableFile:
        raise
    except BaseException as exc:  # calamine raises its own errors, and a Rust panic is a BaseException
        if isinstance(exc, KeyboardInterrupt | SystemExit | MemoryError):
            raise
        log.warning("cannot read %s: %r", name, exc)
        if "password" in str(exc).lower() or type(exc).__name__ == "PasswordError":
            raise UnreadableFile(f"“{name}”设置了打开密码，请在 Excel 或 WPS 中取消密码后再导入。") from None
        raise UnreadableFile(
            f"“{name}”无法读取（文件可能已损坏，或不是 Excel 文件）。请用 Excel 或 WPS 打开后另存为 .xlsx 再导入。"
        ) from None


def read_table(path: Path | str, sheet: str | None = None) -> SheetTable:
    """Read one sheet of an xlsx / xls / csv file. UnreadableFile (Chinese message) when it can't."""
    path = Path(path)
    name = path.name
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise UnreadableFile(f"“{name}”太大（{size // (1024 * 1024)} MB），请分成几个文件导入。")
        data = path.read_bytes()
    except FileNotFoundError:
        raise UnreadableFile(f"找不到文件：{path}") from None
    except PermissionError:
        raise UnreadableFile(f"无法打开“{name}”：文件可能正在 Excel 或 WPS 中打开，请关闭后重试。") from None
    except IsADirectoryError:
        raise UnreadableFile(f"“{name}”是文件夹，请选择一个表格文件。") from None
    except OSError as exc:
        raise UnreadableFile(f"无法读取“{name}”：{exc.strerror or exc}") from None
    if not data.strip():
        raise UnreadableFile(f"“{name}”是空文件，没有可导入的内容。")
    fmt = detect_format(data[:8192], name)
    if fmt == "csv":
        sheet_name, names, rows = Path(name).stem, [Path(name).stem], _read_csv(data, name)
    else:
        sheet_name, names, rows = _read_workbook(data, name, sheet)
    while rows and not rows[-1]:
        rows.pop()
    if not rows:
        raise UnreadableFile(f"“{name}”的工作表“{sheet_name}”是空的，没有可导入的内容。")
    if len(rows) > MAX_ROWS:
        raise UnreadableFile(f"“{name}”有 {len(rows)} 行，超过 {MAX_ROWS} 行，请分成几个文件导入。")
    return SheetTable(
        file_name=name, sheet_name=sheet_name, format=fmt, rows=rows,
        sha256=hashlib.sha256(data).hexdigest(), sheet_names=names,
    )


# ---------------------------------------------------------------- header detection

_BRACKETS = re.compile(r"[(（\[【].*?[)）\]】]")
_NOISE = re.compile(r"[\s*＊:：★\-_/、.。]+")


def header_key(value: object) -> str:
    """A header cell reduced for matching: 身份证号码（18位）* → 身份证号码."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    text = _BRACKETS.sub("", text)
    return _NOISE.sub("", text).lower()


def match_header(value: object, names: dict[str, str]) -> str | None:
    """The field whose name or synonym (keys of `names`, already header_key'd) the cell names.

    Exact first; then the longest synonym the cell starts with (联系电话手机 → 联系电话).
    """
    key = header_key(value)
    if not key or len(key) > 30:
        return None
    if key in names:
        return names[key]
    best = ""
    for synonym in names:
        if len(synonym) >= 2 and key.startswith(synonym) and len(synonym) > len(best):
            best = synonym
    return names[best] if best else None


def find_header_row(
    rows: Sequence[Sequence[Cell]], match: Callable[[object], str | None], scan: int = HEADER_SCAN_ROWS
) -> tuple[int, int]:
    """(row index, number of distinct fields matched) of the best header among the first rows.

    A merged title row has one cell, so it never wins over the real header.
    """
    best, best_score = 0, 0
    for i, row in enumerate(rows[:scan]):
        score = len({f for f in (match(c) for c in row) if f})
        if score > best_score:
            best, best_score = i, score
    return best, best_score


def cell_text(value: Cell) -> str:
    """A cell as the user would read it (dates as yyyy-mm-dd, 5.0 as 5)."""
    if type(value) is str:  # most cells: checked first, as the importer asks per cell and per field
        return value
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M") if (value.hour, value.minute) != (0, 0) else value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)
