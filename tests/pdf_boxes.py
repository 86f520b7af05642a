"""Text lines and ruled lines of a PDF page, read with pdfium: what a printout's checks measure.

A text line is a run of characters on one baseline with no wide gap (one line of one cell, as a
spreadsheet prints it). Its box is the band a 汉字 occupies at its size: from 0.12 em below the baseline
to 0.8 em above it, so the lines of one wrapped cell (1.17 em apart or more) never touch, and two lines
that do touch print over each other.
"""

from __future__ import annotations

import ctypes
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

BELOW, ABOVE = 0.12, 0.8  # the ink band of a line, in em from the baseline
GAP = 0.6  # a horizontal gap wider than this (em) starts another line
TOUCH = 0.2  # pt of overlap tolerated (rounding)


@dataclass
class TextLine:
    page: int
    text: str = ""
    left: float = float("inf")
    right: float = float("-inf")
    baseline: float = 0.0
    size: float = 0.0  # the largest font size in the line (its band)
    smallest: float = float("inf")
    chars: list[tuple[str, float]] = field(default_factory=list)  # (char, size)

    @property
    def bottom(self) -> float:
        return self.baseline - BELOW * self.size

    @property
    def top(self) -> float:
        return self.baseline + ABOVE * self.size

    def __str__(self) -> str:
        return f"p{self.page + 1} y={self.baseline:.1f} x={self.left:.0f}–{self.right:.0f} {self.size:.1f}pt 「{self.text}」"


@dataclass(frozen=True)
class Rule:
    """A ruled line (cell border): horizontal when y0 == y1."""

    x0: float
    y0: float
    x1: float
    y1: float


@dataclass
class PageBoxes:
    index: int
    width: float
    height: float
    lines: list[TextLine]
    rules: list[Rule]

    @property
    def text(self) -> str:
        return "".join(line.text for line in self.lines)


def _lines(textpage: pdfium.PdfTextPage, page: int) -> list[TextLine]:
    raw = textpage.raw
    out: list[TextLine] = []
    cur: TextLine | None = None
    x, y = ctypes.c_double(), ctypes.c_double()
    for i in range(textpage.count_chars()):
        ch = chr(pdfium_c.FPDFText_GetUnicode(raw, i))
        if pdfium_c.FPDFText_IsGenerated(raw, i) or ch in "\r\n":
            cur = None if ch in "\r\n" else cur
            continue
        size = pdfium_c.FPDFText_GetFontSize(raw, i)
        pdfium_c.FPDFText_GetCharOrigin(raw, i, x, y)
        left, _bottom, right, _top = textpage.get_charbox(i)
        if ch.isspace():
            if cur is not None:
                cur.text += ch
            continue
        if cur is None or abs(y.value - cur.baseline) > 0.3 or left - cur.right > GAP * max(size, cur.size) \
                or left < cur.left:
            cur = TextLine(page, baseline=y.value)
            out.append(cur)
        cur.text += ch
        cur.left, cur.right = min(cur.left, left), max(cur.right, right)
        cur.size = max(cur.size, size)
        cur.smallest = min(cur.smallest, size)
        cur.chars.append((ch, size))
    for line in out:
        line.text = line.text.strip()
    return out


def _rules(page: pdfium.PdfPage) -> list[Rule]:
    out = []
    x, y = ctypes.c_float(), ctypes.c_float()
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH]):
        points = []
        for i in range(pdfium_c.FPDFPath_CountSegments(obj.raw)):
            seg = pdfium_c.FPDFPath_GetPathSegment(obj.raw, i)
            pdfium_c.FPDFPathSegment_GetPoint(seg, x, y)
            points.append((x.value, y.value))
        matrix = obj.get_matrix()
        points = [matrix.on_point(px, py) for px, py in points]
        for (ax, ay), (bx, by) in zip(points, points[1:], strict=False):
            out.append(Rule(min(ax, bx), ay, max(ax, bx), by) if abs(ay - by) < 0.01 else Rule(ax, ay, bx, by))
    return out


def read_pages(path: Path) -> Iterator[PageBoxes]:
    pdf = pdfium.PdfDocument(str(path))
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            width, height = page.get_size()
            textpage = page.get_textpage()
            yield PageBoxes(index, width, height, _lines(textpage, index), _rules(page))
            textpage.close()
            page.close()
    finally:
        pdf.close()


def _across(a: TextLine, b: TextLine) -> float:
    return min(a.right, b.right) - max(a.left, b.left)


def overlapping(lines: list[TextLine]) -> list[tuple[TextLine, TextLine]]:
    """Pairs of text lines whose bands overlap, in the same place across (one prints over the other)."""
    out = []
    ordered = sorted(lines, key=lambda ln: ln.bottom)
    for i, a in enumerate(ordered):
        for b in ordered[i + 1:]:
            if b.bottom >= a.top - TOUCH:
                break
            if _across(a, b) > TOUCH:
                out.append((a, b))
    return out


def crossing_rules(page: PageBoxes) -> list[tuple[TextLine, Rule]]:
    """Text lines cut through by a horizontal rule (a cell's text running out of its row)."""
    out = []
    for rule in page.rules:
        if rule.y0 != rule.y1:
            continue
        for line in page.lines:
            if line.bottom + TOUCH < rule.y0 < line.top - TOUCH and min(line.right, rule.x1) - max(line.left, rule.x0) > 1:
                out.append((line, rule))
    return out


def too_small(lines: list[TextLine], least: float) -> list[TextLine]:
    return [ln for ln in lines if ln.smallest < least - 0.05]


FOOTER = re.compile(r"第\s*\d+\s*页\s*共\s*\d+\s*页")


def outside(page: PageBoxes, left: float, right: float, skip: tuple[str, ...] = ()) -> list[TextLine]:
    """Text lines reaching beyond left..right (the table's ruled width), except the footer and skip."""
    return [ln for ln in page.lines
            if (ln.left < left - 1 or ln.right > right + 1) and not FOOTER.fullmatch(ln.text) and ln.text not in skip]


def ruled_width(pages: list[PageBoxes]) -> tuple[float, float]:
    """The leftmost and rightmost vertical rule of the pages (the table's printed width)."""
    xs = [r.x0 for p in pages for r in p.rules if r.y0 != r.y1] + [r.x1 for p in pages for r in p.rules if r.y0 != r.y1]
    return (min(xs), max(xs)) if xs else (0.0, max((p.width for p in pages), default=0.0))
