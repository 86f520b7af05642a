"""The rosters the program exports come back in: 党员花名册, 居民户籍台账 and 网格员信息表 of the demo village,
imported into a blank village the way a clerk would (党组织 first, in the window; then 户籍 → 网格员 → 党员 from
the files, unknown 网格 made as they come), give back the same ledgers, row by row."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select

from app.cli import main
from app.db import open_database, resolve_url
from app.models import PartyOrg
from app.services.org import tree
from app.services.setup import founding
from app.services.units import current_unit_id

KINDS = {"households": "居民户籍台账", "grid-posts": "网格员信息表", "members": "党员花名册"}
ORDER = ("households", "grid-posts", "members")  # people before the posts and members that name them


def _rows(path: Path) -> list[tuple[Any, ...]]:
    return list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))


def _data(rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """The ledger's data rows (those with a 序号) by column header."""
    return [dict(zip(rows[2], r, strict=True)) for r in rows[3:] if isinstance(r[0], int)]


def _export(db: Path, out: Path) -> dict[str, list[tuple[Any, ...]]]:
    out.mkdir()
    for kind in KINDS:
        assert main(["--db", str(db), "export", kind, "-o", str(out / f"{kind}.xlsx"), "--year", "2026"]) == 0
    return {kind: _rows(out / f"{kind}.xlsx") for kind in KINDS}


def _blank_village_with_the_demo_org_tree(demo: Path, blank: Path) -> None:
    """The blank village after its set-up and 建立党组织 (entered in the window, as the 党组织设置情况 shows it)."""
    source = open_database(resolve_url(demo))
    with source.session() as s:
        uid = current_unit_id(s)
        assert uid is not None
        nodes = tree.list_org_tree(s, uid)
        orders = dict(s.execute(select(PartyOrg.id, PartyOrg.sort_order).where(PartyOrg.unit_id == uid)).all())
    source.dispose()
    target = open_database(resolve_url(blank))
    with target.session() as s:
        uid = founding.create_unit(s, "前进村", "城关镇", "示范县")
        made: dict[int, int] = {}
        for n in nodes:
            made[n.id] = tree.create_org(s, uid, tree.OrgInput(n.name, n.kind, made.get(n.parent_id), n.code,
                                                               sort_order=orders[n.id]))
    target.dispose()


def test_the_three_rosters_round_trip_into_a_blank_village(demo_db_path: Path, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    before = _export(demo_db_path, tmp_path / "demo")
    blank = tmp_path / "blank.sqlite"
    _blank_village_with_the_demo_org_tree(demo_db_path, blank)
    capsys.readouterr()
    for kind in ORDER:
        code = main(["--db", str(blank), "import", kind, str(tmp_path / "demo" / f"{kind}.xlsx"), "--create-missing"])
        said = capsys.readouterr().out
        assert code == 0, said
        # the ledger's own layout: title, 填报单位 line, then the header; 合计 and the signature line are no data
        assert "第 3 行是表头" in said
        n = len(_data(before[kind]))
        assert f"共 {n} 行：新增 {n} 行" in said, said
    after = _export(blank, tmp_path / "again")

    for kind, title in KINDS.items():
        old, new = before[kind], after[kind]
        assert old[0][0].endswith(f"{title}（2026年度）") and new[0][0] == f"前进村{title}（2026年度）"
        assert len(new) == len(old)
        for i, (a, b) in enumerate(zip(old[2:], new[2:], strict=True), start=3):  # the header, rows, 合计, signature
            assert a == b, f"{title} 第 {i} 行：\n  导出 {a}\n  导回 {b}"

    # what used to be lost on the way: 流动党员 with their 流出地, 积分类别, 双报到单位, 党内职务, 外出务工, 微网格, 户标签
    members = _data(before["members"])
    assert any(m["党员类型"] == "流动" and m["流出地"] for m in members)
    assert any(m["双报到单位"] for m in members) and {m["积分类别"] for m in members} == {"青年", "在职", "退休"}
    assert any("（" in (m["党内职务"] or "") for m in members) and any(m["党内职务"] == "书记" for m in members)
    residents = _data(before["households"])
    assert any(r["人员状态"] == "外出务工" for r in residents) and any(r["微网格"] for r in residents)
    tags = [r["户标签"] for r in residents if r["户标签"]]
    assert len(tags) == 156 and any("五保/特困" in t for t in tags)  # the demo's tagged households, names whole
