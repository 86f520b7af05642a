"""A full disk, a locked database, a read-only file and a newer schema are said in Chinese with what to do,
never as 程序出错 or a traceback; nothing is half-written; leftovers of killed runs are cleaned at start."""

from __future__ import annotations

import errno
import logging
import os
import sqlite3
import time
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import create_engine, text

import app.db
from app.cli import main
from app.io.atomic import atomic_path
from app.logs import QuietFileHandler
from app.paths import backup_dir, clean_leftovers, data_dir
from app.services.errors import DATABASE_LOCKED, DISK_FULL, ServiceError, explain

TRACEBACK = "Traceback"


def _stamp(db_path: Path, revision: str) -> None:
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE alembic_version SET version_num = ?", (revision,))
    conn.commit()
    conn.close()


def _residents(db_path: Path) -> int:
    conn = sqlite3.connect(db_path)
    try:
        return int(conn.execute("SELECT count(*) FROM residents").fetchone()[0])
    finally:
        conn.close()


# ---- disk full ------------------------------------------------------------------------------------


def test_export_on_a_full_disk_says_so_and_leaves_nothing(
    demo_db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()

    def full(self: openpyxl.Workbook, filename: str) -> None:
        Path(filename).write_bytes(b"PK\x03\x04 half a workbook")  # some bytes got out before the disk filled
        raise OSError(errno.ENOSPC, "No space left on device", filename)

    monkeypatch.setattr(openpyxl.Workbook, "save", full)
    status = main(["--db", str(demo_db_path), "export", "members", "-o", str(out_dir / "党员.xlsx")])
    err = capsys.readouterr().err
    assert status == 1
    assert "磁盘空间已满" in err and "程序出错" not in err and TRACEBACK not in err
    assert list(out_dir.iterdir()) == []  # no 党员.xlsx, no .part file


def test_sqlite_full_during_a_command_says_so_and_writes_nothing(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A real SQLITE_FULL: the file may not grow beyond its present size (max_page_count)."""
    pragmas = app.db._sqlite_pragmas

    def capped(conn: sqlite3.Connection, record: object) -> None:
        pragmas(conn, record)
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count={pages}")

    monkeypatch.setattr(app.db, "_sqlite_pragmas", capped)
    status = main(["--db", str(db_path), "demo"])
    err = capsys.readouterr().err
    assert status == 1
    assert DISK_FULL in err and TRACEBACK not in err
    assert _residents(db_path) == 0  # the demo village is all or nothing


def test_a_log_file_on_a_full_disk_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("needs /dev/full (Linux)")
    handler = QuietFileHandler("/dev/full")
    logger = logging.getLogger("test.full-log")
    logger.addHandler(handler)
    try:
        logger.error("this line cannot be written", exc_info=ValueError("x"))
    finally:
        logger.removeHandler(handler)
        handler.close()
    assert capsys.readouterr().err == ""


# ---- locked -------------------------------------------------------------------------------------------


def test_a_locked_database_is_named_as_such(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(app.db, "BUSY_TIMEOUT_MS", 200)  # wait 0.2 s, not 10 s, before giving up
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        status = main(["--db", str(db_path), "init", "--name", "西村", "--township", "城关镇", "--county", "某县"])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    err = capsys.readouterr().err
    assert status == 1
    assert DATABASE_LOCKED in err and TRACEBACK not in err
    assert main(["--db", str(db_path), "check"]) == 0  # and it works once the other side is done


# ---- newer schema ---------------------------------------------------------------------------------------


def test_a_newer_schema_is_refused_before_any_backup(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _stamp(db_path, "0099_from_the_future")
    before = sorted(backup_dir().iterdir())
    assert main(["--db", str(db_path), "check"]) == 1
    err = capsys.readouterr().err
    assert "数据库由更新版本的村级党建工作台写入（版本 0099_from_the_future）" in err and "请安装新版本" in err
    assert TRACEBACK not in err
    assert sorted(backup_dir().iterdir()) == before  # no 升级前 copy of a file we cannot read
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0099_from_the_future"
    conn.close()


# ---- read-only ---------------------------------------------------------------------------------------------


def test_read_only_database_and_folder_are_explained(db_path: Path, tmp_path: Path) -> None:
    uri = f"file:{db_path}?mode=ro"
    engine = create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True))
    try:
        with pytest.raises(Exception) as caught, engine.begin() as conn:
            conn.execute(text("INSERT INTO units (name, kind) VALUES ('x', '村')"))
    finally:
        engine.dispose()
    message = explain(caught.value)  # sqlalchemy's OperationalError around sqlite3's
    assert message is not None and "只读" in message

    for code in (errno.EACCES, errno.EROFS):
        message = explain(OSError(code, os.strerror(code), str(tmp_path / "a.xlsx")))
        assert message is not None and "只读" in message and str(tmp_path / "a.xlsx") in message


def test_unrelated_errors_are_not_explained() -> None:
    assert explain(ValueError("database is fine")) is None
    assert explain(OSError(errno.ENOENT, "No such file")) is None
    wrapped = RuntimeError("outer")
    wrapped.__cause__ = OSError(errno.ENOSPC, "No space left on device")
    assert explain(wrapped) == DISK_FULL  # found through the chain


# ---- leftovers ------------------------------------------------------------------------------------------------


def _age(path: Path, seconds: float) -> None:
    when = time.time() - seconds
    for p in [path, *path.iterdir()] if path.is_dir() else [path]:
        os.utime(p, (when, when))


def test_leftovers_of_killed_runs_are_removed_at_start(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("VILLAGEDESK_HOME", str(tmp_path / "home"))
    data, backups = data_dir(), backup_dir()
    old_part = backups / "村-备份-20260101-000000.sqlite.part"
    old_part.write_bytes(b"half a backup")
    plain = backups / ".vd-temp-abc123"
    plain.mkdir()
    (plain / "plain.sqlite").write_bytes(b"SQLite format 3\x00 decrypted")
    legacy = backups / "tmpk2j4h1"
    legacy.mkdir()
    (legacy / "preview.sqlite").write_bytes(b"SQLite format 3\x00")
    data_part = data / "villagedesk.sqlite.part"
    data_part.write_bytes(b"x")
    for p in (old_part, plain, legacy, data_part):
        _age(p, 3600)

    young = backups / "running.sqlite.part"  # another process is writing it right now
    young.write_bytes(b"x")
    someone_elses = backups / "tmpnotours"  # a temp folder without a plain copy: not ours to judge
    someone_elses.mkdir()
    _age(someone_elses, 3600)
    backup = backups / "村-备份-20250101-000000.sqlite"
    backup.write_bytes(b"a real backup")
    _age(backup, 3600)

    with caplog.at_level(logging.INFO, logger="app.paths"):
        assert main(["--db", str(db_path), "check"]) == 0
    for gone in (old_part, plain, legacy, data_part):
        assert not gone.exists(), gone
        assert str(gone) in caplog.text  # each removal is logged
    for kept in (young, someone_elses, backup):
        assert kept.exists(), kept


def test_a_temp_folder_still_being_filled_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VILLAGEDESK_HOME", str(tmp_path / "home"))
    folder = backup_dir() / ".vd-temp-restore"
    folder.mkdir()
    (folder / "plain.sqlite").write_bytes(b"x")
    os.utime(folder, (time.time() - 3600, time.time() - 3600))  # the folder is old, its file is new
    assert clean_leftovers() == []
    assert clean_leftovers(now=time.time() + 3600) == [folder]


# ---- fsync before rename ---------------------------------------------------------------------------------------


def test_atomic_path_flushes_the_file_before_the_rename(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (events.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(os, "replace", lambda a, b: (events.append("replace"), real_replace(a, b))[1])
    target = tmp_path / "台账.xlsx"
    with atomic_path(target) as tmp:
        tmp.write_bytes(b"content")
    assert target.read_bytes() == b"content"
    first_replace = events.index("replace")
    assert "fsync" in events[:first_replace]  # the file's bytes, before its name
    if os.name == "posix":
        assert "fsync" in events[first_replace:]  # and the folder's entry after


def test_beside_the_database_only_its_own_leftovers_go(
    template_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database may sit in the user's own folder: a browser's download.part there is not ours."""
    monkeypatch.setenv("VILLAGEDESK_HOME", str(tmp_path / "home"))
    folder = tmp_path / "我的文档"
    folder.mkdir()
    db_file = folder / "东坟村.sqlite"
    db_file.write_bytes(template_db.read_bytes())
    staged = folder / ".vd-temp-restore1"  # a killed restore's staging folder
    staged.mkdir()
    (staged / "plain.sqlite").write_bytes(b"SQLite format 3\x00")
    own_part = folder / "东坟村.sqlite.part"
    own_part.write_bytes(b"x")
    download = folder / "电影.mp4.part"
    download.write_bytes(b"x")
    for p in (staged, own_part, download):
        _age(p, 3600)
    assert main(["--db", str(db_file), "check"]) == 0
    assert not staged.exists() and not own_part.exists()
    assert download.exists()


def test_an_export_into_a_read_only_folder_names_that_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(*_args: object, **_kwargs: object) -> tuple[int, str]:
        raise OSError(errno.EROFS, "Read-only file system", str(tmp_path / ".台账.x1y2.part.xlsx"))

    monkeypatch.setattr("tempfile.mkstemp", refused)
    with pytest.raises(ServiceError) as caught, atomic_path(tmp_path / "台账.xlsx"):
        pass
    message = str(caught.value)
    assert f"无法写入 {tmp_path}：" in message and "只读" in message and ".part" not in message


def test_a_part_file_in_the_users_own_folder_is_removed_after_a_kill(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An export or backup onto the user's folder (a USB stick) that is killed before its rename leaves a
    `.part` there: the data folder remembers it, and the next start removes exactly that file."""
    monkeypatch.setenv("VILLAGEDESK_HOME", str(tmp_path / "home"))
    stick = tmp_path / "stick"
    stick.mkdir()
    from app.paths import note_part, part_done

    killed = stick / "东坟村-备份.vdbak.part"
    note_part(killed)
    killed.write_bytes(b"half")  # the process dies here: part_done never runs
    theirs = stick / "someone-else.part"  # a file the program never noted stays
    theirs.write_bytes(b"x")
    finished = stick / "done.xlsx.part"
    note_part(finished)
    finished.write_bytes(b"y")
    finished.rename(stick / "done.xlsx")
    part_done(finished)
    assert clean_leftovers(min_age_s=60) == []  # too young: a running process may still be writing it
    assert clean_leftovers(min_age_s=0) == [killed]
    assert sorted(p.name for p in stick.iterdir()) == ["done.xlsx", "someone-else.part"]
    assert clean_leftovers(min_age_s=0) == []  # the reminder went with the file
