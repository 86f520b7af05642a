"""环形互动 topics (东坟村): opened 正序 by the 支部 or 倒序 from the villagers, one stage after the other.

    征求意见 ─提交支部研究→ 支部研究 ─支部答复→ 代表会表决 ─通过→ 公开 ─发布公示→ 落实 ─完成→ 已完成
                                                     └─未通过 / 不足法定人数→ 未通过 (reason kept)

正序: the 支部 sets the theme, the 党员会 studies it, members gather the households' opinions, feed back.
倒序: villagers raise it (often a 工单, promoted in one step), members gather opinions, the 支部 studies
and answers. Both then go to the 村民代表会 (meetings.record_meeting, the 组织法 thresholds), are made
public (notice_topic), and 落实: a 责任人, a 时限, progress notes, done, the villagers' verdict.
Stages only move forward; an action out of turn is refused naming the step that comes next. Nothing
is deleted: opinions and progress notes are rows, a failed vote closes the topic with its reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from app.models import Household, PartyMember, Resident, Ticket, TicketCategory
from app.models.affairs import (
    TOPIC_DIRECTIONS,
    TOPIC_STAGES,
    VERDICTS,
    AffairsMeeting,
    Topic,
    TopicOpinion,
    TopicProgress,
)

from .. import access, audit
from ..errors import NotFound, ServiceError
from ..tickets import workflow as ticket_flow
from ..validation import Problems, check_date_order
from .meetings import AffairsMeetingInput, record_meeting

# What a topic in each stage waits for (the message when an action comes out of turn).
NEXT_STEP = {
    "征求意见": "记录群众意见，然后“提交支部研究”",
    "支部研究": "填写“支部答复”",
    "代表会表决": "记录“代表会表决”",
    "公开": "“发布公开”",
    "落实": "“落实安排”并“记录进展”",
    "已完成": "“群众评价”",
    "未通过": "无（议题未通过表决，已结束）",
}
CLOSED = "无（已完成，群众已评价，议题已结束）"  # 已完成 with its verdict: nothing is left to do


def _next_step(stage: str, verdict: str | None) -> str:
    return CLOSED if stage == "已完成" and verdict else NEXT_STEP[stage]
VOTE_KINDS = ("村民代表会议", "村民会议")
STAGES, DIRECTIONS = TOPIC_STAGES, TOPIC_DIRECTIONS  # for the window (ui never imports app.models)
TITLE_MAX = 200


@dataclass(frozen=True)
class TopicRow:
    id: int
    number: str
    title: str
    content: str
    direction: str
    stage: str
    opened_on: date
    ticket_id: int | None
    ticket_number: str
    opinions: int
    answer: str
    answered_on: date | None
    vote_on: date | None
    vote_outcome: str  # 通过 / 未通过 / 不足法定人数, "" before the vote
    vote_note: str
    notice_id: int | None
    responsible_id: int | None
    responsible_name: str
    due_on: date | None
    done_on: date | None
    verdict: str
    verdict_note: str
    closed_reason: str
    last_progress: str
    overdue: bool

    @property
    def next_step(self) -> str:
        return _next_step(self.stage, self.verdict)


@dataclass(frozen=True)
class OpinionRow:
    id: int
    gathered_on: date | None
    member_name: str
    household: str  # 户号（住址）
    speaker: str
    content: str


@dataclass(frozen=True)
class ProgressRow:
    id: int
    noted_on: date
    content: str


@dataclass(frozen=True)
class TopicDetail:
    row: TopicRow
    opinions: list[OpinionRow]
    progress: list[ProgressRow]


# ---------------------------------------------------------------- helpers


def _get(s: Session, topic_id: int) -> Topic:
    t = s.get(Topic, topic_id)
    if t is None:
        raise NotFound("找不到该议题")
    return t


def _require_stage(t: Topic, stage: str, action: str) -> None:
    if t.stage != stage:
        raise ServiceError(f"议题 {t.number} 当前处于“{t.stage}”阶段，不能{action}。下一步应当：{_next_step(t.stage, t.verdict)}。")


def _entry(s: Session, action: str) -> None:
    access.require_role(s, *access.ENTRY_ROLES, action=action)


def _next_number(s: Session, unit_id: int, year: int) -> str:
    prefix = f"{year}-"
    numbers = s.scalars(select(Topic.number).where(Topic.unit_id == unit_id, Topic.number.like(prefix + "%")))
    seq = max((int(n[len(prefix):]) for n in numbers if n[len(prefix):].isdigit()), default=0) + 1
    return f"{prefix}{seq:02d}"


def _move(s: Session, t: Topic, to: str, what: str) -> None:
    before = t.stage
    t.stage = to
    s.flush()
    audit.record(s, t.unit_id, "update", "topic", t.id, f"环形互动议题 {t.number}：{what}（{before}→{to}）")


def _date_after(p: Problems, field: str, label: str, when: date, start: tuple[str, date | None]) -> None:
    check_date_order(p, [("start", start[0], start[1]), (field, label, when)])


# ---------------------------------------------------------------- opening


def open_topic(s: Session, unit_id: int, title: str, direction: str, content: str = "",
               opened_on: date | None = None) -> int:
    """A new topic: 正序 (the 支部 sets it) or 倒序 (raised by villagers); it starts gathering opinions."""
    _entry(s, "新建环形互动议题")
    p = Problems()
    title = p.text("title", "议题", title, required=True, max_len=TITLE_MAX)
    content = p.text("content", "议题内容", content, max_len=4000)
    direction = p.choice("direction", "方式", direction, TOPIC_DIRECTIONS, required=True)
    p.raise_if_any()
    on = opened_on or date.today()
    t = Topic(unit_id=unit_id, number=_next_number(s, unit_id, on.year), title=title, content=content,
              direction=direction, opened_on=on, stage="征求意见")
    s.add(t)
    s.flush()
    audit.record(s, unit_id, "create", "topic", t.id, f"新建环形互动议题 {t.number}（{direction}）：{title}")
    return t.id


def promote_ticket(s: Session, ticket_id: int, opened_on: date | None = None) -> int:
    """A 工单 becomes a 倒序 topic in one step (title and content from it); a ticket is promoted once."""
    _entry(s, "把工单转为环形互动议题")
    ticket = s.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound("找不到该工单")
    earlier = s.scalar(select(Topic.number).where(Topic.ticket_id == ticket_id))
    if earlier is not None:
        raise ServiceError(f"工单 {ticket.number} 已转为环形互动议题 {earlier}，不能重复转入。")
    category = s.get(TicketCategory, ticket.category_id)
    text = " ".join(ticket.content.split())
    head = text[:40] + ("…" if len(text) > 40 else "")
    title = f"{category.name}：{head}" if category is not None else head
    on = opened_on or max(date.today(), ticket.received_at.date())
    # the content is the ticket's own words: the source is shown from ticket_id (来源工单), not repeated here
    topic_id = open_topic(s, ticket.unit_id, title, "倒序", ticket.content, on)
    t = _get(s, topic_id)
    t.ticket_id = ticket.id
    s.flush()
    # the 办理记录 line is dated with the topic when it is back-entered (the demo), else now
    at = None if opened_on is None else max(ticket.received_at, datetime.combine(on, time(9)))
    ticket_flow.add_note(s, ticket.id, f"已转为环形互动议题 {t.number}（倒序），由支部研究答复", at)
    return topic_id


# ---------------------------------------------------------------- 征求意见 → 支部研究 → 代表会表决


def add_opinion(s: Session, topic_id: int, content: str, *, member_id: int | None = None,
                household_id: int | None = None, speaker: str = "", gathered_on: date | None = None,
                resident_id: int | None = None) -> int:
    """An opinion a 党员 gathered from a household (who gathered it, which household, who said it).

    resident_id: the villager who said it, picked from the register — their household and name are taken
    (a speaker typed by name stays free text)."""
    _entry(s, "记录群众意见")
    t = _get(s, topic_id)
    _require_stage(t, "征求意见", "记录意见")
    p = Problems()
    content = p.text("content", "意见内容", content, required=True, max_len=2000)
    speaker = p.text("speaker", "提出人", speaker, max_len=40)
    on = gathered_on or date.today()
    _date_after(p, "gathered_on", "征求日期", on, ("议题提出日期", t.opened_on))
    if member_id is not None:
        m = s.get(PartyMember, member_id)
        who = s.get(Resident, m.resident_id) if m is not None else None
        if who is None or who.unit_id != t.unit_id:
            p.add("member_id", "收集党员", "不是本村的党员")
    if resident_id is not None:
        said = s.get(Resident, resident_id)
        if said is None or said.unit_id != t.unit_id:
            p.add("resident_id", "提出人", "不是本村的居民")
        else:
            household_id, speaker = household_id or said.household_id, speaker or said.name
    if household_id is not None:
        h = s.get(Household, household_id)
        if h is None or h.unit_id != t.unit_id:
            p.add("household_id", "户", "不是本村的户")
    p.raise_if_any()
    o = TopicOpinion(topic_id=t.id, member_id=member_id, household_id=household_id, speaker=speaker,
                     gathered_on=on, content=content)
    s.add(o)
    s.flush()
    audit.record(s, t.unit_id, "create", "topic_opinion", o.id, f"环形互动议题 {t.number}：记录群众意见")
    return o.id


def submit_for_study(s: Session, topic_id: int) -> None:
    """征求意见 ends: the opinions go to the 支部 (at least one must have been gathered)."""
    _entry(s, "提交支部研究")
    t = _get(s, topic_id)
    _require_stage(t, "征求意见", "提交支部研究")
    if not t.opinions:
        raise ServiceError(f"议题 {t.number} 还没有记录群众意见，请先由党员征求意见并“记录意见”。")
    _move(s, t, "支部研究", f"提交支部研究（意见 {len(t.opinions)} 条）")


def record_answer(s: Session, topic_id: int, answer: str, answered_on: date | None = None) -> None:
    """The 支部's answer after studying the opinions; the topic then goes to the 村民代表会."""
    _entry(s, "填写支部答复")
    t = _get(s, topic_id)
    _require_stage(t, "支部研究", "填写支部答复")
    p = Problems()
    answer = p.text("answer", "支部答复", answer, required=True, max_len=4000)
    on = answered_on or date.today()
    last = max((o.gathered_on for o in t.opinions if o.gathered_on), default=t.opened_on)
    _date_after(p, "answered_on", "答复日期", on, ("最后一条意见的日期", last))
    p.raise_if_any()
    t.answer, t.answered_on = answer, on
    _move(s, t, "代表会表决", "支部答复")


