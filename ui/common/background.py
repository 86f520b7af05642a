"""Long work off the GUI thread: a plain function `fn(progress, cancel)` on the thread pool.

The function is core code (no Qt): it calls progress(done, total) now and then and stops when
cancel() is true. Results come back to the GUI thread through queued signals; nothing in the worker
touches a widget. Errors become a Chinese message (ServiceError as it is; anything else is logged
and reported with the log's path) — never a traceback.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from app.services.errors import ServiceError

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
        except Exception:
            log.exception("background work failed")
            self._emit(self.failed, unexpected_message())
        else:
            self._emit(self.finished, result)


class _Runner(QRunnable):
    def __init__(self, job: BackgroundJob) -> None:
        super().__init__()
        self.job = job  # holds the job (and its signals) alive until the work is done

    def run(self) -> None:
        self.job.run_here()
