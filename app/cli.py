"""The `villagedesk` command (also `python -m app`): batch work, the township, tests.

Exit status: 0 done; 1 the data had problems; 2 bad usage (also: sign-in is on and no operator or password
was given); 3 sign-in refused (wrong password, locked, disabled) or the operator may not do this.
"""

from __future__ import annotations

import argparse
import contextvars
import logging
import os
import sys
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__, cli_affairs, cli_demo, cli_partywork, cli_township, db_users
from .cli_auth import ASK_PASSWORD, SignInNeeded, add_auth_commands, sign_in_for
from .cli_auth import BACKUP_PASSWORD_ENV as PASSWORD_ENV
from .cli_auth import COMMANDS as AUTH_COMMANDS
from .cli_auth import SignInNeeded as _NoPassword
from .cli_auth import backup_password as _password
from .db import Database, open_database, resolve_url, sqlite_path
from .paths import clean_leftovers
from .server_config import describe_url, open_failure
from .services.errors import PermissionDenied, ServiceError, explain
from .services.output_kinds import LEDGER_KINDS, NOTICE_KINDS

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

EXIT_OK, EXIT_DATA, EXIT_USAGE, EXIT_DENIED = 0, 1, 2, 3

# argparse speaks English; these are the messages a user can meet.
_ARGPARSE_ZH = (
    ("the following arguments are required", "缺少必需的参数"),
    ("unrecognized arguments", "无法识别的参数"),
    ("invalid choice", "无效的选项"), ("not allowed with argument", "不能同时使用参数"), ("invalid int value", "不是整数"),
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
    p.add_argument("--operator", metavar="登录名",
                   help="本村开启登录时：以哪个操作员办理（密码在终端中输入，或放在环境变量 VILLAGEDESK_PASSWORD 中）")
    p.add_argument("--unit", metavar="村名或编号", help="数据库中有多个村(社区)（镇级）时：办理哪一个，如 --unit 东坟村")
    sub = p.add_subparsers(dest="command", parser_class=ChineseParser, title="命令")
    sub.add_parser("gui", help="打开窗口（默认）")
    init = sub.add_parser("init", help="新建空白村(社区)：数据库中已有村(社区)时不做改动",
                          description="在空数据库中新建本村(社区)，之后在窗口中按“开始使用”录入党组织、党员、居民和网格。")
    init.add_argument("--name", required=True, metavar="村名", help="村(社区)名称，如 东坟村")
    init.add_argument("--township", required=True, metavar="镇/街道", help="所属乡镇(街道)")
    init.add_argument("--county", required=True, metavar="县/区", help="所属县(区)")
    init.add_argument("--kind", choices=("村", "社区"), default="村", help="村 或 社区（默认 村）")
    cli_demo.add_parser(sub)
    backup = sub.add_parser("backup", help="备份数据库")
    backup.add_argument("-o", "--output", metavar="FILE", help="备份文件或文件夹（默认在数据文件夹的 backups 下）")
    backup.add_argument("--password", nargs="?", const=ASK_PASSWORD, metavar="密码",
                        help=f"加密备份；只写 --password 时从环境变量 {PASSWORD_ENV} 读取密码，或在终端中询问")
    restore = sub.add_parser("restore", help="从备份恢复数据库")
    restore.add_argument("file", metavar="FILE", help="备份文件")
    restore.add_argument("--password", nargs="?", const=ASK_PASSWORD, metavar="密码",
                         help=f"加密备份的密码（同上，也可用环境变量 {PASSWORD_ENV}）")
    restore.add_argument("--preview", action="store_true", help="只显示备份的日期和人数，不恢复")
    sub.add_parser("check", help="检查数据库完整性")
    add_auth_commands(sub)
    _add_output_commands(sub)
    _add_import_command(sub)
    _add_cards_command(sub)
    _add_tickets_command(sub)
    cli_partywork.register(sub)
    cli_township.register(sub)
    return p


IMPORT_CHOICES = ("residents", "households", "members", "grid-posts", "tickets")


def _add_import_command(sub: argparse._SubParsersAction[ChineseParser]) -> None:
    imp = sub.add_parser(
        "import", help="从 Excel/WPS/CSV 导入名册",
        description="导入名册：residents 居民，households 户籍（按户号或户主分户），members 党员，"
                    "grid-posts 网格员，tickets 工单。先逐行检查并列出所有问题；有问题时不写入任何数据。",
    )
    imp.add_argument("kind", choices=IMPORT_CHOICES, metavar="KIND", help="导入种类：" + " | ".join(IMPORT_CHOICES))
    imp.add_argument("file", metavar="FILE", help="xlsx、xls 或 csv 文件")
    imp.add_argument("--dry-run", action="store_true", help="只检查并报告，不写入")
    imp.add_argument("--update", action="store_true", help="已登记的人（按身份证号）按表更新；默认跳过")
    imp.add_argument("--skip-errors", action="store_true", help="跳过有问题的行，只导入无误的行")
    imp.add_argument("--create-missing", action="store_true", help="自动新建表中出现但尚未建立的支部、网格、类别")
    imp.add_argument("--sheet", metavar="NAME", help="工作表名称（默认第一个有内容的工作表）")




def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{text}") from None


def _add_output_commands(sub: argparse._SubParsersAction[ChineseParser]) -> None:
    export = sub.add_parser(
        "export", help="导出台账（Excel）",
        description="导出台账：" + "，".join(f"{k} {v}" for k, v in LEDGER_KINDS.items())
                    + "。给出多种时写入同一个工作簿（每种一个工作表）。",
    )
    export.add_argument("kinds", nargs="+", choices=list(LEDGER_KINDS), metavar="KIND",
                        help="台账种类：" + " | ".join(LEDGER_KINDS))
    export.add_argument("-o", "--output", metavar="OUT.xlsx", required=True, help="输出的 Excel 文件")
    export.add_argument("--year", type=int, metavar="Y", help="年度（默认今年）")

    notice = sub.add_parser("notice", help="生成公示（PDF），或核验公示文件")
    kinds = notice.add_subparsers(dest="notice_kind", parser_class=ChineseParser, title="公示种类", required=True)
    for kind, text in {**NOTICE_KINDS, **cli_affairs.NOTICE_COMMANDS}.items():
        k = kinds.add_parser(kind, help=text)
        k.add_argument("-o", "--output", metavar="OUT.pdf", required=True, help="输出的 PDF 文件")
        k.add_argument("--paper", choices=("A4", "A3"), default="A4", help="纸张（默认 A4；A3 用于公示栏大幅张贴）")
        k.add_argument("--year", type=int, metavar="Y", help="年度（默认今年）")
        k.add_argument("--start", type=_iso_date, metavar="YYYY-MM-DD", help="公示开始日期（默认今天）")
        period = k.add_mutually_exclusive_group()  # calendar days or working days, not both
        period.add_argument("--days", type=int, metavar="N", help="公示期 N 天（自然日）；默认按公示种类和本村设置")
        period.add_argument("--workdays", type=int, metavar="N", help="公示期 N 个工作日（节假日不计，调休上班计入）")
    cli_affairs.add_notice_options(kinds)
    verify = kinds.add_parser("verify", help="核验 PDF 文件是否与存档的公示一致")
    verify.add_argument("file", metavar="FILE.pdf", help="要核验的 PDF 文件")


def _open(args: argparse.Namespace, migrate: bool = True) -> Database:
    """Open the database; with sign-in on, the operator signs in first (cli_auth, once per command)."""
    db = open_database(resolve_url(args.db, args.db_url), migrate=migrate)
    try:
        sign_in_for(args, db)
    except BaseException:
        db.dispose()
        raise
    return db


def cmd_init(args: argparse.Namespace) -> int:
    from .services.setup import founding

    db = _open(args)
    try:
        with db.session() as s:
            founding.ensure_blank(s)
            founding.create_unit(s, args.name, township=args.township, county=args.county, kind=args.kind)
        print(f"已新建{args.kind}：{args.township}{args.name.strip()}（{args.county}）。打开窗口后按“开始使用”继续录入。")
        return EXIT_OK
    finally:
        db.dispose()


def cmd_demo(args: argparse.Namespace) -> int:
    from .demo import village as demo

    if args.township is not None:  # the township database is DIR/township.sqlite unless --db/--db-url
        return cli_demo.build_township(args)
    db = _open(args)
    try:
        with db.session() as s:
            has_data, real = demo.has_data(s), demo.real_village(s)
        if args.if_empty and has_data:
            print("数据库中已有数据，未改动。")
            return EXIT_OK
        if not (has_data and args.force):
            return cli_demo.build(db, args.scale, args.force)
        if real is not None and not args.yes:
            raise ServiceError(
                f"数据库中是正式的村(社区)数据（{real}）。demo --force 会清空全部数据，包括操作员和操作日志。"
                "如确需清空并重建演示村，请加 --yes（清空前会自动备份）。")
        # nobody else may have the file open while it is wiped; the old data is kept in a backup first
        with db_users.exclusive(db.path, "重建演示村") if db.path is not None else nullcontext():
            from .services.safety import backup

            safety = backup.backup_before(db, "演示前")
            if safety is not None:
                print(f"原有数据已另存为 {safety}")
            return cli_demo.build(db, args.scale, args.force)
    finally:
        db.dispose()


def _village_name(db: Database) -> str:
    from .services.units import current_unit_id, get_unit

    with db.session() as s:
        unit_id = current_unit_id(s)
        return get_unit(s, unit_id).name if unit_id is not None else ""


def cmd_backup(args: argparse.Namespace) -> int:
    from .paths import backup_dir
    from .services.safety import backup

    try:
        password = _password(args.password, False)
    except _NoPassword as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    db = _open(args)
    try:
        name = backup.default_backup_name(db, _village_name(db), encrypted=bool(password))
        target = Path(args.output) if args.output else backup_dir() / name
        if target.is_dir():
            target = target / name
        backup.backup_to(db, target, password=password)
        print(f"已{'加密' if password else ''}备份到 {target}")
        return EXIT_OK
    finally:
        db.dispose()


def cmd_restore(args: argparse.Namespace) -> int:
    from .services.safety import backup
    from .services.safety.backup_crypto import is_encrypted

    source = Path(args.file)
    try:
        password = _password(args.password, is_encrypted(source))
    except _NoPassword as exc:
        print(f"{source.name} 是加密备份。{exc}", file=sys.stderr)
        return EXIT_USAGE
    info = backup.inspect_backup(source, password)
    print("\n".join(info.lines()))
    if args.preview:
        return EXIT_OK
    db = _open(args, migrate=False)
    try:  # refused while another process (a window, an import) has the database open
        safety = backup.restore_from(db, source, password=password)
    finally:
        db.dispose()
    if safety:
        print(f"恢复前的数据已另存为 {safety}")
    db = _open(args)  # opens as it will next time (the staged copy was migrated before the swap)
    db.dispose()
    print(f"已从 {args.file} 恢复数据库。")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from .services.safety import backup

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


# The same as [project.entry-points."villagedesk.gui"] in pyproject.toml (a test keeps them equal).
FROZEN_GUI_ENTRIES = {"run": "ui.main:run_gui", "error": "ui.main:show_startup_error"}


def _gui_entry(name: str = "run") -> Callable[..., int]:
    """The window lives in the `ui` package, which registers itself; the core never imports it.

    Entry points (group villagedesk.gui): "run" opens the window, "error" shows a start-up problem.
    """
    for ep in metadata.entry_points(group="villagedesk.gui", name=name):
        return ep.load()  # type: ignore[no-any-return]
    if getattr(sys, "frozen", False) and name in FROZEN_GUI_ENTRIES:
        # A PyInstaller bundle may carry no entry-point metadata. The bundle always holds the window
        # (installers/hidden_imports.py lists "ui.main"), so look it up by name: this string import
        # is the only one, and only when frozen; the core still never imports the views statically.
        import importlib

        module, _, attr = FROZEN_GUI_ENTRIES[name].partition(":")
        return getattr(importlib.import_module(module), attr)  # type: ignore[no-any-return]
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
    except Exception as exc:
        log.exception("cannot open the database")
        url = resolve_url(args.db, args.db_url)  # named as describe_url does: never a password or its file
        message = explain(exc) or open_failure(url, exc) or f"无法打开数据库 {describe_url(url)}。详细信息已写入日志。"
        return int(show_error(message, sys.argv))
    lock = InstanceLock(db.path) if db.path is not None else None
    try:
        if lock is not None:
            lock.acquire()
    except ServiceError as exc:
        db.dispose()
        return int(show_error(str(exc), sys.argv))
    _daily_backup(db)
    try:
        return int(run_gui(AppContext(db), sys.argv))
    finally:
        if lock is not None:
            lock.release()
        db.dispose()


def _daily_backup(db: Database) -> None:
    """The automatic backup on start (at most one a day). A failure must not keep the window shut."""
    from .services.safety import backup

    try:
        made = backup.auto_backup(db)
    except Exception:
        log.exception("automatic backup on start failed")
        return
    if made is not None:
        log.info("daily backup: %s", made)


def _unit_id(s: Session) -> int:
    from .services.units import current_unit_id

    unit_id = current_unit_id(s)
    if unit_id is None:
        raise ServiceError("数据库中还没有本村(社区)信息：请先打开窗口完成首次设置，或运行 villagedesk demo。")
    return unit_id


def cmd_export(args: argparse.Namespace) -> int:
    from .services.ledgers import export as ledgers

    db = _open(args)
    try:
        with db.session() as s:
            kinds = list(dict.fromkeys(args.kinds))
            result = ledgers.export_ledgers(s, _unit_id(s), kinds, Path(args.output), year=args.year)
        print(f"已导出 {'、'.join(result.sheets)}（共 {result.rows} 行）到 {result.path}")
        return EXIT_OK
    finally:
        db.dispose()


def cmd_notice(args: argparse.Namespace) -> int:
    from .services.notices import archive as notices
    from .services.notices import periods, verify

    db = _open(args)
    try:
        with db.session() as s:
            if args.notice_kind == "verify":
                result = verify.verify_pdf(s, Path(args.file))
                print(result.message)
                if result.notice is not None and result.ok:
                    n = result.notice
                    print(f"公示期：{n.period_start} 至 {n.period_end}（{n.status}），异议 {n.objections} 条")
                return EXIT_OK if result.ok else EXIT_DATA
            if args.notice_kind in cli_affairs.NOTICE_COMMANDS:  # 村务: a topic, a decision, a sheet
                info = cli_affairs.publish(s, _unit_id(s), args)
            else:
                info = notices.publish_notice(
                    s, _unit_id(s), args.notice_kind, Path(args.output), paper=args.paper, start=args.start,
                    year=args.year, **periods.asked(args.days, args.workdays),
                )
        print(f"已生成公示 {info.number}《{info.title}》：{info.path}（{info.pages} 页，{info.rows} 条）")
        print(f"{info.period_text}；校验码 {info.content_code}")
        return EXIT_OK
    finally:
        db.dispose()


def cmd_import(args: argparse.Namespace) -> int:
    from .io.excel_import import read_table
    from .services.imports import flow as imports

    table = read_table(Path(args.file), args.sheet)
    options = imports.ImportOptions(
        on_existing="update" if args.update else "skip", skip_errors=args.skip_errors,
        create_missing=args.create_missing,
    )
    db = _open(args)
    try:
        with db.session() as s:
            unit_id = _unit_id(s)
            layout = imports.detect_layout(s, unit_id, args.kind, table)
            report = imports.check_import(s, unit_id, args.kind, table, layout, options)
        mapped = "、".join(f"{layout.headers[c]}→{imports.field_label(args.kind, f)}" for c, f in layout.mapping.items())
        print(f"{table.file_name}（{table.sheet_name}）第 {layout.header_row + 1} 行是表头：{mapped}")
        for line in report.lines():
            print(line)
        print(report.summary())
        if args.dry_run:
            print("试运行：没有写入任何数据。")
            return EXIT_DATA if report.has_problems else EXIT_OK
        if not report.can_write:
            print("没有导入任何数据。" + ("请改正以上问题后重新导入，或加 --skip-errors 只导入无误的行。"
                                          if report.has_problems else ""))
            return EXIT_DATA if report.has_problems else EXIT_OK
        result = imports.import_with_backup(db, unit_id, args.kind, table, layout, options)
        print(f"{result.summary()}（导入批次 {result.batch_id}，可整批撤销）")
        if result.backup:
            print(f"导入前的数据已备份到 {result.backup}")
        return EXIT_DATA if result.report.has_problems else EXIT_OK
    finally:
        db.dispose()


def _add_cards_command(sub: argparse._SubParsersAction[ChineseParser]) -> None:
    cards = sub.add_parser("cards", help="制作便民服务卡（PDF，每张 A4 八张卡，带裁切线）",
                           description="便民服务卡 / 一卡通：网格名称、网格长和网格员的姓名电话、村委会电话、二维码。")
    cards.add_argument("-o", "--output", metavar="OUT.pdf", required=True, help="输出的 PDF 文件")
    cards.add_argument("--grid", metavar="CODE", help="只做这个网格（或微网格）的卡，如 G01")
    cards.add_argument("--per", choices=("household", "grid"), default="household",
                       help="household 每户一张（默认），grid 每个网格一张")
    cards.add_argument("--no-qr", action="store_true", help="不印二维码")


def cmd_cards(args: argparse.Namespace) -> int:
    from .services.grid import cards as grid_cards

    db = _open(args)
    try:
        with db.session() as s:
            result = grid_cards.export_cards(s, _unit_id(s), Path(args.output), per=args.per, grid_code=args.grid,
                                             qr=not args.no_qr)
        print(f"已生成便民服务卡 {result.cards} 张（{result.pages} 页）：{result.path}")
        return EXIT_OK
    finally:
        db.dispose()


def _add_tickets_command(sub: argparse._SubParsersAction[ChineseParser]) -> None:
    tickets = sub.add_parser("tickets", help="工单统计：办结率、满意率、按期办结率")
    what = tickets.add_subparsers(dest="tickets_command", parser_class=ChineseParser, title="工单命令", required=True)
    stats = what.add_parser("stats", help="统计一段时间内受理的工单（按受理日期）")
    stats.add_argument("--from", dest="start", type=_iso_date, metavar="YYYY-MM-DD", required=True, help="开始日期")
    stats.add_argument("--to", dest="end", type=_iso_date, metavar="YYYY-MM-DD", required=True, help="结束日期（含）")
    stats.add_argument("--by", choices=("category", "channel", "grid", "assignee", "month", "mode"),
                       help="再按类别/渠道/网格/办理人/月份/办理方式分组列出")
    monthly = what.add_parser("monthly", help="月度通报：某月受理工单的办理情况和各类别办结率、满意率")
    monthly.add_argument("--year", type=int, required=True, metavar="YYYY", help="年份")
    monthly.add_argument("--month", type=int, required=True, choices=range(1, 13), metavar="M", help="月份（1-12）")


def cmd_tickets(args: argparse.Namespace) -> int:
    from .services.tickets import stats as ticket_stats

    db = _open(args)
    try:
        with db.session() as s:
            unit_id = _unit_id(s)
            if args.tickets_command == "monthly":
                for line in ticket_stats.monthly_report(s, unit_id, args.year, args.month):
                    print(line)
                return EXIT_OK
            total = ticket_stats.summary(s, unit_id, args.start, args.end)
            groups = ticket_stats.ticket_stats(s, unit_id, args.start, args.end, args.by) if args.by else []
        print(f"{args.start} 至 {args.end} 受理的工单：")
        for line in ticket_stats.summary_lines(total):
            print(line)
        if groups:
            print(f"按{ticket_stats.GROUPINGS[args.by]}：")
            for g in groups:
                print(f"  {g.label}：受理 {g.total} 件，办结 {g.closed} 件，办结率 {g.closure.text}，"
                      f"满意率 {g.satisfaction.text}，按期办结率 {g.on_time_rate.text}")
        return EXIT_OK
    finally:
        db.dispose()


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "cards": cmd_cards,
    "tickets": cmd_tickets,
    "import": cmd_import,
    "gui": cmd_gui,
    "init": cmd_init,
    "demo": cmd_demo,
    "backup": cmd_backup,
    "restore": cmd_restore,
    "check": cmd_check,
    "export": cmd_export,
    "notice": cmd_notice,
    **AUTH_COMMANDS,
    **cli_partywork.COMMANDS,
    **cli_township.COMMANDS,
}


