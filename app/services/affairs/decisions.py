"""村级重大事项 along the 四议两公开 path: 党组织提议 → 两委会商议 → 党员大会审议 → 村民代表会议决议
→ 决议公开 → 实施结果公开.

Each of the first four steps is a meeting (meetings.record_meeting) recorded in order: a step cannot
be skipped, repeated or taken out of turn, and the message names the step that comes next. A meeting
whose quorum or majority fails is kept and ends the decision there (未通过, ended_step, the rule's note
as end_reason). 决议公开 and 实施结果公开 are 公示 through the notice engine (notice_decision).
Statuses: 进行中 → 已决议 (the vote passed) → 实施中 (决议公开) → 已完成 (实施结果公开); or 未通过 / 已撤回.
Nothing is deleted: a withdrawn or failed decision keeps its meetings and its number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from app.models import Notice
from app.models.affairs import DECISION_STATUSES, DECISION_STEPS, AffairsMeeting, Decision

from .. import access, audit
from ..errors import NotFound, ServiceError
from ..notices.archive import NoticeInfo, publish_draft
from ..validation import Problems
from .meetings import AffairsMeetingInput, AffairsMeetingRow, list_meetings, record_meeting
from .rules import VoteResult

STATUSES = DECISION_STATUSES  # the list's filter
MEETING_STEPS = DECISION_STEPS[:4]
RESOLUTION_STEP, RESULT_STEP = DECISION_STEPS[4], DECISION_STEPS[5]
# The meeting each step is; the 决议 may be taken by the 村民会议 itself (组织法 第二十四条).
STEP_KINDS: dict[str, tuple[str, ...]] = {
    "党组织提议": ("支委会",),
    "两委会商议": ("两委会",),
    "党员大会审议": ("党员大会",),
    "村民代表会议决议": ("村民代表会议", "村民会议"),
}
STEP_DONE, STEP_NEXT, STEP_FAILED, STEP_LATER, STEP_NONE = "已完成", "下一步", "未通过", "未开始", "—"
OPEN, FAILED, RESOLVED, IMPLEMENTING, DONE, WITHDRAWN = ("进行中", "未通过", "已决议", "实施中", "已完成", "已撤回")


@dataclass
class DecisionInput:
    title: str
    proposed_on: date | None
    content: str = ""


@dataclass(frozen=True)
class StepRow:
    step: str
    state: str  # 已完成 / 下一步 / 未通过 / 未开始 / — (the path ended before it)
    on: date | None
    meeting: AffairsMeetingRow | None = None
    notice_number: str = ""


@dataclass(frozen=True)
class DecisionRow:
    id: int
    number: str
    title: str
    content: str
    proposed_on: date
    status: str
    ended_step: str | None
    end_reason: str
    next_step: str | None  # None once nothing more can be done
    result_text: str
    implemented_on: date | None
    steps: list[StepRow] = field(default_factory=list)


def _get(s: Session, decision_id: int) -> Decision:
    d = s.get(Decision, decision_id)
    if d is None:
        raise NotFound("找不到该事项")
    return d


def _next_number(s: Session, unit_id: int, year: int) -> str:
    numbers = s.scalars(select(Decision.number).where(Decision.unit_id == unit_id,
                                                      Decision.number.like(f"{year}-%")))
    taken = [int(n.split("-", 1)[1]) for n in numbers if n.split("-", 1)[1].isdigit()]
    return f"{year}-{max(taken, default=0) + 1:02d}"


def _check(data: DecisionInput) -> dict[str, object]:
    p = Problems()
    title = p.text("title", "事项名称", data.title, max_len=200, required=True)
    content = p.text("content", "事项内容", data.content)
    if data.proposed_on is None:
        p.add("proposed_on", "提议日期", "请填写提议日期")
    p.raise_if_any()
    return dict(title=title, content=content, proposed_on=data.proposed_on)


def open_decision(s: Session, unit_id: int, data: DecisionInput) -> int:
    """新建事项: numbered 年-序号 of the year it was proposed in; the first step is 党组织提议."""
    access.require_role(s, *access.ENTRY_ROLES, action="新建村务事项")
    values = _check(data)
    assert data.proposed_on is not None
    d = Decision(unit_id=unit_id, number=_next_number(s, unit_id, data.proposed_on.year), status=OPEN, **values)
    s.add(d)
    s.flush()
    audit.record(s, unit_id, "create", "decision", d.id, f"新建村务事项 {d.number}：{d.title}")
    return d.id


def update_decision(s: Session, decision_id: int, data: DecisionInput) -> None:
    """Correct the name or content while no meeting has been held on it (after that the minutes say
    what was voted, so the record stays as it was)."""
    access.require_role(s, *access.ENTRY_ROLES, action="修改村务事项")
    d = _get(s, decision_id)
    if _meetings(s, d):
        raise ServiceError(f"事项 {d.number} 已召开过会议，不能再修改名称和内容；如需变更请撤回后重新提议。")
    values = _check(data)
    fields = ("title", "content", "proposed_on")
    before = audit.snapshot(d, fields)
    for k, v in values.items():
        setattr(d, k, v)
    s.flush()
    audit.record_change(s, d.unit_id, "decision", d.id, f"修改村务事项 {d.number}", before, audit.snapshot(d, fields))


def _meetings(s: Session, d: Decision) -> list[AffairsMeeting]:
    return list(s.scalars(select(AffairsMeeting).where(AffairsMeeting.decision_id == d.id)
                          .order_by(AffairsMeeting.held_on, AffairsMeeting.id)))


def _next_step(s: Session, d: Decision) -> str | None:
    if d.status in (FAILED, WITHDRAWN, DONE):
        return None
    if d.status == RESOLVED:
        return RESOLUTION_STEP
    if d.status == IMPLEMENTING:
        return RESULT_STEP
    passed = {m.step for m in _meetings(s, d) if m.outcome == "通过"}
    return next((st for st in MEETING_STEPS if st not in passed), RESOLUTION_STEP)


def _ended(d: Decision) -> str:
    if d.status == FAILED:
        return f"事项 {d.number} 已在“{d.ended_step}”未通过，程序已终止"
    if d.status == WITHDRAWN:
        return f"事项 {d.number} 已撤回"
    return f"事项 {d.number} 已完成四议两公开"


def _refuse_out_of_turn(s: Session, d: Decision, step: str) -> None:
    expected = _next_step(s, d)
    if expected is None:
        raise ServiceError(f"{_ended(d)}，不能再登记“{step}”。")
    if step != expected:
        order = "→".join(DECISION_STEPS)
        done = step in DECISION_STEPS and DECISION_STEPS.index(step) < DECISION_STEPS.index(expected)
        why = "已经通过，不能重复登记" if done else "不能跳过前面的步骤"
        raise ServiceError(f"事项 {d.number}：“{step}”{why}；下一步应是“{expected}”（顺序：{order}）。")


def record_step(s: Session, decision_id: int, step: str, data: AffairsMeetingInput) -> VoteResult:
    """Record the meeting of the next step. A failed quorum or majority is stored and ends the path."""
    access.require_role(s, *access.ENTRY_ROLES, action="登记四议两公开会议")
    d = _get(s, decision_id)
    if step not in DECISION_STEPS:
        raise ServiceError(f"“{step}”不是四议两公开的步骤（{'→'.join(DECISION_STEPS)}）。")
    _refuse_out_of_turn(s, d, step)
    if step not in MEETING_STEPS:
        raise ServiceError(f"“{step}”是公示，请用“发布{step}”。")
    p = Problems()
    if data.kind not in STEP_KINDS[step]:
        p.add("kind", "会议类型", f"“{step}”应召开{'或'.join(STEP_KINDS[step])}")
    earlier = [m.held_on for m in _meetings(s, d)] + [d.proposed_on]
    if data.held_on is not None and data.held_on < max(earlier):
        p.add("held_on", "会议日期", f"不能早于上一步的日期（{max(earlier).isoformat()}）")
    p.raise_if_any()
    meeting_id = record_meeting(s, d.unit_id, data, decision_id=d.id, step=step)
    m = s.get(AffairsMeeting, meeting_id)
    assert m is not None
    result = VoteResult(m.outcome, m.outcome_note)
    if not result.passed:
        d.status, d.ended_step, d.end_reason = FAILED, step, result.note
        audit.record(s, d.unit_id, "close", "decision", d.id, f"村务事项 {d.number} 在“{step}”{m.outcome}，程序终止",
                     {"end_reason": result.note})
    elif step == MEETING_STEPS[-1]:
        d.status = RESOLVED
        audit.record(s, d.unit_id, "update", "decision", d.id, f"村务事项 {d.number} 经{m.kind}表决通过，已决议")
    s.flush()
    return result


def withdraw_decision(s: Session, decision_id: int, reason: str) -> None:
    """撤回 a decision not yet made public (kept, with the reason)."""
    access.require_role(s, *access.ENTRY_ROLES, action="撤回村务事项")
    d = _get(s, decision_id)
    p = Problems()
    if d.status == IMPLEMENTING:
        p.add("end_reason", "撤回原因", f"事项 {d.number} 的决议已公开，不能撤回")
    elif d.status not in (OPEN, RESOLVED):
        p.add("end_reason", "撤回原因", f"{_ended(d)}，不能撤回")
    reason = p.text("end_reason", "撤回原因", reason, max_len=500, required=True)
    p.raise_if_any()
    d.status, d.end_reason = WITHDRAWN, reason
    s.flush()
    audit.record(s, d.unit_id, "close", "decision", d.id, f"撤回村务事项 {d.number}：{reason}")


def publish_resolution(s: Session, decision_id: int, out_path: Path, paper: str = "A4", start: date | None = None,
                       days: int | None = None, workdays: bool | None = None,
                       issued_on: date | None = None) -> NoticeInfo:
    """决议公开: the resolution as a 公示 (kind "decision"), archived; the decision goes 实施中."""
    from .notice_decision import build_decision_notice

    d = _get(s, decision_id)
    _refuse_out_of_turn(s, d, RESOLUTION_STEP)
    info = publish_draft(s, d.unit_id, build_decision_notice(s, d.id), out_path, paper, start, days, workdays,
                         issued_on)
    _published(s, d, info.id, info.number, result=False)
    return info


def _published(s: Session, d: Decision, notice_id: int, number: str, result: bool) -> None:
    """The decision after its 公示 is archived: 决议公开 → 实施中, 实施结果公开 → 已完成."""
    if result:
        d.result_notice_id, d.status = notice_id, DONE
    else:
        d.resolution_notice_id, d.status = notice_id, IMPLEMENTING
    s.flush()
    what = RESULT_STEP if result else RESOLUTION_STEP
    audit.record(s, d.unit_id, "update", "decision", d.id, f"村务事项 {d.number} {what}（公示 {number}）")


def record_result(s: Session, decision_id: int, text: str, implemented_on: date | None) -> None:
    """实施结果: what was done and when, before 实施结果公开 (may be corrected until then)."""
    access.require_role(s, *access.ENTRY_ROLES, action="登记实施结果")
    d = _get(s, decision_id)
    p = Problems()
    if d.status != IMPLEMENTING:
        why = "决议尚未公开" if d.status in (OPEN, RESOLVED) else _ended(d)
        p.add("result_text", "实施结果", f"{why}，不能登记实施结果")
    text = p.text("result_text", "实施结果", text, required=True)
    if implemented_on is None:
        p.add("implemented_on", "实施日期", "请填写实施日期")
    elif implemented_on < d.proposed_on:
        p.add("implemented_on", "实施日期", f"不能早于提议日期（{d.proposed_on.isoformat()}）")
    p.raise_if_any()
    before = audit.snapshot(d, ("result_text", "implemented_on"))
    d.result_text, d.implemented_on = text, implemented_on
    s.flush()
    audit.record_change(s, d.unit_id, "decision", d.id, f"登记村务事项 {d.number} 实施结果", before,
                        audit.snapshot(d, ("result_text", "implemented_on")))


def publish_result(s: Session, decision_id: int, out_path: Path, paper: str = "A4", start: date | None = None,
                   days: int | None = None, workdays: bool | None = None,
                   issued_on: date | None = None) -> NoticeInfo:
    """实施结果公开 (kind "decision-result"); the decision is 已完成."""
    from .notice_decision import build_result_notice

    d = _get(s, decision_id)
    _refuse_out_of_turn(s, d, RESULT_STEP)
    if not d.result_text:
        raise ServiceError(f"事项 {d.number} 还没有登记实施结果，请先“记录实施结果”。")
    info = publish_draft(s, d.unit_id, build_result_notice(s, d.id), out_path, paper, start, days, workdays,
                         issued_on)
    _published(s, d, info.id, info.number, result=True)
    return info


# ---------------------------------------------------------------- reading


def _notice_numbers(s: Session, ids: list[int | None]) -> dict[int, tuple[str, date | None]]:
    from ..notices.archive import notice_number

    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    return {n.id: (notice_number(n.id, n.issued_on) if n.issued_on else "", n.issued_on)
            for n in s.scalars(select(Notice).where(Notice.id.in_(wanted)))}


def _row(s: Session, d: Decision) -> DecisionRow:
    meetings = {m.step: m for m in list_meetings(s, d.unit_id, decision_id=d.id) if m.step}
    notices = _notice_numbers(s, [d.resolution_notice_id, d.result_notice_id])
    nxt = _next_step(s, d)
    steps: list[StepRow] = []
    for step in DECISION_STEPS:
        m = meetings.get(step)
        notice_id = {RESOLUTION_STEP: d.resolution_notice_id, RESULT_STEP: d.result_notice_id}.get(step)
        number, on = notices.get(notice_id, ("", None)) if notice_id else ("", None)
        if m is not None:
            state = STEP_DONE if m.outcome == "通过" else STEP_FAILED
            steps.append(StepRow(step, state, m.held_on, m))
        elif number:
            steps.append(StepRow(step, STEP_DONE, on, None, number))
        else:
            steps.append(StepRow(step, STEP_NEXT if step == nxt else STEP_LATER if nxt else STEP_NONE, None))
    return DecisionRow(d.id, d.number, d.title, d.content, d.proposed_on, d.status, d.ended_step, d.end_reason,
                       nxt, d.result_text, d.implemented_on, steps)


def _to_publish() -> ColumnElement[bool]:
    """Decided and not yet 公开, or carried out (result recorded) and its result not yet 公开."""
    return or_(Decision.status == RESOLVED, and_(Decision.status == IMPLEMENTING, Decision.result_text != ""))


def count_to_publish(s: Session, unit_id: int) -> int:
    """The 工作台's count: decisions waiting for 决议公开 or 实施结果公开."""
    return s.scalar(select(func.count(Decision.id)).where(Decision.unit_id == unit_id, _to_publish())) or 0


