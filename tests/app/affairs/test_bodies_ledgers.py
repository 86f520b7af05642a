"""The bodies' ledgers on the demo village (村「两委」班子成员名册, 村民代表名册), the CLI export, the masked
variant, and the 换届 line of the 工作台."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy.orm import Session

from app.cli import main
from app.services.affairs import bodies, terms
from app.services.affairs.ledgers_bodies import representatives_ledger, village_bodies_ledger
from app.services.errors import PermissionDenied
from app.services.ledgers.export import build_ledger, masked_ledger
from app.services.workbench.today import todo_lines

from ..roles import as_


def _rows(ledger: Any) -> list[dict[str, object]]:
    return [{c.header: c.value_of(r) for c in ledger.columns} for r in ledger.rows]


def test_village_bodies_roster_one_row_a_person(s: Session, uid: int) -> None:
    rows = _rows(village_bodies_ledger(s, uid, 2026))
    # 总支 committee (书记, 副书记, 三委员, 第一书记) + 村委会 3 others + 监委会 3: the 书记 once
    assert len(rows) == 6 + 3 + 3
    first = rows[0]
    assert first["职务"] == "党总支书记、村委会主任（书记、主任一肩挑）"
    assert first["政治面貌"] == "中共党员" and first["任职时间"] == date(2021, 4, 18)
    assert first["届期"] == "第十一届（2022-01-10 至 2027-01-09）"
    assert sum("村务监督委员会" in str(r["职务"]) for r in rows) == 3
    assert [r["职务"] for r in rows[6:]] == ["村委会副主任", "村委会委员", "村委会委员", "村务监督委员会主任",
                                           "村务监督委员会委员", "村务监督委员会委员"]
    assert all(isinstance(r["出生日期"], date) for r in rows)  # a date cell, not text like 1980.12
    masked = _rows(masked_ledger(village_bodies_ledger(s, uid, 2026)))
    assert all(str(r["出生日期"]).endswith("年") for r in masked)  # public copies keep only the year
    assert all("****" in str(r["联系电话"]) for r in masked if r["联系电话"])
    assert all("****" not in str(r["联系电话"]) for r in rows)


def test_representatives_roster(s: Session, uid: int) -> None:
    ledger = representatives_ledger(s, uid, 2026)
    rows = _rows(ledger)
    assert len(rows) == 15
    assert all(5 <= int(r["联系户数"]) <= 15 for r in rows)  # type: ignore[call-overload]
    reps = bodies.list_posts(s, uid, "村民代表")
    first = reps[0]
    assert rows[0]["联系户（户号 户主）"].replace("\n", "、").split("、")[0] == (  # type: ignore[union-attr]
        f"{first.households[0].number} {first.households[0].head_name}".strip())
    assert all(r["村民小组"] for r in rows)
    groups = [bodies.group_order(str(r["村民小组"]))[0] for r in rows]
    assert groups == sorted(groups)  # 第二 before 第七, not in text order


def test_cli_exports_both_and_grid_staff_is_refused(demo_db_path: Path, tmp_path: Path, ctx, staff) -> None:  # type: ignore[no-untyped-def]
    for kind, title, count in (("village-bodies", "村「两委」班子成员名册", 12), ("representatives", "村民代表名册", 15)):
        out = tmp_path / f"{kind}.xlsx"
        assert main(["--db", str(demo_db_path), "export", kind, "-o", str(out), "--year", "2026"]) == 0
        sheet = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
        assert title in str(sheet[0][0])
        assert sum(1 for r in sheet[3:] if isinstance(r[0], int)) == count
    with pytest.raises(PermissionDenied):
        as_(ctx, staff["grid"]).call(build_ledger, ctx.unit_id, "village-bodies")


def test_workbench_line_for_the_term(s: Session, uid: int) -> None:
    def line(on: datetime) -> Any:
        return next(x for x in todo_lines(s, uid, on) if x.key == "terms_due")

    assert line(datetime(2026, 7, 9, 9)).count == 3  # ends 2027-01-09: exactly six months on
    assert line(datetime(2026, 7, 8, 9)).count == 0
    assert "村民委员会" in line(datetime(2026, 11, 1, 9)).hint
    for t in terms.list_terms(s, uid):
        terms.add_term(s, uid, t.body, date(2026, 12, 20), name="第十二届")
    assert line(datetime(2027, 2, 1, 9)).count == 0
