"""Ledger cells that compute: counts and rates are numbers (percent format), the 合计 row takes given rates."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook

from app.io.ledger_cells import CONVERT, fraction
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
