"""Backups with the SQLite online backup API, restore, and integrity checks."""

from __future__ import annotations

import logging
import os
import sqlite3
from datetime import datetime
from pathlib import Path

from ..db import Database, sqlite_path
from ..paths import backup_dir
from .errors import ServiceError

log = logging.getLogger(__name__)


def _require_sqlite(db: Database) -> Path:
    path = db.path
    if path is None:
        raise ServiceError("备份与恢复只适用于本机 SQLite 数据库；服务器数据库请用 pg_dump 等工具备份。")
    return path


def copy_sqlite(src: Path, dst: Path) -> None:
    """Consistent copy of a live SQLite database (WAL included) into a new file, written then renamed."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(dst.name + ".part")
    tmp.unlink(missing_ok=True)
    with sqlite3.connect(src) as source, sqlite3.connect(tmp) as target:
        source.backup(target)
    # sqlite3's context manager does not close; close explicitly before the rename
    source.close()
    target.close()
    os.replace(tmp, dst)


def integrity_problems(path: Path) -> list[str]:
    """PRAGMA integrity_check and foreign_key_check; an empty list means the file is sound."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        problems = [] if rows == ["ok"] else [f"完整性检查：{r}" for r in rows]
        for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check"):
            problems.append(f"表 {table} 第 {rowid} 条记录引用的 {parent} 不存在")
        return problems
    finally:
        conn.close()


def backup_to(db: Database, target: Path) -> Path:
    """Write a checked backup of db to target (a file path)."""
    src = _require_sqlite(db)
    copy_sqlite(src, target)
    problems = integrity_problems(target)
    if problems:
        target.unlink(missing_ok=True)
        raise ServiceError("备份文件校验失败：" + "；".join(problems))
    log.info("backup written to %s", target)
    return target


def backup_before(db: Database, reason: str) -> Path | None:
    """Automatic backup into the data folder before a risky step (migration, import, restore)."""
    src = db.path
    if src is None or not src.exists():
        return None
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    return backup_to(db, backup_dir() / f"{src.stem}-{stamp}-{reason}.sqlite")


def default_backup_name(db: Database, village: str = "") -> str:
    src = _require_sqlite(db)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return f"{village or src.stem}-备份-{stamp}.sqlite"


def restore_from(db: Database, source: Path) -> Path | None:
    """Replace db's file by a checked backup. The current state is backed up first; the swap is atomic."""
    target = _require_sqlite(db)
    if not source.exists():
        raise ServiceError(f"找不到备份文件：{source}")
    try:
        problems = integrity_problems(source)
    except sqlite3.DatabaseError as exc:
        raise ServiceError(f"{source.name} 不是有效的数据库备份文件。") from exc
    if problems:
        raise ServiceError("备份文件已损坏，未恢复：" + "；".join(problems))
    safety = backup_before(db, reason="恢复前")
    db.dispose()
    staged = target.with_name(target.name + ".restore")
    copy_sqlite(source, staged)
    for suffix in ("-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    os.replace(staged, target)
    log.info("restored %s from %s (previous state kept in %s)", target, source, safety)
    return safety


def check(db: Database) -> list[str]:
    """Problems in the database file (empty list: all good)."""
    path = sqlite_path(db.url)
    if path is None:
        return []
    return integrity_problems(path)
