"""The import wizard survives a hostile spreadsheet: the reader's Chinese verdict appears, the window lives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from tests import hostile_files as H


@pytest.fixture
def wizard(qtbot: Any, window: Any, monkeypatch: pytest.MonkeyPatch, no_popups: Any) -> Any:
    import ui.imports.wizard as wiz

    monkeypatch.setattr(wiz, "QMessageBox", no_popups)
    opened: list[Any] = []
    monkeypatch.setattr(wiz.ImportWizard, "exec", lambda self: opened.append(self) or 0)
    window.findChild(type(window.action_import), "action_import").trigger()
    dialog = opened[0]
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


@pytest.mark.parametrize(("make", "expected"), [
    (H.far_cell, "内容延伸到 XFD1048576（第 1048576 行、第 16384 列）"),
    (H.encrypted_xlsx, "设置了打开密码"),
])
def test_hostile_workbook_shows_the_readers_message(
    qtbot: Any, window: Any, wizard: Any, tmp_path: Path, make: Any, expected: str,
) -> None:
    path = make(tmp_path / "花名册.xlsx")
    wizard.edit_path.setText(str(path))
    qtbot.mouseClick(wizard.btn_next, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(wizard.lbl_error.text()), timeout=30_000)
    assert expected in wizard.lbl_error.text() and "Traceback" not in wizard.lbl_error.text()
    assert wizard.step() == 0 and window.isVisible()


def test_mixed_encoding_csv_shows_the_encoding_message(qtbot: Any, wizard: Any, tmp_path: Path) -> None:
    path = tmp_path / "名单.csv"
    path.write_bytes(H.gbk_with_utf8_rows(H.seed_rows(50), [3, 7]))
    wizard.edit_path.setText(str(path))
    qtbot.mouseClick(wizard.btn_next, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(wizard.lbl_error.text()), timeout=30_000)
    assert "既不是 UTF-8 也不是 GBK 编码" in wizard.lbl_error.text()
    assert "CSV UTF-8" in wizard.lbl_error.text()
