"""年度评定: compute → review → publish, then 约谈 / 劝退 follow-up.

Seed 004: one year is one cycle; at year end members are ranked and graded 优秀/良好/一般/差; a first
failing grade → 当面约谈; failing two years running → 劝说退党 (劝退), and 除名 if they refuse.

- compute_assessment gives every member the year's 基础分 if missing, then writes one Assessment per
  member: total, rank within the branch, grade by the bands in 设置 (point_rules.GradeBands) and the
  follow-up. Running it again before publication replaces the draft rows.
- publish_assessment (the 书记 only) stamps decided_on: from then on the rows and the year's entries
  are frozen. It refuses when points changed after the last computation (draft_problem), or while
  members are 待定.
- Members tied on one total across a capped grade's line (优秀, 良好) follow the unit's tie rule
  (GradeBands.ties): all take the grade below (名额不超比例), or are 待定 until decide_grade records the
  支委会's choice. Undecided rows hold the grade below; the choices are derived again from the stored
  totals, and the decisions kept in the Setting `points.tie_decisions.<year>` (member id → grade) — a
  recomputation keeps those still between the same grades.
- current_assessment is what outputs (the ranking 公示) call: a stale draft is recomputed when the
  operator may compute it, otherwise refused with the reason.
- The follow-up record (date, who talked, outcome) is appended to the row's follow_up_note as JSON
  lines — the schema has one text column for it; records are only ever added.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from app.models import Assessment, PartyMember, PartyOrg, Resident
from app.models.points import GRADES

from .. import access, audit
from ..errors import NotFound, ServiceError
from ..settings import get_setting, set_setting
from ..validation import Problems
from .member_points import (
    Totals,
    competition_ranks,
    forget_published,
    grant_base_points,
    members_in_year,
    published_on,
    totals_by_member,
)
from .rules import PENDING, GradeBands, TieNote, get_grade_bands, points_text

FAIL = "差"
DECISIONS_KEY = "points.tie_decisions.{year}"


@dataclass(frozen=True)
class FollowUpRecord:
    on: str  # yyyy-mm-dd
    by: str  # who talked
    outcome: str

    def text(self) -> str:
        return f"{self.on} {self.by}：{self.outcome}"


def _records(note: str) -> list[FollowUpRecord]:
    out = []
    for line in (note or "").splitlines():
        try:
            d = json.loads(line)
            out.append(FollowUpRecord(str(d["on"]), str(d["by"]), str(d["outcome"])))
        except (ValueError, KeyError, TypeError):
            if line.strip():
                out.append(FollowUpRecord("", "", line.strip()))  # a note written by hand
    return out


@dataclass(frozen=True)
class AssessmentRow:
    id: int
    member_id: int
    name: str
    org_id: int
    org_name: str
    category: str
    base: Decimal
    duty: Decimal
    reward: Decimal
    deduct: Decimal
    total: Decimal
    rank: int
    branch_size: int
    grade: str
    previous_grade: str | None
    follow_up: str | None
    records: list[FollowUpRecord]
    published: bool
    choices: tuple[str, ...] = ()  # tied across a line under the 待定 rule: the grades the 支委会 may give

    @property
    def records_text(self) -> str:
        """The records on one line (a table cell on screen)."""
        return "；".join(r.text() for r in self.records)

    @property
    def records_lines(self) -> str:
        """One record per line (the printed 约谈劝退名单: the row grows to show every record)."""
        return "\n".join(r.text() for r in self.records)


@dataclass(frozen=True)
class AssessmentStatus:
    year: int
    computed: int  # rows
    published_on: date | None
    distribution: dict[str, int]  # grade -> members, in GRADES order
    follow_ups: dict[str, int]  # 约谈 / 劝退 / 除名 -> members
    bands: GradeBands
    ties: tuple[str, ...] = ()  # one line per tie across a line: what was done with it
    undecided: int = 0  # members 待定, for the 支委会

    @property
    def state(self) -> str:
        if self.published_on is not None:
            return "已发布"
        return "待发布" if self.computed else "未计算"

    def shares_text(self) -> str:
        """优秀 12 名（20%），良好 …: the grades as counts and shares of the members assessed."""
        if not self.computed:
            return ""
        return "，".join(f"{g} {n} 名（{round(100 * n / self.computed)}%）" for g, n in self.distribution.items())


def _unit_rows(s: Session, unit_id: int, year: int) -> list[Assessment]:
    return list(s.scalars(
        select(Assessment).join(PartyMember, PartyMember.id == Assessment.member_id)
        .join(Resident, Resident.id == PartyMember.resident_id)
        .where(Resident.unit_id == unit_id, Assessment.year == year)
    ))


def _unit_row_ids(s: Session, unit_id: int, year: int) -> list[int]:
    return list(s.scalars(
        select(Assessment.id).join(PartyMember, PartyMember.id == Assessment.member_id)
        .join(Resident, Resident.id == PartyMember.resident_id)
        .where(Resident.unit_id == unit_id, Assessment.year == year)
    ))


@dataclass(frozen=True)
class _Planned:
    member_id: int
    org_id: int
    totals: Totals
    rank: int
    grade: str
    follow_up: str | None


# a stored row: member, branch, total, grade, follow-up, rank
_Stored = tuple[int, int, Decimal, str, str | None, int]
# a placement of every branch: grade (undecided: the grade below), 待定 choices, ties, competition ranks
_Placed = tuple[dict[int, str], dict[int, tuple[str, ...]], list[TieNote], dict[int, int]]


def _place(bands: GradeBands, members: list[tuple[int, int, Decimal]]) -> _Placed:
    """(member, branch, total) of every member → grades, 待定 choices, ties, ranks (see _Placed)."""
    branches: dict[int, dict[int, Decimal]] = {}
    for mid, org_id, total in members:
        branches.setdefault(org_id, {})[mid] = total
    grades: dict[int, str] = {}
    pending: dict[int, tuple[str, ...]] = {}
    ties: list[TieNote] = []
    ranks: dict[int, int] = {}
    for org_id, totals in branches.items():
        placed = bands.place(org_id, totals)
        grades.update(placed.grades)
        pending.update(placed.pending)
        ties += placed.ties
        ranks.update(competition_ranks(totals))
    return grades, pending, ties, ranks


def _decisions(s: Session, unit_id: int, year: int) -> dict[int, str]:
    value = get_setting(s, unit_id, DECISIONS_KEY.format(year=year), {})
    return {int(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def _plan(s: Session, unit_id: int, year: int, totals: dict[int, Totals] | None = None
          ) -> tuple[list[_Planned], _Placed]:
    """What the rows should be now (every member in scope), and the placement they come from."""
    bands = get_grade_bands(s, unit_id)
    members: list[tuple[int, int]] = [
        (mid, org_id) for mid, org_id in
        s.execute(members_in_year(unit_id, year).with_only_columns(PartyMember.id, PartyMember.org_id))]
    totals = totals_by_member(s, unit_id, year) if totals is None else totals
    placed = _place(bands, [(mid, org, totals.get(mid, Totals()).total) for mid, org in members])
    grades, pending, _ties, ranks = placed
    decided = _decisions(s, unit_id, year)
    # only a published previous year counts as a first failing grade
    before = dict(s.execute(select(Assessment.member_id, Assessment.grade).where(
        Assessment.year == year - 1, Assessment.decided_on.isnot(None),
        Assessment.member_id.in_([mid for mid, _o in members] or [-1]))).all())
    out = []
    for mid, org in members:
        grade = grades[mid]
        if decided.get(mid) in pending.get(mid, ()):
            grade = decided[mid]
        follow = None
        if grade == FAIL:
            follow = "劝退" if before.get(mid) == FAIL else "约谈"
        out.append(_Planned(mid, org, totals.get(mid, Totals()), ranks[mid], grade, follow))
    return out, placed


def _tie_lines(s: Session, bands: GradeBands, ties: list[TieNote], decided: dict[int, str]) -> tuple[str, ...]:
    """One line per tie: branch, places, total, the rule applied — and for 待定, what the 支委会 decided so far."""
    names = dict(s.execute(select(PartyOrg.id, PartyOrg.name).where(
        PartyOrg.id.in_({t.org_id for t in ties} or {-1}))).all())
    out = []
    for t in ties:
        line = f"{names.get(t.org_id, '')}：{t.text(bands.ties)}"
        if t.outcome == PENDING:
            chosen = Counter(decided[m] for m in t.member_ids if decided.get(m) in t.choices)
            if chosen:
                left = t.count - sum(chosen.values())
                line += "；支委会已确定" + "，".join(f"{g} {chosen[g]} 人" for g in t.choices if chosen[g])
                line += f"，还有 {left} 人待定" if left else ""
        out.append(line)
    return tuple(out)


def compute_assessment(s: Session, unit_id: int, year: int, on: date | None = None,
                       why: str = "") -> AssessmentStatus:
    """Compute (or re-compute, before publication) the year's assessment. why: said in the 操作日志."""
    access.require_role(s, *access.ENTRY_ROLES, action="计算年度积分评定")
    published = published_on(s, unit_id, year)
    if published is not None:
        raise ServiceError(f"{year}年度积分评定已于 {published.isoformat()} 发布，不能重新计算。")
    grant_base_points(s, unit_id, year, on)
    old = _unit_row_ids(s, unit_id, year)
    if old:
        s.execute(delete(Assessment).where(Assessment.id.in_(old)))  # drafts: replaced as a whole
    plan, placed = _plan(s, unit_id, year)
    pending = placed[1]
    if plan:  # one Core executemany: 10,000 members are 10,000 rows, not ORM objects
        # render_nulls: follow_up None in some rows would otherwise split the executemany by key set
        s.execute(insert(Assessment).execution_options(render_nulls=True), [
            {"member_id": p.member_id, "year": year, "total": p.totals.total, "rank": p.rank, "grade": p.grade,
             "follow_up": p.follow_up, "follow_up_note": ""} for p in plan])
    decided = _decisions(s, unit_id, year)
    kept = {str(mid): g for mid, g in decided.items() if g in pending.get(mid, ())}
    if len(kept) != len(decided):  # a decision no longer between the same grades is dropped
        set_setting(s, unit_id, DECISIONS_KEY.format(year=year), kept, f"{year}年度评定待定等次")
    stored = [(p.member_id, p.org_id, p.totals.total, p.grade, p.follow_up, p.rank) for p in plan]
    status = _status(s, unit_id, year, stored, get_grade_bands(s, unit_id), None, placed)
    dist = "，".join(f"{g} {n} 人" for g, n in status.distribution.items())
    audit.record(s, unit_id, "update" if old else "create", "assessment", None,
                 f"{'重新' if old else ''}计算{year}年度积分评定：{len(plan)} 人（{dist}）{why}")
    return status


