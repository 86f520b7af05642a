"""Backups: rotation, the daily backup, encryption, restore preview and safety, data-rule checks."""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.cli import main
from app.db import Database
from app.models import Household, Ticket
from app.paths import backup_dir
from app.services.errors import ServiceError
from app.services.safety import backup, backup_files
from app.services.safety.backup_crypto import PasswordRequired, is_encrypted

# backups and restores of the SQLite file (PostgreSQL's pg_dump backups: test_backup_pg.py)
pytestmark = pytest.mark.sqlite_only


def _touch(folder: Path, stem: str, when: datetime, reason: str = "每日") -> Path:
    path = folder / backup_files.auto_name(stem, reason, when)
    path.write_bytes(b"x")
    return path


def test_rotation_keeps_7_daily_4_weekly_12_monthly(tmp_path: Path) -> None:
    now = datetime(2026, 6, 30, 9, 0)
    # two backups a day for 400 days
    for day in range(400):
        for hours_before in (1, 5):
            _touch(tmp_path, "v", now - timedelta(days=day, hours=hours_before))
    other = _touch(tmp_path, "other-db", now - timedelta(days=300))  # another database's history
    by_hand = tmp_path / "我的备份.sqlite"
    by_hand.write_bytes(b"x")

    removed = backup_files.rotate(tmp_path, "v")
    kept = backup_files.list_auto(tmp_path, "v")

    days = {b.made_at.date() for b in kept}
    assert all((now - timedelta(days=d)).date() in days for d in range(7))
    months = {(b.made_at.year, b.made_at.month) for b in kept}
    assert len(months) == 12
    assert len(kept) <= 7 + 4 + 12 + backup_files.KEEP_LATEST
    assert len(kept) + len(removed) == 800
    # the newest of each day is the one kept
    assert max(b.made_at for b in kept) == now - timedelta(hours=1)
    assert other.exists() and by_hand.exists()


def test_daily_backup_at_most_once_a_day(demo_db: Database) -> None:
    first = backup.auto_backup(demo_db)
    assert first is not None and first.exists()
    assert backup.auto_backup(demo_db) is None  # same day: nothing new
    tomorrow = backup.auto_backup(demo_db, now=datetime.now() + timedelta(days=1))
    assert tomorrow is not None
    listed = backup.list_auto_backups(demo_db)
    assert [b.path for b in listed][:2] == [tomorrow, first] or {b.path for b in listed} >= {first, tomorrow}
    assert all(backup.integrity_problems(b.path) == [] for b in listed)


def test_preview_shows_date_and_counts(demo_db: Database, tmp_path: Path) -> None:
    with demo_db.session() as s:
        households = s.scalar(select(func.count()).select_from(Household))
        tickets = s.scalar(select(func.count()).select_from(Ticket))
    target = backup.backup_to(demo_db, tmp_path / "b.sqlite")
    info = backup.inspect_backup(target)
    assert (info.members, info.households, info.tickets) == (59, households, tickets)
    assert info.households and info.households > 100
    assert info.village == "东坟村"
    text = "\n".join(info.lines())
    assert "党员 59 名" in text and "备份时间" in text


def test_encrypted_round_trip_and_wrong_password(demo_db: Database, tmp_path: Path) -> None:
    target = backup.backup_to(demo_db, tmp_path / "stick" / "b.vdbak", password="村委会2026")
    assert is_encrypted(target)
    assert b"SQLite format" not in target.read_bytes()[:200]
    with pytest.raises(PasswordRequired):
        backup.inspect_backup(target)
    with pytest.raises(ServiceError, match="密码不正确"):
        backup.inspect_backup(target, "wrong-password")
    assert backup.inspect_backup(target, "村委会2026").members == 59

    with sqlite3.connect(demo_db.path) as conn:  # type: ignore[arg-type]
        conn.execute("UPDATE units SET name = '改名村'")
    demo_db.dispose()
    with pytest.raises(ServiceError, match="密码不正确"):
        backup.restore_from(demo_db, target, password="wrong-password")
    safety = backup.restore_from(demo_db, target, password="村委会2026")
    assert safety is not None and safety.exists()
    with sqlite3.connect(demo_db.path) as conn:  # type: ignore[arg-type]
        assert conn.execute("SELECT name FROM units").fetchone()[0] == "东坟村"
        actions = [r[0] for r in conn.execute("SELECT action FROM audit_entries ORDER BY id DESC LIMIT 1")]
    assert actions == ["restore"]


