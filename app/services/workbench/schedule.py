"""三会一课 behind schedule: which 党支部 / 党小组 have not held a meeting the schedule asks for.

The schedule is a unit Setting (SCHEDULE_KEY: {会议类型: "month" | "quarter" | "half" | "year" | "none"}), by
default the 党章 rhythm the seeds describe: 支委会 and 党小组会 every month, 支部党员大会 and 党课 every quarter;
设置 → 三会一课提醒 changes it (save_meeting_schedule). An org is behind on a kind when it has held none
(cancelled ones do not count) since the start of the previous period — last month, quarter, half-year or
year — so a meeting still to come this period is not yet late.
Only orgs that existed then and have members now are asked (a village founded today owes nothing).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.models import Meeting, PartyMember, PartyOrg
from app.models.org import MEMBER_STAGES

from .. import access
from ..errors import FieldProblem, ValidationError
from ..settings import get_setting, set_setting

log = logging.getLogger(__name__)

SCHEDULE_KEY = "workbench.meeting_schedule"
DEFAULT_SCHEDULE = {"支委会": "month", "党小组会": "month", "支部党员大会": "quarter", "党课": "quarter"}
PERIODS = {"month": "每月", "quarter": "每季度", "half": "每半年", "year": "每年", "none": "不提醒"}
PERIOD_MONTHS = {"month": 1, "quarter": 3, "half": 6, "year": 12}
BRANCH_KINDS = ("党总支", "党支部", "联合党支部")
GROUP_KINDS = ("党小组",)
HELD_BY = {"支委会": BRANCH_KINDS, "支部党员大会": BRANCH_KINDS, "党课": BRANCH_KINDS, "党小组会": GROUP_KINDS}


@dataclass(frozen=True)
class Behind:
    org_id: int
    org_name: str
    kind: str  # 会议类型
    period: str  # 每月 / 每季度
    since: date  # none held from this day on
    last_held: date | None

    def text(self) -> str:
        last = f"上次 {self.last_held:%Y-%m-%d}" if self.last_held else "本系统中尚无记录"
        return f"{self.org_name}：{self.kind}应{self.period}召开，{self.since:%Y-%m-%d} 以来未召开（{last}）"


def meeting_schedule(s: Session, unit_id: int) -> dict[str, str]:
    """{会议类型: month | quarter | half | year} of the unit; a kind set to "none" is not checked."""
    return {k: p for k, p in _stored_schedule(s, unit_id).items() if p != "none"}


def schedule_choices(s: Session, unit_id: int) -> dict[str, str]:
    """Every 会议类型 with its period, "none" included (the 设置 screen shows them all)."""
    return _stored_schedule(s, unit_id)


def save_meeting_schedule(s: Session, unit_id: int, schedule: dict[str, str]) -> None:
    """Store the schedule: every 会议类型 of the 三会一课 with one of PERIODS (书记 and 文书)."""
    access.require_role(s, *access.ENTRY_ROLES, action="修改三会一课提醒")
    problems = [FieldProblem(f"schedule_{kind}", kind, "不是三会一课的会议类型") for kind in schedule
                if kind not in HELD_BY]
    problems += [FieldProblem(f"schedule_{kind}", kind, f"召开周期“{schedule.get(kind) or '（空）'}”无效，"
                              f"应为{'、'.join(PERIODS.values())}之一")
                 for kind in HELD_BY if schedule.get(kind) not in PERIODS]
    if problems:
        raise ValidationError(problems)
    set_setting(s, unit_id, SCHEDULE_KEY, {kind: schedule[kind] for kind in HELD_BY}, "三会一课提醒")


def _stored_schedule(s: Session, unit_id: int) -> dict[str, str]:
    stored = get_setting(s, unit_id, SCHEDULE_KEY)
    schedule = dict(DEFAULT_SCHEDULE)
    if isinstance(stored, dict):
        for kind, period in stored.items():
            if kind in HELD_BY and period in PERIODS:
                schedule[kind] = period
            else:
                log.warning("三会一课 schedule setting ignored: %r → %r", kind, period)
    return schedule


def period_start(period: str, on: date) -> date:
    """The first day of the period before the one `on` is in (last month, quarter, half-year, year)."""
    months = PERIOD_MONTHS[period]
    first = (on.month - 1) // months * months + 1  # this period's first month
    previous = first - months
    return date(on.year, previous, 1) if previous >= 1 else date(on.year - 1, previous + 12, 1)


def behind_schedule(s: Session, unit_id: int, on: date | None = None) -> list[Behind]:
    """Every (org, kind) behind the schedule on the day, in org order (a few queries, not one per org)."""
    on = on or date.today()
    schedule = meeting_schedule(s, unit_id)
    if not schedule:
        return []
    kinds = {k for kind in schedule for k in HELD_BY[kind]}
    orgs = s.execute(
        select(PartyOrg.id, PartyOrg.name, PartyOrg.kind, PartyOrg.established_on, PartyOrg.created_at)
        .where(PartyOrg.unit_id == unit_id, PartyOrg.closed_on.is_(None), PartyOrg.kind.in_(kinds))
        .order_by(PartyOrg.sort_order, PartyOrg.id)
    ).all()
    if not orgs:
        return []
    ids = [o.id for o in orgs]
    current = (PartyMember.stage.in_(MEMBER_STAGES), PartyMember.left_on.is_(None))
    with_members = set(s.scalars(select(PartyMember.org_id).where(PartyMember.org_id.in_(ids), *current)))
    with_members |= set(s.scalars(select(PartyMember.group_id).where(PartyMember.group_id.in_(ids), *current)))
    last: dict[tuple[int, str], datetime] = {
        (org_id, kind): held for org_id, kind, held in s.execute(
            select(Meeting.org_id, Meeting.kind, func.max(Meeting.held_at))
            .where(Meeting.unit_id == unit_id, Meeting.org_id.in_(ids), Meeting.kind.in_(list(schedule)),
                   or_(Meeting.cancelled_reason.is_(None), Meeting.cancelled_reason == ""),
                   Meeting.held_at <= datetime.combine(on, time.max))
            .group_by(Meeting.org_id, Meeting.kind))
    }
    out = []
    for o in orgs:
        if o.id not in with_members:
            continue
        began = o.established_on or (o.created_at.date() if o.created_at else None)
        for kind, period in schedule.items():
            if o.kind not in HELD_BY[kind]:
                continue
            since = period_start(period, on)
            if began is not None and began > since:
                continue  # not yet a whole period old
            held = last.get((o.id, kind))
            if held is None or held.date() < since:
                out.append(Behind(o.id, o.name, kind, PERIODS[period], since, held.date() if held else None))
    return out
