"""Backup and restore of a PostgreSQL database (server mode) with pg_dump / pg_restore.

backup.backup_to / inspect_backup / restore_from route here when the database is not a SQLite file.
A backup is `pg_dump -Fc` (custom format, compressed), written under `.part` and renamed, with the same
checksum sidecar as a SQLite backup, or encrypted like one (.vdbak). A restore stages a plain copy
(decrypted, checksum checked), refuses a dump that is not VillageDesk's or comes from a newer program,
dumps the current state first (恢复前) and runs `pg_restore --clean --if-exists --single-transaction
--no-owner`: a failure anywhere leaves the server's data as it was.

The tools run with the connection taken from the URL; the password never goes on their command line
(`ps` shows that to everyone): it is libpq's passfile (the saved server's) or PGPASSWORD in the child's
environment. The tool's own error text goes to the log; the user gets a Chinese message.
"""

from __future__ import annotations

import glob
import logging
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from app.db import Database
from app.paths import backup_dir, safe_file_name

from ..errors import ServiceError
from . import backup_files
from .backup_crypto import encrypt_file

log = logging.getLogger(__name__)

DUMP_MAGIC = b"PGDMP"  # the first bytes of a pg_dump custom-format archive
DUMP_SUFFIX = ".dump"
# besides PATH: where PostgreSQL's packages put the tools (Debian/Ubuntu, source builds, Windows installer)
TOOL_DIRS: tuple[str, ...] = ("/usr/lib/postgresql/*/bin", "/usr/local/pgsql/bin",
                              "C:/Program Files/PostgreSQL/*/bin")
LOCK_WAIT_MS = 60_000  # a restore waits this long for other clients' open transactions, then gives up
INSTALL_HINT = ("请在这台电脑上安装 PostgreSQL 客户端工具（Debian/Ubuntu：apt install postgresql-client；"
                "Windows：PostgreSQL 安装程序中的“Command Line Tools”），或把 pg_dump 所在的文件夹加入 PATH。")
_VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?")


def handles(db: Database) -> bool:
    """Whether db is a PostgreSQL database (backup and restore then go through this module)."""
    return db.path is None and db.engine.dialect.name == "postgresql"


def is_dump(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(len(DUMP_MAGIC)) == DUMP_MAGIC
    except OSError:
        return False


def stem(db: Database) -> str:
    """The name backups of this database start with: the database's name on the server."""
    return safe_file_name(make_url(db.url).database or "", fallback="server")


# ---- the tools ----------------------------------------------------------------------------------------

def _candidates(name: str) -> Iterator[Path]:
    exe = name + (".exe" if os.name == "nt" else "")
    on_path = shutil.which(name)
    if on_path:
        yield Path(on_path)
    for pattern in TOOL_DIRS:
        for folder in sorted(glob.glob(pattern)):
            path = Path(folder) / exe
            if path.is_file() and os.access(path, os.X_OK):
                yield path


def _tool_version(tool: Path) -> tuple[int, str] | None:
    """(major version, as shown) of a tool: 15 and "15.18"; 9 and "9.6" for the versions before 10."""
    try:
        out = subprocess.run([str(tool), "--version"], capture_output=True, text=True, timeout=20,
                             creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0))
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("%s --version failed: %s", tool, exc)
        return None
    m = _VERSION.search(out.stdout or "")
    if m is None:
        log.warning("%s --version said %r", tool, (out.stdout or out.stderr or "").strip()[:200])
        return None
    major = int(m[1])
    return major, f"{major}.{m[2]}" if major < 10 and m[2] else str(major)


def find_tool(name: str, server_major: int, action: str) -> Path:
    """The newest pg_dump / pg_restore found (PATH, then TOOL_DIRS); refused in Chinese when there is
    none or it is older than the server (pg_dump cannot dump a newer server)."""
    found = [(version, path) for path in _candidates(name) if (version := _tool_version(path)) is not None]
    if not found:
        raise ServiceError(f"找不到 {name}，无法{action}服务器上的数据库。{INSTALL_HINT}")
    (major, shown), path = max(found, key=lambda f: f[0][0])
    if major < server_major:
        raise ServiceError(f"这台电脑上的 {name} 是 PostgreSQL {shown} 版，比数据库服务器的 PostgreSQL "
                           f"{server_major} 旧，不能用来{action}。请安装 PostgreSQL {server_major} 或更新版本的"
                           f"客户端工具（如 postgresql-client-{server_major}）。")
    return path


