"""Schema upgrades with Alembic: back up the SQLite file first, then upgrade to head.

Alembic is imported only when a migration runs (or a restore checks a backup's schema): importing it
costs 0.2–0.4 s of every start (it pulls in Mako and Pygments). A database already at head is told
apart without it — its alembic_version row read with SQL, the head read from the scripts' own
`revision = …` / `down_revision = …` lines (Alembic decides whenever those do not read as one line).
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import create_engine, inspect
from sqlalchemy.pool import StaticPool

from .db import Database
from .services.errors import ServiceError, newer_schema_message

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


_REVISION_LINE = re.compile(r"""^(revision|down_revision)\s*(?::[^=]*)?=\s*(?:'([^']*)'|"([^"]*)"|(None))\s*$""", re.M)


@lru_cache(maxsize=1)
def scripts_head() -> str | None:
    """The head revision read from the scripts' text, without Alembic; None when they do not read as
    one unbranched line of revisions (a merge, a script without the usual lines, no scripts)."""
    revisions: set[str] = set()
    parents: set[str | None] = set()
    for path in sorted((MIGRATIONS / "versions").glob("*.py")):
        found = {m.group(1): m.group(2) or m.group(3) for m in _REVISION_LINE.finditer(path.read_text("utf-8"))}
        if not found.get("revision") or "down_revision" not in found:
            return None
        revisions.add(found["revision"])  # type: ignore[arg-type]
        parents.add(found["down_revision"])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 and len(parents) == len(revisions) else None


def head_revision() -> str:
    fast = scripts_head()
    if fast is not None:
        return fast
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head() or ""


def known_revisions() -> set[str]:
    """Every revision this program's migration scripts know (head and all before it)."""
    from alembic.script import ScriptDirectory

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
    """The revision the database is stamped with (None: not stamped yet)."""
    with db.engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        rows = conn.exec_driver_sql("SELECT version_num FROM alembic_version").fetchall()
        if len(rows) <= 1:
            return rows[0][0] if rows else None
        from alembic.runtime.migration import MigrationContext  # several heads: Alembic says what is wrong

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
    from alembic import command

    cfg = alembic_config(db.url)
    with db.engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            # A batch migration copies a table, drops the old one and renames the copy. With foreign keys
            # on, dropping a table other rows point at (operators, notices) fails; SQLite ignores this
            # pragma inside a transaction, so it is set before and the keys are checked at the end.
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.commit()
        try:
            with conn.begin():
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
                if sqlite and conn.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
                    raise RuntimeError("foreign key check failed after the upgrade")  # rolled back
        finally:
            if sqlite:
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                conn.commit()
    log.info("database %s upgraded from %s to %s", db.url, current, head_revision())
    return True


@lru_cache(maxsize=8)
def schema_at(revision: str) -> dict[str, frozenset[str]]:
    """The tables (name → column names) a database at revision has, found by migrating an empty
    in-memory database to it: the scripts themselves are the reference, for every revision."""
    from alembic import command

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
