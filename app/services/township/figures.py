"""镇级汇总: a township's figures per village, per 片区 (片区党委) and in total (issue 23).

Every figure is the one the village's own pages show, taken from the area that owns it:
- 户: households not closed; 党员: 正式 and 预备党员 not gone (org.members' 党员 count);
- 星级文明户: the year's round (stars.rounds.round_for_year) counted as stars.stats.round_statistics
  counts it — decided levels, else reviewed ones; no round that year: zeros;
- 积分评定: the members' 年度评定 等次 of the year (points.assessments.assessment_status);
- 工单: received in the year, 办结率 / 满意率 as tickets.stats computes them;
- 公示: issued in the year and not withdrawn;
- 数据包: the village's current 上报 package (its date and age); none on a shared server.

Sums are sums of counts; every share and rate of a 小计 or 合计 is computed again from the summed counts
(1,058 / 3,355 = 31.5 %), never an average of the villages' rates.

Speed (47 villages, 150,000 residents): the counts are one grouped query each over the township's
villages; the star levels are one grouped query over the villages' rounds (the per-village
round_statistics also sorts households into 网格 and 党小组, which the township does not show); the
tickets and the published 积分评定 are one grouped query each too (the per-village services took
28 ms and 11 ms a village on PostgreSQL); a test holds every figure equal to the village's own service.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.models import (
    Assessment,
    Household,
    Notice,
    Operator,
    PackageSnapshot,
    PartyMember,
    Resident,
    StarApplication,
    StarRound,
    Ticket,
)
from app.models.org import MEMBER_STAGES
from app.models.points import GRADES
from app.models.unit import TOWNSHIP_KINDS

from .. import access
from ..errors import PermissionDenied, ServiceError
from ..points.assessments import assessment_status
from ..points.rules import PENDING
from ..stars.stats import _level_expr, percent
from ..tickets.stats import Rate
from ..tickets.workflow import SATISFIED
from ..units import NO_DISTRICT, UnitInfo, get_unit, list_villages

STAR_LEVELS = (5, 4, 3, 2, 1)
LEVEL_SHORT = {5: "五星", 4: "四星", 3: "三星", 2: "二星", 1: "一星"}
SUBTOTAL, TOTAL = "小计", "合计"


@dataclass(frozen=True)
class VillageFigures:
    """One village's figures, or a 片区's / the township's sums (unit_id None, name 小计 / 合计)."""

    unit_id: int | None
    name: str
    district: str
    members: int
    households: int
    star_levels: dict[int, int]  # 5..1 → households
    star_households: int
    star_share: float  # star_households / households (0.0 with no households)
    point_grades: dict[str, int]  # 优秀 / 良好 / 一般 / 差 (and 待定 while the 支委会 decides) → members
    tickets: int  # received in the year
    tickets_done_rate: float | None  # 办结 / (受理 − 撤销); None: no ticket counted
    satisfaction_rate: float | None  # (满意 + 基本满意) / 已评价; None: none rated
    notices: int
    last_package: date | None  # the current package's date (a total: the oldest); None: never sent one
    package_age_days: int | None
    # the counts the rates come from: a total sums these and computes its rates again
    tickets_counted: int = 0
    tickets_closed: int = 0
    tickets_rated: int = 0
    tickets_satisfied: int = 0
    villages: int = 1

    @property
    def done_rate(self) -> Rate:
        return Rate(self.tickets_closed, self.tickets_counted)

    @property
    def satisfaction(self) -> Rate:
        return Rate(self.tickets_satisfied, self.tickets_rated)

    @property
    def share_text(self) -> str:
        """31.5% — rounded half-up to one decimal as the 星级文明户统计表 prints it."""
        return f"{percent(self.star_households, self.households):.1f}%"


@dataclass(frozen=True)
class DistrictFigures:
    name: str  # the 片区 (片区党委), or 未分片区
    villages: list[VillageFigures]
    total: VillageFigures


@dataclass(frozen=True)
class TownshipFigures:
    township: str
    year: int
    villages: list[VillageFigures]  # in 片区 order, then by name
    districts: list[DistrictFigures]
    total: VillageFigures
    on: date = field(default_factory=date.today)  # the day the package ages count to