def record_vote(s: Session, topic_id: int, data: AffairsMeetingInput) -> str:
    """The 村民代表会 (or 村民会议) votes on the answered topic, by the 组织法 thresholds (meetings):
    通过 → 公开; 未通过 / 不足法定人数 → the topic is closed with the rule's note as its reason."""
    _entry(s, "记录代表会表决")
    t = _get(s, topic_id)
    _require_stage(t, "代表会表决", "记录代表会表决")
    p = Problems()
    if data.kind not in VOTE_KINDS:
        p.add("kind", "会议类型", f"环形互动议题由村民代表会议或村民会议表决，不能用“{data.kind}”表决")
    if data.held_on is not None:
        _date_after(p, "held_on", "会议日期", data.held_on, ("支部答复日期", t.answered_on))
    p.raise_if_any()
    m = s.get(AffairsMeeting, record_meeting(s, t.unit_id, data, topic_id=t.id))
    assert m is not None
    if m.outcome == "通过":
        _move(s, t, "公开", f"{m.kind}表决通过")
    else:
        t.closed_reason = f"{m.held_on.isoformat()} {m.kind}{m.outcome}：{m.outcome_note}"
        _move(s, t, "未通过", f"{m.kind}{m.outcome}")
    return m.outcome


# ---------------------------------------------------------------- 落实


