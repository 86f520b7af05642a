"""Read a workbook's rows within fixed limits, checking the file before the reader allocates anything.

python-calamine turns a sheet into one dense block of width × height cells before handing out a
single row, so one stray cell at XFD1048576 makes it ask for 512 GB and abort the process. Here an
xlsx is inspected first with zipfile: total inflated size and compression ratio are capped, then the
sheet's XML is streamed (a few MB at a time) to find how far its non-empty cells really reach (the
`<dimension>` element is only a claim and may be absent or lie). Only a sheet that fits the limits is
given to calamine. An .xls (OLE) cannot be inspected that way: its file size is capped, and the
block calamine builds is measured (height × width) before any Python row is made.

This module runs in the reader's child process (app/io/sheet_child.py) under a memory and time
limit, so it imports only the standard library and python-calamine: no ServiceError, no Qt, no
database. A refusal is a `SheetRefused` carrying the Chinese message.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from xml.sax.saxutils import unescape

Cell = str | int | float | bool | date | datetime | None

MAX_ROWS = 100_000  # a village roster is far smaller; bigger files are split by the user
MAX_COLS = 200  # a roster has a few dozen columns at most
MAX_CELLS = 2_000_000  # rows × columns of the block the reader allocates (~64 MB in calamine)
MAX_INFLATED_BYTES = 200 * 1024 * 1024  # all parts of an xlsx together, once decompressed
MAX_RATIO = 200  # inflated / compressed for a part over RATIO_FLOOR; XML of real cells stays under ~30
RATIO_FLOOR = 10 * 1024 * 1024
MAX_XLS_BYTES = 30 * 1024 * 1024  # an .xls is read whole by calamine: cap what it is given
SCAN_CHUNK = 4 * 1024 * 1024
_ATTR_XML = {"&quot;": '"', "&apos;": "'"}


class SheetRefused(Exception):
    """The file is refused; args[0] is the Chinese message for the user."""

    @property
    def message(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class Extent:
    """How far a sheet's non-empty cells reach, 1-based (0, 0 when empty)."""

    rows: int
    cols: int

    @property
    def cells(self) -> int:
        return self.rows * self.cols


def col_letters(col: int) -> str:
    """1 → A, 16384 → XFD."""
    letters = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def col_number(letters: str) -> int:
    """A → 1, XFD → 16384."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def check_extent(name: str, sheet: str, extent: Extent) -> None:
    """SheetRefused naming the far cell when a sheet's block is too big to read."""
    if extent.cols <= MAX_COLS and extent.rows <= MAX_ROWS and extent.cells <= MAX_CELLS:
        return
    far = f"{col_letters(extent.cols)}{extent.rows}"
    many_rows = extent.rows > MAX_ROWS and extent.cols <= MAX_COLS  # could be a real, long list
    split = f"（最多读取 {MAX_ROWS} 行，确有这么多行时请分成几个文件导入）" if many_rows else ""
    raise SheetRefused(
        f"工作表“{sheet}”的内容延伸到 {far}（第 {extent.rows} 行、第 {extent.cols} 列），"
        f"通常是表格远处有误填的内容；请删除多余的行列后再导入{split}。（文件：“{name}”）"
    )


# ---------------------------------------------------------------- xlsx: the zip and the sheet XML

