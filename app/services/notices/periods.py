"""公示期 per notice kind: how long each kind of 公示 stays up, in 工作日 or in calendar days (天).

RULES below is the one table. A kind with a period of its own uses it unless the caller (the CLI's
--days/--workdays, the 生成公示 dialog) asks for another; every other kind follows the village's setting
(设置 → 默认公示天数, 公示期按工作日计算). The seeds state no period for the 星级文明户 or the points
rankings, so those follow the setting. Working days skip weekends and 法定节假日 and count the 调休
working Saturdays/Sundays (app.services.calendar, with the office's own overrides).

A published notice keeps how its period was counted in Notice.meta["period"], so a reprint states the
same count and an older notice (no entry) reads as calendar days, as it was printed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from app.io.notices import period_sentence
from app.models import Unit

from ..calendar import MAX_NOTICE_DAYS, overrides_for, period_end
from ..errors import NotFound
from ..validation import Problems


@dataclass(frozen=True)
class PeriodRule:
    days: int | None  # None: the village's 默认公示天数
    workdays: bool | None  # None: the village's 公示期按工作日计算
    basis: str  # where the rule comes from, shown beside the period in the dialog


FROM_SETTING = PeriodRule(None, None, "按本村设置的默认公示期")

# The one table of 公示期 rules. 发展党员: the provinces' rules under 《中国共产党发展党员工作细则》
# put the 发展对象/预备党员 公示 at 5 个工作日 (so a Thursday start runs into the next Wednesday).
RULES: dict[str, PeriodRule] = {
    "party-candidates": PeriodRule(5, True, "发展党员公示：5个工作日"),
    "grid-contacts": FROM_SETTING,
    "stars": FROM_SETTING,
    "points": FROM_SETTING,
    "household-points": FROM_SETTING,
    "dues": FROM_SETTING,
}

META_KEY = "period"  # Notice.meta entry: {"days": 5, "workdays": true}


@dataclass(frozen=True)
class NoticePeriod:
    start: date
    end: date
    days: int  # the count printed: working days when `workdays`, calendar days otherwise
    workdays: bool

    @property
    def workday_count(self) -> int:
        """The count in 工作日 for the printed sentence; 0 when counted in calendar days."""
        return self.days if self.workdays else 0

    def sentence(self) -> str:
        """公示期：2026年12月3日至2026年12月9日（5个工作日）"""
        return period_sentence(self.start, self.end, self.workday_count)

    def to_meta(self) -> dict[str, Any]:
        return {"days": self.days, "workdays": self.workdays}


def asked(days: int | None, workdays: int | None) -> dict[str, Any]:
    """publish_notice's days/workdays for `--days N` (calendar days) or `--workdays N`; neither: the kind's rule."""
    if workdays is not None:
        return {"days": workdays, "workdays": True}
    return {"days": days, "workdays": None if days is None else False}


def rule_for(kind: str) -> PeriodRule:
    return RULES.get(kind, FROM_SETTING)


def default_period(s: Session, unit_id: int, kind: str) -> tuple[int, bool]:
    """(days, workdays) a notice of this kind gets when nobody asks for another period."""
    unit = s.get(Unit, unit_id)
    if unit is None:
        raise NotFound("找不到该村(社区)")
    rule = rule_for(kind)
    days = unit.notice_days if rule.days is None else rule.days
    workdays = unit.notice_workdays if rule.workdays is None else rule.workdays
    return days, workdays


def notice_period(
    s: Session, unit_id: int, kind: str, start: date, days: int | None = None, workdays: bool | None = None,
) -> NoticePeriod:
    """The 公示期 from `start`: the kind's rule where days/workdays are not given.

    Days given without saying how they count follow the rule's basis (the stars dialog gives only a number).
    """
    rule_days, rule_workdays = default_period(s, unit_id, kind)
    days = rule_days if days is None else days
    workdays = rule_workdays if workdays is None else workdays
    p = Problems()
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_NOTICE_DAYS:
        p.add("days", "公示天数", f"应为1到{MAX_NOTICE_DAYS}之间的整数")
    p.raise_if_any()
    end = period_end(start, days, workdays, overrides_for(s, unit_id) if workdays else None)
    return NoticePeriod(start, end, days, bool(workdays))


def archived_period(start: date, end: date, meta: dict[str, Any]) -> NoticePeriod:
    """How an archived notice's period was counted (older notices: calendar days, as they were printed)."""
    entry = meta.get(META_KEY)
    if isinstance(entry, dict) and entry.get("workdays") and isinstance(entry.get("days"), int):
        return NoticePeriod(start, end, entry["days"], True)
    return NoticePeriod(start, end, (end - start).days + 1, False)
