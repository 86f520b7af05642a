"""台账 of the tickets area: 工单台账 (民生受理台账, the year's rates in its notes), 工单分类统计表 (rates by
category: export both kinds for one workbook), 代办服务台账, and the 月度统计表 (counts and rates by month,
for 述职).

Rows come from one streamed select (yield_per) with the same filters as the window (ticket_queries), the
current handlers looked up per chunk; the rates come from ticket_stats.
Like every township ledger the requester's phone is written in full (only 公示 are masked). Counts are
numbers and rates fractions shown 0.0 % (the 合计 row's computed over the total), 平均办理时长 in 天; the
工单台账's 录入人 is the operator of each ticket's 受理 event.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.io.ledgers import NO_OPERATOR, Ledger, LedgerColumn
from app.models import Operator, Ticket, TicketEvent

from .. import access
from . import stats as ticket_stats
from .queries import STREAM_BATCH, TicketQuery, TicketRow, count_tickets, stream_tickets
from .stats import TicketStats


def _year(year: int | None) -> int:
    return year or date.today().year


def _query(unit_id: int, year: int, daiban: bool = False) -> TicketQuery:
    return TicketQuery(unit_id, received_from=date(year, 1, 1), received_to=date(year, 12, 31), daiban=daiban,
                       order_by="number", descending=False)


AVG_HEADER = "平均办理时长（天）"


def _rate_columns(first: str) -> list[LedgerColumn]:
    """Counts as numbers (summed in the 合计 row), rates as fractions shown 0.0 % (the 合计 row's come from
    _total_values: computed over the total, never averaged)."""
    return [
        LedgerColumn(first, "label"), LedgerColumn("受理", "total", "count", total=True),
        LedgerColumn("撤销", "cancelled", "count", total=True), LedgerColumn("办结", "closed", "count", total=True),
        LedgerColumn("办理中", "open", "count", total=True),
        LedgerColumn("逾期未办结", "overdue", "count", total=True),
        LedgerColumn("办结率", "closure", "percent"), LedgerColumn("已评价", "rated", "count", total=True),
        LedgerColumn("满意及基本满意", "satisfied", "count", total=True),
        LedgerColumn("满意率", "satisfaction", "percent"), LedgerColumn("按期办结率", "on_time_rate", "percent"),
        LedgerColumn(AVG_HEADER, "avg_days", "decimal1"),
    ]


def _total_values(total: TicketStats) -> dict[str, object]:
    return {"办结率": total.closure, "满意率": total.satisfaction, "按期办结率": total.on_time_rate,
            AVG_HEADER: total.avg_days}


def _rates_note(total: TicketStats) -> str:
    return (f"全年合计：办结率 {total.closure.text}，满意率 {total.satisfaction.text}，按期办结率 {total.on_time_rate.text}，"
            f"平均办理时长 {total.avg_text}。办结率 = 办结 ÷（受理 − 撤销）；满意率 =（满意 + 基本满意）÷ 已评价；"
            "平均办理时长为受理至答复（现场解决的至办结）的平均天数。")


@dataclass(frozen=True)
class _LedgerTicketRow(TicketRow):
    registrar: str = ""  # 录入人: the operator who registered the ticket (its 受理 event)


def _registrars(s: Session, ticket_ids: Sequence[int]) -> dict[int, str]:
    stmt = (select(TicketEvent.ticket_id, Operator.display_name)
            .outerjoin(Operator, Operator.id == TicketEvent.operator_id)
            .where(TicketEvent.ticket_id.in_(ticket_ids), TicketEvent.kind == "received"))
    return {tid: name or NO_OPERATOR for tid, name in s.execute(stmt)}


def _with_registrars(s: Session, rows: Iterator[TicketRow]) -> Iterator[_LedgerTicketRow]:
    """The rows with their 录入人, looked up per chunk (one IN query per STREAM_BATCH tickets)."""
    while chunk := list(itertools.islice(rows, STREAM_BATCH)):
        names = _registrars(s, [r.id for r in chunk])
        for r in chunk:
            yield _LedgerTicketRow(**r.__dict__, registrar=names.get(r.id, NO_OPERATOR))


def _unrecorded(s: Session, q: TicketQuery) -> int:
    """How many of the ledger's tickets (q's year, the operator's grids) were received with nobody signed in."""
    received = select(TicketEvent.ticket_id).where(TicketEvent.kind == "received", TicketEvent.operator_id.is_(None))
    assert q.received_from is not None and q.received_to is not None
    stmt = select(func.count(Ticket.id)).where(
        Ticket.unit_id == q.unit_id, Ticket.id.in_(received),
        Ticket.received_at >= datetime.combine(q.received_from, time.min),
        Ticket.received_at < datetime.combine(q.received_to + timedelta(days=1), time.min))
    scope = access.grid_scope(s)
    if scope is not None:  # a 网格员's ledger counts their grids' tickets only, as its rows
        stmt = stmt.where(Ticket.grid_id.in_(scope or {-1}))
    return s.scalar(stmt) or 0


