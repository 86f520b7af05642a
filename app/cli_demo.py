"""`villagedesk demo`: its options, building the demo village (or the county-scale set) once cmd_demo has
decided it may, and the seed township (`demo --township DIR`: 13 village packages and the township database)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .db import Database


def add_parser(sub: Any) -> None:
    """The `demo` command's options (cli.py's parser calls this)."""
    demo = sub.add_parser("demo", help="用演示村填充数据库")
    demo.add_argument("--force", action="store_true", help="清空现有数据后重建演示村（先自动备份）")
    demo.add_argument("--yes", action="store_true", help="与 --force 同用：确认清空正式的村(社区)数据")
    demo.add_argument("--if-empty", action="store_true", help="仅当数据库为空时填充，否则什么也不做")
    demo.add_argument("--scale", choices=("village", "county"), default="village",
                      help="village：演示村（默认）；county：县级规模数据（15万居民，用于性能测试）")
    demo.add_argument("--township", metavar="DIR",
                      help="生成演示镇（阳曲镇13个村）：各村签名的上报数据包 DIR/村名.vdpkg 和镇级数据库 DIR/township.sqlite"
                           "（加 --db-url 时镇级数据库建在该服务器上）")


def build(db: Database, scale: str, force: bool) -> int:
    """Wipe (with force: the caller holds the database alone and backed it up) and build; print the summary."""
    from .demo import village as demo
    from .services.setup import founding

    with db.session() as s:
        if force:
            founding.wipe_database(s)
        if scale == "county":
            from .demo import county as demo_county

            summary = demo_county.build_county(s)
        else:
            summary = demo.build_demo(s)
    print("\n".join(summary.lines()))
    return 0


def build_township(args: argparse.Namespace) -> int:
    """`demo --township DIR`: the township database is DIR/township.sqlite unless --db/--db-url names one."""
    from .db import resolve_url
    from .demo import township

    url = args.db_url or (resolve_url(args.db) if args.db else None)
    summary = township.build_township(Path(args.township), url, force=args.force, confirm_real=args.yes)
    print("\n".join(summary.lines()))
    return 0