def _stored(s: Session, unit_id: int, year: int) -> list[_Stored]:
    """The year's rows (see _Stored)."""
    return [(mid, org, Decimal(total), grade, follow, rank) for mid, org, total, grade, follow, rank in s.execute(
        select(Assessment.member_id, PartyMember.org_id, Assessment.total, Assessment.grade, Assessment.follow_up,
               Assessment.rank)
        .join(PartyMember, PartyMember.id == Assessment.member_id)
        .join(Resident, Resident.id == PartyMember.resident_id)
        .where(Resident.unit_id == unit_id, Assessment.year == year))]


def _undecided(s: Session, unit_id: int, year: int, pending: dict[int, tuple[str, ...]]) -> dict[int, tuple[str, ...]]:
    """Members of a draft still 待定 (no decision among their choices yet) → their choices."""
    decided = _decisions(s, unit_id, year)
    return {mid: c for mid, c in pending.items() if decided.get(mid) not in c}


def _placed_of(bands: GradeBands, stored: list[_Stored]) -> _Placed:
    """The placement a draft's own totals give (what it did with ties, who is 待定)."""
    return _place(bands, [(mid, org, total) for mid, org, total, *_ in stored])


def assessment_status(s: Session, unit_id: int, year: int) -> AssessmentStatus:
    return _status(s, unit_id, year, _stored(s, unit_id, year), get_grade_bands(s, unit_id),
                   published_on(s, unit_id, year))


