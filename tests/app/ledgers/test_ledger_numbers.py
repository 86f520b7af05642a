"""Every ledger kind of the demo village stores its counts and rates as numbers: no cell holds digits as text
(「12」, 「92.0%」) outside the columns whose values are codes (身份证号, phones, 户号 …), so SUM works and
no green triangle marks the printed sheet."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook

from app.db import Database
from app.io.ledgers import HEADER_ROWS, write_ledgers
from app.services.ledgers import export as ledgers
from app.services.units import current_unit_id, get_unit

NUMERIC_TEXT = re.compile(r"\d+(\.\d+)?[%％]?")
CODE_HEADERS = frozenset(("户号", "组织代码", "工单编号", "编号"))  # digits that are names, not quantities


def test_no_ledger_keeps_numbers_as_text(demo_db: Database, tmp_path: Path) -> None:
    found: list[str] = []
    with demo_db.session() as s:
        uid = current_unit_id(s)
        assert uid is not None
        unit = get_unit(s, uid)
        for kind, name in ledgers.LEDGER_KINDS.items():
            ledger = ledgers.build_ledger(s, uid, kind, 2026)
            exempt = {i for i, c in enumerate(ledger.columns) if c.kind in ("id", "phone") or c.header in CODE_HEADERS}
            first = int(ledger.numbered)  # the 序号 column the writer puts first
            path = tmp_path / f"{kind}.xlsx"
            write_ledgers(path, unit, [ledger])
            ws = load_workbook(path).active
            assert ws is not None
            for row in ws.iter_rows(min_row=HEADER_ROWS + 1):
                for cell in row:
                    at = cell.column - 1 - first
                    if isinstance(cell.value, str) and NUMERIC_TEXT.fullmatch(cell.value.strip()) and at not in exempt:
                        found.append(f"{name} {cell.coordinate}: {cell.value!r}")
    assert not found, "\n".join(found[:40])


def test_stars_ledgers_count_and_rate_cells(demo_db: Database, tmp_path: Path) -> None:
    """星级文明户台账: the 小计 / 合计 star counts are centred numbers that add up; 统计表: 参与率 and 占总户数
    are fractions shown 0.0 %."""
    with demo_db.session() as s:
        uid = current_unit_id(s)
        assert uid is not None
        unit = get_unit(s, uid)
        path = tmp_path / "stars.xlsx"
        write_ledgers(path, unit, [ledgers.build_ledger(s, uid, k, 2026) for k in ("stars", "star-stats")])
    wb = load_workbook(path)
    ws = wb["星级文明户台账"]
    header = [c.value for c in ws[HEADER_ROWS]]
    stars = [i for i, h in enumerate(header) if isinstance(h, str) and h.endswith("星") and h != "评定星级"]
    assert len(stars) == 5
    rows = list(ws.iter_rows(min_row=HEADER_ROWS + 1))
    households = [r for r in rows if isinstance(r[0].value, int)]
    subtotals = [r for r in rows if isinstance(r[1].value, str) and r[1].value.endswith("小计")]
    total = next(r for r in rows if r[1].value == "合计")
    for i in stars:
        ticks = sum(1 for r in households if r[i].value == "√")
        assert [type(r[i].value) for r in [*subtotals, total]] == [int] * (len(subtotals) + 1)
        assert sum(r[i].value for r in subtotals) == total[i].value == ticks
        assert total[i].alignment.horizontal == "center" and households[0][i].alignment.horizontal == "center"

    ws = wb["星级文明户统计表"]
    header = [c.value for c in ws[HEADER_ROWS]]
    households_at, applied_at = header.index("总户数"), header.index("申报户数")
    part_at, share_at, starred_at = header.index("参与率"), header.index("占总户数"), header.index("星级户合计")
    body = list(ws.iter_rows(min_row=HEADER_ROWS + 1, max_row=ws.max_row))
    body = [r for r in body if r[0].value in ("全村", "网格", "党小组")]
    assert body and body[0][0].value == "全村"
    for r in body:
        whole = r[households_at].value
        for at, part in ((part_at, r[applied_at].value), (share_at, r[starred_at].value)):
            cell = r[at]
            assert cell.number_format == "0.0%"
            assert isinstance(cell.value, float | int | Decimal)
            assert abs(float(cell.value) - part / whole) < 0.0005
        assert {r[i].alignment.horizontal for i in (households_at, applied_at, part_at, starred_at)} == {"center"}


def test_ticket_ledgers_days_with_one_decimal_and_centred_totals(demo_db: Database, tmp_path: Path) -> None:
    """平均办理时长 keeps its decimal on paper (0.0: 2.0 not 「2」); the 合计 row's counts are centred like the
    body's."""
    kinds = [k for k in ("ticket-rates", "ticket-monthly") if k in ledgers.LEDGER_KINDS]
    assert kinds
    with demo_db.session() as s:
        uid = current_unit_id(s)
        assert uid is not None
        unit = get_unit(s, uid)
        path = tmp_path / "tickets.xlsx"
        write_ledgers(path, unit, [ledgers.build_ledger(s, uid, k, 2026) for k in kinds])
    for ws in load_workbook(path).worksheets:
        header = [c.value for c in ws[HEADER_ROWS]]
        avg_at, count_at = next(i for i, h in enumerate(header) if str(h).startswith("平均办理时长")), header.index("受理")
        rows = list(ws.iter_rows(min_row=HEADER_ROWS + 1))
        total = next(r for r in rows if r[0].value == "合计")
        body = [r for r in rows[:rows.index(total)] if isinstance(r[count_at].value, int)]
        days = [r[avg_at] for r in [*body, total] if isinstance(r[avg_at].value, int | float | Decimal)]
        assert days and all(c.number_format == "0.0" for c in days), ws.title
        assert {r[count_at].alignment.horizontal for r in [*body, total]} == {"center"}, ws.title
