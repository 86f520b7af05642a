"""Logging to a rotating file in the user's log folder; tracebacks go here, never to the user."""

from __future__ import annotations

import contextlib
import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path

from .paths import log_dir

LOG_NAME = "villagedesk.log"


class QuietFileHandler(RotatingFileHandler):
    """A log file that never prints to the console: when it cannot write (disk full, read-only folder)
    the line is dropped. logging's default would print "--- Logging error ---" and a traceback to stderr."""

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 (logging's name)
        pass

    def close(self) -> None:
        with contextlib.suppress(OSError):  # the last flush on a full disk
            super().close()


def setup_logging(level: int = logging.INFO) -> Path:
    """Log to the rotating file; returns its path. When the log folder cannot be written the program
    still runs, without a log (and without logging's last-resort printing of errors to stderr)."""
    root = logging.getLogger()
    root.setLevel(level)
    folder: Path | None
    try:
        folder = log_dir()
    except OSError:
        folder = None
    path = (folder or Path()) / LOG_NAME
    if not any(isinstance(h, (RotatingFileHandler, logging.NullHandler)) for h in root.handlers):
        handler: logging.Handler = logging.NullHandler()
        if folder is not None:
            with contextlib.suppress(OSError):
                handler = QuietFileHandler(path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    return path