def _status(s: Session, unit_id: int, year: int, stored: list[_Stored], bands: GradeBands, published: date | None,
            placed: _Placed | None = None) -> AssessmentStatus:
    undecided: dict[int, tuple[str, ...]] = {}
    ties: tuple[str, ...] = ()
    if stored and published is None:
        _g, pending, notes, _r = placed or _placed_of(bands, stored)
        ties = _tie_lines(s, bands, notes, _decisions(s, unit_id, year))
        undecided = _undecided(s, unit_id, year, pending)
    grades = Counter(PENDING if row[0] in undecided else row[3] for row in stored)
    follows = Counter(row[4] for row in stored if row[4])
    dist = {g: grades.get(g, 0) for g in GRADES}
    if undecided:
        dist = {**dist, PENDING: len(undecided)}
    return AssessmentStatus(year, len(stored), published, dist, dict(follows), bands, ties, len(undecided))


def _check(s: Session, unit_id: int, year: int, totals: dict[int, Totals] | None
           ) -> tuple[str | None, list[_Stored], _Placed | None]:
    """(why the draft is stale or None, its rows, the placement now) — rows [] when there is no draft."""
    if published_on(s, unit_id, year) is not None:
        return None, [], None
    rows = _stored(s, unit_id, year)
    if not rows:
        return None, [], None
    stored = {mid: (total, rank, grade, follow) for mid, _o, total, grade, follow, rank in rows}
    plan, placed = _plan(s, unit_id, year, totals)
    if {p.member_id for p in plan} != set(stored):
        return "计算之后参加评定的党员有变动", rows, placed
    if any((p.totals.total, p.rank) != stored[p.member_id][:2] for p in plan):
        return "计算之后积分记录有变动", rows, placed
    if any((p.grade, p.follow_up) != stored[p.member_id][2:] for p in plan):
        return "计算之后评定档次有变动", rows, placed
    return None, rows, placed


