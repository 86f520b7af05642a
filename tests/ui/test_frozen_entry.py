"""A PyInstaller bundle may lack entry-point metadata: the CLI still finds the window, and its icon."""

from __future__ import annotations

import sys

import pytest

from app import cli
from app.services.errors import ServiceError


def test_frozen_program_finds_the_window_without_metadata(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli.metadata, "entry_points", lambda **_kw: [])
    with pytest.raises(ServiceError):  # not frozen: say how to install the window
        cli._gui_entry("run")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    import ui.main

    assert cli._gui_entry("run") is ui.main.run_gui
    assert cli._gui_entry("error") is ui.main.show_startup_error


def test_application_icon_has_every_size(qapp: object) -> None:
    from ui.main import ICON_SIZES, app_icon

    icon = app_icon()
    assert not icon.isNull()
    assert {s.width() for s in icon.availableSizes()} == set(ICON_SIZES)
