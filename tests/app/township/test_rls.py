"""Row-level security on PostgreSQL (issue 23): a login role that does not own the tables reads and writes
only the units named in villagedesk.units / villagedesk.write_units, and the program's own sessions set
them from the signed-in operator (the Session events at the end of app.services.access)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Connection, create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from app.db import open_database
from app.models import Resident
from app.services.context import AppContext
from app.services.people import households, residents
from app.services.people.households import HouseholdInput
from app.services.people.residents import ResidentInput, ResidentQuery
from app.services.safety import auth
from app.services.setup import founding
from tests.pg import running_postgres, why_unavailable

_reason = why_unavailable()
if _reason:
    print(f"\n跳过 PostgreSQL 测试：{_reason}")
pytestmark = pytest.mark.skipif(_reason is not None, reason=_reason or "")


@dataclass(frozen=True)
class Server:
    village_url: str  # a login role that does not own the tables: row-level security applies
    a: int
    b: int
    a_people: int
    b_people: int
    a_admin: int


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with running_postgres() as url:
        owner = open_database(url)
        ctx = AppContext(owner)
        town = ctx.call(founding.create_unit, "阳曲镇", county="阳曲县", kind="镇")
        units = [ctx.call(founding.create_unit, name, township="阳曲镇", kind="村", parent_id=town)
                 for name in ("东坟村", "西坟村")]
        for unit_id, people in zip(units, (["甲一", "甲二", "甲三"], ["乙一", "乙二"]), strict=True):
            hh = ctx.call(households.add_household, unit_id, HouseholdInput(f"{unit_id}-001"))
            for name in people:
                ctx.call(residents.add_resident, unit_id, ResidentInput(name, household_id=hh))
        a_admin = ctx.call(auth.ensure_admin, units[0])
        with owner.engine.begin() as conn:
            conn.execute(text("CREATE ROLE village LOGIN"))
            conn.execute(text("GRANT USAGE ON SCHEMA public TO village"))
            conn.execute(text("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO village"))
            conn.execute(text("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO village"))
        owner.dispose()
        village = make_url(url).set(username="village").render_as_string(hide_password=False)
        yield Server(village, units[0], units[1], 3, 2, a_admin)


def _as_village(server: Server) -> Connection:
    return create_engine(server.village_url, poolclass=NullPool).connect()


def _scope(conn: Connection, units: str, write: str) -> None:
    conn.execute(text("SELECT set_config('villagedesk.units', :u, true), set_config('villagedesk.write_units', :w, true)"),
                 {"u": units, "w": write})


def test_plain_sql_reads_only_the_units_named(server: Server) -> None:
    with _as_village(server) as conn, conn.begin():
        assert conn.scalar(text("SELECT count(*) FROM residents")) == 0  # nothing set: nothing visible
        _scope(conn, str(server.a), str(server.a))
        assert conn.scalar(text("SELECT count(*) FROM residents")) == server.a_people
        _scope(conn, f"{server.a},{server.b}", "")
        assert conn.scalar(text("SELECT count(*) FROM residents")) == server.a_people + server.b_people
        _scope(conn, "all", "")
        assert conn.scalar(text("SELECT count(*) FROM residents")) == server.a_people + server.b_people


def test_plain_sql_writes_only_the_units_named(server: Server) -> None:
    insert = text("INSERT INTO settings (unit_id, key, value) VALUES (:u, 'rls_probe', '1')")
    with _as_village(server) as conn:
        with conn.begin():
            _scope(conn, str(server.a), str(server.a))
            conn.execute(insert, {"u": server.a})  # its own unit: allowed
        with pytest.raises(DBAPIError, match="row-level security"), conn.begin():
            _scope(conn, str(server.a), str(server.a))
            conn.execute(insert, {"u": server.b})
        with conn.begin():  # read-only (a 镇级 operator without can_write): nothing changes
            _scope(conn, f"{server.a},{server.b}", "")
            assert conn.execute(text("UPDATE residents SET note = 'x'")).rowcount == 0
            assert conn.execute(text("DELETE FROM settings WHERE key = 'rls_probe'")).rowcount == 0
        with pytest.raises(DBAPIError, match="row-level security"), conn.begin():
            _scope(conn, f"{server.a},{server.b}", "")
            conn.execute(insert, {"u": server.a})


def _raw_count(s: Session) -> int:
    """Plain SQL, which the ORM's unit criteria do not touch: only row-level security limits it."""
    return int(s.scalar(text("SELECT count(*) FROM residents")) or 0)


def _orm_count(s: Session) -> int:
    return int(s.scalar(select(func.count(Resident.id))) or 0)


def test_the_programs_sessions_set_the_operators_units(server: Server) -> None:
    db = open_database(server.village_url, migrate=False)
    try:
        nobody = AppContext(db)  # no operator (a script): no limit
        assert nobody.call(_raw_count) == server.a_people + server.b_people
        village = AppContext(db)
        village.operator_id = server.a_admin
        assert village.call(_raw_count) == server.a_people
        assert village.call(_orm_count) == server.a_people
        names = {r.name for r in village.call(residents.list_residents, ResidentQuery(server.a))}
        assert names == {"甲一", "甲二", "甲三"}
        assert village.call(residents.list_residents, ResidentQuery(server.b)) == []
    finally:
        db.dispose()


def test_a_village_the_township_creates_is_in_its_row_security_at_once(server: Server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The township's 管理员 (镇级, may write) on a login role subject to row-level security: issue_keys makes
    the village and registers its key in one transaction — the new unit joins the policies' settings."""
    from app.models import Unit, VillageKey
    from app.services.township import keys

    db = open_database(server.village_url, migrate=False)
    try:
        nobody = AppContext(db)
        town = nobody.call(lambda s: s.get(Unit, server.a).parent_id)
        manager = AppContext(db)
        manager.operator_id = nobody.call(auth.ensure_admin, town)
        issued = manager.call(keys.issue_keys, town, "南坟村", tmp_path, district="第二片区")
        assert nobody.call(lambda s: s.scalar(select(VillageKey.key_id).where(VillageKey.unit_id == issued.unit_id))) \
            == issued.key_id
        assert "南坟村" in {k.village for k in manager.call(keys.list_keys, town)}
    finally:
        db.dispose()
