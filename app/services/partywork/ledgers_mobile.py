"""流动党员台账 (流出 and 流入 in one sheet, a 类别 column) and 失联党员台账, registered in ledgers.BUILDERS so
`villagedesk export mobile-members` / `export lost-members` work. 身份证号 and phones are "id"/"phone"
columns: full for the township, masked wherever ledgers are masked (网格员, public copies).

With a year, the rows are the records under way at some time in that year; without one, all of them.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.io.ledgers import Ledger, LedgerColumn
from app.models import LostContact, LostContactSearch
from app.text import pack_lines

from .lost import STOP_MONTHS, LostRow, list_lost
from .mobile import list_mobile

SEARCH_WIDTH = 40


def _in_year(since: date, until: date | None, year: int | None) -> bool:
    return year is None or (since <= date(year, 12, 31) and (until is None or until >= date(year, 1, 1)))


def mobile_members_ledger(s: Session, unit_id: int, year: int | None) -> Ledger:
    rows = [r for r in list_mobile(s, unit_id) if _in_year(r.since, r.until, year)]

    columns = [
        LedgerColumn("类别", "direction"), LedgerColumn("姓名", "name"), LedgerColumn("身份证号", "id_number", "id"),
        LedgerColumn("流向地（流出）/ 本村居住地（流入）", "place", width=18),
        LedgerColumn("流入地党组织 / 原所在党组织", "other_org", width=18),
        LedgerColumn("工作单位", "employer", width=14), LedgerColumn("联系电话", "phone", "phone"),
        LedgerColumn("外出（来村）时间", "since", "date"),
        LedgerColumn("支部联系人", "keeper_name"),
        LedgerColumn("参加组织生活方式", "participation", width=16),
        LedgerColumn("交纳党费方式", "dues_way", width=12),
        LedgerColumn("双报到", lambda r: ("已报到" if r.dual_report else "未报到") if r.direction == "流入" else ""),
        LedgerColumn("返回（离开）时间", "until", "date"),
        LedgerColumn("备注", lambda r: "；".join(x for x in (r.end_note, r.note) if x), width=14),
    ]
    out_count = sum(1 for r in rows if r.direction == "流出" and r.until is None)
    in_count = sum(1 for r in rows if r.direction == "流入" and r.until is None)
    notes = (f"流出：本村党员外出务工、经商、居住；流入：外地党员在本村居住（双报到）。现流出 {out_count} 名，现流入 {in_count} 名。",
             "返回（离开）时间为空的，现仍在外或仍在本村。")
    return Ledger("流动党员台账", columns, rows, year=year, count=len(rows), count_unit="条", notes=notes)


def _search_lines(s: Session, unit_id: int) -> dict[int, str]:
    stmt = (select(LostContactSearch).join(LostContact, LostContact.id == LostContactSearch.lost_id)
            .where(LostContact.unit_id == unit_id).order_by(LostContactSearch.searched_on, LostContactSearch.id))
    lines: dict[int, list[str]] = {}
    for x in s.scalars(stmt):
        who = f"（{x.by}）" if x.by else ""
        lines.setdefault(x.lost_id, []).append(f"{x.searched_on.isoformat()} {x.method}{who}：{x.result}")
    return {k: pack_lines(v, SEARCH_WIDTH - 4) for k, v in lines.items()}


def lost_members_ledger(s: Session, unit_id: int, year: int | None) -> Ledger:
    on = date(year, 12, 31) if year is not None and year < date.today().year else date.today()
    rows: list[LostRow] = [r for r in list_lost(s, unit_id, on=on) if _in_year(r.lost_since, r.outcome_on, year)]
    searches = _search_lines(s, unit_id)
    columns = [
        LedgerColumn("姓名", "name"), LedgerColumn("身份证号", "id_number", "id"),
        LedgerColumn("联系电话", "phone", "phone"), LedgerColumn("失联时间", "lost_since", "date"),
        LedgerColumn("失联月数", "months", "int"), LedgerColumn("查找次数", "searches", "int", total=True),
        LedgerColumn("查找情况", lambda r: searches.get(r.id, ""), width=SEARCH_WIDTH),
        LedgerColumn("处理结果", lambda r: r.outcome or "尚未处理"), LedgerColumn("处理日期", "outcome_on", "date"),
        LedgerColumn("说明", "outcome_note", width=16),
    ]
    notes = (f"失联月数计至处理日期（未处理的计至{on.isoformat()}）。",
             f"失去联系{STOP_MONTHS}个月以上、经多方查找仍无音讯的，经支部大会讨论、报上级党组织批准，可停止其党籍。")
    return Ledger("失联党员台账", columns, rows, year=year, count=len(rows), count_unit="名", notes=notes)


BUILDERS = {"mobile-members": mobile_members_ledger, "lost-members": lost_members_ledger}
__all__ = ["BUILDERS", "lost_members_ledger", "mobile_members_ledger"]
