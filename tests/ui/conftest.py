"""Fixtures for the views: an AppContext on the demo village, the main window, no blocking popups."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from app.db import Database
from app.services.context import AppContext


class FakeMessageBox:
    """Stands in for QMessageBox where a module uses it: records what would be shown, never blocks."""

    shown: list[tuple[str, str, str]] = []

    class StandardButton:
        Ok = 0x400
        Yes = 0x4000
        No = 0x10000

    class Icon:
        Information = 1
        Warning = 2
        Critical = 3

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.args = args
        text = args[2] if len(args) > 2 else ""
        title = args[1] if len(args) > 1 else ""
        FakeMessageBox.shown.append(("box", str(title), str(text)))

    def setObjectName(self, name: str) -> None:  # noqa: N802 - Qt's name
        pass

    def setTextInteractionFlags(self, flags: object) -> None:  # noqa: N802 - Qt's name
        pass

    def exec(self) -> int:
        return self.StandardButton.Ok

    @classmethod
    def _record(cls, kind: str, _parent: object, title: str, text: str, *_: object) -> int:
        cls.shown.append((kind, title, text))
        return cls.StandardButton.Ok

    @classmethod
    def critical(cls, *args: Any) -> int:
        return cls._record("critical", *args)

    @classmethod
    def warning(cls, *args: Any) -> int:
        return cls._record("warning", *args)

    @classmethod
    def information(cls, *args: Any) -> int:
        return cls._record("information", *args)

    @classmethod
    def question(cls, *args: Any) -> int:
        cls._record("question", *args)
        return cls.StandardButton.Yes


@pytest.fixture(autouse=True)
def dialog_checks_count() -> Iterator[None]:
    """A check that failed inside a driven dialog (tests/ui/dialogs.py) fails the test."""
    from tests.ui.dialogs import FAILURES

    FAILURES.clear()
    yield
    if FAILURES:
        raise FAILURES[0]


@pytest.fixture(autouse=True)
def no_popups(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[FakeMessageBox]]:
    import ui.errors
    import ui.main
    import ui.main_window

    FakeMessageBox.shown = []
    for module in (ui.errors, ui.main_window, ui.main):
        monkeypatch.setattr(module, "QMessageBox", FakeMessageBox)
    yield FakeMessageBox


@pytest.fixture(autouse=True)
def normal_font_setting() -> Iterator[None]:
    from ui import settings

    settings.set_value("large_font", False)
    yield
    settings.set_value("large_font", False)


@pytest.fixture
def demo_ctx(demo_db: Database) -> AppContext:
    return AppContext(demo_db)


@pytest.fixture
def window(qtbot: Any, demo_ctx: AppContext) -> Any:
    from ui.main_window import MainWindow

    w = MainWindow(demo_ctx)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


@pytest.fixture(autouse=True)
def _background_work_finishes_within_its_test(qapp: Any) -> Iterator[None]:
    """Work a test started on the thread pool must not report back into the next test's widgets."""
    yield
    from PySide6.QtCore import QThreadPool

    QThreadPool.globalInstance().waitForDone(30_000)
    qapp.processEvents()
    # Windows closed at teardown are only deleteLater()'d: delete them now, so a window's application-wide
    # event filter (the idle lock) does not slow every later test down
    from PySide6.QtCore import QCoreApplication, QEvent

    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