TO_PUBLISH = "to_publish"  # list_decisions' status for what count_to_publish counts


def list_decisions(s: Session, unit_id: int, status: str | None = None, year: int | None = None) -> list[DecisionRow]:
    """The unit's decisions, newest proposal first; optionally of one status (or TO_PUBLISH) or one year."""
    stmt = select(Decision).where(Decision.unit_id == unit_id)
    if status == TO_PUBLISH:
        stmt = stmt.where(_to_publish())
    elif status:
        stmt = stmt.where(Decision.status == status)
    if year:
        stmt = stmt.where(Decision.number.like(f"{year}-%"))
    return [_row(s, d) for d in s.scalars(stmt.order_by(Decision.proposed_on.desc(), Decision.id.desc()))]


def find_decision(s: Session, unit_id: int, number: str) -> int:
    """The id of the decision numbered `number` (2026-01; 2026-1 is read the same)."""
    year, _, seq = number.strip().partition("-")
    wanted = f"{year}-{int(seq):02d}" if year.isdigit() and seq.isdigit() else number.strip()
    found = s.scalar(select(Decision.id).where(Decision.unit_id == unit_id, Decision.number == wanted))
    if found is None:
        raise NotFound(f"找不到编号为“{number}”的事项（编号形如 2026-01，见“村务决策 › 四议两公开”）")
    return found


def get_decision(s: Session, decision_id: int) -> DecisionRow:
    return _row(s, _get(s, decision_id))
