"""台账 of the tickets area: 工单台账 (民生受理台账, the year's rates in its notes), 工单分类统计表 (rates by
category: export both kinds for one workbook), 代办服务台账, and the 月度统计表 (counts and rates by month,
for 述职).

Rows come from one streamed select (yield_per) with the same filters as the window (ticket_queries), the
current handlers looked up per chunk; the rates come from ticket_stats.
Like every township ledger the requester's phone is written in full (only 公示 are masked).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from app.io.ledgers import Ledger, LedgerColumn

from . import stats as ticket_stats
from .queries import TicketQuery, count_tickets, stream_tickets
from .stats import TicketStats


def _year(year: int | None) -> int:
    return year or date.today().year


def _query(unit_id: int, year: int, daiban: bool = False) -> TicketQuery:
    return TicketQuery(unit_id, received_from=date(year, 1, 1), received_to=date(year, 12, 31), daiban=daiban,
                       order_by="number", descending=False)


def _rate_columns(first: str) -> list[LedgerColumn]:
    return [
        LedgerColumn(first, "label"), LedgerColumn("受理", "total", "int", total=True),
        LedgerColumn("撤销", "cancelled", "int", total=True), LedgerColumn("办结", "closed", "int", total=True),
        LedgerColumn("办理中", "open", "int", total=True), LedgerColumn("逾期未办结", "overdue", "int", total=True),
        LedgerColumn("办结率", lambda r: r.closure.text), LedgerColumn("已评价", "rated", "int", total=True),
        LedgerColumn("满意及基本满意", "satisfied", "int", total=True),
        LedgerColumn("满意率", lambda r: r.satisfaction.text), LedgerColumn("按期办结率", lambda r: r.on_time_rate.text),
        LedgerColumn("平均办理时长", "avg_text"),
    ]


def _rates_note(total: TicketStats) -> str:
    return (f"全年合计：办结率 {total.closure.text}，满意率 {total.satisfaction.text}，按期办结率 {total.on_time_rate.text}，"
            f"平均办理时长 {total.avg_text}。办结率 = 办结 ÷（受理 − 撤销）；满意率 =（满意 + 基本满意）÷ 已评价。")


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
        LedgerColumn("是否逾期", lambda r: "逾期" if r.overdue else ""),
    ]
    total = ticket_stats.summary(s, unit_id, date(year, 1, 1), date(year, 12, 31))
    return Ledger("工单台账（民生受理台账）", columns, stream_tickets(s, q), year=year, count=count_tickets(s, q), count_unit="件",
                  sheet_name="工单台账", notes=(_rates_note(total), "分类的办结率、满意率见《工单分类统计表》。"))


def rates_ledger(s: Session, unit_id: int, year: int | None) -> Ledger:
    """The summary sheet of the 工单台账: rates by category (one kind per sheet, like every ledger)."""
    year = _year(year)
    by_category = ticket_stats.ticket_stats(s, unit_id, date(year, 1, 1), date(year, 12, 31), "category")
    total = ticket_stats.summary(s, unit_id, date(year, 1, 1), date(year, 12, 31))
    return Ledger("工单分类统计表", _rate_columns("诉求类别"), by_category, year=year, sheet_name="分类统计",
                  numbered=False, notes=(_rates_note(total),))


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
                  notes=(_rates_note(total),))


BUILDERS = {"tickets": tickets_ledger, "ticket-rates": rates_ledger, "ticket-services": services_ledger,
            "ticket-monthly": monthly_ledger}
