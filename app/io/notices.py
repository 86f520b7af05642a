"""公示 PDF engine (reportlab): layout after GB/T 9704-2012, masking built in, deterministic bytes.

Layout: A4 portrait (A3 for big boards: everything scaled by √2), margins 37/35/28/26 mm (top, bottom,
left, right); title 22 pt in a heavy face, body 16 pt in a 仿宋/宋-like face (app.io.pdf_fonts),
then the table(s) — one per group (e.g. 拟接收为预备党员), each with its header repeated on every page,
long text wrapping inside its cell and rows never split across pages — then the 公示期, how to raise
objections (contact person, phone, 意见箱), and the issuer and date with room above them for the seal
(the seal is pressed over them, GB/T 9704 7.3.5). Every page: `第 X 页 共 Y 页` and the short code.

Masking happens here, so no caller can forget it: a column's kind says what it holds, and
`public_rows` masks 身份证号 (110111********1234), mobiles (138****5678), landlines (area code kept)
and, for kind "name_sensitive", the given name (张*). Only kind "phone_public" prints a phone in full
(grid staff whose numbers are published on purpose). The masked rows are what gets archived.

The hash chicken-and-egg: a file cannot print its own sha256. So the footer carries
`公示编号 <year>-<archive id>` and `校验码 <first 8 hex of the sha256 of the content>` (title, period,
columns and masked rows, canonical JSON): the number finds the archive record, the code lets a reader
check a sheet on the board against the archive by eye. The archive keeps the sha256 of the whole
file as written (Notice.pdf_sha256); `verify` compares a file's sha256 with it. The number and code
are also written, in ASCII, into the PDF's Keywords, so a file that no longer matches can still say
which notice it claims to be ("modified"). Output is deterministic (reportlab invariant mode: fixed
dates and document id), so rendering the archived rows again gives the same bytes — a lost file can
be re-made from the archive and still verify, as long as the fonts are the same.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib import textsplit as _rl_textsplit
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A3, A4
from reportlab.lib.styles import ParagraphStyle
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

from .atomic import atomic_path
from .masking import mask_id_number, mask_name, mask_phone
from .pdf_fonts import PdfFonts, pdf_fonts

NoticeColumnKind = Literal[
    "text", "int", "date", "month", "id", "phone", "phone_public", "name", "name_sensitive", "group"
]
COLUMN_KINDS: tuple[str, ...] = (
    "text", "int", "date", "month", "id", "phone", "phone_public", "name", "name_sensitive", "group",
)
NO_WRAP_KINDS = ("int", "date", "month", "id", "phone", "phone_public")
PAPERS = {"A4": A4, "A3": A3}
MARKER = "VillageDesk-notice"
_MARKER_RE = re.compile(rb"VillageDesk-notice:([0-9]{4}-[0-9]+):([0-9A-F]{8})")
CN_ORDINALS = "一二三四五六七八九十"

# 标点禁则: reportlab's list of characters that may not start a line lacks the full-width Chinese
# comma, semicolon, colon, ?, !, closing 》 and quotes, so "，" could open a line. Add them (once).
_CN_CANNOT_START = "，；：？！》”’…—％"
for _module in (_rl_textsplit, _rl_paragraph):  # one-fragment paragraphs use textsplit's copy
    _module.ALL_CANNOT_START += "".join(c for c in _CN_CANNOT_START if c not in _module.ALL_CANNOT_START)


@dataclass(frozen=True)
class NoticeColumn:
    """header: Chinese column header. kind: what the column holds (decides masking and layout).

    kind "group" is not a column: rows are grouped by it, one table per group under a heading.
    """

    header: str
    kind: NoticeColumnKind = "text"

    def __post_init__(self) -> None:
        if self.kind not in COLUMN_KINDS:
            raise ValueError(f"unknown notice column kind {self.kind!r}")

    def to_json(self) -> dict[str, str]:
        return {"header": self.header, "kind": self.kind}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> NoticeColumn:
        return cls(str(data["header"]), data.get("kind", "text"))


@dataclass
class NoticeDocument:
    title: str
    body: str  # paragraphs, one per line (already filled in from the template)
    columns: Sequence[NoticeColumn]
    rows: Sequence[Sequence[object]]
    period_start: date
    period_end: date
    issuer: str
    issued_on: date
    number: str = ""  # 公示编号, e.g. 2026-0003
    contact_person: str = ""
    contact_phone: str = ""  # the office's own number: printed in full
    objection_box: str = ""  # 意见箱 location
    objection_to: str = "村党组织"  # who receives objections
    objection_text: str = ""  # replaces the standard objection sentence when given
    paper: str = "A4"
    numbered: bool = True  # add a 序号 column (restarting in each group)
    group_counter: str = "人"  # 一、拟接收为预备党员（2人）
    empty_text: str = "（本期无公示对象）"
    author: str = ""  # PDF metadata


@dataclass(frozen=True)
class RenderedNotice:
    path: Path
    sha256: str  # of the whole file as written
    pages: int
    size: int
    content_code: str  # printed in the footer
    columns: list[dict[str, str]]
    rows: list[list[str]]  # masked, as printed (frozen in the archive)


# ---------------------------------------------------------------- values and masking


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def public_value(kind: str, value: object) -> str:
    """One cell as it may be shown in public: masked and formatted."""
    if kind == "month" and isinstance(value, date):
        return f"{value.year}.{value.month:02d}"
    text = _text(value)
    if kind == "id":
        return mask_id_number(text)
    if kind == "phone":
        return mask_phone(text)
    if kind == "name_sensitive":
        return mask_name(text)
    return text


def public_rows(columns: Sequence[NoticeColumn], rows: Sequence[Sequence[object]]) -> list[list[str]]:
    out = []
    for row in rows:
        if len(row) != len(columns):
            raise ValueError(f"row has {len(row)} cells, expected {len(columns)}")
        out.append([public_value(c.kind, v) for c, v in zip(columns, row, strict=True)])
    return out


def content_code(title: str, start: date, end: date, columns: Sequence[NoticeColumn], rows: Sequence[Sequence[str]]) -> str:
    """First 8 hex digits (upper case) of the sha256 of the notice's content as canonical JSON."""
    payload = json.dumps(
        {"title": title, "start": start.isoformat(), "end": end.isoformat(),
         "columns": [c.to_json() for c in columns], "rows": [list(r) for r in rows]},
        ensure_ascii=False, sort_keys=True, separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:8].upper()


