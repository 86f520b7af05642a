"""The saved PostgreSQL server connection (设置 → 数据库服务器), used when no --db / --db-url is given.

The connection URL, without the password, is kept in a small JSON file in the data folder. The password
goes into a libpq password file beside it (`host:port:database:user:password`, mode 0600) that the URL
names (`?passfile=…`): libpq reads it at every connect, so the password is never in the JSON, a log line,
the window's status bar or a command line.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import URL, create_engine, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from .paths import TEMP_PREFIX, data_dir
from .services.errors import FieldProblem, ServiceError, ValidationError

log = logging.getLogger(__name__)

SERVER_FILE = "server.json"
PASS_FILE = "server.pgpass"
DRIVER = "postgresql+psycopg"
CONNECT_TIMEOUT_S = 8  # an unreachable server is reported after this, not after the system's minutes
DEFAULT_PORT = 5432


@dataclass(frozen=True)
class ServerSettings:
    host: str
    port: int = DEFAULT_PORT
    database: str = "villagedesk"
    user: str = "villagedesk"


def server_file() -> Path:
    return data_dir() / SERVER_FILE


def passfile_path() -> Path:
    return data_dir() / PASS_FILE


def _checked(settings: ServerSettings) -> ServerSettings:
    problems: list[FieldProblem] = []
    host, database, user = settings.host.strip(), settings.database.strip(), settings.user.strip()
    for field, label, value in (("host", "主机", host), ("database", "数据库", database), ("user", "用户名", user)):
        if not value:
            problems.append(FieldProblem(field, label, "请填写"))
        elif any(ch in value for ch in " :/\\@?#") or not value.isprintable():
            problems.append(FieldProblem(field, label, "不能含空格和 : / \\ @ ? # 等字符"))
    if not isinstance(settings.port, int) or not 1 <= settings.port <= 65535:
        problems.append(FieldProblem("port", "端口", "应为1到65535之间的整数（PostgreSQL 默认 5432）"))
    if problems:
        raise ValidationError(problems)
    return ServerSettings(host, settings.port, database, user)


def _url(settings: ServerSettings, password: str | None = None, passfile: Path | None = None) -> URL:
    query = {"connect_timeout": str(CONNECT_TIMEOUT_S)}
    if passfile is not None:
        query["passfile"] = str(passfile)
    return URL.create(DRIVER, username=settings.user, password=password or None, host=settings.host,
                      port=settings.port, database=settings.database, query=query)


def _pgpass_field(text: str) -> str:
    return text.replace("\\", "\\\\").replace(":", "\\:")  # libpq's escapes in a password file


def _pgpass_line(settings: ServerSettings, password: str) -> str:
    fields = (settings.host, str(settings.port), settings.database, settings.user, password)
    return ":".join(_pgpass_field(v) for v in fields) + "\n"


def _write_private(path: Path, text: str) -> None:
    """Write text readable by this user only (0600 from creation: never a moment readable by others)."""
    tmp = path.with_name(path.name + ".part")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def save_server(settings: ServerSettings, password: str) -> str:
    """Remember the server (used from the next start on); returns its URL (without the password)."""
    settings = _checked(settings)
    passfile = passfile_path()
    if password or settings != saved_settings() or not passfile.exists():  # empty: keep the saved one
        _write_private(passfile, _pgpass_line(settings, password))
    url = _url(settings, passfile=passfile).render_as_string(hide_password=False)
    _write_private(server_file(), json.dumps({"url": url, **asdict(settings)}, ensure_ascii=False, indent=1))
    log.info("database server saved: %s:%s/%s as %s", settings.host, settings.port, settings.database,
             settings.user)
    return url


def load_server() -> str | None:
    """The saved server's URL (None: none saved, the program uses the SQLite file)."""
    path = server_file()
    if not path.is_file():
        return None
    try:
        url = json.loads(path.read_text(encoding="utf-8"))["url"]
        make_url(url)
    except (OSError, ValueError, KeyError, TypeError, SQLAlchemyError) as exc:
        raise ServiceError(f"数据库服务器设置文件 {path} 已损坏，无法读取。请删除这个文件（改回本机数据库文件），"
                           "或在设置中重新保存服务器。") from exc
    return str(url)


