"""The layout of a 公示 PDF (reportlab), after GB/T 9704-2012: see app.io.notices.

Its own module so that reportlab is imported when a notice is rendered, not when the window starts
(app.io.notices, with the column and document types, is imported by every notice service).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib import textsplit as _rl_textsplit
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A3, A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.textsplit import wordSplit
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus import paragraph as _rl_paragraph
from reportlab.platypus.tables import CellStyle

from .atomic import atomic_path
from .notice_grid import Grid, GridText, Signature, Snapped, draw_page_number, issuer_names, plan_signature
from .notices import (
    CN_ORDINALS,
    MARKER,
    NO_WRAP_KINDS,
    NoticeDocument,
    RenderedNotice,
    cn_date,
    file_sha256,
    notice_code,
    period_sentence,
    public_rows,
)
from .pdf_fonts import PdfFonts, font_runs, has_glyph, pdf_fonts

PAPER_SIZES = {"A4": A4, "A3": A3}

# 标点禁则: reportlab's list of characters that may not start a line lacks the full-width Chinese
# comma, semicolon, colon, ?, !, closing 》 and quotes, so "，" could open a line. Add them (once).
_CN_CANNOT_START = "，；：？！》”’…—％"
for _module in (_rl_textsplit, _rl_paragraph):  # one-fragment paragraphs use textsplit's copy
    _module.ALL_CANNOT_START += "".join(c for c in _CN_CANNOT_START if c not in _module.ALL_CANNOT_START)




@dataclass(frozen=True)
class _Metrics:
    """Font sizes in points for one paper size (A3 = A4 × √2)."""

    title: float
    body: float
    table: float
    footer: float
    small: float

    @classmethod
    def scaled(cls, k: float) -> _Metrics:
        return cls(title=22 * k, body=16 * k, table=12 * k, footer=14 * k, small=8 * k)


@dataclass
class _Styles:
    fonts: PdfFonts
    m: _Metrics
    grid: Grid
    title: ParagraphStyle = field(init=False)
    body: ParagraphStyle = field(init=False)
    plain: ParagraphStyle = field(init=False)
    heading: ParagraphStyle = field(init=False)
    cell: ParagraphStyle = field(init=False)
    sign: ParagraphStyle = field(init=False)

    def __post_init__(self) -> None:
        f, m = self.fonts, self.m
        self.title = ParagraphStyle("title", fontName=f.title, fontSize=m.title, leading=m.title * 1.45,
                                    alignment=TA_CENTER, wordWrap="CJK", spaceAfter=m.body * 0.8)
        self.body = ParagraphStyle("body", fontName=f.body, fontSize=m.body, leading=m.body * 1.75,
                                   firstLineIndent=m.body * 2, alignment=TA_JUSTIFY, wordWrap="CJK")
        self.plain = ParagraphStyle("plain", parent=self.body, firstLineIndent=0)
        self.heading = ParagraphStyle("heading", fontName=f.title, fontSize=m.body, leading=m.body * 1.6,
                                      spaceBefore=m.body * 0.4, spaceAfter=m.body * 0.25, wordWrap="CJK")
        self.cell = ParagraphStyle("cell", fontName=f.body, fontSize=m.table, leading=m.table * 1.3,
                                   alignment=TA_CENTER, wordWrap="CJK")
        self.sign = ParagraphStyle("sign", fontName=f.body, fontSize=m.body, leading=m.body * 1.6,
                                   alignment=TA_CENTER, wordWrap="CJK")

    def text(self, text: str, *, heading: bool = False, indent: int = 2) -> GridText:
        """Body text (3号 仿宋) or a heading (3号 黑体) on the page's character grid."""
        return GridText(text, self.grid, self.fonts.title if heading else self.fonts.body, self.fonts.fallbacks,
                        indent=indent)


def _para(text: str, style: ParagraphStyle) -> Paragraph:
    """A Paragraph; characters its font lacks (a rare name) in a fallback CJK font, not as blank boxes."""
    runs = font_runs(text, style.fontName, pdf_fonts().fallbacks)
    markup = "".join(escape(piece) if font == style.fontName else f'<font name="{font}">{escape(piece)}</font>'
                     for font, piece in runs)
    return Paragraph(markup.replace("\n", "<br/>"), style)


def _covered(text: str, font: str) -> bool:
    return all(ch.isspace() or has_glyph(font, ch) for ch in text)


