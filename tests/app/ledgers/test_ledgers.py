"""Excel 台账: layout as DESIGN §5 says, text IDs, real dates, no formulas, streaming, cancel, demo ledgers."""

from __future__ import annotations

import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from openpyxl import load_workbook
from openpyxl.xml.constants import SHEET_MAIN_NS, XML_NS

from app.db import Database
from app.io.atomic import Cancelled
from app.io.ledgers import Ledger, LedgerColumn, write_ledgers
from app.services.ledgers import export as ledgers
from app.services.units import current_unit_id, get_unit


class Unit:
    name = "东坟村"
    full_name = "城关街道东坟村"


COLUMNS = [
    LedgerColumn("姓名", "name"),
    LedgerColumn("身份证号", "id", "id"),
    LedgerColumn("出生日期", "born", "date"),
    LedgerColumn("联系电话", "phone", "phone"),
    LedgerColumn("备注", "note"),
    LedgerColumn("承包面积（亩）", "area", "decimal", total=True),
]
TRICKY = ["=1+2", "+86 138", "-5", "@SUM(A1)", "\tcmd", "\r=x"]


def people(n: int) -> list[dict[str, Any]]:
    return [
        {"name": "欧阳小明" if i % 2 else "李四", "id": "11010519491231002X", "born": date(1949, 12, 31),
         "phone": "13812345678", "note": TRICKY[i % len(TRICKY)] if i < len(TRICKY) else "正常", "area": 1.5}
        for i in range(n)
    ]


def test_sheet_layout(tmp_path: Path) -> None:
    out = tmp_path / "台账.xlsx"
    result = write_ledgers(out, Unit(), [Ledger("党员花名册", COLUMNS, people(10), year=2026, count_unit="人")],
                           filled_on=date(2026, 11, 23))
    assert result.rows == 10 and result.sheets == ["党员花名册"]
    ws = load_workbook(out)["党员花名册"]
    ncols = len(COLUMNS) + 1  # 序号
    assert ws["A1"].value == "东坟村党员花名册（2026年度）"
    assert f"A1:{chr(64 + ncols)}1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A2"].value == "填报单位：城关街道东坟村"
    assert any(str(c.value).startswith("填报日期：2026-11-23") for c in ws[2])
    # full 身份证号 and phones: 内部资料 under the title (here beside the date: the last columns are narrow)
    # and in the page header
    assert any("内部资料　注意保密" in str(c.value) for c in ws[2])
    assert ws.oddHeader.right.text == "内部资料　注意保密"
    header = [c.value for c in ws[3]]
    assert header == ["序号"] + [c.header for c in COLUMNS]
    assert all(c.font.b and c.border.left.style == "thin" for c in ws[3])
    assert ws.freeze_panes == "A4"
    assert ws.print_title_rows == "$1:$3"
    assert ws.oddFooter.center.text == "第 &P 页 共 &N 页"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    first = ws[4]
    assert first[0].value == 1
    id_cell, born, phone = first[2], first[3], first[4]
    assert id_cell.data_type == "s" and id_cell.value == "11010519491231002X" and len(id_cell.value) == 18
    assert id_cell.number_format == "@" and phone.value == "13812345678" and phone.number_format == "@"
    assert born.is_date and born.value.date() == date(1949, 12, 31) and born.number_format == "yyyy-mm-dd"
    notes = [ws.cell(4 + i, 6) for i in range(len(TRICKY))]
    assert [c.value for c in notes] == TRICKY
    assert all(c.data_type == "s" for c in notes)  # never a formula
    assert all(c.quotePrefix for c in notes)
    total_row = ws[14]
    assert total_row[0].value == "合计：10 人" and total_row[-1].value == 15
    assert [c.value for c in ws[16] if c.value] == ["填报人：", "审核人：", "联系电话："]
    # Chinese headers and 18-character IDs get wider columns than a 2-character field
    assert ws.column_dimensions["C"].width >= 20 > ws.column_dimensions["B"].width


