"""The 村务 commands of `villagedesk`: the notices built from a topic, a decision or a clerk's sheet.

`notice topic --id 2026-01` prints the 公示 of a 环形互动 topic the 村民代表会 has passed; `notice
open-affairs --table 财务收支.xlsx --title …` prints a 村务公开 whose table is that sheet. cli.py gives
every kind in NOTICE_COMMANDS the usual -o/--paper/--start/--days/--workdays options, add_notice_options
adds each kind's own, and cmd_notice hands these kinds to publish(). Another kind (`notice decision`)
is one entry in NOTICE_COMMANDS, its options here and its branch in publish().
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from .services.notices.archive import NoticeInfo

NOTICE_COMMANDS: dict[str, str] = {
    "topic": "环形互动议题公示（--id 议题编号）",
    "open-affairs": "村务公开（--table 表格文件 --title 标题）",
    "decision": "四议两公开的决议公开（--id 事项编号；加 --result 为实施结果公开）",
}


def add_notice_options(kinds: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    topic = kinds.choices["topic"]
    topic.add_argument("--id", required=True, metavar="编号", help="议题编号（如 2026-01）")
    table = kinds.choices["open-affairs"]
    table.add_argument("--table", required=True, metavar="FILE.xlsx", help="要公开的表格（第一行为表头）")
    table.add_argument("--title", required=True, metavar="标题", help="公示标题，如“2026年第一季度财务收支情况”")
    table.add_argument("--body", default="", metavar="正文", help="公示正文（默认按标题生成）")
    decision = kinds.choices["decision"]
    decision.add_argument("--id", required=True, metavar="编号", help="事项编号（如 2026-01）")
    decision.add_argument("--result", action="store_true", help="发布实施结果公开（默认发布决议公开）")


def publish(s: Session, unit_id: int, args: argparse.Namespace) -> NoticeInfo:
    from .services.affairs import decisions, notice_topic, open_affairs, topics
    from .services.notices import periods

    period = periods.asked(args.days, args.workdays)
    out = Path(args.output)
    if args.notice_kind == "decision":
        decision_id = decisions.find_decision(s, unit_id, args.id)
        publish_decision = decisions.publish_result if args.result else decisions.publish_resolution
        return publish_decision(s, decision_id, out, paper=args.paper, start=args.start, **period)
    if args.notice_kind == "topic":
        topic_id = topics.find_topic(s, unit_id, args.id)
        return notice_topic.publish_topic(s, topic_id, out, paper=args.paper, start=args.start, **period)
    return open_affairs.publish_open_affairs(s, unit_id, Path(args.table), args.title, out, paper=args.paper,
                                             start=args.start, body=args.body, **period)
