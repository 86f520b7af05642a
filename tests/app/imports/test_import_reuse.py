"""The import after a check takes the check's rows, unless the file, the options or what the rows read
from the database changed since: then every row is checked again (imports._Checked)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.io.excel_import import SheetTable, read_table
from app.models import Household, Resident
from app.services.imports import flow as imports
from app.services.imports.flow import ImportOptions, ImportRefused
from app.services.people import residents as people
from tests import import_files as F

COMPARED = [c.key for c in Resident.__table__.columns if c.key not in ("id", "import_batch_id", "created_at", "updated_at")]


@pytest.fixture
def handled(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The file rows the residents handler was asked about (none when the import takes the check's rows)."""
    rows: list[int] = []
    real = imports.HANDLERS["residents"]

    def counting(state: Any, row: int, values: Any) -> Any:
        rows.append(row)
        return real(state, row, values)

    monkeypatch.setitem(imports.HANDLERS, "residents", counting)
    return rows


def _table(tmp_path: Path, rows: list[list[object]] | None = None) -> SheetTable:
    return read_table(F.write_xlsx(tmp_path / "r.xlsx", rows or F.resident_rows()))


def _check(s: Session, uid: int, table: SheetTable, **opts: Any) -> tuple[imports.Layout, imports.ImportReport]:
    layout = imports.detect_layout(s, uid, "residents", table)
    return layout, imports.check_import(s, uid, "residents", table, layout, ImportOptions(**opts))


def _imported(s: Session, batch_id: int) -> list[tuple[Any, ...]]:
    s.expire_all()
    found = s.scalars(select(Resident).where(Resident.import_batch_id == batch_id).order_by(Resident.id))
    return [tuple(getattr(r, k) for k in COMPARED) for r in found]


def test_import_after_check_takes_its_rows_and_writes_the_same(
    s: Session, uid: int, tmp_path: Path, handled: list[int],
) -> None:
    table = _table(tmp_path)
    layout, report = _check(s, uid, table)
    assert len(handled) == 5
    result = imports.run_import(s, uid, "residents", table, layout)
    assert len(handled) == 5  # not asked again
    assert result.report.counts == report.counts == {"new": 5, "update": 0, "skip": 0, "error": 0}
    taken = _imported(s, result.batch_id)
    assert imports.undo_import(s, result.batch_id, "再导一次") == {"resident": 5, "restored": 0}
    again = imports.run_import(s, uid, "residents", _table(tmp_path), layout)  # no check before it: every row
    assert len(handled) == 10
    assert _imported(s, again.batch_id) == taken


def test_changed_table_or_options_are_checked_again(s: Session, uid: int, tmp_path: Path, handled: list[int]) -> None:
    table = _table(tmp_path)
    layout, _ = _check(s, uid, table)
    table.rows[-1][1] = "赵老五"
    result = imports.run_import(s, uid, "residents", table, layout)
    assert len(handled) == 10
    assert "赵老五" in [r[COMPARED.index("name")] for r in _imported(s, result.batch_id)]
    imports.undo_import(s, result.batch_id, "再导一次")
    layout, _ = _check(s, uid, table)
    imports.run_import(s, uid, "residents", table, layout, ImportOptions(skip_errors=True))
    assert len(handled) == 20


def test_a_person_registered_since_the_check_is_skipped_not_doubled(s: Session, uid: int, tmp_path: Path) -> None:
    rows = F.resident_rows()
    table = _table(tmp_path, rows)
    layout, report = _check(s, uid, table)
    assert report.counts["new"] == 5
    people.add_resident(s, uid, people.ResidentInput(name=str(rows[2][1]), id_number=str(rows[2][2])))
    result = imports.run_import(s, uid, "residents", table, layout)
    assert result.report.counts == {"new": 4, "update": 0, "skip": 1, "error": 0}


def test_a_household_closed_since_the_check_refuses_the_import(s: Session, uid: int, tmp_path: Path) -> None:
    household = s.scalars(select(Household).where(Household.unit_id == uid, Household.closed_on.is_(None))
                          .order_by(Household.id)).first()
    assert household is not None
    rows = F.resident_rows()
    rows[3][8] = household.number
    table = _table(tmp_path, rows)
    layout, report = _check(s, uid, table)
    assert not report.has_problems
    household.closed_on = date(2026, 1, 5)
    s.flush()
    with pytest.raises(ImportRefused) as refused:
        imports.run_import(s, uid, "residents", table, layout)
    assert f"第 4 行，户号：户号 {household.number} 已于 2026-01-05 销户" in refused.value.report.lines()


def test_a_head_registered_since_the_check_refuses_the_second_head(s: Session, uid: int, tmp_path: Path) -> None:
    head = s.scalars(select(Resident).where(Resident.unit_id == uid, Resident.relation == "户主",
                                            Resident.status == "在册").order_by(Resident.id)).first()
    assert head is not None and head.household_id is not None
    number = s.get(Household, head.household_id).number  # type: ignore[union-attr]
    rows = F.resident_rows()
    rows[3][8], rows[3][9] = number, "户主"
    table = _table(tmp_path, rows)
    head.relation = "其他"
    s.flush()
    layout, report = _check(s, uid, table)
    assert not report.has_problems
    head.relation = "户主"
    s.flush()
    with pytest.raises(ImportRefused) as refused:
        imports.run_import(s, uid, "residents", table, layout)
    assert f"第 4 行，与户主关系：户号 {number} 已有户主 {head.name}，一户只能有一个户主" in refused.value.report.lines()


def test_a_head_made_by_an_earlier_row_of_the_file_counts(s: Session, uid: int, tmp_path: Path) -> None:
    head = s.scalars(select(Resident).where(Resident.unit_id == uid, Resident.relation == "户主",
                                            Resident.status == "在册", Resident.id_number.isnot(None))
                     .order_by(Resident.id)).first()
    assert head is not None and head.household_id is not None
    number = s.get(Household, head.household_id).number  # type: ignore[union-attr]
    head.relation = "其他"
    s.flush()
    rows = F.resident_rows()[:3]
    rows[1] = [1, head.name, head.id_number, head.gender, "", "", "", "", number, "户主"]  # updated to 户主
    rows[2][8], rows[2][9] = number, "户主"  # a second one
    layout, report = _check(s, uid, _table(tmp_path, rows), on_existing="update")
    assert report.counts["update"] == 1
    assert f"第 3 行，与户主关系：户号 {number} 已有户主 {head.name}，一户只能有一个户主" in report.lines()
