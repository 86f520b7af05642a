"""The drawing of 便民服务卡 (reportlab, segno QR codes): see app.io.cards.

Its own module so that reportlab and segno are imported when cards are rendered, not when the window
starts (app.io.cards, with the card types, is imported by the grid page's service).

Every text is drawn in runs (pdf_fonts.font_runs): a character the 仿宋 body face lacks (堃, 喆 in a name:
the shipped FandolFang covers GB 2312 only) is drawn in a fallback CJK face, never as an empty box. No
text is smaller than 8 pt.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import segno
from reportlab.lib.colors import Color, HexColor, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from .atomic import CancelCheck, Progress, atomic_path, check_cancel
from .cards import RenderedCards, ServiceCard
from .masking import cut_before_number, mask_free_text
from .notice_grid import text_width
from .pdf_fonts import PdfFonts, font_runs, pdf_fonts

CARD_W, CARD_H = 92 * mm, 64 * mm
COLS, ROWS = 2, 4
PER_PAGE = COLS * ROWS
PAD = 4 * mm
BAND_H = 10 * mm
QR_SIZE = 24 * mm
MAX_STAFF_LINES = 6
RED = HexColor("#c62828")
GREY = HexColor("#666666")
FRAME = Color(0.75, 0.75, 0.75)
SLOGAN = "小事不出网格 · 有事请找网格员"
SMALL = 8.0  # pt: the household line, the slogan, the page footer (the smallest print on the sheet)


def _fit(text: str, font: str, size: float, width: float, fallbacks: tuple[str, ...] = ()) -> str:
    """The text cut to the width with 「…」: masked first, never cut inside a number (no 9 of 11 digits).
    Widths as drawn by _draw (characters the font lacks in their fallback face)."""
    text = mask_free_text(text)
    if text_width(text, font, fallbacks, size) <= width:
        return text
    n = len(text)
    while n and text_width(text[:n] + "…", font, fallbacks, size) > width:
        n -= 1
    return cut_before_number(text, n) + "…"


def _draw(c: Canvas, x: float, y: float, text: str, font: str, size: float, fallbacks: tuple[str, ...],
          anchor: str = "left") -> None:
    """text at baseline y, starting at x (anchor left), ending at x (right) or centred on x (centre); each
    character in a face that has it."""
    if anchor != "left":
        width = text_width(text, font, fallbacks, size)
        x -= width if anchor == "right" else width / 2
    for run_font, piece in font_runs(text, font, fallbacks):
        c.setFont(run_font, size)
        c.drawString(x, y, piece)
        x += stringWidth(piece, run_font, size)


def _qr_form(c: Canvas, text: str, forms: dict[str, str]) -> str:
    """The QR code as a PDF form XObject, drawn once per text and reused by every card carrying it."""
    name = forms.get(text)
    if name is not None:
        return name
    name = forms[text] = f"qr{len(forms)}"
    rows = [tuple(r) for r in segno.make(text, error="m").matrix_iter(scale=1, border=0)]
    n = len(rows)
    cell = QR_SIZE / n
    c.beginForm(name, 0, 0, QR_SIZE, QR_SIZE)
    path = c.beginPath()
    for j, row in enumerate(rows):
        top = QR_SIZE - (j + 1) * cell
        i = 0
        while i < n:
            if row[i]:
                start = i
                while i < n and row[i]:
                    i += 1
                path.rect(start * cell, top, (i - start) * cell, cell)
            else:
                i += 1
    c.setFillColor(Color(0, 0, 0))
    c.drawPath(path, stroke=0, fill=1)
    c.endForm()
    return name


def _card(c: Canvas, card: ServiceCard, x: float, y: float, fonts: PdfFonts, qr_forms: dict[str, str] | None) -> None:
    """One card with its lower-left corner at (x, y)."""
    c.setStrokeColor(FRAME)
    c.setLineWidth(0.3)
    c.setDash(2, 2)
    c.rect(x, y, CARD_W, CARD_H, stroke=1, fill=0)
    c.setDash()
    top = y + CARD_H
    c.setFillColor(RED)
    c.rect(x, top - BAND_H, CARD_W, BAND_H, stroke=0, fill=1)
    body, title, extra = fonts.body, fonts.title, fonts.fallbacks
    c.setFillColor(white)
    _draw(c, x + PAD, top - BAND_H + 3.2 * mm, "便民服务卡", title, 13, extra)
    _draw(c, x + CARD_W - PAD, top - BAND_H + 3.6 * mm, _fit(card.village, body, 8, CARD_W / 2, extra), body, 8,
          extra, anchor="right")
    text_w = CARD_W - 2 * PAD - (QR_SIZE + 2 * mm if qr_forms is not None else 0)
    c.setFillColor(Color(0, 0, 0))
    line = top - BAND_H - 5.5 * mm
    _draw(c, x + PAD, line, _fit(f"{card.grid_name} {card.area_name}".strip(), title, 10.5, text_w, extra),
          title, 10.5, extra)
    if card.holder:
        line -= 4.2 * mm
        c.setFillColor(GREY)
        _draw(c, x + PAD, line, _fit(card.holder, body, SMALL, text_w, extra), body, SMALL, extra)
    line -= 5 * mm
    post_w = stringWidth("辅助微网格员", body, 8) + 1.5 * mm
    for post, name, phone in card.staff[:MAX_STAFF_LINES]:
        c.setFillColor(GREY)
        _draw(c, x + PAD, line, post, body, 8, extra)
        c.setFillColor(Color(0, 0, 0))
        _draw(c, x + PAD + post_w, line, _fit(name, body, 9, 14 * mm, extra), body, 9, extra)
        _draw(c, x + PAD + post_w + 14.5 * mm, line, phone, body, 9, extra)
        line -= 4.4 * mm
    if card.hotline:
        _draw(c, x + PAD, y + 7.5 * mm, f"{card.hotline_label}：{card.hotline}", body, 8.5, extra)
    c.setFillColor(RED)
    _draw(c, x + PAD, y + 3 * mm, SLOGAN, body, SMALL, extra)
    if qr_forms is not None:
        form = _qr_form(c, card.qr_text(), qr_forms)
        c.saveState()
        c.translate(x + CARD_W - PAD - QR_SIZE, top - BAND_H - 3 * mm - QR_SIZE)
        c.doForm(form)
        c.restoreState()


def _cut_marks(c: Canvas, left: float, bottom: float) -> None:
    """Short lines outside the block of cards at every cutting line."""
    right, top = left + COLS * CARD_W, bottom + ROWS * CARD_H
    gap, length = 1.5 * mm, 5 * mm
    c.setStrokeColor(Color(0, 0, 0))
    c.setLineWidth(0.4)
    for i in range(COLS + 1):
        xx = left + i * CARD_W
        c.line(xx, top + gap, xx, top + gap + length)
        c.line(xx, bottom - gap, xx, bottom - gap - length)
    for j in range(ROWS + 1):
        yy = bottom + j * CARD_H
        c.line(left - gap, yy, left - gap - length, yy)
        c.line(right + gap, yy, right + gap + length, yy)


def render_pdf(cards: Sequence[ServiceCard], path: Path, qr: bool = True, title: str = "便民服务卡",
               progress: Progress | None = None, cancel: CancelCheck | None = None) -> RenderedCards:
    """app.io.cards.render_cards."""
    fonts = pdf_fonts()
    page_w, page_h = A4
    left, bottom = (page_w - COLS * CARD_W) / 2, (page_h - ROWS * CARD_H) / 2
    pages = 0
    qr_forms: dict[str, str] | None = {} if qr else None
    with atomic_path(Path(path)) as tmp:
        c = Canvas(str(tmp), pagesize=A4, pageCompression=1)
        c.setTitle(title)
        c.setCreator("村级党建工作台")
        for start in range(0, len(cards), PER_PAGE):
            check_cancel(cancel)
            for k, card in enumerate(cards[start:start + PER_PAGE]):
                row, col = divmod(k, COLS)
                _card(c, card, left + col * CARD_W, bottom + (ROWS - 1 - row) * CARD_H, fonts, qr_forms)
            _cut_marks(c, left, bottom)
            pages += 1
            c.setFillColor(GREY)
            _draw(c, page_w / 2, 8 * mm, f"{title}　第 {pages} 页　沿裁切线剪开", fonts.body, SMALL, fonts.fallbacks,
                  anchor="centre")
            c.showPage()
            if progress is not None:
                progress(min(start + PER_PAGE, len(cards)), len(cards))
        c.save()
    return RenderedCards(Path(path), len(cards), pages)
