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
    CondPageBreak,
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus import paragraph as _rl_paragraph
from reportlab.platypus.tables import CellStyle

from .atomic import atomic_path
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
from .pdf_fonts import PdfFonts, pdf_fonts

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
        return cls(title=22 * k, body=16 * k, table=12 * k, footer=10.5 * k, small=8 * k)


@dataclass
class _Styles:
    fonts: PdfFonts
    m: _Metrics
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


def _para(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


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
        return [_para(doc.empty_text, st.plain)]

    widest = widest_texts([r for _k, g in groups for r in g], len(headers), st.fonts.body)
    # 小四 (12 pt) when the table fits, else 11 pt, else 五号 (10.5 pt) and wrap what must wrap
    for size in (st.m.table, st.m.table * 11 / 12, st.m.table * 10.5 / 12):
        widths, fits = column_widths(headers, kinds, widest, st.fonts.body, st.fonts.title, size, avail)
        if fits:
            break
    cell = ParagraphStyle("cell_sized", parent=st.cell, fontSize=size, leading=size * 1.3)
    cell_left = ParagraphStyle("cell_left_sized", parent=cell, alignment=TA_LEFT)
    head = ParagraphStyle("head_sized", parent=cell, fontName=st.fonts.title)
    pad = size * 0.3
    room = [w - pad - pad for w in widths]  # as the table gives a cell's Paragraph
    # A centred value is plain text in the table's own font (same look, see plain_cell_text); only
    # what sits left or cannot be drawn the same needs a Paragraph, ~10× slower to lay out and draw.
    plain: dict[tuple[int, str, bool], str | None] = {}  # values repeat (branch names): break each once

    def table_cell(i: int, v: str, header: bool = False) -> Any:
        if not (header or kinds[i] in NO_WRAP_KINDS or len(v) <= 8):
            return _para(v, cell_left)  # long text sits left
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
            flow.append(CondPageBreak(st.m.body * 2 + st.m.table * 6))
            flow.append(_para(f"{ordinal}、{key}（{len(grows)}{doc.group_counter}）", st.heading))
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
        flow.append(table)
        flow.append(Spacer(1, st.m.body * 0.6))
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
    flow: list[Flowable] = [_para(period, st.body), _para(objection, st.body)]
    if ways:
        flow.append(_para("；".join(ways) + "。", st.body))
    return flow


def _signature(doc: NoticeDocument, st: _Styles) -> Flowable:
    """Issuer and date, the date 4 characters from the right edge, the issuer centred above it,
    with room above for the seal (pressed over both)."""
    em = st.m.body
    date_text = cn_date(doc.issued_on)
    width = max(stringWidth(doc.issuer, st.fonts.body, em), stringWidth(date_text, st.fonts.body, em)) + em
    table = Table(
        [[_para(doc.issuer, st.sign), ""], [_para(date_text, st.sign), ""]],
        colWidths=[width, em * 4], hAlign="RIGHT",
    )
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), st.fonts.body),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return table


def render_pdf(doc: NoticeDocument, path: Path) -> RenderedNotice:
    """app.io.notices.render_notice: the PDF itself (the paper is checked there)."""
    fonts = pdf_fonts()
    page_w, page_h = PAPER_SIZES[doc.paper]
    k = page_w / A4[0]
    st = _Styles(fonts, _Metrics.scaled(k))
    rows = public_rows(doc.columns, doc.rows)
    code = notice_code(doc, rows)
    margins = {"topMargin": 37 * mm * k, "bottomMargin": 35 * mm * k,
               "leftMargin": 28 * mm * k, "rightMargin": 26 * mm * k}
    avail = page_w - margins["leftMargin"] - margins["rightMargin"]

    story: list[Flowable] = [_para(doc.title, st.title)]
    story += [_para(line, st.body) for line in doc.body.splitlines() if line.strip()]
    story.append(Spacer(1, st.m.body * 0.5))
    story += _group_tables(doc, rows, st, avail)
    closing = _closing(doc, st)
    seal_room = Spacer(1, 22 * mm * k)
    story += closing[:-1]
    story.append(KeepTogether([closing[-1], seal_room, _signature(doc, st)]))

    stamp = f"公示编号 {doc.number}　校验码 {code}" if doc.number else f"校验码 {code}"

    def decorate(c: Canvas, page: int, pages: int) -> None:
        c.saveState()
        c.setFont(fonts.body, st.m.footer)
        c.drawCentredString(page_w / 2, margins["bottomMargin"] * 0.55, f"第 {page} 页 共 {pages} 页")
        c.setFont(fonts.body, st.m.small)
        c.setFillGray(0.35)
        c.drawRightString(page_w - margins["rightMargin"], margins["bottomMargin"] * 0.55 - st.m.small * 1.6, stamp)
        if page > 1:
            c.drawString(margins["leftMargin"], page_h - margins["topMargin"] * 0.6, f"{doc.title}（续）")
        c.restoreState()

    canvas_class = type("NoticeCanvas", (_NumberedCanvas,), {"decorate": staticmethod(decorate)})
    keywords = f"{MARKER}:{doc.number or '0000-0'}:{code}"
    with atomic_path(path) as tmp:
        template = SimpleDocTemplate(
            str(tmp), pagesize=(page_w, page_h), title=doc.title, author=doc.author or doc.issuer,
            subject=stamp, keywords=keywords, creator="村级党建工作台 VillageDesk", producer="VillageDesk",
            invariant=1, initialFontName=fonts.body, **margins,  # no unembedded Helvetica in the file
        )
        template.build(story, canvasmaker=canvas_class)
        pages = template.page
        sha = file_sha256(tmp)
        size = tmp.stat().st_size
    return RenderedNotice(Path(path), sha, pages, size, code, [c.to_json() for c in doc.columns], rows)
