"""The `villagedesk` command (also `python -m app`): batch work, the township, tests.

Exit status: 0 done; 1 the data had problems; 2 bad usage.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path

from . import __version__
from .db import Database, open_database, resolve_url
from .services.errors import ServiceError

log = logging.getLogger(__name__)

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2

# argparse speaks English; these are the messages a user can meet.
_ARGPARSE_ZH = (
    ("the following arguments are required", "缺少必需的参数"),
    ("unrecognized arguments", "无法识别的参数"),
    ("invalid choice", "无效的选项"),
    ("expected one argument", "需要一个参数"),
    ("choose from", "可选"),
    ("argument", "参数"),
    ("usage:", "用法："),
)


class ChineseParser(argparse.ArgumentParser):
    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.add_argument("-h", "--help", action="help", help="显示帮助并退出")

    def format_help(self) -> str:
        return _zh(
            super()
            .format_help()
            .replace("positional arguments:", "参数：")
            .replace("options:", "选项：")
        )

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"用法错误：{_zh(message)}\n")

    def format_usage(self) -> str:
        return _zh(super().format_usage())


def _zh(text: str) -> str:
    for en, zh in _ARGPARSE_ZH:
        text = text.replace(en, zh)
    return text


def build_parser() -> ChineseParser:
    p = ChineseParser(prog="villagedesk", description="村级党建工作台 VillageDesk")
    p.add_argument("--version", action="version", version=f"村级党建工作台 {__version__}", help="显示版本")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--db", metavar="PATH", help="SQLite 数据库文件（默认在用户数据文件夹，或 $VILLAGEDESK_DB）")
    where.add_argument("--db-url", metavar="URL", help="任意 SQLAlchemy 数据库地址，例如 PostgreSQL")
    sub = p.add_subparsers(dest="command", parser_class=ChineseParser, title="命令")
    sub.add_parser("gui", help="打开窗口（默认）")
    demo = sub.add_parser("demo", help="用演示村填充数据库")
    demo.add_argument("--force", action="store_true", help="清空现有数据后重建演示村")
    demo.add_argument("--if-empty", action="store_true", help="仅当数据库为空时填充，否则什么也不做")
    backup = sub.add_parser("backup", help="备份数据库")
    backup.add_argument("-o", "--output", metavar="FILE", help="备份文件（默认在数据文件夹的 backups 下）")
    restore = sub.add_parser("restore", help="从备份恢复数据库")
    restore.add_argument("file", metavar="FILE", help="备份文件")
    sub.add_parser("check", help="检查数据库完整性")
    return p


def _open(args: argparse.Namespace, migrate: bool = True) -> Database:
    return open_database(resolve_url(args.db, args.db_url), migrate=migrate)


def cmd_demo(args: argparse.Namespace) -> int:
    from .services import demo

    db = _open(args)
    try:
        with db.session() as s:
            if args.if_empty and demo.has_data(s):
                print("数据库中已有数据，未改动。")
                return EXIT_OK
            summary = demo.build_demo(s, force=args.force)
        print("\n".join(summary.lines()))
        return EXIT_OK
    finally:
        db.dispose()


def cmd_backup(args: argparse.Namespace) -> int:
    from .paths import backup_dir
    from .services import backup

    db = _open(args)
    try:
        target = Path(args.output) if args.output else backup_dir() / backup.default_backup_name(db)
        if target.is_dir():
            target = target / backup.default_backup_name(db)
        backup.backup_to(db, target)
        print(f"已备份到 {target}")
        return EXIT_OK
    finally:
        db.dispose()


def cmd_restore(args: argparse.Namespace) -> int:
    from .services import backup

    db = _open(args, migrate=False)
    safety = backup.restore_from(db, Path(args.file))
    if safety:
        print(f"恢复前的数据已另存为 {safety}")
    db = _open(args)  # the restored file may be from an older version: upgrade it
    db.dispose()
    print(f"已从 {args.file} 恢复数据库。")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from .services import backup

    db = _open(args)
    try:
        problems = backup.check(db)
    finally:
        db.dispose()
    for line in problems:
        print(line)
    if problems:
        print(f"发现 {len(problems)} 个问题。")
        return EXIT_DATA
    print("检查通过：数据库完好。")
    return EXIT_OK


def _gui_entry(name: str = "run") -> Callable[..., int]:
    """The window lives in the `ui` package, which registers itself; the core never imports it.

    Entry points (group villagedesk.gui): "run" opens the window, "error" shows a start-up problem.
    """
    for ep in metadata.entry_points(group="villagedesk.gui", name=name):
        return ep.load()  # type: ignore[no-any-return]
    raise ServiceError("未安装图形界面组件，请在项目目录中运行 `make run` 或 `pip install -e .`。")


def has_display() -> bool:
    if not sys.platform.startswith("linux"):
        return True
    return bool(
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or os.environ.get("QT_QPA_PLATFORM")
    )


def cmd_gui(args: argparse.Namespace) -> int:
    if not has_display():
        print("没有可用的图形显示（未设置 DISPLAY），无法打开窗口；请在桌面环境中运行，或使用命令行子命令。",
              file=sys.stderr)
        return EXIT_USAGE
    from .lock import InstanceLock
    from .services.context import AppContext

    run_gui = _gui_entry("run")
    show_error = _gui_entry("error")
    # Started from a desktop shortcut nobody reads stderr: start-up problems are shown in a dialog.
    try:
        db = _open(args)
    except ServiceError as exc:
        return int(show_error(str(exc), sys.argv))
    except Exception:
        log.exception("cannot open the database")
        return int(show_error(f"无法打开数据库 {resolve_url(args.db, args.db_url)}。详细信息已写入日志。", sys.argv))
    lock = InstanceLock(db.path) if db.path is not None else None
    try:
        if lock is not None:
            lock.acquire()
    except ServiceError as exc:
        db.dispose()
        return int(show_error(str(exc), sys.argv))
    try:
        return int(run_gui(AppContext(db), sys.argv))
    finally:
        if lock is not None:
            lock.release()
        db.dispose()


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "gui": cmd_gui,
    "demo": cmd_demo,
    "backup": cmd_backup,
    "restore": cmd_restore,
    "check": cmd_check,
}


def main(argv: Sequence[str] | None = None) -> int:
    from .logs import setup_logging

    args = build_parser().parse_args(argv)
    log_path = setup_logging()
    try:
        return COMMANDS[args.command or "gui"](args)
    except ServiceError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_DATA
    except Exception:  # never a traceback in front of a user: log it, say where
        log.exception("command %s failed", args.command)
        print(f"程序出错，未完成操作。详细信息已写入日志：{log_path}", file=sys.stderr)
        return EXIT_DATA


if __name__ == "__main__":
    sys.exit(main())
