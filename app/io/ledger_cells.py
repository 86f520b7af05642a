"""How a ledger value becomes a cell: conversion by column kind, the named styles, formula-like text kept as text.

Plain functions over values (no openpyxl import except where the styles are added to a workbook), used
by the sheet writer in ledgers.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
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


# How a column kind converts its raw values; STYLE_OF: which style a converted value gets (a value that
# is not a date or a number is kept as text, in the text style).
CONVERT: dict[str, Callable[[object], object]] = {
    "text": _text, "id": _text, "phone": _text, "date": _date, "int": _int, "decimal": _decimal,
}


def _text_style(_value: object) -> str:
    return STYLES.text


def _date_style(value: object) -> str:
    return STYLES.date if isinstance(value, date) else STYLES.text


def _number_style(value: object) -> str:
    return STYLES.text if isinstance(value, str) else STYLES.number


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


STYLES = _Styles()
STYLE_OF: dict[str, Callable[[object], str]] = {
    "text": _text_style, "id": _text_style, "phone": _text_style, "date": _date_style,
    "int": _number_style, "decimal": _number_style,
}


def add_styles(wb: Workbook) -> None:
    from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side

    thin = Side(style="thin", color="000000")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    body = Font(name=FONT_NAME, size=11)
    bold = Font(name=FONT_NAME, size=11, bold=True)
    middle = Alignment(vertical="center", wrap_text=True)
    specs = [
        NamedStyle(STYLES.title, font=Font(name=FONT_NAME, size=16, bold=True),
                   alignment=Alignment(horizontal="center", vertical="center")),
        NamedStyle(STYLES.info, font=body, alignment=Alignment(vertical="center")),
        NamedStyle(STYLES.header, font=bold, border=box,
                   fill=PatternFill("solid", fgColor="D9E1F2"),
                   alignment=Alignment(horizontal="center", vertical="center", wrap_text=True)),
        NamedStyle(STYLES.text, font=body, border=box, alignment=middle, number_format="@"),
        NamedStyle(STYLES.number, font=body, border=box, alignment=Alignment(vertical="center")),
        NamedStyle(STYLES.date, font=body, border=box,
                   alignment=Alignment(horizontal="center", vertical="center"), number_format="yyyy-mm-dd"),
        NamedStyle(STYLES.total, font=bold, border=box, alignment=Alignment(vertical="center")),
        NamedStyle(STYLES.sign, font=body, alignment=Alignment(vertical="center")),
    ]
    for style in specs:
        wb.add_named_style(style)
