"""Ledger cells that compute (counts and rates as numbers, a 合计 row with given rates) and the print layout
(lines per wrapped cell, row heights, squeezed widths, A4 or A3)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.io.ledger_cells import CONVERT, fraction
from app.io.ledger_layout import (
    A3,
    A4,
    BODY_SIZE,
    MIN_PRINTED,
    choose_paper,
    line_capacity,
    printed_scale,
    row_height,
    squeeze,
    text_lines,
)
from app.io.ledgers import Ledger, LedgerColumn, write_ledgers


class Unit:
    name = "东坟村"
    full_name = "城关街道东坟村"


@dataclass(frozen=True)
class Rate:  # the shape of tickets.stats.Rate
    num: int
    den: int


def test_fraction_rounds_as_printed() -> None:
    assert fraction(256, 259) == Decimal("0.988")
    assert fraction(1, 8) == Decimal("0.125") and fraction(1, 2000) == Decimal("0.001")  # half up
    assert fraction(3, 0) is None


def test_count_and_percent_conversion() -> None:
    count, percent = CONVERT["count"], CONVERT["percent"]
    assert count("12") == 12 and count(" 7 ") == 7 and count(3) == 3 and count("√") == "√" and count(None) is None
    assert count("2.5") == Decimal("2.5")
    assert percent(Rate(11, 12)) == Decimal("0.917") and percent(Rate(0, 0)) == "—"
    assert percent("98.8%") == Decimal("0.988") and percent("96.4 ％") == Decimal("0.964")
    assert percent(0.5) == 0.5 and percent("—") == "—" and percent("") is None


def test_counts_and_rates_written_as_numbers(tmp_path: Path) -> None:
    columns = [LedgerColumn("类别", "label"), LedgerColumn("受理", "n", "count", total=True),
               LedgerColumn("办结率", "rate", "percent"), LedgerColumn("平均时长", "avg")]
    rows = [{"label": "矛盾纠纷", "n": "12", "rate": Rate(11, 12), "avg": "2.0 天"},
            {"label": "政策咨询", "n": 3, "rate": Rate(0, 0), "avg": "—"},
            {"label": "环境卫生", "n": "√", "rate": "98.8%", "avg": ""}]
    out = tmp_path / "统计.xlsx"
    write_ledgers(out, Unit(), [Ledger("工单分类统计表", columns, rows, numbered=False,
                                       total_values={"办结率": Rate(256, 259), "平均时长": "1.5 天"})])
    ws = load_workbook(out).active
    first, second, third, total = ws[4], ws[5], ws[6], ws[7]
    assert first[1].value == 12 and first[1].data_type == "n"
    assert first[2].value == 0.917 and first[2].number_format == "0.0%"
    assert second[2].value == "—" and second[2].data_type == "s"
    assert third[1].value == "√" and third[2].value == 0.988
    assert [c.value for c in total] == ["合计", 15, 0.988, "1.5 天"]
    assert total[2].number_format == "0.0%" and total[1].data_type == "n"


def test_total_values_alone_make_a_totals_row(tmp_path: Path) -> None:
    columns = [LedgerColumn("月份", "label"), LedgerColumn("满意率", "rate", "percent")]
    out = tmp_path / "月度.xlsx"
    write_ledgers(out, Unit(), [Ledger("月度统计", columns, [{"label": "2026-01", "rate": Rate(1, 2)}], numbered=False,
                                       total_values={"满意率": Rate(3, 4)})])
    ws = load_workbook(out).active
    assert [c.value for c in ws[5]] == ["合计", 0.75]


# ---------------------------------------------------------------- print layout


def test_text_lines_counts_wrapped_lines() -> None:
    assert text_lines("张三", 8) == 1 and text_lines("", 8) == 1
    assert text_lines("外孙子", 8) == 1  # what fit_widths sized the column for fits on one line
    one = int(line_capacity(20) // 2)  # 汉字 on one line of a 20-wide column
    assert text_lines("汉" * one, 20) == 1 and text_lines("汉" * (one + 1), 20) == 2
    assert text_lines("汉" * (one * 3), 20) >= 3
    assert text_lines("第一行\n第二行\n第三行", 20) == 3
    # an ASCII word is never cut where it fits whole on the next line
    assert text_lines("0001 " + "x" * 8, 12) == 2
    assert row_height(1) < row_height(2) < row_height(3)


def test_squeeze_cuts_the_widest_first_and_respects_floors() -> None:
    widths, floors = [48.0, 20.0, 10.0], [12.0, 12.0, 10.0]
    out = squeeze(widths, floors, 60)
    assert out == [30.0, 20.0, 10.0]  # only the widest is cut, to the width that makes the total
    assert squeeze(widths, floors, 40) == [15.0, 15.0, 10.0]  # a common cap once both are above it
    assert squeeze(widths, floors, 200) == widths
    assert squeeze(widths, floors, 10) == floors  # never below a floor
    # a column whose few long values wrap is squeezed to its typical width before the others lose width
    assert squeeze([40.0, 30.0], [12.0, 12.0], 55, typical=[20.0, 30.0]) == [25.0, 30.0]


def test_paper_is_a4_when_8pt_fits_else_a3() -> None:
    narrow = [10.0] * 10
    assert choose_paper("窄表", narrow, narrow) == (A4, narrow)
    wide = [12.0] * 14  # fixed-format columns: nothing to squeeze
    paper, out = choose_paper("宽表", wide, wide)
    assert paper is A3 and out == wide
    assert BODY_SIZE * printed_scale(out, A3) >= MIN_PRINTED
    squeezable = [40.0] * 5  # text columns: squeezed onto A4 rather than A3
    paper, out = choose_paper("长文本", squeezable, [12.0] * 5)
    assert paper is A4 and BODY_SIZE * printed_scale(out, A4) >= MIN_PRINTED and min(out) >= 12


def test_too_wide_for_a3_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    huge = [12.0] * 30
    with caplog.at_level(logging.WARNING):
        paper, _ = choose_paper("超宽表", huge, huge)
    assert paper is A3 and "超宽表" in caplog.text


def test_wrapped_rows_and_notes_get_their_height(tmp_path: Path) -> None:
    long_list = "、".join(f"{i:04d} 张三丰" for i in range(30))
    columns = [LedgerColumn("姓名", "name"), LedgerColumn("联系户", "households", width=30),
               LedgerColumn("户数", "n", "count")]
    rows = [{"name": "李四", "households": long_list, "n": 30}, {"name": "王五", "households": "0001 张三", "n": 1}]
    note = "注：" + "总积分低于60分为差，" * 12
    out = tmp_path / "联系户.xlsx"
    write_ledgers(out, Unit(), [Ledger("党员联系户台账", columns, rows, notes=(note,))])
    ws = load_workbook(out).active
    long_row, short_row = ws.row_dimensions[4], ws.row_dimensions[5]
    assert long_row.height == row_height(text_lines(long_list, ws.column_dimensions["C"].width))
    assert long_row.height >= row_height(4) and long_row.customHeight
    assert short_row.height is None  # one line: the program's own height
    note_row = next(r for r in range(6, ws.max_row + 1) if ws.cell(r, 1).value == note)
    assert ws.row_dimensions[note_row].height >= row_height(2)
    assert ws.cell(note_row, 1).alignment.wrap_text
    assert f"A{note_row}:D{note_row}" in {str(r) for r in ws.merged_cells.ranges}
    assert ws.page_setup.paperSize == A4.size
    assert ws.oddHeader.right.text is None  # no ID or phone column: not marked 内部资料


def test_one_decimal_column_and_total_row_aligned_like_the_body(tmp_path: Path) -> None:
    """平均办理时长 2.0 prints 「2.0」 (format 0.0), and the 合计 row's counts, rates and days are centred as
    the body's are, not right-aligned beside them."""
    columns = [LedgerColumn("类别", "label"), LedgerColumn("受理", "n", "count", total=True),
               LedgerColumn("办结率", "rate", "percent"), LedgerColumn("平均时长", "avg", "decimal1"),
               LedgerColumn("人数", "people", "int", total=True)]
    rows = [{"label": "矛盾纠纷", "n": 12, "rate": Rate(11, 12), "avg": Decimal("2.0"), "people": 3},
            {"label": "政策咨询", "n": 3, "rate": Rate(0, 0), "avg": None, "people": 1}]
    out = tmp_path / "统计.xlsx"
    write_ledgers(out, Unit(), [Ledger("工单分类统计表", columns, rows, numbered=False,
                                       total_values={"办结率": Rate(0, 0), "平均时长": Decimal("1.5")})])
    ws = load_workbook(out).active
    first, total = ws[4], ws[6]
    assert first[3].value == 2 and first[3].number_format == "0.0" and first[3].data_type == "n"
    assert [c.value for c in total] == ["合计", 15, "—", 1.5, 4]
    for body, tot in zip(first[1:4], total[1:4], strict=True):
        assert body.alignment.horizontal == tot.alignment.horizontal == "center"
        assert tot.font.b and (isinstance(tot.value, str) or tot.number_format == body.number_format)
    assert first[4].alignment.horizontal == total[4].alignment.horizontal  # int: both as numbers are (right)
