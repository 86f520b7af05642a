"""Working days: the `holidays` package's Chinese calendar plus the office's own overrides.

The 公示期 of each notice kind (in 工作日 or 天) is app.services.notices.periods, built on period_end here.

A day is a working day when: an override (CalendarOverride) says so — it always wins; else it is not
a public holiday (法定节假日, including the 调休 days off the library lists) and either a weekday or
a weekend day the library lists as a 调休 workday (`weekend_workdays`). The library knows a year's
schedule only once the State Council has published it; later years need overrides.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import CalendarOverride

from . import access, audit
from .errors import NotFound
from .validation import Problems

MAX_NOTICE_DAYS = 60


@dataclass(frozen=True)
class _Year:
    holidays: frozenset[date]
    workdays: frozenset[date]  # weekend days that are 调休 working days


@lru_cache(maxsize=32)
def _year(year: int) -> _Year:
    import holidays  # ~40 ms: imported when a 公示期 or due time is first computed, not at start

    cal = holidays.China(years=year, categories=(holidays.PUBLIC,))
    days = frozenset(d for d in cal if d.year == year)
    # weekend_workdays gathers every year the object has computed: keep this year's only
    workdays = frozenset(d for d in getattr(cal, "weekend_workdays", ()) if d.year == year)
    return _Year(days, workdays)


def public_holidays(year: int) -> dict[date, str]:
    """The library's 法定节假日 of a year (with the 调休 days off), named in Chinese (元旦, 春节（补假）…)."""
    import holidays

    cal = holidays.China(years=year, categories=(holidays.PUBLIC,), language="zh_CN")
    return {d: name for d, name in sorted(cal.items()) if d.year == year}


def weekend_workdays(year: int) -> list[date]:
    """Weekend days that are 调休 working days, as the library knows them."""
    return sorted(_year(year).workdays)


def is_workday(day: date, overrides: Mapping[date, bool] | None = None) -> bool:
    if overrides and day in overrides:
        return overrides[day]
    info = _year(day.year)
    if day in info.holidays:
        return False
    if day in info.workdays:
        return True
    return day.weekday() < 5


def period_end(start: date, days: int, workdays: bool = False, overrides: Mapping[date, bool] | None = None) -> date:
    """Last day of a 公示期 of `days` days starting on `start` (start counts as day 1).

    Calendar days: start + days − 1. Working days: the start counts only if it is a working day; the
    period ends on the days-th working day.
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    if not workdays:
        return start + timedelta(days=days - 1)
    day, counted = start, 0
    while True:
        if is_workday(day, overrides):
            counted += 1
            if counted == days:
                return day
        day += timedelta(days=1)


# ---------------------------------------------------------------- the office's overrides


@dataclass(frozen=True)
class OverrideRow:
    id: int
    day: date
    is_workday: bool
    note: str


def overrides_for(s: Session, unit_id: int) -> dict[date, bool]:
    return {d: w for d, w in s.execute(
        select(CalendarOverride.day, CalendarOverride.is_workday).where(CalendarOverride.unit_id == unit_id)
    )}


def list_overrides(s: Session, unit_id: int, year: int | None = None) -> list[OverrideRow]:
    """The office's overrides in date order (of one year when given)."""
    stmt = select(CalendarOverride).where(CalendarOverride.unit_id == unit_id).order_by(CalendarOverride.day)
    if year is not None:
        stmt = stmt.where(CalendarOverride.day >= date(year, 1, 1), CalendarOverride.day <= date(year, 12, 31))
    return [OverrideRow(o.id, o.day, o.is_workday, o.note) for o in s.scalars(stmt)]


def set_override(s: Session, unit_id: int, day: date, is_workday: bool, note: str = "") -> int:
    """Mark a day as a holiday (False) or a 调休 working day (True); replaces an earlier mark of that day."""
    access.require_role(s, *access.ENTRY_ROLES, action="设置节假日和调休")
    p = Problems()
    if day is None:
        p.add("day", "日期", "请填写日期")
    note = p.text("note", "说明", note, max_len=200)
    p.raise_if_any()
    row = s.scalar(select(CalendarOverride).where(CalendarOverride.unit_id == unit_id, CalendarOverride.day == day))
    if row is None:
        row = CalendarOverride(unit_id=unit_id, day=day, is_workday=is_workday, note=note)
        s.add(row)
    else:
        row.is_workday, row.note = is_workday, note
    s.flush()
    what = "工作日（调休）" if is_workday else "休息日"
    audit.record(s, unit_id, "update", "calendar_override", row.id, f"{day.isoformat()} 设为{what}")
    return row.id


def remove_override(s: Session, override_id: int) -> None:
    """Take an override away: the day follows the holiday library again (the 操作日志 keeps what it was)."""
    access.require_role(s, *access.ENTRY_ROLES, action="设置节假日和调休")
    row = s.get(CalendarOverride, override_id)
    if row is None:
        raise NotFound("找不到该日期设置")
    s.delete(row)
    s.flush()
    what = "工作日（调休）" if row.is_workday else "休息日"
    audit.record(s, row.unit_id, "delete", "calendar_override", override_id,
                 f"取消 {row.day.isoformat()} 的日期设置（原为{what}{'：' + row.note if row.note else ''}）")

