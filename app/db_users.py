"""Who has a SQLite database open: one registration file per process, and a gate for exclusive work.

Beside `<db>` lives a folder `<db>.users/`. Every process that opens the database (window, command
line, a test) keeps one file `<pid>` there, locked by itself for as long as it uses the file; its
text says who it is ("窗口（操作员 张三）", "命令行 import", the computer and the start time). A file
whose lock can be taken belongs to a dead process and is removed by whoever finds it.

`<db>.users/.gate` serialises the moments that matter: a process registers itself while holding the
gate for an instant; a restore or a `demo --force` holds it for its whole run (see `exclusive`) after
checking that no other process is registered. So a process starting during a restore waits for it
to finish and then opens the restored file, and a restore never swaps the file under another process.

Registration is per (process, database file), counted: a process may open the same file many times
(tests do); the file goes away when the last Database using it is disposed. Locks are fcntl.flock on
POSIX and msvcrt.locking on Windows; the kernel drops them when a process dies, however it dies.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, ParamSpec, TypeVar

from .services.errors import ServiceError

log = logging.getLogger(__name__)

GATE_NAME = ".gate"
GATE_WAIT_SECONDS = 60.0  # a process starting during a restore waits this long for it to end
_LOCK_OFFSET = 1 << 30  # Windows locks are mandatory: lock a byte far past the text so others can read it

P = ParamSpec("P")
R = TypeVar("R")


def _try_lock(fh: IO[str]) -> bool:
    """Take the file's lock without waiting; False when another process (or open file) holds it."""
    try:
        if sys.platform == "win32":
            import msvcrt

            fh.seek(_LOCK_OFFSET)
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
            fh.seek(0)
        else:
            import fcntl

            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _unlock_and_close(fh: IO[str]) -> None:
    try:
        if sys.platform == "win32":
            import msvcrt

            fh.seek(_LOCK_OFFSET)
            msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)
    except OSError:
        pass
    finally:
        fh.close()  # closing drops a flock too


def users_dir(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".users")


def _key(db_path: Path) -> str:
    return os.path.normcase(str(db_path.resolve()))


# ---- who am I ----------------------------------------------------------------------------------

_label = "程序 " + Path(sys.argv[0] if sys.argv and sys.argv[0] else "python").name
_detail = ""  # e.g. "操作员 张三" once someone signs in to the window
_started = datetime.now()


@dataclass(frozen=True)
class User:
    """Another process that has the database open."""

    pid: int
    label: str
    host: str
    since: str
    detail: str = ""

    def describe(self) -> str:
        parts = [self.detail] if self.detail else []
        return f"{self.label}（{'，'.join([*parts, f'进程 {self.pid}', f'计算机 {self.host}', f'{self.since} 起'])}）"


def _my_text() -> str:
    return json.dumps({"pid": os.getpid(), "label": _label, "detail": _detail, "host": socket.gethostname(),
                       "since": _started.strftime("%Y-%m-%d %H:%M")}, ensure_ascii=False)


def set_label(label: str | None = None, detail: str | None = None) -> None:
    """How this process is named to others: label "窗口" / "命令行 import", detail "操作员 张三".

    None leaves a part as it is; the files this process holds are rewritten at once.
    """
    global _label, _detail
    _label = _label if label is None else label
    _detail = _detail if detail is None else detail
    with _state_lock:
        for reg in _held.values():
            if reg.pid == os.getpid():
                _write(reg.fh)


def _write(fh: IO[str]) -> None:
    fh.seek(0)
    fh.truncate()
    fh.write(_my_text())
    fh.flush()


# ---- this process's registrations and gates ----------------------------------------------------


@dataclass
class _Registration:
    path: Path  # the <pid> file
    fh: IO[str]
    pid: int
    count: int = 1


_state_lock = threading.RLock()
_held: dict[str, _Registration] = {}  # database key → this process's registration
_gates: dict[str, tuple[IO[str], int]] = {}  # database key → (gate file, depth) while exclusive here


def _forget_after_fork() -> None:
    # A forked child is a new process: it registers itself; the parent's files and locks stay the parent's.
    global _state_lock
    _state_lock = threading.RLock()
    _held.clear()
    _gates.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_after_fork)