def arrange(s: Session, topic_id: int, responsible_id: int, due_on: date) -> None:
    """落实安排: the 责任人 (a resident) and the 时限; may be changed while it is not done (logged)."""
    _entry(s, "安排落实")
    t = _get(s, topic_id)
    _require_stage(t, "落实", "安排落实")
    p = Problems()
    person = s.get(Resident, responsible_id) if responsible_id else None
    if person is None or person.unit_id != t.unit_id:
        p.add("responsible_id", "责任人", "请选择本村的责任人")
    _date_after(p, "due_on", "落实时限", due_on, ("支部答复日期", t.answered_on))
    p.raise_if_any()
    before = audit.snapshot(t, ("responsible_id", "due_on"))
    t.responsible_id, t.due_on = responsible_id, due_on
    s.flush()
    audit.record_change(s, t.unit_id, "topic", t.id, f"环形互动议题 {t.number}：落实安排", before,
                        audit.snapshot(t, ("responsible_id", "due_on")))


def add_progress(s: Session, topic_id: int, content: str, noted_on: date | None = None,
                 done: bool = False) -> int:
    """A 落实 progress note; done=True marks the topic 落实完成 on that date (then the villagers judge it)."""
    _entry(s, "记录落实进展")
    t = _get(s, topic_id)
    _require_stage(t, "落实", "记录落实进展")
    if t.responsible_id is None:
        raise ServiceError(f"议题 {t.number} 还没有落实安排，请先在“落实安排”中确定责任人和时限。")
    p = Problems()
    content = p.text("content", "进展情况", content, required=True, max_len=2000)
    on = noted_on or date.today()
    _date_after(p, "noted_on", "进展日期", on, ("议题提出日期", t.opened_on))
    p.raise_if_any()
    note = TopicProgress(topic_id=t.id, noted_on=on, content=content)
    s.add(note)
    s.flush()
    audit.record(s, t.unit_id, "create", "topic_progress", note.id, f"环形互动议题 {t.number}：落实进展")
    if done:
        t.done_on = on
        _move(s, t, "已完成", "落实完成")
    return note.id


