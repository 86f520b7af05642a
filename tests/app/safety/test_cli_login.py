"""The command line with sign-in on: it asks who is working, refuses a wrong password like the window
does, runs the command as that operator (roles, grid scope, 操作日志), and offers one recovery path for a
书记 who forgot the password."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app import cli, cli_auth
from app.db import open_database, resolve_url
from app.models import AuditEntry
from app.services.context import AppContext
from app.services.safety import auth

from ..roles import as_, make_staff
from .test_lock import Holder

ADMIN_PASSWORD = "shuji-pass"


@pytest.fixture
def village(demo_db_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """The demo village with sign-in on: 书记 (admin, password set), 文书 wenshu, 网格员 wangge1."""
    monkeypatch.setattr(cli_auth, "_on_terminal", lambda: False)  # pytest's stdin is no terminal
    monkeypatch.delenv(cli_auth.PASSWORD_ENV, raising=False)
    db = open_database(resolve_url(demo_db_path))
    try:
        ctx = AppContext(db)
        staff = make_staff(ctx)
        admin = as_(ctx, staff["admin"])
        admin.call(auth.set_password, staff["admin"], ADMIN_PASSWORD)
        admin.call(auth.set_single_operator_mode, ctx.unit_id, False)
        names = {o.role: o.username for o in ctx.call(auth.list_operators, ctx.unit_id)}
    finally:
        db.dispose()
    return {"path": demo_db_path, "admin_name": names["admin"], **staff}


def run(village: dict[str, object], *argv: str, operator: str | None = None, password: str | None = None,
        monkeypatch: pytest.MonkeyPatch) -> int:
    if password is None:
        monkeypatch.delenv(cli_auth.PASSWORD_ENV, raising=False)
    else:
        monkeypatch.setenv(cli_auth.PASSWORD_ENV, password)
    return cli.main(["--db", str(village["path"]), *argv, *(["--operator", operator] if operator else [])])


def entries(path: object, action: str) -> list[AuditEntry]:
    db = open_database(resolve_url(Path(str(path))))
    try:
        with db.session() as s:
            rows = list(s.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))
            s.expunge_all()
            return rows
    finally:
        db.dispose()


def test_sign_in_on_and_no_operator_is_refused(village: dict[str, object], tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "户籍.xlsx"
    source = shutil.copyfile(Path(str(village["path"])), tmp_path / "copy.sqlite")  # a backup to restore
    for argv in (["export", "households", "-o", str(out)], ["check"], ["backup", "-o", str(folder)],
                 ["demo", "--force"], ["restore", str(source)]):
        assert run(village, *argv, monkeypatch=monkeypatch) == cli.EXIT_USAGE, argv
        assert "--operator" in capsys.readouterr().err
    # a name but no password, and no terminal to ask on
    assert run(village, "export", "households", "-o", str(out), operator="wenshu",
               monkeypatch=monkeypatch) == cli.EXIT_USAGE
    assert cli_auth.PASSWORD_ENV in capsys.readouterr().err
    assert not list(folder.iterdir())
    with pytest.raises(SystemExit) as done:  # help opens no data and needs no sign-in
        cli.main(["--db", str(village["path"]), "export", "--help"])
    assert done.value.code == 0 and "导出台账" in capsys.readouterr().out


def test_operator_and_password_run_the_command_as_them(village: dict[str, object], tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "全村.xlsx"
    assert run(village, "export", "households", "-o", str(out), operator="wenshu", password="clerk-pass",
               monkeypatch=monkeypatch) == cli.EXIT_OK
    (export,) = entries(village["path"], "export")
    assert export.operator_id == village["clerk"]
    logins = entries(village["path"], "login")
    assert logins[-1].operator_id == village["clerk"]
    everyone = load_workbook(out).worksheets[0].max_row

    # the 网格员: their grids only, IDs masked; a village-wide ledger refused with exit 3
    mine = tmp_path / "网格.xlsx"
    assert run(village, "export", "households", "-o", str(mine), operator="wangge1", password="grid-pass",
               monkeypatch=monkeypatch) == cli.EXIT_OK
    ws = load_workbook(mine).worksheets[0]
    header = [c.value for c in ws[3]]
    ids = [r[header.index("身份证号")] for r in ws.iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)]
    assert ids and all("********" in i for i in ids) and ws.max_row < everyone
    assert entries(village["path"], "export")[-1].operator_id == village["grid"]
    capsys.readouterr()
    assert run(village, "export", "members", "-o", str(tmp_path / "m.xlsx"), operator="wangge1",
               password="grid-pass", monkeypatch=monkeypatch) == cli.EXIT_DENIED
    assert "网格员不能导出《党员花名册》" in capsys.readouterr().err
    assert not (tmp_path / "m.xlsx").exists()


def test_roles_hold_for_whole_database_commands(village: dict[str, object], tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert run(village, "backup", "-o", str(tmp_path / "b.sqlite"), operator="wangge1", password="grid-pass",
               monkeypatch=monkeypatch) == cli.EXIT_DENIED
    assert "无权" in capsys.readouterr().err and not (tmp_path / "b.sqlite").exists()
    assert run(village, "backup", "-o", str(tmp_path / "b.sqlite"), operator="wenshu", password="clerk-pass",
               monkeypatch=monkeypatch) == cli.EXIT_OK
    assert run(village, "restore", str(tmp_path / "b.sqlite"), operator="wenshu", password="clerk-pass",
               monkeypatch=monkeypatch) == cli.EXIT_DENIED
    assert "无权" in capsys.readouterr().err
    assert run(village, "demo", "--force", operator="wenshu", password="clerk-pass",
               monkeypatch=monkeypatch) == cli.EXIT_DENIED
    assert "无权运行 demo 命令" in capsys.readouterr().err
    # the 书记 may restore
    assert run(village, "restore", str(tmp_path / "b.sqlite"), operator=str(village["admin_name"]),
               password=ADMIN_PASSWORD, monkeypatch=monkeypatch) == cli.EXIT_OK


def test_wrong_password_is_refused_and_counted_like_the_window(village: dict[str, object], tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "x.xlsx"
    for _ in range(auth.MAX_FAILURES):
        assert run(village, "export", "orgs", "-o", str(out), operator="wenshu", password="wrong-pass",
                   monkeypatch=monkeypatch) == cli.EXIT_DENIED
        err = capsys.readouterr().err
        assert err.startswith("登录失败：") and "Traceback" not in err
    assert "错误次数过多" in err
    # locked now: even the right password waits, as in the window
    assert run(village, "export", "orgs", "-o", str(out), operator="wenshu", password="clerk-pass",
               monkeypatch=monkeypatch) == cli.EXIT_DENIED
    assert "秒后再试" in capsys.readouterr().err and not out.exists()
    failed = entries(village["path"], "login_failed")
    assert len(failed) == auth.MAX_FAILURES and all("wenshu" in e.summary for e in failed)
    # a name nobody has is refused the same way (no hint whether it exists)
    assert run(village, "check", operator="nobody", password="whatever", monkeypatch=monkeypatch) == cli.EXIT_DENIED
    assert "登录名或密码不正确" in capsys.readouterr().err


def test_prompts_on_a_terminal(village: dict[str, object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_auth, "_on_terminal", lambda: True)
    asked: list[str] = []
    monkeypatch.setattr("builtins.input", lambda prompt: asked.append(prompt) or "wenshu")
    monkeypatch.setattr("getpass.getpass", lambda prompt: asked.append(prompt) or "clerk-pass")
    assert run(village, "export", "orgs", "-o", str(tmp_path / "o.xlsx"), monkeypatch=monkeypatch) == cli.EXIT_OK
    assert asked == ["操作员登录名：", "wenshu 的密码："]
    assert entries(village["path"], "export")[-1].operator_id == village["clerk"]


def test_single_operator_mode_asks_nobody(demo_db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_auth, "_on_terminal", lambda: False)
    monkeypatch.delenv(cli_auth.PASSWORD_ENV, raising=False)
    out = tmp_path / "o.xlsx"
    assert cli.main(["--db", str(demo_db_path), "export", "orgs", "-o", str(out)]) == cli.EXIT_OK
    assert out.exists() and entries(demo_db_path, "export")[-1].operator_id is None


def test_reset_password_for_a_forgotten_admin(village: dict[str, object], tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    admin = str(village["admin_name"])
    for _ in range(auth.MAX_FAILURES):  # the 书记 tried and got locked out
        run(village, "check", operator=admin, password="forgotten", monkeypatch=monkeypatch)
    capsys.readouterr()

    # not while the window (or any other program) has the database open: it is named
    holder = Holder(Path(str(village["path"])))
    try:
        assert run(village, "reset-password", operator=admin, password="new-secret",
                   monkeypatch=monkeypatch) == cli.EXIT_DATA
        assert "窗口（操作员 张三" in capsys.readouterr().err
    finally:
        holder.close()
    # only a 书记(管理员) account: the others ask the 书记
    assert run(village, "reset-password", operator="wangge1", password="new-secret",
               monkeypatch=monkeypatch) == cli.EXIT_DATA
    assert "不是在用的书记(管理员)账号" in capsys.readouterr().err
    # no password given and no terminal: usage
    assert run(village, "reset-password", operator=admin, monkeypatch=monkeypatch) == cli.EXIT_USAGE
    # too short: the same rule as the window
    assert run(village, "reset-password", operator=admin, password="123", monkeypatch=monkeypatch) == cli.EXIT_DATA
    assert "至少 6 位" in capsys.readouterr().err

    assert run(village, "reset-password", operator=admin, password="new-secret", monkeypatch=monkeypatch) == cli.EXIT_OK
    assert "已重置" in capsys.readouterr().out
    (reset,) = entries(village["path"], "password_reset")
    assert reset.operator_id == village["admin"] and "命令行重置密码" in reset.summary
    # the lock-out is cleared: the new password works at once, the old one no longer
    assert run(village, "check", operator=admin, password="new-secret", monkeypatch=monkeypatch) == cli.EXIT_OK
    assert run(village, "check", operator=admin, password=ADMIN_PASSWORD, monkeypatch=monkeypatch) == cli.EXIT_DENIED


def test_reset_password_asks_twice_on_a_terminal(village: dict[str, object], monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(cli_auth, "_on_terminal", lambda: True)
    typed = iter(["new-secret", "new-secreT"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(typed))
    admin = str(village["admin_name"])
    assert run(village, "reset-password", operator=admin, monkeypatch=monkeypatch) == cli.EXIT_DATA
    assert "不一致" in capsys.readouterr().err
    assert entries(village["path"], "password_reset") == []
