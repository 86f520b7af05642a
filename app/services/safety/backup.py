"""Backups with the SQLite online backup API, restore, and integrity checks.

Every file is written under a temporary name, flushed to disk and then renamed, so an interrupted
backup leaves no half file under the real name, and the database itself is never touched by a backup.
Plain backups get a checksum sidecar (see backup_files); plain copies of encrypted backups live only in
`.vd-temp-*` folders, removed on every error (and at start-up after a kill).

A restore works on a staged plain copy beside the database and validates it BEFORE anything is swapped:
checksum, integrity and foreign keys, a migration revision this program knows (not newer than it),
every table and column of that revision; then the staged copy is migrated to this program's schema and
checked again. Only then is the current state copied (恢复前), the live WAL emptied into the main file
and the files swapped with one rename: a refused restore leaves the live database untouched, and a
power cut anywhere leaves either the old or the restored database, whole.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app.db import Database, open_database, resolve_url, sqlite_path
from app.db_users import exclusive_use
from app.migrate import known_revisions, schema_at, upgrade_to_head
from app.models import Operator
from app.paths import TEMP_PREFIX, backup_dir, safe_file_name  # TEMP_PREFIX: start-up cleans leftovers

from .. import access, audit
from ..errors import ServiceError
from . import backup_files, backup_pg
from .backup_crypto import decrypt_file, encrypt_file, is_encrypted

log = logging.getLogger(__name__)

ENCRYPTED_SUFFIX = ".vdbak"  # 加密备份 (a plain backup is .sqlite)


@dataclass(frozen=True)
class BackupInfo:
    """What a restore dialog shows before the user decides."""

    path: Path
    encrypted: bool
    made_at: datetime  # from an automatic backup's name, else the file's time
    last_change: datetime | None  # the newest 操作日志 entry inside
    village: str
    members: int | None  # 党员 (正式 + 预备, not left); None: the file has no such table
    households: int | None
    residents: int | None
    tickets: int | None
    verified: bool = False  # a checksum (sidecar, or an encrypted file's own) confirmed every byte

    def lines(self) -> list[str]:
        def n(v: int | None) -> str:
            return "—" if v is None else str(v)

        out = [
            f"备份文件：{self.path.name}{'（已加密）' if self.encrypted else ''}",
            f"备份时间：{self.made_at:%Y-%m-%d %H:%M}",
        ]
        if self.last_change is not None:
            out.append(f"最后一次修改：{self.last_change:%Y-%m-%d %H:%M}")
        out += [
            f"本村：{self.village or '—'}",
            f"党员 {n(self.members)} 名，户 {n(self.households)} 户，居民 {n(self.residents)} 人，工单 {n(self.tickets)} 件",
            "校验值：相符" if self.verified else "校验值：无校验值（手工复制或旧版本制作的备份，无法确认内容未被改动）",
        ]
        return out


def _require_sqlite(db: Database) -> Path:
    path = db.path
    if path is None:
        raise ServiceError("备份与恢复只适用于本机 SQLite 数据库；服务器数据库请用 pg_dump 等工具备份。")
    return path


def _require_role(db: Database, *roles: str, action: str) -> None:
    if audit.current_operator_id.get() is None:
        return  # command line / scripts: no operator, no restriction (see access)
    with db.session() as s:
        access.require_role(s, *roles, action=action)


def _temp_folder(parent: Path) -> tempfile.TemporaryDirectory[str]:
    """A folder for plain copies, removed on leaving (on errors too); named so start-up removes it after a kill."""
    return tempfile.TemporaryDirectory(dir=parent, prefix=TEMP_PREFIX)


def copy_sqlite(src: Path, dst: Path) -> None:
    """Consistent copy of a live SQLite database (WAL included) into a new file, written then renamed.

    The copy is switched out of WAL mode: a backup is one self-contained file, with no -wal beside it
    that a later copy of the file alone (to a stick, into staging) would leave behind."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = backup_files.part_path(dst)
    tmp.unlink(missing_ok=True)
    try:
        source, target = sqlite3.connect(src), sqlite3.connect(tmp)
        try:
            source.backup(target)
            target.execute("PRAGMA journal_mode=DELETE")
        finally:
            # sqlite3's context manager does not close; close explicitly before the rename
            source.close()
            target.close()
        backup_files.replace_synced(tmp, dst)
    finally:
        tmp.unlink(missing_ok=True)  # gone after the rename; a leftover only on error


