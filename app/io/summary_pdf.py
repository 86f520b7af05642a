"""年度概况: the 工作台's key figures on one A4 page, for the secretary's 述职.

Sections of (label, value, note) rows under a title; the body face of the 公示 (pdf_fonts: 仿宋, with the
fallback faces for rare characters), values in the title face. The text shrinks (down to MIN_SIZE) until
everything fits one page: the summary is one sheet by design. Imported only when a summary is printed
(reportlab stays out of the window's start).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from app.services.errors import ServiceError

from .atomic import atomic_path
from .notice_grid import text_width, wrap
from .pdf_fonts import PdfFonts, font_runs, pdf_fonts

Row = tuple[str, str, str]  # label, value, note
Section = tuple[str, Sequence[Row]]  # heading, rows

MARGIN = 22 * mm
TITLE_SIZE = 20.0
BODY_SIZE = 13.0
MIN_SIZE = 9.0
RULE = HexColor("#c62828")


def _draw(c: Canvas, x: float, y: float, text: str, font: str, size: float, fonts: PdfFonts,
          centre: bool = False) -> None:
    if centre:
        x -= text_width(text, font, fonts.fallbacks, size) / 2
    for run_font, piece in font_runs(text, font, fonts.fallbacks):
        c.setFont(run_font, size)
        c.drawString(x, y, piece)
        x += text_width(piece, run_font, (), size)


def _layout(sections: Sequence[Section], fonts: PdfFonts, size: float, width: float
            ) -> list[tuple[str, float, str, str, list[str]]]:
    """(kind, advance, label, value, note lines) per drawn block at this size: heading or row."""
    label_w, value_w = 7 * size, 8 * size
    room = width - label_w - value_w
    measure = lambda t: text_width(t, fonts.body, fonts.fallbacks, size)  # noqa: E731
    blocks: list[tuple[str, float, str, str, list[str]]] = []
    for heading, rows in sections:
        blocks.append(("heading", size * 2.4, heading, "", []))
        for label, value, note in rows:
            lines = wrap(note, measure, room) if note else [""]
            blocks.append(("row", size * 1.55 * len(lines) + size * 0.35, label, value, lines))
    return blocks


def render_summary(path: Path, title: str, sections: Sequence[Section], footer: str = "") -> Path:
    """Write the one-page summary to path (atomically); the path written."""
    fonts = pdf_fonts()
    page_w, page_h = A4
    width = page_w - 2 * MARGIN
    top = page_h - MARGIN - TITLE_SIZE * 2.6
    size = BODY_SIZE
    blocks = _layout(sections, fonts, size, width)
    while sum(b[1] for b in blocks) > top - MARGIN - 16 and size > MIN_SIZE:
        size -= 0.5
        blocks = _layout(sections, fonts, size, width)
    if sum(b[1] for b in blocks) > top - MARGIN - 16:
        raise ServiceError("年度概况内容过多，一页纸放不下")
    with atomic_path(Path(path)) as tmp:
        c = Canvas(str(tmp), pagesize=A4, pageCompression=1)
        c.setTitle(title)
        c.setCreator("村级党建工作台")
        _draw(c, page_w / 2, page_h - MARGIN - TITLE_SIZE, title, fonts.title, TITLE_SIZE, fonts, centre=True)
        y = top
        for kind, advance, label, value, lines in blocks:
            if kind == "heading":
                y -= size * 1.6
                _draw(c, MARGIN, y, label, fonts.title, size * 1.1, fonts)
                c.setStrokeColor(RULE)
                c.setLineWidth(0.8)
                c.line(MARGIN, y - size * 0.45, page_w - MARGIN, y - size * 0.45)
                y -= advance - size * 1.6
                continue
            y -= size * 1.3
            _draw(c, MARGIN + size, y, label, fonts.body, size, fonts)
            _draw(c, MARGIN + 7 * size, y, value, fonts.title, size, fonts)
            for i, line in enumerate(lines):
                _draw(c, MARGIN + 15 * size, y - i * size * 1.55, line, fonts.body, size, fonts)
            y -= advance - size * 1.3
        if footer:
            _draw(c, page_w / 2, MARGIN * 0.6, footer, fonts.body, 9, fonts, centre=True)
        c.showPage()
        c.save()
    return Path(path)