def _open_gate(db_path: Path, wait: float, busy_message: str) -> IO[str]:
    folder = users_dir(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    fh = open(folder / GATE_NAME, "a+", encoding="utf-8")  # noqa: SIM115 - held while the gate is ours
    deadline = time.monotonic() + wait
    while not _try_lock(fh):
        if time.monotonic() >= deadline:
            fh.close()
            raise ServiceError(busy_message)
        time.sleep(0.05)
    return fh


@contextmanager
def _gate(db_path: Path, wait: float, busy_message: str) -> Iterator[None]:
    """The gate, re-entrant within this process (a restore opens the database again inside its gate)."""
    key = _key(db_path)
    with _state_lock:
        if key in _gates:
            fh, depth = _gates[key]
            _gates[key] = (fh, depth + 1)
        else:
            _gates[key] = (_open_gate(db_path, wait, busy_message), 1)
    try:
        yield
    finally:
        with _state_lock:
            fh, depth = _gates[key]
            if depth == 1:
                del _gates[key]
                _unlock_and_close(fh)
            else:
                _gates[key] = (fh, depth - 1)


def register(db_path: Path) -> str:
    """Count this process as a user of db_path (waits while a restore holds the gate). Returns a token."""
    key = _key(db_path)
    with _state_lock:
        reg = _held.get(key)
        if reg is not None:
            reg.count += 1
            return key
        with _gate(db_path, GATE_WAIT_SECONDS,
                   f"数据库 {db_path.name} 正在被另一个程序恢复或重建，请稍后再打开。"):
            pid = os.getpid()
            path = users_dir(db_path) / str(pid)
            fh = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the life of the registration
            if not _try_lock(fh):  # only a leftover of a dead process can carry our pid: it is stale
                fh.close()
                raise ServiceError(f"数据库 {db_path.name} 的使用登记被占用，请稍后再试。")
            _write(fh)
            _held[key] = _Registration(path, fh, pid)
    return key


def release(token: str) -> None:
    """Undo one register(); the last one removes this process's file."""
    with _state_lock:
        reg = _held.get(token)
        if reg is None:
            return
        reg.count -= 1
        if reg.count > 0:
            return
        del _held[token]
        _remove(reg.path, reg.fh)


def _remove(path: Path, fh: IO[str]) -> None:
    """Delete a user file and drop its lock: POSIX deletes first (nobody sees an unlocked file of ours),
    Windows cannot delete an open file, so it closes first."""
    try:
        path.unlink(missing_ok=True)
    except OSError:
        _unlock_and_close(fh)
        path.unlink(missing_ok=True)
        return
    _unlock_and_close(fh)


def other_users(db_path: Path) -> list[User]:
    """The other live processes registered on db_path; files of dead processes are removed on the way."""
    folder = users_dir(db_path)
    if not folder.is_dir():
        return []
    me = str(os.getpid())
    found: list[User] = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith(".") or entry.name == me:
            continue
        try:
            fh = open(entry, "r+", encoding="utf-8")  # noqa: SIM115 - closed below on every path
        except OSError:  # gone meanwhile, or (Windows) held open by its owner
            if entry.exists():
                found.append(User(int(entry.name) if entry.name.isdigit() else 0, "程序", "?", "?"))
            continue
        if _try_lock(fh):  # nobody holds it: its process is gone
            _remove(entry, fh)
            log.info("removed the stale user file %s", entry)
            continue
        try:
            found.append(_read_user(fh, entry.name))
        finally:
            fh.close()
    return found


def _read_user(fh: IO[str], name: str) -> User:
    fh.seek(0)
    try:
        data = json.loads(fh.read(4096) or "{}")
    except ValueError:
        data = {}
    pid = data.get("pid") if isinstance(data.get("pid"), int) else (int(name) if name.isdigit() else 0)
    return User(pid, str(data.get("label") or "程序"), str(data.get("host") or "?"), str(data.get("since") or "?"),
                str(data.get("detail") or ""))


@contextmanager
def exclusive(db_path: Path, action: str) -> Iterator[None]:
    """Hold db_path alone for action ("恢复", "重建演示村"): refuse while another process has it open.

    The gate stays closed for the whole block, so no process can open the file meanwhile; they wait.
    """
    with _gate(db_path, 5.0, f"数据库 {db_path.name} 正在被另一个程序恢复或重建，请稍后再{action}。"):
        others = other_users(db_path)
        if others:
            who = "；".join(u.describe() for u in others)
            log.warning("%s refused: the database is open in %s", action, who)
            raise ServiceError(f"数据库正在被另一个程序使用：{who}，请先关闭它再{action}。")
        yield


def exclusive_use(action: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorator for a service whose first argument is a Database: it runs under exclusive(db.path, action).

    Memory and server databases (no file) run as they are.
    """

    def wrap(fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            path = getattr(args[0], "path", None) if args else None
            if path is None:
                return fn(*args, **kwargs)
            with exclusive(path, action):
                return fn(*args, **kwargs)

        return run

    return wrap