def test_plain_rows_read_back_like_openpyxl_cells(tmp_path: Path) -> None:
    """Plain rows go into the sheet's XML directly; a row with a formula-like value goes through openpyxl
    cells. Both must read back alike: values, types, number formats, borders, fonts, alignment."""
    from copy import copy

    columns = [*COLUMNS, LedgerColumn("人数", "count", "int", total=True), LedgerColumn("日期文字", "when", "date")]
    base = {"name": " 前后有空格 ", "id": "11010519491231002X", "born": date(1949, 12, 31), "phone": None,
            "note": "x", "area": Decimal("1.50"), "count": 3, "when": "待定"}
    rows = [base, {**base, "note": "=1+2"}, {**base, "area": Decimal("2.25"), "born": None, "name": "A&B<C>"}]
    out = tmp_path / "台账.xlsx"
    write_ledgers(out, Unit(), [Ledger("户籍", columns, rows, count_unit="人")], filled_on=date(2026, 11, 23))
    ws = load_workbook(out)["户籍"]
    plain, cells, other = ws[4], ws[5], ws[6]

    def look(c: Any) -> tuple[object, ...]:
        return (c.value, c.data_type, c.number_format, copy(c.border), copy(c.font), copy(c.alignment), c.quotePrefix)

    note = [c.header for c in columns].index("备注") + 1  # after 序号
    for i, (a, b) in enumerate(zip(plain, cells, strict=True)):
        if i not in (0, note):
            assert look(a) == look(b), a.coordinate
    assert cells[note].value == "=1+2" and cells[note].quotePrefix and plain[note].value == "x"
    assert plain[1].value == " 前后有空格 " and other[1].value == "A&B<C>"
    assert plain[3].is_date and other[3].value is None and other[3].border.left.style == "thin"
    assert other[6].value == 2.25 and plain[-1].value == "待定" and plain[-1].number_format == "@"
    assert [c.value for c in ws[7]][-3:] == [5.25, 9, None]  # totals from plain and cell rows
    with zipfile.ZipFile(out) as z:
        sheet = etree.fromstring(z.read("xl/worksheets/sheet1.xml"))
    padded = [t for t in sheet.iter(f"{{{SHEET_MAIN_NS}}}t") if t.text == " 前后有空格 "]
    assert len(padded) == 2 and all(t.get(f"{{{XML_NS}}}space") == "preserve" for t in padded)  # Excel keeps the spaces


def test_several_ledgers_one_workbook(tmp_path: Path) -> None:
    out = tmp_path / "上报.xlsx"
    write_ledgers(out, Unit(), [Ledger("甲表", COLUMNS, people(3)), Ledger("甲表", COLUMNS, people(2))])
    assert load_workbook(out).sheetnames == ["甲表", "甲表(2)"]


def test_cancel_leaves_no_file(tmp_path: Path) -> None:
    out = tmp_path / "大表.xlsx"
    calls = []

    def cancel() -> bool:
        calls.append(1)
        return len(calls) > 2

    with pytest.raises(Cancelled):
        write_ledgers(out, Unit(), [Ledger("户籍", COLUMNS, people(5000))], cancel=cancel)
    assert list(tmp_path.iterdir()) == []


def test_failure_keeps_the_old_file(tmp_path: Path) -> None:
    out = tmp_path / "台账.xlsx"
    out.write_bytes(b"old")

    def rows() -> Any:
        yield from people(3)
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        write_ledgers(out, Unit(), [Ledger("户籍", COLUMNS, rows())])
    assert out.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["台账.xlsx"]


def test_large_ledger_streams(tmp_path: Path) -> None:
    n = 20_000
    seen: list[tuple[int, int]] = []
    write_ledgers(tmp_path / "big.xlsx", Unit(), [Ledger("户籍", COLUMNS, iter(people(n)), count=n)],
                  progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (n, n) and len(seen) > 10
    ws = load_workbook(tmp_path / "big.xlsx", read_only=True)["户籍"]
    last = [r for r in ws.iter_rows(min_row=n + 2, values_only=True)]
    assert last[1][0] == n and last[2][0] == "合计" and last[2][-1] == 1.5 * n  # last data row, then totals


@pytest.mark.slow
def test_100k_rows(tmp_path: Path) -> None:
    n = 100_000
    write_ledgers(tmp_path / "huge.xlsx", Unit(), [Ledger("户籍", COLUMNS, (p for _ in range(n // 10) for p in people(10)))])
    assert (tmp_path / "huge.xlsx").stat().st_size > 1_000_000


def test_demo_ledgers(demo_db: Database, tmp_path: Path) -> None:
    out = tmp_path / "东坟村台账.xlsx"
    with demo_db.session() as s:
        unit_id = current_unit_id(s)
        assert unit_id is not None
        # every registered ledger, the areas' ones included, goes into one workbook (上报)
        result = ledgers.export_ledgers(s, unit_id, list(ledgers.LEDGER_KINDS), out, year=2026)
        unit = get_unit(s, unit_id)
        # one sheet a kind, and the extra sheets of a kind written as several (党内统计表: one a table)
        extra = sum(len(ledgers.build_ledger(s, unit_id, k, 2026).more) for k in ledgers.LEDGER_KINDS)
    wb = load_workbook(out)
    assert extra > 0 and len(wb.sheetnames) == len(ledgers.LEDGER_KINDS) + extra
    assert wb.sheetnames[:4] == ["党员花名册", "党组织设置情况", "居民户籍台账", "网格员信息表"]
    members = wb["党员花名册"]
    assert members["A1"].value == f"{unit.name}党员花名册（2026年度）"
    header = [c.value for c in members[3]]
    col = header.index("身份证号")
    ids = [r[col] for r in members.iter_rows(min_row=4, max_row=3 + 59, values_only=True)]
    assert all(isinstance(v, str) and len(v) == 18 for v in ids)  # full numbers: not a public list
    assert members.cell(4 + 59, 1).value == "合计：59 名"
    register = wb["居民户籍台账"]
    head = [c.value for c in register[3]]
    numbers = [r[head.index("户号")] for r in register.iter_rows(min_row=4, max_row=10, values_only=True)]
    assert numbers[0] == "0001"  # leading zeros kept: text
    assert result.rows > 800
