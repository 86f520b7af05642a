"""The command line: exit codes, Chinese messages, backup / restore / check."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main


def run(*args: str) -> int:
    return main(list(args))


def test_bad_usage_exits_2_with_chinese_message(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        run("frobnicate")
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "用法错误" in err and "无效的选项" in err


def test_check_on_fresh_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("--db", str(tmp_path / "a.sqlite"), "check") == 0
    assert "检查通过" in capsys.readouterr().out


def test_backup_restore_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dbfile = tmp_path / "v.sqlite"
    assert run("--db", str(dbfile), "check") == 0
    with sqlite3.connect(dbfile) as conn:
        conn.execute("INSERT INTO units (name, kind, township, county, contact_person, contact_phone,"
                     " objection_box, notice_days, notice_workdays, is_demo) VALUES"
                     " ('甲村', '村', '', '', '', '', '', 5, 0, 0)")
    backup_file = tmp_path / "out" / "b.sqlite"
    assert run("--db", str(dbfile), "backup", "-o", str(backup_file)) == 0
    assert backup_file.exists()
    with sqlite3.connect(dbfile) as conn:
        conn.execute("UPDATE units SET name = '乙村'")
    assert run("--db", str(dbfile), "restore", str(backup_file)) == 0
    out = capsys.readouterr().out
    assert "已从" in out and "恢复前的数据已另存为" in out
    with sqlite3.connect(dbfile) as conn:
        assert conn.execute("SELECT name FROM units").fetchone()[0] == "甲村"


def test_restore_refuses_a_file_that_is_not_a_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dbfile = tmp_path / "v.sqlite"
    assert run("--db", str(dbfile), "check") == 0
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database at all" * 100)
    assert run("--db", str(dbfile), "restore", str(junk)) == 1
    assert "不是有效的数据库备份文件" in capsys.readouterr().err


def test_check_reports_broken_references(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dbfile = tmp_path / "v.sqlite"
    assert run("--db", str(dbfile), "check") == 0
    with sqlite3.connect(dbfile) as conn:  # foreign keys are off on a bare connection
        conn.execute("INSERT INTO households (unit_id, number, address, note, close_reason)"
                     " VALUES (42, '0001', '', '', '')")
    assert run("--db", str(dbfile), "check") == 1
    out = capsys.readouterr().out
    assert "households" in out and "units" in out


def test_gui_without_display_exits_2(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "VILLAGEDESK_HOME": str(tmp_path), "HOME": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-m", "app", "--db", str(tmp_path / "g.sqlite"), "gui"],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 2
    assert "没有可用的图形显示" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_demo_then_check_and_refusal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dbfile = str(tmp_path / "demo.sqlite")
    assert run("--db", dbfile, "demo") == 0
    out = capsys.readouterr().out
    assert "815" in out
    assert run("--db", dbfile, "check") == 0
    # a second demo without --force must not touch the data
    assert run("--db", dbfile, "demo") == 1
    assert "--force" in capsys.readouterr().err
    assert run("--db", dbfile, "demo", "--if-empty") == 0
    assert "未改动" in capsys.readouterr().out
    with sqlite3.connect(dbfile) as conn:
        assert conn.execute("SELECT count(*) FROM units").fetchone()[0] == 1


def test_database_option_may_follow_the_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dbfile = tmp_path / "late.sqlite"
    assert run("check", "--db", str(dbfile)) == 0
    assert dbfile.exists()
    assert run("check", f"--db={dbfile}") == 0
    assert "检查通过" in capsys.readouterr().out


def test_restore_refuses_units_only_and_newer_files_and_the_database_keeps_working(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dbfile = tmp_path / "v.sqlite"
    assert run("--db", str(dbfile), "check") == 0
    with sqlite3.connect(dbfile) as conn:
        conn.execute("INSERT INTO units (name, kind, township, county, contact_person, contact_phone,"
                     " objection_box, notice_days, notice_workdays, is_demo) VALUES"
                     " ('甲村', '村', '', '', '', '', '', 5, 0, 0)")
    units_only = tmp_path / "units-only.sqlite"
    with sqlite3.connect(units_only) as conn:
        conn.execute("CREATE TABLE units (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("INSERT INTO units (name) VALUES ('假村')")
    newer = tmp_path / "newer.sqlite"
    assert run("--db", str(dbfile), "backup", "-o", str(newer)) == 0
    (tmp_path / "newer.sqlite.sha256").unlink()  # made by hand by a newer version: no sidecar
    with sqlite3.connect(newer) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'ffffffffffff'")
    capsys.readouterr()

    assert run("--db", str(dbfile), "restore", str(units_only)) == 1
    err = capsys.readouterr().err
    assert "没有有效的数据库版本记录" in err and "Traceback" not in err
    assert run("--db", str(dbfile), "restore", str(newer)) == 1
    err = capsys.readouterr().err
    assert "来自更新版本的村级党建工作台（数据库版本 ffffffffffff），请先升级程序再恢复" in err
    assert "Traceback" not in err

    assert run("--db", str(dbfile), "check") == 0  # every later command still works
    with sqlite3.connect(dbfile) as conn:
        assert conn.execute("SELECT name FROM units").fetchone()[0] == "甲村"


def test_restore_refuses_a_plain_backup_changed_after_it_was_made(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dbfile = tmp_path / "v.sqlite"
    assert run("--db", str(dbfile), "check") == 0
    with sqlite3.connect(dbfile) as conn:
        conn.execute("INSERT INTO units (name, kind, township, county, contact_person, contact_phone,"
                     " objection_box, notice_days, notice_workdays, is_demo) VALUES"
                     " ('甲村', '村', '', '', '', '', '', 5, 0, 0)")
    made = tmp_path / "b.sqlite"
    assert run("--db", str(dbfile), "backup", "-o", str(made)) == 0
    assert run("--db", str(dbfile), "restore", str(made), "--preview") == 0
    assert "校验值：相符" in capsys.readouterr().out
    data = bytearray(made.read_bytes())
    data[data.index("甲村".encode()) + 1] ^= 0x01
    made.write_bytes(bytes(data))
    assert run("--db", str(dbfile), "restore", str(made)) == 1
    assert "备份文件内容已被改动或损坏（校验值不符）" in capsys.readouterr().err
    with sqlite3.connect(dbfile) as conn:
        assert conn.execute("SELECT name FROM units").fetchone()[0] == "甲村"
