"""Measure a 公示 PDF as printed: every character's box, size, font and baseline, in mm from the page's
top left corner (pypdfium2, the engine the program prints with). For tests/app/notices/test_notice_layout.py."""

from __future__ import annotations

import ctypes
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

MM = 72 / 25.4  # points per mm


@dataclass(frozen=True)
class Char:
    ch: str
    left: float  # mm from the page's left edge (the glyph's ink box)
    right: float
    top: float  # mm from the page's top edge
    bottom: float
    baseline: float  # mm from the top, of the character's origin
    cell_left: float  # the character's cell: its origin and advance (pdfium's loose box), mm
    cell_right: float
    size: float  # points
    font: str  # the PDF's font name without the subset prefix (FandolFangR)


@dataclass(frozen=True)
class Line:
    chars: list[Char]

    @property
    def text(self) -> str:
        return "".join(c.ch for c in self.chars)

    @property
    def ink(self) -> list[Char]:
        return [c for c in self.chars if not c.ch.isspace()]

    @property
    def top(self) -> float:
        return min(c.top for c in self.ink)

    @property
    def left(self) -> float:
        return min(c.left for c in self.ink)

    @property
    def right(self) -> float:
        return max(c.right for c in self.ink)

    @property
    def baseline(self) -> float:
        return self.chars[0].baseline

    @property
    def cell_left(self) -> float:
        return min(c.cell_left for c in self.ink)

    @property
    def cell_right(self) -> float:
        return max(c.cell_right for c in self.ink)

    @property
    def size(self) -> float:
        return max(c.size for c in self.chars)

    @property
    def em_top(self) -> float:
        """The top of the line's em box (0.88 em above the baseline in the CJK fonts used), mm."""
        return self.baseline - 0.88 * self.size / MM


@dataclass(frozen=True)
class Page:
    number: int
    width: float  # mm
    height: float
    chars: list[Char]

    def lines(self) -> list[Line]:
        """Characters grouped by baseline (to 0.2 mm) and ordered left to right, top line first."""
        rows: dict[float, list[Char]] = {}
        for c in self.chars:
            key = next((k for k in rows if abs(k - c.baseline) < 0.2), c.baseline)
            rows.setdefault(key, []).append(c)
        return [Line(sorted(cs, key=lambda c: c.left)) for _k, cs in sorted(rows.items())
                if any(not c.ch.isspace() for c in cs)]


def _font_name(textpage: pdfium.PdfTextPage, index: int) -> str:
    buf = ctypes.create_string_buffer(256)
    flags = ctypes.c_int()
    n = pdfium_c.FPDFText_GetFontInfo(textpage.raw, index, buf, 256, ctypes.byref(flags))
    name = buf.raw[: max(n - 1, 0)].decode("latin-1")
    return name.split("+", 1)[-1]


def pages(path: Path) -> Iterator[Page]:
    pdf = pdfium.PdfDocument(str(path))
    try:
        for number in range(len(pdf)):
            page = pdf[number]
            width, height = page.get_size()
            textpage = page.get_textpage()
            chars = []
            for i in range(textpage.count_chars()):
                ch = textpage.get_text_range(i, 1)
                if not ch or ch in "\r\n" or pdfium_c.FPDFText_IsGenerated(textpage.raw, i):
                    continue
                left, bottom, right, top = textpage.get_charbox(i)
                cell_left, _b, cell_right, _t = textpage.get_charbox(i, loose=True)
                x, y = ctypes.c_double(), ctypes.c_double()
                pdfium_c.FPDFText_GetCharOrigin(textpage.raw, i, ctypes.byref(x), ctypes.byref(y))
                chars.append(Char(ch, left / MM, right / MM, (height - top) / MM, (height - bottom) / MM,
                                  (height - y.value) / MM, cell_left / MM, cell_right / MM,
                                  pdfium_c.FPDFText_GetFontSize(textpage.raw, i),
                                  _font_name(textpage, i)))
            textpage.close()
            page.close()
            yield Page(number + 1, width / MM, height / MM, chars)
    finally:
        pdf.close()


def face_name(font: str) -> str:
    """A registered reportlab font's PostScript name, as the PDF names its embedded subset."""
    from reportlab.pdfbase import pdfmetrics

    return pdfmetrics.getFont(font).face.name.decode()  # type: ignore[attr-defined,no-any-return]


def glyph_faces(path: Path, fonts: list[str]) -> tuple[dict[str, set[str]], float]:
    """Every character drawn in the PDF → the PostScript names of the faces drawing it, and the smallest size.

    Fails on a face the program did not choose (fonts: the registered names) or a character drawn without a
    glyph in its face (a blank box on paper)."""
    from app.io.pdf_fonts import has_glyph

    registered = {face_name(f): f for f in fonts}
    seen: dict[str, set[str]] = {}
    smallest = 99.0
    for page in pages(path):
        for c in page.chars:
            if c.ch.isspace():
                continue
            name = next((n for n in registered if c.font.startswith(n.split("-")[0])), None)
            assert name is not None, c.font  # only the fonts the program chose, all embedded
            assert has_glyph(registered[name], c.ch), (c.ch, c.font)  # a glyph, never a blank box
            seen.setdefault(c.ch, set()).add(name)
            smallest = min(smallest, c.size)
    return seen, smallest