_SHEET = re.compile(rb"<(?:\w+:)?sheet\b([^>]*)>")
_REL = re.compile(rb"<(?:\w+:)?Relationship\b([^>]*)>")
_ATTR = re.compile(rb"""([\w:]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
# A cell or row start tag. Group 1: "c" or "row"; 2: its attributes; 3: "/" when self-closing (a
# styled blank cell, which calamine skips and so must not count).
_TAG = re.compile(rb"<(?:\w+:)?(c|row)\b([^>]*?)(/?)>")
_REF = re.compile(rb"""\br\s*=\s*["']([A-Za-z]*)(\d*)["']""")
# The fast path, for cells written as Excel, WPS and openpyxl write them: `<c r="B7" …>`, r first, no
# prefix. A filled cell is one whose start tag does not close itself (no "/" in a cell's attributes).
_ODD_CELL = re.compile(rb'<c(?:[>/]|\s(?!r="))')  # a cell tag that does not start with r="
_FILLED_CELL = re.compile(rb'<c r="([A-Z]{1,3})(\d{1,7})"[^>/]*>')
_PREFIXED_CELL = re.compile(rb"<\w+:c[\s/>]")


def _attrs(raw: bytes) -> dict[str, str]:
    out = {}
    for key, v1, v2 in _ATTR.findall(raw):
        name = key.decode("utf-8", "replace").rpartition(":")[2]
        out[name] = unescape((v1 or v2).decode("utf-8", "replace"), _ATTR_XML)
    return out


def _read_small(z: zipfile.ZipFile, member: str, limit: int = 8 * 1024 * 1024) -> bytes:
    with z.open(member) as f:
        return f.read(limit)


def check_zip(z: zipfile.ZipFile, name: str) -> None:
    """Refuse a zip that inflates beyond the cap, or a part packed at an absurd ratio (a zip bomb)."""
    total = 0
    for info in z.infolist():
        total += info.file_size
        packed = max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR and info.file_size / packed > MAX_RATIO:
            raise SheetRefused(
                f"“{name}”中的“{info.filename}”解压后达 {info.file_size // (1024 * 1024)} MB，"
                f"是压缩前的 {info.file_size // packed} 倍，不像正常的表格（可能是恶意文件）。"
                "请用 Excel 或 WPS 打开后另存为 .xlsx 再导入。"
            )
    if total > MAX_INFLATED_BYTES:
        raise SheetRefused(
            f"“{name}”解压后有 {total // (1024 * 1024)} MB，超过 {MAX_INFLATED_BYTES // (1024 * 1024)} MB，"
            "请删除多余的内容或分成几个文件导入。"
        )


def sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its XML part in the zip, from xl/workbook.xml and its relationships."""
    members = set(z.namelist())
    if "xl/workbook.xml" not in members or "xl/_rels/workbook.xml.rels" not in members:
        return {}
    targets = {}
    for raw in _REL.findall(_read_small(z, "xl/_rels/workbook.xml.rels")):
        a = _attrs(raw)
        target = a.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else "xl/" + target
        targets[a.get("Id", "")] = target
    parts = {}
    for raw in _SHEET.findall(_read_small(z, "xl/workbook.xml")):
        a = _attrs(raw)
        if "name" in a and a.get("id") in targets:
            parts[a["name"]] = targets[a["id"]]
    return parts


def scan_extent(z: zipfile.ZipFile, part: str, name: str, sheet: str) -> Extent:
    """How far the non-empty cells of a sheet part reach, streamed: memory stays at a few chunks.

    Stops and refuses as soon as the extent passes a limit, so a sheet of a million rows is not read
    to its end. Cells that carry their `r="B7"` (all that Excel and WPS write) are found by one regex
    per chunk; a part with cells lacking it is walked tag by tag, each such cell following the one
    before (as calamine places them).
    """
    max_row = max_col = 0
    row = col = 0
    walk = False  # a cell written otherwise was seen: follow every tag from here on
    carry = b""
    with z.open(part) as f:
        while True:
            chunk = f.read(SCAN_CHUNK)
            data = carry + chunk
            cut = data.rfind(b">") + 1 if chunk else len(data)
            carry, data = data[cut:], data[:cut]
            walk = walk or bool(_ODD_CELL.search(data)) or bool(_PREFIXED_CELL.search(data))
            if walk:
                r, c, row, col = _walk(data, row, col)
                max_row, max_col = max(max_row, r), max(max_col, c)
            else:
                refs = _FILLED_CELL.findall(data)
                if refs:
                    max_row = max(max_row, max(map(int, (digits for _, digits in refs))))
                    max_col = max(max_col, max(col_number(letters.decode()) for letters in {lt for lt, _ in refs}))
                    row, col = int(refs[-1][1]), 0
            check_extent(name, sheet, Extent(max_row, max_col))
            if not chunk:
                return Extent(max_row, max_col)


def _walk(data: bytes, row: int, col: int) -> tuple[int, int, int, int]:
    """(max row, max col of filled cells, row, col after the last tag) following every tag."""
    max_row = max_col = 0
    for kind, attrs, closed in _TAG.findall(data):
        ref = _REF.search(attrs)
        if kind == b"row":
            row = int(ref.group(2)) if ref and ref.group(2) else row + 1
            col = 0
            continue
        col = col_number(ref.group(1).decode()) if ref and ref.group(1) else col + 1
        if ref and ref.group(2):
            row = int(ref.group(2))
        if not closed:
            max_row, max_col = max(max_row, row), max(max_col, col)
    return max_row, max_col, row, col


# ---------------------------------------------------------------- reading


def clean_cell(value: object) -> Cell:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        # WPS leaves non-breaking and ideographic spaces around cell text
        text = value.replace("\u00a0", " ").replace("\u3000", " ").strip()
        return text or None
    if isinstance(value, bool | int | float | date | datetime):
        return value
    return str(value)


def trim_row(row: Sequence[object]) -> list[Cell]:
    cells = [clean_cell(v) for v in row]
    while cells and cells[-1] is None:
        cells.pop()
    return cells


def _is_password_error(exc: BaseException) -> bool:
    return "password" in str(exc).lower() or type(exc).__name__ == "PasswordError"


def password_message(name: str) -> str:
    return f"“{name}”设置了打开密码，请在 Excel 或 WPS 中取消密码后再导入。"


def damaged_message(name: str) -> str:
    return f"“{name}”无法读取（文件可能已损坏，或不是 Excel 文件）。请用 Excel 或 WPS 打开后另存为 .xlsx 再导入。"


def read_workbook(path: Path, name: str, fmt: str, sheet: str | None) -> tuple[str, list[str], list[list[Cell]]]:
    """(sheet read, all sheet names, its rows trimmed) of the chosen sheet, or the first with content.

    SheetRefused (Chinese message) when the file is over a limit, protected by a password or unreadable.
    """
    from python_calamine import CalamineWorkbook

    parts: dict[str, str] = {}
    z: zipfile.ZipFile | None = None
    try:
        if fmt == "xlsx":
            try:
                z = zipfile.ZipFile(path)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError):
                raise SheetRefused(damaged_message(name)) from None
            check_zip(z, name)
            parts = sheet_parts(z)
        elif path.stat().st_size > MAX_XLS_BYTES:
            raise SheetRefused(
                f"“{name}”有 {path.stat().st_size // (1024 * 1024)} MB，旧版 .xls 文件最多读取 "
                f"{MAX_XLS_BYTES // (1024 * 1024)} MB；请在 Excel 或 WPS 中另存为 .xlsx 后再导入。"
            )
        try:
            wb = CalamineWorkbook.from_path(str(path))
        except Exception as exc:  # calamine's own errors: a password, a broken container
            raise SheetRefused(password_message(name) if _is_password_error(exc) else damaged_message(name)) from exc
        names = list(wb.sheet_names)
        if not names:
            raise SheetRefused(f"“{name}”中没有工作表。")
        if sheet is not None and sheet not in names:
            raise SheetRefused(f"“{name}”中没有名为“{sheet}”的工作表。")
        chosen, rows = names[0], []
        for candidate in [sheet] if sheet is not None else names:
            if z is not None:
                _guard_xlsx_sheet(z, parts, name, candidate)
            rows = _sheet_rows(wb, name, candidate)
            chosen = candidate
            if any(rows):
                break  # the first sheet with something in it (WPS adds empty Sheet2, Sheet3)
        return chosen, names, rows
    finally:
        if z is not None:
            z.close()


def _guard_xlsx_sheet(z: zipfile.ZipFile, parts: dict[str, str], name: str, sheet: str) -> None:
    part = parts.get(sheet)
    members = set(z.namelist())
    if part is None or part not in members:
        # the workbook's own map is odd: bound every worksheet part instead of guessing which is this one
        candidates = [m for m in members if m.startswith("xl/worksheets/") and m.endswith(".xml")]
    else:
        candidates = [part]
    for member in candidates:
        scan_extent(z, member, name, sheet)


def _sheet_rows(wb: object, name: str, sheet: str) -> list[list[Cell]]:
    try:
        ws = wb.get_sheet_by_name(sheet)  # type: ignore[attr-defined]
    except Exception as exc:
        raise SheetRefused(password_message(name) if _is_password_error(exc) else damaged_message(name)) from exc
    # the block calamine built (an .xls, or an xlsx the scan let through) must fit before rows are made
    check_extent(name, sheet, Extent(ws.height, ws.width))
    rows = []
    for raw in ws.iter_rows():
        rows.append(trim_row(raw))
        if len(rows) > MAX_ROWS:
            raise SheetRefused(f"“{name}”的工作表“{sheet}”超过 {MAX_ROWS} 行，请分成几个文件导入。")
    return rows
