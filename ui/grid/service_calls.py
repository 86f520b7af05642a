"""How the map page and its parts call services: on the GUI thread with a failure shown, or off it.

The side panel's statistics and the large map's household reads share one JobRunner, so the page
knows when all of its background work has reported back (tests wait for that).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from app.services.context import AppContext
from app.services.errors import ServiceError

from ..common.background import BackgroundJob, Work
from ..errors import show_failure, show_service_error

log = logging.getLogger(__name__)


def try_call(parent: QWidget, ctx: AppContext, fn: Any, *args: Any, **kwargs: Any) -> tuple[bool, Any]:
    """Call a service; show a failure (Chinese, no traceback) and say whether it worked."""
    try:
        return True, ctx.call(fn, *args, **kwargs)
    except ServiceError as exc:
        show_service_error(parent, exc)
    except Exception as exc:
        show_failure(parent, exc)
    return False, None


class JobRunner(QObject):
    """Work off the GUI thread; `report` shows a failure's message (the page's status line)."""

    def __init__(self, report: Callable[[str], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._report = report
        self._pending: set[BackgroundJob] = set()  # started, result not yet handled
        self._handled: list[BackgroundJob] = []  # handled: deleted when the next one starts

    def run(self, work: Work, done: Callable[[Any], None],
            after_failure: Callable[[], None] | None = None) -> BackgroundJob:
        """Start `work`; `done` gets its result on the GUI thread, a failure goes to `report`.

        One slot per outcome, so "finished" and "its result shown" never fall apart between two events.
        """
        for old in self._handled:  # they reported back long ago
            old.deleteLater()
        self._handled = []
        job = BackgroundJob(work, self)

        def finished(result: object) -> None:
            self._pending.discard(job)
            self._handled.append(job)
            done(result)

        def failed(message: str) -> None:
            self._pending.discard(job)
            self._handled.append(job)
            self._report(message)
            if after_failure is not None:
                after_failure()

        job.finished.connect(finished)
        job.failed.connect(failed)
        self._pending.add(job)
        job.start()
        return job

    def is_pending(self, job: BackgroundJob | None) -> bool:
        """`job` was started here and has not reported back yet."""
        return job in self._pending

    def is_busy(self) -> bool:
        return bool(self._pending)
