"""The 中国共产党党员组织关系介绍信 as one A4 page (reportlab), and the 回执 alone for a letter received.

The page follows the 中组部 form (组通字〔2006〕45号): three parts one under the other, cut apart along dashed
骑缝 lines — 存根 (kept here, the 回执 pasted on it when it comes back), 介绍信 (addressed to the receiving
党组织) and 回执 (sent back by the receiving branch) — each numbered 「第 N 号」. The 党费交到 month and the
有效期 are written in Chinese numerals (二〇二六年十一月, 三十天), as the form asks, so they cannot be altered.
Filled-in values are underlined like the blanks they fill; blanks left for the other side are lines.
Every text is drawn in runs (pdf_fonts.font_runs) so a rare character in a name never prints as a box.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol

from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from app.services.errors import ServiceError

from .atomic import atomic_path
from .notice_grid import text_width
from .pdf_fonts import font_runs, pdf_fonts

PAGE_W, PAGE_H = A4
MARGIN_X = 22 * mm
TOP = PAGE_H - 12 * mm
# 存根, 介绍信, 回执 heights inside 12 mm top and bottom: the 介绍信 has the most to say
PARTS_H = (88 * mm, 108 * mm, PAGE_H - 24 * mm - 196 * mm)
TITLE_SIZE, SMALL_SIZE = 15.0, 9.5
BODY_SIZES = (12.0, 11.0, 10.0, 9.0)  # the body shrinks only when long 党组织 names would overflow a part
GREY = Color(0.4, 0.4, 0.4)
TITLE = "中国共产党党员组织关系介绍信"
DIGITS = "〇一二三四五六七八九"
BLANK = "\u3000" * 4  # an empty blank: four ideographic spaces, underlined


class LetterData(Protocol):
    """What the page needs of a letter (services.partywork.transfers.LetterRow)."""

    letter_no: str
    issued_on: date
    name: str
    gender: str
    age: int | None
    ethnicity: str
    member_status: str
    id_number: str
    from_org: str
    to_org: str
    dues_paid_to: str
    valid_days: int
    receipt_on: date | None


def cn_digits(n: int) -> str:
    """2026 → 二〇二六 (a year written digit by digit)."""
    return "".join(DIGITS[int(d)] for d in str(n))


def cn_number(n: int) -> str:
    """1–99 as counted: 十, 十一, 三十, 九十."""
    if n < 10:
        return DIGITS[n]
    tens, ones = divmod(n, 10)
    return f"{'' if tens == 1 else DIGITS[tens]}十{DIGITS[ones] if ones else ''}" if n < 100 else str(n)


def cn_date(d: date | None) -> str:
    return f"{cn_digits(d.year)}年{cn_number(d.month)}月{cn_number(d.day)}日" if d else "\u3000\u3000年\u3000\u3000月\u3000\u3000日"


def dues_text(paid_to: str) -> tuple[str, str]:
    """("二〇二六", "十一") from "2026-11"; blanks when not known."""
    if len(paid_to) == 7 and paid_to[4] == "-" and paid_to[:4].isdigit() and paid_to[5:].isdigit():
        return cn_digits(int(paid_to[:4])), cn_number(int(paid_to[5:]))
    return BLANK, "\u3000\u3000"


# A paragraph is pieces: (text, filled) — filled pieces are underlined and kept on one line if they fit.
Piece = tuple[str, bool]


@dataclass
class _Pen:
    c: Canvas
    body: str
    title: str
    fallbacks: tuple[str, ...]
    size: float = BODY_SIZES[0]
    dry: bool = False  # measuring a part: nothing is drawn

    @property
    def leading(self) -> float:
        """Body line pitch: room for handwriting over the underlines."""
        return self.size * 1.8

    def width(self, text: str, size: float, font: str | None = None) -> float:
        return text_width(text, font or self.body, self.fallbacks, size)

    def text(self, x: float, y: float, text: str, size: float | None = None, font: str | None = None,
             anchor: str = "left", underline: bool = False) -> float:
        font, size = font or self.body, size or self.size
        w = self.width(text, size, font)
        if self.dry:
            return w
        x = x - w if anchor == "right" else x - w / 2 if anchor == "centre" else x
        start = x
        for run_font, piece in font_runs(text, font, self.fallbacks):
            self.c.setFont(run_font, size)
            self.c.drawString(x, y, piece)
            x += text_width(piece, run_font, (), size)
        if underline:
            self.c.setLineWidth(0.6)
            self.c.line(start, y - 2.5, start + w, y - 2.5)
        return w

    def paragraph(self, x: float, y: float, room: float, pieces: list[Piece], indent: float = 2) -> float:
        """Draw the pieces wrapped to room (first line indented by `indent` characters); returns the
        baseline below the last line."""
        units: list[Piece] = []
        for text, filled in pieces:
            if filled and self.width(text, self.size) <= room:
                units.append((f"\u2002{text}\u2002", True))  # a little air inside the underline
            else:
                units.extend((ch, filled) for ch in text)
        cx = x + indent * self.size
        for text, filled in units:
            w = self.width(text, self.size)
            if cx + w > x + room + 0.5 and not (text[0] in "，。、）：；" and cx + w <= x + room + self.size):
                y -= self.leading
                cx = x
            self.text(cx, y, text, underline=filled)
            cx += w
        return y - self.leading


def _pen(c: Canvas) -> _Pen:
    fonts = pdf_fonts()
    return _Pen(c, fonts.body, fonts.title, fonts.fallbacks)


def _person(t: LetterData) -> list[Piece]:
    age = "" if t.age is None else str(t.age)
    status = "正式" if t.member_status == "正式党员" else "预备"
    return [(t.name, True), ("同志（", False), (t.gender or "\u3000", True), ("），", False), (age or BLANK, True),
            ("岁，", False), ((t.ethnicity or "").removesuffix("族") or BLANK, True), ("族，系中共", False),
            (status, True), ("党员，身份证号码", False), (t.id_number or BLANK, True), ("，由", False),
            (t.from_org, True), ("去", False), (t.to_org, True), ("，", False)]


def _dues(t: LetterData) -> list[Piece]:
    year, month = dues_text(t.dues_paid_to)
    return [("该同志党费已交到", False), (year, True), ("年", False), (month, True), ("月。", False)]


def _header(pen: _Pen, top: float, title: str, no: str, part: str) -> float:
    """Title centred, 「第 N 号」 at the right, the part's name at the left; returns the next baseline."""
    y = top - 9 * mm
    pen.text(PAGE_W / 2, y, title, TITLE_SIZE, pen.title, anchor="centre")
    y -= 7 * mm
    pen.text(MARGIN_X, y, part, SMALL_SIZE)
    pen.text(PAGE_W - MARGIN_X, y, f"第 {no} 号", anchor="right")
    return y - 8 * mm


