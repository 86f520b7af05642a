"""Sign-in for the `villagedesk` command, the one recovery path for a 书记 who forgot the password, and
the passwords the command line asks for (sign-in, encrypted backups): from the environment or a prompt
on a terminal, never from an argument that `ps` would show (except backup's explicit --password VALUE).

With sign-in on (auth.single_operator_mode off) every command that opens the data asks who is working:
`--operator NAME` (asked on a terminal when missing) and the password from $VILLAGEDESK_PASSWORD or a
prompt. The check is auth.login's, so failures count and lock exactly as in the window's login. The
operator then runs the command (audit.current_operator_id): the services' role checks and grid scoping
apply, and the 操作日志 names them. In single operator mode nothing is asked.

Recovery (`villagedesk reset-password --operator NAME`): whoever can write the data file can already
change anything in it, so the program cannot refuse them; it only makes the reset honest. It needs the
window closed (the instance lock), resets only a 书记(管理员) account, clears its lock-out, and writes an
操作日志 entry (hash-chained like every other), so the next 书记 sees that the password was reset from
the command line. Other operators get a new password from the 书记 in 设置 → 操作员.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from .db import Database, open_database, resolve_url
from .services.errors import PermissionDenied, ServiceError

log = logging.getLogger(__name__)

PASSWORD_ENV = "VILLAGEDESK_PASSWORD"  # the operator's sign-in password
NEW_PASSWORD_ENV = "VILLAGEDESK_NEW_PASSWORD"  # `operator add --password`: the new account's password
BACKUP_PASSWORD_ENV = "VILLAGEDESK_BACKUP_PASSWORD"
ASK_PASSWORD = "\0ask"  # backup's --password given without a value
# Commands that only the 书记 may run when sign-in is on (the others check roles in their services).
COMMAND_ROLES = {"demo": ("admin",)}
# The window signs in itself; reset-password is for the one who cannot.
NO_SIGN_IN = (None, "gui", "reset-password")


class SignInNeeded(ServiceError):
    """A name or password is needed and the command line cannot ask (no terminal): a usage error."""


def _on_terminal() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def _ask(prompt: str, secret: bool) -> str:
    if secret:
        import getpass

        return getpass.getpass(prompt)
    return input(prompt)


def operator_name(given: str | None) -> str:
    if given and given.strip():
        return given.strip()
    if _on_terminal():
        return _ask("操作员登录名：", False).strip()
    raise SignInNeeded(f"本村已开启登录：请用 --operator 登录名 指明操作员，密码在终端中输入或放在环境变量 {PASSWORD_ENV} 中。")


def _secret(env: str, prompt: str, missing: str) -> str:
    if os.environ.get(env):
        return os.environ[env]
    if _on_terminal():
        return _ask(prompt, True)
    raise SignInNeeded(missing)


def password(prompt: str = "密码：") -> str:
    """The sign-in password: $VILLAGEDESK_PASSWORD, else a prompt on a terminal."""
    return _secret(PASSWORD_ENV, prompt, f"需要密码：请在终端中运行本命令输入密码，或设置环境变量 {PASSWORD_ENV}。")


def backup_password(value: str | None, required: bool) -> str | None:
    """--password VALUE; --password alone: $VILLAGEDESK_BACKUP_PASSWORD, else a prompt on a terminal."""
    if value is None and not required:
        return None
    if value not in (None, ASK_PASSWORD):
        return value
    return _secret(BACKUP_PASSWORD_ENV, "备份密码：",
                   f"需要备份密码：请用 --password 密码，或设置环境变量 {BACKUP_PASSWORD_ENV}。")


def sign_in(db: Database, given: str | None) -> int | None:
    """Sign in for one command when the village has sign-in on. Returns the operator's id (also set as
    audit.current_operator_id for the rest of the command), or None when nobody needs to sign in."""
    from .services import audit
    from .services.safety import auth
    from .services.units import current_unit_id

    with db.session() as s:
        unit_id = current_unit_id(s)
        if unit_id is None or auth.single_operator_mode(s, auth.governing_unit(s, unit_id)):
            return None  # a blank database, or one person working alone: nothing changes
    name = operator_name(given)
    secret = password(f"{name} 的密码：")
    with db.session() as s:  # committed even when refused: failures count as in the window
        result = auth.login(s, auth.login_unit(s, unit_id, name), name, secret)  # 镇级: the township's
    if result.operator is None:
        raise PermissionDenied(f"登录失败：{result.message}")
    audit.current_operator_id.set(result.operator.id)
    log.info("command line signed in as operator %s", result.operator.id)
    return result.operator.id


def _choose_unit(db: Database, given: str | None) -> int | None:
    """`--unit 东坟村|3`: the unit this command works on (for the rest of the command)."""
    if not given:
        return None
    from .services.units import chosen_unit_id, find_unit

    with db.session() as s:
        unit_id = find_unit(s, given)
    chosen_unit_id.set(unit_id)
    return unit_id


def sign_in_for(args: argparse.Namespace, db: Database) -> None:
    """The command line's sign-in step (cli._open): once per command, then the command's role if any.
    `--unit` is chosen first (the sign-in looks for the operator there) and checked after it."""
    if getattr(args, "signed_in", False):
        return
    chosen = _choose_unit(db, getattr(args, "unit", None))
    operator_id = None if args.command in NO_SIGN_IN else sign_in(db, getattr(args, "operator", None))
    from .services.access import check_unit, require_role

    with db.session() as s:
        if operator_id is not None and args.command in COMMAND_ROLES:
            require_role(s, *COMMAND_ROLES[args.command], action=f"运行 {args.command} 命令")
        if chosen is not None:
            check_unit(s, chosen, action="办理该村(社区)")
    args.signed_in = True  # restore opens the database twice: sign in once


# ---------------------------------------------------------------- operator add / list


def add_auth_commands(sub: Any) -> None:
    """The parsers of reset-password and operator (cli.build_parser)."""
    sub.add_parser(
        "reset-password", help="书记(管理员)忘记密码时重设（需关闭窗口，记入操作日志）",
        description=f"用 --operator 指明书记(管理员)的登录名，新密码在终端中输入两次（或放在环境变量 {PASSWORD_ENV} "
                    "中）。只有能写入本机数据文件的人才能运行，且只能在窗口关闭时运行；重置会记入操作日志。",
    )
    ops = sub.add_parser("operator", help="操作员：新增、列出（含镇级操作员）").add_subparsers(
        dest="operator_command", required=True, title="操作")
    ops.add_parser("list", help="列出本单位（或 --unit 指定单位）的操作员")
    add = ops.add_parser("add", help="新增操作员：镇级操作员用 --unit 镇名 --role township [--can-write]")
    add.add_argument("username", metavar="登录名")
    add.add_argument("--name", required=True, metavar="姓名", help="显示的姓名")
    add.add_argument("--role", choices=("admin", "clerk", "grid", "township"), default="clerk",
                     help="admin 书记(管理员)、clerk 文书、grid 网格员、township 镇级（默认 clerk）")
    add.add_argument("--can-write", action="store_true", help="镇级操作员可以修改各村数据（默认只能查看）")
    add.add_argument("--grid", type=int, action="append", default=[], metavar="网格编号", help="网格员负责的网格（可多次）")
    add.add_argument("--password", action="store_true",
                     help=f"设置密码：从环境变量 {NEW_PASSWORD_ENV} 读取，或在终端中输入")


def cmd_operator(args: argparse.Namespace) -> int:
    from .cli import EXIT_OK, _open, _unit_id
    from .services.safety import auth

    db = _open(args)
    try:
        with db.session() as s:
            unit_id = _unit_id(s)
            if args.operator_command == "list":
                for o in auth.list_operators(s, unit_id):
                    write = "，可修改各村数据" if o.can_write else ""
                    state = "" if o.active else "（已停用）"
                    print(f"{o.id}\t{o.username}\t{o.display_name}\t{o.role_label}{write}{state}")
                return EXIT_OK
            secret = _secret(NEW_PASSWORD_ENV, f"{args.username} 的密码：",
                             f"需要新操作员的密码：请设置环境变量 {NEW_PASSWORD_ENV}，或在终端中运行。") \
                if args.password else None
            op_id = auth.create_operator(s, unit_id, args.username, args.name, args.role, password=secret,
                                         grid_ids=tuple(args.grid), can_write=args.can_write)
            info = auth.get_operator(s, op_id)
        write = "（可修改各村数据）" if info.can_write else "（只能查看）" if info.role == "township" else ""
        print(f"已新增操作员 {info.display_name}（{info.username}，{info.role_label}{write}）。")
        return EXIT_OK
    finally:
        db.dispose()


def cmd_reset_password(args: argparse.Namespace) -> int:
    db = open_database(resolve_url(args.db, args.db_url))
    try:
        print(reset_admin_password(db, args.operator))
        return 0
    finally:
        db.dispose()


def reset_admin_password(db: Database, given: str | None) -> str:
    """The recovery path: a new password for a 书记(管理员) account, with the window closed. Returns the
    message to print."""
    from contextlib import nullcontext

    from .db_users import exclusive
    from .services.safety import auth
    from .services.units import current_unit_id

    name = operator_name(given)
    path = db.path

    def alone() -> AbstractContextManager[None]:  # refuses while a window or another command has the file open
        return exclusive(path, "重设密码") if path is not None else nullcontext()

    with alone():
        pass  # refuse before asking for the password, not after
    new = password(f"{name} 的新密码：")
    if not os.environ.get(PASSWORD_ENV) and password("再输入一次新密码：") != new:
        raise ServiceError("两次输入的新密码不一致，密码没有改动。")
    with alone(), db.session() as s:
        unit_id = current_unit_id(s)
        if unit_id is None:
            raise ServiceError("数据库中还没有本村(社区)信息，没有可以重置的密码。")
        info = auth.recover_admin_password(s, unit_id, name, new)
    return (f"已重置 {info.display_name}（{info.username}）的密码，并清除了登录锁定。"
            "此次重置已记入操作日志。")


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "reset-password": cmd_reset_password, "operator": cmd_operator,
}
