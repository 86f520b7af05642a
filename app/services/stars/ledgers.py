"""The 星级文明户 台账 for the township: the ledger with per-网格 subtotals, the 命名授牌名单, the statistics.

Registered in ledgers.BUILDERS as `stars`, `star-awards` and `star-stats`; each takes the round of the
ledger's year.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy.orm import Session

from app.io.ledger_cells import fraction
from app.io.ledgers import Ledger, LedgerColumn

from ..errors import ServiceError
from .changes import base_round_id, current_star_sets
from .notice import starred_applications
from .rounds import CN_DIGITS, get_round, level_label, list_categories, round_for_year
from .stats import GroupStats, round_statistics

TICK = "√"


def _round_of(s: Session, unit_id: int, year: int | None) -> int:
    return round_for_year(s, unit_id, year)


def stars_ledger(s: Session, unit_id: int, year: int | None) -> Ledger:
    """星级文明户台账: every starred household, a √ per star, its level; a 小计 per 网格 and a 合计."""
    round_id = _round_of(s, unit_id, year)
    info = get_round(s, round_id)
    categories = list_categories(s, unit_id, include_inactive=True)
    apps = starred_applications(s, round_id)
    apps.sort(key=lambda a: a.top_grid_name == "")  # 网格 order from the query (stable), no 网格 last
    is_base = base_round_id(s, unit_id) == round_id
    now = current_star_sets(s, unit_id, [a.household_id for a in apps]) if is_base else {}

    def rows() -> Iterator[dict[str, Any]]:
        seq = 0
        total: dict[str, Any] = {"grid": "合计", "count": 0, **{f"c{c.id}": 0 for c in categories}}
        for grid in dict.fromkeys(a.top_grid_name for a in apps):
            sub: dict[str, Any] = {"grid": f"{grid or '未划分网格'} 小计", "count": 0,
                                   **{f"c{c.id}": 0 for c in categories}}
            for a in (a for a in apps if a.top_grid_name == grid):
                seq += 1
                approved = {i.category_id for i in a.items if i.decision == "approved"}
                row: dict[str, Any] = {
                    "seq": seq, "grid": a.grid_name, "number": a.household_number, "head": a.head_name,
                    "address": a.address, "level": level_label(a.shown_level),
                    "source": a.source + (f"（{a.recommender}）" if a.recommender else ""),
                }
                if is_base:
                    row["now"] = level_label(len(now.get(a.household_id, set())))
                for c in categories:
                    row[f"c{c.id}"] = TICK if c.id in approved else ""
                    if c.id in approved:
                        sub[f"c{c.id}"] += 1
                sub["count"] += 1
                yield row
            for key in sub:
                if key != "grid":
                    total[key] += sub[key]
            yield _summary(sub, categories)
        yield _summary(total, categories)

    columns = [
        LedgerColumn("序号", "seq", "int", width=6), LedgerColumn("网格", "grid"), LedgerColumn("户号", "number"),
        LedgerColumn("户主", "head"), LedgerColumn("门牌/住址", "address"),
        # count columns: √ (kept as text, centred) on a household's row, the number of households on 小计 / 合计
        *[LedgerColumn(c.name, f"c{c.id}", "count", width=max(8.0, len(c.name) * 2 + 2)) for c in categories],
        LedgerColumn("评定星级", "level"), LedgerColumn("申报方式", "source"),
    ]
    if is_base:
        columns.append(LedgerColumn("现有星级（含加减星）", "now"))
    notes = (f"注：{info.year}年度评选，{info.status}。√ 表示获评该星；小计、合计行的星类列为获评户数。",)
    return Ledger("星级文明户台账", columns, rows(), year=info.year, count=len(apps), numbered=False, notes=notes)


def _summary(counts: dict[str, Any], categories: list[Any]) -> dict[str, Any]:
    row: dict[str, Any] = {"grid": counts["grid"], "head": f"{counts['count']} 户"}
    for c in categories:
        row[f"c{c.id}"] = counts[f"c{c.id}"]
    return row


def awards_ledger(s: Session, unit_id: int, year: int | None) -> Ledger:
    """命名授牌名单 for the township, with the 两委会 and 备案 dates (only once the round is decided)."""
    round_id = _round_of(s, unit_id, year)
    info = get_round(s, round_id)
    if not info.frozen:
        raise ServiceError(f"{info.year}年度评选还没有经两委会确定，不能生成命名授牌名单。")
    apps = starred_applications(s, round_id)
    apps.sort(key=lambda a: (-a.shown_level, a.grid_name, a.household_number))
    columns = [
        LedgerColumn("星级", lambda a: level_label(a.shown_level)), LedgerColumn("户主", "head_name"),
        LedgerColumn("户号", "household_number"), LedgerColumn("网格", "grid_name"),
        LedgerColumn("门牌/住址", "address"), LedgerColumn("获评星类", lambda a: "、".join(a.approved_names)),
        LedgerColumn("两委会确定日期", lambda a: info.meeting_on, "date"),
        LedgerColumn("报镇备案日期", lambda a: info.filed_on, "date"),
    ]
    notes = (f"两委会确定日期：{info.meeting_on or '—'}；报镇备案日期：{info.filed_on or '尚未备案'}。",)
    return Ledger("星级文明户命名授牌名单", columns, apps, year=info.year, count=len(apps), count_unit="户",
                  sheet_name="命名授牌名单", notes=notes)


def stats_ledger(s: Session, unit_id: int, year: int | None) -> Ledger:
    """星级文明户统计表: per level, total, share, participation — the village, each 网格, each 党小组 area."""
    stats = round_statistics(s, _round_of(s, unit_id, year))
    top = max([stats.max_level, *stats.total.levels])
    levels = list(range(top, 0, -1))

    def row(g: GroupStats) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": g.kind, "name": g.name, "households": g.households, "applied": g.applied,
                               "participation": _rate(g.applied, g.households), "starred": g.starred,
                               "share": _rate(g.starred, g.households)}
        out.update({f"l{lv}": g.levels.get(lv, 0) for lv in levels})
        return out

    rows = [row(stats.total), *(row(g) for g in stats.grids), *(row(g) for g in stats.party_groups)]
    columns = [
        # counts centred like the rates beside them (as in the 工单 statistics)
        LedgerColumn("类别", "kind"), LedgerColumn("名称", "name"), LedgerColumn("总户数", "households", "count"),
        LedgerColumn("申报户数", "applied", "count"), LedgerColumn("参与率", "participation", "percent"),
        *[LedgerColumn(f"{CN_DIGITS[lv - 1] if lv <= 10 else lv}星级", f"l{lv}", "count") for lv in levels],
        LedgerColumn("星级户合计", "starred", "count"), LedgerColumn("占总户数", "share", "percent"),
    ]
    state = "已经两委会确定" if stats.decided else "尚未确定，按目前审核结果统计"
    notes = (f"注：{stats.year}年度评选{state}。参与率＝申报户数÷总户数；党小组按联系该户的党员所在党小组统计。",)
    return Ledger("星级文明户统计表", columns, rows, year=stats.year, count=len(rows), numbered=False, notes=notes)


def _rate(part: int, whole: int) -> object:
    """A rate for a percent cell: the fraction as it prints (0.920 → 92.0 %), 「—」 for a group with no household."""
    return fraction(part, whole) if whole else "—"


BUILDERS = {"stars": stars_ledger, "star-awards": awards_ledger, "star-stats": stats_ledger}
KINDS = {"stars": "星级文明户台账", "star-awards": "星级文明户命名授牌名单", "star-stats": "星级文明户统计表"}
