"""The 党务 commands of `villagedesk` (党费, 组织关系介绍信 …).

cli.py calls register(sub) while it builds the parser and takes COMMANDS into its own table, so a 党务
command is one add_parser call in register() plus its function in COMMANDS, and cli.py stays small.
The 党务 ledgers (dues, transfers, mobile-members, appraisal, party-stats) go through the generic
`export KIND`, not through here.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable


def cmd_transfer_letter(args: argparse.Namespace) -> int:
    """`transfer-letter --member 身份证号 -o FILE.pdf [--to 党组织] [--days N]`.

    A member already 转出: the letter on file is printed again (same number; one entered before the
    letters were kept gets one now). A member still on the roster: with --to the 转出 is made today and the
    letter issued with it; without --to nothing is done and the message says so. Changing 去 or 有效期 of a
    letter issued is 作废 and 重开 in the window, never silently here.
    """
    from datetime import date
    from pathlib import Path

    from .cli import EXIT_OK, _open, _unit_id
    from .services.errors import ServiceError
    from .services.partywork import transfers

    db = _open(args)
    try:
        with db.session() as s:
            member_id = transfers.find_member_by_id_number(s, _unit_id(s), args.member)
            if transfers.is_departed(s, member_id):
                letter_id = transfers.letter_of_departed(s, member_id)
                row = transfers.get_letter(s, letter_id)
                if (args.to and args.to.strip() != row.to_org) or (args.days and args.days != row.valid_days):
                    raise ServiceError(f"{row.name} 已开具第 {row.letter_no} 号介绍信（去{row.to_org}，有效期 {row.valid_days} 天）。"
                                       "要改去向或有效期，请在窗口“党务 → 组织关系转接”中作废后重开。")
                issued = False
            elif not args.to:
                raise ServiceError("该党员还没有办理转出：请先在窗口中办理转出（同时开具介绍信），"
                                   "或加 --to 党组织 在此办理转出（日期为今天）并开具介绍信。")
            else:
                letter_id = transfers.transfer_out(s, member_id, transfers.OutInput(
                    args.to, date.today(), valid_days=args.days or transfers.DEFAULT_VALID_DAYS))
                row = transfers.get_letter(s, letter_id)
                issued = True
            path = transfers.print_letter(s, letter_id, Path(args.output))
        what = "已办理转出并开具" if issued else "已重新打印"
        print(f"{what}组织关系介绍信第 {row.letter_no} 号：{row.name}，由{row.from_org}去{row.to_org}（有效期 {row.valid_days} 天）")
        print(f"文件：{path}（内含完整身份证号，请妥善保管）")
        return EXIT_OK
    finally:
        db.dispose()


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {"transfer-letter": cmd_transfer_letter}


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the 党务 commands to `villagedesk`'s sub-command parser."""
    letter = sub.add_parser("transfer-letter", help="打印党员组织关系介绍信（PDF：存根、介绍信、回执）",
                            description="已转出的党员：重新打印存档的介绍信（编号不变）；"
                                        "未转出的党员：加 --to 时今天办理转出并开具介绍信，否则不做改动。")
    letter.add_argument("--member", required=True, metavar="身份证号", help="党员的身份证号")
    letter.add_argument("-o", "--output", required=True, metavar="FILE.pdf", help="输出的 PDF 文件")
    letter.add_argument("--to", default="", metavar="党组织", help="转往的党组织全称（办理转出时必填）")
    letter.add_argument("--days", type=int, default=0, metavar="N", help="有效期天数（默认 30 天）")
