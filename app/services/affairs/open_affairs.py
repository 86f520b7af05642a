"""村务公开: a general 公示 (Notice kind "open-affairs") whose table is any sheet the clerk picks —
财务收支, a project's spending, the 低保 list — under a title of the clerk's choice.

The workbook is read by the importer's bounded reader (app.io.excel_import.read_table: the same size,
zip and sheet limits and the same Chinese messages as an import), the first row with content is the
header, blank rows and trailing blank columns are dropped. Masking is the notice engine's: a column
whose header names a 身份证号 is masked as one, a 电话/手机/联系方式 column as a phone, every other
cell as free text (an ID or a mobile typed inside a note is masked too).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from app.io.excel_import import read_table
from app.io.notices import NoticeColumn

from ..errors import FieldProblem, ValidationError
from ..notices.archive import (
    TEMPLATE_KEY,
    NoticeDraft,
    NoticeInfo,
    committee_name,
    fill_template,
    party_issuer,
    publish_draft,
)
from ..settings import get_setting
from ..units import get_unit
from ..validation import Problems

KIND = "open-affairs"
DEFAULT_TEMPLATE = "根据村务公开有关规定，现将“{标题}”予以公开，接受群众监督。"
MAX_COLUMNS = 12  # an A4/A3 notice stays readable; a wider sheet is split by the clerk
MAX_ROWS = 2000  # a 公示栏 of 40-odd pages is already more than anyone reads
ID_WORDS = ("身份证", "证件号")
PHONE_WORDS = ("电话", "手机", "联系方式")


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M") if (value.hour, value.minute) != (0, 0) else value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.10g}"  # Excel's 0.30000000000000004 → 0.3
    return " ".join(str(value).split())


# an amount or a date: kept on one line (a wrapped 12500 read as 1250 / 0); still masked as text
_FIGURE = re.compile(r"[-+]?[\d,]+(\.\d+)?%?|\d{4}[-./年]\d{1,2}([-./月]\d{1,2}日?)?")


def _column_kind(header: str, values: list[str]) -> str:
    if any(w in header for w in ID_WORDS):
        return "id"
    if any(w in header for w in PHONE_WORDS):
        return "phone"
    filled = [v for v in values if v]
    if filled and all(len(v) <= 16 and _FIGURE.fullmatch(v) for v in filled):
        return "short"
    return "text"


def _read(path: Path) -> tuple[list[NoticeColumn], list[list[object]]]:
    table = read_table(path)  # UnreadableFile (a ServiceError) says in Chinese what is wrong with the file
    rows = [[_text(v) for v in r] for r in table.rows]
    rows = [r for r in rows if any(r)]
    if not rows:
        raise _refused(table.file_name, "工作表是空的，没有可公开的内容。")
    width = max(max((i + 1 for i, v in enumerate(r) if v), default=0) for r in rows)
    header, body = rows[0], rows[1:]
    if width > MAX_COLUMNS:
        raise _refused(table.file_name, f"有 {width} 列，公示最多 {MAX_COLUMNS} 列；请删去不需要公开的列，"
                                        "或分成几张表分别公开。")
    if not body:
        raise _refused(table.file_name, "只有表头（第 1 行），没有数据行。第一行应为表头，下面是要公开的内容。")
    if len(body) > MAX_ROWS:
        raise _refused(table.file_name, f"有 {len(body)} 行数据，一份公示最多 {MAX_ROWS} 行；请分成几份公开。")
    header = (header + [""] * width)[:width]
    body = [(r + [""] * width)[:width] for r in body]
    columns = [NoticeColumn(h or f"第{i + 1}列", _column_kind(h, [r[i] for r in body]))
               for i, h in enumerate(header)]
    return columns, body


def _refused(name: str, why: str) -> ValidationError:
    return ValidationError([FieldProblem("table_path", "公开表格", f"“{name}”{why}")])


def publish_open_affairs(
    s: Session, unit_id: int, table_path: Path, title: str, out_path: Path, paper: str = "A4",
    start: date | None = None, days: int | None = None, workdays: bool | None = None,
    issued_on: date | None = None, body: str = "",
) -> NoticeInfo:
    """Read the clerk's sheet, make it a 村务公开 公示 titled `title`, print and archive it."""
    p = Problems()
    title = p.text("title", "公示标题", title, required=True, max_len=100)
    body = p.text("body", "公示正文", body, max_len=2000)
    p.raise_if_any()
    columns, rows = _read(Path(table_path))
    unit = get_unit(s, unit_id)
    issuer = f"{party_issuer(s, unit)}　{committee_name(unit)}"
    template = str(get_setting(s, unit_id, TEMPLATE_KEY.format(kind=KIND), DEFAULT_TEMPLATE) or DEFAULT_TEMPLATE)
    on = issued_on or start or date.today()
    draft = NoticeDraft(
        kind=KIND, year=on.year, title=title,
        body=body or fill_template(template, {"标题": title, "村名": unit.name, "年度": str(on.year)}),
        columns=columns, rows=rows, issuer=issuer, objection_to=committee_name(unit), group_counter="条",
        source_ref=f"open-affairs:{Path(table_path).name}",
    )
    return publish_draft(s, unit_id, draft, Path(out_path), paper, start, days, workdays, issued_on)
