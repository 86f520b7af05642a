"""片区 in their numbered order (issue 23): 第二片区党委 before 第三 and 第十二 — a plain text sort puts 第三 first —
in the unit list and the 镇级汇总 figures (the stacked ledgers take the same order); villages without a 片区 last."""

from __future__ import annotations

from datetime import date

import pytest

from app.db import Database
from app.services.context import AppContext
from app.services.setup import founding
from app.services.township.figures import NO_DISTRICT, township_figures
from app.services.units import district_order, list_villages
from app.text import numbered_order

DISTRICTS = ["第三片区党委", "第十二片区党委", "", "第二片区党委", "第十片区党委", "第1片区", "第一片区党委"]


@pytest.mark.parametrize(("earlier", "later"), [
    ("第二片区党委", "第三片区党委"), ("第三片区党委", "第十片区党委"), ("第十片区党委", "第十二片区党委"),
    ("第十二片区党委", "第二十片区党委"), ("第2村", "第10村"), ("第九村民小组", "第十一村民小组"),
    ("第二十一片区", "第三十片区"), ("第十二片区", "北片区"),
])
def test_numbered_names_sort_by_their_number(earlier: str, later: str) -> None:
    assert numbered_order(earlier) < numbered_order(later)
    assert district_order(earlier) < district_order(later)


def test_no_district_comes_last() -> None:
    assert district_order("第十二片区党委") < district_order("北片区") < district_order("")
    assert district_order(NO_DISTRICT) > district_order("第二十片区") and district_order(NO_DISTRICT)[0]


def test_villages_and_figures_follow_the_district_numbers(demo_db: Database) -> None:
    ctx = AppContext(demo_db)
    town = ctx.call(founding.create_unit, "琉璃河镇", kind="镇")
    for i, district in enumerate(DISTRICTS):
        for n in (10 + 20 * i, 2 + 20 * i):  # 第10村 after 第2村 within a 片区
            ctx.call(founding.create_unit, f"第{n}村", township="琉璃河镇", parent_id=town, district=district)
    villages = ctx.call(list_villages, town)
    wanted = ["第1片区", "第一片区党委", "第二片区党委", "第三片区党委", "第十片区党委", "第十二片区党委", ""]
    got = list(dict.fromkeys(v.district for v in villages))
    # 第1片区 and 第一片区党委 share the number: by name then; then 第二 … 第十二, the villages without one last
    assert got == wanted
    assert [v.name for v in villages if v.district == "第三片区党委"] == ["第2村", "第10村"]
    figures = ctx.call(township_figures, town, 2026, date(2026, 12, 3))
    assert [d.name for d in figures.districts] == [*wanted[:-1], NO_DISTRICT]
    assert [v.name for v in figures.villages] == [v.name for v in villages]