def draft_problem(s: Session, unit_id: int, year: int, totals: dict[int, Totals] | None = None) -> str | None:
    """Why the year's draft no longer matches the members, their points or the 评定档次 (None: it matches,
    or there is no draft to check — not computed, or published). totals: the year's, when the caller has them."""
    return _check(s, unit_id, year, totals)[0]


def shown_grades(s: Session, unit_id: int, year: int, totals: dict[int, Totals] | None = None
                 ) -> dict[int, str] | None:
    """Grades an output may show beside the live totals: the published ones, or the draft's while it still
    matches the point records (待定 for members the 支委会 has yet to decide); None when there is no
    assessment or the draft is stale (then an output shows live totals and no grades)."""
    if published_on(s, unit_id, year) is not None:
        return {row[0]: row[3] for row in _stored(s, unit_id, year)}
    problem, rows, placed = _check(s, unit_id, year, totals)
    if problem is not None or placed is None:
        return None
    undecided = _undecided(s, unit_id, year, placed[1])  # a matching draft: its placement is the current one
    return {row[0]: PENDING if row[0] in undecided else row[3] for row in rows}


def current_assessment(s: Session, unit_id: int, year: int, purpose: str) -> AssessmentStatus:
    """The year's assessment as an output may show it: published, or a draft that still matches the point
    records — a stale draft is recomputed when the operator may compute it, else refused with the reason.
    A draft with members 待定 is refused too (the 支委会 decides first). purpose: e.g. 生成积分排名公示."""
    status = assessment_status(s, unit_id, year)
    if not status.computed:
        raise ServiceError(f"{year}年度还没有计算积分评定，请先在“党员积分 → 年度评定”中计算。")
    if status.published_on is not None:
        return status
    problem = draft_problem(s, unit_id, year)
    if problem is not None:
        try:
            access.require_role(s, *access.ENTRY_ROLES, action="重新计算年度积分评定")
        except ServiceError as e:
            raise ServiceError(f"{year}年度评定草稿{problem}，请先在年度评定向导中重新计算，再{purpose}。") from e
        status = compute_assessment(s, unit_id, year, why=f"（{purpose}时发现草稿{problem}，自动重新计算）")
    if status.undecided:
        names = "、".join(r.name for r in list_assessment(s, unit_id, year) if r.grade == PENDING)
        raise ServiceError(f"{year}年度评定有 {status.undecided} 名党员同分跨过名额线、等次待支委会确定（{names}），"
                           f"请先在年度评定向导中确定等次，再{purpose}。")
    return status


