"""民主评议党员: a yearly round per 党支部 — 自评, 互评 and 民主测评 ballot counts entered in bulk, a suggested
grade per member, the branch's decision, the follow-up of a 不合格, and the close of the round.

Who takes part: the 正式 and 预备党员 whose 所在支部 is the round's branch on the round's date (joined,
arrived and not yet left by then); 积极分子 and 发展对象 do not.

Suggested grade (integer arithmetic, documented for the 支委会, who decide):
  cast = the member's 民主测评 ballots (the four counts together); no ballots → no suggestion.
  不合格    when 不合格 votes × 3 > cast               (more than a third of the ballots cast);
  基本合格  else when (基本合格 + 不合格) × 3 > cast  (more than a third below 合格);
  优秀      else when 优秀 votes × 2 > cast            (more than half), limited to EXCELLENT_PERCENT of
            the members taking part (rounded down; settable): the most 优秀 votes first, and members
            tied across the last place all get 合格 (名额不超比例);
  合格      otherwise.
A decision with no grade is 未参评 with its reason (年老体弱, 外出 …). Follow-up of a 不合格: 限期改正
(due date, then done), 劝退 or 除名 — these two end the membership through roster_changes.end_membership
(出党, 劝其退党 / 除名). Closing the round dates it; any later change of counts or decisions is logged as a
correction (更正) naming the closed round.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.models import PartyMember, PartyOrg, Resident
from app.models.org import MEMBER_STAGES
from app.models.partywork import (
    APPRAISAL_FOLLOW_UPS,
    APPRAISAL_GRADES,
    APPRAISAL_SOURCES,
    AppraisalCount,
    AppraisalResult,
    AppraisalRound,
)
from app.models.points import Assessment

from .. import access, audit
from ..errors import FieldProblem, NotFound, ServiceError, ValidationError
from ..org.roster_changes import LeaveInput, end_membership
from ..settings import get_setting, set_setting
from ..validation import Problems

GRADES = APPRAISAL_GRADES
FOLLOW_UPS = APPRAISAL_FOLLOW_UPS
SELF, MUTUAL, DEMOCRATIC = APPRAISAL_SOURCES
EXCELLENT, PASS, BASIC, FAIL = APPRAISAL_GRADES
ABSENT = "未参评"
BRANCH_KINDS = ("党支部", "联合党支部", "党总支")  # a round is held where members are kept, not in a 党小组
EXCELLENT_KEY = "partywork.appraisal_excellent_percent"
EXCELLENT_PERCENT = 20  # default share of 优秀 among those taking part
EXIT_MODES = {"劝退": "劝其退党", "除名": "除名"}  # follow-up → roster_changes.EXIT_MODES
ROUND_FIELDS = ("held_on", "voters", "note", "closed_on")
RESULT_FIELDS = ("grade", "decided_on", "reason", "follow_up", "follow_up_due", "follow_up_note",
                 "follow_up_done_on")


@dataclass
class RoundInput:
    org_id: int | None
    year: int
    held_on: date | None
    voters: int  # 民主测评 ballots handed out
    note: str = ""


@dataclass(frozen=True)
class RoundInfo:
    id: int
    org_id: int
    org_name: str
    year: int
    held_on: date | None
    voters: int
    closed_on: date | None
    note: str


@dataclass
class CountInput:
    """One member's line of the grid: 自评 (one grade or none) and two sets of four counts (GRADES order)."""

    member_id: int
    self_grade: str | None = None
    mutual: Sequence[int] = (0, 0, 0, 0)
    democratic: Sequence[int] = (0, 0, 0, 0)