def require_township_reader(s: Session, township_id: int, action: str) -> UnitInfo:
    """The township unit, when the current operator may read all its villages: a 镇级 operator of this
    township, or nobody signed in (the command line). A village's operator sees only their own village."""
    actor = access.current_actor(s)
    if actor is not None:  # checked first: a village's operator may not even see the township unit
        op = s.get(Operator, actor.id)
        if actor.role != "township" or op is None or op.unit_id != township_id:
            raise PermissionDenied(f"{actor.display_name}（{actor.role_label}）无权{action}：只有本乡镇(街道)的镇级操作员"
                                   "可以查看全镇各村的数据，村(社区)操作员只能查看本村(社区)。")
    unit = get_unit(s, township_id)
    if not unit.is_township:
        raise ServiceError(f"“{unit.name}”是{unit.kind}，不是乡镇(街道)：镇级汇总只能按{'/'.join(TOWNSHIP_KINDS)}汇总。")
    return unit


def district_villages(s: Session, township_id: int) -> list[tuple[str, list[UnitInfo]]]:
    """The township's villages by 片区 (片区党委) in list_villages's order (第二 before 第三 and 第十二, then by
    name); villages without one last, under 未分片区."""
    groups: dict[str, list[UnitInfo]] = {}
    for v in list_villages(s, township_id):
        groups.setdefault(v.district or NO_DISTRICT, []).append(v)
    return list(groups.items())  # list_villages's order is already the 片区 order


def _grouped(s: Session, stmt: object) -> dict[int, int]:
    return {uid: int(n or 0) for uid, n in s.execute(stmt)}  # type: ignore[call-overload]


def _households(s: Session, ids: list[int]) -> dict[int, int]:
    return _grouped(s, select(Household.unit_id, func.count(Household.id))
                    .where(Household.unit_id.in_(ids), Household.closed_on.is_(None)).group_by(Household.unit_id))


def _members(s: Session, ids: list[int]) -> dict[int, int]:
    # the roster's 党员 (MemberQuery stage "members"): 正式 and 预备, not gone
    return _grouped(s, select(Resident.unit_id, func.count(PartyMember.id))
                    .join(Resident, Resident.id == PartyMember.resident_id)
                    .where(Resident.unit_id.in_(ids), PartyMember.stage.in_(MEMBER_STAGES), PartyMember.left_on.is_(None))
                    .group_by(Resident.unit_id))


def _notices(s: Session, ids: list[int], year: int) -> dict[int, int]:
    return _grouped(s, select(Notice.unit_id, func.count(Notice.id))
                    .where(Notice.unit_id.in_(ids), Notice.withdrawn_on.is_(None),
                           Notice.issued_on >= date(year, 1, 1), Notice.issued_on <= date(year, 12, 31))
                    .group_by(Notice.unit_id))


def _packages(s: Session, ids: list[int]) -> dict[int, date]:
    rows = s.execute(select(PackageSnapshot.unit_id, func.max(PackageSnapshot.as_of))
                     .where(PackageSnapshot.unit_id.in_(ids), PackageSnapshot.is_current.is_(True))
                     .group_by(PackageSnapshot.unit_id))
    return {uid: as_of for uid, as_of in rows}


def _star_levels(s: Session, ids: list[int], year: int) -> dict[int, Counter[int]]:
    """Households per level of each village's round of the year, as round_statistics counts them: open
    households, applications not withdrawn, the decided level (else the approved categories)."""
    # round_for_year: the year's latest round of each village
    latest = (select(StarRound.unit_id, func.max(StarRound.id).label("round_id"))
              .where(StarRound.unit_id.in_(ids), StarRound.year == year).group_by(StarRound.unit_id).subquery())
    level = _level_expr()  # the level round_statistics counts (decided, else the approved categories)
    stmt = (select(latest.c.unit_id, level, func.count(StarApplication.id))
            .join(StarApplication, StarApplication.round_id == latest.c.round_id)
            .join(Household, Household.id == StarApplication.household_id)
            .where(StarApplication.withdrawn_on.is_(None), Household.closed_on.is_(None),
                   Household.unit_id == latest.c.unit_id)
            .group_by(latest.c.unit_id, level))
    out: dict[int, Counter[int]] = {}
    for uid, lv, n in s.execute(stmt):
        if lv:
            out.setdefault(uid, Counter())[int(lv)] += int(n)
    return out


