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

from .masking import mask_free_text, mask_id_number, mask_name, mask_phone

NoticeColumnKind = Literal[
    "text", "int", "date", "month", "id", "phone", "phone_public", "name", "name_sensitive", "group"
]
COLUMN_KINDS: tuple[str, ...] = (
    "text", "int", "date", "month", "id", "phone", "phone_public", "name", "name_sensitive", "group",
)
NO_WRAP_KINDS = ("int", "date", "month", "id", "phone", "phone_public")
PAPERS = ("A4", "A3")  # sizes: app.io.notice_pdf.PAPER_SIZES
MARKER = "VillageDesk-notice"
_MARKER_RE = re.compile(rb"VillageDesk-notice:([0-9]{4}-[0-9]+):([0-9A-F]{8})")
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
    period_workdays: int = 0  # the 公示期 in 工作日 when it is counted so; 0: calendar days
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


def read_marker(path: Path) -> tuple[str, str] | None:
    """(公示编号, 校验码) from a notice PDF's Keywords, or None when the file carries none."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    m = _MARKER_RE.search(data)
    return (m.group(1).decode(), m.group(2).decode()) if m else None


def render_notice(doc: NoticeDocument, path: Path) -> RenderedNotice:
    """Render the notice to path (atomically) and return what was printed and the file's sha256."""
    if doc.paper not in PAPERS:
        raise ValueError(f"unknown paper {doc.paper!r}")
    from .notice_pdf import render_pdf

    return render_pdf(doc, path)
