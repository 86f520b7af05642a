"""Server mode in the window: 设置 → 数据库服务器 against a real PostgreSQL server on loopback that asks
for a password (测试连接, 建立数据结构, 保存, 改回本机数据库文件), and the 当前村(社区) switcher on a
database holding two villages."""

from __future__ import annotations

import json
import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import create_engine, text

from app import server_config
from app.db import Database, open_database, resolve_url
from app.services.context import AppContext
from app.services.people.residents import ResidentInput, add_resident
from app.services.setup.founding import create_unit
from tests.pg import running_postgres, why_unavailable

PASSWORD = "pw:带\\冒号"  # a colon and a backslash: the password file's escapes


@pytest.fixture(scope="module")
def pg_port() -> Iterator[int]:
    """A server where the login role `clerk` needs its password (scram), with an empty database `vd`."""
    reason = why_unavailable()
    if reason:
        pytest.skip(reason)
    with running_postgres() as url:
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            hba = conn.exec_driver_sql("SHOW hba_file").scalar()
            lines = ["local all all trust", "host all test 127.0.0.1/32 trust",
                     "host all all 127.0.0.1/32 scram-sha-256"]
            rows = ",".join(f"'{line}'" for line in lines)
            conn.exec_driver_sql(f"COPY (SELECT unnest(ARRAY[{rows}])) TO '{hba}'")  # written by the server
            conn.exec_driver_sql("SELECT pg_reload_conf()")
            quoted = PASSWORD.replace("'", "''")
            conn.exec_driver_sql(f"CREATE ROLE clerk LOGIN PASSWORD '{quoted}'")
            conn.exec_driver_sql("CREATE DATABASE vd OWNER clerk")
        engine.dispose()
        yield int(url.rsplit(":", 1)[1].split("/")[0])


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data folder of this test's own: a saved server must not reach the other tests."""
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("VILLAGEDESK_HOME", str(folder))
    return folder


@pytest.fixture
def local_db(db_path: Path) -> Iterator[Database]:
    """The database file this window was opened on (the box shows it as 本次打开的是)."""
    db = open_database(resolve_url(db_path))
    yield db
    db.dispose()


def _box(qtbot: Any, db: Database) -> Any:
    from ui.settings.server_box import ServerBox

    box = ServerBox(AppContext(db), editable=True)
    qtbot.addWidget(box)
    box.show()
    return box


def _fill(box: Any, port: int, password: str, host: str = "127.0.0.1") -> None:
    box.host.setText(host)
    box.port.setValue(port)
    box.database.setText("vd")
    box.user.setText("clerk")
    box.password.setText(password)


