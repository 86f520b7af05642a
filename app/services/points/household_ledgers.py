"""台账 of 乡风文明积分: the households' yearly totals and ranking (乡风文明积分台账), every entry (明细).

`villagedesk export household-points household-point-entries --year 2026 -o 乡风文明.xlsx` puts both
sheets in one workbook. Only households scored in the year are listed; voided entries stay in the 明细,
marked, and are not counted.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from app.io.ledgers import Ledger, LedgerColumn

from .household_points import (
    HouseholdEntryRow,
    HouseholdPoints,
    household_ranking,
    list_household_rules,
    rule_sums,
    unit_household_entries,
)
from .ledgers import recorded_by, unrecorded_note


def _year(year: int | None) -> int:
    return year or date.today().year


def short_rule_name(name: str) -> str:
    """讲文明（文明礼让、邻里和睦） → 讲文明: a column header."""
    return name.split("（", 1)[0].strip() or name


def ranking_ledger(s: Session, unit_id: int, year: int | None) -> Ledger:
    year = _year(year)
    rows = household_ranking(s, unit_id, year)
    sums = rule_sums(s, unit_id, year)
    used = {rid for per in sums.values() for rid in per}
    rules = [r for r in list_household_rules(s, unit_id, include_inactive=True) if r.active or r.id in used]

    def by_rule(rule_id: int) -> object:
        return lambda r: sums.get(r.household_id, {}).get(rule_id)

    columns = [LedgerColumn("户号", "number"), LedgerColumn("户主", "head_name"), LedgerColumn("网格", "grid_name")]
    columns += [LedgerColumn(short_rule_name(r.name), by_rule(r.id), "decimal", total=True)  # type: ignore[arg-type]
                for r in rules]
    if any(r.base for r in rows):
        columns.append(LedgerColumn("基础分", "base", "decimal", total=True))
    columns += [
        LedgerColumn("奖励分", "reward", "decimal", total=True), LedgerColumn("扣减分", "deduct", "decimal", total=True),
        LedgerColumn("总积分", "total", "decimal", total=True), LedgerColumn("排名", "rank", "int"),
        LedgerColumn("记分次数", "entries", "int", total=True),
    ]
    return Ledger("乡风文明积分台账", columns, rows, year=year, count=len(rows), count_unit="户",
                  notes=("注：“五讲五不”乡风文明积分由党小组长参与考评；总积分 = 奖励分 − 扣减分（各项扣减分列为负数）；"
                         "积分相同的户名次并列。只列本年度有积分记录的户，作废的记录不计入。",))


def _state(e: HouseholdEntryRow) -> str:
    return "已作废" if e.voided else ("更正记录" if e.corrects_id else "有效")


def entries_ledger(s: Session, unit_id: int, year: int | None) -> Ledger:
    year = _year(year)
    entries = unit_household_entries(s, unit_id, year)
    columns = [
        LedgerColumn("日期", "entry_date", "date"), LedgerColumn("户号", "household_number"),
        LedgerColumn("户主", "head_name"), LedgerColumn("积分类别", "kind_label"), LedgerColumn("积分规则", "rule_name"),
        LedgerColumn("分值", "points", "decimal"), LedgerColumn("评分人（党小组长）", "scored_by"),
        LedgerColumn("说明", "note"), LedgerColumn("佐证", "evidence"), LedgerColumn("状态", _state),
        LedgerColumn("作废原因", "void_reason"), recorded_by,
    ]
    return Ledger("乡风文明积分明细", columns, entries, year=year, count=len(entries), count_unit="条",
                  sheet_name="乡风文明积分明细", notes=("注：作废的记录保留在台账中，不计入总积分。", *unrecorded_note(entries)))


BUILDERS = {"household-points": ranking_ledger, "household-point-entries": entries_ledger}
__all__ = ["BUILDERS", "HouseholdPoints", "entries_ledger", "ranking_ledger", "short_rule_name"]