def _tickets(s: Session, ids: list[int], year: int) -> dict[int, tuple[int, int, int, int, int]]:
    """(受理, 受理 − 撤销, 办结, 已评价, 满意 + 基本满意) of the tickets received in the year, per village:
    tickets.stats.ticket_stats's counts, in one grouped query instead of one per village."""
    one = lambda cond: func.sum(case((cond, 1), else_=0))  # noqa: E731
    kept = Ticket.state != "cancelled"
    stmt = (select(Ticket.unit_id, func.count(Ticket.id), one(kept), one(Ticket.state == "closed"),
                   one(Ticket.satisfaction.isnot(None) & kept), one(Ticket.satisfaction.in_(SATISFIED) & kept))
            .where(Ticket.unit_id.in_(ids), Ticket.received_at >= datetime(year, 1, 1),
                   Ticket.received_at < datetime(year + 1, 1, 1))
            .group_by(Ticket.unit_id))
    return {uid: (int(n), int(a or 0), int(b or 0), int(c or 0), int(d or 0)) for uid, n, a, b, c, d in s.execute(stmt)}


def _grades(s: Session, ids: list[int], year: int) -> dict[int, dict[str, int]]:
    """The year's 年度评定 等次 per village, as assessment_status counts them: the stored grades (one grouped
    query for all villages), published or draft. Only a draft with members tied on a branch's total can hold
    待定 (a tie across a line under the 待定 rule): those villages — found by a second grouped query — go
    through assessment_status (one village's status took ~25 ms on PostgreSQL, 1.1 s for 47 drafts)."""
    rows = s.execute(select(Resident.unit_id, Assessment.grade, func.count(Assessment.id),
                            func.count(Assessment.decided_on))
                     .join(PartyMember, PartyMember.id == Assessment.member_id)
                     .join(Resident, Resident.id == PartyMember.resident_id)
                     .where(Resident.unit_id.in_(ids), Assessment.year == year)
                     .group_by(Resident.unit_id, Assessment.grade))
    counts: dict[int, Counter[str]] = {}
    published: dict[int, bool] = {}
    for uid, grade, n, decided in rows:
        counts.setdefault(uid, Counter())[grade] += int(n)
        published[uid] = published.get(uid, False) or bool(decided)
    drafts = [uid for uid in counts if not published[uid]]
    tied = set(s.scalars(
        select(Resident.unit_id).select_from(Assessment)
        .join(PartyMember, PartyMember.id == Assessment.member_id)
        .join(Resident, Resident.id == PartyMember.resident_id)
        .where(Resident.unit_id.in_(drafts), Assessment.year == year)
        .group_by(Resident.unit_id, PartyMember.org_id, Assessment.total)
        .having(func.count(Assessment.id) > 1).distinct()
    )) if drafts else set()
    out = {}
    for uid in ids:
        if uid in tied:
            out[uid] = dict(assessment_status(s, uid, year).distribution)
        else:  # not computed (all zeros), published, or a draft nobody in it is 待定
            out[uid] = {g: counts.get(uid, Counter()).get(g, 0) for g in GRADES}
    return out


def _village(v: UnitInfo, on: date, households: int, members: int, levels: Counter[int],
             grades: dict[str, int], tickets: Sequence[int], notices: int, package: date | None) -> VillageFigures:
    total, counted, closed, rated, satisfied = tickets
    starred = sum(levels.values())
    return VillageFigures(
        unit_id=v.id, name=v.name, district=v.district or NO_DISTRICT, members=members, households=households,
        star_levels={lv: levels.get(lv, 0) for lv in STAR_LEVELS}, star_households=starred,
        star_share=starred / households if households else 0.0, point_grades=grades, tickets=total,
        tickets_done_rate=closed / counted if counted else None, satisfaction_rate=satisfied / rated if rated else None,
        notices=notices, last_package=package, package_age_days=(on - package).days if package else None,
        tickets_counted=counted, tickets_closed=closed, tickets_rated=rated, tickets_satisfied=satisfied,
    )


def sum_figures(name: str, district: str, parts: Iterable[VillageFigures], on: date) -> VillageFigures:
    """The sums of villages' figures; shares and rates computed again from the summed counts."""
    parts = list(parts)
    add = lambda attr: sum(getattr(p, attr) for p in parts)  # noqa: E731
    levels = {lv: sum(p.star_levels.get(lv, 0) for p in parts) for lv in STAR_LEVELS}
    grades: Counter[str] = Counter()
    for p in parts:
        grades.update(p.point_grades)
    order = [*GRADES, PENDING]
    households, starred = add("households"), sum(levels.values())
    counted, closed, rated, satisfied = (add(a) for a in ("tickets_counted", "tickets_closed", "tickets_rated",
                                                           "tickets_satisfied"))
    sent = [p.last_package for p in parts if p.last_package is not None]
    oldest = min(sent) if sent else None  # the stalest village's package is what the total is as old as
    return VillageFigures(
        unit_id=None, name=name, district=district, members=add("members"), households=households,
        star_levels=levels, star_households=starred, star_share=starred / households if households else 0.0,
        point_grades={g: grades[g] for g in order if g in GRADES or grades[g]}, tickets=add("tickets"),
        tickets_done_rate=closed / counted if counted else None, satisfaction_rate=satisfied / rated if rated else None,
        notices=add("notices"), last_package=oldest, package_age_days=(on - oldest).days if oldest else None,
        tickets_counted=counted, tickets_closed=closed, tickets_rated=rated, tickets_satisfied=satisfied,
        villages=len(parts),
    )


