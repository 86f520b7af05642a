"""The errors services raise. Every message is Chinese and fit to show to a user as it is."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass


class ServiceError(Exception):
    """A problem the user can understand and fix; str(e) is the Chinese message."""


class NotFound(ServiceError):
    pass


class PermissionDenied(ServiceError):
    pass


CONFLICT = "该记录已被他人修改（例如另一台电脑），请刷新后重新修改；本次修改未保存。"


class ConflictError(ServiceError):
    """A save of a record someone else changed since it was read (its version moved on): refused, never
    a silent overwrite. Raised by edit services given an expected_version, and made from SQLAlchemy's
    StaleDataError by as_service_error."""

    def __init__(self, message: str = CONFLICT):
        super().__init__(message)


def check_version(current: int | None, expected: int | None) -> None:
    """An edit saved from a dialog: refuse (ConflictError) when the record's version is no longer the one
    the dialog showed (expected None: the caller did not say, nothing to compare)."""
    if expected is not None and current != expected:
        raise ConflictError()


def as_service_error(exc: BaseException) -> ServiceError | None:
    """The ServiceError an unexpected failure stands for, when it is one the user must be told as such
    (a stale version found at flush or commit: ConflictError); else None."""
    from sqlalchemy.orm.exc import StaleDataError

    if any(isinstance(e, StaleDataError) for e in _chain(exc)):
        return ConflictError()
    return None


@dataclass(frozen=True)
class FieldProblem:
    field: str  # identifier of the field ("id_number"), so a dialog can show it beside the widget
    label: str  # its Chinese name ("身份证号")
    message: str  # what is wrong, in Chinese
    row: int | None = None  # for imports: the row in the file

    def __str__(self) -> str:
        where = f"第 {self.row} 行，" if self.row is not None else ""
        return f"{where}{self.label}：{self.message}"


class ValidationError(ServiceError):
    """Every problem found in one input, so the user sees them all at once."""

    def __init__(self, problems: list[FieldProblem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def for_field(self, field: str) -> list[str]:
        return [p.message for p in self.problems if p.field == field]


# ---- what an unexpected failure means to the user -------------------------------------------------
# The window and the CLI turn an exception that is no ServiceError into one of these, so a full disk or
# a locked database is not reported as a generic 「程序出错」. Matched on errno and on SQLite's own
# (stable, English) messages, through SQLAlchemy's wrapper (.orig) and the exception chain.

DISK_FULL = "磁盘空间已满，刚才的操作没有完成（已保存的数据不受影响）。请删除不需要的文件、清空回收站，或换到有空间的磁盘后重试。"
DATABASE_LOCKED = ("数据库正被另一个程序占用（另一个窗口或命令正在写入），等待后仍无法写入，刚才的操作没有完成。"
                   "请等对方完成后重试；如果一直这样，请关闭其他打开本程序的窗口再试。")
READ_ONLY = ("无法写入{where}：文件或文件夹是只读的，或没有写入权限，刚才的操作没有完成。"
             "请换一个可以写入的文件夹（如“文档”），或请管理员检查权限后重试。")
READ_ONLY_DB = ("无法写入数据库：数据库文件或它所在的文件夹是只读的（或没有写入权限），刚才的操作没有完成。"
                "请检查权限，或把数据库文件复制到可以写入的文件夹（如“文档”）后用 --db 指定它。")
CANNOT_OPEN = "无法打开数据库文件{where}：文件夹不存在，或没有读写权限。请检查路径和权限后重试。"


def newer_schema_message(revision: str) -> str:
    return f"数据库由更新版本的村级党建工作台写入（版本 {revision}），本程序无法打开；请安装新版本。"


_ENOSPC, _EDQUOT, _EACCES, _EPERM, _EROFS = 28, 122, 13, 1, 30  # errno values (Linux; Windows maps to them)
_NEWER = re.compile(r"Can't locate revision identified by '([^']+)'")


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """exc, the driver error SQLAlchemy wraps (.orig), its causes and contexts; each once."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        e = todo.pop(0)
        if id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        todo.extend(x for x in (getattr(e, "orig", None), e.__cause__, e.__context__) if isinstance(x, BaseException))


def _where(exc: BaseException) -> str:
    name = getattr(exc, "filename", None)
    return f" {name}" if name else ""


def explain(exc: BaseException) -> str | None:
    """A Chinese message for a failure the user can act on (disk full, database locked, read-only, newer
    schema), or None when it is none of these (then the caller logs it and says 程序出错)."""
    if as_service_error(exc) is not None:
        return CONFLICT
    for e in _chain(exc):
        if isinstance(e, OSError) and e.errno in (_ENOSPC, _EDQUOT):
            return DISK_FULL
        if isinstance(e, OSError) and (e.errno in (_EACCES, _EPERM, _EROFS) or isinstance(e, PermissionError)):
            return READ_ONLY.format(where=_where(e) or "文件")
        text = str(e)
        if "database or disk is full" in text:
            return DISK_FULL
        if "database is locked" in text or "database table is locked" in text:
            return DATABASE_LOCKED
        if "readonly database" in text or "read-only file system" in text.lower():
            return READ_ONLY_DB
        if "unable to open database file" in text:
            return CANNOT_OPEN.format(where="")
        m = _NEWER.search(text)
        if m:
            return newer_schema_message(m[1])
    return None
