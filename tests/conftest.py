"""Shared fixtures: a migrated template database copied per test (fast and isolated)."""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy.pool import NullPool

# Keep every test away from the real user data folder, and headless.
_HOME = tempfile.mkdtemp(prefix="villagedesk-test-home-")
os.environ["VILLAGEDESK_HOME"] = _HOME
os.environ.pop("VILLAGEDESK_DB", None)
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.db import Database, open_database, resolve_url  # noqa: E402


def _copy_db(src: Path, dst: Path) -> Path:
    shutil.copyfile(src, dst)
    return dst


# VILLAGEDESK_TEST_PG=1 (make test's second pass): `db` and `demo_db` are PostgreSQL databases on one
# throwaway server for the run, each test a fresh copy of a migrated (or demo) template database.
PG_MODE = os.environ.get("VILLAGEDESK_TEST_PG") == "1"
SQLITE_ONLY = "只适用于 SQLite 数据库文件"
# what a test must use to be run again in the PostgreSQL pass (the rest would repeat the SQLite pass)
_DB_FIXTURES = {"db", "demo_db", "db_path", "demo_db_path", "template_db", "demo_template_db"}


def _skip_on_pg() -> None:
    if PG_MODE:
        pytest.skip(SQLITE_ONLY)


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _skip_on_pg()
    path = tmp_path_factory.mktemp("template") / "empty.sqlite"
    db = open_database(resolve_url(path))
    db.dispose()
    return path


@pytest.fixture(scope="session")
def demo_template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from app.demo import village as demo

    _skip_on_pg()
    path = tmp_path_factory.mktemp("demo-template") / "demo.sqlite"
    db = open_database(resolve_url(path))
    with db.session() as s:
        demo.build_demo(s)
    db.dispose()
    return path


@pytest.fixture
def db_path(template_db: Path, tmp_path: Path) -> Path:
    return _copy_db(template_db, tmp_path / "test.sqlite")


@pytest.fixture
def demo_db_path(demo_template_db: Path, tmp_path: Path) -> Path:
    return _copy_db(demo_template_db, tmp_path / "demo.sqlite")


class _PgTemplates:
    """One server for the run; template databases made once, copied per test and dropped after.

    The copy for the next test is made, and the last test's dropped, on a worker thread while a test
    runs (the server works on the other core): a copy costs ~0.2 s, as much as many a test itself.
    """

    def __init__(self, url: str) -> None:
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        self.base = make_url(url)
        self.admin = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        self.made: set[str] = set()
        self.names = itertools.count(1)
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pg-copies")
        self.ready: dict[str, Future[str]] = {}  # template → a fresh copy being made or made

    def url(self, name: str) -> str:
        return self.base.set(database=name).render_as_string(hide_password=False)

    def _sql(self, sql: str) -> None:
        with self.admin.connect() as conn:
            conn.exec_driver_sql(sql)

    def template(self, name: str, build: Callable[[Database], None] | None = None) -> str:
        """The migrated template database `name` (built on first use: a template must have no users)."""
        if name not in self.made:
            self._sql(f"CREATE DATABASE {name}")
            database = open_database(self.url(name))
            try:
                if build is not None:
                    build(database)
            finally:
                database.dispose()
            self.made.add(name)
        return name

    def _create(self, template: str) -> str:
        # FILE_COPY: copying the files is far quicker than WAL_LOG's page-by-page copy for a small database
        name = f"t{next(self.names)}"
        self._sql(f"CREATE DATABASE {name} TEMPLATE {template} STRATEGY FILE_COPY")
        return name

    def copy(self, template: str) -> str:
        made = self.ready.pop(template, None)
        name = made.result() if made is not None else self._create(template)
        self.ready[template] = self.worker.submit(self._create, template)  # most likely wanted next
        return name

    def drop(self, name: str) -> None:
        self.worker.submit(self._sql, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def close(self) -> None:
        self.worker.shutdown(wait=True)
        self.admin.dispose()


@pytest.fixture(scope="session")
def pg_templates() -> Iterator[_PgTemplates]:
    from tests.pg import running_postgres, why_unavailable

    reason = why_unavailable()
    if reason:
        pytest.skip(f"跳过 PostgreSQL 测试：{reason}")
    with running_postgres() as url:
        templates = _PgTemplates(url)
        try:
            yield templates
        finally:
            templates.close()


def _build_demo(database: Database) -> None:
    from app.demo import village as demo

    with database.session() as s:
        demo.build_demo(s)


def _pg_database(templates: _PgTemplates, template: str) -> Iterator[Database]:
    name = templates.copy(template)
    database = open_database(templates.url(name))
    try:
        yield database
    finally:
        database.dispose()
        templates.drop(name)


@pytest.fixture
def db(request: pytest.FixtureRequest) -> Iterator[Database]:
    if PG_MODE:
        templates: _PgTemplates = request.getfixturevalue("pg_templates")
        yield from _pg_database(templates, templates.template("vd_empty"))
        return
    database = open_database(resolve_url(request.getfixturevalue("db_path")))
    yield database
    database.dispose()


@pytest.fixture
def demo_db(request: pytest.FixtureRequest) -> Iterator[Database]:
    if PG_MODE:
        templates: _PgTemplates = request.getfixturevalue("pg_templates")
        yield from _pg_database(templates, templates.template("vd_demo", _build_demo))
        return
    database = open_database(resolve_url(request.getfixturevalue("demo_db_path")))
    yield database
    database.dispose()


@pytest.fixture
def session(db: Database):  # type: ignore[no-untyped-def]
    """A session whose work is committed when the test ends without error."""
    with db.session() as s:
        yield s


@pytest.fixture
def unit_id(session) -> int:  # type: ignore[no-untyped-def]
    from app.models import Unit

    unit = Unit(name="东坟村", kind="村", township="城关街道", county="房山区")
    session.add(unit)
    session.flush()
    return unit.id


def pytest_configure(config: pytest.Config) -> None:
    if PG_MODE:
        print("\nPostgreSQL 轮：db / demo_db 为 PostgreSQL 数据库；只适用于 SQLite 文件的测试跳过，不用数据库的测试不重复")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`slow` tests (crash loops, large data) run only when asked for: `pytest -m slow`.

    In the PostgreSQL pass, tests marked `sqlite_only` are skipped and tests using no database are left out.
    """
    if PG_MODE:
        kept = [item for item in items if _DB_FIXTURES & set(getattr(item, "fixturenames", ()))]
        left = [item for item in items if item not in kept]
        if left:
            config.hook.pytest_deselected(items=left)
            items[:] = kept
        only = pytest.mark.skip(reason=SQLITE_ONLY)
        for item in items:
            if "sqlite_only" in item.keywords:
                item.add_marker(only)
    if "slow" in (config.option.markexpr or ""):
        return
    skip = pytest.mark.skip(reason="slow: run with -m slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
