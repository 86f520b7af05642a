"""How a ledger value becomes a cell: conversion by column kind, the named styles, formula-like text kept as text.

Plain functions over values (no openpyxl import except where the styles are added to a workbook), used
by the sheet writer in ledgers.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from openpyxl import Workbook

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FONT_NAME = "宋体"


# ---------------------------------------------------------------- values


# openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE (the control characters XML 1.0 forbids) and ERROR_CODES,
# here so that reading them does not import openpyxl.
_ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
_ERROR_CODES = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"))
MAX_TEXT = 32767  # Excel's limit; openpyxl cuts longer text


def cell_text(value: object) -> str:
    """A value as a string for text cells (IDs, phones, names …); illegal XML characters dropped."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    return _ILLEGAL_CHARACTERS_RE.sub("", str(value))


def _number(value: object, kind: str) -> int | float | Decimal | str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float | Decimal):
        return int(value) if kind == "int" and not isinstance(value, float) else value
    return cell_text(value)  # not a number: keep what was given, as text


def _date(value: object) -> date | str | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return cell_text(value)


def _text(value: object) -> str | None:
    return cell_text(value) or None


def _int(value: object) -> int | float | Decimal | str | None:
    return _number(value, "int")


def _decimal(value: object) -> int | float | Decimal | str | None:
    return _number(value, "decimal")


_NUMERIC_TEXT = re.compile(r"[+-]?\d+(\.\d+)?")
_PERCENT_TEXT = re.compile(r"([+-]?\d+(?:\.\d+)?)\s*[%％]")
PERCENT_STEP = Decimal("0.001")  # a rate is kept as it prints: 98.8 % (0.988), never 0.98765…


def _count(value: object) -> int | float | Decimal | str | None:
    """A count (小计, 合计, 户数 …): a number, also when it comes as digits in text ("12"); other text
    (√, —) is kept as text."""
    if isinstance(value, str) and _NUMERIC_TEXT.fullmatch(value.strip()):
        text = value.strip()
        return int(text) if "." not in text else Decimal(text)
    return _number(value, "int")


def fraction(num: int | Decimal, den: int | Decimal) -> Decimal | None:
    """num ÷ den for a "percent" cell, rounded as the cell shows it (0.1 %); None when den is 0."""
    if not den:
        return None
    return (Decimal(num) / Decimal(den)).quantize(PERCENT_STEP, ROUND_HALF_UP)


def _percent(value: object) -> int | float | Decimal | str | None:
    """A rate for a "percent" column, stored as a fraction shown as 0.0 % (Excel can compute with it).

    Takes a fraction (0.988), an object with num / den (tickets.stats.Rate), or text such as "98.8%";
    anything else (— for no rate) is kept as text."""
    if value is None or value == "":
        return None
    num, den = getattr(value, "num", None), getattr(value, "den", None)
    if isinstance(num, int | Decimal) and isinstance(den, int | Decimal):
        return fraction(num, den) if den else "—"
    if isinstance(value, str):
        m = _PERCENT_TEXT.fullmatch(value.strip())
        return (Decimal(m.group(1)) / 100).quantize(PERCENT_STEP, ROUND_HALF_UP) if m else cell_text(value)
    return _number(value, "decimal")


# How a column kind converts its raw values; STYLE_OF: which style a converted value gets (a value that
# is not a date or a number is kept as text, in the text style).
CONVERT: dict[str, Callable[[object], object]] = {
    "text": _text, "id": _text, "phone": _text, "date": _date, "int": _int, "decimal": _decimal,
    "decimal1": _decimal, "count": _count, "percent": _percent,
}


def _text_style(_value: object) -> str:
    return STYLES.text


def _date_style(value: object) -> str:
    return STYLES.date if isinstance(value, date) else STYLES.text


def _number_style(value: object) -> str:
    return STYLES.text if isinstance(value, str) else STYLES.number


def _count_style(value: object) -> str:
    return STYLES.text_center if isinstance(value, str) else STYLES.count


def _percent_style(value: object) -> str:
    return STYLES.text_center if isinstance(value, str) else STYLES.percent


def _decimal1_style(value: object) -> str:
    return STYLES.text_center if isinstance(value, str) else STYLES.decimal1


# The 合计 row's number styles: bold, aligned and formatted as the column's body cells (a count centred
# under centred counts, not right-aligned); other kinds and text take the plain bold total style.
_TOTAL_STYLE_OF = {"count": "total_count", "percent": "total_percent", "decimal1": "total_decimal1"}


def total_style(kind: str, value: object) -> str:
    """The style of a 合计-row cell of a column of this kind."""
    name = _TOTAL_STYLE_OF.get(kind)
    if name is None or value is None:
        return STYLES.total
    return STYLES.total_center if isinstance(value, str) else getattr(STYLES, name)


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_START)