GLOBAL_OPTIONS = ("--db", "--db-url", "--operator", "--unit")


def hoist_global_options(argv: Sequence[str]) -> list[str]:
    """`villagedesk demo --db X` means `villagedesk --db X demo`: users put --db anywhere."""
    front: list[str] = []
    rest: list[str] = []
    items = list(argv)
    i = 0
    while i < len(items):
        arg = items[i]
        if arg in GLOBAL_OPTIONS and i + 1 < len(items):
            front += items[i : i + 2]
            i += 2
            continue
        if arg.split("=", 1)[0] in GLOBAL_OPTIONS and "=" in arg:
            front.append(arg)
        else:
            rest.append(arg)
        i += 1
    return front + rest


def main(argv: Sequence[str] | None = None) -> int:
    from .logs import setup_logging

    args = build_parser().parse_args(hoist_global_options(sys.argv[1:] if argv is None else argv))
    log_path = setup_logging()
    # how this process is named to a restore that finds it using the database
    db_users.set_label("窗口" if args.command in (None, "gui") else f"命令行 {args.command}")
    try:
        # *.part files and temp folders (maybe a plain copy) a killed run left (cheap: a few globs)
        clean_leftovers(sqlite_path(resolve_url(args.db, args.db_url)))
        # the signed-in operator (audit.current_operator_id) lasts for this command only
        return contextvars.copy_context().run(COMMANDS[args.command or "gui"], args)
    except ServiceError as exc:
        print(str(exc), file=sys.stderr)
        # 2: sign-in needed and nobody to ask; 3: sign-in refused or not allowed; 1: anything else
        return EXIT_USAGE if isinstance(exc, SignInNeeded) else EXIT_DENIED if isinstance(exc, PermissionDenied) else EXIT_DATA
    except Exception as exc:  # never a traceback in front of a user: log it, say what happened or where
        # disk full, database locked, read-only, newer schema; the database server down or refusing the login
        message = explain(exc) or open_failure(resolve_url(args.db, args.db_url), exc)
        log.exception("command %s failed%s", args.command, f" ({message})" if message else "")
        print(message or f"程序出错，未完成操作。详细信息已写入日志：{log_path}", file=sys.stderr)
        return EXIT_DATA


if __name__ == "__main__":
    sys.exit(main())
