"""Engine and session factory. SQLite by default (WAL, synchronous=FULL, foreign keys), any URL otherwise."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from .paths import default_db_path

BUSY_TIMEOUT_MS = 10_000


def resolve_url(db_path: str | Path | None = None, db_url: str | None = None) -> str:
    """--db-url wins, then --db PATH, then $VILLAGEDESK_DB, then the user data folder."""
    if db_url:
        return db_url
    path = Path(db_path) if db_path else default_db_path()
    return "sqlite:///" + str(path.expanduser().resolve())


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None (memory database or another backend)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def _sqlite_pragmas(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")  # first: switching to WAL may itself wait for a lock
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _begin_before_savepoint(conn: Connection, _name: str) -> None:
    """Open the transaction before a SAVEPOINT that would otherwise start it.

    The sqlite3 driver sends BEGIN only before a data change. A SAVEPOINT issued first (begin_nested
    at the start of a session, as an import does) made SQLite start the transaction itself, and the
    savepoint's RELEASE then committed it: a later rollback of the session undid nothing.
    """
    dbapi_conn = conn.connection.dbapi_connection
    if dbapi_conn is not None and not dbapi_conn.in_transaction:
        dbapi_conn.execute("BEGIN")


def make_engine(url: str) -> Engine:
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "savepoint", _begin_before_savepoint)
    return engine


@dataclass
class Database:
    """One open database: its URL, engine and session factory."""

    url: str
    engine: Engine
    sessions: sessionmaker[Session]

    @property
    def path(self) -> Path | None:
        return sqlite_path(self.url)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error."""
        with self.sessions() as s, s.begin():
            yield s

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: str, migrate: bool = True) -> Database:
    """Open (and by default upgrade to the newest schema, backing up first) the database at url."""
    engine = make_engine(url)
    db = Database(url=url, engine=engine, sessions=sessionmaker(engine, expire_on_commit=False))
    if migrate:
        from .migrate import upgrade_to_head

        upgrade_to_head(db)
    return db
