"""Sheet dates in every Chinese form, and a property test: random cells never crash the checker."""

from __future__ import annotations

import string
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.db import Database
from app.io.excel_import import SheetTable
from app.services.imports import flow as imports
from app.services.units import current_unit_id
from app.services.validation import InvalidValue, parse_sheet_date


@pytest.mark.parametrize(("value", "expected", "month_only"), [
    ("2023-5-1", date(2023, 5, 1), False),
    ("2023/05/01", date(2023, 5, 1), False),
    ("2023.5.1", date(2023, 5, 1), False),
    ("2023年5月1日", date(2023, 5, 1), False),
    ("２０２３．５．１", date(2023, 5, 1), False),
    ("2023-05-01 00:00:00", date(2023, 5, 1), False),
    ("20230501", date(2023, 5, 1), False),
    (20230501, date(2023, 5, 1), False),
    (45047, date(2023, 5, 1), False),  # Excel serial
    (45047.75, date(2023, 5, 1), False),
    ("45047", date(2023, 5, 1), False),  # a serial that came through CSV
    ("202305", date(2023, 5, 1), True),
    (202305, date(2023, 5, 1), True),
    ("2023年5月", date(2023, 5, 1), True),
    ("2023.5", date(2023, 5, 1), True),
    (datetime(2023, 5, 1, 8, 30), date(2023, 5, 1), False),
    (date(2023, 5, 1), date(2023, 5, 1), False),
])
def test_sheet_date_forms(value: object, expected: date, month_only: bool) -> None:
    parsed = parse_sheet_date(value)
    assert parsed is not None and parsed.value == expected and parsed.month_only is month_only


@pytest.mark.parametrize("value", [None, "", "   "])
def test_empty_is_none(value: object) -> None:
    assert parse_sheet_date(value) is None


@pytest.mark.parametrize(("value", "message"), [
    ("2023-2-30", "不存在"), ("2023-13-01", "不存在"), ("昨天", "不是日期"), (1e12, "不是日期"),
    ("1700.1.1", "不合理"), (True, "不是日期"), (float("nan"), "不是有效的数字"),
])
def test_bad_dates_say_why(value: object, message: str) -> None:
    with pytest.raises(InvalidValue, match=message):
        parse_sheet_date(value)


cells = st.one_of(
    st.none(), st.text(max_size=30), st.text(alphabet=string.digits + ".-/年月日Ee+X", max_size=20),
    st.integers(min_value=-10**20, max_value=10**20), st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(), st.dates(), st.datetimes(),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(cells, min_size=1, max_size=12), min_size=1, max_size=6),
       st.sampled_from(imports.IMPORT_KINDS))
def test_random_cells_never_crash_the_checker(demo_db: Database, rows: list[list[object]], kind: str) -> None:
    header = [f.label for f in imports.fields_of(kind)]
    table = SheetTable("随机.xlsx", "Sheet1", "xlsx", [header, *rows], "0" * 64)  # type: ignore[list-item]
    with demo_db.session() as s:
        unit_id = current_unit_id(s)
        assert unit_id is not None
        layout = imports.detect_layout(s, unit_id, kind, table)
        report = imports.check_import(s, unit_id, kind, table, layout)
    assert len(report.outcomes) <= len(rows)
    for o in report.outcomes:
        assert o.action in imports.ACTIONS
        if o.action == "error":
            assert o.problems and all(p.row == o.row and p.message for p in o.problems)


def test_parse_sheet_date_never_raises_anything_but_invalid_value() -> None:
    @given(cells)
    @settings(max_examples=300, deadline=None)
    def inner(value: object) -> None:
        try:
            parse_sheet_date(value)
        except InvalidValue:
            pass

    inner()


def test_five_thousand_rows(demo_db: Database, tmp_path: Path) -> None:
    """A big office sheet imports in one batch (time is measured by the benchmark, not asserted)."""
    from tests import import_files as F

    rows: list[list[object]] = [list(F.RESIDENT_HEADER)]
    for i in range(5000):
        born = date(1950 + i % 50, 1 + i % 12, 1 + i % 28)
        rows.append([i + 1, f"测试{i}", F.person_id(born.year, born.month, born.day, i % 1000), "", born.isoformat(),
                     "汉族", "", "", "", ""])
    path = F.write_xlsx(tmp_path / "big.xlsx", rows, title="五千人")
    from app.io.excel_import import read_table

    table = read_table(path)
    with demo_db.session() as s:
        unit_id = current_unit_id(s)
        assert unit_id is not None
        layout = imports.detect_layout(s, unit_id, "residents", table)
        result = imports.run_import(s, unit_id, "residents", table, layout)
    assert result.report.counts["new"] == 5000
