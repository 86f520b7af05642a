"""Rows pasted from Excel / WPS (tab-separated text on the clipboard) as a SheetTable for the import check.

Excel and WPS put a copied range on the clipboard as TSV: one line a row, a tab between cells, a cell
holding a line break or a quote written in double quotes. The paste goes through the same limits as a CSV
file (app/io/csv_read.py, app/io/sheet_read.py): at most MAX_ROWS rows and MAX_COLS columns, FIELD_LIMIT
characters a cell, and the same cell cleaning (trim_row). Text is refused before it is split when it is
larger than a file the importer would read; a NUL (binary junk, never in copied cells) is refused as a
file with one is. Other control characters are left to the import checks, as in a file: they name the
row and column.
"""

from __future__ import annotations

import csv
import hashlib
import io

from app.io.csv_read import FIELD_LIMIT
from app.io.excel_import import MAX_FILE_BYTES, SheetTable, UnreadableFile
from app.io.sheet_read import MAX_COLS, MAX_ROWS, Cell, trim_row

PASTE_NAME = "剪贴板粘贴"
MAX_PASTE_CHARS = MAX_FILE_BYTES // 4  # a UTF-8 character of Chinese text is 3 bytes: no more than a file


def parse_tsv(text: str, name: str = PASTE_NAME) -> list[list[Cell]]:
    """The pasted text's rows (trailing empty rows and cells dropped); UnreadableFile past a limit."""
    if len(text) > MAX_PASTE_CHARS:
        raise UnreadableFile(f"粘贴的内容太大（{len(text) // 10_000} 万字），请保存为 Excel 文件后用“导入”分批导入。")
    if "\x00" in text:
        raise UnreadableFile("粘贴的内容不是表格（含有二进制字符），请在 Excel 或 WPS 中选中要导入的行后复制再粘贴。")
    csv.field_size_limit(FIELD_LIMIT)  # process-wide, the same limit csv_read sets
    rows: list[list[Cell]] = []
    reader = csv.reader(io.StringIO(text.replace("\r\n", "\n").replace("\r", "\n"), newline=""),
                        dialect="excel-tab")
    try:
        for raw in reader:
            if len(rows) >= MAX_ROWS:
                raise UnreadableFile(f"粘贴的内容超过 {MAX_ROWS} 行，请保存为 Excel 文件后分批导入。")
            row = trim_row(raw)
            if len(row) > MAX_COLS:
                raise UnreadableFile(f"粘贴的第 {reader.line_num} 行有 {len(row)} 列，超过 {MAX_COLS} 列，请只复制名册的列。")
            rows.append(row)
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise UnreadableFile(
                f"粘贴的第 {reader.line_num} 行附近有一格超过 {FIELD_LIMIT} 个字符（可能缺了一个引号），请检查后再粘贴。"
            ) from None
        raise UnreadableFile(f"粘贴的第 {reader.line_num} 行格式有误：{exc}") from None
    while rows and not rows[-1]:
        rows.pop()
    while rows and not rows[0]:
        rows.pop(0)
    if not rows:
        raise UnreadableFile("粘贴的内容是空的：请在 Excel 或 WPS 中选中要导入的行，复制后再粘贴。")
    return rows


def pasted_table(text: str, header: list[str] | None = None, name: str = PASTE_NAME) -> SheetTable:
    """A SheetTable of the pasted rows; `header` (the list's column names) goes first when given.

    The checksum is of the text as pasted, so the 导入记录 can tell two pastes of the same rows apart
    from different ones, as it does files.
    """
    rows = parse_tsv(text, name)
    if header is not None:
        first: list[Cell] = list(header)
        rows = [first, *rows]
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return SheetTable(file_name=name, sheet_name=name, format="csv", rows=rows, sha256=digest, sheet_names=[name])
