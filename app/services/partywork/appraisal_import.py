"""民主评议 counts from a sheet (导入测评表): the grid's columns, one row per member, read through the
bounded reader (app.io.excel_import.read_table). A header row names the columns (姓名, 身份证号 optional,
自评, 互评优秀 … 互评不合格, 测评优秀 … 测评不合格; 民主测评优秀 and 互评-优秀 are read alike). A member is
found by 身份证号 when the column is there, else by 姓名 among those taking part. Every problem names its
row and column; one problem and nothing is written (save_counts checks the whole set again).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.io.excel_import import Cell, cell_text, find_header_row, header_key, match_header, read_table
from app.io.sheet_read import col_letters
from app.models import PartyMember, Resident

from .. import access
from ..errors import FieldProblem, ValidationError
from .appraisal import DEMOCRATIC, GRADES, MUTUAL, CountInput, _members, _round, save_counts

NAME, ID, SELF_COL = "name", "id_number", "self_grade"
HEADERS: dict[str, str] = {"姓名": NAME, "党员姓名": NAME, "身份证号": ID, "身份证号码": ID, "自评": SELF_COL,
                           "自评等次": SELF_COL}
LABELS: dict[str, str] = {NAME: "姓名", ID: "身份证号", SELF_COL: "自评"}
for _grade in GRADES:
    for _prefix, _source in (("互评", MUTUAL), ("测评", DEMOCRATIC), ("民主测评", DEMOCRATIC)):
        HEADERS[f"{_prefix}{_grade}"] = f"{_source}:{_grade}"
    LABELS[f"{MUTUAL}:{_grade}"] = f"互评{_grade}"
    LABELS[f"{DEMOCRATIC}:{_grade}"] = f"民主测评{_grade}"
_KEYS = {header_key(k): v for k, v in HEADERS.items()}
MAX_VOTES = 100_000  # more ballots than any branch hands out: a typing slip


def _match(value: object) -> str | None:
    return match_header(value, _KEYS)


def _votes(value: Cell) -> int | str:
    """The count in a cell (empty → 0), or what is wrong with it."""
    text = cell_text(value).strip()
    if isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif text == "":
        return 0
    elif text.isdigit():
        number = int(text)
    else:
        return f"应为不小于 0 的整数，现在是“{text[:20]}”"
    if number < 0:
        return f"不能是负数（{number}）"
    return number if number <= MAX_VOTES else f"票数 {number} 不合理"


def import_counts(s: Session, round_id: int, path: Path | str) -> int:
    """Read the sheet and store its counts; returns the number of members whose counts changed."""
    access.require_role(s, *access.ENTRY_ROLES, action="导入民主评议测评表")
    r = _round(s, round_id)
    table = read_table(Path(path))  # UnreadableFile (Chinese) for a file that is no table
    header, found = find_header_row(table.rows, _match)
    columns: dict[str, int] = {}
    for i, cell in enumerate(table.row(header)):
        key = _match(cell)
        if key and key not in columns:
            columns[key] = i
    if NAME not in columns or found < 2:
        raise ValidationError([FieldProblem("file", "测评表", f"“{table.file_name}”中找不到表头（至少要有“姓名”和票数列，"
                                                            "如 互评优秀、测评不合格）", header + 1)])
    members = _members(s, r)
    by_name: dict[str, list[int]] = {}
    for m in members:
        by_name.setdefault(m.name, []).append(m.id)
    ids = dict(s.execute(select(Resident.id_number, PartyMember.id).join(
        PartyMember, PartyMember.resident_id == Resident.id).where(PartyMember.id.in_([m.id for m in members]))).all())
    problems: list[FieldProblem] = []
    rows: dict[int, CountInput] = {}

    def where(col: str) -> str:
        return f"{LABELS[col]}（{col_letters(columns[col] + 1)}列）"

    for index in range(header + 1, len(table.rows)):
        cells = table.row(index)
        line = index + 1

        def cell(col: str, cells: list[Cell] = cells) -> Cell:
            i = columns.get(col)
            return cells[i] if i is not None and i < len(cells) else None

        if not any(cell_text(c).strip() for c in cells):
            continue
        name = cell_text(cell(NAME)).strip()
        id_number = cell_text(cell(ID)).strip().upper() if ID in columns else ""
        member_id = ids.get(id_number) if id_number else None
        if member_id is None:
            found_ids = by_name.get(name, [])
            if id_number:
                problems.append(FieldProblem(ID, where(ID), f"{name or '该行'}不在本次评议的党员名单中", line))
                continue
            if len(found_ids) != 1:
                why = "有同名党员，请加一列身份证号" if found_ids else "不在本次评议的党员名单中"
                problems.append(FieldProblem(NAME, where(NAME), f"“{name}”{why}", line))
                continue
            member_id = found_ids[0]
        if member_id in rows:
            problems.append(FieldProblem(NAME, where(NAME), f"“{name}”在表中出现了两次", line))
            continue
        self_grade = cell_text(cell(SELF_COL)).strip() if SELF_COL in columns else ""
        if self_grade and self_grade not in GRADES:
            problems.append(FieldProblem(SELF_COL, where(SELF_COL),
                                         f"“{self_grade[:20]}”不是可选项（可选：{'、'.join(GRADES)}）", line))
        counts: dict[str, list[int]] = {MUTUAL: [], DEMOCRATIC: []}
        for source in (MUTUAL, DEMOCRATIC):
            for grade in GRADES:
                col = f"{source}:{grade}"
                v = _votes(cell(col)) if col in columns else 0
                if isinstance(v, str):
                    problems.append(FieldProblem(col, where(col), v, line))
                    v = 0
                counts[source].append(v)
        if sum(counts[DEMOCRATIC]) > r.voters:
            problems.append(FieldProblem(DEMOCRATIC, f"{name}的民主测评", f"四项票数合计 {sum(counts[DEMOCRATIC])} 张，"
                                                                       f"超过发出的测评票 {r.voters} 张", line))
        rows[member_id] = CountInput(member_id, self_grade or None, counts[MUTUAL], counts[DEMOCRATIC])
    if problems:
        raise ValidationError(problems)
    if not rows:
        raise ValidationError([FieldProblem("file", "测评表", f"“{table.file_name}”表头下面没有党员的票数", header + 1)])
    return save_counts(s, r.id, list(rows.values()))