def _assessment_and_person(s: Session, assessment_id: int) -> tuple[Assessment, Resident]:
    """An assessment row and the person it grades (NotFound for an unknown id)."""
    a = s.get(Assessment, assessment_id)
    if a is None:
        raise NotFound("找不到该评定记录")
    member = s.get(PartyMember, a.member_id)
    assert member is not None
    resident = s.get(Resident, member.resident_id)
    assert resident is not None
    return a, resident


def decide_grade(s: Session, assessment_id: int, grade: str) -> None:
    """Record the 支委会's choice for a member left 待定 (tied across a line under the 待定 rule)."""
    access.require_role(s, *access.ENTRY_ROLES, action="确定待定等次")
    a, resident = _assessment_and_person(s, assessment_id)
    unit_id, year = resident.unit_id, a.year
    if published_on(s, unit_id, year) is not None:
        raise ServiceError(f"{year}年度积分评定已发布，不能再改等次。")
    problem = draft_problem(s, unit_id, year)
    if problem is not None:
        raise ServiceError(f"{year}年度评定草稿{problem}，请先重新计算，再确定待定等次。")
    pending = _placed_of(get_grade_bands(s, unit_id), _stored(s, unit_id, year))[1]
    choices = pending.get(a.member_id, ())
    if not choices:
        raise ServiceError(f"{resident.name} 没有同分跨过名额线，等次按排名评定，不需要支委会确定。")
    if grade not in choices:
        raise ServiceError(f"{resident.name} 只能评为{'或'.join(choices)}。")
    decided = {str(mid): g for mid, g in _decisions(s, unit_id, year).items()}
    decided[str(a.member_id)] = grade
    set_setting(s, unit_id, DECISIONS_KEY.format(year=year), decided, f"{year}年度评定待定等次")
    a.grade = grade
    s.flush()
    audit.record(s, unit_id, "update", "assessment", a.id,
                 f"支委会确定{year}年度评定等次：{resident.name} {points_text(a.total)} 分，评为{grade}")


def publish_assessment(s: Session, unit_id: int, year: int, on: date | None = None) -> AssessmentStatus:
    """Publish (the 书记): the rows and the year's point entries are frozen from now on."""
    access.require_role(s, "admin", action="发布年度积分评定")
    on = on or date.today()
    rows = _unit_rows(s, unit_id, year)
    if not rows:
        raise ServiceError(f"{year}年度还没有计算积分评定，请先计算。")
    published = published_on(s, unit_id, year)
    if published is not None:
        raise ServiceError(f"{year}年度积分评定已于 {published.isoformat()} 发布。")
    problem = draft_problem(s, unit_id, year)
    if problem is not None:
        raise ServiceError(f"{problem}，请先重新计算，核对后再发布。")
    undecided = assessment_status(s, unit_id, year).undecided
    if undecided:
        raise ServiceError(f"还有 {undecided} 名党员同分跨过名额线、等次待定，请支委会确定后再发布。")
    for a in rows:
        a.decided_on = on
    s.flush()
    forget_published(s)
    audit.record(s, unit_id, "publish", "assessment", None, f"发布{year}年度积分评定（{len(rows)} 人）")
    return assessment_status(s, unit_id, year)


