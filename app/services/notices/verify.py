"""Checking a 公示 PDF against the archive: the very file, a reprint, a copy another program re-saved,
or a changed one — and where it changed.

The file is read with a PDF parser (PDFium, app.io.pdf_pages.read_text), never searched as bytes:
another program may write the Keywords hex- or octal-escaped, or drop them; the 公示编号 and 校验码
printed in every page footer stay. Outcomes:

- match: the bytes are the archived file's (or a reprint's the archive remembers).
- resaved: the file names an archived notice, carries that notice's 校验码 (the code the archive
  printed, by the code definition of its time), and its text holds the archived content in order:
  「内容与存档一致（文件经其他软件另存）」.
- modified: it names an archived notice, but the 校验码 is not that notice's, the footers disagree,
  or the text differs — the message says where (第 N 行 …).
- unknown: it names no archived notice.

Comparing text needs no re-rendering (so a file printed by an older version still compares): PDFium
gives a page's text in content order, and the notice engine draws a table row cell after cell, so
with white space taken out a row reads 序号 + its cells side by side. The archive's content is looked
for in that order — title, body paragraphs, each group's heading with its count, every row — and
the period, contact, issuer and date after the table. Between two rows only a page break may stand
(footer, running title, the repeated header row), so a changed figure or an added row is found.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.io.notices import (
    NoticeDocument,
    cn_date,
    file_sha256,
    find_marker,
    flat_text,
    notice_code,
    public_rows,
)
from app.io.pdf_pages import read_text
from app.models import Notice

from ..errors import ServiceError
from .archive import CODE_KEY, REPRINTS, NoticeRow, archived_document, get_notice, notice_number

log = logging.getLogger(__name__)

MATCH, RESAVED, MODIFIED, UNKNOWN = "match", "resaved", "modified", "unknown"
NOT_ARCHIVED = "存档中没有与该文件一致的公示。"
ORDINAL_ROOM = "十一、"  # a group heading's ordinal
PAGE_BREAK_ROOM = 200  # characters a page break may put between two rows, besides running title and header


@dataclass(frozen=True)
class VerifyResult:
    status: str  # match | resaved | modified | unknown
    sha256: str
    notice: NoticeRow | None
    message: str  # Chinese, for the user

    @property
    def ok(self) -> bool:
        """The file shows what the archive holds (the same bytes, or the same content re-saved)."""
        return self.status in (MATCH, RESAVED)


def archived_code(notice: Notice) -> str:
    """The 校验码 printed on the notice: stored since code version 2, recomputed for older notices."""
    meta = notice.meta if isinstance(notice.meta, dict) else {}
    if meta.get(CODE_KEY):
        return str(meta[CODE_KEY])
    doc = archived_document(notice)
    return notice_code(doc, public_rows(doc.columns, doc.rows))


def _named_notice(s: Session, number: str) -> Notice | None:
    """The archived notice whose 公示编号 is `number` (year and id must both agree)."""
    try:
        notice_id = int(number.split("-", 1)[1])
    except (IndexError, ValueError):
        return None
    notice = s.get(Notice, notice_id)
    if notice is None:
        return None
    issued = notice.issued_on or notice.created_at.date()
    return notice if notice_number(notice.id, issued) == number else None


def verify_pdf(s: Session, path: Path, today: date | None = None) -> VerifyResult:
    """Does this file show an archived notice, unchanged? See the module docstring for the outcomes."""
    path = Path(path)
    if not path.is_file():
        raise ServiceError(f"找不到文件：{path}")
    sha = file_sha256(path)
    found = s.scalar(select(Notice).where(Notice.pdf_sha256 == sha).order_by(Notice.id).limit(1))
    if found is not None:
        row = get_notice(s, found.id, today)
        return VerifyResult(MATCH, sha, row, f"文件与存档公示一致：{row.number}《{row.title}》")
    try:
        keywords, pages = read_text(path)
    except ServiceError as exc:
        log.info("verify %s: not a readable PDF (%s)", path, exc)
        return VerifyResult(UNKNOWN, sha, None, NOT_ARCHIVED + "（文件无法作为 PDF 读取）")
    marker = find_marker(keywords, pages)
    if marker.claimed is None:
        return VerifyResult(UNKNOWN, sha, None, NOT_ARCHIVED + "（文件中没有公示编号和校验码）")
    number, code = marker.claimed
    notice = _named_notice(s, number)
    if notice is None:
        return VerifyResult(UNKNOWN, sha, None, f"文件标注的公示编号 {number} 在存档中找不到。{NOT_ARCHIVED}")
    row = get_notice(s, notice.id, today)
    name = f"{row.number}《{row.title}》"
    meta = notice.meta if isinstance(notice.meta, dict) else {}
    if sha in meta.get(REPRINTS, []):
        return VerifyResult(MATCH, sha, row, f"文件与存档公示一致（重新生成的文件）：{name}")
    if not marker.consistent:
        shown = "、".join(f"{n} {c}" for n, c in dict.fromkeys(
            ([marker.keywords] if marker.keywords else []) + list(marker.stamps)))
        return VerifyResult(MODIFIED, sha, row, f"文件中的公示编号和校验码前后不一（{shown}），可能被改动过。")
    expected = archived_code(notice)
    if code != expected:
        log.info("verify %s: code %s, archived notice %s has %s", path, code, number, expected)
        return VerifyResult(MODIFIED, sha, row, (
            f"文件自称公示 {name}，但所印校验码 {code} 不是这份公示的（存档校验码 {expected}）："
            "文件可能被改动过，或把别的公示标成了这一份。"))
    difference = content_difference(archived_document(notice), pages)
    if difference is not None:
        log.info("verify %s: text differs from notice %s: %s", path, number, difference)
        return VerifyResult(MODIFIED, sha, row, f"文件自称公示 {name}（校验码 {code}），内容与存档不一致：{difference}")
    return VerifyResult(RESAVED, sha, row, f"{name}：内容与存档一致（文件经其他软件另存）。")


# ---------------------------------------------------------------- comparing the text


def _page_break(gap: str, allowed: int) -> bool:
    """May this text stand between two parts of the table? A few characters (an ordinal), or a page's
    end: the footer carries the 公示编号 stamp on every page."""
    return len(gap) <= allowed or "公示编号" in gap


def _short(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def content_difference(doc: NoticeDocument, pages: Sequence[str]) -> str | None:
    """Where the pages' text departs from the archived notice (Chinese, 第 N 行 …), or None."""
    text = "".join(flat_text(p) for p in pages)
    title = flat_text(doc.title)
    pos = text.find(title, 0, len(title) + PAGE_BREAK_ROOM)
    if not title or pos < 0:
        return f"标题不是「{doc.title}」"
    pos += len(title)
    for n, line in enumerate((x for x in doc.body.splitlines() if x.strip()), 1):
        if not text.startswith(flat_text(line), pos):  # paragraphs follow the title and each other
            return f"正文第 {n} 段与存档不同（存档为「{_short(line.strip())}」）"
        pos += len(flat_text(line))
    pos, difference = _table_difference(doc, text, pos)
    if difference is not None:
        return difference
    tail = text[pos:]
    closing = [("公示期开始日期", cn_date(doc.period_start)), ("公示期结束日期", cn_date(doc.period_end)),
               ("联系人", doc.contact_person), ("联系电话", doc.contact_phone), ("意见箱", doc.objection_box),
               ("异议说明", doc.objection_text)]
    closing += [("发文单位", part) for part in doc.issuer.split()]
    for label, value in closing:
        if flat_text(value) not in tail:
            return f"表格之后找不到{label}「{_short(value)}」"
    # the 成文日期 stands under the issuer (named earlier too, in the objection sentence: take the last)
    signed = tail.rfind(flat_text(doc.issuer.split()[-1])) if doc.issuer.strip() else 0
    if flat_text(cn_date(doc.issued_on)) not in tail[signed:]:
        return f"发文单位之后找不到成文日期「{cn_date(doc.issued_on)}」"
    return None