def integrity_problems(path: Path) -> list[str]:
    """PRAGMA integrity_check and foreign_key_check; an empty list means the file is sound."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.text_factory = bytes  # a damaged page can put any bytes into the messages
    try:
        rows = [r[0].decode("utf-8", "replace") for r in conn.execute("PRAGMA integrity_check")]
        problems = [] if rows == ["ok"] else [f"完整性检查：{r}" for r in rows]
        for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check"):
            problems.append(f"表 {table.decode()} 第 {rowid} 条记录引用的 {parent.decode()} 不存在")
        return problems
    except UnicodeDecodeError:  # SQLite's own message quoted garbage from a damaged page
        return ["完整性检查：文件内容已损坏，无法读取"]
    finally:
        conn.close()


def _read_schema(path: Path) -> tuple[dict[str, set[str]], list[str] | None]:
    """The file's tables (name → columns) and its alembic_version rows (None: no such table)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        tables = {t: {r[1] for r in conn.execute("SELECT * FROM pragma_table_info(?)", (t,))} for t in names}
        versions = None
        if "alembic_version" in tables:
            versions = [str(r[0]) for r in conn.execute("SELECT version_num FROM alembic_version")]
        return tables, versions
    finally:
        conn.close()


def _known_revision(versions: list[str] | None, label: str) -> str:
    """The file's migration revision, if this program knows it (it then is head or older: the chain is linear)."""
    if not versions or len(versions) != 1:
        raise ServiceError(f"{label} 没有有效的数据库版本记录，不是村级党建工作台制作的完整数据库，不能使用。")
    revision = versions[0]
    if revision not in known_revisions():
        shown = revision if revision.isprintable() and len(revision) <= 40 else repr(revision[:40])
        raise ServiceError(f"这个备份（{label}）来自更新版本的村级党建工作台（数据库版本 {shown}），"
                           "请先升级程序再恢复。")
    return revision


def _missing(tables: dict[str, set[str]], revision: str) -> list[str]:
    """The tables and columns a database at revision has and this file lacks."""
    out: list[str] = []
    for table, columns in sorted(schema_at(revision).items()):
        if table not in tables:
            out.append(f"表 {table}")
        else:
            out += [f"{table}.{c}" for c in sorted(columns - tables[table])]
    return out


def _checked(path: Path, label: str) -> str:
    """Refuse a file that is not a sound VillageDesk database of a revision this program knows, with
    every table and column of that revision (ServiceError naming the problem). Returns the revision."""
    problems: list[str] = []
    try:
        problems = integrity_problems(path)
        tables, versions = _read_schema(path)
    except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
        if problems:
            raise ServiceError(f"{label} 已损坏：" + "；".join(problems[:5])) from exc
        raise ServiceError(f"{label} 不是有效的数据库备份文件。") from exc
    if problems:
        raise ServiceError(f"{label} 已损坏：" + "；".join(problems[:5]))
    if "units" not in tables:
        raise ServiceError(f"{label} 不是村级党建工作台的数据库备份。")
    revision = _known_revision(versions, label)
    missing = _missing(tables, revision)
    if missing:
        more = f" 等 {len(missing)} 项" if len(missing) > 5 else ""
        raise ServiceError(f"{label} 不是完整的村级党建工作台数据库，缺少：" + "、".join(missing[:5]) + more
                           + "。不能使用。")
    return revision


def backup_to(db: Database, target: Path, password: str | None = None) -> Path:
    """Write a checked backup of db to target (a file path); encrypted when a password is given."""
    _require_role(db, "admin", "clerk", action="备份数据")
    if backup_pg.handles(db):  # server mode: pg_dump
        return backup_pg.backup_to(db, target, password)
    src = _require_sqlite(db)
    backup_files.drop_checksum(target)  # an older file's value must never vouch for the new one
    if not password:
        copy_sqlite(src, target)
        try:
            _checked(target, "备份文件")
        except ServiceError:
            target.unlink(missing_ok=True)
            raise
        backup_files.write_checksum(target)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        # the plain copy stays on this PC (data folder), never on the stick
        with _temp_folder(backup_dir()) as tmp:
            plain = Path(tmp) / "plain.sqlite"
            copy_sqlite(src, plain)
            _checked(plain, "备份文件")
            encrypt_file(plain, target, password)
    log.info("backup written to %s%s", target, " (encrypted)" if password else "")
    return target


