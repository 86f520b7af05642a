"""党费收据 as a PDF: two copies (存根 kept by the branch, 收据 given to the member) on the top two thirds
of an A4 sheet, a dashed cut line between them, each with its receipt number, the amount in figures and
in 大写. reportlab is imported here, when a receipt is printed, not when the window starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from .atomic import atomic_path
from .notice_grid import text_width
from .pdf_fonts import font_runs, pdf_fonts

COPY_H = A4[1] / 3
MARGIN = 18 * mm
RED = HexColor("#c62828")
GREY = Color(0.4, 0.4, 0.4)


@dataclass(frozen=True)
class Receipt:
    org: str  # 东坟村党支部
    number: str  # 2026-001
    name: str
    months: str  # 2026年1—6月
    amount: str  # 12.00
    amount_words: str  # 壹拾贰元整
    paid_on: str  # 2026年6月30日
    way: str
    collector: str
    paid_by: str = ""  # 代交人
    makeup: bool = False
    note: str = ""


def _text(c: Canvas, x: float, y: float, text: str, font: str, size: float, fallbacks: tuple[str, ...],
          anchor: str = "left") -> None:
    if anchor != "left":
        x -= text_width(text, font, fallbacks, size) / (2 if anchor == "centre" else 1)
    t = c.beginText(x, y)
    for run_font, piece in font_runs(text, font, fallbacks):
        t.setFont(run_font, size)
        t.textOut(piece)
    c.drawText(t)


def _copy(c: Canvas, r: Receipt, top: float, label: str) -> None:
    fonts = pdf_fonts()
    body, title, extra = fonts.body, fonts.title, fonts.fallbacks
    width = A4[0] - 2 * MARGIN
    c.setFillColor(RED)
    _text(c, A4[0] / 2, top - 16 * mm, "党 费 收 据", title, 18, extra, anchor="centre")
    c.setFillColor(GREY)
    _text(c, A4[0] - MARGIN, top - 16 * mm, f"（{label}）", body, 11, extra, anchor="right")
    c.setFillColor(Color(0, 0, 0))
    _text(c, MARGIN, top - 25 * mm, f"收款单位：{r.org}", body, 11, extra)
    _text(c, A4[0] - MARGIN, top - 25 * mm, f"No. {r.number}", body, 11, extra, anchor="right")
    rows = [
        ("交纳人", r.name + (f"（{r.paid_by}代交）" if r.paid_by else ""), "交纳月份",
         r.months + ("（补交）" if r.makeup else "")),
        ("金额（小写）", f"¥{r.amount} 元", "交纳方式", r.way),
        ("金额（大写）", f"人民币{r.amount_words}", "", ""),
        ("交纳日期", r.paid_on, "收款人", r.collector),
    ]
    row_h, label_w = 10 * mm, 28 * mm
    y0 = top - 30 * mm
    c.setLineWidth(0.6)
    c.rect(MARGIN, y0 - row_h * len(rows), width, row_h * len(rows))
    half = width / 2
    for i, (k1, v1, k2, v2) in enumerate(rows):
        y = y0 - row_h * (i + 1)
        if i:
            c.line(MARGIN, y + row_h, MARGIN + width, y + row_h)
        c.line(MARGIN + label_w, y, MARGIN + label_w, y + row_h)
        _text(c, MARGIN + 2 * mm, y + 3.5 * mm, k1, body, 11, extra)
        _text(c, MARGIN + label_w + 2 * mm, y + 3.5 * mm, v1, body, 11, extra)
        if k2:
            c.line(MARGIN + half, y, MARGIN + half, y + row_h)
            c.line(MARGIN + half + label_w, y, MARGIN + half + label_w, y + row_h)
            _text(c, MARGIN + half + 2 * mm, y + 3.5 * mm, k2, body, 11, extra)
            _text(c, MARGIN + half + label_w + 2 * mm, y + 3.5 * mm, v2, body, 11, extra)
    if r.note:
        _text(c, MARGIN, y0 - row_h * len(rows) - 6 * mm, f"备注：{r.note}", body, 10, extra)
    c.setFillColor(GREY)
    _text(c, MARGIN, top - COPY_H + 8 * mm, "交纳人（签字）：", body, 10, extra)
    _text(c, A4[0] / 2, top - COPY_H + 8 * mm, "收款人（签字）：", body, 10, extra)
    c.setFillColor(Color(0, 0, 0))


def render_receipt(r: Receipt, path: Path) -> Path:
    """One A4 page: 存根 above, 收据 below a cut line (the last third stays blank for a second receipt)."""
    with atomic_path(Path(path)) as tmp:
        c = Canvas(str(tmp), pagesize=A4, pageCompression=1)
        c.setTitle(f"党费收据 {r.number}")
        c.setCreator("村级党建工作台")
        _copy(c, r, A4[1], "存根")
        c.setDash(3, 3)
        c.setStrokeColor(GREY)
        c.line(8 * mm, A4[1] - COPY_H, A4[0] - 8 * mm, A4[1] - COPY_H)
        c.setDash()
        c.setStrokeColor(Color(0, 0, 0))
        _copy(c, r, A4[1] - COPY_H, "收据")
        c.showPage()
        c.save()
    return Path(path)
