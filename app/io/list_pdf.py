"""A list as it is filtered on screen, as a PDF to print (打印当前列表): title, 填报 line, table, page numbers.

Not a 公示 (no 公示期, no archive): a working printout of what the list shows. A4 landscape, the header
row repeated on every page, 第 X 页 共 Y 页 at the foot. Column widths follow the longest value (a 汉字
counts two) within the page width; a longer cell wraps. The body face is the notices' (pdf_fonts); a
character it lacks is drawn in a fallback face, as in the notices.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app.text import display_width

from .atomic import atomic_path
from .notice_pdf import _NumberedCanvas
from .pdf_fonts import font_runs, pdf_fonts

BODY_PT = 10
TITLE_PT = 16
MARGIN = 12 * mm
NUMBER_HEADER = "序号"


def _runs(text: str, font: str, fallbacks: tuple[str, ...]) -> str:
    """Paragraph markup: the text escaped, rare characters in a face that has them."""
    parts = []
    for face, piece in font_runs(text, font, fallbacks):
        piece = escape(piece)
        parts.append(piece if face == font else f'<font face="{face}">{piece}</font>')
    return "".join(parts)


def _widths(headers: Sequence[str], rows: Sequence[Sequence[str]], room: float) -> list[float]:
    """Each column as wide as its longest value (the first 500 rows), shrunk together to fit `room`."""
    em = BODY_PT * 0.55  # width of one display unit (a 汉字 is two)
    need = [max(display_width(h), 4) for h in headers]
    for row in rows[:500]:
        for i, text in enumerate(row):
            if i < len(need):
                need[i] = max(need[i], min(display_width(text), 40))
    widths = [n * em + 8 for n in need]
    total = sum(widths)
    if total > room:
        widths = [w * room / total for w in widths]
    return widths


def render_list_pdf(path: Path, title: str, info_line: str, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> int:
    """Write the list to `path` (atomically); returns the number of pages."""
    fonts = pdf_fonts()
    body = ParagraphStyle("body", fontName=fonts.body, fontSize=BODY_PT, leading=BODY_PT * 1.25)
    head = ParagraphStyle("head", parent=body, fontName=fonts.title)
    title_style = ParagraphStyle("title", fontName=fonts.title, fontSize=TITLE_PT, leading=TITLE_PT * 1.4,
                                 alignment=1)
    info_style = ParagraphStyle("info", parent=body, alignment=2)
    page_size = landscape(A4)
    room = page_size[0] - 2 * MARGIN
    all_headers = [NUMBER_HEADER, *headers]
    numbered = [[str(i), *r] for i, r in enumerate(rows, 1)]
    widths = _widths(all_headers, numbered, room)

    def cell(text: str, style: ParagraphStyle) -> Any:
        return Paragraph(_runs(text, style.fontName, fonts.fallbacks), style) if text else ""

    data = [[cell(h, head) for h in all_headers]]
    data += [[cell(t, body) for t in r] for r in numbered]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]))

    counted: list[int] = []

    def decorate(canvas: Any, page: int, pages: int) -> None:
        counted[:] = [pages]
        canvas.setFont(fonts.body, 9)
        canvas.drawCentredString(page_size[0] / 2, MARGIN / 2, f"第 {page} 页 共 {pages} 页")

    canvas_class = type("_ListCanvas", (_NumberedCanvas,), {"decorate": staticmethod(decorate)})
    with atomic_path(Path(path)) as tmp:
        doc = SimpleDocTemplate(str(tmp), pagesize=page_size, leftMargin=MARGIN, rightMargin=MARGIN,
                                topMargin=MARGIN, bottomMargin=MARGIN, title=title)
        story = [Paragraph(_runs(title, fonts.title, fonts.fallbacks), title_style),
                 Paragraph(_runs(info_line, fonts.body, fonts.fallbacks), info_style), Spacer(1, 3 * mm), table]
        doc.build(story, canvasmaker=canvas_class)
    return counted[0] if counted else 0


def info_line(unit_name: str, count: int, on: date | None = None) -> str:
    """The line under the title: who, how many rows, when printed."""
    on = on or date.today()
    return f"填报单位：{unit_name}　　共 {count} 条　　打印日期：{on.year}年{on.month}月{on.day}日"