# Value types _RowXml writes itself (by exact type: bool, datetime and str subclasses are not here).
_PLAIN_TYPES = frozenset((type(None), int, float, Decimal, date))


def is_plain(value: object) -> bool:
    """True for a value _RowXml writes as openpyxl would; anything else (formula-like text, error
    codes such as #N/A, over-long text) goes through an openpyxl cell."""
    if type(value) is str:
        return value != "" and len(value) <= MAX_TEXT and not looks_like_formula(value) and value not in _ERROR_CODES
    return type(value) in _PLAIN_TYPES


# ---------------------------------------------------------------- styles


@dataclass(frozen=True)
class _Styles:
    title: str = "台账标题"
    info: str = "台账填报信息"
    header: str = "台账表头"
    text: str = "台账文本"
    number: str = "台账数字"
    date: str = "台账日期"
    total: str = "台账合计"
    sign: str = "台账签名"
    count: str = "台账计数"
    percent: str = "台账百分比"
    text_center: str = "台账文本居中"  # — or √ in a count / percent column
    decimal1: str = "台账一位小数"  # 2.0 prints 「2.0」, not 「2」 (平均办理时长)
    total_percent: str = "台账合计百分比"
    total_count: str = "台账合计计数"
    total_decimal1: str = "台账合计一位小数"
    total_center: str = "台账合计居中"  # — in the 合计 row of a centred column
    note: str = "台账说明"  # 注：… lines under the table, wrapped across the sheet
    secret: str = "台账密级"  # 内部资料　注意保密 under the title


STYLES = _Styles()
STYLE_OF: dict[str, Callable[[object], str]] = {
    "text": _text_style, "id": _text_style, "phone": _text_style, "date": _date_style,
    "int": _number_style, "decimal": _number_style, "count": _count_style, "percent": _percent_style,
    "decimal1": _decimal1_style,
}
PERCENT_FORMAT = "0.0%"
DECIMAL1_FORMAT = "0.0"


def add_styles(wb: Workbook) -> None:
    from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side

    thin = Side(style="thin", color="000000")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    body = Font(name=FONT_NAME, size=11)
    bold = Font(name=FONT_NAME, size=11, bold=True)
    middle = Alignment(vertical="center", wrap_text=True)
    center = Alignment(horizontal="center", vertical="center")
    specs = [
        # title and 填报单位 wrap where the sheet is narrow (the writer sets the row's height)
        NamedStyle(STYLES.title, font=Font(name=FONT_NAME, size=16, bold=True),
                   alignment=Alignment(horizontal="center", vertical="center", wrap_text=True)),
        NamedStyle(STYLES.info, font=body, alignment=Alignment(vertical="center", wrap_text=True)),
        NamedStyle(STYLES.header, font=bold, border=box,
                   fill=PatternFill("solid", fgColor="D9E1F2"),
                   alignment=Alignment(horizontal="center", vertical="center", wrap_text=True)),
        NamedStyle(STYLES.text, font=body, border=box, alignment=middle, number_format="@"),
        NamedStyle(STYLES.number, font=body, border=box, alignment=Alignment(vertical="center")),
        NamedStyle(STYLES.date, font=body, border=box,
                   alignment=Alignment(horizontal="center", vertical="center"), number_format="yyyy-mm-dd"),
        NamedStyle(STYLES.total, font=bold, border=box, alignment=Alignment(vertical="center")),
        NamedStyle(STYLES.sign, font=body, alignment=Alignment(vertical="center")),
        NamedStyle(STYLES.count, font=body, border=box, alignment=center, number_format="0"),
        NamedStyle(STYLES.percent, font=body, border=box, alignment=center, number_format=PERCENT_FORMAT),
        NamedStyle(STYLES.text_center, font=body, border=box, alignment=center, number_format="@"),
        NamedStyle(STYLES.total_percent, font=bold, border=box, alignment=center, number_format=PERCENT_FORMAT),
        NamedStyle(STYLES.decimal1, font=body, border=box, alignment=center, number_format=DECIMAL1_FORMAT),
        NamedStyle(STYLES.total_count, font=bold, border=box, alignment=center, number_format="0"),
        NamedStyle(STYLES.total_decimal1, font=bold, border=box, alignment=center, number_format=DECIMAL1_FORMAT),
        NamedStyle(STYLES.total_center, font=bold, border=box, alignment=center),
        NamedStyle(STYLES.note, font=body, alignment=Alignment(vertical="top", wrap_text=True)),
        NamedStyle(STYLES.secret, font=bold, alignment=Alignment(horizontal="right", vertical="center")),
    ]
    for style in specs:
        wb.add_named_style(style)
