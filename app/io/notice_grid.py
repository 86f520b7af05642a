"""The GB/T 9704-2012 page of a 公示: the 版心, its 22 × 28 character grid, and what sits on it.

A4: 天头 37 mm, 订口 28 mm, 版心 156 × 225 mm; body 3号 (16 pt) at 22 lines of 28 characters, so the
line pitch is 225/22 mm and the character pitch 156/28 mm (16 pt less 0.2 pt of tracking). Text lines
sit on the grid's rows with their em box at the row's top; tables are rounded up to whole rows, so the
text after them is back on the grid. Page numbers 「— N —」 (4号, 7 mm below the 版心, 一字 in from the
outer side), the title in balanced lines, 成文日期 右空四字 with the issuer(s) centred over it and room
for 42 mm seals. A3 scales everything by √2. reportlab flowables, imported by app.io.notice_pdf.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from .pdf_fonts import font_for, font_runs

ASCENT = 0.88  # the ideographic em box's top above the baseline (1000-unit CJK fonts: 880 / -120)
DASH_TOP = 0.36  # top of the em dash above the baseline (宋体-like faces 0.33–0.39 em)
EPS = 1e-6
# 标点禁则: what may not open a line, and what may not close one
CANNOT_START = frozenset("，。、；：？！）》」』〕】”’…—％·～,.;:?!)]}%")
CANNOT_END = frozenset("（《「『〔【“‘([{")
# where a title or a long issuer name may break without cutting a word (after these characters)
GOOD_BREAK_AFTER = frozenset("于的度村区镇乡户员会部组及和与、，")
BAD_BREAK_BEFORE = frozenset("的民")  # 「…结果 / 的公示」, 「东坟村村 / 民委员会」
WORD_CUT = 12.0  # a break inside a word costs as much as lines 2.5 em unequal: 「年度 / 星级」, not 「年度星 / 级」


@dataclass(frozen=True)
class Grid:
    """The 版心 of a page, in points from the page's lower left corner, and its character grid."""

    left: float
    bottom: float
    width: float
    height: float
    size: float  # body size (3号 = 16 pt on A4)
    k: float  # paper scale (A4 1, A3 √2)
    lines: int = 22
    chars: int = 28

    @classmethod
    def for_page(cls, page_w: float, page_h: float) -> Grid:
        k = page_w / A4[0]
        return cls(left=28 * mm * k, bottom=page_h - (37 + 225) * mm * k, width=156 * mm * k, height=225 * mm * k,
                   size=16 * k, k=k)

    @property
    def top(self) -> float:
        return self.bottom + self.height

    @property
    def pitch_x(self) -> float:
        return self.width / self.chars

    @property
    def pitch_y(self) -> float:
        return self.height / self.lines

    @property
    def tracking(self) -> float:
        """Space added after every body character so that 28 of them fill a line (negative: −0.2 pt)."""
        return self.pitch_x - self.size

    def rows(self, height: float) -> float:
        """height rounded up to whole grid rows."""
        return math.ceil(height / self.pitch_y - 1e-3) * self.pitch_y


# ---------------------------------------------------------------- breaking text into lines


def units(text: str) -> list[str]:
    """What a line break may not cut: a run of ASCII letters and digits (13812345678) with the 年月日号
    after a number (2026年), else a character."""
    out: list[str] = []
    for ch in text:
        after_alnum = bool(out) and out[-1][-1].isascii() and out[-1][-1].isalnum()
        if after_alnum and ((ch.isascii() and ch.isalnum()) or (ch in "年月日号" and out[-1][-1].isdigit())):
            out[-1] += ch
        else:
            out.append(ch)
    return out


def _forbidden(us: Sequence[str], i: int, j: int) -> bool:
    """Whether a line us[i:j] opens or closes against the 标点禁则."""
    return us[i][0] in CANNOT_START or us[j - 1][-1] in CANNOT_END


