"""上报数据包 from a village's SQLite file into a township's PostgreSQL server (COPY, sequences moved on)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.db import Database, open_database, resolve_url
from app.models import PackageSnapshot, Unit
from app.services.people import residents
from app.services.township import keys, packages
from tests.pg import running_postgres, why_unavailable

from .pkg_helpers import counts, export, resolved_rows

_reason = why_unavailable()
if _reason:
    print(f"\n跳过 PostgreSQL 测试：{_reason}")
pytestmark = pytest.mark.skipif(_reason is not None, reason=_reason or "")


@pytest.fixture(scope="module")
def pg_db() -> Iterator[Database]:
    with running_postgres() as url:
        db = open_database(url)
        yield db
        db.dispose()


def test_sqlite_village_into_postgresql_township(pg_db: Database, demo_template_db: Path, tmp_path: Path) -> None:
    village = open_database(resolve_url(shutil.copyfile(demo_template_db, tmp_path / "village.sqlite")))
    try:
        with pg_db.session() as s:
            tid = keys.create_township(s, "城关街道", kind="街道")
            issued = keys.issue_keys(s, tid, "东坟村", tmp_path / "keys", district="第一片区")
        with village.session() as s:
            vid = s.scalars(select(Unit.id).order_by(Unit.id)).first()
            assert vid is not None
            keys.install_key(s, vid, issued.private_path)
        package = export(village, vid, tmp_path / "p.vdpkg", date(2026, 11, 30))
        with pg_db.session() as s:
            assert packages.import_package(s, package).status == "imported"
        with village.session() as vs, pg_db.session() as ts:
            assert counts(ts, issued.unit_id) == counts(vs, vid)
            assert resolved_rows(ts, issued.unit_id) == resolved_rows(vs, vid)
        with pg_db.session() as s:
            assert packages.import_package(s, package).status == "unchanged"
            assert s.scalar(select(func.count()).select_from(PackageSnapshot)) == 1
        # the sequences were moved past the copied ids: a row added afterwards gets a fresh id
        with pg_db.session() as s:
            new_id = residents.add_resident(s, issued.unit_id, residents.ResidentInput("镇里新增"))
            assert new_id > 0
        # a second package of a later date replaces the rows again (ids above the first import's)
        with village.session() as s:
            residents.add_resident(s, vid, residents.ResidentInput("村里新增"))
        later = export(village, vid, tmp_path / "q.vdpkg", date(2026, 12, 1))
        with pg_db.session() as s:
            assert packages.import_package(s, later).status == "imported"
        with village.session() as vs, pg_db.session() as ts:
            assert counts(ts, issued.unit_id) == counts(vs, vid)
            assert [(r.as_of, r.is_current) for r in packages.list_snapshots(ts, tid)] == [
                (date(2026, 12, 1), True), (date(2026, 11, 30), False)]
    finally:
        village.dispose()
