"""Opening a database that is already at head does not import Alembic (0.2–0.4 s of every start)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import migrate
from app.db import open_database, resolve_url

ROOT = Path(__file__).resolve().parents[2]


def test_head_read_from_the_scripts_is_alembics_head() -> None:
    from alembic.script import ScriptDirectory

    alembic_head = ScriptDirectory.from_config(migrate.alembic_config("sqlite://")).get_current_head()
    assert migrate.scripts_head() == alembic_head
    assert migrate.head_revision() == alembic_head


def _script(folder: Path, name: str, revision: str, down: str | None) -> None:
    down_text = "None" if down is None else f"'{down}'"
    (folder / f"{name}.py").write_text(f'"""x"""\nrevision = \'{revision}\'\ndown_revision = {down_text}\n', "utf-8")


@pytest.mark.parametrize(("scripts", "head"), [
    ([("a", None), ("b", "a"), ("c", "b")], "c"),
    ([("a", None), ("b", "a"), ("c", "a")], None),  # a branch: Alembic decides
    ([], None),  # no scripts (a broken install): Alembic decides
])
def test_scripts_head_reads_one_line_of_revisions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  scripts: list[tuple[str, str | None]], head: str | None) -> None:
    (tmp_path / "versions").mkdir()
    for i, (revision, down) in enumerate(scripts):
        _script(tmp_path / "versions", f"{i:04d}_{revision}", revision, down)
    monkeypatch.setattr(migrate, "MIGRATIONS", tmp_path)
    migrate.scripts_head.cache_clear()
    try:
        assert migrate.scripts_head() == head
    finally:
        monkeypatch.undo()
        migrate.scripts_head.cache_clear()


def test_current_revision_without_alembic(tmp_path: Path) -> None:
    db = open_database(resolve_url(tmp_path / "fresh.sqlite"), migrate=False)
    try:
        assert migrate.current_revision(db) is None  # not stamped yet
    finally:
        db.dispose()
    db = open_database(resolve_url(tmp_path / "fresh.sqlite"))
    try:
        assert migrate.current_revision(db) == migrate.head_revision()
    finally:
        db.dispose()


def test_opening_a_database_at_head_does_not_import_alembic(tmp_path: Path) -> None:
    path = tmp_path / "at-head.sqlite"
    open_database(resolve_url(path)).dispose()  # created and migrated here
    code = (
        "import sys\n"
        "from app.db import open_database, resolve_url\n"
        f"db = open_database(resolve_url({str(path)!r}))\n"
        "print(sorted(m for m in ('alembic', 'mako', 'pygments') if m in sys.modules))\n"
        "db.dispose()\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         env=dict(os.environ), timeout=120, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
