"""No traceback reaches a user; run_gui opens the first start on an empty database, else the window."""

from __future__ import annotations

import logging
import sys
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

import ui.errors
from app.services.context import AppContext
from app.services.errors import ServiceError


def test_excepthook_logs_and_shows_chinese_message(
    no_popups: Any, caplog: pytest.LogCaptureFixture, tmp_path: Any, qapp: QApplication
) -> None:
    ui.errors.set_log_path(tmp_path / "villagedesk.log")
    try:
        raise ZeroDivisionError("boom")
    except ZeroDivisionError as e:
        with caplog.at_level(logging.ERROR):
            ui.errors.excepthook(type(e), e, e.__traceback__)
    kind, _title, text = no_popups.shown[-1]
    assert kind == "critical"
    assert "程序遇到问题" in text and str(tmp_path / "villagedesk.log") in text
    assert "Traceback" not in text and "ZeroDivisionError" not in text
    assert "ZeroDivisionError" in caplog.text  # the traceback is in the log


def test_service_error_is_shown_as_it_is(no_popups: Any, qapp: QApplication) -> None:
    with ui.errors.user_errors(None):
        raise ServiceError("该户还有在册居民")
    assert no_popups.shown[-1][0] == "warning"
    assert no_popups.shown[-1][2] == "该户还有在册居民"


def test_run_gui_opens_main_window_on_demo(
    demo_ctx: AppContext, monkeypatch: pytest.MonkeyPatch, qapp: QApplication
) -> None:
    from ui import main
    from ui.main_window import MainWindow

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # run_gui installs its own; put it back after
    shown: list[MainWindow] = []
    monkeypatch.setattr(QApplication, "exec", lambda *_: shown.extend(
        w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()) or 0)
    assert main.run_gui(demo_ctx, []) == 0
    assert shown and "东坟村" in shown[-1].windowTitle()
    assert qapp.font().families()  # a CJK family registered first when found
    for w in shown:
        w.close()


def test_run_gui_first_start_closed_means_exit(
    db: Any, monkeypatch: pytest.MonkeyPatch, qapp: QApplication
) -> None:
    from ui import main
    from ui.setup.first_start import FirstStartDialog

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    opened: list[str] = []
    monkeypatch.setattr(FirstStartDialog, "exec", lambda self: opened.append(self.objectName()) or 0)
    monkeypatch.setattr(QApplication, "exec", lambda *_: pytest.fail("the window must not open"))
    assert main.run_gui(AppContext(db), []) == 0
    assert opened == ["dlg_first_start"]


def test_cjk_font_is_registered(qapp: QApplication) -> None:
    from app.io.fonts import find_cjk_font
    from ui.appfont import install_cjk_font

    if find_cjk_font() is None:
        pytest.skip("no CJK font on this machine")
    info = install_cjk_font(qapp)
    assert info is not None
    assert qapp.font().family() == info.name or info.name in qapp.font().families()
