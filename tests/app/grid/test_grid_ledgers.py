"""网格划分情况表 and 党员联系户台账: long lists laid out one value (or one line of whole values) per line."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from app.db import Database
from app.services import units
from app.services.grid.ledgers import CONTACTS_WIDTH
from app.services.ledgers.export import export_ledgers
from app.text import display_width


def _rows(ws: openpyxl.worksheet.worksheet.Worksheet, header: str) -> list[object]:
    at = [c.value for c in ws[3]].index(header)
    return [r[at] for r in ws.iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)]


def test_staff_one_a_line_and_contacts_in_whole_households(demo_db: Database, tmp_path: Path) -> None:
    out = tmp_path / "grid.xlsx"
    with demo_db.session() as s:
        export_ledgers(s, units.current_unit_id(s), ["grids", "member-contacts"], out)
    wb = openpyxl.load_workbook(out)

    staff = [v for v in _rows(wb["网格划分情况表"], "网格员") if v]
    several = [v for v in staff if "\n" in str(v)]
    assert several, "the demo has micro-grids with two or more staff"
    for cell in staff:
        lines = str(cell).split("\n")
        assert all(line.count("（") == 1 and "、" not in line for line in lines), cell  # one person a line

    contacts = [str(v) for v in _rows(wb["党员联系户台账"], "联系户（户号 户主）") if v]
    assert any("\n" in c for c in contacts), "some 党员 look after more households than fit one line"
    for cell in contacts:
        for line in cell.split("\n"):
            assert display_width(line) <= CONTACTS_WIDTH - 4, line
            assert all(len(item.split(" ")) == 2 for item in line.split("、")), line  # 户号 户主, never cut
