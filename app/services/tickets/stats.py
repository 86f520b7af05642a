"""工单 rates, exactly as DESIGN §3, for any period and per category / channel / grid / handler / month.

    办结率     = 办结 / (受理 − 撤销)
    满意率     = (满意 + 基本满意) / 已评价
    按期办结率 = 办结且答复（现场解决: 办结）不晚于期限 / 办结
    平均办理时长 = 受理 → 答复（现场解决: 办结）的平均时长, over the closed tickets, shown in 天 (one decimal)

The period is the 受理日期 (a ticket belongs to the month it came in). Every figure is one SQL
aggregate with GROUP BY, so a year of 100,000 tickets is counted by the database, not in Python.
Percentages are rounded half-up to one decimal, as the reports print them (256/259 → 98.8%).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal, select
from sqlalchemy.orm import Session

from app.models import Grid, Ticket, TicketAssignee, TicketCategory

from .. import access
from ..errors import ServiceError
from .queries import overdue_condition
from .workflow import OPEN_STATES, SATISFIED, now

GROUPINGS = {"category": "诉求类别", "channel": "受理渠道", "grid": "网格", "assignee": "办理人", "month": "月份",
             "mode": "办理方式"}
NO_GROUP = {"grid": "（未分网格）", "assignee": "（未派单）", "mode": "（未办理）"}


@dataclass(frozen=True)
class Rate:
    num: int
    den: int

    @property
    def percent(self) -> Decimal | None:
        if not self.den:
            return None
        return (Decimal(self.num) * 100 / Decimal(self.den)).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def text(self) -> str:
        p = self.percent
        return "—" if p is None else f"{p}%"


@dataclass(frozen=True)
class TicketStats:
    label: str  # the group (a category name, 2026-03 …); "合计" for the whole period
    total: int  # 受理
    cancelled: int
    closed: int
    open: int
    overdue: int  # open and past the due time now
    rated: int
    satisfied: int  # 满意 + 基本满意
    on_time: int
    avg_hours: float | None

    @property
    def counted(self) -> int:
        return self.total - self.cancelled

    @property
    def closure(self) -> Rate:
        return Rate(self.closed, self.counted)

    @property
    def satisfaction(self) -> Rate:
        return Rate(self.satisfied, self.rated)

    @property
    def on_time_rate(self) -> Rate:
        return Rate(self.on_time, self.closed)

    @property
    def avg_days(self) -> Decimal | None:
        """平均办理时长 in days, one decimal (half-up): one unit in every table, the ledgers' 「（天）」 columns."""
        if self.avg_hours is None:
            return None
        return (Decimal(repr(self.avg_hours)) / 24).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def avg_text(self) -> str:
        return "—" if self.avg_days is None else f"{self.avg_days} 天"


def _hours(s: Session, later: Any, earlier: Any) -> ColumnElement[Any]:
    if s.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", later - earlier) / 3600.0
    return (func.julianday(later) - func.julianday(earlier)) * 24.0


def _month(s: Session, col: Any) -> ColumnElement[Any]:
    if s.get_bind().dialect.name == "postgresql":
        return func.to_char(col, "YYYY-MM")
    return func.strftime("%Y-%m", col)


def _group_col(s: Session, by: str | None) -> tuple[ColumnElement[Any], list[Any]]:
    """The GROUP BY expression and the joins it needs."""
    if by is None:
        return literal("合计"), []
    if by == "category":
        return TicketCategory.name, [TicketCategory]
    if by == "channel":
        return Ticket.channel, []
    if by == "mode":
        return Ticket.mode, []
    if by == "month":
        return _month(s, Ticket.received_at), []
    if by == "grid":
        # micro-grids count for their grid: group by the top-level grid's id, named afterwards
        return func.coalesce(Grid.parent_id, Grid.id), [Grid]
    if by == "assignee":
        return TicketAssignee.name, [TicketAssignee]
    raise ServiceError(f"不能按“{by}”统计（可选：{'、'.join(GROUPINGS.values())}）")


def _period(start: date | None, end: date | None) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if start is not None:
        where.append(Ticket.received_at >= datetime.combine(start, time.min))
    if end is not None:
        where.append(Ticket.received_at < datetime.combine(end + timedelta(days=1), time.min))
    return where