def record_verdict(s: Session, topic_id: int, verdict: str, note: str = "") -> None:
    """群众评价 of a finished topic: 满意 / 基本满意 / 不满意, given once."""
    _entry(s, "记录群众评价")
    t = _get(s, topic_id)
    _require_stage(t, "已完成", "记录群众评价")
    if t.verdict is not None:
        raise ServiceError(f"议题 {t.number} 已有群众评价（{t.verdict}），不能重复评价。")
    p = Problems()
    verdict = p.choice("verdict", "群众评价", verdict, VERDICTS, required=True)
    note = p.text("verdict_note", "评价说明", note, max_len=2000)
    p.raise_if_any()
    t.verdict, t.verdict_note = verdict, note
    s.flush()
    audit.record(s, t.unit_id, "update", "topic", t.id, f"环形互动议题 {t.number}：群众评价（{verdict}）")


# ---------------------------------------------------------------- reading


def overdue_condition(today: date) -> ColumnElement[bool]:
    """落实 past its 时限 and not done: the 工作台 line and the list's filter count the same rows."""
    return and_(Topic.stage == "落实", Topic.due_on.is_not(None), Topic.due_on < today, Topic.done_on.is_(None))


def count_overdue(s: Session, unit_id: int, today: date) -> int:
    return s.scalar(select(func.count(Topic.id)).where(Topic.unit_id == unit_id, overdue_condition(today))) or 0