def saved_settings() -> ServerSettings | None:
    """The saved server's fields for the settings box (None: none saved or unreadable)."""
    try:
        data = json.loads(server_file().read_text(encoding="utf-8"))
        return ServerSettings(str(data["host"]), int(data["port"]), str(data["database"]), str(data["user"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def clear_server() -> bool:
    """Go back to the SQLite file on this PC from the next start. Returns whether a server was saved."""
    had = server_file().exists()
    for path in (server_file(), passfile_path()):
        path.unlink(missing_ok=True)
    if had:
        log.info("database server setting removed: back to the local SQLite file")
    return had


def describe_url(url: str) -> str:
    """How the window names the database it opened: the file, or 「服务器 主机:端口，数据库 …（用户 …）」 —
    never a password or the password file's path (a --db-url may carry the password)."""
    try:
        u = make_url(url)
    except SQLAlchemyError:
        return "（无法识别的数据库地址）"
    if u.get_backend_name() == "sqlite":
        return u.database or "内存数据库"
    who = f"（用户 {u.username}）" if u.username else ""
    return f"服务器 {u.host or '本机'}:{u.port or DEFAULT_PORT}，数据库 {u.database or ''}{who}"


def describe_connect_error(exc: BaseException, settings: ServerSettings | None = None) -> str:
    """A Chinese reason for a failed connection to PostgreSQL (SQLSTATE first, then libpq's own text)."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    state = getattr(orig, "sqlstate", None)
    text = str(orig)
    where = f"{settings.host}:{settings.port}" if settings else "服务器"
    db = f"“{settings.database}”" if settings else ""
    user = f"“{settings.user}”" if settings else ""
    lower = text.lower()
    if state == "28P01" or "password authentication failed" in lower:
        return f"密码不对：服务器拒绝了用户{user}的密码。请检查用户名和密码。"
    if "no password supplied" in lower or "fe_sendauth" in lower:
        return f"服务器要求密码：请填写用户{user}的密码。"
    if state == "3D000" or ("database" in lower and "does not exist" in lower):
        return f"服务器上没有数据库{db}。请让管理员先建立这个数据库（createdb），或检查数据库名称。"
    if "role" in lower and "does not exist" in lower:
        return f"服务器上没有用户{user}。请检查用户名。"
    if "pg_hba.conf" in lower:
        return f"服务器不允许这台电脑以用户{user}连接（pg_hba.conf 中没有对应的设置），请联系服务器管理员。"
    if state == "28000":
        return f"服务器拒绝了用户{user}的登录，请联系服务器管理员。"
    if "timeout" in lower or "timed out" in lower:
        return f"连接 {where} 超时（{CONNECT_TIMEOUT_S} 秒内没有回应）：请检查网络、主机地址和防火墙。"
    if "could not translate host name" in lower or "name or service not known" in lower or "nodename" in lower:
        return f"找不到主机“{settings.host if settings else ''}”：请检查主机名或 IP 地址。"
    if "connection refused" in lower:
        return f"无法连接到 {where}：服务器没有运行，或端口不对（PostgreSQL 默认 5432）。"
    if "no route to host" in lower or "network is unreachable" in lower:
        return f"无法连接到 {where}：网络不通，请检查网线或网络设置。"
    first = text.strip().splitlines()[0] if text.strip() else type(orig).__name__
    return f"无法连接到数据库服务器 {where}：{first}"


def open_failure(url: str, exc: BaseException) -> str | None:
    """「无法打开数据库（服务器 主机:端口，数据库 …）：the reason」 when a PostgreSQL server could not be reached or
    refused the login (describe_connect_error), never the URL itself (it names the password file, or carries
    a password); None for any other failure."""
    try:
        u = make_url(url)
    except SQLAlchemyError:
        return None
    if u.get_backend_name() != "postgresql" or not isinstance(exc, OperationalError):
        return None
    settings = ServerSettings(u.host or "localhost", u.port or DEFAULT_PORT, u.database or "", u.username or "")
    return f"无法打开数据库（{describe_url(url)}）：{describe_connect_error(exc, settings)}"


@dataclass(frozen=True)
class ConnectionResult:
    """What 测试连接 found: the Chinese message, and whether the database is still empty (the box then
    offers to build the schema now)."""

    message: str
    empty: bool = False

    def __str__(self) -> str:
        return self.message


def test_connection(settings: ServerSettings, password: str) -> ConnectionResult:
    """Connect once with what was typed and say, in Chinese, what was found (raises ServiceError with
    the reason when the connection or the database is unusable)."""
    from .migrate import head_revision, known_revisions

    settings = _checked(settings)
    saved = passfile_path() if not password and passfile_path().exists() else None  # the saved password
    engine = create_engine(_url(settings, password, passfile=saved), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            version = str(conn.exec_driver_sql("SHOW server_version").scalar() or "").split(" ")[0]
            tables = set(inspect(conn).get_table_names())
            revisions = []
            if "alembic_version" in tables:
                revisions = [r[0] for r in conn.exec_driver_sql("SELECT version_num FROM alembic_version")]
    except DBAPIError as exc:
        # libpq's text (never the password) for whoever reads the log
        log.info("test connection to %s:%s/%s failed: %s", settings.host, settings.port, settings.database,
                 str(exc.orig).strip())
        raise ServiceError(describe_connect_error(exc, settings)) from None
    finally:
        engine.dispose()
    head = f"连接成功：PostgreSQL {version}，数据库 {settings.database} "
    if not tables:
        return ConnectionResult(head + "还是空的，还没有村级党建工作台的数据结构（可以现在建立，"
                                "或保存后重新打开程序时自动建立）。", empty=True)
    if "units" not in tables or not revisions:
        raise ServiceError(f"数据库 {settings.database} 中已有其他数据表，不是村级党建工作台的数据库。"
                           "请换一个空数据库或村级党建工作台用过的数据库。")
    if revisions[0] == head_revision():
        return ConnectionResult(head + "已是最新结构。")
    if revisions[0] in known_revisions():
        return ConnectionResult(head + "是旧版本的结构，保存后重新打开程序时会自动升级。")
    raise ServiceError(f"数据库 {settings.database} 来自更新版本的村级党建工作台（数据库版本 {revisions[0]}），"
                       "请先升级本程序。")


def create_schema(settings: ServerSettings, password: str) -> ConnectionResult:
    """Build VillageDesk's tables in an empty database on the server now (as the next start would), then
    test again."""
    from .db import open_database

    settings = _checked(settings)
    # the URL is logged by the migration: the password goes through a passfile only this user reads
    with tempfile.TemporaryDirectory(prefix=TEMP_PREFIX, dir=data_dir()) as tmp:
        passfile = Path(tmp) / PASS_FILE
        _write_private(passfile, _pgpass_line(settings, password))
        try:
            db = open_database(_url(settings, passfile=passfile).render_as_string(hide_password=False))
        except DBAPIError as exc:
            log.info("creating the schema on %s:%s/%s failed: %s", settings.host, settings.port,
                     settings.database, str(exc.orig).strip())
            raise ServiceError(describe_connect_error(exc, settings)) from None
        db.dispose()
    log.info("schema created on %s:%s/%s", settings.host, settings.port, settings.database)
    return test_connection(settings, password)
