"""发展党员 timing: the due dates of the 发展党员 steps and what is late or too early, one row per person and
matter (the 党内统计与发展 tab's list, the 工作台's 培养期不足一年 line).

- 入党积极分子: 培养考察 at least ACTIVIST_YEARS (one year) before 发展对象 — 「可确定为发展对象（满一年）」
  from activist_on + 1 year (29 Feb counts to 28 Feb, validation.add_years).
- 发展对象: made so before the year was full — 「培养期不足一年」 (the member form allows it: an old roster may
  hold such dates; the warning asks the branch to check the record). Before 接收预备党员 the 发展党员公示
  runs 5 工作日 (notices.periods): the date the 支部大会 may meet after it, or after one started today.
- 预备党员: 预备期 one year, 转正 due on joined_on + 1 year — 「预备期将满（30 天内）」 from 30 days before,
  「预备期已满未转正」 after.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Notice, PartyMember, PartyOrg, Resident

from ..notices.periods import notice_period
from ..org.members import ACTIVIST_YEARS, PROBATION_WARN_DAYS
from ..validation import add_years

# row kinds: the warnings (the 工作台 and the list's red rows) and the plain due dates
SHORT_TRAINING = "short_training"
PROBATION_OVER = "probation_over"
PROBATION_SOON = "probation_soon"
ACTIVIST_DUE = "activist_due"
WARNINGS = frozenset({SHORT_TRAINING, PROBATION_OVER, PROBATION_SOON})
CANDIDATE_NOTICE = "party-candidates"  # 发展党员公示


@dataclass(frozen=True)
class TimingRow:
    member_id: int
    name: str
    org_name: str
    stage: str
    step: str  # 培养考察 / 发展对象公示 / 预备期
    since: date | None  # the step's start: 确定为积极分子 / 发展对象 / 入党
    due_on: date | None
    status: str
    kind: str  # SHORT_TRAINING … or "" for a plain due date

    @property
    def warn(self) -> bool:
        return self.kind in WARNINGS


def _candidate_notices(s: Session, unit_id: int) -> list[Notice]:
    return list(s.scalars(
        select(Notice).where(Notice.unit_id == unit_id, Notice.kind == CANDIDATE_NOTICE, Notice.withdrawn_on.is_(None),
                             Notice.period_start.is_not(None)).order_by(Notice.period_start.desc())
    ))


def _named_in(notice: Notice, name: str) -> bool:
    rows = notice.rows if isinstance(notice.rows, list) else []
    return any(isinstance(r, list) and len(r) > 1 and r[0] == "拟接收为预备党员" and r[1] == name for r in rows)


def _training_row(m: PartyMember, name: str, org: str) -> TimingRow | None:
    """培养期不足一年: 发展对象 (or later) fixed before the 积极分子's year was full."""
    if m.activist_on is None or m.candidate_on is None:
        return None
    full = add_years(m.activist_on, ACTIVIST_YEARS)
    if m.candidate_on >= full:
        return None
    return TimingRow(m.id, name, org, m.stage, "培养考察", m.activist_on, full,
                     f"培养期不足一年：{m.activist_on} 确定为积极分子，{m.candidate_on} 即确定为发展对象"
                     f"（应不早于 {full}），请核实", SHORT_TRAINING)


def development_timing(s: Session, unit_id: int, on: date | None = None) -> list[TimingRow]:
    """Every person in the 发展党员 pipeline or in 预备期 with their due date and state on `on` (today):
    warnings first, then by due date."""
    on = on or date.today()
    people = s.execute(
        select(PartyMember, Resident.name, PartyOrg.name)
        .join(Resident, Resident.id == PartyMember.resident_id)
        .join(PartyOrg, PartyOrg.id == PartyMember.org_id)
        .where(Resident.unit_id == unit_id, PartyMember.left_on.is_(None),
               PartyMember.stage.in_(("入党积极分子", "发展对象", "预备党员")))
        .order_by(PartyMember.id)
    ).all()
    notices: list[Notice] | None = None
    rows: list[TimingRow] = []
    for m, name, org in people:
        if m.stage == "入党积极分子":
            if m.activist_on is None:
                continue  # no date to count from (the member form asks for it)
            due = add_years(m.activist_on, ACTIVIST_YEARS)
            status = "可确定为发展对象（满一年）" if due <= on else f"培养考察中，{due} 满一年"
            rows.append(TimingRow(m.id, name, org, m.stage, "培养考察", m.activist_on, due, status,
                                  ACTIVIST_DUE if due <= on else ""))
            continue
        short = _training_row(m, name, org)
        if short is not None:
            rows.append(short)
        if m.stage == "发展对象":
            if notices is None:
                notices = _candidate_notices(s, unit_id)
            shown = next((n for n in notices if (m.candidate_on is None or n.period_start >= m.candidate_on)
                          and _named_in(n, name)), None)
            if shown is not None and shown.period_end is not None:
                due = shown.period_end + timedelta(days=1)
                status = (f"已公示（{shown.period_start}至{shown.period_end}），"
                          + ("公示期已满，可提交支部大会讨论接收" if shown.period_end < on else "公示期满后可提交支部大会讨论"))
            else:
                period = notice_period(s, unit_id, CANDIDATE_NOTICE, on)
                due = period.end + timedelta(days=1)
                status = f"接收前须公示{period.days}个工作日（尚未公示；今天公示则 {due} 起可提交支部大会）"
            rows.append(TimingRow(m.id, name, org, m.stage, "发展对象公示", m.candidate_on, due, status, ""))
        elif m.stage == "预备党员" and m.joined_on is not None and m.confirmed_on is None:
            due = add_years(m.joined_on, 1)
            if due < on:
                status, kind = f"预备期已满未转正（{due} 届满）", PROBATION_OVER
            elif (due - on).days <= PROBATION_WARN_DAYS:
                status, kind = f"预备期将满（{PROBATION_WARN_DAYS} 天内）：{due} 届满，请准备讨论转正", PROBATION_SOON
            else:
                status, kind = f"预备期中，{due} 届满", ""
            rows.append(TimingRow(m.id, name, org, m.stage, "预备期", m.joined_on, due, status, kind))
    rows.sort(key=lambda r: (not r.warn, r.due_on or date.max, r.member_id))
    return rows


def count_short_training(s: Session, unit_id: int, on: date | None = None) -> int:
    """The 工作台 line: 发展对象 and 预备党员 made 发展对象 before a full year of 培养考察."""
    return sum(r.kind == SHORT_TRAINING for r in development_timing(s, unit_id, on))