def list_assessment(s: Session, unit_id: int, year: int) -> list[AssessmentRow]:
    """The year's rows, by branch and rank; a draft's members still 待定 show 待定 as their grade."""
    rows = s.execute(
        select(Assessment, PartyMember, Resident.name, PartyOrg.name)
        .join(PartyMember, PartyMember.id == Assessment.member_id)
        .join(Resident, Resident.id == PartyMember.resident_id).join(PartyOrg, PartyOrg.id == PartyMember.org_id)
        .where(Resident.unit_id == unit_id, Assessment.year == year)
        .order_by(PartyOrg.sort_order, PartyOrg.id, Assessment.rank, Resident.name_pinyin)
    ).all()
    ids = [a.member_id for a, *_ in rows]
    totals = totals_by_member(s, unit_id, year, ids)
    before = dict(s.execute(select(Assessment.member_id, Assessment.grade).where(
        Assessment.year == year - 1, Assessment.member_id.in_(ids or [-1]))).all())
    sizes = Counter(m.org_id for _a, m, *_ in rows)
    pending: dict[int, tuple[str, ...]] = {}
    undecided: dict[int, tuple[str, ...]] = {}
    if rows and rows[0][0].decided_on is None:
        pending = _place(get_grade_bands(s, unit_id), [(a.member_id, m.org_id, Decimal(a.total)) for a, m, *_ in rows])[1]
        undecided = _undecided(s, unit_id, year, pending)
    out = []
    for a, m, name, org_name in rows:
        t = totals.get(m.id, Totals())
        grade = PENDING if m.id in undecided else a.grade
        out.append(AssessmentRow(a.id, m.id, name, m.org_id, org_name, m.points_category, t.base, t.duty, t.reward,
                                 t.deduct, Decimal(a.total), a.rank, sizes[m.org_id], grade, before.get(m.id),
                                 a.follow_up, _records(a.follow_up_note), a.decided_on is not None,
                                 pending.get(m.id, ())))
    return out


def follow_up_list(s: Session, unit_id: int, year: int) -> list[AssessmentRow]:
    """约谈 / 劝退 / 除名 of the year, for the township."""
    return [r for r in list_assessment(s, unit_id, year) if r.follow_up]


def record_follow_up(s: Session, assessment_id: int, on: date | None, by: str, outcome: str,
                     removal: bool = False) -> None:
    """Add a follow-up record (约谈/劝退 done: date, who talked, outcome). removal: 劝退 refused → 除名."""
    access.require_role(s, *access.ENTRY_ROLES, action="登记约谈/劝退情况")
    a, resident = _assessment_and_person(s, assessment_id)
    p = Problems()
    if a.decided_on is None:
        p.add("on", "日期", "评定发布之后才能登记约谈、劝退情况")
    elif not a.follow_up:
        p.add("on", "日期", f"{resident.name} {a.year}年度评定为{a.grade}，不需要约谈或劝退")
    if on is None:
        p.add("on", "日期", "请填写日期")
    elif on > date.today():
        p.add("on", "日期", "日期晚于今天")
    elif a.decided_on is not None and on < a.decided_on:
        p.add("on", "日期", f"不能早于评定发布日期（{a.decided_on.isoformat()}）")
    by = p.text("by", "谈话人", by, required=True, max_len=40)
    outcome = p.text("outcome", "结果", outcome, required=True, max_len=300)
    if removal and a.follow_up != "劝退":
        p.add("outcome", "结果", "只有劝退不退的，才能除名")
    p.raise_if_any()
    assert on is not None
    line = json.dumps({"on": on.isoformat(), "by": by, "outcome": outcome}, ensure_ascii=False)
    a.follow_up_note = (a.follow_up_note + "\n" if a.follow_up_note else "") + line
    if removal:
        a.follow_up = "除名"
    s.flush()
    audit.record(s, resident.unit_id, "update", "assessment", a.id,
                 f"登记{a.follow_up}情况：{resident.name}（{outcome}）", {"on": on.isoformat(), "by": by})
