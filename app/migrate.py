"""Schema upgrades with Alembic: back up the SQLite file first, then upgrade to head."""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect
from sqlalchemy.pool import StaticPool

from .db import Database
from .services.errors import ServiceError, newer_schema_message

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head() or ""


def known_revisions() -> set[str]:
    """Every revision this program's migration scripts know (head and all before it)."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return {rev.revision for rev in script.walk_revisions()}


class NewerSchema(ServiceError):
    """The database carries a revision this program does not know: a newer version wrote it."""

    def __init__(self, revision: str) -> None:
        self.revision = revision
        super().__init__(newer_schema_message(revision))


def check_known_revision(revision: str | None) -> None:
    """Refuse a revision no script here knows (None, a database not yet stamped, is fine)."""
    if revision is not None and revision not in known_revisions():
        raise NewerSchema(revision)


def current_revision(db: Database) -> str | None:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade_to_head(db: Database, backup_first: bool = True) -> bool:
    """Upgrade if needed. Returns True when a migration ran. A non-empty SQLite file is backed up first
    (backup_first=False: a restore's staged copy, itself a copy of a backup)."""
    current = current_revision(db)
    if current == head_revision():
        return False
    # Alembic would fail with "Can't locate revision" (English, after the 升级前 backup): say it first.
    check_known_revision(current)
    path = db.path
    if backup_first and path is not None and current is not None and path.exists():
        from .services.safety.backup import backup_before

        backup_before(db, reason="升级前")
    cfg = alembic_config(db.url)
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    log.info("database %s upgraded from %s to %s", db.url, current, head_revision())
    return True


@lru_cache(maxsize=8)
def schema_at(revision: str) -> dict[str, frozenset[str]]:
    """The tables (name → column names) a database at revision has, found by migrating an empty
    in-memory database to it: the scripts themselves are the reference, for every revision."""
    engine = create_engine("sqlite://", poolclass=StaticPool)
    try:
        cfg = alembic_config("sqlite://")
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
        found = inspect(engine)
        return {t: frozenset(c["name"] for c in found.get_columns(t))
                for t in found.get_table_names() if t != "alembic_version"}
    finally:
        engine.dispose()
