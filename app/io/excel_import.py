"""Read a roster file as offices have it: xlsx / xls (WPS) via python-calamine, csv in UTF-8 or GBK.

The reader only turns a file into rows of plain cell values; it knows nothing about fields. The
format is taken from the file's first bytes, not its name, so junk renamed to .xlsx gets a clear
message instead of a crash. Header detection (which row names the columns) lives here too, as a
plain scoring function; the services give it the names to look for.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from app.io.csv_read import read_csv
from app.io.sheet_child import read_workbook_bounded
from app.io.sheet_read import MAX_ROWS as MAX_ROWS  # the limits live with the reader; re-exported
from app.io.sheet_read import Cell, SheetRefused
from app.services.errors import ServiceError

log = logging.getLogger(__name__)

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
    return "csv"  # app/io/csv_read.py decides whether the text is readable (UTF-16, or binary junk)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def read_table(path: Path | str, sheet: str | None = None) -> SheetTable:
    """Read one sheet of an xlsx / xls / csv file. UnreadableFile (Chinese message) when it can't.

    Every limit holds before the rows are built: a CSV is read record by record; a workbook's zip and
    sheet XML are checked first (app/io/sheet_read.py), and all but small xlsx files are read in a child
    process under a memory and time limit (app/io/sheet_child.py).
    """
    path = Path(path)
    name = path.name
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise UnreadableFile(f"“{name}”太大（{size // (1024 * 1024)} MB），请分成几个文件导入。")
        with path.open("rb") as f:
            head = f.read(8192)
        if size <= len(head) and not head.strip():
            raise UnreadableFile(f"“{name}”是空文件，没有可导入的内容。")
        fmt = detect_format(head, name)
        if fmt == "csv":
            sheet_name, names, rows = Path(name).stem, [Path(name).stem], read_csv(path, name)
        else:
            sheet_name, names, rows = read_workbook_bounded(path, name, fmt, sheet)
        digest = _sha256(path)
    except SheetRefused as exc:
        log.warning("refused %s: %s", name, exc.message)
        raise UnreadableFile(exc.message) from None
    except FileNotFoundError:
        raise UnreadableFile(f"找不到文件：{path}") from None
    except PermissionError:
        raise UnreadableFile(f"无法打开“{name}”：文件可能正在 Excel 或 WPS 中打开，请关闭后重试。") from None
    except IsADirectoryError:
        raise UnreadableFile(f"“{name}”是文件夹，请选择一个表格文件。") from None
    except OSError as exc:
        raise UnreadableFile(f"无法读取“{name}”：{exc.strerror or exc}") from None
    while rows and not rows[-1]:
        rows.pop()
    if not rows:
        raise UnreadableFile(f"“{name}”的工作表“{sheet_name}”是空的，没有可导入的内容。")
    return SheetTable(
        file_name=name, sheet_name=sheet_name, format=fmt, rows=rows, sha256=digest, sheet_names=names,
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
