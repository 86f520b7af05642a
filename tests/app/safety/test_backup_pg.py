"""Backup and restore in server mode: pg_dump / pg_restore against a real PostgreSQL server on loopback,
through the CLI and the service the window calls; clear messages when the tools are missing or too old."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from app.cli import main
from app.db import Database, open_database
from app.paths import backup_dir
from app.services.errors import ServiceError
from app.services.safety import backup, backup_files, backup_pg
from app.services.setup import founding
from tests.pg import running_postgres, why_unavailable

_reason = why_unavailable()
pytestmark = pytest.mark.skipif(_reason is not None, reason=_reason or "")


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    with running_postgres() as url:
        db = open_database(url)
        with db.session() as s:
            founding.create_unit(s, "甲村", township="城关镇", county="某县", kind="村")
        db.dispose()
        yield url


@pytest.fixture
def pg(pg_url: str) -> Iterator[Database]:
    db = open_database(pg_url)
    yield db
    db.dispose()


def _unit_name(db: Database) -> str:
    with db.engine.connect() as conn:
        return str(conn.execute(text("SELECT name FROM units ORDER BY id LIMIT 1")).scalar())


def _rename(db: Database, name: str) -> None:
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE units SET name = :n"), {"n": name})


def test_cli_backup_then_restore_brings_the_data_back(
    pg_url: str, pg: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _rename(pg, "甲村")
    target = tmp_path / "out" / "server.dump"
    assert main(["--db-url", pg_url, "backup", "-o", str(target)]) == 0
    assert backup_pg.is_dump(target)
    assert backup_files.checksum_matches(target) is True  # the same sidecar as a SQLite backup
    assert f"已备份到 {target}" in capsys.readouterr().out

    _rename(pg, "乙村")
    assert main(["--db-url", pg_url, "restore", str(target)]) == 0
    out = capsys.readouterr().out
    assert "本村：甲村" in out  # the preview read the dump
    assert "恢复前的数据已另存为" in out and "已从" in out
    assert _unit_name(pg) == "甲村"
    safety = sorted(backup_dir().glob("*-恢复前.dump"))
    assert safety and backup_pg.is_dump(safety[-1])  # the state before the restore (乙村), kept


def test_default_name_and_encrypted_round_trip(pg: Database, tmp_path: Path) -> None:
    _rename(pg, "甲村")
    assert backup.default_backup_name(pg, "甲村").endswith(".dump")
    assert backup.default_backup_name(pg, "甲村", encrypted=True).endswith(".vdbak")
    target = tmp_path / "server.vdbak"
    backup.backup_to(pg, target, password="secret-1")
    assert not backup_pg.is_dump(target)  # encrypted: no readable dump on the stick
    info = backup.inspect_backup(target, "secret-1")
    assert info.encrypted and info.verified and info.village == "甲村" and info.residents == 0
    _rename(pg, "丙村")
    safety = backup.restore_from(pg, target, password="secret-1")
    assert safety is not None and safety.exists()
    assert _unit_name(pg) == "甲村"
    with pg.session() as s:  # the restore is in the restored 操作日志
        assert s.scalar(text("SELECT count(*) FROM audit_entries WHERE action = 'restore'")) >= 1


def test_a_sqlite_backup_is_refused_on_the_server(pg: Database, db_path: Path, tmp_path: Path) -> None:
    local = open_database(f"sqlite:///{db_path}")
    try:
        sqlite_backup = backup.backup_to(local, tmp_path / "v-backup.sqlite")
    finally:
        local.dispose()
    _rename(pg, "甲村")
    with pytest.raises(ServiceError, match="不能恢复到服务器上的数据库"):
        backup.restore_from(pg, sqlite_backup)
    assert _unit_name(pg) == "甲村"


def test_missing_tools_say_so_in_chinese(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setattr(backup_pg, "TOOL_DIRS", ())
    assert main(["--db-url", pg_url, "backup", "-o", str(tmp_path / "x.dump")]) == 1
    err = capsys.readouterr().err
    assert "找不到 pg_dump" in err and "postgresql-client" in err and "Traceback" not in err
    assert not (tmp_path / "x.dump").exists()


def test_a_tool_older_than_the_server_is_refused(
    pg: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = tmp_path / "old"
    old.mkdir()
    fake = old / "pg_dump"
    fake.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", str(old))
    monkeypatch.setattr(backup_pg, "TOOL_DIRS", ())
    with pytest.raises(ServiceError) as exc:
        backup.backup_to(pg, tmp_path / "x.dump")
    with pg.engine.connect() as conn:
        server = int(conn.exec_driver_sql("SHOW server_version_num").scalar()) // 10000
    assert f"pg_dump 是 PostgreSQL 9.6 版，比数据库服务器的 PostgreSQL {server} 旧" in str(exc.value)


def test_the_tools_own_error_goes_to_the_log(
    pg: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    fake = broken / "pg_dump"
    fake.write_text("#!/bin/sh\nif [ \"$1\" = --version ]; then echo 'pg_dump (PostgreSQL) 99.0'; exit 0; fi\n"
                    "echo 'pg_dump: error: connection to server failed: disk quota' >&2\nexit 1\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", str(broken) + os.pathsep + os.environ.get("PATH", ""))
    monkeypatch.setattr(backup_pg, "TOOL_DIRS", ())
    with caplog.at_level(logging.INFO), pytest.raises(ServiceError, match="备份没有完成：pg_dump 报告错误"):
        backup.backup_to(pg, tmp_path / "x.dump")
    assert "disk quota" in caplog.text
    assert not list(tmp_path.glob("x.dump*"))
