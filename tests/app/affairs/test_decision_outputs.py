"""四议两公开台账, 村民代表会议记录 and `notice decision` through the command line, from a blank village."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
from pypdf import PdfReader

from app.cli import main as cli_main
from app.db import Database
from app.services.affairs import decisions
from app.services.affairs.decisions import DecisionInput
from app.services.notices import archive

from .decision_village import make_village, ticked

D = [date(2026, 3, d) for d in (2, 5, 9, 12)]


def _sheet(path: Path, name: str) -> tuple[dict[str, int], list[tuple]]:
    ws = openpyxl.load_workbook(path)[name]
    at = next(r for r in range(1, 6) if ws.cell(r, 1).value == "序号")
    header = [c.value for c in ws[at]]
    rows = [r for r in ws.iter_rows(min_row=at + 1, values_only=True) if isinstance(r[0], int)]
    return {h: i for i, h in enumerate(header)}, rows


def test_ledgers_and_notice_from_the_command_line(db: Database, db_path: Path, tmp_path: Path) -> None:
    with db.session() as s:
        v = make_village(s)
        passed = decisions.open_decision(s, v.unit_id, DecisionInput("修缮村东小桥", D[0], "预算 5 万元"))
        failed = decisions.open_decision(s, v.unit_id, DecisionInput("调整机动地承包费", D[0]))
        for did, reps in ((passed, 8), (failed, 5)):
            decisions.record_step(s, did, "党组织提议", ticked(s, v, "支委会", D[0], 5, (5, 0, 0)))
            decisions.record_step(s, did, "两委会商议", ticked(s, v, "两委会", D[1], 7, (6, 1, 0)))
            decisions.record_step(s, did, "党员大会审议", ticked(s, v, "党员大会", D[2], 11, (10, 1, 0)))
            decisions.record_step(s, did, "村民代表会议决议",
                                  ticked(s, v, "村民代表会议", D[3], reps, (reps - 1, 1, 0),
                                         "议" * 70 + "联系电话13912345678，其余略"))
    db.dispose()
    base = ["--db", str(db_path)]
    out = tmp_path / "台账.xlsx"
    assert cli_main([*base, "export", "decisions", "representative-meetings", "-o", str(out), "--year", "2026"]) == 0

    col, rows = _sheet(out, "四议两公开台账")
    by_title = {r[col["事项"]]: r for r in rows}
    ok, bad = by_title["修缮村东小桥"], by_title["调整机动地承包费"]
    assert (ok[col["编号"]], ok[col["状态"]], ok[col["村民代表会议表决"]]) == ("2026-01", "已决议", "7/1/0")
    assert ok[col["两委会表决"]] == "6/1/0" and ok[col["党员大会表决"]] == "10/1/0"
    assert (bad[col["状态"]], bad[col["村民代表会议表决"]]) == ("未通过", "未达法定人数")
    assert "不足三分之二（需至少 6 人）" in bad[col["备注"]]

    col, rows = _sheet(out, "村民代表会议记录")
    assert [(r[col["议题"]], r[col["应到"]], r[col["实到"]], r[col["表决结果"]]) for r in rows] == [
        ("修缮村东小桥", 9, 8, "通过"), ("调整机动地承包费", 9, 5, "不足法定人数")]
    assert rows[1][col["赞成"]] in ("", None) and rows[1][col["缺席人员"]] == "代表6、代表7、代表8、代表9"
    summary = rows[0][col["会议记录摘要"]]
    # cut to a cell's length, never through a number (the ledger is 内部资料: masked only for 网格员)
    assert summary == "议" * 70 + "联系电话…"

    pdf = tmp_path / "决议公开.pdf"
    assert cli_main([*base, "notice", "decision", "--id", "2026-1", "-o", str(pdf), "--start", "2026-03-13"]) == 0
    assert "修缮村东小桥" in "".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert cli_main([*base, "notice", "decision", "--id", "2026-02", "-o", str(tmp_path / "x.pdf")]) == 1
    assert cli_main([*base, "notice", "decision", "--id", "2026-01", "--result", "-o", str(tmp_path / "y.pdf")]) == 1
    assert cli_main([*base, "notice", "decision", "--id", "2030-09", "-o", str(tmp_path / "z.pdf")]) == 1
    assert cli_main([*base, "notice", "verify", str(pdf)]) == 0
    with db.session() as s:
        unit_id = make_unit_id(s)
        assert [n.kind for n in archive.list_notices(s, unit_id)] == ["decision"]
        assert decisions.get_decision(s, decisions.find_decision(s, unit_id, "2026-01")).status == "实施中"


def make_unit_id(s) -> int:  # type: ignore[no-untyped-def]
    from app.services.units import current_unit_id

    uid = current_unit_id(s)
    assert uid is not None
    return uid
