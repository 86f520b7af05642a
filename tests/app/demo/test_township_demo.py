"""The seed township (issue 23 point 4): `demo --township DIR` writes 13 signed village packages and a
township database; after `package import DIR/*.vdpkg`, `township stats` shows 阳曲镇's figures (seed 004):
3,355 households, 217 / 352 / 405 / 48 / 36 = 1,058 星级文明户, 31.5 %. On SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.cli import main
from app.db import open_database, resolve_url
from app.demo.township import VILLAGES, largest_remainder, village_specs
from app.models import Base, Household, PackageSnapshot, Resident, Unit, VillageKey
from tests.pg import running_postgres, why_unavailable

SEED_LEVELS = "五星 217 / 四星 352 / 三星 405 / 二星 48 / 一星 36"
YEAR = "2026"


def _total_line(out: str) -> str:
    lines = [ln for ln in out.splitlines() if ln.startswith("合计")]
    assert len(lines) == 1, out
    return lines[0]


def _assert_seed_figures(out: str) -> None:
    total = _total_line(out)
    assert "13 个村" in total
    assert "户 3,355" in total
    assert f"星级文明户 1,058 户（{SEED_LEVELS}）" in total
    assert "占 31.5%" in total
    for name, district, _h in VILLAGES:  # every village under its 片区
        assert any(ln.strip().startswith(f"{name}：") for ln in out.splitlines()), name
        assert district in out


def _row_counts(url: str) -> dict[str, int]:
    db = open_database(url, migrate=False)
    try:
        with db.session() as s:
            return {t.name: s.scalar(select(func.count()).select_from(t)) or 0 for t in Base.metadata.sorted_tables}
    finally:
        db.dispose()


def _import(where: list[str], out_dir: Path) -> int:
    return main([*where, "package", "import", *map(str, sorted(out_dir.glob("*.vdpkg")))])


def test_village_specs_add_up_to_the_seed() -> None:
    specs = village_specs()
    assert len(specs) == 13
    assert sum(v.households for v in specs) == 3355
    for level, total in {5: 217, 4: 352, 3: 405, 2: 48, 1: 36}.items():
        assert sum(v.levels[level] for v in specs) == total
    assert sum(sum(v.levels.values()) for v in specs) == 1058
    assert len({v.district for v in specs}) == 3
    assert largest_remainder(10, [1, 1, 1]) == [4, 3, 3]  # remainders tie: the first takes the extra one


@pytest.fixture(scope="module")
def township_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out_dir = tmp_path_factory.mktemp("yangqu")
    assert main(["demo", "--township", str(out_dir)]) == 0
    return out_dir


def test_demo_township_writes_packages_and_keys_only(township_dir: Path) -> None:
    packages = sorted(p.stem for p in township_dir.glob("*.vdpkg"))
    assert packages == sorted(name for name, _d, _h in VILLAGES)
    assert not list(township_dir.glob("*.vdkey"))  # the private keys stay with the (temporary) villages
    db = open_database(resolve_url(township_dir / "township.sqlite"), migrate=False)
    try:
        with db.session() as s:
            township = s.scalars(select(Unit).where(Unit.kind == "镇")).one()
            assert (township.name, township.county) == ("阳曲镇", "尖草坪区")
            villages = {u.name: u.district for u in s.scalars(select(Unit).where(Unit.parent_id == township.id))}
            assert villages == {name: district for name, district, _h in VILLAGES}
            assert s.scalar(select(func.count(VillageKey.id))) == 13
            # no village data until the packages are imported
            assert s.scalar(select(func.count(Household.id))) == 0
            assert s.scalar(select(func.count(Resident.id))) == 0
    finally:
        db.dispose()


def test_import_then_stats_shows_the_seed(township_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    where = ["--db", str(township_dir / "township.sqlite")]
    capsys.readouterr()
    assert _import(where, township_dir) == 0
    assert main([*where, "township", "stats", "--year", YEAR]) == 0
    _assert_seed_figures(capsys.readouterr().out)
    # importing the same packages again changes nothing
    url = resolve_url(township_dir / "township.sqlite")
    before = _row_counts(url)
    assert before["package_snapshots"] == 13
    assert _import(where, township_dir) == 0
    assert _row_counts(url) == before
    assert main([*where, "township", "stats", "--year", YEAR]) == 0
    _assert_seed_figures(capsys.readouterr().out)


def test_demo_township_refuses_a_folder_with_packages(township_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stamp = {p.name: p.stat().st_mtime_ns for p in township_dir.iterdir()}
    capsys.readouterr()
    assert main(["demo", "--township", str(township_dir)]) == 1
    err = capsys.readouterr().err
    assert "已有 13 个数据包" in err and "--force" in err
    assert {p.name: p.stat().st_mtime_ns for p in township_dir.iterdir()} == stamp  # nothing touched


# ---------------------------------------------------------------- PostgreSQL

_reason = why_unavailable()


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    if _reason:
        print(f"\n跳过 PostgreSQL 测试：{_reason}")
        pytest.skip(_reason)
    with running_postgres() as url:
        yield url


def test_township_on_postgres(pg_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    where = ["--db-url", pg_url]
    assert main([*where, "demo", "--township", str(tmp_path)]) == 0
    assert not (tmp_path / "township.sqlite").exists()  # the township's database is the server
    assert _import(where, tmp_path) == 0
    capsys.readouterr()
    assert main([*where, "township", "stats", "--year", YEAR]) == 0
    _assert_seed_figures(capsys.readouterr().out)
    before = _row_counts(pg_url)
    assert _import(where, tmp_path) == 0
    assert _row_counts(pg_url) == before
    db = open_database(pg_url, migrate=False)
    try:
        with db.session() as s:
            assert s.scalar(select(func.count(PackageSnapshot.id)).where(PackageSnapshot.is_current)) == 13
    finally:
        db.dispose()
