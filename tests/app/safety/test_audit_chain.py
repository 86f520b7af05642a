"""The 操作日志 is tamper-evident: triggers refuse rewrites, the hash chain and operator digests catch the rest."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import DBAPIError

from app.db import Database, open_database, resolve_url
from app.migrate import alembic_config
from app.models import AuditEntry, Operator
from app.services import audit
from app.services.context import AppContext
from app.services.errors import ServiceError
from app.services.safety import audit_log, auth, backup
from tests.pg import running_postgres, why_unavailable

ROOT = Path(__file__).resolve().parents[3]


def raw(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def tamper(path: Path, *sql: str) -> None:
    """What someone with the file and a SQLite tool can do: drop the guard and change rows."""
    conn = raw(path)
    try:
        conn.execute("DROP TRIGGER audit_entries_no_update")
        conn.execute("DROP TRIGGER audit_entries_no_delete")
        for statement in sql:
            conn.execute(statement)
    finally:
        conn.close()


def ids(path: Path) -> list[int]:
    conn = raw(path)
    try:
        return [r[0] for r in conn.execute("SELECT id FROM audit_entries ORDER BY id")]
    finally:
        conn.close()


# ---------------------------------------------------------------- the guard


def test_plain_sql_cannot_update_or_delete_entries(demo_db: Database, demo_db_path: Path) -> None:
    conn = raw(demo_db_path)
    try:
        for sql in ("UPDATE audit_entries SET summary = '无事发生'", "DELETE FROM audit_entries WHERE id = 1",
                    "DELETE FROM audit_entries"):
            with pytest.raises(sqlite3.IntegrityError, match="操作日志不可修改"):
                conn.execute(sql)
        assert conn.execute("SELECT count(*) FROM audit_entries WHERE summary = '无事发生'").fetchone()[0] == 0
    finally:
        conn.close()
    assert backup.check(demo_db) == []


def test_bulk_orm_statements_cannot_rewrite_entries(demo_db: Database) -> None:
    with demo_db.session() as s:
        before = s.scalar(select(func.count(AuditEntry.id)))
    unchained = insert(AuditEntry).values(action="x", entity="x", summary="", at=datetime(2026, 1, 1))
    for stmt in (update(AuditEntry).values(summary="改"), delete(AuditEntry).where(AuditEntry.id == 1), unchained):
        with pytest.raises(ServiceError, match="只能追加"), demo_db.session() as s:
            s.execute(stmt)
    # past the ORM check (a Core statement on the table): the trigger refuses it in the database
    # (SQLite's RAISE(ABORT) arrives as IntegrityError, PostgreSQL's RAISE EXCEPTION as another DBAPIError)
    for core in (update(AuditEntry.__table__).values(summary="改"), delete(AuditEntry.__table__)):
        with pytest.raises(DBAPIError, match="操作日志不可修改"), demo_db.session() as s:
            s.execute(core)
    with demo_db.session() as s:
        assert s.scalar(select(func.count(AuditEntry.id))) == before
        assert s.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.summary == "改")) == 0


def test_a_fork_of_the_chain_cannot_be_stored(demo_db_path: Path) -> None:
    conn = raw(demo_db_path)
    try:
        prev = conn.execute("SELECT prev_hash FROM audit_entries ORDER BY id DESC LIMIT 1").fetchone()[0]
        with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
            conn.execute("INSERT INTO audit_entries (at, action, entity, summary, prev_hash, hash) "
                         "VALUES ('2026-01-01 00:00:00', 'x', 'x', '', ?, 'x')", (prev,))
    finally:
        conn.close()


# ---------------------------------------------------------------- check finds tampering


def test_clean_demo_village_passes_check(demo_db: Database) -> None:
    assert backup.check(demo_db) == []
    with demo_db.session() as s:
        first, last = s.execute(select(func.min(AuditEntry.id), func.max(AuditEntry.id))).one()
        assert s.scalar(select(AuditEntry.prev_hash).where(AuditEntry.id == first)) == audit.GENESIS
        assert s.scalar(select(AuditEntry.hash).where(AuditEntry.id == last)) == audit._last_hash(s)


def test_county_demo_passes_check(tmp_path: Path) -> None:
    from app.demo.county import TINY_SCALE, build_county

    db = open_database(resolve_url(tmp_path / "county.sqlite"))
    try:
        with db.session() as s:
            build_county(s, scale=TINY_SCALE)
        assert backup.check(db) == []
    finally:
        db.dispose()


def test_a_deleted_entry_is_reported(demo_db: Database, demo_db_path: Path) -> None:
    victim = ids(demo_db_path)[10]
    tamper(demo_db_path, f"DELETE FROM audit_entries WHERE id = {victim}")
    problems = backup.check(demo_db)
    assert problems == [f"操作日志第 {victim} 至 {victim} 条被删除了（第 {victim + 1} 条与前一条接不上）"]


def test_deleting_the_first_entries_is_reported(demo_db: Database, demo_db_path: Path) -> None:
    first = ids(demo_db_path)[0]
    tamper(demo_db_path, f"DELETE FROM audit_entries WHERE id <= {first + 2}")
    problems = backup.check(demo_db)
    assert f"第 {first + 3} 条" in problems[0] and "之前的操作日志被删除了" in problems[0]
    # the demo's first entries include adding its admin: that operator is now unaccounted for
    assert problems[1:] == ["操作员“村书记”（登录名 admin）不是通过本程序添加的（操作日志中没有它的记录）"]


def test_an_edited_summary_is_reported(demo_db: Database, demo_db_path: Path) -> None:
    victim = ids(demo_db_path)[5]
    tamper(demo_db_path, f"UPDATE audit_entries SET summary = '什么也没改' WHERE id = {victim}")
    assert backup.check(demo_db) == [f"操作日志第 {victim} 条（{_at(demo_db, victim)}，什么也没改）被改动过（内容与校验码不符）"]


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link(demo_db: Database, demo_db_path: Path) -> None:
    victim = ids(demo_db_path)[5]
    tamper(demo_db_path, f"UPDATE audit_entries SET summary = '什么也没改' WHERE id = {victim}")
    with demo_db.sessions() as s:  # the attacker knows the hash form too
        row = next(r for r in audit.chain(s) if r.id == victim)
        forged = audit.hash_of(row)
    tamper_conn = raw(demo_db_path)
    tamper_conn.execute("UPDATE audit_entries SET hash = ? WHERE id = ?", (forged, victim))
    tamper_conn.close()
    problems = backup.check(demo_db)
    assert len(problems) == 1 and f"第 {victim + 1} 条" in problems[0] and "接不上" in problems[0]


def _at(db: Database, entry_id: int) -> str:
    with db.sessions() as s:
        at = s.get(AuditEntry, entry_id).at  # type: ignore[union-attr]
        return f"{at.replace(tzinfo=UTC).astimezone():%Y-%m-%d %H:%M}"


def test_operator_changes_outside_the_program_are_reported(
    ctx: AppContext, staff: dict[str, int], demo_db: Database, demo_db_path: Path,
) -> None:
    # changes through the program keep check clean
    ctx.call(auth.update_operator, staff["clerk"], "王文书", "grid", True, (staff["grid_id"],))
    ctx.call(auth.set_password, staff["grid"], "new-grid-pass")
    assert backup.check(demo_db) == []
    conn = raw(demo_db_path)
    try:
        conn.execute(f"UPDATE operators SET role = 'admin' WHERE id = {staff['grid']}")
        assert backup.check(demo_db) == ["操作员“李网格”的角色或密码被绕过程序改动过（操作日志中没有这次改动）"]
        conn.execute(f"UPDATE operators SET role = 'grid' WHERE id = {staff['grid']}")
        assert backup.check(demo_db) == []  # put back exactly: nothing to report
        hashed = conn.execute(f"SELECT password_hash FROM operators WHERE id = {staff['admin']}").fetchone()[0]
        conn.execute("UPDATE operators SET password_hash = ? WHERE id = ?", (hashed, staff["clerk"]))
        conn.execute(f"UPDATE settings SET value = '[]' WHERE key = 'operator_grids:{staff['grid']}'")
        conn.execute("INSERT INTO operators (unit_id, username, display_name, role, active, created_at, updated_at) "
                     f"VALUES ({ctx.unit_id}, 'ghost', '影子', 'admin', 1, '2026-01-01', '2026-01-01')")
    finally:
        conn.close()
    problems = backup.check(demo_db)
    assert problems == [
        "操作员“王文书”的角色或密码被绕过程序改动过（操作日志中没有这次改动）",
        "操作员“李网格”的角色或密码被绕过程序改动过（操作日志中没有这次改动）",
        "操作员“影子”（登录名 ghost）不是通过本程序添加的（操作日志中没有它的记录）",
    ]


def test_an_operator_change_with_its_entry_deleted_is_reported(
    ctx: AppContext, staff: dict[str, int], demo_db: Database, demo_db_path: Path,
) -> None:
    """The chain alone cannot see the newest entries cut off; the operator digest still does."""
    ctx.call(auth.update_operator, staff["grid"], "李网格", "admin", True)
    last = ids(demo_db_path)[-1]
    tamper(demo_db_path, f"DELETE FROM audit_entries WHERE id = {last}")
    assert backup.check(demo_db) == ["操作员“李网格”的角色或密码被绕过程序改动过（操作日志中没有这次改动）"]


# ---------------------------------------------------------------- migration, concurrency, search


def test_upgrade_from_0004_chains_existing_entries(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    cfg = alembic_config(resolve_url(path))
    command.upgrade(cfg, "0004_blank_village")
    conn = raw(path)
    conn.execute("INSERT INTO units (id, name, kind, township, county, contact_person, contact_phone, objection_box,"
                 " notice_days, notice_workdays, is_demo, committee_phone, created_at, updated_at) VALUES "
                 "(1, '旧村', '村', '某镇', '某县', '', '', '', 5, 0, 0, '', '2025-01-01', '2025-01-01')")
    conn.execute("INSERT INTO operators (id, unit_id, username, display_name, role, password_hash, active, created_at,"
                 " updated_at) VALUES (7, 1, 'wg', '老网格', 'grid', NULL, 1, '2025-01-01', '2025-01-01')")
    conn.execute("INSERT INTO settings (unit_id, key, value, created_at, updated_at) VALUES "
                 "(1, 'operator_grids:7', '[3, 2]', '2025-01-01', '2025-01-01')")
    for i, at in enumerate(("2025-01-02 08:00:00.000000", "2025-01-02 09:30:00", "2025-01-03 10:00:00.250000")):
        conn.execute("INSERT INTO audit_entries (unit_id, at, operator_id, action, entity, entity_id, summary, detail)"
                     " VALUES (1, ?, 7, 'update', 'resident', ?, ?, ?)",
                     (at, i, f"旧记录{i}", '{"changes": {"phone": {"from": "1", "to": "2"}}}'))
    conn.close()

    db = open_database(resolve_url(path))  # the program upgrades it on open
    try:
        with db.session() as s:
            rows = list(audit.chain(s))
        assert [r.summary for r in rows[:3]] == ["旧记录0", "旧记录1", "旧记录2"]
        assert rows[0].prev_hash == audit.GENESIS
        assert all(b.prev_hash == a.hash for a, b in zip(rows, rows[1:], strict=False))
        assert (rows[3].action, rows[3].entity_id) == ("baseline", 7)  # the operator as it stood
        assert backup.check(db) == []
    finally:
        db.dispose()
    conn = raw(path)
    with pytest.raises(sqlite3.IntegrityError, match="操作日志不可修改"):
        conn.execute("DELETE FROM audit_entries")
    conn.execute("UPDATE settings SET value = '[2, 3, 4]' WHERE key = 'operator_grids:7'")
    conn.close()
    db = open_database(resolve_url(path))
    try:
        assert backup.check(db) == ["操作员“老网格”的角色或密码被绕过程序改动过（操作日志中没有这次改动）"]
    finally:
        db.dispose()


APPENDER = """
import sys
from sqlalchemy import text
from app.db import open_database, resolve_url
from app.services import audit
db = open_database(resolve_url(sys.argv[1]), migrate=False)
for i in range(int(sys.argv[3])):
    with db.session() as s:
        s.execute(text("SELECT count(*) FROM audit_entries"))  # a read first, as a service does
        audit.record(s, None, "update", "test", i, f"进程{sys.argv[2]}第{i}条")
