"""导出/打印当前列表: the rows given, under a title that states the filter, masked for a 网格员."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from openpyxl import load_workbook

from app.io.masking import mask_phone
from app.services.context import AppContext
from app.services.errors import ServiceError
from app.services.ledgers import list_export
from app.services.ledgers.list_export import ListSheet, column_kind

from ..roles import as_, make_staff

HEADERS = ["姓名", "出生日期", "年龄", "联系电话", "身份证号"]
ROWS = [["张三", date(1990, 3, 7), 36, "13812345678", "110101199003071234"],
        ["李四", None, 41, "", "110101198501011238"]]


def test_column_kinds() -> None:
    assert column_kind("身份证号", ["x"]) == "id"
    assert column_kind("户主电话", []) == "phone"
    assert column_kind("入党日期", [date(2020, 1, 1), None]) == "date"
    assert column_kind("年龄", [3, 4]) == "int"
    assert column_kind("积分", [3, 4.5]) == "decimal"
    assert column_kind("是否", [True]) == "text"
    assert column_kind("姓名", ["张三", 3]) == "text"


def read(path: Path) -> tuple[str, list[list[object]]]:
    ws = load_workbook(path).worksheets[0]
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    return str(values[0][0]), [r[1:6] for r in values[3:] if isinstance(r[0], int)]


def test_export_states_the_filter_and_keeps_the_rows(demo_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ctx = AppContext(demo_db)
    out = tmp_path / "list.xlsx"
    sheet = ListSheet("居民名单", "户标签：低保", HEADERS, iter(ROWS), count=2)
    result = ctx.call(list_export.export_list, ctx.unit_id, sheet, out)
    assert result.rows == 2
    title, rows = read(out)
    assert title.endswith("居民名单（户标签：低保）")
    assert rows[0][0] == "张三" and rows[0][1].date() == date(1990, 3, 7) and rows[0][2] == 36
    assert rows[0][3] == "13812345678" and rows[0][4] == "110101199003071234"
    assert rows[1][0] == "李四" and rows[1][1] is None


def test_grid_staff_export_is_masked(demo_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ctx = AppContext(demo_db)
    staff = make_staff(ctx)
    out = tmp_path / "list.xlsx"
    as_(ctx, staff["grid"]).call(list_export.export_list, ctx.unit_id, ListSheet("居民名单", "", HEADERS, ROWS), out)
    title, rows = read(out)
    assert title.endswith("居民名单")
    assert rows[0][3] == mask_phone("13812345678") and "*" in rows[0][4] and rows[0][1] == "1990年"


def test_print_writes_pages_and_refuses_a_huge_list(demo_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ctx = AppContext(demo_db)
    out = tmp_path / "list.pdf"
    rows = [[f"居民{i}", date(1990, 1, 1), i, "13812345678", "110101199003071234"] for i in range(120)]
    pages = ctx.call(list_export.print_list, ctx.unit_id, ListSheet("居民名单", "状态：在册", HEADERS, rows), out)
    pdf = pdfium.PdfDocument(out)
    assert len(pdf) == pages >= 3  # 120 rows on A4 landscape
    first = pdf[0].get_textpage().get_text_range()
    last = pdf[len(pdf) - 1].get_textpage().get_text_range()
    assert "居民名单（状态：在册）" in first and "共 120 条" in first and "居民0" in first
    assert "居民119" in last and f"第 {pages} 页 共 {pages} 页" in last and "姓名" in last  # header repeated
    pdf.close()
    big = ListSheet("居民名单", "", HEADERS, [], count=list_export.MAX_PRINT_ROWS + 1)
    with pytest.raises(ServiceError, match="超过"):
        ctx.call(list_export.print_list, ctx.unit_id, big, tmp_path / "big.pdf")
    assert not (tmp_path / "big.pdf").exists()