def widest_texts(rows: Sequence[Sequence[str]], columns: int, font: str) -> list[str]:
    """The widest value of each column ("" for no rows). A width is the size times the same sum of
    glyph widths, so the widest value at one size is the widest at every size: measured once."""
    widest = []
    for i in range(columns):
        values = {r[i] for r in rows}  # equal widths tie at every size, so any of them will do
        widest.append(max(values, key=lambda v: stringWidth(v, font, 1000), default=""))
    return widest


def column_widths(
    headers: Sequence[str], kinds: Sequence[str], widest: Sequence[str], font: str, head_font: str,
    size: float, avail: float,
) -> tuple[list[float], bool]:
    """Fit the table to the frame: natural widths, shrinking wrappable columns first when too wide.

    widest: each column's widest value (widest_texts). Returns the widths and whether they fit
    without breaking no-wrap values (IDs, dates, phones).
    """
    pad = size * 0.9
    em = stringWidth("中", font, size)
    natural, minimum = [], []
    for header, kind, text in zip(headers, kinds, widest, strict=True):
        longest = stringWidth(text, font, size)
        head_full = stringWidth(header, head_font, size)
        # a header of up to 4 characters stays on one line; a longer one may wrap onto three
        head = head_full if len(header) <= 4 else max(em * math.ceil(len(header) / 3), head_full / 3)
        nat = max(longest, head, em) + pad
        natural.append(nat)
        if kind in NO_WRAP_KINDS:
            minimum.append(nat)
        else:
            floor = em * (3 if kind in ("name", "name_sensitive") else 2)
            minimum.append(min(nat, max(floor, head) + pad))
    total = sum(natural)
    if total <= avail:
        extra = avail - total
        return [w + extra * w / total for w in natural], True
    slack = [n - m for n, m in zip(natural, minimum, strict=True)]
    need = total - avail
    if sum(slack) >= need:
        ratio = need / sum(slack)
        return [n - s * ratio for n, s in zip(natural, slack, strict=True)], True
    return [w * avail / sum(minimum) for w in minimum], False  # squeeze everything: the text wraps


_MARKUP = frozenset("&<>")


def plain_cell_text(text: str, font: str, size: float, room: float) -> str | None:
    """text as plain table text, "\n" between its lines, drawn as a centred one-fragment CJK Paragraph
    `room` points wide draws it; None when plain text cannot look the same (then use the Paragraph).

    The lines come from wordSplit, the very breaker such a Paragraph uses (with the 标点禁则 above).
    """
    if "\n" in text:
        return None
    if stringWidth(text, font, size) <= room:
        return text  # one line, as typed (a one-line value has always kept its spaces)
    if text != " ".join(text.split()) or not _MARKUP.isdisjoint(text):
        return None  # a Paragraph folds runs of white space; &<> make it several fragments
    lines = wordSplit(text, [room], font, size)
    for extra, line in lines:
        # a Paragraph centres a line by the room the split left, a table by the line's width: the
        # same, unless the split stripped a space (Latin words) or spreads an overflowing line's spaces
        if abs(room - stringWidth(line, font, size) - extra) > 1e-6 or (extra < 0 and " " in line):
            return None
    return "\n".join(line for _extra, line in lines)


class _NumberedCanvas(Canvas):
    """Defers page decorations until the page count is known (第 X 页 共 Y 页)."""

    decorate: Any = None  # set per render: decorate(canvas, page, pages)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 (reportlab API)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, 1):
            self.__dict__.update(state)
            if self.decorate is not None:
                self.decorate(self, number, total)
            super().showPage()
        super().save()


def _cell_style(name: str, font: str, size: float, pad: float) -> CellStyle:
    """A table cell's font (its plain text as the Paragraph cells), centred, with the table's padding."""
    style = CellStyle(name)
    style.fontname, style.fontsize, style.leading = font, size, size * 1.3
    style.alignment, style.valign = "CENTER", "MIDDLE"
    style.topPadding = style.leftPadding = style.rightPadding = pad
    style.bottomPadding = pad * 1.3
    return style