def ticket_stats(s: Session, unit_id: int, start: date | None = None, end: date | None = None,
                 by: str | None = None, at: datetime | None = None) -> list[TicketStats]:
    """Counts and rates of the tickets received from start to end (inclusive), one row per group.

    by: None (one row 合计), category, channel, grid, assignee, month or mode. A ticket with two handlers
    counts for each of them in the assignee view.
    """
    if start is not None and end is not None and end < start:
        raise ServiceError(f"统计期间有误：结束日期 {end} 早于开始日期 {start}")
    at = at or now()
    group, joins = _group_col(s, by)
    done = func.coalesce(Ticket.replied_at, Ticket.closed_at)
    closed = Ticket.state == "closed"
    one = lambda cond: func.sum(case((cond, 1), else_=0))  # noqa: E731
    stmt = select(
        group.label("g"), func.count(Ticket.id), one(Ticket.state == "cancelled"), one(closed),
        one(Ticket.state.in_(OPEN_STATES)), one(overdue_condition(at)),
        one(Ticket.satisfaction.isnot(None) & (Ticket.state != "cancelled")),
        one(Ticket.satisfaction.in_(SATISFIED) & (Ticket.state != "cancelled")),
        one(closed & (Ticket.due_at.is_(None) | (done <= Ticket.due_at))),
        func.avg(case((closed, _hours(s, done, Ticket.received_at)))),
    ).select_from(Ticket).where(Ticket.unit_id == unit_id, *_period(start, end))
    for model in joins:
        if model is TicketCategory:
            stmt = stmt.join(TicketCategory, TicketCategory.id == Ticket.category_id)
        elif model is Grid:
            stmt = stmt.outerjoin(Grid, Grid.id == Ticket.grid_id)
        elif model is TicketAssignee:
            stmt = stmt.outerjoin(TicketAssignee, (TicketAssignee.ticket_id == Ticket.id)
                                  & TicketAssignee.released_at.is_(None))
    scope = access.grid_scope(s)
    if scope is not None:
        stmt = stmt.where(Ticket.grid_id.in_(scope or {-1}))
    stmt = stmt.group_by(group)
    if by == "category":
        stmt = stmt.group_by(TicketCategory.sort_order).order_by(TicketCategory.sort_order)
    elif by in ("month", "channel", "mode", "grid"):
        stmt = stmt.order_by(group)
    else:
        stmt = stmt.order_by(func.count(Ticket.id).desc(), group)
    rows = s.execute(stmt).all()
    names = _grid_names(s, unit_id) if by == "grid" else {}
    out = []
    for r in rows:
        label = names.get(r[0], "") if by == "grid" else r[0]
        out.append(TicketStats(str(label or NO_GROUP.get(by or "", "")), *(int(v or 0) for v in r[1:9]),
                               float(r[9]) if r[9] is not None else None))
    if by is None and not out:
        out = [TicketStats("合计", 0, 0, 0, 0, 0, 0, 0, 0, None)]
    return out


def _grid_names(s: Session, unit_id: int) -> dict[int, str]:
    return dict(s.execute(select(Grid.id, Grid.name).where(Grid.unit_id == unit_id)).all())


def summary(s: Session, unit_id: int, start: date | None = None, end: date | None = None,
            at: datetime | None = None) -> TicketStats:
    return ticket_stats(s, unit_id, start, end, None, at)[0]


def summary_lines(st: TicketStats) -> list[str]:
    """The figures in Chinese, as a 述职 report or the command line prints them."""
    return [
        f"受理工单 {st.total} 件，办结 {st.closed} 件，办理中 {st.open} 件（逾期 {st.overdue} 件），撤销 {st.cancelled} 件",
        f"办结率 {st.closure.text}（{st.closed}/{st.counted}）",
        f"满意率 {st.satisfaction.text}（满意和基本满意 {st.satisfied}/已回访评价 {st.rated}）",
        f"按期办结率 {st.on_time_rate.text}（按期 {st.on_time}/办结 {st.closed}）",
        f"平均办理时长 {st.avg_text}",
    ]


def month_range(year: int, month: int) -> tuple[date, date]:
    first = date(year, month, 1)
    last = (date(year + (month == 12), month % 12 + 1, 1)) - timedelta(days=1)
    return first, last


def monthly_report(s: Session, unit_id: int, year: int, month: int, at: datetime | None = None) -> list[str]:
    """述职 / 月度通报: the month's counts and rates, then each category in one line."""
    start, end = month_range(year, month)
    st = summary(s, unit_id, start, end, at)
    lines = [f"{year}年{month}月工单办理情况", *summary_lines(st)]
    for c in ticket_stats(s, unit_id, start, end, "category", at):
        lines.append(f"　{c.label}：受理 {c.total} 件，办结 {c.closed} 件，办结率 {c.closure.text}，满意率 {c.satisfaction.text}")
    return lines
