"""How a ledger sheet is laid out for print: column widths, the paper, and the height of wrapped rows.

Spreadsheet programs do not grow a row for wrapped text in a file they did not write themselves
(LibreOffice keeps the stored height, and the lines print over the next row), so the writer stores the
height of every row that wraps, estimated here from the text and the column's width.

Two programs, two measures, and the estimate takes the worse of each:
- Lines per cell: Excel and WPS (宋体, a column unit is Calibri's 7 px digit) fit fewer characters on a
  line than LibreOffice, so lines are counted as Excel wraps, with one 汉字 of slack per line for the
  rule that a line never starts with 、，。.
- Printed size: LibreOffice without Calibri measures a column unit with DejaVu Sans' digit (7 pt at
  11 pt), wider than Excel, so the fit-to-width scale is computed with that unit.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from app.text import display_width

from .ledger_cells import cell_text

log = logging.getLogger(__name__)

BODY_SIZE = 11.0  # pt, the body and header font (ledger_cells.add_styles)
TITLE_SIZE = 16.0
MIN_PRINTED = 8.0  # pt: nothing on paper smaller than this
LINE_FACTOR = 1.3  # line height ÷ font size: 宋体 11 pt is 14.25 pt a line in Excel; LibreOffice's 文泉驿 12.9
ROW_PAD = 2.0  # pt above and below the lines
# Excel: a column of width w is 7w + 5 px with about 4 px of it padding; a half-width character of 宋体
# at size pt is size × 96 / 72 / 2 px wide (7.33 px at 11 pt: a column holds 0.95 w + 0.1 of them).
PX_PER_WIDTH, PX_SPARE = 7.0, 1.0
LINE_SLACK = 2.0  # display units a wrapped line may lose to line-breaking rules (、，。 never start a line)
PT_PER_UNIT = 7.0  # LibreOffice without Calibri: a column unit printed as DejaVu Sans' digit at 11 pt
# LibreOffice's fit-to-width zoom is a whole percent found by bisection, and on a long sheet it settles
# below the exact fit (measured: 71 % where 73 % fits): the table is kept this much narrower
ZOOM_SLACK = 0.04

MIN_WIDTH, MAX_WIDTH = 6.0, 48.0
TEXT_FLOOR = 12.0  # a text column squeezed for the paper keeps 6 汉字 a line
# Widths (Excel character units) that fit the whole value of fixed-format kinds.
KIND_WIDTH = {"id": 21.0, "phone": 15.0, "date": 12.0}


@dataclass(frozen=True)
class Paper:
    name: str
    size: int  # openpyxl / OOXML paperSize: 9 A4, 8 A3
    printable: float  # pt across, landscape, inside the sheet's margins (0.5 in each side)


A4 = Paper("A4", 9, 842.0 - 72)
A3 = Paper("A3", 8, 1191.0 - 72)
PAPERS = (A4, A3)


# ---------------------------------------------------------------- lines


_TOKENS = re.compile(r"[!-~]+| +|.")  # an ASCII word, a run of spaces, any other single character


def _char_width(ch: str) -> int:
    # ambiguous-width signs (— √ “) are full-width in a Chinese font
    return 2 if unicodedata.east_asian_width(ch) in "WFA" else 1


def _wrapped(paragraph: str, cap: float) -> int:
    lines, used = 1, 0.0
    for tok in _TOKENS.findall(paragraph):
        w = len(tok) if tok.isascii() else _char_width(tok)
        if tok[0] == " ":
            if used + w <= cap:
                used += w
            else:
                lines, used = lines + 1, 0.0  # the spaces end the line
        elif used + w <= cap:
            used += w
        elif w <= cap:
            lines, used = lines + 1, float(w)
        else:  # a word longer than the line is cut into pieces
            if used:
                lines += 1
            lines += math.ceil(w / cap) - 1
            used = w - (math.ceil(w / cap) - 1) * cap
    return lines


def line_capacity(width: float, size: float = BODY_SIZE) -> float:
    """Display units (a 汉字 is 2) that fit on one line of a column of width (Excel units) at size pt."""
    return (width * PX_PER_WIDTH + PX_SPARE) / (size * 96 / 72 / 2)


def text_lines(text: str, width: float, size: float = BODY_SIZE) -> int:
    """How many lines a wrapped cell of width (Excel units) needs for text at size pt."""
    one = line_capacity(width, size)
    cap = max(2.0, one - LINE_SLACK)
    lines = 0
    for paragraph in text.split("\n"):
        # the common short value: even all 汉字 it fits (no per-character look)
        if len(paragraph) * 2 <= one or _wrapped(paragraph, one) == 1:
            lines += 1
        else:
            lines += _wrapped(paragraph, cap)
    return lines


def row_height(lines: int, size: float = BODY_SIZE) -> float:
    """Row height (pt) for lines of text at size pt."""
    return round(lines * size * LINE_FACTOR + ROW_PAD, 1)


# ---------------------------------------------------------------- widths


def _value_width(value: object) -> float:
    if isinstance(value, date):
        return 10
    if isinstance(value, float | Decimal):
        return len(f"{value:,.2f}")
    return display_width(cell_text(value))


def header_width(header: str) -> float:
    """The width a header needs on up to two lines (headers wrap)."""
    w = display_width(header)
    return w / 2 if w > 8 else w


def fit_widths(kinds: Sequence[str], headers: Sequence[str], fixed: Sequence[float | None],
               sample: Sequence[Sequence[object]]) -> list[float]:
    """Excel column widths from the header (on up to two lines) and the sampled values."""
    out = []
    for i, (kind, header, width) in enumerate(zip(kinds, headers, fixed, strict=True)):
        if width is not None:
            out.append(width)
            continue
        need = max(header_width(header), KIND_WIDTH.get(kind, 0))
        for row in sample:
            need = max(need, _value_width(row[i]))
        out.append(min(MAX_WIDTH, max(MIN_WIDTH, need + 2)))
    return out


_WORD = re.compile(r"[!-~]+")


TYPICAL = 0.9  # a squeezed column first keeps the width 90 % of its values fit in


def squeeze_floors(kinds: Sequence[str], headers: Sequence[str], widths: Sequence[float],
                   sample: Sequence[Sequence[object]]) -> tuple[list[float], list[float]]:
    """How narrow each column may become to fit the paper: a text column down to what its values need,
    at most TEXT_FLOOR (an empty column to its header), never cutting an ASCII word such as a 户号 nor
    the header's longer half; the other kinds keep their width. Also the typical width: the one that
    TYPICAL of the values fit in (a column whose few long values wrap is squeezed before the others)."""
    floors, typical = [], []
    for i, (kind, header, width) in enumerate(zip(kinds, headers, widths, strict=True)):
        if kind != "text":
            floors.append(width)
            typical.append(width)
            continue
        head = header_width(header) + 2
        need = sorted(_value_width(row[i]) + 2 for row in sample) or [0.0]
        words = max((len(word) + 2.0 for row in sample if isinstance(row[i], str) for word in _WORD.findall(row[i])),
                    default=0.0)
        floor = min(width, max(head, words, min(TEXT_FLOOR, need[-1])))
        floors.append(floor)
        typical.append(min(width, max(floor, need[int(TYPICAL * (len(need) - 1))])))
    return floors, typical


def squeeze(widths: Sequence[float], floors: Sequence[float], total: float,
            typical: Sequence[float] | None = None) -> list[float]:
    """The widths cut down to total, the widest first (a common cap), none below its floor; first only
    down to the typical widths when given (few values wrap), below them only if still too wide."""
    if typical is not None and sum(widths) > total:
        soft = [max(f, min(w, t)) for w, f, t in zip(widths, floors, typical, strict=True)]
        return squeeze(widths, soft, total) if sum(soft) <= total else squeeze(soft, floors, total)
    if sum(widths) <= total:
        return list(widths)
    lo, hi = 0.0, max(widths)
    for _ in range(40):  # the cap, by bisection
        cap = (lo + hi) / 2
        if sum(max(f, min(w, cap)) for w, f in zip(widths, floors, strict=True)) > total:
            hi = cap
        else:
            lo = cap
    return [max(f, math.floor(min(w, lo) * 10) / 10) for w, f in zip(widths, floors, strict=True)]  # never over total


# ---------------------------------------------------------------- paper


def printed_scale(widths: Sequence[float], paper: Paper) -> float:
    """The fit-to-width zoom LibreOffice prints the sheet at (1.0 when it fits as it is)."""
    table = sum(widths) * PT_PER_UNIT
    return min(1.0, paper.printable / table) - ZOOM_SLACK if table else 1.0


def max_units(paper: Paper, size: float = BODY_SIZE) -> float:
    """The widest table (Excel units) that prints its size pt text at MIN_PRINTED or more on paper."""
    return paper.printable / ((MIN_PRINTED / size + ZOOM_SLACK) * PT_PER_UNIT)


def choose_paper(name: str, widths: list[float], floors: list[float],
                 typical: list[float] | None = None) -> tuple[Paper, list[float]]:
    """A4 landscape when the table prints there at MIN_PRINTED or more (its text columns squeezed to
    their floors if need be: most village offices print A4 only); else A3, likewise; else A3 with the
    narrowest widths and a warning in the log (the text prints smaller than MIN_PRINTED)."""
    for paper in PAPERS:
        limit = max_units(paper)
        if sum(floors) <= limit:
            return paper, squeeze(widths, floors, limit, typical)
    log.warning("台账《%s》太宽：A3 横向也只能以 %.1f 磅打印（列宽合计 %.0f）", name,
                BODY_SIZE * printed_scale(floors, A3), sum(floors))
    return A3, list(floors)
