"""年度评定: compute → review → publish, then 约谈 / 劝退 follow-up.

Seed 004: one year is one cycle; at year end members are ranked and graded 优秀/良好/一般/差; a first
failing grade → 当面约谈; failing two years running → 劝说退党 (劝退), and 除名 if they refuse.

- compute_assessment gives every member the year's 基础分 if missing, then writes one Assessment per
  member: total, rank within the branch, grade by the bands in 设置 (point_rules.GradeBands) and the
  follow-up. Running it again before publication replaces the draft rows.
- publish_assessment (the 书记 only) stamps decided_on: from then on the rows and the year's entries
  are frozen. It refuses when points changed after the last computation.
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
from .rules import GradeBands, get_grade_bands

FAIL = "差"


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

    @property
    def records_text(self) -> str:
        return "；".join(r.text() for r in self.records)


@dataclass(frozen=True)
class AssessmentStatus:
    year: int
    computed: int  # rows
    published_on: date | None
    distribution: dict[str, int]  # grade -> members, in GRADES order
    follow_ups: dict[str, int]  # 约谈 / 劝退 / 除名 -> members
    bands: GradeBands

    @property
    def state(self) -> str:
        if self.published_on is not None:
            return "已发布"
        return "待发布" if self.computed else "未计算"


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


def _plan(s: Session, unit_id: int, year: int) -> list[tuple[int, Totals, int, int, str, str | None]]:
    """(member id, totals, rank, branch size, grade, follow-up) for every member in scope."""
    bands = get_grade_bands(s, unit_id)
    members: list[tuple[int, int]] = [
        (mid, org_id) for mid, org_id in
        s.execute(members_in_year(unit_id, year).with_only_columns(PartyMember.id, PartyMember.org_id))]
    totals = totals_by_member(s, unit_id, year)
    branches: dict[int, dict[int, Decimal]] = {}
    for mid, org_id in members:
        branches.setdefault(org_id, {})[mid] = totals.get(mid, Totals()).total
    ranks = {mid: r for b in branches.values() for mid, r in competition_ranks(b).items()}
    # only a published previous year counts as a first failing grade
    before = dict(s.execute(select(Assessment.member_id, Assessment.grade).where(
        Assessment.year == year - 1, Assessment.decided_on.isnot(None),
        Assessment.member_id.in_([mid for mid, _o in members] or [-1]))).all())
    out = []
    for mid, org_id in members:
        t = totals.get(mid, Totals())
        size = len(branches[org_id])
        grade = bands.grade(ranks[mid], size, t.total)
        follow = None
        if grade == FAIL:
            follow = "劝退" if before.get(mid) == FAIL else "约谈"
        out.append((mid, t, ranks[mid], size, grade, follow))
    return out


def compute_assessment(s: Session, unit_id: int, year: int, on: date | None = None) -> AssessmentStatus:
    """Compute (or re-compute, before publication) the year's assessment."""
    access.require_role(s, *access.ENTRY_ROLES, action="计算年度积分评定")
    published = published_on(s, unit_id, year)
    if published is not None:
        raise ServiceError(f"{year}年度积分评定已于 {published.isoformat()} 发布，不能重新计算。")
    grant_base_points(s, unit_id, year, on)
    old = _unit_row_ids(s, unit_id, year)
    if old:
        s.execute(delete(Assessment).where(Assessment.id.in_(old)))  # drafts: replaced as a whole
    plan = _plan(s, unit_id, year)
    if plan:  # one Core executemany: 10,000 members are 10,000 rows, not ORM objects
        # render_nulls: follow_up None in some rows would otherwise split the executemany by key set
        s.execute(insert(Assessment).execution_options(render_nulls=True), [
            {"member_id": mid, "year": year, "total": t.total, "rank": rank, "grade": grade, "follow_up": follow,
             "follow_up_note": ""} for mid, t, rank, _size, grade, follow in plan])
    status = assessment_status(s, unit_id, year)
    dist = "，".join(f"{g} {n} 人" for g, n in status.distribution.items())
    audit.record(s, unit_id, "update" if old else "create", "assessment", None,
                 f"{'重新' if old else ''}计算{year}年度积分评定：{len(plan)} 人（{dist}）")
    return status


def assessment_status(s: Session, unit_id: int, year: int) -> AssessmentStatus:
    rows = s.execute(
        select(Assessment.grade, Assessment.follow_up).join(PartyMember, PartyMember.id == Assessment.member_id)
        .join(Resident, Resident.id == PartyMember.resident_id)
        .where(Resident.unit_id == unit_id, Assessment.year == year)
    ).all()
    grades = Counter(grade for grade, _f in rows)
    follows = Counter(follow for _g, follow in rows if follow)
    return AssessmentStatus(year, len(rows), published_on(s, unit_id, year), {g: grades.get(g, 0) for g in GRADES},
                            dict(follows), get_grade_bands(s, unit_id))


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
    fresh = {mid: (t.total, rank, grade, follow) for mid, t, rank, _n, grade, follow in _plan(s, unit_id, year)}
    stored = {a.member_id: (Decimal(a.total), a.rank, a.grade, a.follow_up) for a in rows}
    if fresh != stored:
        raise ServiceError("计算之后积分记录或评定档次有变动，请先重新计算，核对后再发布。")
    for a in rows:
        a.decided_on = on
    s.flush()
    forget_published(s)
    audit.record(s, unit_id, "publish", "assessment", None, f"发布{year}年度积分评定（{len(rows)} 人）")
    return assessment_status(s, unit_id, year)


def list_assessment(s: Session, unit_id: int, year: int) -> list[AssessmentRow]:
    """The year's rows, by branch and rank."""
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
    out = []
    for a, m, name, org_name in rows:
        t = totals.get(m.id, Totals())
        out.append(AssessmentRow(a.id, m.id, name, m.org_id, org_name, m.points_category, t.base, t.duty, t.reward,
                                 t.deduct, Decimal(a.total), a.rank, sizes[m.org_id], a.grade, before.get(m.id),
                                 a.follow_up, _records(a.follow_up_note), a.decided_on is not None))
    return out


def follow_up_list(s: Session, unit_id: int, year: int) -> list[AssessmentRow]:
    """约谈 / 劝退 / 除名 of the year, for the township."""
    return [r for r in list_assessment(s, unit_id, year) if r.follow_up]


def record_follow_up(s: Session, assessment_id: int, on: date | None, by: str, outcome: str,
                     removal: bool = False) -> None:
    """Add a follow-up record (约谈/劝退 done: date, who talked, outcome). removal: 劝退 refused → 除名."""
    access.require_role(s, *access.ENTRY_ROLES, action="登记约谈/劝退情况")
    a = s.get(Assessment, assessment_id)
    if a is None:
        raise NotFound("找不到该评定记录")
    member = s.get(PartyMember, a.member_id)
    assert member is not None
    resident = s.get(Resident, member.resident_id)
    assert resident is not None
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
