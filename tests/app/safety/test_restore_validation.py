"""Restore validates a backup before it swaps; checksums catch a changed byte; no plain copy is left behind."""

from __future__ import annotations

import shutil
import sqlite3
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, func, select

from app.db import Database, open_database, resolve_url
from app.migrate import alembic_config, current_revision, head_revision
from app.models import Unit
from app.paths import backup_dir
from app.services.errors import ServiceError
from app.services.safety import backup, backup_crypto, backup_files

PASSWORD = "村委会2026"
# restoring SQLite files over the live file (PostgreSQL's pg_dump backups: test_backup_pg.py)
pytestmark = pytest.mark.sqlite_only


def _units_only(path: Path, name: str = "假村") -> Path:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE units (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("INSERT INTO units (name) VALUES (?)", (name,))
    return path


def _village(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return str(conn.execute("SELECT name FROM units ORDER BY id LIMIT 1").fetchone()[0])


def _assert_live_works(db: Database, village: str = "东坟村") -> None:
    """The live file is the one before the refused restore, and the program can open and query it."""
    db.dispose()
    again = open_database(resolve_url(db.path))
    try:
        with again.session() as s:
            assert s.scalar(select(Unit.name).order_by(Unit.id).limit(1)) == village
            assert (s.scalar(select(func.count()).select_from(Unit)) or 0) >= 1
        assert current_revision(again) == head_revision()
    finally:
        again.dispose()


def _no_temp_left(*folders: Path) -> None:
    for folder in folders:
        left = [p.name for p in folder.iterdir() if p.name.startswith(backup.TEMP_PREFIX) or p.suffix == ".part"]
        assert left == [], f"left in {folder}: {left}"


def _flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def test_units_only_file_is_refused_and_the_live_database_still_works(demo_db: Database, tmp_path: Path) -> None:
    fake = _units_only(tmp_path / "units-only.sqlite")
    before = demo_db.path.read_bytes()  # type: ignore[union-attr]
    for attempt in (lambda: backup.inspect_backup(fake), lambda: backup.restore_from(demo_db, fake)):
        with pytest.raises(ServiceError, match="没有有效的数据库版本记录"):
            attempt()
    assert demo_db.path.read_bytes() == before  # type: ignore[union-attr]
    _assert_live_works(demo_db)
    _no_temp_left(demo_db.path.parent, backup_dir())  # type: ignore[union-attr]


def test_newer_schema_backup_is_refused(demo_db: Database, tmp_path: Path) -> None:
    newer = backup.backup_to(demo_db, tmp_path / "newer.sqlite")
    backup_files.checksum_path(newer).unlink()  # as if made by that newer version by hand
    with sqlite3.connect(newer) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'ffffffffffff'")
    with sqlite3.connect(demo_db.path) as conn:  # type: ignore[arg-type]
        conn.execute("UPDATE units SET name = '现在的村'")
    for attempt in (lambda: backup.inspect_backup(newer), lambda: backup.restore_from(demo_db, newer)):
        with pytest.raises(ServiceError, match=r"来自更新版本的村级党建工作台（数据库版本 ffffffffffff），请先升级程序再恢复"):
            attempt()
    _assert_live_works(demo_db, "现在的村")


def test_missing_tables_or_columns_are_named(demo_db: Database, tmp_path: Path) -> None:
    no_table = backup.backup_to(demo_db, tmp_path / "no-table.sqlite")
    no_column = backup.backup_to(demo_db, tmp_path / "no-column.sqlite")
    for made in (no_table, no_column):
        backup_files.checksum_path(made).unlink()
    with sqlite3.connect(no_table) as conn:
        conn.execute("DROP TABLE org_memberships")
    with sqlite3.connect(no_column) as conn:
        conn.execute("ALTER TABLE units DROP COLUMN committee_phone")
    with pytest.raises(ServiceError, match="缺少：表 org_memberships"):
        backup.restore_from(demo_db, no_table)
    with pytest.raises(ServiceError, match=r"缺少：units\.committee_phone"):
        backup.inspect_backup(no_column)
    _assert_live_works(demo_db)


def _at_revision(path: Path, revision: str, village: str) -> Path:
    """A database as an older version of the program left it: migrated only up to revision."""
    engine = create_engine(resolve_url(path))
    try:
        cfg = alembic_config(resolve_url(path))
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO units (name, kind, township, county, contact_person, contact_phone, objection_box,"
                " notice_days, notice_workdays, is_demo) VALUES (?, '村', '', '', '', '', '', 5, 0, 0)", (village,))
    finally:
        engine.dispose()
    return path


def test_older_schema_backup_is_migrated_in_staging_then_restored(demo_db: Database, tmp_path: Path) -> None:
    old = _at_revision(tmp_path / "old.sqlite", "0003_point_entries_year_sums", "旧版本村")
    info = backup.inspect_backup(old)  # the preview reads the old schema as it is
    assert info.village == "旧版本村" and not info.verified
    started = datetime.now() - timedelta(seconds=1)

    safety = backup.restore_from(demo_db, old)

    assert safety is not None and _village(safety) == "东坟村"
    assert _village(old) == "旧版本村"
    with sqlite3.connect(old) as conn:  # the backup itself was not migrated, only its staged copy
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0003_point_entries_year_sums"
    restored = open_database(resolve_url(demo_db.path), migrate=False)
    try:
        assert current_revision(restored) == head_revision()  # migrated before the swap
        with restored.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT committee_phone FROM units").fetchone()[0] == ""
            assert conn.exec_driver_sql("SELECT action FROM audit_entries ORDER BY id DESC").first()[0] == "restore"
    finally:
        restored.dispose()
    # the staged copy's upgrade made no 升级前 backup of its own (it is a copy of a backup)
    made = [b for b in backup_files.list_auto(backup_dir(), "restore") if b.made_at >= started]
    assert made == []
    _no_temp_left(demo_db.path.parent, backup_dir())  # type: ignore[union-attr]


def test_a_failed_migration_of_the_staged_copy_leaves_the_live_database(
        demo_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old = _at_revision(tmp_path / "old.sqlite", "0003_point_entries_year_sums", "旧版本村")

    def broken_upgrade(db: Database, backup_first: bool = True) -> bool:
        raise sqlite3.OperationalError("near \"ALTER\": syntax error")  # as a broken migration would

    monkeypatch.setattr(backup, "upgrade_to_head", broken_upgrade)
    before = demo_db.path.read_bytes()  # type: ignore[union-attr]
    with pytest.raises(ServiceError, match="无法升级到本程序的数据库版本，未恢复，当前数据没有改动"):
        backup.restore_from(demo_db, old)
    assert demo_db.path.read_bytes() == before  # type: ignore[union-attr]
    _assert_live_works(demo_db)
    _no_temp_left(demo_db.path.parent)  # type: ignore[union-attr]


def test_restore_repairs_a_live_file_an_old_version_broke(demo_db: Database, tmp_path: Path) -> None:
    """The issue's case: a units-only file was swapped in by an older version; a good backup must still
    restore over it, and the broken state is kept as it was (恢复前)."""
    good = backup.backup_to(demo_db, tmp_path / "good.sqlite")
    demo_db.dispose()
    live = demo_db.path
    assert live is not None
    for suffix in ("-wal", "-shm"):
        Path(str(live) + suffix).unlink(missing_ok=True)
    shutil.copyfile(_units_only(tmp_path / "broken.sqlite", "坏村"), live)
    broken = open_database(resolve_url(live), migrate=False)  # as `villagedesk restore` opens it
    try:
        safety = backup.restore_from(broken, good)
    finally:
        broken.dispose()
    assert safety is not None and _village(safety) == "坏村"
    _assert_live_works(demo_db)


def test_plain_backup_checksum_catches_a_flipped_byte(demo_db: Database, tmp_path: Path) -> None:
    made = backup.backup_to(demo_db, tmp_path / "b.sqlite")
    side = backup_files.checksum_path(made)
    assert side.read_text().split() == [backup_files.file_sha256(made), "b.sqlite"]
    assert backup.inspect_backup(made).verified
    assert "校验值：相符" in backup.inspect_backup(made).lines()

    data = made.read_bytes()
    at = data.index("东坟村".encode())  # a bit flipped inside a name: the file stays a sound database
    _flip(made, at + 1)
    assert backup.integrity_problems(made) == []
    with sqlite3.connect(demo_db.path) as conn:  # type: ignore[arg-type]
        conn.execute("UPDATE units SET name = '现在的村'")
    for attempt in (lambda: backup.inspect_backup(made), lambda: backup.restore_from(demo_db, made)):
        with pytest.raises(ServiceError, match=r"备份文件内容已被改动或损坏（校验值不符）"):
            attempt()
    _assert_live_works(demo_db, "现在的村")

    side.unlink()  # without a checksum the same file passes every other check: only the checksum saw it
    info = backup.inspect_backup(made)
    assert not info.verified and any("无校验值" in line for line in info.lines())
    assert info.village != "东坟村"


def test_a_malformed_sidecar_refuses(demo_db: Database, tmp_path: Path) -> None:
    made = backup.backup_to(demo_db, tmp_path / "b.sqlite")
    backup_files.checksum_path(made).write_text("")
    with pytest.raises(ServiceError, match="校验值不符"):
        backup.inspect_backup(made)


def test_backup_over_an_old_file_replaces_its_sidecar(demo_db: Database, tmp_path: Path) -> None:
    target = tmp_path / "b.sqlite"
    backup.backup_to(demo_db, target)
    with sqlite3.connect(demo_db.path) as conn:  # type: ignore[arg-type]
        conn.execute("UPDATE units SET name = '第二次'")
    backup.backup_to(demo_db, target)
    assert backup.inspect_backup(target).verified
    backup.backup_to(demo_db, target, password=PASSWORD)  # now encrypted under the same name: no stale sidecar
    assert not backup_files.checksum_path(target).exists()


@pytest.mark.parametrize("where", ["salt", "middle", "last"])
def test_encrypted_backup_with_a_flipped_byte_is_refused(demo_db: Database, tmp_path: Path, where: str) -> None:
    made = backup.backup_to(demo_db, tmp_path / "b.vdbak", password=PASSWORD)
    size = made.stat().st_size
    _flip(made, {"salt": len(backup_crypto.MAGIC) + 3, "middle": size // 2, "last": size - 1}[where])
    with pytest.raises(ServiceError, match="密码不正确，或备份文件已损坏"):
        backup.restore_from(demo_db, made, password=PASSWORD)
    _assert_live_works(demo_db)


def _with_cost(made: Path, log2_n: int, r: int, p: int) -> Path:
    data = bytearray(made.read_bytes())
    at = len(backup_crypto.MAGIC) + backup_crypto.SALT_BYTES
    data[at:at + 3] = bytes((log2_n, r, p))
    made.write_bytes(bytes(data))
    return made


@pytest.mark.parametrize("cost", [(40, 8, 1), (20, 16, 4), (18, 16, 1), (0, 8, 1), (15, 0, 1), (15, 8, 255)])
def test_crafted_scrypt_header_is_refused_before_any_key_work(
        demo_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cost: tuple[int, int, int]) -> None:
    made = _with_cost(backup.backup_to(demo_db, tmp_path / "b.vdbak", password=PASSWORD), *cost)

    def no_kdf(*args: object, **kwargs: object) -> None:
        raise AssertionError("scrypt must not run for a cost out of bounds")

    monkeypatch.setattr(backup_crypto, "Scrypt", no_kdf)
    with pytest.raises(ServiceError, match="不是有效的加密备份文件"):
        backup.inspect_backup(made, PASSWORD)
    _no_temp_left(backup_dir())


def test_scrypt_bounds_accept_our_own_cost() -> None:
    assert backup_crypto.cost_allowed(backup_crypto.SCRYPT_LOG2_N, backup_crypto.SCRYPT_R, backup_crypto.SCRYPT_P)
    assert backup_crypto.cost_allowed(20, 2, 4)  # 256 MiB: the most a file may ask for
    assert not backup_crypto.cost_allowed(20, 3, 1)


def test_crafted_header_returns_quickly(demo_db: Database, tmp_path: Path) -> None:
    """Reported, with a bound far above the real figure (it is a few milliseconds)."""
    made = _with_cost(backup.backup_to(demo_db, tmp_path / "b.vdbak", password=PASSWORD), 63, 255, 255)
    started = time.perf_counter()
    with pytest.raises(ServiceError, match="不是有效的加密备份文件"):
        backup_crypto.decrypt_file(made, tmp_path / "plain.sqlite", PASSWORD)
    elapsed = time.perf_counter() - started
    print(f"crafted scrypt header refused in {elapsed * 1000:.1f} ms")
    assert elapsed < 30
    assert not (tmp_path / "plain.sqlite").exists()


def test_failed_encrypted_backup_leaves_no_plaintext(demo_db: Database, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    def disk_full(src: Path, dst: Path, password: str) -> None:
        assert src.parent.name.startswith(backup.TEMP_PREFIX)  # the plain copy is in a marked temp folder
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(backup, "encrypt_file", disk_full)
    stick = tmp_path / "stick"
    with pytest.raises(OSError):
        backup.backup_to(demo_db, stick / "b.vdbak", password=PASSWORD)
    _no_temp_left(backup_dir(), stick)
    assert not any(p.name == "plain.sqlite" for p in backup_dir().rglob("*"))
    assert list(stick.iterdir()) == []


def test_refused_encrypted_restore_leaves_no_plaintext(demo_db: Database, tmp_path: Path) -> None:
    plain = _units_only(tmp_path / "units-only.sqlite")
    locked = tmp_path / "units-only.vdbak"
    backup_crypto.encrypt_file(plain, locked, PASSWORD)
    for attempt in (lambda: backup.inspect_backup(locked, PASSWORD),
                    lambda: backup.restore_from(demo_db, locked, PASSWORD)):
        with pytest.raises(ServiceError, match="没有有效的数据库版本记录"):
            attempt()
    _no_temp_left(backup_dir(), demo_db.path.parent)  # type: ignore[union-attr]
    _assert_live_works(demo_db)


def test_write_synced_leaves_no_part_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_rename(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(backup_files.os, "replace", no_rename)
    with pytest.raises(OSError):
        backup_files.write_synced(tmp_path / "x.vdbak", b"data")
    with pytest.raises(OSError):
        backup.copy_sqlite(_units_only(tmp_path / "src.sqlite"), tmp_path / "copy.sqlite")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["src.sqlite"]


def test_automatic_backups_carry_a_checksum_and_rotation_takes_it_along(tmp_path: Path) -> None:
    now = datetime(2026, 6, 30, 9, 0)
    for day in range(40):
        path = tmp_path / backup_files.auto_name("v", "每日", now - timedelta(days=day))
        path.write_bytes(f"backup {day}".encode())
        backup_files.write_checksum(path)
    listed = backup_files.list_auto(tmp_path, "v")
    assert len(listed) == 40 and all(b.path.suffix == ".sqlite" for b in listed)

    removed = backup_files.rotate(tmp_path, "v")

    assert removed and all(not backup_files.checksum_path(p).exists() for p in removed)
    kept = backup_files.list_auto(tmp_path, "v")
    assert all(backup_files.checksum_matches(b.path) for b in kept)
    assert len(list(tmp_path.glob("*.sha256"))) == len(kept)


def test_backup_before_writes_a_checksum(demo_db: Database) -> None:
    made = backup.backup_before(demo_db, "导入前")
    assert made is not None and backup_files.checksum_matches(made) is True
    assert backup.inspect_backup(made).verified
