"""公示 PDF engine (reportlab): layout after GB/T 9704-2012, masking built in, deterministic bytes.

Layout (app.io.notice_grid): A4 portrait (A3 for big boards: everything scaled by √2), 天头 37 mm,
订口 28 mm, 版心 156 × 225 mm holding 22 lines of 28 characters; title 2号 (22 pt) in 小标宋/黑体 in
balanced lines, body 3号 (16 pt) 仿宋 on the character grid (fonts: app.io.pdf_fonts), then the
table(s) — one per group (e.g. 拟接收为预备党员), each with its header repeated on every page, long text
wrapping inside its cell and rows never split across pages — then the 公示期, how to raise objections
(contact person, phone, 意见箱), and the issuer and date with room above them for the seal
(成文日期 右空四字, the issuer centred over it; joint issuers side by side, each with room for its seal,
GB/T 9704 7.3.5). Every page: `— N —` (4号, outer side, 7 mm below the 版心) and the short code.

Masking happens here, so no caller can forget it: a column's kind says what it holds, and
`public_rows` masks 身份证号 (110111********1234), mobiles (138****5678), landlines (area code kept)
and, for kind "name_sensitive", the given name (张*). Only kind "phone_public" prints a phone in full
(grid staff whose numbers are published on purpose). The masked rows are what gets archived.

The hash chicken-and-egg: a file cannot print its own sha256. So the footer carries
`公示编号 <year>-<archive id>` and `校验码 <first 8 hex of a sha256 of what is printed>` (notice_code:
version 2 covers number, title, body, period, table, issuer, date and contact; version 1, kept for
notices printed before, covered title, period and table): the number finds the archive record, the
code lets a reader check a sheet on the board against the archive by eye. The archive keeps the sha256
of the whole file as written (Notice.pdf_sha256). The number and code are also written, in ASCII,
into the PDF's Keywords; find_marker reads both through a PDF parser (app.io.pdf_pages.read_text), so
a file another program re-saved still says which notice it claims to be, and its text can be
compared with the archive (app.services.notices.verify). Output is deterministic (reportlab invariant
mode: fixed dates and document id), so rendering the archived rows again gives the same bytes — a
lost file can be re-made from the archive and still verify, as long as the fonts are the same.

The layout (reportlab, ~0.1 s to import) is app.io.notice_pdf, imported when a notice is rendered:
the column and document types here are imported by the window at start.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from app.services.errors import ServiceError

from .masking import mask_free_text, mask_id_number, mask_name, mask_phone

NoticeColumnKind = Literal[
    "text", "short", "int", "date", "month", "id", "phone", "phone_public", "name", "name_sensitive", "group"
]
COLUMN_KINDS: tuple[str, ...] = (
    "text", "short", "int", "date", "month", "id", "phone", "phone_public", "name", "name_sensitive", "group",
)
# "short": text (masked as text) kept on one line, so a long list keeps one line a row (stars notice)
NO_WRAP_KINDS = ("short", "int", "date", "month", "id", "phone", "phone_public")
PAPERS = ("A4", "A3")  # sizes: app.io.notice_pdf.PAPER_SIZES
MARKER = "VillageDesk-notice"
# the marker in the Keywords, and the stamp printed in every page footer (read without white space)
_MARKER_RE = re.compile(r"VillageDesk-notice:([0-9]{4}-[0-9]+):([0-9A-F]{8})")
_STAMP_RE = re.compile(r"公示编号([0-9]{4}-[0-9]+)校验码([0-9A-F]{8})")
CODE_VERSION = 2  # what the 校验码 covers: 1 title, period, table; 2 everything printed (notice_code)
CN_ORDINALS = "一二三四五六七八九十"


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
    issuer: str  # joint issuers (党组织 and 村委会) separated by a full-width space 「　」
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
    period_workdays: int = 0  # the 公示期 in 工作日 when it is counted so; 0: calendar days
    empty_text: str = "（本期无公示对象）"
    author: str = ""  # PDF metadata
    code_version: int = CODE_VERSION  # an archived notice keeps the definition it was printed with
    dense: bool = False  # tighter table cells: a long one-line-a-row list (95 households on 4 pages)


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
    # free text (an address, a note) may carry a phone or an ID: hidden too; phone_public is on purpose
    return text if kind == "phone_public" else mask_free_text(text)


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


def notice_code(doc: NoticeDocument, rows: Sequence[Sequence[str]]) -> str:
    """The 校验码 printed on the notice, by the document's code_version.

    Version 1 (notices printed before) covers the title, the period and the table. Version 2 covers
    everything a reader sees: also the 公示编号, body, issuer, 成文日期 and the objection contact, so a
    code copied from another notice, or a changed phone number, no longer matches.
    """
    if doc.code_version == 1:
        return content_code(doc.title, doc.period_start, doc.period_end, doc.columns, rows)
    if doc.code_version != 2:
        raise ValueError(f"unknown notice code version {doc.code_version!r}")
    payload = json.dumps(
        {"v": 2, "number": doc.number, "title": doc.title, "body": doc.body, "start": doc.period_start.isoformat(),
         "end": doc.period_end.isoformat(), "workdays": doc.period_workdays,
         "columns": [c.to_json() for c in doc.columns], "rows": [list(r) for r in rows], "issuer": doc.issuer,
         "issued_on": doc.issued_on.isoformat(), "contact_person": doc.contact_person,
         "contact_phone": doc.contact_phone, "objection_box": doc.objection_box, "objection_to": doc.objection_to,
         "objection_text": doc.objection_text, "group_counter": doc.group_counter},
        ensure_ascii=False, sort_keys=True, separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:8].upper()


def cn_date(d: date) -> str:
    """2026年11月23日 (Arabic numerals, as GB/T 9704-2012 writes 成文日期)."""
    return f"{d.year}年{d.month}月{d.day}日"


def period_sentence(start: date, end: date, workdays: int = 0) -> str:
    """公示期：2026年12月3日至2026年12月9日（5个工作日）, or （共7天） when counted in calendar days."""
    count = f"{workdays}个工作日" if workdays else f"共{(end - start).days + 1}天"
    return f"公示期：{cn_date(start)}至{cn_date(end)}（{count}）"


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclass(frozen=True)
class NoticeMarker:
    """What a PDF says about itself: (公示编号, 校验码) from its Keywords and from its page footers."""

    keywords: tuple[str, str] | None
    stamps: tuple[tuple[str, str], ...]  # distinct footer stamps, in page order

    @property
    def claimed(self) -> tuple[str, str] | None:
        """The notice the file claims to be: the Keywords, or (re-saved without metadata) the footer."""
        return self.keywords or (self.stamps[0] if self.stamps else None)

    @property
    def consistent(self) -> bool:
        """Keywords and every footer name the same notice and code."""
        return len(set(self.stamps) | ({self.keywords} if self.keywords else set())) <= 1


def flat_text(text: str) -> str:
    """Text without any white space (PDF text extraction breaks lines and cells where the layout did)."""
    return "".join(text.split())


def find_marker(keywords: str, pages: Sequence[str]) -> NoticeMarker:
    """The marker in a PDF's Keywords metadata and its pages' text (as a PDF parser read them).

    Parsed text, not bytes: another PDF program re-saving the file may write the Keywords as a
    hex or octal-escaped string, or drop the metadata; the footer stamp stays on every page.
    """
    m = _MARKER_RE.search(keywords or "")
    stamps = [(s.group(1), s.group(2)) for page in pages for s in _STAMP_RE.finditer(flat_text(page))]
    return NoticeMarker((m.group(1), m.group(2)) if m else None, tuple(dict.fromkeys(stamps)))


def read_marker(path: Path) -> tuple[str, str] | None:
    """(公示编号, 校验码) a notice PDF claims, or None when it carries none or is no readable PDF."""
    from .pdf_pages import read_text

    try:
        keywords, pages = read_text(path)
    except ServiceError:
        return None
    return find_marker(keywords, pages).claimed


def render_notice(doc: NoticeDocument, path: Path) -> RenderedNotice:
    """Render the notice to path (atomically) and return what was printed and the file's sha256."""
    if doc.paper not in PAPERS:
        raise ValueError(f"unknown paper {doc.paper!r}")
    from .notice_pdf import render_pdf

    return render_pdf(doc, path)
