"""The township commands of `villagedesk`: `township …` (the 镇's side) and `package …` (a village's 上报).

cli.py calls register(sub) while it builds the parser and takes COMMANDS into its own table. `township`
has sub-commands of its own; each area adds its parsers in its own block and its function to
TOWNSHIP_COMMANDS.

    township init --name 阳曲镇 [--kind 镇] [--county 县]     the township unit of this database
    township keys --village 村名 [--district 片区] -o DIR     issue a village its key pair
    township keys --list | township revoke KEYID             the keys issued; revoke one
    township packages                                        the packages received
    package key [FILE]                                        install the village's key (no FILE: show it)
    package export -o FILE [--as-of DATE]                     write the signed 上报数据包
    package import FILE…                                      verify and merge (each file on its own)
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

Command = Callable[[argparse.Namespace], int]


def _township_id(s: Session) -> int:
    from .services.errors import ServiceError
    from .services.units import township_id

    found = township_id(s)
    if found is None:
        raise ServiceError("数据库中还没有乡镇(街道)：请先运行 villagedesk township init --name 镇名 建立本镇。")
    return found


# ---------------------------------------------------------------- keys and packages (issue 23, 上报)


def cmd_township_init(args: argparse.Namespace) -> int:
    from .cli import EXIT_OK, _open
    from .services.township import keys

    db = _open(args)
    try:
        with db.session() as s:
            keys.create_township(s, args.name, kind=args.kind, county=args.county)
        print(f"已建立{args.kind}：{args.name.strip()}。下一步：villagedesk township keys --village 村名 -o 文件夹 为各村签发上报密钥。")
        return EXIT_OK
    finally:
        db.dispose()


def cmd_township_keys(args: argparse.Namespace) -> int:
    from .cli import EXIT_OK, EXIT_USAGE, _open
    from .services.township import keys

    if not args.list and not (args.village and args.output):
        print("用法错误：签发密钥需要 --village 村名 和 -o 文件夹；列出已签发的密钥用 --list。", file=sys.stderr)
        return EXIT_USAGE
    db = _open(args)
    try:
        with db.session() as s:
            tid = _township_id(s)
            if args.list:
                rows = keys.list_keys(s, tid)
                for r in rows:
                    where = f"（{r.district}）" if r.district else ""
                    print(f"{r.village}{where}  编号 {r.key_id}  {r.issued_on.isoformat()} 签发  {r.status}")
                print(f"共 {len(rows)} 个密钥。" if rows else "还没有为任何村签发上报密钥。")
                return EXIT_OK
            issued = keys.issue_keys(s, tid, args.village, Path(args.output), district=args.district,
                                     replace=args.replace)
        print(f"已为{issued.village}签发上报密钥（编号 {issued.key_id}）：")
        print(f"  私钥文件 {issued.private_path}（交给该村安装：villagedesk package key 文件；请妥善保管，勿外传）")
        print(f"  公钥文件 {issued.public_path}（本镇留存）")
        return EXIT_OK
    finally:
        db.dispose()


def cmd_township_revoke(args: argparse.Namespace) -> int:
    from .cli import EXIT_OK, _open
    from .services.township import keys

    db = _open(args)
    try:
        with db.session() as s:
            row = keys.revoke_key(s, _township_id(s), args.key_id, note=args.note)
        print(f"{row.village}的上报密钥（编号 {row.key_id}）{row.status}；用它签名的数据包不再接收。")
        return EXIT_OK
    finally:
        db.dispose()


def cmd_township_packages(args: argparse.Namespace) -> int:
    from .cli import EXIT_OK, _open
    from .services.township import packages

    db = _open(args)
    try:
        with db.session() as s:
            rows = packages.list_snapshots(s, _township_id(s))
        for r in rows:
            mark = "（当前）" if r.is_current else ""
            print(f"{r.village}  数据截至 {r.as_of.isoformat()}{mark}  {r.rows} 行  "
                  f"导入于 {r.imported_at:%Y-%m-%d %H:%M}  密钥 {r.key_id}")
        print(f"共 {len(rows)} 个数据包。" if rows else "还没有导入任何上报数据包。")
        return EXIT_OK
    finally:
        db.dispose()


def cmd_package(args: argparse.Namespace) -> int:
    from .cli import EXIT_OK, _open, _unit_id
    from .services.township import keys, packages

    if args.package_command == "import":
        return _import_packages(args)
    db = _open(args)
    try:
        with db.session() as s:
            unit_id = _unit_id(s)
            if args.package_command == "key":
                if args.file is None:
                    key = keys.installed_key(s, unit_id)
                    print(f"已安装上报密钥：{key.text}。" if key else "本村还没有安装上报密钥。")
                    return EXIT_OK
                key_id = keys.install_key(s, unit_id, Path(args.file))
                print(f"已安装上报密钥（编号 {key_id}）。之后用 villagedesk package export -o 文件 导出上报数据包。")
                return EXIT_OK
            info = packages.export_package(s, unit_id, Path(args.output), as_of=args.as_of)
        print(f"已导出上报数据包 {info.path}：{info.village}，数据截至 {info.as_of.isoformat()}，"
              f"{info.rows} 行，{info.size // 1024 + 1} KB，签名密钥 {info.key_id}")
        return EXIT_OK
    finally:
        db.dispose()


def _import_packages(args: argparse.Namespace) -> int:
    """Each file in its own transaction: one refused file does not keep the others out."""
    from .cli import EXIT_DATA, EXIT_OK, _open
    from .services.errors import ServiceError
    from .services.township import packages

    db = _open(args)
    refused = 0
    try:
        for name in args.files:
            try:
                with db.session() as s:
                    outcome = packages.import_package(s, Path(name))
                print(outcome.message)
            except ServiceError as exc:
                refused += 1
                print(f"{Path(name).name}：未导入——{exc}", file=sys.stderr)
        total = len(args.files)
        print(f"共 {total} 个数据包：{total - refused} 个已处理，{refused} 个未导入。")
        return EXIT_DATA if refused else EXIT_OK
    finally:
        db.dispose()


# ---------------------------------------------------------------- figures and ledgers (issue 23, 镇级汇总)


def cmd_township_stats(args: argparse.Namespace) -> int:
    """`township stats [--year Y]`: each village's figures under its 片区, the 片区 小计 and the 合计."""
    from .cli import EXIT_OK, _open
    from .services.township import figures

    db = _open(args)
    try:
        with db.session() as s:
            found = figures.township_figures(s, _township_id(s), year=args.year)
        print("\n".join(figures.township_stats_lines(found)))
        return EXIT_OK
    finally:
        db.dispose()