def test_server_box_tests_creates_saves_and_goes_back(
    qtbot: Any, pg_port: int, home: Path, local_db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    box = _box(qtbot, local_db)
    click = lambda b: qtbot.mouseClick(b, Qt.MouseButton.LeftButton)  # noqa: E731
    _fill(box, pg_port, "", host="")
    click(box.btn_test)
    assert "主机：请填写" in box.info.text()

    _fill(box, pg_port, "not-the-password")
    click(box.btn_test)
    assert "密码不对" in box.info.text() and "clerk" in box.info.text()
    click(box.btn_save)  # refused: the test before saving fails
    assert not server_config.server_file().exists()

    _fill(box, pg_port, PASSWORD)
    click(box.btn_test)
    assert box.info.text().startswith("连接成功：PostgreSQL ") and "还是空的" in box.info.text()
    assert box.btn_create.isEnabled()
    click(box.btn_create)
    assert "已是最新结构" in box.info.text()

    click(box.btn_save)
    assert "已保存" in box.info.text()
    saved = server_config.server_file().read_text(encoding="utf-8")
    assert PASSWORD not in saved and "not-the-password" not in saved
    passfile = server_config.passfile_path()
    assert stat.S_IMODE(os.stat(passfile).st_mode) == 0o600
    assert json.loads(saved)["url"] == resolve_url()  # the next start without --db uses the server
    assert box.password.text() == ""
    assert "服务器 127.0.0.1" in box.label_current.text()
    assert PASSWORD not in caplog.text and "not-the-password" not in caplog.text

    server = open_database(resolve_url())  # through the password file only
    try:
        with server.engine.connect() as conn:
            assert conn.execute(text("SELECT current_user")).scalar() == "clerk"
        with server.session() as s:
            create_unit(s, "服务器村", township="某镇")
        from ui.main_window import MainWindow

        window = MainWindow(AppContext(server))  # the window as the next start opens it
        qtbot.addWidget(window)
        status = window.status_db.text()
        assert status == f"数据库：服务器 127.0.0.1:{pg_port}，数据库 vd（用户 clerk）"  # no password file path
        assert "服务器村" in window.windowTitle() and not window.unit_switcher.isVisible()
        window.close()
    finally:
        server.dispose()
    assert "pw" not in server_config.describe_url("postgresql+psycopg://u:pw@h:5/d")

    again = _box(qtbot, local_db)  # the saved fields come back, the password does not
    assert again.host.text() == "127.0.0.1" and again.port.value() == pg_port
    assert again.password.text() == ""
    qtbot.mouseClick(again.btn_test, Qt.MouseButton.LeftButton)  # the saved password is used
    assert "已是最新结构" in again.info.text()
    qtbot.mouseClick(again.btn_clear, Qt.MouseButton.LeftButton)
    assert "已改回本机数据库文件" in again.info.text()
    assert not server_config.server_file().exists() and not server_config.passfile_path().exists()
    assert resolve_url().startswith("sqlite:///")


def test_unreachable_server_is_said_in_chinese(qtbot: Any, home: Path, local_db: Database) -> None:
    box = _box(qtbot, local_db)
    _fill(box, 1, "x")  # nothing listens on port 1
    qtbot.mouseClick(box.btn_test, Qt.MouseButton.LeftButton)
    assert "无法连接到 127.0.0.1:1" in box.info.text()
    assert not box.btn_create.isEnabled()


# ---- the unit switcher ------------------------------------------------------------------------------

@pytest.fixture
def two_villages(db: Database) -> dict[str, int]:
    with db.session() as s:
        town = create_unit(s, "阳曲镇", township="阳曲镇", county="阳曲县", kind="镇")
        east = create_unit(s, "东坟村", township="阳曲镇", parent_id=town, district="东片区")
        west = create_unit(s, "西坟村", township="阳曲镇", parent_id=town, district="西片区")
        add_resident(s, east, ResidentInput(name="东一"))
        add_resident(s, east, ResidentInput(name="东二"))
        add_resident(s, west, ResidentInput(name="西一"))
    return {"town": town, "east": east, "west": west}


def _names(page: Any) -> list[str]:
    model = page.table_residents.model()
    return sorted(str(model.index(r, 0).data()) for r in range(model.rowCount()))


def test_switcher_shows_the_villages_and_switches_every_page(
    qtbot: Any, db: Database, two_villages: dict[str, int]
) -> None:
    from ui.main_window import MainWindow

    window = MainWindow(AppContext(db))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    switcher = window.unit_switcher
    assert switcher.isVisible()
    combo = switcher.combo
    # the township unit first (its own 设置: the 镇级 operators), then the villages by 片区
    assert [combo.itemText(i) for i in range(combo.count())] == ["阳曲镇（镇级）", "东片区 · 东坟村", "西片区 · 西坟村"]
    assert combo.currentData() == two_villages["east"]

    window.show_page("page_residents")
    page = window.pages["page_residents"]
    qtbot.waitUntil(lambda: _names(page) == ["东一", "东二"])
    assert "东坟村" in window.windowTitle()

    combo.setCurrentIndex(combo.findData(two_villages["west"]))
    combo.activated.emit(combo.currentIndex())  # as a user's choice in the list does
    assert window.ctx.unit_id == two_villages["west"]
    assert "西坟村" in window.windowTitle() and "西坟村" in window.status_unit.text()
    page = window.stack.currentWidget()
    assert page.objectName() == "page_residents" and page is window.pages["page_residents"]
    qtbot.waitUntil(lambda: _names(page) == ["西一"])

    window.show_page("page_settings")  # a page first built after the switch is the new village's too
    assert window.pages["page_settings"].unit_box.edits["name"].text() == "西坟村"


def test_one_village_shows_no_switcher(qtbot: Any, db: Database) -> None:
    from ui.main_window import MainWindow

    with db.session() as s:
        create_unit(s, "独村", township="某镇")
    window = MainWindow(AppContext(db))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert not window.unit_switcher.isVisible()


def test_operator_dialog_offers_township_role_only_on_the_township(
    qtbot: Any, db: Database, two_villages: dict[str, int]
) -> None:
    from app.services.safety import auth
    from ui.main_window import MainWindow
    from ui.settings.operator_dialog import OperatorDialog

    ctx = AppContext(db)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)

    def roles(dialog: OperatorDialog) -> list[str]:
        return [dialog.role.itemText(i) for i in range(dialog.role.count())]

    village = OperatorDialog(ctx, ctx.unit_id or 0, parent=window)  # a village: the village roles
    qtbot.addWidget(village)
    village.show()
    assert "镇级" not in roles(village) and "文书" in roles(village)
    assert not village.can_write.isVisible()

    window.unit_switcher.select(two_villages["town"])  # the township's own 设置
    assert ctx.unit_id == two_villages["town"]
    town = OperatorDialog(ctx, two_villages["town"], parent=window)
    qtbot.addWidget(town)
    town.show()
    assert roles(town) == ["镇级"] and town.can_write.isVisible() and not town.grids.isVisible()
    town.username.setText("zhenji")
    town.display_name.setText("镇干部")
    qtbot.mouseClick(town.can_write, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(town.btn_save, Qt.MouseButton.LeftButton)
    made = [o for o in ctx.call(auth.list_operators, two_villages["town"]) if o.username == "zhenji"]
    assert made and made[0].role == "township" and made[0].can_write

    again = OperatorDialog(ctx, two_villages["town"], made[0].id, parent=window)  # 编辑: the tick shows, can go
    qtbot.addWidget(again)
    again.show()
    assert again.can_write.isChecked()
    again.can_write.setChecked(False)
    qtbot.mouseClick(again.btn_save, Qt.MouseButton.LeftButton)
    assert not ctx.call(auth.get_operator, made[0].id).can_write

    # the township's own first account: its 管理员, a 镇级 operator who may write
    own_admin = next(o for o in ctx.call(auth.list_operators, two_villages["town"]) if o.username == "admin")
    shown = OperatorDialog(ctx, two_villages["town"], own_admin.id, parent=window)
    qtbot.addWidget(shown)
    assert shown.role.currentData() == "township" and shown.can_write.isChecked() and roles(shown) == ["镇级"]


def test_a_saved_server_that_cannot_be_reached_offers_the_local_file_at_start(
    qapp: Any, home: Path, no_popups: Any
) -> None:
    from app.cli import main

    server_config.save_server(server_config.ServerSettings("127.0.0.1", 1, "vd", "clerk"), "secret")
    assert main(["gui"]) == 1  # nothing listens on port 1: the window cannot open
    kinds = [(kind, text) for kind, _title, text in no_popups.shown]
    assert kinds[0][0] == "question" and "改回本机数据库文件吗" in kinds[0][1]
    # the server named and the reason given, never the URL with its password file
    assert kinds[0][1].startswith("无法打开数据库（服务器 127.0.0.1:1，数据库 vd（用户 clerk））：无法连接到 127.0.0.1:1："
                                  "服务器没有运行，或端口不对"), kinds[0][1]
    assert "secret" not in kinds[0][1] and "passfile" not in kinds[0][1] and "postgresql" not in kinds[0][1]
    assert kinds[1] == ("information", "已改回本机数据库文件，请重新打开程序。")
    assert not server_config.server_file().exists() and not server_config.passfile_path().exists()
    assert resolve_url().startswith("sqlite:///")


def test_a_command_on_an_unreachable_saved_server_says_which_and_why(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    from app.cli import main

    server_config.save_server(server_config.ServerSettings("127.0.0.1", 1, "vd", "clerk"), "secret")
    assert main(["export", "members", "-o", str(tmp_path / "党员.xlsx")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("无法打开数据库（服务器 127.0.0.1:1，数据库 vd（用户 clerk））：无法连接到 127.0.0.1:1："), err
    assert "passfile" not in err and "程序出错" not in err and "Traceback" not in err


def test_the_windows_backup_and_restore_work_on_the_server(
    qtbot: Any, pg_port: int, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """备份到… and 从备份恢复… on the saved server: pg_dump / pg_restore reach it through the password file."""
    import ui.settings.page as settings_page
    from app.services.safety import backup_pg
    from tests.ui.conftest import FakeMessageBox
    from ui.main_window import MainWindow

    superuser = create_engine(f"postgresql+psycopg://test@127.0.0.1:{pg_port}/postgres", isolation_level="AUTOCOMMIT")
    with superuser.connect() as conn:
        conn.exec_driver_sql("CREATE DATABASE vdwin OWNER clerk")
    superuser.dispose()
    server_config.save_server(server_config.ServerSettings("127.0.0.1", pg_port, "vdwin", "clerk"), PASSWORD)
    db = open_database(resolve_url())
    try:
        with db.session() as s:
            create_unit(s, "甲村", township="某镇")
        window = MainWindow(AppContext(db))
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        monkeypatch.setattr(settings_page, "QMessageBox", FakeMessageBox)
        dump = tmp_path / "窗口备份.dump"
        offered: list[str] = []

        def save_as(_parent: Any, _title: str, suggested: str, pattern: str) -> tuple[str, str]:
            offered.extend([suggested, pattern])
            return str(dump), ""

        monkeypatch.setattr(settings_page.QFileDialog, "getSaveFileName", staticmethod(save_as))
        monkeypatch.setattr(settings_page.QFileDialog, "getOpenFileName",
                            staticmethod(lambda *a, **k: (str(dump), "")))
        window.show_page("page_settings")
        page = window.pages["page_settings"]
        qtbot.mouseClick(page.btn_backup_to, Qt.MouseButton.LeftButton)
        assert offered[0].endswith(".dump") and "甲村-备份-" in offered[0] and offered[1] == "数据库备份 (*.dump)"
        assert backup_pg.is_dump(dump)
        assert ("information", "备份完成", f"已备份到\n{dump}") in FakeMessageBox.shown

        with db.engine.begin() as conn:
            conn.execute(text("UPDATE units SET name = '乙村'"))
        window.load_unit()
        assert "乙村" in window.windowTitle()
        qtbot.mouseClick(page.btn_restore, Qt.MouseButton.LeftButton)
        preview = next(t for kind, _title, t in FakeMessageBox.shown if kind == "question")
        assert "本村：甲村" in preview and "居民 0 人" in preview
        assert any(title == "恢复完成" for _kind, title, _t in FakeMessageBox.shown)
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT name FROM units")).scalar() == "甲村"
        assert "甲村" in window.windowTitle()  # the window read everything again
        window.close()
    finally:
        db.dispose()
