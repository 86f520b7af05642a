"""星级文明户 outputs and data: CLI notice (A4/A3) and ledgers, the demo round, the township seed check."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from app.cli import main
from app.db import Database
from app.demo.stars import SEED_HOUSEHOLDS, SEED_LEVELS, scaled_levels
from app.models import Household, StarApplication, StarApplicationItem, StarChange, StarRound
from app.services.notices import archive as notices
from app.services.stars import rounds as stars
from app.services.stars import stats as star_stats
from app.services.units import current_unit_id


def test_cli_notice_stars_a4_and_a3(demo_db_path: Path, demo_db: Database, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    """The demo round is 报镇备案: its notice is the 评定结果, one per round unless withdrawn."""
    a4, a3 = tmp_path / "stars.pdf", tmp_path / "stars-a3.pdf"
    assert main(["--db", str(demo_db_path), "notice", "stars", "--year", "2026", "-o", str(a4)]) == 0
    number = capsys.readouterr().out.split("已生成公示 ", 1)[1].split("《", 1)[0]
    assert main(["--db", str(demo_db_path), "notice", "stars", "--year", "2026", "--paper", "A3", "-o", str(a3)]) == 1
    assert f"已发布评定结果公示 {number}" in capsys.readouterr().err and not a3.exists()
    with demo_db.session() as s:
        notices.withdraw_notice(s, int(number.split("-")[1]), date.today(), "改用A3纸张重新张贴")
    assert main(["--db", str(demo_db_path), "notice", "stars", "--year", "2026", "--paper", "A3", "-o", str(a3)]) == 0
    width_a4 = float(PdfReader(a4).pages[0].mediabox.width)
    width_a3 = float(PdfReader(a3).pages[0].mediabox.width)
    assert round(width_a4) == 595 and round(width_a3) == 842
    text = "".join("".join(p.extract_text().split()) for p in PdfReader(a4).pages)
    assert "关于2026年度星级文明户评定结果的公示" in text and "五星级" in text
    assert "评定为星级文明户" in text and "报镇党委备案" in text and "拟评为" not in text
    assert len(PdfReader(a4).pages) <= 4  # 95 households, one line each
    assert main(["--db", str(demo_db_path), "notice", "stars", "--year", "2019", "-o", str(tmp_path / "x.pdf")]) == 1
    assert not (tmp_path / "x.pdf").exists()


def test_cli_export_stars_ledgers(demo_db_path: Path, demo_db: Database, tmp_path: Path) -> None:
    out = tmp_path / "stars.xlsx"
    code = main(["--db", str(demo_db_path), "export", "stars", "star-awards", "star-stats", "--year", "2026",
                 "-o", str(out)])
    assert code == 0
    wb = load_workbook(out)
    assert wb.sheetnames == ["星级文明户台账", "命名授牌名单", "星级文明户统计表"]
    with demo_db.session() as s:
        unit_id = current_unit_id(s)
        assert unit_id is not None
        st = star_stats.round_statistics(s, stars.round_for_year(s, unit_id, 2026))
    ledger = [r for r in wb["星级文明户台账"].iter_rows(min_row=4, values_only=True)]
    households = [r for r in ledger if isinstance(r[0], int)]
    subtotals = [r for r in ledger if isinstance(r[1], str) and r[1].endswith("小计")]
    total = next(r for r in ledger if r[1] == "合计")
    assert len(households) == st.total.starred == int(total[3].split()[0])
    assert [int(r[3].split()[0]) for r in subtotals] == [g.starred for g in st.grids if g.starred]
    ticks = sum(1 for r in households for v in r[5:10] if v == "√")
    assert ticks == sum(int(v) for v in total[5:10])
    awards = list(wb["命名授牌名单"].iter_rows(min_row=4, values_only=True))
    assert awards[0][1] == "五星级" and awards[0][7] is not None and awards[0][8] is not None
    stats = list(wb["星级文明户统计表"].iter_rows(min_row=4, values_only=True))
    assert stats[0][:4] == ("全村", "合计", st.total.households, st.total.applied)
    assert float(stats[0][-1]) * 100 == pytest.approx(st.total.share)  # a fraction shown 0.0 %


def test_demo_round_has_the_seed_shape(demo_db: Database) -> None:
    with demo_db.session() as s:
        unit_id = current_unit_id(s)
        assert unit_id is not None
        rid = stars.round_for_year(s, unit_id, 2026)
        info = stars.get_round(s, rid)
        assert info.step == "filed" and info.meeting_on and info.filed_on and info.objections == 1
        st = star_stats.round_statistics(s, rid)
        n = st.total.households
        assert dict((5 - i, c) for i, (_l, c) in enumerate(st.level_counts())) == scaled_levels(n)
        assert abs(st.total.share - 31.5) < 0.5 and st.total.participation > 90
        assert s.scalar(select(func.count(StarChange.id))) == 3


def test_scaled_levels_keep_the_seed_numbers() -> None:
    assert scaled_levels(SEED_HOUSEHOLDS) == SEED_LEVELS
    assert sum(scaled_levels(301).values()) == round(301 * 1058 / 3355)


def test_township_sized_round_reproduces_the_seed(session: Session, unit_id: int) -> None:
    """阳曲镇: 3,355 households, 五星217 四星352 三星405 二星48 一星36 = 1058, 31.5 %, participation above 90 %."""
    s = session
    cats = [c.id for c in stars.ensure_categories(s, unit_id)]
    hids = list(s.scalars(insert(Household).returning(Household.id, sort_by_parameter_order=True),
                          [{"unit_id": unit_id, "number": f"{i:05d}"} for i in range(SEED_HOUSEHOLDS)]))
    rid = s.scalar(insert(StarRound).returning(StarRound.id).values(unit_id=unit_id, year=2023, name="全镇评选",
                                                                    step="filed"))
    plan = [lv for lv, n in SEED_LEVELS.items() for _ in range(n)] + [0] * 2042  # 3,100 applied
    apps = list(s.scalars(insert(StarApplication).returning(StarApplication.id, sort_by_parameter_order=True), [
        {"round_id": rid, "household_id": h, "source": "自报", "applied_on": date(2023, 5, 1), "level": lv}
        for h, lv in zip(hids, plan, strict=False)]))
    items = []
    for a, lv in zip(apps, plan, strict=True):
        items += [{"application_id": a, "category_id": c, "decision": "approved", "review_body": "道德评议会"}
                  for c in cats[:lv]]
        if lv == 0:
            items.append({"application_id": a, "category_id": cats[0], "decision": "rejected",
                          "review_body": "村民议事会", "opinion": "暂不评定"})
    s.execute(insert(StarApplicationItem), items)
    st = star_stats.round_statistics(s, rid)
    assert st.level_counts() == [("五星级", 217), ("四星级", 352), ("三星级", 405), ("二星级", 48), ("一星级", 36)]
    assert st.total.starred == 1058 and st.total.households == 3355
    assert st.total.share == 31.5
    assert st.total.participation > 90
