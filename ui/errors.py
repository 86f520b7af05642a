"""What a user sees when something goes wrong: a Chinese message, never a traceback.

Unexpected errors are logged with their traceback (to the log file from app.logs) and the user is
told where the log is. Errors the services raise on purpose (ServiceError) are shown as they are:
their text is already Chinese and says what to do.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app.services.errors import ServiceError, explain

log = logging.getLogger("ui")

_log_path: Path | None = None
_showing = False  # one message at a time: an error inside the message box must not loop


def tr(text: str) -> str:
    return QCoreApplication.translate("errors", text)


def set_log_path(path: Path | None) -> None:
    global _log_path
    _log_path = path


def log_path() -> Path | None:
    return _log_path


def unexpected_message() -> str:
    where = str(_log_path) if _log_path else tr("日志文件夹")
    return tr("程序遇到问题，刚才的操作没有完成。已保存的数据不受影响。\n详细信息已写入日志 {0}").format(where)


def show_unexpected(parent: QWidget | None = None) -> None:
    global _showing
    if _showing or QApplication.instance() is None:
        return
    _showing = True
    try:
        QMessageBox.critical(parent, tr("程序遇到问题"), unexpected_message())
    finally:
        _showing = False


def show_service_error(parent: QWidget | None, exc: ServiceError | str) -> None:
    global _showing
    if _showing or QApplication.instance() is None:
        return
    _showing = True
    try:
        QMessageBox.warning(parent, tr("无法完成"), str(exc) or tr("操作没有完成。"))
    finally:
        _showing = False


def show_failure(parent: QWidget | None, exc: BaseException) -> None:
    """An exception no service turned into a message: a full disk, a locked database, a read-only file
    or a newer schema is said as it is (app.services.errors.explain); anything else is 程序遇到问题."""
    message = explain(exc)
    if message:
        log.warning("an action failed: %s", message, exc_info=exc)
        show_service_error(parent, message)
        return
    log.error("unexpected error:\n%s", "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
    show_unexpected(parent)


def excepthook(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    """sys.excepthook for the GUI: log everything, show a Chinese message, keep running."""
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    if isinstance(exc, ServiceError):
        log.info("service error reached the event loop: %s", exc)
        show_service_error(QApplication.activeWindow(), exc)
        return
    show_failure(QApplication.activeWindow(), exc.with_traceback(tb))


def install_excepthook(path: Path | None) -> None:
    set_log_path(path)
    sys.excepthook = excepthook


@contextmanager
def user_errors(parent: QWidget | None) -> Iterator[None]:
    """Run a user action: a ServiceError is shown as it is, anything else is logged and reported."""
    try:
        yield
    except ServiceError as exc:
        show_service_error(parent, exc)
    except Exception as exc:
        show_failure(parent, exc)