def _stub(pen: _Pen, top: float, height: float, t: LetterData) -> float:
    room = PAGE_W - 2 * MARGIN_X
    y = _header(pen, top, f"{TITLE}（存根）", t.letter_no, "第一联")
    pieces = [*_person(t), ("接转组织关系。", False), *_dues(t)]
    pieces += [("（有效期", False), (cn_number(t.valid_days), True), ("天）", False)]
    y = pen.paragraph(MARGIN_X, y, room, pieces)
    pen.text(PAGE_W - MARGIN_X, y, cn_date(t.issued_on), anchor="right")
    pen.text(MARGIN_X, top - height + 5 * mm, "（回执联收到后贴于此处）", SMALL_SIZE)
    return y - 10 * mm  # the note's line below


def _letter(pen: _Pen, top: float, height: float, t: LetterData) -> float:
    room = PAGE_W - 2 * MARGIN_X
    y = _header(pen, top, TITLE, t.letter_no, "第二联")
    y = pen.paragraph(MARGIN_X, y, room, [(f"{t.to_org}：", False)], indent=0)  # the 抬头
    pieces = [*_person(t), ("请接转组织关系。", False), *_dues(t)]
    y = pen.paragraph(MARGIN_X, y, room, pieces)
    pen.text(MARGIN_X + 2 * pen.size, y, f"（有效期{cn_number(t.valid_days)}天）")
    pen.text(PAGE_W - MARGIN_X - 4 * pen.size, y, "（盖章）", anchor="right")
    y -= pen.leading * 0.9
    pen.text(PAGE_W - MARGIN_X, y, cn_date(t.issued_on), anchor="right")
    y -= pen.leading * 0.9
    for line in ("党员联系电话或其他联系方式：", "党员原所在基层党委通讯地址：", "联系电话：\u3000\u3000\u3000\u3000\u3000\u3000\u3000"
                 "\u3000传真：\u3000\u3000\u3000\u3000\u3000\u3000\u3000\u3000邮编："):
        pen.text(MARGIN_X, y, line, SMALL_SIZE)
        y -= SMALL_SIZE * 1.8
    return y


