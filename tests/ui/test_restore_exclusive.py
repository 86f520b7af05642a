"""设置 → 从备份恢复 needs the database to itself: refused (naming who) while another process has it open."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from app.services.context import AppContext
from app.services.people import residents as people
from app.services.safety import backup
from tests.app.safety.test_lock import Holder
from tests.ui.conftest import FakeMessageBox


def test_restore_refused_while_another_program_has_the_database_then_works(
    qtbot: Any, window: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ui.errors
    import ui.settings.page as page_mod

    for module in (ui.errors, page_mod):
        monkeypatch.setattr(module, "QMessageBox", FakeMessageBox)
    ctx: AppContext = window.ctx
    assert ctx.db_path is not None
    saved = backup.backup_to(ctx.db, tmp_path / "saved.sqlite")
    rid = ctx.call(people.list_residents, people.ResidentQuery(unit_id=ctx.unit_id), 0, 1)[0].id
    data = ctx.call(people.resident_input, rid)
    old_note, data.note = data.note, "恢复前的修改"
    ctx.call(people.update_resident, rid, data)

    page = window.show_page("page_settings")
    qtbot.waitUntil(page.isVisible)
    monkeypatch.setattr(page_mod.QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(saved), "")))
    holder = Holder(ctx.db_path)  # e.g. a command-line import, or a second copy of the program
    try:
        qtbot.mouseClick(page.btn_restore, Qt.MouseButton.LeftButton)
        kind, _title, text = FakeMessageBox.shown[-1]
        assert kind == "warning"
        assert f"数据库正在被另一个程序使用：窗口（操作员 张三，进程 {holder.pid}，" in text and "请先关闭它再恢复" in text
        assert ctx.call(people.get_resident, rid).note == "恢复前的修改"  # nothing was replaced
    finally:
        holder.close()

    # the other program is closed: this window is the only user, and the restore goes through
    qtbot.mouseClick(page.btn_restore, Qt.MouseButton.LeftButton)
    assert FakeMessageBox.shown[-1][0] == "information" and "恢复完成" in FakeMessageBox.shown[-1][1]
    assert ctx.call(people.get_resident, rid).note == old_note


def test_first_start_does_not_build_the_demo_over_a_village_set_up_meanwhile(
    qtbot: Any, db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QPushButton

    import ui.errors
    from app.services.setup import founding
    from app.services.units import list_units
    from ui.setup.first_start import FirstStartDialog

    monkeypatch.setattr(ui.errors, "QMessageBox", FakeMessageBox)
    ctx = AppContext(db)
    dialog = FirstStartDialog(ctx)  # opened on an empty database
    qtbot.addWidget(dialog)
    dialog.show()
    # meanwhile the real village is set up elsewhere (`villagedesk init`, another window)
    ctx.call(founding.create_unit, "东坟村", township="城关镇", county="房山区", kind="村")
    qtbot.mouseClick(dialog.findChild(QPushButton, "btn_use_demo"), Qt.MouseButton.LeftButton)
    kind, _title, text = FakeMessageBox.shown[-1]
    assert kind == "warning" and "不能再使用演示村" in text
    assert dialog.result() == 0
    assert [(u.name, u.is_demo) for u in ctx.call(list_units)] == [("东坟村", False)]
