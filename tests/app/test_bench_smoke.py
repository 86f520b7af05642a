"""Smoke test of the benchmarks (bench/): every case runs once on a tiny dataset, so none can rot.

No timing is checked here: benchmarks are not tests (`python -m bench` measures, on the county data).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import dataset
from bench.__main__ import Result, table
from bench.cases import CASES, Env


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Env:
    folder = tmp_path_factory.mktemp("bench")
    db, roster = folder / "tiny.sqlite", folder / "roster.xlsx"
    dataset.build_db(db, tiny=True)
    dataset.write_roster(roster, db, dataset.TINY_ROSTER_ROWS)
    out = folder / "out"
    out.mkdir()
    return Env(db, out, roster, tiny=True)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case_runs(case, env: Env, qapp) -> None:  # type: ignore[no-untyped-def]
    from bench.__main__ import _missing

    if _missing(case):
        pytest.skip(_missing(case))
    for make in (case.app, case.bare):
        if make is None:
            continue
        value = make(env)()
        close = getattr(value, "close", None)
        if callable(close) and case.cold:
            close()  # the main window


def test_table_says_what_missed() -> None:
    case = next(c for c in CASES if c.name == "assessment")
    text = table([Result(case, [2.0], [0.01], 120.0, 30.0), Result(CASES[1], [0.01], [0.001], 400.0, 20.0)])
    assert "未达标" in text and "200.00×" in text and "400 / 20" in text


def test_a_case_with_its_own_memory_target_is_judged_by_it() -> None:
    case = next(c for c in CASES if c.name == "print_notice")
    assert case.limit_rss_mb == 300
    assert Result(case, [1.0], [0.5], 320.0, 110.0).verdict() == "内存超标"  # under the general 350 MB
    assert Result(case, [1.0], [0.5], 120.0, 110.0).verdict() == "达标"


def test_county_generator_is_deterministic(env: Env, tmp_path: Path) -> None:
    import sqlite3

    again = tmp_path / "again.sqlite"
    dataset.build_db(again, tiny=True)
    query = "SELECT name, id_number, household_id, relation FROM residents ORDER BY id"
    with sqlite3.connect(env.db) as a, sqlite3.connect(again) as b:
        first, second = a.execute(query).fetchall(), b.execute(query).fetchall()
    assert first == second and len(first) == 900
    assert len({r[1] for r in first}) == len(first)  # 身份证号 unique