@dataclass(frozen=True)
class MemberAppraisal:
    member_id: int
    name: str
    stage: str
    self_grade: str
    mutual: tuple[int, ...]
    democratic: tuple[int, ...]
    suggestion: str  # "" when no 民主测评 ballots are entered
    grade: str  # the decision: a grade, 未参评, or "" when not decided
    reason: str
    follow_up: str
    follow_up_due: date | None
    follow_up_done_on: date | None
    follow_up_note: str
    left: str  # "2026-03-01 出党" once the member has left the roster
    points_grade: str  # the 党员积分 年度评定 grade of the year, beside it

    @property
    def cast(self) -> int:
        return sum(self.democratic)

    def rate_text(self, grade: str) -> str:
        """优秀率 / 不合格率 of the 民主测评 as 12/30（40%）, whole percent rounded down."""
        votes = self.democratic[GRADES.index(grade)]
        return f"{votes}/{self.cast}（{votes * 100 // self.cast}%）" if self.cast else ""


@dataclass
class DecisionInput:
    grade: str | None  # None: 未参评 (the reason is then required)
    reason: str = ""
    decided_on: date | None = None


@dataclass
class FollowUpInput:
    kind: str  # 限期改正 / 劝退 / 除名
    due_on: date | None = None  # 限期改正 by
    done_on: date | None = None  # 限期改正 done; 劝退/除名: the day the membership ends
    note: str = ""


@dataclass(frozen=True)
class _Member:
    id: int
    name: str
    stage: str
    left_on: date | None
    left_kind: str | None


# ---------------------------------------------------------------- rounds


def list_branches(s: Session, unit_id: int) -> list[tuple[int, str]]:
    """The branches a round may be held in (党支部, 联合党支部, 党总支), open ones, in tree order."""
    rows = s.execute(select(PartyOrg.id, PartyOrg.name).where(
        PartyOrg.unit_id == unit_id, PartyOrg.kind.in_(BRANCH_KINDS), PartyOrg.closed_on.is_(None))
        .order_by(PartyOrg.sort_order, PartyOrg.id))
    return [(i, n) for i, n in rows]


def _round(s: Session, round_id: int) -> AppraisalRound:
    r = s.get(AppraisalRound, round_id)
    if r is None:
        raise NotFound("找不到该次民主评议")
    return r


def _info(s: Session, r: AppraisalRound) -> RoundInfo:
    org = s.get(PartyOrg, r.org_id)
    return RoundInfo(r.id, r.org_id, org.name if org else "", r.year, r.held_on, r.voters, r.closed_on, r.note)


def _check_round(s: Session, unit_id: int, data: RoundInput, round_id: int | None) -> None:
    p = Problems()
    org = s.get(PartyOrg, data.org_id) if data.org_id else None
    if org is None or org.unit_id != unit_id:
        p.add("org_id", "党支部", "请选择党支部")
    elif org.kind not in BRANCH_KINDS:
        p.add("org_id", "党支部", f"{org.name}是{org.kind}，民主评议在党支部进行")
    if not 2000 <= data.year <= 2100:
        p.add("year", "年度", "年度应在 2000–2100 之间")
    if data.held_on is None:
        p.add("held_on", "评议日期", "请填写评议日期")
    elif data.held_on.year not in (data.year, data.year + 1):
        p.add("held_on", "评议日期", f"{data.year}年度的评议应在 {data.year} 年或次年年初召开")
    if data.voters < 0:
        p.add("voters", "发出测评票", "不能是负数")
    p.text("note", "备注", data.note)
    if org is not None and not p.has("org_id"):
        same = s.scalar(select(AppraisalRound.id).where(AppraisalRound.org_id == org.id,
                                                        AppraisalRound.year == data.year))
        if same is not None and same != round_id:
            p.add("year", "年度", f"{org.name}{data.year}年度的民主评议已经建立")
    p.raise_if_any()


def open_round(s: Session, unit_id: int, data: RoundInput) -> int:
    """开始评议: the branch, year, date and the number of 民主测评 ballots handed out."""
    access.require_role(s, *access.ENTRY_ROLES, action="开始民主评议党员")
    _check_round(s, unit_id, data, None)
    r = AppraisalRound(unit_id=unit_id, org_id=data.org_id, year=data.year, held_on=data.held_on,
                       voters=data.voters, note=data.note.strip())
    s.add(r)
    s.flush()
    info = _info(s, r)
    audit.record(s, unit_id, "create", "appraisal_round", r.id,
                 f"开始民主评议：{info.org_name}{r.year}年度（发出测评票 {r.voters} 张）")
    return r.id