def _table_difference(doc: NoticeDocument, text: str, pos: int) -> tuple[int, str | None]:
    """Walk the archived rows through the text from pos: (where the table ends, the first difference)."""
    rows = public_rows(doc.columns, doc.rows)
    if not rows:
        at = text.find(flat_text(doc.empty_text), pos)
        return (at, None) if at >= 0 else (pos, f"找不到「{doc.empty_text}」")
    group_at = next((i for i, c in enumerate(doc.columns) if c.kind == "group"), None)
    shown = [i for i, c in enumerate(doc.columns) if c.kind != "group"]
    header = flat_text(("序号" if doc.numbered else "") + "".join(doc.columns[i].header for i in shown))
    room = len(flat_text(doc.title)) + len(header) + PAGE_BREAK_ROOM
    sizes: dict[str, int] = {}
    for row in rows:
        key = row[group_at] if group_at is not None else ""
        sizes[key] = sizes.get(key, 0) + 1
    key: str | None = None
    n = 0
    for row in rows:
        if group_at is not None and row[group_at] != key:
            key, n = row[group_at], 0
            heading = flat_text(f"{key}（{sizes[key]}{doc.group_counter}）")
            at = text.find(heading, pos, pos + len(heading) + room)
            if at < 0 or not _page_break(text[pos:at], len(ORDINAL_ROOM)):  # only 一、 or a page break before it
                return pos, f"找不到“{key}”一组的标题（存档为{sizes[key]}{doc.group_counter}）"
            pos = at + len(heading)
        n += 1
        where = f"第 {n} 行（{key}）" if key else f"第 {n} 行"
        first = str(n) if doc.numbered else flat_text(row[shown[0]])
        if not text.startswith(first, pos):  # the header row stands before it: the first, or a new page
            at = text.find(header, pos, pos + room)
            if at >= 0 and _page_break(text[pos:at], 0 if n > 1 or key else len(ORDINAL_ROOM)):
                pos = at + len(header)
        if doc.numbered:
            if not text.startswith(first, pos):
                return pos, f"{where}：序号应为 {n}，文件中为「{_short(text[pos:pos + 12], 12)}」"
            pos += len(first)
        for i in shown:
            value = flat_text(row[i])
            if not text.startswith(value, pos):
                got = text[pos:pos + max(len(value), 4) + 2]
                return pos, f"{where}“{doc.columns[i].header}”：存档为「{row[i]}」，文件中为「{got}」"
            pos += len(value)
    return pos, None
