"""生成公示: the 公示期 is a number and a unit (天 / 个工作日), set to the kind's rule, with the dates shown
under it; the notice published says the same."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from app.services.context import AppContext
from app.services.notices import archive as notices
from app.services.units import current_unit_id

LEFT = Qt.MouseButton.LeftButton


def test_period_unit_follows_the_kind_and_is_published(
    qtbot: Any, demo_ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ui.notices.dialogs as dialogs

    uid = demo_ctx.call(current_unit_id)
    assert uid is not None
    out = tmp_path / "发展党员公示.pdf"
    monkeypatch.setattr(dialogs, "ask_save_path", lambda *a, **k: out)
    d = dialogs.NewNoticeDialog(demo_ctx, uid)
    qtbot.addWidget(d)
    hint = d.findChild(QLabel, "field_period_hint")
    d.start.setText("2026-12-03")  # a Thursday
    d.select_kind("stars")
    assert (d.days.value(), d.day_unit.currentText()) == (5, "天")  # the demo village's setting: 5 天
    assert hint.text() == "公示期：2026年12月3日至2026年12月7日（共5天）"
    d.select_kind("party-candidates")
    assert (d.days.value(), d.day_unit.currentText()) == (5, "个工作日")  # its own rule
    assert hint.text() == "公示期：2026年12月3日至2026年12月9日（5个工作日）"
    assert "5个工作日" in d.day_unit.toolTip()
    d.days.setValue(3)
    assert hint.text() == "公示期：2026年12月3日至2026年12月7日（3个工作日）"
    d.day_unit.setCurrentIndex(d.day_unit.findData(False))
    assert hint.text() == "公示期：2026年12月3日至2026年12月5日（共3天）"
    d.day_unit.setCurrentIndex(d.day_unit.findData(True))
    d.start.setText("2026-13-01")
    assert hint.text() == ""  # not a date: nothing to say yet
    d.start.setText("2026-12-03")
    qtbot.mouseClick(d.btn_save, LEFT)
    assert d.result_value is not None, d.findChild(QLabel, "err_form").text()
    info = d.result_value
    assert (info.period_start, info.period_end) == (date(2026, 12, 3), date(2026, 12, 7))
    text = "".join("".join(p.extract_text().split()) for p in PdfReader(out).pages)
    assert "公示期：2026年12月3日至2026年12月7日（3个工作日）" in text
    row = demo_ctx.call(notices.get_notice, info.id)
    assert row.period_end == date(2026, 12, 7)
