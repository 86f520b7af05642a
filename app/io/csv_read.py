"""CSV files as offices save them, read line by line within limits, in an encoding that is certain.

Encoding: a BOM decides (UTF-8, UTF-16 LE/BE); UTF-16 without BOM is recognised by its zero bytes;
else the whole file must decode as strict UTF-8, or else as strict GBK (what WPS and Excel save by
default). No GB18030 fallback: it decodes any bytes at all, so a GBK file with rows pasted in as
UTF-8 used to import as mojibake. Such a file often still decodes as GBK, so the GBK reading is
checked too: a run of non-ASCII bytes that is valid UTF-8 spelling common Chinese characters, where
the GBK reading of the same bytes is rarer characters (浣犲ソ for 你好), is pasted UTF-8. Measured
on the seeds' text cut into fields of 2 to 30 characters: no real GBK run of 600,000 was taken for
UTF-8, and 93 % of single UTF-8 fields that GBK could decode were caught (a pasted row has several).
The reading streams: memory stays at a chunk however large the file, and a file of newlines stops
at the row limit.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from app.io.sheet_read import MAX_COLS, MAX_ROWS, Cell, SheetRefused, trim_row

FIELD_LIMIT = 100_000  # characters in one CSV field; a roster cell is a few dozen
LINE_LIMIT = 2 * FIELD_LIMIT  # characters in one physical line: a file without line ends is not read whole
CHUNK = 1024 * 1024
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_NON_ASCII = re.compile(rb"[\x80-\xff]+")
_MOJIBAKE = "锟斤拷".encode("gbk")  # U+FFFD written as UTF-8 then read as GBK: the file is already damaged


def mixed_message(name: str) -> str:
    return (
        f"“{name}”既不是 UTF-8 也不是 GBK 编码（可能混有两种编码的内容），"
        "请用 WPS 或 Excel 另存为“CSV UTF-8”后再导入。"
    )


def _utf16_without_bom(head: bytes) -> str | None:
    """utf-16-le / utf-16-be when every other byte is mostly zero (ASCII digits and commas in UTF-16)."""
    pairs = len(head) // 2
    if pairs < 8:
        return None
    even = sum(1 for b in head[0:pairs * 2:2] if b == 0) / pairs
    odd = sum(1 for b in head[1:pairs * 2:2] if b == 0) / pairs
    if odd > 0.3 and even < 0.05:
        return "utf-16-le"
    if even > 0.3 and odd < 0.05:
        return "utf-16-be"
    return None


def _chunks(path: Path, whole_lines: bool = False) -> Iterator[bytes]:
    """The file in pieces of about CHUNK bytes; with whole_lines, each piece ends at a line end."""
    carry = b""
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            if whole_lines:
                chunk = carry + chunk
                cut = chunk.rfind(b"\n") + 1
                if cut:
                    carry, chunk = chunk[cut:], chunk[:cut]
                else:
                    carry, chunk = chunk, b""
            yield chunk
    if carry:
        yield carry


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        for chunk in _chunks(path):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _common(ch: str) -> bool:
    """One of the 3,755 everyday characters (GB2312 level 1) or common full-width punctuation."""
    try:
        b = ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return len(b) == 2 and (0xB0 <= b[0] <= 0xD7 or b[0] in (0xA1, 0xA3))


def _cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef"


def looks_pasted_utf8(run: bytes) -> bool:
    """True when a run of non-ASCII bytes from a GBK file reads better as UTF-8 than as GBK."""
    try:
        text = run.decode("utf-8")
    except UnicodeDecodeError:
        return False
    if not text or not all(_cjk(ch) for ch in text):
        return False
    as_utf8 = sum(map(_common, text)) / len(text)
    try:
        gbk = run.decode("gbk")
        as_gbk = sum(map(_common, gbk)) / max(len(gbk), 1)
    except UnicodeDecodeError:  # a GBK character cut by an ASCII-range trail byte: no GBK reading
        as_gbk = 0.0
    return as_utf8 >= 0.5 and as_utf8 > as_gbk


def _gbk_is_clean(path: Path) -> bool:
    """No pasted UTF-8 and no 锟斤拷 in a file that decodes as GBK (runs never span a line end)."""
    for chunk in _chunks(path, whole_lines=True):
        if _MOJIBAKE in chunk or any(looks_pasted_utf8(m.group()) for m in _NON_ASCII.finditer(chunk)):
            return False
    return True


def detect_encoding(path: Path, name: str) -> str:
    """The codec to read the file with; SheetRefused when it is neither clean UTF-8 nor clean GBK."""
    with path.open("rb") as f:
        head = f.read(4096)
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            if not _decodes(path, encoding):
                raise SheetRefused(
                    f"“{name}”的文字编码有误（开头标明为 Unicode，内容却不是），"
                    "请用 WPS 或 Excel 另存为“CSV UTF-8”后再导入。"
                )
            return encoding
    if b"\x00" in head:
        utf16 = _utf16_without_bom(head)
        if utf16 and _decodes(path, utf16):
            return utf16
        raise SheetRefused(f"“{name}”不是表格文件，请选择 .xlsx、.xls 或 .csv 文件。")
    if _decodes(path, "utf-8"):
        return "utf-8"
    if _decodes(path, "gbk") and _gbk_is_clean(path):
        return "gbk"
    raise SheetRefused(mixed_message(name))


def _lines(f: TextIO, name: str) -> Iterator[str]:
    """The file's lines, none longer than LINE_LIMIT (readline would otherwise hold a whole huge line)."""
    number = 0
    while line := f.readline(LINE_LIMIT):
        number += 1
        if len(line) >= LINE_LIMIT and not line.endswith(("\n", "\r")):
            raise SheetRefused(
                f"“{name}”第 {number} 行超过 {LINE_LIMIT} 个字符（可能缺了换行或引号），请检查后再导入。"
            )
        yield line


def read_csv(path: Path, name: str) -> list[list[Cell]]:
    """The file's rows (trailing empty cells dropped), read record by record; SheetRefused past a limit."""
    encoding = detect_encoding(path, name)
    with path.open(encoding=encoding, newline="") as f:
        sample = f.read(8192)
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",\t;|，")
    except csv.Error:
        dialect = csv.excel
    # process-wide in the csv module; nothing else in the program reads CSV
    csv.field_size_limit(FIELD_LIMIT)
    rows: list[list[Cell]] = []
    with path.open(encoding=encoding, newline="") as f:
        reader = csv.reader(_lines(f, name), dialect)
        try:
            for raw in reader:
                if len(rows) >= MAX_ROWS:
                    raise SheetRefused(f"“{name}”超过 {MAX_ROWS} 行（含空行），请删除多余的空行或分成几个文件导入。")
                row = trim_row(raw)
                if len(row) > MAX_COLS:
                    raise SheetRefused(
                        f"“{name}”第 {reader.line_num} 行有 {len(row)} 列，超过 {MAX_COLS} 列，"
                        "请检查分隔符或删除多余的列。"
                    )
                rows.append(row)
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise SheetRefused(
                    f"“{name}”第 {reader.line_num} 行附近有一格超过 {FIELD_LIMIT} 个字符（可能缺了一个引号），"
                    "请检查后再导入。"
                ) from None
            raise SheetRefused(f"“{name}”第 {reader.line_num} 行的 CSV 格式有误：{exc}") from None
    return rows
