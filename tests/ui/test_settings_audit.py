"""设置 (backups, restore, operators), 操作日志 and sign-in, driven as a user would."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QPushButton

from app.services.context import AppContext
from app.services.people import residents as people
from app.services.safety import auth
from app.services.safety.backup_crypto import is_encrypted
from tests.ui.conftest import FakeMessageBox


@pytest.fixture(autouse=True)
def quiet_settings_page(monkeypatch: pytest.MonkeyPatch) -> None:
    import ui.audit.page
    import ui.settings.page

    for module in (ui.settings.page, ui.audit.page):
        monkeypatch.setattr(module, "QMessageBox", FakeMessageBox)


def _dialog_path(monkeypatch: pytest.MonkeyPatch, module: Any, method: str, path: Path) -> None:
    monkeypatch.setattr(module.QFileDialog, method, staticmethod(lambda *a, **k: (str(path), "")))


def test_backup_encrypted_then_restore_through_the_page(
    qtbot: Any, window: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ui.settings.page as page_mod

    page = window.show_page("page_settings")
    qtbot.waitUntil(page.isVisible)
    target = tmp_path / "usb" / "b.vdbak"
    target.parent.mkdir()
    _dialog_path(monkeypatch, page_mod, "getSaveFileName", target)
    monkeypatch.setattr(page_mod.QInputDialog, "getText", staticmethod(lambda *a, **k: ("stick-2026", True)))
    page.chk_encrypt.setChecked(True)
    qtbot.mouseClick(page.btn_backup_to, Qt.MouseButton.LeftButton)
    assert target.exists() and is_encrypted(target)
    assert FakeMessageBox.shown[-1][1] == "备份完成"

    # change something, then restore the backup: the change is gone, the window shows the old data
    ctx: AppContext = window.ctx
    rid = ctx.call(people.list_residents, people.ResidentQuery(unit_id=ctx.unit_id), 0, 1)[0].id
    data = ctx.call(people.resident_input, rid)
    old_note, data.note = data.note, "恢复前的修改"
    ctx.call(people.update_resident, rid, data)

    _dialog_path(monkeypatch, page_mod, "getOpenFileName", target)
    qtbot.mouseClick(page.btn_restore, Qt.MouseButton.LeftButton)
    kinds = [k for k, _t, _x in FakeMessageBox.shown]
    preview = next(text for k, _t, text in FakeMessageBox.shown if k == "question")
    assert "党员 59 名" in preview and "备份时间" in preview
    assert kinds[-1] == "information" and "恢复完成" in FakeMessageBox.shown[-1][1]
    assert ctx.call(people.get_resident, rid).note == old_note
    assert page.backups_model.total >= 1  # the 恢复前 copy is listed
    assert any(b.reason == "恢复前" for b in page.backups_model.rows)


def test_wrong_backup_password_is_a_clear_message(
    qtbot: Any, window: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ui.errors
    import ui.settings.page as page_mod
    from app.services.safety import backup

    target = backup.backup_to(window.ctx.db, tmp_path / "b.vdbak", password="right-pass")
    monkeypatch.setattr(ui.errors, "QMessageBox", FakeMessageBox)
    page = window.show_page("page_settings")
    _dialog_path(monkeypatch, page_mod, "getOpenFileName", target)
    monkeypatch.setattr(page_mod.QInputDialog, "getText", staticmethod(lambda *a, **k: ("wrong-pass", True)))
    qtbot.mouseClick(page.btn_restore, Qt.MouseButton.LeftButton)
    assert FakeMessageBox.shown[-1][0] == "warning" and "密码不正确" in FakeMessageBox.shown[-1][2]
    assert not any(k == "question" for k, _t, _x in FakeMessageBox.shown)  # never offered to restore


def test_audit_page_filters_and_exports(
    qtbot: Any, window: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ui.audit.page as page_mod

    ctx: AppContext = window.ctx
    rid = ctx.call(people.list_residents, people.ResidentQuery(unit_id=ctx.unit_id), 0, 1)[0].id
    data = ctx.call(people.resident_input, rid)
    data.phone = "13912345678"
    ctx.call(people.update_resident, rid, data)

    page = window.show_page("page_audit")
    qtbot.waitUntil(lambda: page.model.total > 0)
    page.combo_entity.setCurrentIndex(page.combo_entity.findData("resident"))
    qtbot.waitUntil(lambda: all(r.entity == "居民" for r in page.model.rows))
    row = page.model.rows[0]
    assert row.action == "修改" and "联系电话" in row.changes and "139****5678" in row.changes
    assert "13912345678" not in row.changes

    out = tmp_path / "log.xlsx"
    _dialog_path(monkeypatch, page_mod, "getSaveFileName", out)
    qtbot.mouseClick(page.btn_export, Qt.MouseButton.LeftButton)
    ws = load_workbook(out).active
    cells = [str(c.value) for r in ws.iter_rows() for c in r if c.value is not None]
    assert any("操作日志" in c for c in cells)
    assert any("139****5678" in c for c in cells) and not any("13912345678" in c for c in cells)


def test_sign_in_dialog_and_clerk_window(qtbot: Any, demo_ctx: AppContext) -> None:
    from ui.auth.login_dialog import LoginDialog
    from ui.auth.session import sign_in
    from ui.main_window import MainWindow

    uid = demo_ctx.unit_id
    admin = demo_ctx.call(auth.ensure_admin, uid)
    demo_ctx.call(auth.set_password, admin, "shuji-2026")
    demo_ctx.call(auth.create_operator, uid, "wenshu", "王文书", "clerk", "clerk-2026")
    demo_ctx.call(auth.set_single_operator_mode, uid, False)

    dialog = LoginDialog(demo_ctx)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.edit_username, "wenshu")
    qtbot.keyClicks(dialog.edit_password, "nope")
    qtbot.mouseClick(dialog.btn_login, Qt.MouseButton.LeftButton)
    assert dialog.lbl_error.isVisibleTo(dialog) and "不正确" in dialog.lbl_error.text()
    assert demo_ctx.operator_id is None
    # the forgotten-password hint names a command the command line really has
    from app import cli

    hint = dialog.findChild(QLabel, "lbl_login_forgot")
    assert hint is not None and hint.isVisibleTo(dialog)
    command = hint.text().split("villagedesk ", 1)[1].split("（", 1)[0].split()
    assert cli.build_parser().parse_args(cli.hoist_global_options(command)).command == "reset-password"

    # sign_in opens the same dialog; answer it like a user
    def answer() -> None:
        d = QApplication.activeModalWidget()
        assert isinstance(d, LoginDialog)
        d.edit_username.setText("wenshu")
        d.edit_password.setText("clerk-2026")
        d.btn_login.click()

    QTimer.singleShot(50, answer)
    assert sign_in(demo_ctx) is True
    clerk_window = MainWindow(demo_ctx)
    qtbot.addWidget(clerk_window)
    assert "page_audit" not in clerk_window.pages
    settings_page = clerk_window.pages["page_settings"]
    assert not settings_page.btn_restore.isEnabled() and settings_page.btn_backup_to.isEnabled()
    assert [o.username for o in settings_page.operators_model.rows] == ["wenshu"]


def test_idle_lock_asks_for_the_password(qtbot: Any, demo_ctx: AppContext) -> None:
    from ui.auth.login_dialog import LoginDialog
    from ui.main_window import MainWindow

    uid = demo_ctx.unit_id
    admin = demo_ctx.call(auth.ensure_admin, uid)
    demo_ctx.call(auth.set_password, admin, "shuji-2026")
    demo_ctx.call(auth.set_single_operator_mode, uid, False)
    demo_ctx.call(auth.set_idle_lock_minutes, uid, 5)
    demo_ctx.operator_id = admin
    w = MainWindow(demo_ctx)
    qtbot.addWidget(w)
    w.show()
    assert w.idle_lock.timer.isActive() and w.idle_lock.timer.interval() == 5 * 60_000
    seen: dict[str, object] = {}

    def unlock() -> None:
        d = QApplication.activeModalWidget()
        assert isinstance(d, LoginDialog)
        seen["content_hidden"] = not w.centralWidget().isVisible()
        seen["user"] = d.edit_username.text()
        d.edit_password.setText("shuji-2026")
        d.findChild(QPushButton, "btn_login").click()

    QTimer.singleShot(50, unlock)
    w.idle_lock.lock()  # what the timer does after 5 idle minutes
    assert seen == {"content_hidden": True, "user": "admin"}
    assert w.centralWidget().isVisible() and not w.idle_lock.locked
