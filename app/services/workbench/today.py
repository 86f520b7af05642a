"""今日待办: the lines of the 工作台, each a count and where its list is.

Every line is one COUNT query (two for the tickets, which share one pass), so the page stays quick on a
county database. The count and the list a line opens come from the same condition: the tickets' state
filter, the 党员 stage filter (org.members.DUE_FILTERS), the 公示 filter (notices.archive.notice_filter), the meetings without
attendance (points.meetings.unregistered), grid.coverage.count_uncovered … A line names the page
(objectName) and a filter key; the page's show_filter(key) lists exactly what the line counted.

Later areas (换届, 党费 …) add their lines by appending a builder to LINE_BUILDERS.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db import Database
from app.models import Meeting, Notice, Objection

from ..affairs.decisions import count_to_publish
from ..affairs.terms import due_terms
from ..affairs.topics import count_overdue
from ..grid.coverage import count_uncovered
from ..notices.archive import notice_filter
from ..org.members import DUE_FILTERS, MemberQuery, count_members
from ..partywork.development import SHORT_TRAINING, count_short_training
from ..partywork.dues import WARN_MONTHS, count_dues_warnings
from ..partywork.lost import count_lost_due
from ..partywork.transfers import count_overdue_receipts
from ..points.meetings import unregistered
from ..safety.backup import list_auto_backups
from ..tickets.queries import overdue_counts
from .schedule import behind_schedule

BACKUP_WARN_DAYS = 7  # an automatic backup older than this (or none) is a line to act on


@dataclass(frozen=True)
class TodoLine:
    key: str
    group: str  # 工单 / 公示 / 党员 / 三会一课 / 联系户 / 备份
    label: str  # what is counted, e.g. 已逾期的工单
    count: int
    unit: str  # 件 / 条 / 人 / 项 / 户 / 天
    page: str  # objectName of the page that lists them
    filter: str | None = None  # the key the page's show_filter takes (None: the page as it is)
    warn: bool = False  # needs doing even when count is 0 (e.g. never backed up)
    detail: str = ""  # the line's own text instead of 「label：count unit」 (the backup)
    hint: str = ""  # tooltip: what the count means

    @property
    def due(self) -> bool:
        """Something to do: the line is shown in full (else dimmed, 「无」)."""
        return self.count > 0 or self.warn

    @property
    def text(self) -> str:
        if self.detail:
            return self.detail
        return f"{self.label}：{self.count} {self.unit}" if self.count else f"{self.label}：无"


@dataclass(frozen=True)
class Today:
    on: date
    at: datetime


def _tickets(s: Session, unit_id: int, t: Today) -> list[TodoLine]:
    c = overdue_counts(s, unit_id, t.at)
    return [
        TodoLine("tickets_overdue", "工单", "已逾期的工单", c.overdue, "件", "page_tickets",
                 "overdue", hint="未办结且已过办理期限"),
        TodoLine("tickets_due_soon", "工单", "24小时内到期的工单", c.due_soon, "件", "page_tickets",
                 "due_soon", hint="未办结，办理期限在今后24小时内"),
    ]


def _notices(s: Session, unit_id: int, t: Today) -> list[TodoLine]:
    def count(state: str) -> int:
        return s.scalar(select(func.count(Notice.id)).where(Notice.unit_id == unit_id,
                                                            notice_filter(state, t.on))) or 0

    open_, with_objections = count("open"), count("objections")
    objections = s.scalar(select(func.count(Objection.id)).join(Notice, Notice.id == Objection.notice_id)
                          .where(Notice.unit_id == unit_id, Objection.resolved_on.is_(None))) or 0
    # counted in notices (the rows the line opens), the objections themselves named in the text
    detail = f"有未处理异议的公示：{with_objections} 份（异议 {objections} 条）" if with_objections else ""
    return [
        TodoLine("notices_open", "公示", "公示期内的公示", open_, "条", "page_notices", "open",
                 hint="今天在公示期内、未撤回的公示"),
        TodoLine("objections_open", "公示", "有未处理异议的公示", with_objections, "份", "page_notices", "objections",
                 detail=detail, hint="有已登记、尚未填写处理结果的异议的公示"),
    ]


def _members(s: Session, unit_id: int, t: Today) -> list[TodoLine]:
    hints = {"probation_due": "预备期一年，届满前应讨论转正（已届满未转正的也在内）",
             "activist_due": "入党积极分子培养考察满一年，可列为发展对象"}
    labels = {"probation_due": "预备期30天内届满的预备党员", "activist_due": "可列为发展对象的积极分子"}
    return [
        TodoLine(key, "党员", labels[key], count_members(s, MemberQuery(unit_id, stage=key, on=t.on)), "人",
                 "page_members", key, hint=hints[key])
        for key in DUE_FILTERS
    ]


def _meetings(s: Session, unit_id: int, t: Today) -> list[TodoLine]:
    open_ = s.scalar(select(func.count(Meeting.id)).where(Meeting.unit_id == unit_id, unregistered(t.at))) or 0
    behind = behind_schedule(s, unit_id, t.on)
    return [
        TodoLine("meetings_unregistered", "三会一课", "已召开未登记考勤的会议", open_, "次", "page_meetings",
                 "unregistered", hint="会议已召开，考勤尚未结束计分"),
        TodoLine("meetings_behind", "三会一课", "未按期召开的三会一课", len(behind), "项", "page_meetings", "behind",
                 hint="\n".join(b.text() for b in behind[:15]) + ("\n……" if len(behind) > 15 else "")
                 or "支委会、党小组会每月，党员大会、党课每季度"),
    ]


def _contacts(s: Session, unit_id: int, t: Today) -> list[TodoLine]:
    return [TodoLine("contacts_gap", "联系户", "没有联系党员的户", count_uncovered(s, unit_id, t.on), "户", "page_grid",
                     "contacts_gap", hint="在册户中，今天没有党员联系的户（点击打开网格页“联系户覆盖”中的名单）")]


LINE_BUILDERS: list[Callable[[Session, int, Today], list[TodoLine]]] = [_tickets, _notices, _members, _meetings,
                                                                        _contacts]


def _topics(s: Session, unit_id: int, t: Today) -> list[TodoLine]:
    return [TodoLine("topics_overdue", "村务", "落实逾期的环形互动议题", count_overdue(s, unit_id, t.on), "项",
                     "page_affairs", "topics_overdue", hint="已表决公开、落实时限已过但尚未完成的议题")]


LINE_BUILDERS.append(_topics)


def _terms(s: Session, unit_id: int, t: Today) -> list[TodoLine]:
    due = due_terms(s, unit_id, t.on)
    return [TodoLine("terms_due", "村务", "需准备换届的班子", len(due), "个", "page_affairs", "terms_due",
                     hint="\n".join(f"{x.body}{x.text}：{x.state}" for x in due)
                     or "届期结束前六个月起提醒换届；已届满而未登记新一届的也在内")]


LINE_BUILDERS.append(_terms)


def _decisions(s: Session, unit_id: int, t: Today) -> list[TodoLine]:
    return [TodoLine("decisions_to_publish", "村务", "待公开的村务决议", count_to_publish(s, unit_id), "项",
                     "page_affairs", "decisions_to_publish",
                     hint="四议两公开：已表决通过尚未决议公开的，或已登记实施结果尚未公开的事项")]


LINE_BUILDERS.append(_decisions)


def _development(s: Session, unit_id: int, t: Today) -> list[TodoLine]:
    # 预备期 and 积极分子满一年 are the 党员 lines above (org.members.DUE_FILTERS); this is the too-early step
    return [TodoLine(SHORT_TRAINING, "党员", "培养期不足一年即列为发展对象", count_short_training(s, unit_id, t.on), "人",
                     "page_partywork", SHORT_TRAINING,
                     hint="确定为积极分子不满一年即确定为发展对象的发展对象、预备党员（请核实日期）")]


LINE_BUILDERS.append(_development)


def _lost(s: Session, unit_id: int, t: Today) -> list[TodoLine]:
    return [TodoLine("lost_due", "党员", "失联满六个月未处理的党员", count_lost_due(s, unit_id, t.on), "人", "page_partywork",
                     "lost_due", hint="失去联系六个月以上、尚未处理的失联党员（可讨论停止党籍）")]


LINE_BUILDERS.append(_lost)


def _receipts(s: Session, unit_id: int, t: Today) -> list[TodoLine]:
    return [TodoLine("receipts_overdue", "党员", "逾期未回执的组织关系介绍信", count_overdue_receipts(s, unit_id, t.on), "封",
                     "page_partywork", "receipts_overdue",
                     hint="转出的组织关系介绍信超过有效期仍未收到回执：请与接收党组织联系核实")]


LINE_BUILDERS.append(_receipts)


def _dues(s: Session, unit_id: int, t: Today) -> list[TodoLine]:
    return [TodoLine("dues_arrears", "党员", f"连续{WARN_MONTHS}个月未交党费的党员", count_dues_warnings(s, unit_id, t.on),
                     "人", "page_partywork", "dues_arrears",
                     hint="党章第三十八条：连续六个月不交纳党费，没有正当理由的视为自行脱党，党支部应及时处置")]


LINE_BUILDERS.append(_dues)


def todo_lines(s: Session, unit_id: int, at: datetime | None = None) -> list[TodoLine]:
    """The data lines of the 工作台 (the backup line comes from backup_line: it reads files, not the database)."""
    at = at or datetime.now()
    t = Today(at.date(), at)
    lines = [line for build in LINE_BUILDERS for line in build(s, unit_id, t)]
    # lines added by later areas join their group (党员 …) instead of opening a second one below
    first = {group: i for i, group in reversed(list(enumerate(line.group for line in lines)))}
    return sorted(lines, key=lambda line: first[line.group])


def backup_line(db: Database, at: datetime | None = None) -> TodoLine:
    """How old the newest automatic backup is; a warning past BACKUP_WARN_DAYS or when there is none."""
    at = at or datetime.now()
    page = "page_settings"
    if db.path is None:
        return TodoLine("backup", "备份", "数据备份", 0, "天", page, detail="数据备份：数据库在服务器上，由服务器备份")
    backups = list_auto_backups(db)
    if not backups:
        return TodoLine("backup", "备份", "数据备份", 0, "天", page, warn=True,
                        detail="数据备份：还没有自动备份，请立即备份")
    newest = max(b.made_at for b in backups)
    days = max((at - newest).days, 0)
    when = "今天" if days == 0 else f"{days} 天前"
    warn = days > BACKUP_WARN_DAYS
    detail = f"数据备份：最近一次在{when}" + (f"，已超过{BACKUP_WARN_DAYS}天，请立即备份" if warn else "")
    return TodoLine("backup", "备份", "数据备份", days if warn else 0, "天", page, warn=warn, detail=detail,
                    hint=f"最近一次自动备份：{newest:%Y-%m-%d %H:%M}；超过 {BACKUP_WARN_DAYS} 天没有备份时提醒")
