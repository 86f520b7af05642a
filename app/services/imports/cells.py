"""A row's cells as values: text, 身份证号, dates, the person fields it fills in, in-file duplicates."""

from __future__ import annotations

from datetime import date
from typing import Any

from app.io.excel_import import cell_text

from ..errors import ValidationError
from ..validation import InvalidValue, Problems, check_id_number, parse_sheet_date
from .fields import CELL_MAX, KIND_FIELDS, fields_of, norm_education, norm_ethnicity, norm_gender
from .state import RunState, Values

# ---------------------------------------------------------------- cell values


_SHORTEST_LIMIT = min(spec.max_len or CELL_MAX for specs in KIND_FIELDS.values() for spec in specs)


def refuse_long_cells(kind: str, values: Values) -> None:
    """A row with a cell far longer than its field can hold fails here, before any per-cell work: 拼音,
    NFKC and patterns on a 1,000,000-character cell would cost minutes (the row's other checks wait)."""
    if all(type(v) is not str or len(v) <= _SHORTEST_LIMIT for v in values.values()):
        return  # the usual row: no cell reaches even the shortest limit
    p = Problems()
    for spec in fields_of(kind):
        value = values.get(spec.key)
        limit = spec.max_len or CELL_MAX
        if type(value) is str and len(value) > limit:
            p.add(spec.key, spec.label, f"最多{limit}个字，现在是{len(value)}个")  # as Problems.text says it
    p.raise_if_any()


def text(values: Values, key: str) -> str:
    value = values.get(key)
    return (value if type(value) is str else cell_text(value)).strip()  # str: most cells, asked ~15 times a row


def id_cell(values: Values) -> object:
    """The 身份证号 as given; a number cell stays a float so the check says Excel lost its digits."""
    raw = values.get("id_number")
    if isinstance(raw, int) and not isinstance(raw, bool):
        return float(raw)
    return raw


def id_number_of(values: Values) -> str | None:
    raw = id_cell(values)
    if raw is None or raw == "":
        return None
    try:
        return check_id_number(raw).number
    except InvalidValue:
        return None


def sheet_date(p: Problems, values: Values, key: str, label: str) -> date | None:
    try:
        parsed = parse_sheet_date(values.get(key))
    except InvalidValue as e:
        p.add(key, label, str(e))
        return None
    return parsed.value if parsed else None


def birth_date(p: Problems, values: Values) -> date | None:
    """出生日期; a month-only 出生年月 that agrees with the 身份证号 defers to the ID's full date."""
    try:
        parsed = parse_sheet_date(values.get("birth_date"))
    except InvalidValue as e:
        p.add("birth_date", "出生日期", str(e))
        return None
    if parsed is None or not parsed.month_only:
        return parsed.value if parsed else None
    number = id_number_of(values)
    if number is None:
        return parsed.value
    from_id = check_id_number(number).birth_date
    if (from_id.year, from_id.month) != (parsed.value.year, parsed.value.month):
        p.add("birth_date", "出生日期", f"与身份证号不符：身份证号上的出生日期是 {from_id.isoformat()}")
    return None


def check_in_file_duplicate(state: RunState, row: int, values: Values, p: Problems) -> None:
    number = id_number_of(values)
    if number is None:
        return
    first = state.seen_ids.setdefault(number, row)
    if first != row:
        p.add("id_number", "身份证号", f"与第 {first} 行的身份证号相同（表中重复）")


def _person_overlay(p: Problems, values: Values) -> dict[str, Any]:
    """The person fields the row fills in (empty cells leave the stored value alone on update)."""
    out: dict[str, Any] = {}
    if name := text(values, "name"):
        out["name"] = name
    raw = id_cell(values)
    if raw is not None and raw != "":
        out["id_number"] = raw
    for key, norm in (("gender", norm_gender), ("ethnicity", norm_ethnicity), ("education", norm_education)):
        if word := text(values, key):
            out[key] = norm(word)
    if phone := text(values, "phone"):
        out["phone"] = phone if not isinstance(values.get("phone"), float) else cell_text(values["phone"])
    birth = birth_date(p, values)
    if birth is not None:
        out["birth_date"] = birth
    if note := text(values, "note"):
        out["note"] = note
    return out


def _merge(p: Problems, exc: ValidationError) -> None:
    for problem in exc.problems:
        p.add(problem.field, problem.label, problem.message)
