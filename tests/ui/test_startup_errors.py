"""Start-up problems reach a GUI user as a dialog, not only on a console nobody reads."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

import ui.errors
import ui.main
from app.cli import main
from app.lock import InstanceLock
from app.services.errors import DATABASE_LOCKED, DISK_FULL


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    messages: list[str] = []
    monkeypatch.setattr(ui.main.QMessageBox, "critical", lambda _p, _t, text: messages.append(text))
    return messages


def test_second_window_on_the_same_database_is_refused_in_a_dialog(
    qapp: Any, db_path: Path, shown: list[str]
) -> None:
    with InstanceLock(db_path):
        assert main(["--db", str(db_path), "gui"]) == 1
    assert len(shown) == 1 and "已在另一个窗口中打开" in shown[0]


def test_unreadable_database_file_is_reported_in_a_dialog(qapp: Any, tmp_path: Path, shown: list[str]) -> None:
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database" * 200)
    assert main(["--db", str(junk), "gui"]) == 1
    assert len(shown) == 1 and "无法打开数据库" in shown[0]


def test_newer_schema_is_explained_in_a_dialog(qapp: Any, db_path: Path, shown: list[str]) -> None:
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE alembic_version SET version_num = 'ffffffffffff'")
    conn.commit()
    conn.close()
    assert main(["--db", str(db_path), "gui"]) == 1
    assert len(shown) == 1
    assert "数据库由更新版本的村级党建工作台写入（版本 ffffffffffff）" in shown[0] and "请安装新版本" in shown[0]


def test_a_full_disk_or_a_locked_database_during_an_action_is_said_as_it_is(
    qapp: Any, no_popups: Any
) -> None:
    with ui.errors.user_errors(None):
        raise OSError(errno.ENOSPC, "No space left on device")
    assert no_popups.shown[-1][0] == "warning" and no_popups.shown[-1][2] == DISK_FULL

    try:  # the way SQLAlchemy hands it over: its OperationalError around sqlite3's
        raise sqlite3.OperationalError("database is locked")
    except sqlite3.OperationalError as driver:
        wrapped = OperationalError("INSERT INTO residents …", {}, driver)
    ui.errors.excepthook(type(wrapped), wrapped, None)
    assert no_popups.shown[-1][0] == "warning" and no_popups.shown[-1][2] == DATABASE_LOCKED


def test_a_background_export_on_a_full_disk_reports_it(qapp: Any) -> None:
    from ui.common.background import BackgroundJob

    def export(_progress: object, _cancelled: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    job = BackgroundJob(export)
    failed: list[str] = []
    job.failed.connect(failed.append)
    job.run_here()
    assert failed == [DISK_FULL]
