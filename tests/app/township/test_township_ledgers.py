"""镇级台账 (issue 23): the villages' ledgers stacked with a 村(社区) column, a 小计 after each village and a
合计; read back from the written workbook and checked against each village's own ledger."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.cli import main
from app.db import Database
from app.io.ledger_cells import CONVERT
from app.io.ledgers import HEADER_ROWS, SUMMED_KINDS
from app.models import AuditEntry, Operator
from app.services import audit
from app.services.errors import PermissionDenied, ServiceError
from app.services.ledgers.export import build_ledger
from app.services.township.township_ledgers import (
    VILLAGE,
    build_township_ledger,
    export_township_ledgers,
    township_kinds,
)

from .township_data import YEAR, Township, add_township

VILLAGES = ["东坟村", "西坟村", "南坟村"]  # 第一片区党委 (东坟, 西坟), then 未分片区


@pytest.fixture
def town(demo_db: Database) -> Iterator[tuple[Database, Township]]:
    with demo_db.session() as s:
        t = add_township(s)
    yield demo_db, t


def _sheet(path: Path, name: str) -> tuple[list[str], list[list[object]], str]:
    """The header, the table rows under it (down to the 合计 row), and the title."""
    ws = load_workbook(path, read_only=True)[name]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    header = [str(h) for h in rows[HEADER_ROWS - 1]]
    end = next(i for i, r in enumerate(rows) if isinstance(r[0], str) and r[0].startswith("合计"))
    return header, rows[HEADER_ROWS:end + 1], str(rows[0][0])


def _num(v: object) -> Decimal:
    return Decimal(str(v)) if isinstance(v, int | float | Decimal) else Decimal(0)


@pytest.mark.parametrize("kind", ["points", "member-contacts", "households"])
def test_stacked_ledger_subtotals_and_total(town: tuple[Database, Township], tmp_path: Path, kind: str) -> None:
    db, t = town
    out = tmp_path / "镇级台账.xlsx"
    with db.session() as s:
        result = export_township_ledgers(s, t.township_id, [kind], out, year=YEAR)
        own = {uid: build_ledger(s, uid, kind, YEAR) for uid in (t.demo_id, t.west_id, t.south_id)}
        own_rows = {uid: [[c.value_of(r) for c in lg.columns] for r in lg.rows] for uid, lg in own.items()}
    ledger = own[t.demo_id]
    header, rows, title = _sheet(out, result.sheets[0])
    assert title == f"城关街道各村{township_kinds()[kind]}汇总（{YEAR}年度）"
    assert load_workbook(out, read_only=True)[result.sheets[0]]["A2"].value == "填报单位：城关街道"
    assert header[:2] == ["序号", VILLAGE] and header[2:] == [c.header for c in ledger.columns]
    summed = [i + 2 for i, c in enumerate(ledger.columns) if c.total and c.kind in SUMMED_KINDS]
    body, subtotals = [], []
    for r in rows[:-1]:
        if isinstance(r[1], str) and " 小计" in r[1]:
            subtotals.append((r, body))
            body = []
        else:
            body.append(r)
    assert body == []  # every village's rows end with its 小计
    assert [r[1].split(" ")[0] for r, _b in subtotals] == VILLAGES
    for (sub, village_rows), uid, name in zip(subtotals, (t.demo_id, t.west_id, t.south_id), VILLAGES, strict=True):
        assert all(r[1] == name for r in village_rows)
        assert len(village_rows) == len(own_rows[uid])  # every row of the village's own ledger is there
        assert sub[1] == f"{name} 小计：{len(village_rows)} {ledger.count_unit}" and sub[0] is None
        for i in summed:  # each 小计 is the sum of its village's rows, and of the village's own ledger
            assert _num(sub[i]) == sum(_num(r[i]) for r in village_rows)
            assert _num(sub[i]) == sum(_num(CONVERT[ledger.columns[i - 2].kind](r[i - 2])) for r in own_rows[uid])
    total = rows[-1]
    n = sum(len(b) for _s, b in subtotals)
    assert total[0] == f"合计：{n} {ledger.count_unit}" and n == result.rows
    for i in summed:  # 合计 = Σ 小计 = Σ the villages' own ledgers
        assert _num(total[i]) == sum(_num(sub[i]) for sub, _b in subtotals)
    assert [r[0] for r in rows[:-1] if r[0] is not None] == list(range(1, n + 1))  # 小计 rows take no number
    if kind == "points":
        assert summed and _num(total[summed[-1]]) > 0  # 总积分 summed: the test checked real sums


def test_every_township_kind_stacks(town: tuple[Database, Township], tmp_path: Path) -> None:
    db, t = town
    out = tmp_path / "全部.xlsx"
    with db.session() as s:
        for kind in township_kinds():
            lg = build_ledger(s, t.demo_id, kind, YEAR)
            assert lg.numbered and not lg.more and not lg.total_values, kind  # row-like: stackable
        result = export_township_ledgers(s, t.township_id, list(township_kinds()), out, year=YEAR)
        logged = s.query(AuditEntry).filter(AuditEntry.unit_id == t.township_id, AuditEntry.action == "export").one()
    assert len(result.sheets) == len(township_kinds())
    assert "导出镇级台账" in logged.summary
    wb = load_workbook(out, read_only=True)
    members = [list(r) for r in wb[result.sheets[0]].iter_rows(values_only=True)]
    assert "内部资料" in str(members[1])  # full 身份证号 as in the villages' own rosters
    assert {r[1] for r in members[HEADER_ROWS:] if len(r) > 1} >= {"东坟村", "西坟村", "南坟村", "东坟村 小计：59 名"}


def test_unstackable_and_unknown_kinds_are_refused(town: tuple[Database, Township]) -> None:
    db, t = town
    with db.session() as s:
        with pytest.raises(ServiceError, match="《党内统计表》不能按村汇总成一张表"):
            build_township_ledger(s, t.township_id, "party-stats", YEAR)
        with pytest.raises(ServiceError, match="没有“nope”这种台账"):
            build_township_ledger(s, t.township_id, "nope", YEAR)
        with pytest.raises(ServiceError, match="不是乡镇"):
            build_township_ledger(s, t.demo_id, "members", YEAR)


def test_a_village_operator_is_refused(town: tuple[Database, Township], tmp_path: Path) -> None:
    db, t = town
    with db.session() as s:
        op = Operator(unit_id=t.west_id, username="ws", display_name="西坟村文书", role="clerk")
        reader = Operator(unit_id=t.township_id, username="zj", display_name="镇干部", role="township")
        s.add_all([op, reader])
        s.flush()
        ids = op.id, reader.id
    token = audit.current_operator_id.set(ids[0])
    try:
        with db.session() as s, pytest.raises(PermissionDenied, match="西坟村文书（文书）无权导出镇级台账"):
            export_township_ledgers(s, t.township_id, ["members"], tmp_path / "x.xlsx", year=YEAR)
    finally:
        audit.current_operator_id.reset(token)
    assert not (tmp_path / "x.xlsx").exists()
    token = audit.current_operator_id.set(ids[1])  # the township's (read-only) operator may
    try:
        with db.session() as s:
            result = export_township_ledgers(s, t.township_id, ["orgs"], tmp_path / "orgs.xlsx", year=YEAR)
        assert result.rows > 0
    finally:
        audit.current_operator_id.reset(token)


def test_township_export_command(town: tuple[Database, Township], tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    db, _t = town
    out = tmp_path / "汇总.xlsx"
    assert main(["--db-url", db.url, "township", "export", "members", "orgs", "-o", str(out), "--year", str(YEAR)]) == 0
    printed = capsys.readouterr().out
    assert f"已导出镇级台账 {out}" in printed and "党员花名册、党组织设置情况" in printed
    assert load_workbook(out, read_only=True).sheetnames == ["党员花名册", "党组织设置情况"]
    with pytest.raises(SystemExit) as refused:  # not stackable: argparse lists the kinds that are
        main(["--db-url", db.url, "township", "export", "party-stats", "-o", str(out)])
    assert refused.value.code == 2 and "'party-stats'" in capsys.readouterr().err
