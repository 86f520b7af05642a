"""The year's key figures under the 工作台's 今日待办, and the one-page summary PDF for the 述职.

Every figure comes from its area's own count or statistics function (the same numbers the area's page
and 台账 show): org.members.count_members, people counts, stars.stats.round_statistics, points
assessments.assessment_status, tickets.stats.summary. Nothing is computed twice in another way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.models import Meeting, PartyOrg
from app.models.points import MEETING_KINDS

from ..errors import ServiceError
from ..org.members import MemberQuery, count_members
from ..people.households import HouseholdQuery, count_households
from ..people.residents import ResidentQuery, count_residents
from ..points.assessments import assessment_status
from ..stars.rounds import round_for_year
from ..stars.stats import round_statistics
from ..tickets.stats import summary
from ..units import get_unit


@dataclass(frozen=True)
class Figure:
    label: str
    value: str  # as shown and printed, with its unit (「215 名」, 「98.8%」)
    note: str = ""  # a short explanation after the value


@dataclass(frozen=True)
class YearFigures:
    unit_name: str
    year: int
    on: date  # the figures as of this day
    sections: list[tuple[str, list[Figure]]] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"{self.unit_name}{self.year}年度党建工作概况"

    def value(self, label: str) -> str:
        """The value of the figure so labelled (tests, the CLI)."""
        for _heading, figures in self.sections:
            for f in figures:
                if f.label == label:
                    return f.value
        raise KeyError(label)


def _people(s: Session, unit_id: int, year: int) -> list[Figure]:
    members = count_members(s, MemberQuery(unit_id, stage="members"))
    probation = count_members(s, MemberQuery(unit_id, stage="预备党员"))
    pipeline = count_members(s, MemberQuery(unit_id, stage="pipeline"))
    orgs = s.scalar(select(func.count(PartyOrg.id)).where(PartyOrg.unit_id == unit_id,
                                                          PartyOrg.closed_on.is_(None))) or 0
    return [
        Figure("党员", f"{members} 名", f"其中正式党员 {members - probation} 名，预备党员 {probation} 名"),
        Figure("发展党员", f"{pipeline} 名", "申请入党、入党积极分子和发展对象"),
        Figure("党组织", f"{orgs} 个", "党委、党总支、党支部和党小组"),
        Figure("户", f"{count_households(s, HouseholdQuery(unit_id))} 户", "在册户"),
        Figure("居民", f"{count_residents(s, ResidentQuery(unit_id))} 人", "在册居民（含外出务工）"),
    ]


def _stars(s: Session, unit_id: int, year: int) -> list[Figure]:
    try:
        round_id = round_for_year(s, unit_id, year)
    except ServiceError:
        return [Figure("星级文明户", "本年度未评选")]
    st = round_statistics(s, round_id)
    levels = "、".join(f"{label}{n}" for label, n in st.level_counts() if n) + "（户）"  # one line on screen
    state = "已确定" if st.decided else "评选中"
    return [
        Figure("星级文明户", f"{st.total.starred} 户", f"占在册户 {st.total.share:.1f}%（{state}）"),
        Figure("申报户", f"{st.total.applied} 户", f"参与率 {st.total.participation:.1f}%"),
        *([Figure("各星级", "", levels)] if st.total.starred else []),
    ]


def _points(s: Session, unit_id: int, year: int) -> list[Figure]:
    st = assessment_status(s, unit_id, year)
    if not st.computed:
        return [Figure("积分评定", "未计算", "年终在“党员积分”页计算评定档次")]
    grades = "、".join(f"{g}{n}" for g, n in st.distribution.items())
    return [Figure("积分评定", f"{st.computed} 名", f"{st.state}：{grades}（名）")]


def _meetings(s: Session, unit_id: int, year: int) -> list[Figure]:
    held = dict(s.execute(
        select(Meeting.kind, func.count(Meeting.id))
        .where(Meeting.unit_id == unit_id, Meeting.held_at >= datetime(year, 1, 1),
               Meeting.held_at < datetime(year + 1, 1, 1),
               or_(Meeting.cancelled_reason.is_(None), Meeting.cancelled_reason == ""))
        .group_by(Meeting.kind)).all())
    total = sum(held.values())
    return [Figure("三会一课", f"{total} 次",
                   "，".join(f"{k} {held[k]} 次" for k in MEETING_KINDS if held.get(k)) or "本年度尚无记录")]


def _tickets(s: Session, unit_id: int, year: int) -> list[Figure]:
    st = summary(s, unit_id, date(year, 1, 1), date(year, 12, 31))
    return [
        Figure("受理工单", f"{st.total} 件", f"办结 {st.closed} 件，办理中 {st.open} 件（逾期 {st.overdue} 件）"),
        Figure("办结率", st.closure.text, f"{st.closed}/{st.counted}"),
        Figure("满意率", st.satisfaction.text, f"满意和基本满意 {st.satisfied}/已回访评价 {st.rated}"),
        Figure("按期办结率", st.on_time_rate.text, f"{st.on_time}/{st.closed}"),
    ]


SECTIONS = (("党员和群众", _people), ("星级文明户", _stars), ("党员积分", _points), ("三会一课", _meetings),
            ("为民服务（工单）", _tickets))


def year_figures(s: Session, unit_id: int, year: int | None = None, on: date | None = None) -> YearFigures:
    on = on or date.today()
    year = year or on.year
    unit = get_unit(s, unit_id)
    return YearFigures(unit.name, year, on, [(heading, build(s, unit_id, year)) for heading, build in SECTIONS])


def print_summary(s: Session, unit_id: int, out_path: Path, year: int | None = None) -> Path:
    """年度概况: the year's figures on one A4 page (for the 述职); returns the file written."""
    from app.io.summary_pdf import render_summary  # reportlab only when printing

    figures = year_figures(s, unit_id, year)
    sections = [(heading, [(f.label, f.value, f.note) for f in fs]) for heading, fs in figures.sections]
    footer = f"数据截至 {figures.on:%Y年%m月%d日}　村级党建工作台生成"
    return render_summary(Path(out_path), figures.title, sections, footer)
