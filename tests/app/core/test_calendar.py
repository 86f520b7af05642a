"""公示期: calendar days, working days from the holidays library (2026 National Day), overrides."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from app.db import Database
from app.services import calendar
from app.services.context import AppContext
from app.services.errors import PermissionDenied
from app.services.grid import grids
from app.services.notices import periods
from app.services.safety import auth
from app.services.setup import founding


def test_library_knows_2026_national_day_and_its_workdays() -> None:
    holidays_2026 = calendar.public_holidays(2026)
    for day in (1, 2, 3, 5, 6, 7):  # 10-04 is a Sunday: a rest day the library does not list
        assert date(2026, 10, day) in holidays_2026
    # the 调休 weekend workdays the library (holidays 0.109) gives for 2026
    assert calendar.weekend_workdays(2026) == [
        date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9), date(2026, 9, 20),
        date(2026, 10, 10),
    ]
    assert calendar.is_workday(date(2026, 9, 20))  # a Sunday, worked
    assert not calendar.is_workday(date(2026, 10, 7))
    assert calendar.is_workday(date(2026, 10, 8))


def test_calendar_days() -> None:
    assert calendar.period_end(date(2026, 9, 28), 5) == date(2026, 10, 2)
    assert calendar.period_end(date(2026, 11, 23), 1) == date(2026, 11, 23)


def test_working_days_skip_national_day() -> None:
    # Mon 9-28, Tue 9-29, Wed 9-30, then the holiday to 10-07, Thu 10-08, Fri 10-09
    assert calendar.period_end(date(2026, 9, 28), 5, workdays=True) == date(2026, 10, 9)
    # starting on a holiday: the first working day counts as day 1
    assert calendar.period_end(date(2026, 10, 3), 1, workdays=True) == date(2026, 10, 8)
    # the 调休 Saturday 10-10 is a working day
    assert calendar.period_end(date(2026, 10, 8), 3, workdays=True) == date(2026, 10, 10)


def test_overrides_win(session: Session, unit_id: int) -> None:
    calendar.set_override(session, unit_id, date(2026, 10, 8), False, "本村另行放假")
    calendar.set_override(session, unit_id, date(2026, 10, 11), True, "补班")
    period = periods.notice_period(session, unit_id, "stars", date(2026, 9, 28), days=5, workdays=True)
    # 9-28, 9-29, 9-30, (10-08 off by override), 10-09, 10-10 (调休)
    assert (period.start, period.end) == (date(2026, 9, 28), date(2026, 10, 10))
    rows = calendar.list_overrides(session, unit_id)
    assert [(r.day, r.is_workday) for r in rows] == [(date(2026, 10, 8), False), (date(2026, 10, 11), True)]
    calendar.set_override(session, unit_id, date(2026, 10, 8), True)  # replaces, no duplicate
    assert len(calendar.list_overrides(session, unit_id)) == 2
    calendar.remove_override(session, rows[1].id)
    assert [r.day for r in calendar.list_overrides(session, unit_id)] == [date(2026, 10, 8)]


def test_unit_defaults(session: Session, unit_id: int) -> None:
    # a kind without its own rule: the unit's defaults (5 calendar days)
    assert periods.notice_period(session, unit_id, "stars", date(2026, 9, 28)).end == date(2026, 10, 2)


def test_holiday_names_are_chinese_and_overrides_listed_by_year(session: Session, unit_id: int) -> None:
    names = calendar.public_holidays(2026)
    assert names[date(2026, 1, 1)] == "元旦"
    assert names[date(2026, 10, 1)] == "国庆节"
    calendar.set_override(session, unit_id, date(2026, 12, 31), False, "村里放假")
    calendar.set_override(session, unit_id, date(2027, 2, 20), True, "补班")
    assert [r.day for r in calendar.list_overrides(session, unit_id, 2027)] == [date(2027, 2, 20)]
    assert len(calendar.list_overrides(session, unit_id)) == 2


def test_grid_staff_cannot_change_the_calendar(db: Database) -> None:
    ctx = AppContext(db)
    vid = ctx.call(founding.create_unit, "东坟村")
    clerk = ctx.call(auth.create_operator, vid, "wenshu", "王文书", "clerk", "clerk-pass")
    area = ctx.call(grids.create_grid, vid, grids.GridInput("G01", "第一网格"))
    grid = ctx.call(auth.create_operator, vid, "wangge", "李网格", "grid", "grid-pass", (area,))
    ctx.operator_id = clerk  # the 文书 keeps the calendar
    override = ctx.call(calendar.set_override, vid, date(2027, 2, 20), True, "补班")
    ctx.operator_id = grid
    with pytest.raises(PermissionDenied):
        ctx.call(calendar.set_override, vid, date(2027, 2, 21), True)
    with pytest.raises(PermissionDenied):
        ctx.call(calendar.remove_override, override)
