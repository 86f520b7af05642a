"""One running window per database: an exclusive lock file beside it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .services.errors import ServiceError


class InstanceLock:
    def __init__(self, db_path: Path):
        self.path = db_path.with_name(db_path.name + ".lock")
        self._fh: object | None = None

    def acquire(self) -> InstanceLock:
        fh = open(self.path, "a+")  # noqa: SIM115 - held open for the life of the window
        try:
            if sys.platform == "win32":
                import msvcrt

                msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            fh.close()
            raise ServiceError(
                f"数据库 {self.path.with_suffix('').name} 已在另一个窗口中打开。请先关闭那个窗口，再打开本程序。"
            ) from exc
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        self._fh = fh
        return self

    def release(self) -> None:
        if self._fh is not None:
            self._fh.close()  # type: ignore[attr-defined]
            self._fh = None
            self.path.unlink(missing_ok=True)

    def __enter__(self) -> InstanceLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