def backup_before(db: Database, reason: str, check: bool = True) -> Path | None:
    """Automatic backup into the data folder (before a migration, an import, a restore; daily).

    check=False keeps the copy even when it is not a sound database (the 恢复前 copy: a restore is
    how a damaged database gets repaired, and its state is kept as it was)."""
    src = db.path
    if src is None or not src.exists():
        return None
    target = backup_dir() / backup_files.auto_name(src.stem, reason, datetime.now())
    copy_sqlite(src, target)
    if check:
        _checked(target, "自动备份")
    backup_files.write_checksum(target)
    log.info("automatic backup (%s) written to %s", reason, target)
    return target


def auto_backup(db: Database, now: datetime | None = None) -> Path | None:
    """The daily backup on start (at most one a day), then the history is trimmed."""
    src = db.path
    if src is None or not src.exists():
        return None
    folder, now = backup_dir(), now or datetime.now()
    made = None
    if not backup_files.made_today(folder, src.stem, now):
        made = backup_before(db, backup_files.DAILY_REASON)
    for old in backup_files.rotate(folder, src.stem):
        log.info("old automatic backup removed: %s", old)
    return made


def list_auto_backups(db: Database) -> list[backup_files.BackupFile]:
    src = db.path
    return [] if src is None else backup_files.list_auto(backup_dir(), src.stem)


def default_backup_name(db: Database, village: str = "", encrypted: bool = False) -> str:
    if backup_pg.handles(db):
        return backup_pg.default_name(db, village, encrypted, ENCRYPTED_SUFFIX)
    src = _require_sqlite(db)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    name = safe_file_name(village, fallback=src.stem)  # a village named "../x" must not leave the folder
    return f"{name}-备份-{stamp}{ENCRYPTED_SUFFIX if encrypted else '.sqlite'}"


def _plain_copy(source: Path, staged: Path, password: str | None) -> bool:
    """source (plain or encrypted) → a plain SQLite file at staged, its content checked against the
    checksum made with it. Returns whether a checksum vouched for it (False: a plain file without sidecar).

    An encrypted file is its own checksum: Fernet's HMAC covers every byte, so decrypting is verifying.
    """
    if is_encrypted(source):
        decrypt_file(source, staged, password)
        return True
    tmp = backup_files.part_path(staged)
    try:
        shutil.copyfile(source, tmp)
        backup_files.replace_synced(tmp, staged)
    finally:
        tmp.unlink(missing_ok=True)
    # the copy is what gets used, so the copy is what gets hashed
    matches = backup_files.checksum_matches(source, staged)
    if matches is False:
        raise ServiceError(f"{source.name}：备份文件内容已被改动或损坏（校验值不符），不能使用。")
    return matches is True


def _count(conn: sqlite3.Connection, sql: str) -> int | None:
    try:
        row = conn.execute(sql).fetchone()
    except sqlite3.DatabaseError:
        return None  # an older file without that table
    return int(row[0]) if row and row[0] is not None else 0


def inspect_backup(source: Path, password: str | None = None) -> BackupInfo:
    """Date and counts of a backup, for the restore preview. Refuses damaged files."""
    if not source.is_file():
        raise ServiceError(f"找不到备份文件：{source}")
    encrypted = is_encrypted(source)
    with _temp_folder(backup_dir()) as tmp:
        plain = Path(tmp) / "preview.sqlite"
        verified = _plain_copy(source, plain, password)
        if backup_pg.is_dump(plain):  # a server database's backup (pg_dump)
            village, n = backup_pg.dump_summary(plain)
            return BackupInfo(source, encrypted, _made_at(source), None, village, n["members"],
                              n["households"], n["residents"], n["tickets"], verified=verified)
        _checked(plain, source.name)
        conn = sqlite3.connect(f"file:{plain}?mode=ro", uri=True)
        try:
            members = _count(conn, "SELECT count(*) FROM party_members WHERE stage IN ('正式党员', '预备党员')"
                                   " AND left_on IS NULL")
            households = _count(conn, "SELECT count(*) FROM households WHERE closed_on IS NULL")
            residents = _count(conn, "SELECT count(*) FROM residents WHERE status IN ('在册', '外出务工')")
            tickets = _count(conn, "SELECT count(*) FROM tickets")
            village = conn.execute("SELECT name FROM units ORDER BY id LIMIT 1").fetchone()
            try:
                last = conn.execute("SELECT max(at) FROM audit_entries").fetchone()[0]
            except sqlite3.DatabaseError:
                last = None
        finally:
            conn.close()
    last_change = datetime.fromisoformat(str(last)) if last else None
    return BackupInfo(source, encrypted, _made_at(source), last_change, village[0] if village else "",
                      members, households, residents, tickets, verified=verified)