def update_round(s: Session, round_id: int, data: RoundInput) -> None:
    """Correct the date, the ballots handed out or the note (the branch and year stay)."""
    access.require_role(s, *access.ENTRY_ROLES, action="修改民主评议")
    r = _round(s, round_id)
    data.org_id, data.year = r.org_id, r.year
    _check_round(s, r.unit_id, data, r.id)
    over = [m.name for m in _rows(s, r) if m.cast > data.voters]
    if over:
        raise ServiceError(f"{'、'.join(over)}的民主测评票已超过 {data.voters} 张，请先更正票数")
    before = audit.snapshot(r, ROUND_FIELDS)
    r.held_on, r.voters, r.note = data.held_on, data.voters, data.note.strip()
    s.flush()
    audit.record_change(s, r.unit_id, "appraisal_round", r.id, _what(s, r, "修改民主评议"), before,
                        audit.snapshot(r, ROUND_FIELDS))


def find_round(s: Session, org_id: int, year: int) -> RoundInfo | None:
    r = s.scalar(select(AppraisalRound).where(AppraisalRound.org_id == org_id, AppraisalRound.year == year))
    return None if r is None else _info(s, r)


def get_round(s: Session, round_id: int) -> RoundInfo:
    return _info(s, _round(s, round_id))


def _what(s: Session, r: AppraisalRound, action: str) -> str:
    info = _info(s, r)
    late = "（评议结束后更正）" if r.closed_on is not None else ""
    return f"{action}：{info.org_name}{r.year}年度{late}"


def close_round(s: Session, round_id: int, on: date | None) -> None:
    """结束评议: every member taking part has a decision (a grade or 未参评)."""
    access.require_role(s, *access.ENTRY_ROLES, action="结束民主评议")
    r = _round(s, round_id)
    if r.closed_on is not None:
        raise ServiceError(f"该次民主评议已于 {r.closed_on.isoformat()} 结束")
    p = Problems()
    if on is None:
        p.add("closed_on", "结束日期", "请填写结束日期")
    elif r.held_on is not None and on < r.held_on:
        p.add("closed_on", "结束日期", f"不能早于评议日期（{r.held_on.isoformat()}）")
    undecided = [m.name for m in _rows(s, r) if not m.grade]
    if undecided:
        p.add("closed_on", "结束日期", f"还有 {len(undecided)} 名党员没有确定结果：{'、'.join(undecided[:10])}")
    p.raise_if_any()
    r.closed_on = on
    s.flush()
    audit.record(s, r.unit_id, "close", "appraisal_round", r.id, _what(s, r, "结束民主评议"),
                 {"closed_on": on.isoformat() if on else None})


# ---------------------------------------------------------------- members and counts


def _members(s: Session, r: AppraisalRound) -> list[_Member]:
    on = r.held_on or date(r.year, 12, 31)
    rows = s.execute(
        select(PartyMember.id, Resident.name, PartyMember.stage, PartyMember.left_on, PartyMember.left_kind)
        .join(Resident, Resident.id == PartyMember.resident_id)
        .where(PartyMember.org_id == r.org_id, PartyMember.stage.in_(MEMBER_STAGES),
               or_(PartyMember.joined_on.is_(None), PartyMember.joined_on <= on),
               or_(PartyMember.arrived_on.is_(None), PartyMember.arrived_on <= on),
               or_(PartyMember.left_on.is_(None), PartyMember.left_on > on))
        .order_by(Resident.name_pinyin, Resident.name, PartyMember.id))
    return [_Member(*row) for row in rows]