def _server_major(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.exec_driver_sql("SHOW server_version_num").scalar() or 0) // 10000


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _connection(url: str) -> tuple[str, dict[str, str]]:
    """libpq conninfo (no password) for --dbname, and the child's environment (the password, if the URL
    carries one, as PGPASSWORD)."""
    u = make_url(url)
    params: dict[str, str] = {}
    for key, value in (("host", u.host), ("port", u.port), ("user", u.username), ("dbname", u.database)):
        if value not in (None, ""):
            params[key] = str(value)
    for key, value in u.query.items():  # passfile, connect_timeout, sslmode …: libpq's own keywords
        params[key] = str(value[-1] if isinstance(value, tuple) else value)
    env = dict(os.environ)
    if u.password:
        env["PGPASSWORD"] = str(u.password)
    return " ".join(f"{k}={_quote(v)}" for k, v in params.items()), env


def _run(cmd: list[str], env: dict[str, str], action: str) -> str:
    """Run a tool; its stderr goes to the log; a failure becomes a Chinese message. Returns stdout."""
    name = Path(cmd[0]).stem
    try:
        done = subprocess.run(cmd, env=env, capture_output=True, stdin=subprocess.DEVNULL,
                              creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0))
    except OSError as exc:
        log.error("%s could not run: %s", name, exc)
        raise ServiceError(f"无法运行 {name}（{exc.strerror or exc}），{action}没有完成。") from exc
    err = done.stderr.decode("utf-8", "replace").strip()
    if err:
        log.log(logging.ERROR if done.returncode else logging.INFO, "%s said: %s", name, err)
    if done.returncode != 0:
        first = next((line for line in err.splitlines() if line.strip()), f"退出码 {done.returncode}")
        raise ServiceError(f"{action}没有完成：{name} 报告错误（详细信息已写入日志）：{first.strip()[:300]}")
    return done.stdout.decode("utf-8", "replace")


def _dump(db: Database, out: Path) -> None:
    conninfo, env = _connection(db.url)
    tool = find_tool("pg_dump", _server_major(db), "备份")
    out.parent.mkdir(parents=True, exist_ok=True)
    part = backup_files.part_path(out)
    part.unlink(missing_ok=True)
    try:
        _run([str(tool), "--format=custom", "--no-password", f"--file={part}", f"--dbname={conninfo}"], env,
             "备份")
        if not is_dump(part):
            raise ServiceError(f"备份没有完成：{tool.name} 没有写出有效的备份文件。")
        backup_files.replace_synced(part, out)
    finally:
        part.unlink(missing_ok=True)


# ---- backup ------------------------------------------------------------------------------------------

def backup_to(db: Database, target: Path, password: str | None = None) -> Path:
    """pg_dump the server's database into target (a file), encrypted when a password is given."""
    from .backup import _temp_folder

    backup_files.drop_checksum(target)
    if not password:
        _dump(db, target)
        backup_files.write_checksum(target)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        with _temp_folder(backup_dir()) as tmp:  # the plain dump stays on this PC
            plain = Path(tmp) / ("plain" + DUMP_SUFFIX)
            _dump(db, plain)
            encrypt_file(plain, target, password)
    log.info("server database backed up to %s%s", target, " (encrypted)" if password else "")
    return target


def default_name(db: Database, village: str, encrypted: bool, encrypted_suffix: str) -> str:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    name = safe_file_name(village, fallback=stem(db))
    return f"{name}-备份-{stamp}{encrypted_suffix if encrypted else DUMP_SUFFIX}"


# ---- reading a dump ------------------------------------------------------------------------------------

def _table_rows(staged: Path, tables: tuple[str, ...], server_major: int) -> dict[str, list[dict[str, str | None]]]:
    """The rows of some tables in a dump (pg_restore's COPY text): table → rows as column → text."""
    tool = find_tool("pg_restore", server_major, "读取备份")
    cmd = [str(tool), "--data-only", "--file=-"] + [f"--table={t}" for t in tables] + [str(staged)]
    text = _run(cmd, dict(os.environ), "读取备份")
    out: dict[str, list[dict[str, str | None]]] = {t: [] for t in tables}
    columns: list[str] | None = None
    rows: list[dict[str, str | None]] = []
    for line in text.splitlines():
        if columns is None:
            m = re.match(r"COPY (?:\w+\.)?\"?(\w+)\"? \(([^)]*)\) FROM stdin;", line)
            if m and m[1] in out:
                columns, rows = [c.strip().strip('"') for c in m[2].split(",")], out[m[1]]
            continue
        if line == "\\.":
            columns = None
            continue
        values = [None if v == "\\N" else _unescape(v) for v in line.split("\t")]
        rows.append(dict(zip(columns, values, strict=False)))
    return out


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}.get(m[1], m[1]), value)