def cn_date(d: date) -> str:
    """2026年11月23日 (Arabic numerals, as GB/T 9704-2012 writes 成文日期)."""
    return f"{d.year}年{d.month}月{d.day}日"


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_marker(path: Path) -> tuple[str, str] | None:
    """(公示编号, 校验码) from a notice PDF's Keywords, or None when the file carries none."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    m = _MARKER_RE.search(data)
    return (m.group(1).decode(), m.group(2).decode()) if m else None


# ---------------------------------------------------------------- layout


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


def column_widths(
    headers: Sequence[str], kinds: Sequence[str], rows: Sequence[Sequence[str]], font: str, head_font: str,
    size: float, avail: float,
) -> tuple[list[float], bool]:
    """Fit the table to the frame: natural widths, shrinking wrappable columns first when too wide.

    Returns the widths and whether they fit without breaking no-wrap values (IDs, dates, phones).
    """
    pad = size * 0.9
    em = stringWidth("中", font, size)
    natural, minimum = [], []
    for i, (header, kind) in enumerate(zip(headers, kinds, strict=True)):
        longest = max((stringWidth(r[i], font, size) for r in rows), default=0.0)
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

    all_rows = [r for _k, g in groups for r in g]
    # 小四 (12 pt) when the table fits, else 11 pt, else 五号 (10.5 pt) and wrap what must wrap
    for size in (st.m.table, st.m.table * 11 / 12, st.m.table * 10.5 / 12):
        widths, fits = column_widths(headers, kinds, all_rows, st.fonts.body, st.fonts.title, size, avail)
        if fits:
            break
    cell = ParagraphStyle("cell_sized", parent=st.cell, fontSize=size, leading=size * 1.3)
    cell_left = ParagraphStyle("cell_left_sized", parent=cell, alignment=TA_LEFT)
    head = ParagraphStyle("head_sized", parent=cell, fontName=st.fonts.title)
    pad = size * 0.3
    # A centred value that fits its column on one line is drawn as plain text in the table's own
    # font (same look); only what wraps or sits left needs a Paragraph, which is ~10× slower to lay
    # out (a 1,000-row notice took 2 s instead of 0.3 s).
    room = [w - 2 * pad for w in widths]

    def table_cell(i: int, v: str) -> Any:
        centred = kinds[i] in NO_WRAP_KINDS or len(v) <= 8
        if centred and "\n" not in v and stringWidth(v, st.fonts.body, size) <= room[i]:
            return v
        return _para(v, cell if centred else cell_left)

    flow: list[Flowable] = []
    for n, (key, grows) in enumerate(groups):
        if group_at is not None:
            ordinal = CN_ORDINALS[n] if n < len(CN_ORDINALS) else str(n + 1)
            # the heading never sits alone at the foot of a page: it needs room for the header and a row
            flow.append(CondPageBreak(st.m.body * 2 + st.m.table * 6))
            flow.append(_para(f"{ordinal}、{key}（{len(grows)}{doc.group_counter}）", st.heading))
        data: list[list[Any]] = [[_para(h, head) for h in headers]]
        data += [[table_cell(i, v) for i, v in enumerate(r)] for r in grows]
        table = Table(data, colWidths=widths, repeatRows=1, splitByRow=1, splitInRow=0, hAlign="CENTER")
        table.setStyle(TableStyle([
            ("FONTNAME", (0, 0), (-1, -1), st.fonts.body),  # else empty cells pull in Helvetica
            ("FONTSIZE", (0, 0), (-1, -1), size),  # the plain-text cells: as the Paragraph cells
            ("LEADING", (0, 0), (-1, -1), size * 1.3),
            ("ALIGN", (0, 0), (-1, -1), "CENTER"),
            ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
            ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.9, 0.9)),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), pad),
            ("BOTTOMPADDING", (0, 0), (-1, -1), pad * 1.3),
            ("LEFTPADDING", (0, 0), (-1, -1), pad),
            ("RIGHTPADDING", (0, 0), (-1, -1), pad),
        ]))
        flow.append(table)
        flow.append(Spacer(1, st.m.body * 0.6))
    return flow


def _closing(doc: NoticeDocument, st: _Styles) -> list[Flowable]:
    days = (doc.period_end - doc.period_start).days + 1
    period = f"公示期：{cn_date(doc.period_start)}至{cn_date(doc.period_end)}（共{days}天）。"
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


def render_notice(doc: NoticeDocument, path: Path) -> RenderedNotice:
    """Render the notice to path (atomically) and return what was printed and the file's sha256."""
    if doc.paper not in PAPERS:
        raise ValueError(f"unknown paper {doc.paper!r}")
    fonts = pdf_fonts()
    page_w, page_h = PAPERS[doc.paper]
    k = page_w / A4[0]
    st = _Styles(fonts, _Metrics.scaled(k))
    rows = public_rows(doc.columns, doc.rows)
    code = content_code(doc.title, doc.period_start, doc.period_end, doc.columns, rows)
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