def test_cli_encrypted_backup_with_env_password(demo_db_path: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    out_dir = tmp_path / "usb"
    out_dir.mkdir()
    monkeypatch.setenv("VILLAGEDESK_BACKUP_PASSWORD", "secret-123")
    assert main(["--db", str(demo_db_path), "backup", "-o", str(out_dir), "--password"]) == 0
    (made,) = list(out_dir.iterdir())
    assert made.name.startswith("东坟村-备份-") and made.suffix == ".vdbak" and is_encrypted(made)
    assert main(["--db", str(demo_db_path), "restore", str(made), "--password", "--preview"]) == 0
    assert "党员 59 名" in capsys.readouterr().out
    monkeypatch.delenv("VILLAGEDESK_BACKUP_PASSWORD")
    # no password, no terminal: a clear usage error, nothing restored
    assert main(["--db", str(demo_db_path), "restore", str(made)]) == 2
    assert "加密备份" in capsys.readouterr().err
    assert main(["--db", str(demo_db_path), "restore", str(made), "--password", "secret-123"]) == 0


def test_restore_refuses_corrupted_backup(demo_db: Database, tmp_path: Path) -> None:
    target = backup.backup_to(demo_db, tmp_path / "b.sqlite")
    data = bytearray(target.read_bytes())
    for i in range(4096 * 3, len(data), 4096):  # scribble over a byte in every page but the first few
        data[i + 100] ^= 0xFF
    target.write_bytes(bytes(data))
    before = demo_db.path.read_bytes()  # type: ignore[union-attr]
    with pytest.raises(ServiceError, match="损坏|不是有效"):
        backup.restore_from(demo_db, target)
    assert demo_db.path.read_bytes() == before  # type: ignore[union-attr]


def test_interrupted_restore_leaves_previous_database(demo_db: Database, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The power goes just before the swap: the old database must be whole and unchanged."""
    other = tmp_path / "other.sqlite"
    backup.backup_to(demo_db, other)
    with sqlite3.connect(other) as conn:
        conn.execute("UPDATE units SET name = '别的村'")
    backup_files.checksum_path(other).unlink()  # edited by hand: its checksum would refuse it
    # a change committed only to the WAL of the live database
    with demo_db.session() as s:
        from app.models import Unit

        s.get(Unit, 1).contact_person = "只在WAL里"  # type: ignore[union-attr]

    real_replace = os.replace

    def power_cut(src: object, dst: object) -> None:
        if str(dst) == str(demo_db.path):
            raise OSError("simulated power loss")
        real_replace(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(backup_files.os, "replace", power_cut)
    with pytest.raises(OSError):
        backup.restore_from(demo_db, other)
    monkeypatch.setattr(backup_files.os, "replace", real_replace)
    assert backup.integrity_problems(demo_db.path) == []  # type: ignore[arg-type]
    with sqlite3.connect(demo_db.path) as conn:  # type: ignore[arg-type]
        assert conn.execute("SELECT name, contact_person FROM units").fetchone() == ("东坟村", "只在WAL里")
    assert not list(demo_db.path.parent.glob(".vd-temp-*"))  # type: ignore[union-attr]


def test_check_lists_rule_violations(demo_db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with sqlite3.connect(demo_db_path) as conn:
        conn.execute("PRAGMA ignore_check_constraints = ON")  # as an old file without the CHECK would
        mid, name = conn.execute(
            "SELECT m.id, r.name FROM party_members m JOIN residents r ON r.id = m.resident_id"
            " WHERE m.stage = '正式党员' ORDER BY m.id LIMIT 1"
        ).fetchone()
        conn.execute("UPDATE party_members SET confirmed_on = date(joined_on, '-30 days') WHERE id = ?", (mid,))
        hh = conn.execute("SELECT household_id FROM residents WHERE relation = '户主' AND status = '在册'"
                          " AND household_id IS NOT NULL LIMIT 1").fetchone()[0]
        conn.execute("UPDATE residents SET relation = '户主' WHERE household_id = ? AND relation != '户主'"
                     " AND status = '在册'", (hh,))
    assert main(["--db", str(demo_db_path), "check"]) == 1
    out = capsys.readouterr().out
    assert f"党员 {name}（编号 {mid}）：转正日期" in out and "不晚于入党日期" in out
    assert "个户主" in out
    assert "发现" in out


def test_backup_dir_is_in_test_home() -> None:
    assert str(backup_dir()).startswith(os.environ["VILLAGEDESK_HOME"])
