"""Shared fixtures: a migrated template database copied per test (fast and isolated)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

# Keep every test away from the real user data folder, and headless.
_HOME = tempfile.mkdtemp(prefix="villagedesk-test-home-")
os.environ["VILLAGEDESK_HOME"] = _HOME
os.environ.pop("VILLAGEDESK_DB", None)
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.db import Database, open_database, resolve_url  # noqa: E402


def _copy_db(src: Path, dst: Path) -> Path:
    shutil.copyfile(src, dst)
    return dst


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "empty.sqlite"
    db = open_database(resolve_url(path))
    db.dispose()
    return path


@pytest.fixture(scope="session")
def demo_template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from app.demo import village as demo

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
def db(db_path: Path) -> Iterator[Database]:
    database = open_database(resolve_url(db_path))
    yield database
    database.dispose()


@pytest.fixture
def demo_db_path(demo_template_db: Path, tmp_path: Path) -> Path:
    return _copy_db(demo_template_db, tmp_path / "demo.sqlite")


@pytest.fixture
def demo_db(demo_db_path: Path) -> Iterator[Database]:
    database = open_database(resolve_url(demo_db_path))
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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`slow` tests (crash loops, large data) run only when asked for: `pytest -m slow`."""
    if "slow" in (config.option.markexpr or ""):
        return
    skip = pytest.mark.skip(reason="slow: run with -m slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
