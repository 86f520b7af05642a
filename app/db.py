"""Engine and session factory. SQLite by default (WAL, synchronous=FULL, foreign keys), any URL otherwise."""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

from . import db_users
from .paths import default_db_path

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000


def resolve_url(db_path: str | Path | None = None, db_url: str | None = None) -> str:
    """--db-url wins, then --db PATH, then $VILLAGEDESK_DB, then the server saved in 设置 → 数据库服务器
    (app.server_config), then the SQLite file in the user data folder."""
    if db_url:
        return db_url
    if not db_path and not os.environ.get("VILLAGEDESK_DB"):
        from .server_config import load_server

        saved = load_server()
        if saved:
            return saved
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


def _file_identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _watch_file(engine: Engine, path: Path) -> None:
    """A pooled connection to a file that has since been replaced (a restore) is dropped, not reused.

    Otherwise it would go on reading and writing the old, unlinked file and its commits would vanish.
    """

    def remember(_conn: object, record: ConnectionPoolEntry) -> None:
        record.info["file_identity"] = _file_identity(path)

    def check(_conn: object, record: ConnectionPoolEntry, _proxy: object) -> None:
        now = _file_identity(path)
        if now is not None and record.info.get("file_identity") not in (None, now):
            raise DisconnectionError("the database file was replaced")  # the pool reconnects to the new file

    event.listen(engine, "connect", remember)
    event.listen(engine, "checkout", check)


def make_engine(url: str) -> Engine:
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "savepoint", _begin_before_savepoint)
        if path is not None:
            _watch_file(engine, path)
    return engine


@dataclass
class Database:
    """One open database: its URL, engine and session factory."""

    url: str
    engine: Engine
    sessions: sessionmaker[Session]
    # this process's registration as a user of the file (app.db_users); None when not using it
    _user: str | None = field(default=None, repr=False)

    @property
    def path(self) -> Path | None:
        return sqlite_path(self.url)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error."""
        with self.sessions() as s, s.begin():
            yield s

    def dispose(self) -> None:
        """Close every connection and stop counting as a user of the file (safe to repeat)."""
        self.engine.dispose()
        if self._user is not None:
            db_users.release(self._user)
            self._user = None

    def register_user(self) -> None:
        """Count this process as a user of the file (waits while a restore runs); idempotent."""
        path = self.path
        if path is not None and self._user is None:
            try:
                self._user = db_users.register(path)
            except OSError as exc:  # a read-only folder: nothing can be written there, a restore neither
                log.warning("cannot register as a user of %s: %s", path, exc)


def open_database(url: str, migrate: bool = True) -> Database:
    """Open (and by default upgrade to the newest schema, backing up first) the database at url.

    A SQLite file is registered as used by this process (app.db_users) until dispose(); a connection
    opened after a dispose registers it again, so a restore always knows who is still using the file.
    """
    engine = make_engine(url)
    db = Database(url=url, engine=engine, sessions=sessionmaker(engine, expire_on_commit=False))
    if db.path is not None:
        db.register_user()
        event.listen(engine, "connect", lambda *_: db.register_user())
    if migrate:
        from .migrate import upgrade_to_head

        try:
            upgrade_to_head(db)
        except BaseException:
            db.dispose()  # nobody will use this handle: do not stay registered on the file
            raise
    return db