def _made_at(source: Path) -> datetime:
    auto = backup_files.parse(source)
    return auto.made_at if auto else datetime.fromtimestamp(source.stat().st_mtime)


def _empty_wal(path: Path) -> None:
    """Move everything committed in the WAL into the main file and truncate the WAL to zero bytes.

    After this the -wal file holds nothing that could be replayed onto the restored file.
    """
    if not path.exists():
        return
    conn = sqlite3.connect(path)
    try:
        busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        conn.close()
    if busy:
        raise ServiceError("数据库正被其他程序使用，无法恢复；请关闭其他窗口后再试。")


@exclusive_use("恢复")  # refused while another process has the file open; nobody opens it meanwhile
def restore_from(db: Database, source: Path, password: str | None = None) -> Path | None:
    """Replace db's file by a checked backup (admin only), brought to this program's schema before the
    swap. The current state is backed up first (returned); the swap is one rename. A refused restore
    (ServiceError) leaves the live database as it was."""
    _require_role(db, "admin", action="从备份恢复数据")
    if backup_pg.handles(db):  # server mode: pg_restore
        safety = backup_pg.restore_from(db, source, password)
        _record_restore(db, source, safety)
        return safety
    target = _require_sqlite(db)
    if not source.is_file():
        raise ServiceError(f"找不到备份文件：{source}")
    # staged beside the database (the swap must be a rename on one disk), in a temp folder so that
    # a killed restore leaves no plain copy of an encrypted backup for long
    with _temp_folder(target.parent) as tmp:
        staged = Path(tmp) / "restore.sqlite"
        _plain_copy(source, staged, password)
        _checked(staged, source.name)
        _upgrade_staged(staged, source.name)
        safety = backup_before(db, reason="恢复前", check=False)
        db.dispose()
        _empty_wal(target)
        backup_files.replace_synced(staged, target)
    for suffix in ("-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    log.info("restored %s from %s (previous state kept in %s)", target, source, safety)
    _record_restore(db, source, safety)
    return safety


def _upgrade_staged(staged: Path, label: str) -> None:
    """Bring the staged copy to this program's schema and check it again, all before the swap."""
    staged_db = open_database(resolve_url(staged), migrate=False)
    try:
        migrated = upgrade_to_head(staged_db, backup_first=False)  # a copy of a backup: no 升级前 copy
    except ServiceError:
        raise
    except Exception as exc:  # whatever breaks in an old file's migration: refuse, the live file is untouched
        log.exception("upgrading the staged copy of %s failed", label)
        raise ServiceError(f"{label} 无法升级到本程序的数据库版本，未恢复，当前数据没有改动。") from exc
    finally:
        staged_db.dispose()
    _empty_wal(staged)  # everything the migration wrote is in the file that gets renamed
    if migrated:
        _checked(staged, label)


def _record_restore(db: Database, source: Path, safety: Path | None) -> None:
    """The restore itself goes into the restored 操作日志 (by the operator, if the file knows them)."""
    with db.session() as s:
        op_id = audit.current_operator_id.get()
        known = op_id is not None and s.get(Operator, op_id) is not None
        token = audit.current_operator_id.set(op_id if known else None)
        try:
            audit.record(s, None, "restore", "database", None, f"从备份恢复：{source.name}",
                         {"source": str(source), "previous_state": str(safety) if safety else None})
        finally:
            audit.current_operator_id.reset(token)


def check(db: Database) -> list[str]:
    """Problems in the database (empty list: all good): file integrity, broken references, data rules,
    an 操作日志 or operators table changed outside the program."""
    from .consistency import audit_problems, rule_problems

    path = sqlite_path(db.url)
    problems = integrity_problems(path) if path is not None else []
    if any(p.startswith("完整性检查") for p in problems):
        return problems  # a damaged file: the rule queries could mislead
    with db.session() as s:
        problems += rule_problems(s)
        problems += audit_problems(s)
    return problems