def _receipt(pen: _Pen, top: float, height: float, t: LetterData, part: str = "第三联", filled: bool = False) -> float:
    """The 回执: addressed back to the issuing 党组织; filled (a letter received here) dates and signs it."""
    room = PAGE_W - 2 * MARGIN_X
    y = _header(pen, top, f"{TITLE}回执", t.letter_no, part)
    y = pen.paragraph(MARGIN_X, y, room, [(f"{t.from_org}：", False)], indent=0)
    y = pen.paragraph(MARGIN_X, y, room, [(t.name, True), ("同志的党员组织关系已转达我处，特此回执。", False)])
    pen.text(PAGE_W - MARGIN_X, y, f"{t.to_org if filled else '党组织'}（盖章）", anchor="right")
    y -= pen.leading
    pen.text(PAGE_W - MARGIN_X, y, cn_date(t.receipt_on if filled else None), anchor="right")
    y -= pen.leading
    pen.text(MARGIN_X, y, "经办人：\u3000\u3000\u3000\u3000\u3000\u3000\u3000\u3000联系电话：", SMALL_SIZE)
    return y - SMALL_SIZE


Part = Callable[[_Pen, float, float, LetterData], float]


def _fitted(pen: _Pen, part: Part, top: float, height: float, t: LetterData) -> None:
    """Draw the part at the largest body size whose text ends inside it (long 党组织 names wrap more)."""
    for size in BODY_SIZES:
        pen.size, pen.dry = size, True
        if part(pen, top, height, t) >= top - height + 3 * mm or size == BODY_SIZES[-1]:
            break
    pen.dry = False
    if part(pen, top, height, t) < top - height:
        raise ServiceError("介绍信内容过长（党组织名称太长），一页放不下，请缩短后重试。")


def _cut_line(pen: _Pen, y: float) -> None:
    """A dashed 骑缝 line across the page, its label in a gap at the middle."""
    c = pen.c
    label = "骑缝线（加盖骑缝章）"
    w = pen.width(label, SMALL_SIZE) + 6 * mm
    c.saveState()
    c.setStrokeColor(GREY)
    c.setFillColor(GREY)
    c.setDash(4, 3)
    c.setLineWidth(0.5)
    c.line(10 * mm, y, (PAGE_W - w) / 2, y)
    c.line((PAGE_W + w) / 2, y, PAGE_W - 10 * mm, y)
    pen.text(PAGE_W / 2, y - SMALL_SIZE / 3, label, SMALL_SIZE, anchor="centre")
    c.restoreState()
    c.setFillColor(black)


def _canvas(path: Path, title: str) -> Canvas:
    c = Canvas(str(path), pagesize=A4, pageCompression=1)
    c.setTitle(title)
    c.setAuthor("VillageDesk")
    return c


def write_letter(out: Path, t: LetterData) -> Path:
    """存根, 介绍信 and 回执 on one A4 page, cut apart along the dashed lines."""
    with atomic_path(out) as tmp:
        c = _canvas(tmp, f"{TITLE}第{t.letter_no}号（{t.name}）")
        pen = _pen(c)
        top = TOP
        for i, part in enumerate((_stub, _letter, _receipt)):
            if i:
                _cut_line(pen, top)
            _fitted(pen, part, top, PARTS_H[i], t)
            top -= PARTS_H[i]
        c.showPage()
        c.save()
    return out


def write_receipt(out: Path, t: LetterData) -> Path:
    """The 回执 of a letter received here, dated and named, to send back to the issuing 党组织."""
    def receipt(pen: _Pen, top: float, height: float, t: LetterData) -> float:
        return _receipt(pen, top, height, t, part="回执联", filled=True)

    with atomic_path(out) as tmp:
        c = _canvas(tmp, f"{TITLE}回执第{t.letter_no}号（{t.name}）")
        _fitted(_pen(c), receipt, TOP, PARTS_H[2], t)
        c.showPage()
        c.save()
    return out


__all__ = ["LetterData", "cn_date", "cn_digits", "cn_number", "dues_text", "write_letter", "write_receipt"]
