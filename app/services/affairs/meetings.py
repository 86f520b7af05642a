"""村务 meetings that vote: a 四议两公开 step of a decision or the 村民代表会 vote on a 环形互动 topic.

Who was expected is ticked from the roster (roster(): the 村民代表 for a 村民代表会议, the 正式党员 —
those with a vote — for a 党员大会, the committee of the village's own 党组织 for a 支委会, and it with
the 村民委员会 for a 两委会); who came is ticked among them. A 村民会议 counts its adults and households instead of ticking hundreds of names.
The outcome comes from rules.check_vote and is stored with the note naming the rule, whether the
meeting passed or not: a failed quorum is a fact the 台账 must show.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.models import MemberPost, PartyMember, PartyOrg, Resident
from app.models.affairs import AffairsAttendance, AffairsMeeting, BodyPost

from .. import access, audit
from ..errors import NotFound
from ..validation import Problems
from .bodies import village_org
from .rules import VoteResult, check_vote

VILLAGERS = "村民会议"
SMALL_GROUP_POSTS = ("党小组长",)  # a 党小组长 alone sits on no 支委会
ORG_PREFIX = {"党委": "党委", "党总支": "总支", "党支部": "支部"}  # 总支书记, 支部委员 …


@dataclass
class AffairsMeetingInput:
    kind: str
    held_on: date | None
    expected_ids: Sequence[int] = ()  # resident ids ticked as 应到
    present_ids: Sequence[int] = ()  # among them, who came
    votes_for: int = 0
    votes_against: int = 0
    votes_abstain: int = 0
    minutes: str = ""
    place: str = ""
    host: str = ""
    # 村民会议: the counts the rule needs instead of ticks
    adults_total: int = 0
    households_total: int = 0
    households_present: int = 0
    present_count: int | None = None


@dataclass(frozen=True)
class RosterPerson:
    resident_id: int
    name: str
    role: str  # 村民代表 / 正式党员 / 支部书记 / 村民委员会主任 …


@dataclass(frozen=True)
class AffairsMeetingRow:
    id: int
    kind: str
    held_on: date
    step: str | None
    decision_id: int | None
    topic_id: int | None
    expected: int
    present: int
    votes_for: int
    votes_against: int
    votes_abstain: int
    outcome: str
    outcome_note: str
    minutes: str
    place: str
    host: str
    absent_names: list[str] = field(default_factory=list)

    @property
    def votes_text(self) -> str:
        """赞成/反对/弃权 as the ledger prints them, or why no vote was taken."""
        if self.outcome == "不足法定人数":
            return "未达法定人数"
        return f"{self.votes_for}/{self.votes_against}/{self.votes_abstain}"


def _active_post(since_col, until_col, on: date):  # type: ignore[no-untyped-def]
    return (or_(since_col.is_(None), since_col <= on), or_(until_col.is_(None), until_col >= on))


def roster(s: Session, unit_id: int, kind: str, on: date) -> list[RosterPerson]:
    """The people a meeting of `kind` on `on` expects, in the order the dialog ticks them (empty for a
    村民会议, which counts instead)."""
    people: dict[int, RosterPerson] = {}

    def add(rows: Sequence[tuple[int, str, str]]) -> None:
        for rid, name, role in rows:
            if rid in people:  # 一肩挑: one person, both posts (the same post in two orgs once)
                held = people[rid].role.split("、")
                role = people[rid].role if role in held else f"{people[rid].role}、{role}"
            people[rid] = RosterPerson(rid, name, role)

    def body(name: str) -> list[tuple[int, str, str]]:
        stmt = (select(Resident.id, Resident.name, BodyPost.body, BodyPost.role).select_from(BodyPost)
                .join(Resident, Resident.id == BodyPost.resident_id)
                .where(BodyPost.unit_id == unit_id, BodyPost.body == name,
                       *_active_post(BodyPost.since, BodyPost.until, on))
                .order_by(BodyPost.id))
        return [(rid, n, role if b == "村民代表" else f"{b}{role}") for rid, n, b, role in s.execute(stmt)]

    def committee() -> list[tuple[int, str, str]]:
        # The village's own 党组织 only (its top 党委/党总支/党支部): the 支委 of the 支部 under a 总支 sit on
        # their own 支委会, not on the village's 两委会.
        stmt = (select(Resident.id, Resident.name, PartyOrg.kind, MemberPost.post).select_from(MemberPost)
                .join(PartyMember, PartyMember.id == MemberPost.member_id)
                .join(Resident, Resident.id == PartyMember.resident_id)
                .join(PartyOrg, PartyOrg.id == MemberPost.org_id)
                .where(village_org(unit_id), MemberPost.post.not_in(SMALL_GROUP_POSTS),
                       *_active_post(MemberPost.start_on, MemberPost.end_on, on))
                .order_by(MemberPost.id))
        return [(rid, n, f"{ORG_PREFIX.get(kind, '支部')}{post}") for rid, n, kind, post in s.execute(stmt)]

    if kind == "村民代表会议":
        add(body("村民代表"))
    elif kind == "党员大会":
        stmt = (select(Resident.id, Resident.name).select_from(PartyMember)
                .join(Resident, Resident.id == PartyMember.resident_id)
                .join(PartyOrg, PartyOrg.id == PartyMember.org_id)
                .where(PartyOrg.unit_id == unit_id, PartyMember.stage == "正式党员",
                       or_(PartyMember.left_on.is_(None), PartyMember.left_on > on))
                .order_by(Resident.name_pinyin, Resident.id))
        add([(rid, n, "正式党员") for rid, n in s.execute(stmt)])
    elif kind == "支委会":
        add(committee())
    elif kind == "两委会":
        add(committee())
        add(body("村民委员会"))
    return list(people.values())


@dataclass(frozen=True)
class _Checked:
    values: dict[str, object]  # the AffairsMeeting columns
    expected: list[int]
    present: set[int]
    result: VoteResult


def find_people(s: Session, unit_id: int, text: str, limit: int = 20) -> list[RosterPerson]:
    """Residents matching `text` (name, 拼音首字母), to tick someone the roster does not list."""
    from ..people.residents import resident_search

    where = resident_search(text)
    if where is None:
        return []
    stmt = (select(Resident.id, Resident.name).where(Resident.unit_id == unit_id, where)
            .order_by(Resident.name_pinyin, Resident.id).limit(limit))
    return [RosterPerson(rid, name, "村民") for rid, name in s.execute(stmt)]


def _check(s: Session, unit_id: int, data: AffairsMeetingInput) -> _Checked:
    p = Problems()
    kind = p.choice("kind", "会议类型", data.kind, ("支委会", "两委会", "党员大会", "村民代表会议", VILLAGERS),
                    required=True)
    if data.held_on is None:
        p.add("held_on", "会议日期", "请填写会议日期")
    place = p.text("place", "地点", data.place, max_len=80)
    host = p.text("host", "主持人", data.host, max_len=40)
    minutes = p.text("minutes", "会议记录", data.minutes)
    expected = list(dict.fromkeys(data.expected_ids))
    present = list(dict.fromkeys(data.present_ids))
    known = set(s.scalars(select(Resident.id).where(Resident.unit_id == unit_id,
                                                    Resident.id.in_(expected + present))))
    if set(expected + present) - known:
        p.add("expected_ids", "应到人员", "勾选的人员中有不属于本村的，请重新勾选")
    if set(present) - set(expected):
        p.add("present_ids", "实到人员", "实到人员须从应到人员中勾选")
    p.raise_if_any()
    if kind == VILLAGERS:
        n_present = data.present_count if data.present_count is not None else len(present)
        n_expected = data.adults_total or len(expected)
    else:
        n_present, n_expected = len(present), len(expected)
    result = check_vote(kind, n_expected, n_present, data.votes_for, data.votes_against, data.votes_abstain,
                        data.adults_total, data.households_total, data.households_present)
    values: dict[str, object] = dict(
        kind=kind, held_on=data.held_on, place=place, host=host, minutes=minutes,
        expected_count=n_expected, present_count=n_present, adults_total=data.adults_total,
        households_total=data.households_total, households_present=data.households_present,
        votes_for=data.votes_for, votes_against=data.votes_against, votes_abstain=data.votes_abstain,
        outcome=result.outcome, outcome_note=result.note)
    return _Checked(values, expected, set(present), result)


def check_meeting(s: Session, unit_id: int, data: AffairsMeetingInput) -> VoteResult:
    """The outcome the meeting would get, saving nothing (the dialog shows it before 保存)."""
    return _check(s, unit_id, data).result


def record_meeting(s: Session, unit_id: int, data: AffairsMeetingInput, *, decision_id: int | None = None,
                   step: str | None = None, topic_id: int | None = None) -> int:
    """Store the meeting, its attendance and its outcome; returns the meeting id.

    Callers that move a decision or a topic on (decisions.record_step, the topics service) check their
    own order first and read the outcome back from the row.
    """
    access.require_role(s, *access.ENTRY_ROLES, action="登记村务会议")
    checked = _check(s, unit_id, data)
    result = checked.result
    m = AffairsMeeting(unit_id=unit_id, decision_id=decision_id, step=step, topic_id=topic_id, **checked.values)
    s.add(m)
    s.flush()
    for rid in checked.expected:
        s.add(AffairsAttendance(meeting_id=m.id, resident_id=rid, present=rid in checked.present))
    s.flush()
    what = f"{step}（{m.kind}）" if step else m.kind
    audit.record(s, unit_id, "create", "affairs_meeting", m.id,
                 f"登记{what}：{m.held_on:%Y-%m-%d}，{result.outcome}",
                 {"outcome_note": result.note})
    return m.id


def _row(s: Session, m: AffairsMeeting) -> AffairsMeetingRow:
    absent = [n for (n,) in s.execute(
        select(Resident.name).join(AffairsAttendance, AffairsAttendance.resident_id == Resident.id)
        .where(AffairsAttendance.meeting_id == m.id, AffairsAttendance.present.is_(False))
        .order_by(AffairsAttendance.id))]
    return AffairsMeetingRow(m.id, m.kind, m.held_on, m.step, m.decision_id, m.topic_id, m.expected_count,
                             m.present_count, m.votes_for, m.votes_against, m.votes_abstain, m.outcome,
                             m.outcome_note, m.minutes, m.place, m.host, absent)


def list_meetings(s: Session, unit_id: int, *, decision_id: int | None = None, topic_id: int | None = None,
                  kinds: Sequence[str] = ()) -> list[AffairsMeetingRow]:
    """Meetings in date order: of one decision, one topic, or (neither given) the unit's, of `kinds`."""
    stmt = select(AffairsMeeting).where(AffairsMeeting.unit_id == unit_id)
    if decision_id is not None:
        stmt = stmt.where(AffairsMeeting.decision_id == decision_id)
    if topic_id is not None:
        stmt = stmt.where(AffairsMeeting.topic_id == topic_id)
    if kinds:
        stmt = stmt.where(AffairsMeeting.kind.in_(kinds))
    return [_row(s, m) for m in s.scalars(stmt.order_by(AffairsMeeting.held_on, AffairsMeeting.id))]


def get_meeting(s: Session, meeting_id: int) -> AffairsMeetingRow:
    m = s.get(AffairsMeeting, meeting_id)
    if m is None:
        raise NotFound("找不到该村务会议")
    return _row(s, m)