def _counts(s: Session, round_id: int) -> dict[int, dict[tuple[str, str], int]]:
    out: dict[int, dict[tuple[str, str], int]] = {}
    for c in s.scalars(select(AppraisalCount).where(AppraisalCount.round_id == round_id)):
        out.setdefault(c.member_id, {})[(c.source, c.grade)] = c.votes
    return out


def _results(s: Session, round_id: int) -> dict[int, AppraisalResult]:
    return {x.member_id: x for x in s.scalars(select(AppraisalResult).where(AppraisalResult.round_id == round_id))}


def excellent_percent(s: Session, unit_id: int) -> int:
    """The share (percent) of 优秀 the suggestion allows among the members taking part."""
    value = get_setting(s, unit_id, EXCELLENT_KEY, EXCELLENT_PERCENT)
    return value if isinstance(value, int) and 0 <= value <= 100 else EXCELLENT_PERCENT


def set_excellent_percent(s: Session, unit_id: int, percent: int) -> None:
    access.require_role(s, *access.ENTRY_ROLES, action="修改民主评议优秀比例")
    if not 0 <= percent <= 100:
        raise ServiceError("优秀比例应在 0–100% 之间")
    set_setting(s, unit_id, EXCELLENT_KEY, percent, "民主评议优秀比例（%）")


def _suggest(votes: dict[int, tuple[int, ...]], taking_part: int, percent: int) -> dict[int, str]:
    """member → suggested grade from the 民主测评 counts (the rule in the module docstring)."""
    out: dict[int, str] = {}
    candidates: list[tuple[int, int]] = []  # (优秀 votes, member)
    for mid, (excellent, _pass, basic, fail) in votes.items():
        cast = sum(votes[mid])
        if cast == 0:
            continue
        if fail * 3 > cast:
            out[mid] = FAIL
        elif (basic + fail) * 3 > cast:
            out[mid] = BASIC
        else:
            out[mid] = PASS
            if excellent * 2 > cast:
                candidates.append((excellent, mid))
    places = taking_part * percent // 100
    candidates.sort(reverse=True)
    if len(candidates) > places:
        line = candidates[places][0]  # the first left out: everyone tied with it is left out too
        candidates = [c for c in candidates[:places] if c[0] > line]
    for _votes, mid in candidates:
        out[mid] = EXCELLENT
    return out


def _points_grades(s: Session, member_ids: list[int], year: int) -> dict[int, str]:
    return dict(s.execute(select(Assessment.member_id, Assessment.grade).where(
        Assessment.year == year, Assessment.member_id.in_(member_ids))).all())


def _rows(s: Session, r: AppraisalRound) -> list[MemberAppraisal]:
    members = _members(s, r)
    counts, results = _counts(s, r.id), _results(s, r.id)
    ids = [m.id for m in members]
    points = _points_grades(s, ids, r.year)

    def four(mid: int, source: str) -> tuple[int, ...]:
        got = counts.get(mid, {})
        return tuple(got.get((source, g), 0) for g in GRADES)

    democratic = {m.id: four(m.id, DEMOCRATIC) for m in members}
    taking_part = sum(1 for m in members if m.id not in results or results[m.id].grade is not None)
    suggested = _suggest(democratic, taking_part, excellent_percent(s, r.unit_id))
    out = []
    for m in members:
        own = counts.get(m.id, {})
        self_grade = next((g for g in GRADES if own.get((SELF, g), 0) > 0), "")
        x = results.get(m.id)
        left = f"{m.left_on.isoformat()} {m.left_kind}" if m.left_on else ""
        out.append(MemberAppraisal(
            m.id, m.name, m.stage, self_grade, four(m.id, MUTUAL), democratic[m.id], suggested.get(m.id, ""),
            "" if x is None else (x.grade or ABSENT), x.reason if x else "", (x.follow_up or "") if x else "",
            x.follow_up_due if x else None, x.follow_up_done_on if x else None, x.follow_up_note if x else "",
            left, points.get(m.id, "")))
    return out


def round_members(s: Session, round_id: int) -> list[MemberAppraisal]:
    """The grid: every member taking part with counts, suggestion, decision and follow-up."""
    return _rows(s, _round(s, round_id))