def tickets_ledger(s: Session, unit_id: int, year: int | None) -> Ledger:
    year = _year(year)
    q = _query(unit_id, year)
    columns = [
        LedgerColumn("工单编号", "number"), LedgerColumn("受理日期", "received_at", "date"),
        LedgerColumn("受理渠道", "channel"), LedgerColumn("诉求类别", "category"), LedgerColumn("代办事项", "service_item"),
        LedgerColumn("诉求人", "requester"), LedgerColumn("联系电话", "phone", "phone"), LedgerColumn("所属网格", "grid_name"),
        LedgerColumn("诉求内容", "content", width=30), LedgerColumn("办理期限", "due_at", "date"),
        LedgerColumn("办理人", "assignees"), LedgerColumn("办理方式", "mode"), LedgerColumn("办理状态", "state_label"),
        LedgerColumn("办结日期", "closed_at", "date"), LedgerColumn("回访评价", "satisfaction"),
        LedgerColumn("是否逾期", lambda r: "逾期" if r.overdue else ""), LedgerColumn("录入人", "registrar"),
    ]
    total = ticket_stats.summary(s, unit_id, date(year, 1, 1), date(year, 12, 31))
    notes = [_rates_note(total), "分类的办结率、满意率见《工单分类统计表》。"]
    unrecorded = _unrecorded(s, q)
    if unrecorded:
        notes.append(f"录入人为“{NO_OPERATOR}”的 {unrecorded} 件工单受理时没有操作员登录（未启用登录或演示数据），无从记录录入人。")
    return Ledger("工单台账（民生受理台账）", columns, _with_registrars(s, stream_tickets(s, q)), year=year,
                  count=count_tickets(s, q), count_unit="件", sheet_name="工单台账", notes=tuple(notes))


def rates_ledger(s: Session, unit_id: int, year: int | None) -> Ledger:
    """The summary sheet of the 工单台账: rates by category (one kind per sheet, like every ledger)."""
    year = _year(year)
    by_category = ticket_stats.ticket_stats(s, unit_id, date(year, 1, 1), date(year, 12, 31), "category")
    total = ticket_stats.summary(s, unit_id, date(year, 1, 1), date(year, 12, 31))
    return Ledger("工单分类统计表", _rate_columns("诉求类别"), by_category, year=year, sheet_name="分类统计",
                  numbered=False, notes=(_rates_note(total),), total_values=_total_values(total))


def services_ledger(s: Session, unit_id: int, year: int | None) -> Ledger:
    year = _year(year)
    q = _query(unit_id, year, daiban=True)
    columns = [
        LedgerColumn("工单编号", "number"), LedgerColumn("委托日期", "received_at", "date"),
        LedgerColumn("代办事项", lambda r: r.service_item or r.category), LedgerColumn("委托人", "requester"),
        LedgerColumn("联系电话", "phone", "phone"), LedgerColumn("所属网格", "grid_name"),
        LedgerColumn("代办内容", "content", width=30), LedgerColumn("代办员", "assignees"),
        LedgerColumn("办理状态", "state_label"), LedgerColumn("办结日期", "closed_at", "date"),
        LedgerColumn("回访评价", "satisfaction"),
    ]
    return Ledger("党员代办服务台账", columns, stream_tickets(s, q), year=year, count=count_tickets(s, q), count_unit="件",
                  notes=("注：流程为 委托 → 受理 → 代办 → 回复 → 上报 → 回访；办结的代办工单按积分规则计入代办员党员积分。",))


def monthly_ledger(s: Session, unit_id: int, year: int | None) -> Ledger:
    year = _year(year)
    months = ticket_stats.ticket_stats(s, unit_id, date(year, 1, 1), date(year, 12, 31), "month")
    total = ticket_stats.summary(s, unit_id, date(year, 1, 1), date(year, 12, 31))
    return Ledger("工单办理情况月度统计表", _rate_columns("月份"), months, year=year, numbered=False,
                  notes=(_rates_note(total),), total_values=_total_values(total))


BUILDERS = {"tickets": tickets_ledger, "ticket-rates": rates_ledger, "ticket-services": services_ledger,
            "ticket-monthly": monthly_ledger}