def _group_tables(doc: NoticeDocument, rows: list[list[str]], st: _Styles, avail: float) -> list[Flowable]:
    """One table per group (or one table when no column is a group), header repeated on each page."""
    group_at = next((i for i, c in enumerate(doc.columns) if c.kind == "group"), None)
    shown = [i for i, c in enumerate(doc.columns) if c.kind != "group"]
    headers = (["序号"] if doc.numbered else []) + [doc.columns[i].header for i in shown]
    kinds = (["int"] if doc.numbered else []) + [doc.columns[i].kind for i in shown]

    groups: list[tuple[str, list[list[str]]]] = []
    for row in rows:
        key = row[group_at] if group_at is not None else ""
        if not groups or groups[-1][0] != key:
            groups.append((key, []))
        cells = [row[i] for i in shown]
        groups[-1][1].append(([str(len(groups[-1][1]) + 1)] if doc.numbered else []) + cells)
    if not groups:
        return [st.text(doc.empty_text, indent=0)]

    widest = widest_texts([r for _k, g in groups for r in g], len(headers), st.fonts.body)
    # 小四 (12 pt) when the table fits, else 11 pt, else 五号 (10.5 pt) and wrap what must wrap
    for size in (st.m.table, st.m.table * 11 / 12, st.m.table * 10.5 / 12):
        widths, fits = column_widths(headers, kinds, widest, st.fonts.body, st.fonts.title, size, avail)
        if fits:
            break
    cell = ParagraphStyle("cell_sized", parent=st.cell, fontSize=size, leading=size * 1.3)
    cell_left = ParagraphStyle("cell_left_sized", parent=cell, alignment=TA_LEFT)
    head = ParagraphStyle("head_sized", parent=cell, fontName=st.fonts.title)
    pad = size * (0.15 if doc.dense else 0.3)  # dense: NoticeDocument.dense
    room = [w - pad - pad for w in widths]  # as the table gives a cell's Paragraph
    # A centred value is plain text in the table's own font (same look, see plain_cell_text); only
    # what sits left or cannot be drawn the same needs a Paragraph, ~10× slower to lay out and draw.
    plain: dict[tuple[int, str, bool], str | None] = {}  # values repeat (branch names): break each once

    def table_cell(i: int, v: str, header: bool = False) -> Any:
        if not (header or kinds[i] in NO_WRAP_KINDS or len(v) <= 8):
            return _para(v, cell_left)  # long text sits left
        if not _covered(v, st.fonts.title if header else st.fonts.body):
            return _para(v, head if header else cell)  # a rare character: drawn in a fallback font
        if (i, v, header) not in plain:
            plain[i, v, header] = plain_cell_text(v, st.fonts.title if header else st.fonts.body, size, room[i])
        text = plain[i, v, header]
        return text if text is not None else _para(v, head if header else cell)

    body_style = _cell_style("body", st.fonts.body, size, pad)  # also empty cells: else Helvetica
    head_style = _cell_style("head", st.fonts.title, size, pad)
    flow: list[Flowable] = []
    for n, (key, grows) in enumerate(groups):
        if group_at is not None:
            ordinal = CN_ORDINALS[n] if n < len(CN_ORDINALS) else str(n + 1)
            # the heading never sits alone at the foot of a page: it needs room for the header and a row
            flow.append(CondPageBreak(st.grid.pitch_y * 2 + st.m.table * 6))
            flow.append(st.text(f"{ordinal}、{key}（{len(grows)}{doc.group_counter}）", heading=True))
        data: list[list[Any]] = [[table_cell(i, h, header=True) for i, h in enumerate(headers)]]
        data += [[table_cell(i, v) for i, v in enumerate(r)] for r in grows]
        # Every cell shares one of two cell styles instead of a per-cell style set by TableStyle
        # commands, which reportlab applies cell by cell again for the rest of the table on each page.
        cell_styles = [[head_style] * len(headers)] + [[body_style] * len(headers)] * len(grows)
        table = Table(data, colWidths=widths, repeatRows=1, splitByRow=1, splitInRow=0, hAlign="CENTER",
                      cellStyles=cell_styles)
        table.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
            ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.9, 0.9)),
        ]))
        flow.append(Snapped(table, st.grid, gap=st.grid.pitch_y * 0.3))  # the text after it back on the grid
    return flow