def _check_counts(r: AppraisalRound, members: dict[int, str], rows: Sequence[CountInput]) -> Problems:
    p = Problems()
    for i, row in enumerate(rows, 1):
        name = members.get(row.member_id)
        if name is None:
            p.add("member_id", f"第 {i} 行", "不是本次评议的党员")
            continue
        if row.self_grade and row.self_grade not in GRADES:
            p.add("self_grade", f"{name}的自评", f"“{row.self_grade}”不是可选项（可选：{'、'.join(GRADES)}）")
        for source, values in ((MUTUAL, row.mutual), (DEMOCRATIC, row.democratic)):
            if len(values) != len(GRADES):
                p.add(source, f"{name}的{source}", "应填优秀、合格、基本合格、不合格四个票数")
                continue
            for grade, v in zip(GRADES, values, strict=True):
                if not isinstance(v, int) or isinstance(v, bool) or v < 0:
                    p.add(source, f"{name}的{source}“{grade}”票数", f"应为不小于 0 的整数，现在是“{v}”")
        if len(row.democratic) == len(GRADES) and all(isinstance(v, int) and v >= 0 for v in row.democratic):
            cast = sum(row.democratic)
            if cast > r.voters:
                p.add(DEMOCRATIC, f"{name}的{DEMOCRATIC}",
                      f"四项票数合计 {cast} 张，超过发出的测评票 {r.voters} 张")
    return p


def save_counts(s: Session, round_id: int, rows: Sequence[CountInput]) -> int:
    """Store the grid's counts; every row is checked first, nothing is written if one is wrong.
    Returns the number of members whose counts changed."""
    access.require_role(s, *access.ENTRY_ROLES, action="录入民主评议票数")
    r = _round(s, round_id)
    members = {m.id: m.name for m in _members(s, r)}
    _check_counts(r, members, rows).raise_if_any()
    existing: dict[tuple[int, str, str], AppraisalCount] = {
        (c.member_id, c.source, c.grade): c
        for c in s.scalars(select(AppraisalCount).where(AppraisalCount.round_id == r.id))}
    changed: dict[str, dict[str, object]] = {}
    for row in rows:
        wanted = {(SELF, g): int(g == row.self_grade) for g in GRADES}
        wanted.update({(MUTUAL, g): v for g, v in zip(GRADES, row.mutual, strict=True)})
        wanted.update({(DEMOCRATIC, g): v for g, v in zip(GRADES, row.democratic, strict=True)})
        for (source, grade), votes in wanted.items():
            c = existing.get((row.member_id, source, grade))
            old = c.votes if c else 0
            if old == votes:
                continue
            if c is None:
                s.add(AppraisalCount(round_id=r.id, member_id=row.member_id, source=source, grade=grade, votes=votes))
            else:
                c.votes = votes  # a tally, corrected in place: the 操作日志 keeps from → to
            changed.setdefault(members[row.member_id], {})[f"{source}{grade}"] = {"from": old, "to": votes}
    s.flush()
    if changed:
        audit.record(s, r.unit_id, "update", "appraisal_round", r.id,
                     _what(s, r, f"录入民主评议票数（{len(changed)} 名党员）"), {"counts": changed})
    return len(changed)


# ---------------------------------------------------------------- decisions and follow-up


def _member_in(s: Session, r: AppraisalRound, member_id: int) -> _Member:
    m = next((m for m in _members(s, r) if m.id == member_id), None)
    if m is None:
        raise NotFound("该党员不在本次民主评议的名单中")
    return m


