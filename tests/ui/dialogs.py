"""Driving a modal dialog in a test: the dialog class's exec is replaced by one that shows the dialog and lets
the test type and click in it, then returns what the dialog's own buttons set.

A check that fails inside `fill` would be caught by the page's error handler (a message box, then the test goes
on): drive records it, and tests/ui/conftest.py raises it when the test ends, so it cannot pass unseen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

# What failed inside a dialog during the running test (cleared and checked by conftest's fixture).
FAILURES: list[BaseException] = []


class Seen(list[Any]):
    """The dialogs a `drive` saw, and what failed while filling them in."""

    failure: BaseException | None = None


def drive(monkeypatch: pytest.MonkeyPatch, cls: type, fill: Callable[[Any], None]) -> Seen:
    """The next `cls` dialogs open, are shown, and `fill(dialog)` types and clicks in them; returns those seen."""
    seen = Seen()

    def fake_exec(self: Any) -> int:
        self.show()
        QApplication.processEvents()
        seen.append(self)
        try:
            fill(self)
        except Exception as exc:
            seen.failure = exc
            FAILURES.append(exc)
            self.reject()
        return int(self.result())

    monkeypatch.setattr(cls, "exec", fake_exec)
    return seen