def _revision_of(staged: Path, label: str, server_major: int) -> str:
    from .backup import _known_revision

    rows = _table_rows(staged, ("alembic_version", "units"), server_major)
    if not rows["units"] and not rows["alembic_version"]:
        raise ServiceError(f"{label} 不是村级党建工作台的数据库备份。")
    return _known_revision([r["version_num"] or "" for r in rows["alembic_version"]] or None, label)


def dump_summary(staged: Path, server_major: int = 0) -> tuple[str, dict[str, int | None]]:
    """For the restore preview: the units' names, and the counts BackupInfo shows (None: no such table)."""
    tables = ("units", "party_members", "households", "residents", "tickets", "alembic_version")
    rows = _table_rows(staged, tables, server_major)
    if not rows["alembic_version"] or not rows["units"]:
        raise ServiceError(f"{staged.name} 不是村级党建工作台的数据库备份。")
    names = [r.get("name") or "" for r in sorted(rows["units"], key=lambda r: int(r.get("id") or 0))]
    shown = "、".join(names[:3]) + (f" 等 {len(names)} 个单位" if len(names) > 3 else "")
    counts: dict[str, int | None] = {
        "members": sum(1 for r in rows["party_members"]
                       if r.get("stage") in ("正式党员", "预备党员") and r.get("left_on") is None),
        "households": sum(1 for r in rows["households"] if r.get("closed_on") is None),
        "residents": sum(1 for r in rows["residents"] if r.get("status") in ("在册", "外出务工")),
        "tickets": len(rows["tickets"]),
    }
    return shown, counts


# ---- restore -------------------------------------------------------------------------------------------

def restore_from(db: Database, source: Path, password: str | None = None) -> Path | None:
    """Replace the server database's content by a checked pg_dump backup; the current state is dumped
    first (returned). pg_restore runs in one transaction: a failure changes nothing."""
    from app.migrate import head_revision, upgrade_to_head

    from .backup import _plain_copy, _temp_folder

    if not source.is_file():
        raise ServiceError(f"找不到备份文件：{source}")
    server_major = _server_major(db)
    with _temp_folder(backup_dir()) as tmp:
        staged = Path(tmp) / ("restore" + DUMP_SUFFIX)
        _plain_copy(source, staged, password)
        if not is_dump(staged):
            raise ServiceError(f"{source.name} 是本机数据库文件（SQLite）的备份，不能恢复到服务器上的数据库。"
                               "请选择用服务器数据库做的备份（.dump）。")
        revision = _revision_of(staged, source.name, server_major)
        when = datetime.now().strftime(backup_files.STAMP)
        safety = backup_dir() / f"{stem(db)}-{when}-恢复前{DUMP_SUFFIX}"
        _dump(db, safety)
        backup_files.write_checksum(safety)
        db.engine.dispose()  # this process's idle connections hold nothing the restore must wait for
        conninfo, env = _connection(db.url)
        env["PGOPTIONS"] = f"-c lock_timeout={LOCK_WAIT_MS}"  # others' open transactions: give up, not hang
        tool = find_tool("pg_restore", server_major, "恢复")
        try:
            _run([str(tool), "--clean", "--if-exists", "--single-transaction", "--no-owner", "--no-password",
                  f"--dbname={conninfo}", str(staged)], env, "恢复")
        except ServiceError as exc:
            raise ServiceError(f"{exc}\n未恢复，服务器上的数据没有改动。") from exc
    if revision != head_revision():
        try:
            upgrade_to_head(db, backup_first=False)
        except Exception as exc:
            log.exception("upgrading the restored server database failed")
            raise ServiceError(f"已恢复 {source.name}，但无法升级到本程序的数据库版本。恢复前的数据保存在 {safety}。") from exc
    log.info("server database restored from %s (previous state kept in %s)", source, safety)
    return safety