def wrap(text: str, measure: Callable[[str], float], room: float, first_room: float | None = None) -> list[str]:
    """Greedy lines no wider than room (the first first_room): the 标点禁则 kept by carrying the
    character before a closing mark (or an opening mark itself) down to the next line."""
    us: list[str] = []
    for u in units(text):
        us.extend(u if len(u) > 1 and measure(u) > room else [u])  # a number longer than a line: cut
    widths = [measure(u) for u in us]
    lines: list[str] = []
    i = 0
    while i < len(us):
        cap = first_room if first_room is not None and not lines else room
        j, w = i, 0.0
        while j < len(us) and w + widths[j] <= cap + EPS:
            w += widths[j]
            j += 1
        j = max(j, i + 1)
        if j < len(us):
            k = j
            while k > i + 1 and (us[k][0] in CANNOT_START or us[k - 1][-1] in CANNOT_END):
                k -= 1
            j = k
        lines.append("".join(us[i:j]))
        i = j
    return lines


def balanced_lines(text: str, measure: Callable[[str], float], room: float, em: float) -> list[str]:
    """text in as few lines as fit room, of near-equal width, broken where a word ends when it can.

    Never a line of one character, never a line opening or closing against the 标点禁则 (a title:
    「关于2026年度星级文明户 / 评选结果的公示」, not 「…结果的公 / 示」).
    """
    us = units(text)
    widths = [measure(u) for u in us]
    total = sum(widths)
    if total <= room + EPS or len(us) < 4:
        return [text]
    prefix = [0.0]
    for w in widths:
        prefix.append(prefix[-1] + w)
    count = [0]
    for u in us:
        count.append(count[-1] + len(u))
    n = len(us)
    for lines in range(max(2, math.ceil(total / room - EPS)), n // 2 + 1):
        mean = total / lines
        # best[j][l]: (cost, start of the last line) laying us[:j] in l lines
        best: list[dict[int, tuple[float, int]]] = [{} for _ in range(n + 1)]
        best[0][0] = (0.0, 0)
        for j in range(1, n + 1):
            for i in range(j):
                width = prefix[j] - prefix[i]
                if width > room + EPS or count[j] - count[i] < 2 or _forbidden(us, i, j):
                    continue
                joint = 0.0 if j == n or (us[j - 1][-1] in GOOD_BREAK_AFTER and us[j][0] not in BAD_BREAK_BEFORE) \
                    else WORD_CUT
                step = ((width - mean) / em) ** 2 + joint
                for used, (cost, _start) in best[i].items():
                    if used < lines and (used + 1 not in best[j] or cost + step < best[j][used + 1][0]):
                        best[j][used + 1] = (cost + step, i)
        if lines in best[n]:
            out, j, used = [], n, lines
            while j > 0:
                i = best[j][used][1]
                out.append("".join(us[i:j]))
                j, used = i, used - 1
            return out[::-1]
    return wrap(text, measure, room)


# ---------------------------------------------------------------- flowables


def _draw_line(c: Canvas, x: float, y: float, text: str, font: str, fallbacks: tuple[str, ...], size: float,
               char_space: float) -> None:
    """One line at (x, baseline y), each character advancing by its width plus char_space."""
    t = c.beginText(x, y)
    t.setCharSpace(char_space)
    for run_font, piece in font_runs(text, font, fallbacks):
        t.setFont(run_font, size)
        t.textOut(piece)
    c.drawText(t)


def text_width(text: str, font: str, fallbacks: tuple[str, ...], size: float, char_space: float = 0.0) -> float:
    """Advance of text drawn by _draw_line (the tracking after the last character included)."""
    return sum(stringWidth(ch, font_for(ch, font, fallbacks), size) + char_space for ch in text)


@dataclass(frozen=True)
class _Line:
    text: str
    x: float  # from the 版心's left edge
    char_space: float


class GridText(Flowable):
    """A paragraph on the grid: one grid row per line, split between pages at a row.

    align "justify": body text, 28 characters a line, lines filled to the right edge (the last one
    not), first line indented by `indent` characters. align "center": each line centred, no tracking
    (the title, in balanced lines).
    """

    def __init__(self, text: str, grid: Grid, font: str, fallbacks: tuple[str, ...], *, size: float | None = None,
                 indent: int = 2, align: str = "justify", lines: list[_Line] | None = None) -> None:
        super().__init__()
        self.grid, self.font, self.fallbacks = grid, font, fallbacks
        self.size = size or grid.size
        self.lines = lines if lines is not None else self._layout(text, indent, align)

    def _layout(self, text: str, indent: int, align: str) -> list[_Line]:
        g = self.grid
        if align == "center":
            def measure(s: str) -> float:
                return text_width(s, self.font, self.fallbacks, self.size)

            return [_Line(s, (g.width - measure(s)) / 2, 0.0)
                    for s in balanced_lines(text, measure, g.width, self.size)]
        track = g.tracking * self.size / g.size

        def advance(s: str) -> float:
            return text_width(s, self.font, self.fallbacks, self.size, track)

        first = g.width - indent * g.pitch_x
        out: list[_Line] = []
        broken = wrap(text, advance, g.width, first) if text else [""]
        for n, s in enumerate(broken):
            x = indent * g.pitch_x if n == 0 else 0.0
            slack = (first if n == 0 else g.width) - advance(s)
            last = n == len(broken) - 1
            spread = slack / (len(s) - 1) if not last and len(s) > 1 and slack > EPS else 0.0
            out.append(_Line(s, x, track + spread))
        return out

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803 (reportlab API)
        self.width, self.height = self.grid.width, len(self.lines) * self.grid.pitch_y
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        fit = int(availHeight / self.grid.pitch_y + 1e-3)
        if fit <= 0 or fit >= len(self.lines):
            return [] if fit <= 0 else [self]
        return [self._part(self.lines[:fit]), self._part(self.lines[fit:])]

    def _part(self, lines: list[_Line]) -> GridText:
        return GridText("", self.grid, self.font, self.fallbacks, size=self.size, lines=lines)

    def draw(self) -> None:
        pitch = self.grid.pitch_y
        for n, line in enumerate(self.lines):
            y = self.height - n * pitch - ASCENT * self.size  # em box top at the row's top
            _draw_line(self.canv, line.x, y, line.text, self.font, self.fallbacks, self.size, line.char_space)


class Snapped(Flowable):
    """A flowable (a table) taking whole grid rows, drawn at their top, so what follows stays on the grid."""

    def __init__(self, inner: Flowable, grid: Grid, gap: float = 0.0) -> None:
        super().__init__()
        self.inner, self.grid, self.gap = inner, grid, gap
        self.inner_height = 0.0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        w, h = self.inner.wrap(availWidth, availHeight)
        self.inner_height, self.width = h, w
        self.height = min(self.grid.rows(h + self.gap), max(self.grid.rows(h), availHeight))
        return w, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        return [Snapped(part, self.grid, self.gap) for part in self.inner.split(availWidth, availHeight)]

    def getSpaceBefore(self) -> float:  # noqa: N802
        return 0.0

    def getSpaceAfter(self) -> float:  # noqa: N802
        return 0.0

    def drawOn(self, canvas: Canvas, x: float, y: float, _sW: float = 0) -> None:  # noqa: N803
        self.inner.drawOn(canvas, x, y + self.height - self.inner_height, _sW)


@dataclass(frozen=True)
class SignaturePlan:
    """Where issuer names and the date go, in points from the 版心's left edge (rows from the block's top)."""

    names: list[list[tuple[str, float]]]  # per issuer: its lines and their x
    centres: list[float]  # seal centres (x)
    date_x: float
    date_text: str
    rows: int  # issuer rows


def plan_signature(issuers: Sequence[str], date_text: str, grid: Grid, font: str, fallbacks: tuple[str, ...],
                   seal: float) -> SignaturePlan:
    """成文日期 右空四字; the (last) issuer centred over it; joint issuers side by side to its left, one
    seal's width plus a gap apart, each name broken into balanced lines if it would reach a neighbour's."""
    track = grid.tracking

    def advance(s: str) -> float:
        return text_width(s, font, fallbacks, grid.size, track)

    date_right = grid.width - 4 * grid.pitch_x
    date_w = advance(date_text) - track
    centre = date_right - date_w / 2
    n = len(issuers)
    widths = [advance(name) - track for name in issuers]
    # seals apart by a seal and a gap, or more so that neighbouring names fit on one line with a
    # character between them, as long as the leftmost seal and name stay inside the 版心
    step = seal + 4 * mm * grid.k
    if n > 1:
        step = max(step, *((a + b) / 2 + grid.pitch_x for a, b in zip(widths, widths[1:], strict=False)))
        step = min(step, (centre - max(seal, widths[0]) / 2) / (n - 1))
        step = max(step, min(seal + 4 * mm * grid.k, (centre - seal / 2) / (n - 1)))
    centres = [centre - (n - 1 - i) * step for i in range(n)]
    one_line = (all((a + b) / 2 + grid.pitch_x <= step + EPS for a, b in zip(widths, widths[1:], strict=False))
                and centres[0] >= widths[0] / 2 and centre + widths[-1] / 2 <= grid.width)
    room = step - grid.pitch_x if n > 1 else 2 * min(centre, grid.width - centre)
    names = []
    for name, x in zip(issuers, centres, strict=True):
        lines = [name] if one_line else balanced_lines(name, advance, room, grid.size)
        names.append([(s, x - (advance(s) - track) / 2) for s in lines])
    return SignaturePlan(names, centres, date_right - date_w, date_text, max(len(n) for n in names))


class Signature(Flowable):
    """blank rows for the seal, the issuer name(s), the date: one block, on the grid."""

    def __init__(self, plan: SignaturePlan, grid: Grid, font: str, fallbacks: tuple[str, ...], blank_rows: int) -> None:
        super().__init__()
        self.plan, self.grid, self.font, self.fallbacks, self.blank_rows = plan, grid, font, fallbacks, blank_rows

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self.width = self.grid.width
        self.height = (self.blank_rows + self.plan.rows + 1) * self.grid.pitch_y
        return self.width, self.height

    def draw(self) -> None:
        g, p = self.grid, self.plan

        def baseline(row: int) -> float:
            return self.height - row * g.pitch_y - ASCENT * g.size

        for lines in p.names:  # the names' last lines on one row, just above the date
            first_row = self.blank_rows + p.rows - len(lines)
            for n, (text, x) in enumerate(lines):
                _draw_line(self.canv, x, baseline(first_row + n), text, self.font, self.fallbacks, g.size, g.tracking)
        _draw_line(self.canv, p.date_x, baseline(self.blank_rows + p.rows), p.date_text, self.font, self.fallbacks,
                   g.size, g.tracking)


def page_number_text(page: int) -> str:
    return f"— {page} —"


def draw_page_number(c: Canvas, grid: Grid, page: int, font: str) -> None:
    """「— N —」 in 4号 (14 pt), the 一字线's top 7 mm below the 版心; odd pages right, even pages left, 一字 in."""
    size = 14 * grid.k
    text = page_number_text(page)
    y = grid.bottom - 7 * mm * grid.k - DASH_TOP * size
    c.saveState()
    c.setFont(font, size)
    if page % 2:
        c.drawRightString(grid.left + grid.width - size, y, text)
    else:
        c.drawString(grid.left + size, y, text)
    c.restoreState()


def issuer_names(issuer: str) -> list[str]:
    """Joint issuers are written one string, separated by full-width spaces (「党支部　村委会」)."""
    return [name for name in issuer.split("\u3000") if name.strip()] or [issuer]

