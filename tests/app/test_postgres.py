"""The same code runs on PostgreSQL (a township pooling its villages on one server)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from app.db import Database, open_database
from app.migrate import current_revision, head_revision
from app.models import Base
from tests.pg import running_postgres, why_unavailable

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


def test_postgres_migrates_to_head_and_matches_models(pg_db: Database) -> None:
    assert current_revision(pg_db) == head_revision()
    with pg_db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []


def test_postgres_demo_and_search(pg_db: Database) -> None:
    from app.demo import village as demo
    from app.services.org import members

    with pg_db.session() as s:
        summary = demo.build_demo(s, force=True)
    assert summary.residents == 815
    with pg_db.session() as s:
        unit_id = demo_unit_id(s)
        rows = members.list_members(s, members.MemberQuery(unit_id=unit_id), 0, 100)
        assert len(rows) >= 59
        name = rows[0].name
        from app.text import name_initials

        found = members.list_members(s, members.MemberQuery(unit_id=unit_id, text=name_initials(name)), 0, 100)
        assert name in {r.name for r in found}


def demo_unit_id(s) -> int:  # type: ignore[no-untyped-def]
    from app.services.units import current_unit_id

    unit_id = current_unit_id(s)
    assert unit_id is not None
    return unit_id