def _rows(s: Session, topics: list[Topic], today: date) -> list[TopicRow]:
    ids = [t.id for t in topics]
    counts = dict(s.execute(select(TopicOpinion.topic_id, func.count(TopicOpinion.id))
                            .where(TopicOpinion.topic_id.in_(ids)).group_by(TopicOpinion.topic_id)).all())
    votes: dict[int, AffairsMeeting] = {}
    for m in s.scalars(select(AffairsMeeting).where(AffairsMeeting.topic_id.in_(ids)).order_by(AffairsMeeting.id)):
        votes[m.topic_id or 0] = m  # the latest
    tickets = dict(s.execute(select(Ticket.id, Ticket.number).where(
        Ticket.id.in_([t.ticket_id for t in topics if t.ticket_id]))).all())
    names = dict(s.execute(select(Resident.id, Resident.name).where(
        Resident.id.in_([t.responsible_id for t in topics if t.responsible_id]))).all())
    last: dict[int, str] = {}
    for tp in s.scalars(select(TopicProgress).where(TopicProgress.topic_id.in_(ids)).order_by(TopicProgress.id)):
        last[tp.topic_id] = f"{tp.noted_on.isoformat()} {tp.content}"
    out = []
    for t in topics:
        m = votes.get(t.id)
        out.append(TopicRow(
            id=t.id, number=t.number, title=t.title, content=t.content, direction=t.direction, stage=t.stage,
            opened_on=t.opened_on, ticket_id=t.ticket_id, ticket_number=tickets.get(t.ticket_id or 0, ""),
            opinions=counts.get(t.id, 0), answer=t.answer, answered_on=t.answered_on,
            vote_on=m.held_on if m else None, vote_outcome=m.outcome if m else "", vote_note=m.outcome_note if m else "",
            notice_id=t.notice_id, responsible_id=t.responsible_id,
            responsible_name=names.get(t.responsible_id or 0, ""), due_on=t.due_on, done_on=t.done_on,
            verdict=t.verdict or "", verdict_note=t.verdict_note, closed_reason=t.closed_reason,
            last_progress=last.get(t.id, ""),
            overdue=t.stage == "落实" and t.due_on is not None and t.due_on < today and t.done_on is None,
        ))
    return out


def list_topics(s: Session, unit_id: int, today: date | None = None, overdue_only: bool = False) -> list[TopicRow]:
    """Every topic of the village, newest first; overdue_only: the 工作台 line's list."""
    today = today or date.today()
    q = select(Topic).where(Topic.unit_id == unit_id)
    if overdue_only:
        q = q.where(overdue_condition(today))
    return _rows(s, list(s.scalars(q.order_by(Topic.opened_on.desc(), Topic.id.desc()))), today)


def find_topic(s: Session, unit_id: int, number: str) -> int:
    """The topic numbered `number` (2026-01, as the list shows it) in this village."""
    found = s.scalar(select(Topic.id).where(Topic.unit_id == unit_id, Topic.number == number.strip()))
    if found is None:
        raise NotFound(f"没有编号为“{number}”的环形互动议题")
    return found


def get_topic(s: Session, topic_id: int, today: date | None = None) -> TopicDetail:
    t = _get(s, topic_id)
    row = _rows(s, [t], today or date.today())[0]
    opinions = []
    for o in t.opinions:
        member = s.get(PartyMember, o.member_id) if o.member_id else None
        member_name = (s.get(Resident, member.resident_id).name if member else "")  # type: ignore[union-attr]
        h = s.get(Household, o.household_id) if o.household_id else None
        household = f"{h.number}（{h.address}）" if h and h.address else (h.number if h else "")
        opinions.append(OpinionRow(o.id, o.gathered_on, member_name, household, o.speaker, o.content))
    progress = [ProgressRow(tp.id, tp.noted_on, tp.content) for tp in t.progress]
    return TopicDetail(row, opinions, progress)