def township_figures(s: Session, township_id: int, year: int | None = None, today: date | None = None) -> TownshipFigures:
    """The township's figures of the year (default: this year) per village, per 片区 and in total."""
    unit = require_township_reader(s, township_id, "查看镇级汇总")
    on = today or date.today()
    year = year or on.year
    groups = district_villages(s, township_id)
    villages = [v for _d, vs in groups for v in vs]
    ids = [v.id for v in villages]
    households, members, notices = _households(s, ids), _members(s, ids), _notices(s, ids, year)
    levels, packages = _star_levels(s, ids, year), _packages(s, ids)
    tickets, grades = _tickets(s, ids, year), _grades(s, ids, year)
    rows = [_village(v, on, households.get(v.id, 0), members.get(v.id, 0), levels.get(v.id, Counter()), grades[v.id],
                     tickets.get(v.id, (0, 0, 0, 0, 0)), notices.get(v.id, 0), packages.get(v.id)) for v in villages]
    districts: dict[str, list[VillageFigures]] = {}
    for f in rows:
        districts.setdefault(f.district, []).append(f)
    totals = [DistrictFigures(d, fs, sum_figures(SUBTOTAL, d, fs, on)) for d, fs in districts.items()]
    return TownshipFigures(unit.name, year, rows, totals, sum_figures(TOTAL, "", rows, on), on)


# ---------------------------------------------------------------- the printed lines


def _n(value: int) -> str:
    return f"{value:,}"


def _rate(rate: Rate) -> str:
    return rate.text if rate.den else "—"


def figure_text(f: VillageFigures) -> str:
    """户 3,355 · 党员 … · 星级文明户 1,058 户（五星 217 / …），占 31.5% · 积分评定 … · 工单 … · 公示 …"""
    levels = " / ".join(f"{LEVEL_SHORT[lv]} {_n(f.star_levels.get(lv, 0))}" for lv in STAR_LEVELS)
    grades = " / ".join(f"{g} {_n(n)}" for g, n in f.point_grades.items())
    parts = [
        f"户 {_n(f.households)}", f"党员 {_n(f.members)} 名",
        f"星级文明户 {_n(f.star_households)} 户（{levels}），占 {f.share_text}",
        f"积分评定 {grades}" if any(f.point_grades.values()) else "积分评定 未计算",
        f"工单 {_n(f.tickets)} 件，办结率 {_rate(f.done_rate)}，满意率 {_rate(f.satisfaction)}",
        f"公示 {_n(f.notices)} 份",
    ]
    return " · ".join(parts)


def package_text(f: VillageFigures) -> str:
    """数据包 2026-11-30（3 天前）, 在线 (a village on the shared server), or 无数据."""
    if f.last_package is not None:
        age = "今天" if f.package_age_days == 0 else f"{f.package_age_days} 天前"
        return f"数据包 {f.last_package.isoformat()}（{age}）"
    return "在线" if f.households or f.members else "无数据"


def township_stats_lines(figures: TownshipFigures) -> list[str]:
    """What `villagedesk township stats` prints: each village under its 片区, the 片区 小计, the 合计."""
    t = figures
    lines = [f"{t.township}{t.year}年度各村汇总（{len(t.villages)} 个村(社区)，统计日 {t.on.isoformat()}）"]
    if not t.villages:
        return [*lines, "该乡镇(街道)下还没有村(社区)。"]
    for d in t.districts:
        lines.append(f"{d.name}（{len(d.villages)} 个村）")
        lines += [f"  {v.name}：{figure_text(v)} · {package_text(v)}" for v in d.villages]
        lines.append(f"  {d.name}小计：{figure_text(d.total)}")
    lines.append(f"合计（{len(t.villages)} 个村）：{figure_text(t.total)}")
    return lines

