"""Long work off the GUI thread: a plain function `fn(progress, cancel)` on the thread pool.

The function is core code (no Qt): it calls progress(done, total) now and then and stops when
cancel() is true. Results come back to the GUI thread through queued signals; nothing in the worker
touches a widget. Errors become a Chinese message (ServiceError as it is; anything else is logged
and reported with the log's path) — never a traceback.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from app.services.errors import ServiceError, explain

from ..errors import unexpected_message

log = logging.getLogger(__name__)

Work = Callable[[Callable[[int, int], None], Callable[[], bool]], Any]


class BackgroundJob(QObject):
    """One run of `work`. Connect to the signals, then start(). cancel() asks the work to stop."""

    progress = Signal(int, int)  # done, total (0: unknown)
    finished = Signal(object)  # the work's return value
    failed = Signal(str)  # a Chinese message
    cancelled = Signal(str)  # the work stopped because the user asked; the message says what that means

    def __init__(self, work: Work, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._work = work
        self._cancel = threading.Event()
        self.running = False
        self.finished.connect(self._done)
        self.failed.connect(self._done)
        self.cancelled.connect(self._done)

    def cancel(self) -> None:
        self._cancel.set()

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def start(self, pool: QThreadPool | None = None) -> None:
        self.running = True
        (pool or QThreadPool.globalInstance()).start(_Runner(self))

    def _done(self, *_: object) -> None:
        self.running = False

    def _emit(self, signal: Any, *args: object) -> None:
        """Emit unless the window that owned this job was closed meanwhile (its C++ side is gone)."""
        try:
            signal.emit(*args)
        except RuntimeError:
            log.info("background job's owner was closed before the work reported back")

    def run_here(self) -> None:
        """Run in the calling thread (the runner calls this on a pool thread)."""
        try:
            result = self._work(lambda done, total: self._emit(self.progress, done, total), self._cancel.is_set)
        except ServiceError as exc:
            self._emit(self.cancelled if self._cancel.is_set() else self.failed, str(exc))
        except Exception as exc:
            message = explain(exc)  # a full disk, a locked database … said as it is
            log.exception("background work failed%s", f" ({message})" if message else "")
            self._emit(self.failed, message or unexpected_message())
        else:
            self._emit(self.finished, result)


_gc_lock = threading.Lock()
_gc_holds = 0


def _hold_gc() -> None:
    """Pause the cyclic garbage collector while pool work runs.

    Seen in CI: the GUI thread's collector ran while a pool thread loaded ORM rows for an export and
    the process died with a segmentation fault (PySide6 6.11, Python 3.11). Plain reference counting
    still frees memory; the collector catches up when the work ends.
    """
    global _gc_holds
    with _gc_lock:
        _gc_holds += 1
        gc.disable()


def _release_gc() -> None:
    global _gc_holds
    with _gc_lock:
        _gc_holds -= 1
        if _gc_holds == 0:
            gc.enable()


class _Runner(QRunnable):
    def __init__(self, job: BackgroundJob) -> None:
        super().__init__()
        self.job = job  # holds the job (and its signals) alive until the work is done
        _hold_gc()

    def run(self) -> None:
        try:
            self.job.run_here()
        finally:
            _release_gc()