def cmd_township_export(args: argparse.Namespace) -> int:
    """`township export KIND… -o FILE.xlsx [--year Y]`: the villages' ledgers stacked, one sheet a kind."""
    from .cli import EXIT_OK, _open
    from .services.township import township_ledgers

    db = _open(args)
    try:
        with db.session() as s:
            result = township_ledgers.export_township_ledgers(s, _township_id(s), args.kinds, Path(args.output),
                                                              year=args.year)
        print(f"已导出镇级台账 {result.path}：{'、'.join(result.sheets)}，共 {result.rows} 行（另有各村小计和合计）。"
              "内含完整身份证号和电话，请妥善保管。")
        return EXIT_OK
    finally:
        db.dispose()


def _add_figure_commands(what: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from .services.output_kinds import LEDGER_KINDS, TOWNSHIP_LEDGER_KINDS

    stats = what.add_parser("stats", help="各村及全镇汇总数字（户、党员、星级文明户、积分评定、工单、公示、数据包）")
    stats.add_argument("--year", type=int, metavar="Y", help="年度（默认今年）")
    kinds = {k: LEDGER_KINDS[k] for k in TOWNSHIP_LEDGER_KINDS}
    export = what.add_parser("export", help="导出镇级台账：各村台账汇成一张表（村(社区)列、各村小计、合计）",
                             description="可汇总的台账：" + "，".join(f"{k} {v}" for k, v in kinds.items())
                                         + "。给出多种时写入同一个工作簿（每种一个工作表）。")
    export.add_argument("kinds", nargs="+", choices=list(kinds), metavar="KIND", help="台账种类：" + " | ".join(kinds))
    export.add_argument("-o", "--output", metavar="OUT.xlsx", required=True, help="输出的 Excel 文件")
    export.add_argument("--year", type=int, metavar="Y", help="年度（默认今年）")


def _add_key_commands(what: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from .models.unit import TOWNSHIP_KINDS

    init = what.add_parser("init", help="在本数据库中建立乡镇(街道)（镇级汇总用）")
    init.add_argument("--name", required=True, metavar="镇名", help="乡镇(街道)名称，如 阳曲镇")
    init.add_argument("--kind", choices=TOWNSHIP_KINDS, default="镇", help="镇、乡 或 街道（默认 镇）")
    init.add_argument("--county", default="", metavar="县/区", help="所属县(区)")
    keys = what.add_parser("keys", help="为村签发上报密钥，或列出已签发的密钥",
                           description="为村签发 Ed25519 上报密钥：私钥文件（.vdkey）交给该村安装，公钥由本镇登记留存。"
                                       "村尚未建立时一并建立（类型 村）。")
    keys.add_argument("--village", metavar="村名", help="村(社区)名称")
    keys.add_argument("--district", default="", metavar="片区", help="所属片区（片区党委），如 第一片区")
    keys.add_argument("-o", "--output", metavar="DIR", help="写入密钥文件的文件夹")
    keys.add_argument("--replace", action="store_true", help="该村已有密钥时重新签发（旧密钥作废）")
    keys.add_argument("--list", action="store_true", help="列出本镇已签发的密钥")
    revoke = what.add_parser("revoke", help="作废一个村的上报密钥")
    revoke.add_argument("key_id", metavar="KEYID", help="密钥编号（township keys --list 中列出）")
    revoke.add_argument("--note", default="", metavar="原因", help="作废原因")
    what.add_parser("packages", help="列出已导入的上报数据包")


def _add_package_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from .cli import ChineseParser, _iso_date

    package = sub.add_parser("package", help="上报数据包：安装密钥、导出（村）、导入（镇）")
    what = package.add_subparsers(dest="package_command", parser_class=ChineseParser, title="上报命令", required=True)
    key = what.add_parser("key", help="安装镇里签发的本村上报密钥（不给文件时显示已安装的密钥）")
    key.add_argument("file", nargs="?", metavar="FILE.vdkey", help="密钥文件")
    export = what.add_parser("export", help="导出本村的上报数据包（用本村密钥签名）")
    export.add_argument("-o", "--output", required=True, metavar="FILE.vdpkg", help="输出文件，如 东坟村-2026-12.vdpkg")
    export.add_argument("--as-of", type=_iso_date, metavar="YYYY-MM-DD", help="数据截至日期（默认今天）")
    imp = what.add_parser("import", help="导入各村的上报数据包（镇级数据库）",
                          description="逐个核验签名、数据校验值和版本后按村替换该村的数据；同一数据包导入两次不会重复。")
    imp.add_argument("files", nargs="+", metavar="FILE", help="一个或多个 .vdpkg 文件")


TOWNSHIP_COMMANDS: dict[str, Command] = {
    "init": cmd_township_init,
    "keys": cmd_township_keys,
    "revoke": cmd_township_revoke,
    "packages": cmd_township_packages,
    "stats": cmd_township_stats,
    "export": cmd_township_export,
}


def cmd_township(args: argparse.Namespace) -> int:
    return TOWNSHIP_COMMANDS[args.township_command](args)


COMMANDS: dict[str, Command] = {"township": cmd_township, "package": cmd_package}


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `township …` and `package …` to `villagedesk`'s sub-command parser."""
    from .cli import ChineseParser

    township = sub.add_parser("township", help="镇级：建立本镇、签发密钥、汇总")
    what = township.add_subparsers(dest="township_command", parser_class=ChineseParser, title="镇级命令", required=True)
    _add_key_commands(what)
    _add_figure_commands(what)
    _add_package_commands(sub)