def decide(s: Session, round_id: int, member_id: int, data: DecisionInput) -> None:
    """确定结果: the branch's grade for a member (or 未参评 with the reason)."""
    access.require_role(s, *access.ENTRY_ROLES, action="确定民主评议结果")
    r = _round(s, round_id)
    m = _member_in(s, r, member_id)
    p = Problems()
    grade = p.choice("grade", "评议结果", data.grade, GRADES) or None
    reason = p.text("reason", "理由", data.reason, required=grade is None or grade == FAIL, max_len=500)
    if data.decided_on is None:
        p.add("decided_on", "确定日期", "请填写确定日期")
    elif r.held_on is not None and data.decided_on < r.held_on:
        p.add("decided_on", "确定日期", f"不能早于评议日期（{r.held_on.isoformat()}）")
    x = _results(s, r.id).get(member_id)
    if x is not None and x.follow_up and grade != FAIL:
        p.add("grade", "评议结果", f"{m.name}已登记“{x.follow_up}”，不能改为其他结果")
    p.raise_if_any()
    assert data.decided_on is not None
    if x is None:
        x = AppraisalResult(round_id=r.id, member_id=member_id, grade=grade, decided_on=data.decided_on,
                            reason=reason, follow_up_note="")
        s.add(x)
        s.flush()
        audit.record(s, r.unit_id, "create", "appraisal_result", x.id,
                     _what(s, r, f"确定民主评议结果 {m.name} {grade or ABSENT}"))
        return
    before = audit.snapshot(x, RESULT_FIELDS)
    x.grade, x.reason, x.decided_on = grade, reason, data.decided_on
    s.flush()
    audit.record_change(s, r.unit_id, "appraisal_result", x.id, _what(s, r, f"更改民主评议结果 {m.name}"),
                        before, audit.snapshot(x, RESULT_FIELDS))


def record_follow_up(s: Session, round_id: int, member_id: int, data: FollowUpInput) -> None:
    """后续处理 of a 不合格: 限期改正 (due date; done_on when corrected), 劝退 or 除名 (the membership ends
    that day through end_membership, 出党)."""
    access.require_role(s, *access.ENTRY_ROLES, action="登记不合格党员的处理")
    r = _round(s, round_id)
    m = _member_in(s, r, member_id)
    x = _results(s, r.id).get(member_id)
    if x is None or x.grade != FAIL:
        raise ServiceError(f"{m.name}的评议结果不是不合格，不需要后续处理")
    p = Problems()
    kind = p.choice("kind", "处理方式", data.kind, FOLLOW_UPS, required=True)
    note = p.text("note", "处理情况", data.note, required=kind in EXIT_MODES, max_len=500)
    if x.follow_up in EXIT_MODES:
        p.add("kind", "处理方式", f"{m.name}已{x.follow_up}，不能再更改")
    if kind == "限期改正":
        if data.due_on is None:
            p.add("due_on", "改正期限", "请填写改正期限")
        elif data.due_on <= x.decided_on:
            p.add("due_on", "改正期限", f"应晚于确定结果的日期（{x.decided_on.isoformat()}）")
        if data.done_on is not None and data.done_on < x.decided_on:
            p.add("done_on", "改正完成日期", f"不能早于确定结果的日期（{x.decided_on.isoformat()}）")
    elif kind in EXIT_MODES and data.done_on is None:
        p.add("done_on", "处理日期", f"请填写{kind}的日期")
    p.raise_if_any()
    if kind in EXIT_MODES:
        assert data.done_on is not None
        try:
            end_membership(s, member_id, LeaveInput("出党", data.done_on, reason=f"民主评议不合格，{note}",
                                                    exit_mode=EXIT_MODES[kind]))
        except ValidationError as e:  # the ending's date problems are this form's 处理日期
            raise ValidationError([FieldProblem("done_on", "处理日期", pr.message) for pr in e.problems]) from None
    before = audit.snapshot(x, RESULT_FIELDS)
    x.follow_up, x.follow_up_note = kind, note
    x.follow_up_due = data.due_on if kind == "限期改正" else None
    x.follow_up_done_on = data.done_on
    s.flush()
    audit.record_change(s, r.unit_id, "appraisal_result", x.id, _what(s, r, f"不合格党员 {m.name} {kind}"),
                        before, audit.snapshot(x, RESULT_FIELDS))
