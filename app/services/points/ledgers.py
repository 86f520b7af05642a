"""台账 of the points area: 党员积分台账, 积分明细, 三会一课记录台账, 参会情况 (三必到), 约谈/劝退名单.

One kind is one sheet; `villagedesk export points point-entries -o 积分.xlsx` puts the totals and every
entry in one workbook.

The 积分台账 shows one consistent set, and its 注 row says which: the published assessment, or a draft
that still matches the point records (rank and grade as computed), or — no assessment, or a draft
computed before the last change — the live totals and ranks without grades. The 积分明细 sheet lists
every entry, voided ones marked.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from app.io.ledgers import NO_OPERATOR, Ledger, LedgerColumn
from app.models.points import MEETING_KINDS

from .assessments import assessment_status, draft_problem, follow_up_list
from .meetings import attendance_rate, ledger_note, list_meetings, member_counts, registered_totals
from .member_points import PointsQuery, member_points, unit_entries


def _year(year: int | None) -> int:
    return year or date.today().year


def points_ledger(s: Session, unit_id: int, year: int | None) -> Ledger:
    year = _year(year)
    rows = member_points(s, PointsQuery(unit_id, year, order_by="rank"))
    status = assessment_status(s, unit_id, year)
    live = f"积分和名次为截至 {date.today().isoformat()} 的实时数"
    # member_points has checked the draft against the entries: ask why only when it found it stale
    stale = any(r.assessment_state == "待重新计算" for r in rows)
    problem = (draft_problem(s, unit_id, year) or "计算之后有变动") if stale else None
    graded = status.state == "已发布" or (status.state == "待发布" and problem is None)
    state = {"已发布": f"积分、名次和等次均为 {status.published_on} 发布的评定结果",
             "待发布": "积分、名次和等次均为年度评定草稿（待发布）的计算结果，与积分记录一致",
             "未计算": f"尚未评定，{live}，不列等次"}[status.state]
    if problem is not None:
        state = f"{live}；年度评定草稿{problem}，等次待在年度评定向导中重新计算后列出"
    if status.undecided and graded:
        state += f"；{status.undecided} 人同分跨过名额线，等次待支委会确定（待定）"
    columns = [
        LedgerColumn("姓名", "name"), LedgerColumn("所在支部", "org_name"), LedgerColumn("党小组", "group_name"),
        LedgerColumn("积分类别", lambda r: f"{r.category}党员"),
        LedgerColumn("基础分", "base", "decimal", total=True), LedgerColumn("履职分", "duty", "decimal", total=True),
        LedgerColumn("奖励分", "reward", "decimal", total=True), LedgerColumn("扣减分", "deduct", "decimal", total=True),
        LedgerColumn("总积分", "total", "decimal", total=True), LedgerColumn("支部内排名", "rank", "int"),
    ]
    if graded:
        columns += [LedgerColumn("评定等次", "grade"), LedgerColumn("后续处理", "follow_up")]
    return Ledger("党员积分台账", columns, rows, year=year, count=len(rows), count_unit="名",
                  notes=(f"注：总积分 = 基础分 + 履职分 + 奖励分 − 扣减分；{state}。{status.bands.describe()}",))


def entries_ledger(s: Session, unit_id: int, year: int | None) -> Ledger:
    """Every entry of the year, voided ones kept and marked (export it with `points` for one workbook)."""
    year = _year(year)
    entries = unit_entries(s, unit_id, year)
    detail_columns = [
        LedgerColumn("日期", "entry_date", "date"), LedgerColumn("姓名", "member_name"),
        LedgerColumn("积分类别", "kind_label"), LedgerColumn("积分规则", "rule_name"),
        LedgerColumn("分值", "points", "decimal"), LedgerColumn("来源", "source_label"),
        LedgerColumn("说明", "note"), LedgerColumn("佐证", "evidence"),
        LedgerColumn("状态", lambda e: "已作废" if e.voided else ("更正记录" if e.corrects_id else "有效")),
        LedgerColumn("作废原因", "void_reason"), recorded_by,
    ]
    return Ledger("党员积分明细", detail_columns, entries, year=year, count=len(entries), count_unit="条",
                  sheet_name="积分明细", notes=("注：作废的记录保留在台账中，不计入总积分。", *unrecorded_note(entries)))


# 录入人 of an entries ledger (党员积分 and 乡风文明积分明细): who entered it, or （未记录） when nobody was
# signed in — an empty cell would read as a gap in the ledger
recorded_by = LedgerColumn("录入人", lambda e: e.operator or NO_OPERATOR)


def unrecorded_note(entries: Sequence[Any]) -> tuple[str, ...]:
    """The 注 that says why some 录入人 read （未记录）, when any does."""
    n = sum(1 for e in entries if not e.operator)
    if not n:
        return ()
    return (f"注：录入人为“{NO_OPERATOR}”的 {n} 条记录录入时没有操作员登录（未启用登录或演示数据），无从记录录入人。",)


def meetings_ledger(s: Session, unit_id: int, year: int | None) -> Ledger:
    year = _year(year)
    rows = sorted(list_meetings(s, unit_id, year), key=lambda m: (m.held_at, m.id))
    columns = [
        LedgerColumn("日期", lambda m: m.held_at.date(), "date"), LedgerColumn("会议类型", "kind"),
        LedgerColumn("党组织", "org_name"), LedgerColumn("主题/议题", "title"), LedgerColumn("地点", "place"),
        # a meeting whose attendance is not closed reads 「未登记」 and stays out of the sums and rates
        LedgerColumn("应到", lambda m: m.ledger_count(None), "count", total=True),
        *[LedgerColumn(st, lambda m, st=st: m.ledger_count(st), "count", total=True) for st in ("出席", "请假", "缺席")],
        LedgerColumn("出席率", "ledger_rate", "percent"), LedgerColumn("状态", "state"),
    ]
    _, expected, present = registered_totals(rows)
    return Ledger("三会一课记录台账", columns, rows, year=year, count=len(rows), count_unit="次",
                  notes=(ledger_note(rows),), total_values={"出席率": attendance_rate(present, expected)})


def attendance_ledger(s: Session, unit_id: int, year: int | None) -> Ledger:
    """Per member: how often present / on leave / absent (三必到), by meeting kind."""
    year = _year(year)
    counts = member_counts(s, unit_id, year)
    per_member = [LedgerColumn("姓名", "name"), LedgerColumn("所在支部", "org_name")]
    for kind in MEETING_KINDS:
        if any(c.counts.get(kind) for c in counts):
            per_member.append(LedgerColumn(f"{kind}出席", lambda c, k=kind: c.count(k, "出席"), "int"))
    per_member += [LedgerColumn(f"{st}合计", lambda c, st=st: c.total(st), "int", total=True)
                   for st in ("出席", "请假", "缺席")]
    return Ledger("党员参加组织生活情况（三必到）", per_member, counts, year=year, count=len(counts),
                  count_unit="名", sheet_name="党员参会情况")


def follow_ups_ledger(s: Session, unit_id: int, year: int | None) -> Ledger:
    year = _year(year)
    rows = follow_up_list(s, unit_id, year)
    columns = [
        LedgerColumn("姓名", "name"), LedgerColumn("所在支部", "org_name"),
        LedgerColumn("积分类别", lambda r: f"{r.category}党员"), LedgerColumn("总积分", "total", "decimal"),
        LedgerColumn("支部内排名", "rank", "int"), LedgerColumn("评定等次", "grade"),
        LedgerColumn("上年等次", "previous_grade"), LedgerColumn("处理方式", "follow_up"),
        LedgerColumn("谈话/处理情况", "records_lines", width=40),  # one record a line: the row grows to fit
        LedgerColumn("评定状态", lambda r: "已发布" if r.published else "待发布"),
    ]
    notes = ["注：初次考核不达标，当面约谈；连续两年考核不达标，劝说退党，不退者除名。"]
    problem = draft_problem(s, unit_id, year)
    if problem is not None:  # the list is the draft's: say it may change
        notes.append(f"注：年度评定草稿{problem}，名单以重新计算并发布的结果为准。")
    return Ledger("党员积分评定约谈劝退名单", columns, rows, year=year, count=len(rows), count_unit="名",
                  notes=tuple(notes))


BUILDERS = {
    "points": points_ledger, "point-entries": entries_ledger, "meetings": meetings_ledger,
    "meeting-attendance": attendance_ledger, "point-follow-ups": follow_ups_ledger,
}
