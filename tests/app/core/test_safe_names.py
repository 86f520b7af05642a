"""File names built from user data (a village name, a notice title) stay one name inside their folder."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.cli import main
from app.db import open_database, resolve_url
from app.paths import MAX_NAME, backup_dir, safe_file_name
from app.services.safety.backup import default_backup_name


@pytest.mark.parametrize("hostile", ["../../x", "..\\..\\x", "/etc/passwd", "C:\\Windows\\x", "a/../../b", ".."])
def test_no_separator_or_parent_survives(hostile: str, tmp_path: Path) -> None:
    name = safe_file_name(hostile)
    assert "/" not in name and "\\" not in name and ".." not in name and ":" not in name
    assert name and (tmp_path / name).resolve().parent == tmp_path.resolve()


@pytest.mark.parametrize("device", ["CON", "con", "NUL", "com1", "LPT9", "AUX.pdf", "prn.sqlite"])
def test_windows_device_names_are_not_used(device: str) -> None:
    assert safe_file_name(device) == "_" + device


def test_control_invisible_and_refused_characters_go() -> None:
    assert safe_file_name('东坟村<>:"|?*公示') == "东坟村_______公示"
    assert safe_file_name("王\u202e山大\u200b村\x00\x1f") == "王山大村__"  # RLO and ZWSP dropped, controls become _
    assert safe_file_name("东坟村. . ") == "东坟村"  # Windows drops trailing dots and spaces itself
    assert safe_file_name("   ") == "未命名" and safe_file_name("", fallback="db") == "db"
    assert safe_file_name("关于2026年度星级文明户评选结果的公示.pdf") == "关于2026年度星级文明户评选结果的公示.pdf"
    assert len(safe_file_name("村" * 1000)) == MAX_NAME


@pytest.mark.parametrize("village", ["../../x", "CON"])
def test_backup_of_a_hostile_village_name_stays_in_the_backups_folder(
    village: str, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", str(db_path), "init", "--name", "东村", "--township", "镇", "--county", "县"]) == 0
    conn = sqlite3.connect(db_path)  # as an edited file or an older version would hold it
    conn.execute("UPDATE units SET name = ?", (village,))
    conn.commit()
    conn.close()
    db = open_database(resolve_url(db_path))
    try:
        name = default_backup_name(db, village)
    finally:
        db.dispose()
    assert (backup_dir() / name).resolve().parent == backup_dir().resolve()

    before = set(backup_dir().parent.parent.rglob("*备份*"))
    capsys.readouterr()
    assert main(["--db", str(db_path), "backup"]) == 0
    made = set(backup_dir().parent.parent.rglob("*备份*")) - before
    assert any(p.suffix == ".sqlite" for p in made)
    assert all(p.parent == backup_dir() for p in made)  # nothing written outside the backups folder
    assert str(backup_dir()) in capsys.readouterr().out
