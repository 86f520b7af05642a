"""The models and the Alembic migrations describe the same schema; the chain is linear."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from app.db import open_database, resolve_url
from app.migrate import alembic_config, current_revision, head_revision
from app.models import Base


def test_empty_database_upgrades_to_head(tmp_path: Path) -> None:
    db = open_database(resolve_url(tmp_path / "fresh.sqlite"))
    try:
        assert current_revision(db) == head_revision()
        tables = set(inspect(db.engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
    finally:
        db.dispose()


def test_models_and_migrations_agree(tmp_path: Path) -> None:
    db = open_database(resolve_url(tmp_path / "fresh.sqlite"))
    try:
        with db.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(ctx, Base.metadata)
        assert diff == [], f"models differ from migrations: {diff}"
    finally:
        db.dispose()


def test_migration_chain_is_linear() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1
    revisions = list(script.walk_revisions())
    assert sum(1 for r in revisions if r.down_revision is None) == 1


def test_sqlite_pragmas(tmp_path: Path) -> None:
    db = open_database(resolve_url(tmp_path / "p.sqlite"))
    try:
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000
    finally:
        db.dispose()


def test_a_savepoint_first_in_a_session_does_not_commit_on_its_own(tmp_path: Path) -> None:
    from sqlalchemy import func, select

    from app.models import Unit

    def units() -> int:
        with db.sessions() as s:
            return s.scalar(select(func.count()).select_from(Unit)) or 0

    db = open_database(resolve_url(tmp_path / "t.sqlite"))
    try:
        with db.sessions() as s:
            with s.begin_nested():  # the first statement of the session is the SAVEPOINT
                s.add(Unit(name="试验村", kind="村"))
            s.rollback()  # the caller gives up: what the savepoint held must go too
        assert units() == 0
        with db.sessions() as s:
            with s.begin_nested():
                s.add(Unit(name="试验村", kind="村"))
            s.commit()
        assert units() == 1
    finally:
        db.dispose()


def test_existing_database_is_backed_up_before_a_migration(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from app import migrate
    from app.paths import backup_dir

    path = tmp_path / "old.sqlite"
    db = open_database(resolve_url(path))
    db.dispose()
    # pretend the file is one revision behind: the program must back it up before upgrading
    monkeypatch.setattr(migrate, "head_revision", lambda: "9999_future")
    import alembic.command  # imported by upgrade_to_head only when a migration runs

    monkeypatch.setattr(alembic.command, "upgrade", lambda cfg, rev: None)
    before = set(backup_dir().glob("old-*"))
    db = open_database(resolve_url(path))
    db.dispose()
    after = set(backup_dir().glob("old-*升级前.sqlite"))
    assert len(after - before) == 1