def _closing(doc: NoticeDocument, st: _Styles) -> list[Flowable]:
    period = period_sentence(doc.period_start, doc.period_end, doc.period_workdays) + "。"
    ways = []
    if doc.contact_person or doc.contact_phone:
        who = f"联系人：{doc.contact_person}" if doc.contact_person else ""
        phone = f"联系电话：{doc.contact_phone}" if doc.contact_phone else ""
        ways.append("，".join(x for x in (who, phone) if x))
    if doc.objection_box:
        ways.append(f"意见箱：{doc.objection_box}")
    objection = doc.objection_text or (f"公示期间，如有异议，请以书面或口头形式向{doc.objection_to}反映"
                                       f"（反映问题请署真实姓名，我们将为反映人保密）。")
    flow: list[Flowable] = [st.text(period), st.text(objection)]
    if ways:
        flow.append(st.text("；".join(ways) + "。"))
    return flow


SEAL_MM = 42  # a round 公章
SEAL_ROWS = 3  # blank rows between the text and the issuer: the seal's top within a row of the text


def _signature(doc: NoticeDocument, st: _Styles) -> Flowable:
    """成文日期 右空四字, the issuer centred over it; joint issuers side by side, each with room for
    its seal (GB/T 9704-2012 7.3.5.1: the seal pressed over the issuer name, the last one also over the date)."""
    g = st.grid
    plan = plan_signature(issuer_names(doc.issuer), cn_date(doc.issued_on), g, st.fonts.body, st.fonts.fallbacks,
                          SEAL_MM * mm * g.k)
    return Signature(plan, g, st.fonts.body, st.fonts.fallbacks, SEAL_ROWS)


def render_pdf(doc: NoticeDocument, path: Path) -> RenderedNotice:
    """app.io.notices.render_notice: the PDF itself (the paper is checked there)."""
    fonts = pdf_fonts()
    page_w, page_h = PAPER_SIZES[doc.paper]
    k = page_w / A4[0]
    grid = Grid.for_page(page_w, page_h)
    st = _Styles(fonts, _Metrics.scaled(k), grid)
    rows = public_rows(doc.columns, doc.rows)
    code = notice_code(doc, rows)
    avail = grid.width

    # the title in 2号 小标宋/黑体, balanced lines, then a blank row (GB/T 9704-2012 7.3.1)
    title = GridText(doc.title, grid, fonts.title, fonts.fallbacks, size=st.m.title, align="center")
    story: list[Flowable] = [title, Spacer(1, grid.pitch_y)]
    story += [st.text(line.strip()) for line in doc.body.splitlines() if line.strip()]
    story += _group_tables(doc, rows, st, avail)
    # 公示期, the way to object, the contact line and the issuer with the date go together: where they do not
    # fit under the table they move to the next page as one (a contact line alone over the issuer read as a
    # stray page; the 公示期 belongs with whom to tell)
    story.append(KeepTogether([*_closing(doc, st), _signature(doc, st)]))

    stamp = f"公示编号 {doc.number}　校验码 {code}" if doc.number else f"校验码 {code}"

    def decorate(c: Canvas, page: int, pages: int) -> None:
        draw_page_number(c, grid, page, fonts.page)
        c.saveState()  # the stamp in small grey type under the page number's line, at the 版心's right edge
        c.setFont(fonts.body, st.m.small)
        c.setFillGray(0.35)
        c.drawRightString(grid.left + grid.width, grid.bottom - 18 * mm * k, stamp)
        c.restoreState()

    canvas_class = type("NoticeCanvas", (_NumberedCanvas,), {"decorate": staticmethod(decorate)})
    keywords = f"{MARKER}:{doc.number or '0000-0'}:{code}"
    with atomic_path(path) as tmp:
        template = BaseDocTemplate(
            str(tmp), pagesize=(page_w, page_h), title=doc.title, author=doc.author or doc.issuer,
            subject=stamp, keywords=keywords, creator="村级党建工作台 VillageDesk", producer="VillageDesk",
            invariant=1, initialFontName=fonts.body,  # no unembedded Helvetica in the file
        )
        # the frame is the 版心 itself, no padding (a hair taller: 22 rows of float pitch must fit)
        frame = Frame(grid.left, grid.bottom - 0.01, grid.width, grid.height + 0.01, leftPadding=0, rightPadding=0,
                      topPadding=0, bottomPadding=0, id="body")
        template.addPageTemplates([PageTemplate(id="page", frames=[frame])])
        template.build(story, canvasmaker=canvas_class)
        pages = template.page
        sha = file_sha256(tmp)
        size = tmp.stat().st_size
    return RenderedNotice(Path(path), sha, pages, size, code, [c.to_json() for c in doc.columns], rows)
