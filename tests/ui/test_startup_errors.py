"""Start-up problems reach a GUI user as a dialog, not only on a console nobody reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import ui.main
from app.cli import main
from app.lock import InstanceLock


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    messages: list[str] = []
    monkeypatch.setattr(ui.main.QMessageBox, "critical", lambda _p, _t, text: messages.append(text))
    return messages


def test_second_window_on_the_same_database_is_refused_in_a_dialog(
    qapp: Any, db_path: Path, shown: list[str]
) -> None:
    with InstanceLock(db_path):
        assert main(["--db", str(db_path), "gui"]) == 1
    assert len(shown) == 1 and "已在另一个窗口中打开" in shown[0]


def test_unreadable_database_file_is_reported_in_a_dialog(qapp: Any, tmp_path: Path, shown: list[str]) -> None:
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database" * 200)
    assert main(["--db", str(junk), "gui"]) == 1
    assert len(shown) == 1 and "无法打开数据库" in shown[0]