db.dispose()
"""


def test_two_processes_appending_keep_one_linear_chain(db: Database, db_path: Path) -> None:
    n = 40
    procs = [subprocess.Popen([sys.executable, "-c", APPENDER, str(db_path), str(k), str(n)], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for k in range(2)]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    with db.sessions() as s:
        assert s.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.entity == "test")) == 2 * n
    assert backup.check(db) == []


def test_search_treats_percent_and_underscore_as_text(ctx: AppContext) -> None:
    def add(s):  # type: ignore[no-untyped-def]
        for text in ("完成率100%达标", "完成率100分达标", "编号A_1", "编号AB1"):
            audit.record(s, ctx.unit_id, "update", "test", None, text)

    ctx.call(add)

    def found(text: str) -> list[str]:
        q = audit_log.AuditQuery(unit_id=ctx.unit_id, text=text)
        return [r.summary for r in ctx.call(audit_log.list_audit, q)]

    assert found("100%") == ["完成率100%达标"]
    assert found("A_1") == ["编号A_1"]
    assert found("完成率100") == ["完成率100分达标", "完成率100%达标"]  # newest first


def test_demo_force_empties_the_log_and_starts_a_new_chain(demo_db: Database) -> None:
    from app.demo.county import TINY_SCALE, build_county

    with demo_db.session() as s:
        build_county(s, force=True, scale=TINY_SCALE)  # wipes every table, the log included
    assert backup.check(demo_db) == []
    with demo_db.session() as s:
        assert s.scalar(select(func.count(Operator.id))) == 1
        with pytest.raises(ServiceError):
            s.execute(delete(AuditEntry))


@pytest.mark.skipif(why_unavailable() is not None, reason=why_unavailable() or "")
def test_postgres_guard_chain_and_operator_digest() -> None:
    from app.services.setup import founding

    with running_postgres() as url:
        db = open_database(url)
        try:
            with db.session() as s:
                uid = founding.create_unit(s, "试验村", township="某镇", county="某县", kind="村")
                admin = auth.ensure_admin(s, uid)
                auth.create_operator(s, uid, "wenshu", "王文书", "clerk", "clerk-pass")
            assert backup.check(db) == []
            for core in (update(AuditEntry.__table__).values(summary="改"), delete(AuditEntry.__table__)):
                with pytest.raises(DBAPIError, match="操作日志不可修改"), db.session() as s:
                    s.execute(core)
            with db.session() as s:
                s.execute(update(Operator.__table__).where(Operator.id != admin).values(role="admin"))
            assert backup.check(db) == ["操作员“王文书”的角色或密码被绕过程序改动过（操作日志中没有这次改动）"]
        finally:
            db.dispose()
