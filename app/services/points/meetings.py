"""三会一课 and 主题党日: meetings, attendance (出席/请假/缺席) and the points closing them generates.

Who is expected: the 正式/预备 党员 of the meeting's organisation and everything under it (a 党小组会
at a 党小组 expects its group), who had joined by and not left before the meeting day.
Closing the attendance (close_attendance) needs a state for every expected member; it then adds one
point entry per member through the rule whose trigger is "meeting:<类型>:<状态>" (三必到: 出席 earns,
缺席 without leave deducts, 请假 usually has no rule and earns nothing). After closing, attendance is
fixed; a wrong entry is voided in the member's ledger like any other.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from app.io.ledger_cells import fraction
from app.models import Attendance, Meeting, PartyMember, PartyOrg, Resident
from app.models.base import utcnow
from app.models.org import MEMBER_STAGES
from app.models.points import ATTENDANCE, MEETING_KINDS

from .. import access, audit
from ..errors import NotFound, ServiceError
from ..org.tree import child_ids, descendant_ids, subtree_ids
from ..validation import Problems
from .member_points import add_automatic, check_year_open
from .rules import list_rules, meeting_trigger

THEME_KIND = "主题党日"
UNREGISTERED = "未登记"  # a meeting whose attendance is not closed yet: no 应到/实到 to count
CANCELLED_CELL = "—"


def attendance_rate(present: int, expected: int) -> Decimal | None:
    """出席 ÷ 应到 as a fraction rounded as a percent cell prints it (0.1 %), None with nobody expected."""
    return fraction(present, expected)


def registered_totals(rows: Sequence[MeetingRow]) -> tuple[int, int, int]:
    """(meetings, 应到, 出席) over the meetings whose attendance is closed: what the year's rate counts."""
    done = [r for r in rows if r.registered]
    return len(done), sum(r.expected for r in done), sum(r.present for r in done)


@dataclass
class MeetingInput:
    org_id: int | None
    kind: str
    held_at: datetime | date | None
    topic: str = ""
    theme: str = ""  # 主题党日
    place: str = ""
    minutes: str = ""


@dataclass(frozen=True)
class MeetingRow:
    id: int
    org_id: int
    org_name: str
    kind: str
    held_at: datetime
    topic: str
    theme: str
    place: str
    expected: int
    present: int
    leave: int
    absent: int
    closed: bool
    cancelled: bool

    @property
    def title(self) -> str:
        return self.theme or self.topic

    @property
    def state(self) -> str:
        return "已取消" if self.cancelled else ("已结束" if self.closed else "登记中")

    @property
    def registered(self) -> bool:
        """Its attendance is closed (结束考勤): the counts are final. An open meeting's are partial and a
        cancelled one has none, so the ledgers show them as words and leave them out of sums and rates."""
        return self.closed and not self.cancelled

    def ledger_count(self, status: str | None) -> int | str:
        """应到 (status None) or the number 出席/请假/缺席, as the 三会一课 ledger prints it: a number for a
        registered meeting, 「未登记」 for an open one and 「—」 for a cancelled one."""
        if not self.registered:
            return CANCELLED_CELL if self.cancelled else UNREGISTERED
        return {None: self.expected, "出席": self.present, "请假": self.leave, "缺席": self.absent}[status]

    @property
    def ledger_rate(self) -> Decimal | str | None:
        """出席率 as a fraction (0.857 for 85.7 %) of a registered meeting, else the word of ledger_count."""
        if not self.registered:
            return self.ledger_count(None)
        return attendance_rate(self.present, self.expected)


@dataclass(frozen=True)
class AttendanceRow:
    member_id: int
    name: str
    group_name: str | None
    category: str
    status: str | None  # None: not yet recorded
    reason: str


@dataclass(frozen=True)
class CloseResult:
    meeting_id: int
    entries: int
    points_by_status: dict[str, int]  # how many entries per state


def _get(s: Session, meeting_id: int) -> Meeting:
    m = s.get(Meeting, meeting_id)
    if m is None:
        raise NotFound("找不到该会议")
    return m


def _held_at(value: datetime | date | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.combine(value, time(9, 0))  # a day without a time: the morning


def _check(s: Session, unit_id: int, data: MeetingInput) -> dict[str, object]:
    p = Problems()
    kind = p.choice("kind", "会议类型", data.kind, MEETING_KINDS, required=True)
    org = s.get(PartyOrg, data.org_id) if data.org_id is not None else None
    if org is None or org.unit_id != unit_id:
        p.add("org_id", "党组织", "请选择党组织")
    elif org.closed_on is not None:
        p.add("org_id", "党组织", f"{org.name} 已撤销")
    elif kind == "党小组会" and org.kind not in ("党小组", "功能型党小组"):
        p.add("org_id", "党组织", "党小组会请选择党小组")
    held = _held_at(data.held_at)
    if held is None:
        p.add("held_at", "时间", "请填写会议时间")
    topic = p.text("topic", "议题", data.topic, max_len=200, required=kind != THEME_KIND)
    theme = p.text("theme", "主题", data.theme, max_len=200, required=kind == THEME_KIND)
    place = p.text("place", "地点", data.place, max_len=80)
    p.raise_if_any()
    return dict(org_id=data.org_id, kind=kind, held_at=held, topic=topic, theme=theme, place=place,
                minutes=(data.minutes or "").strip())


def create_meeting(s: Session, unit_id: int, data: MeetingInput) -> int:
    access.require_role(s, *access.ENTRY_ROLES, action="登记会议")
    values = _check(s, unit_id, data)
    m = Meeting(unit_id=unit_id, **values)
    s.add(m)
    s.flush()
    audit.record(s, unit_id, "create", "meeting", m.id, f"登记{m.kind}：{m.held_at:%Y-%m-%d} {m.theme or m.topic}")
    return m.id


FIELDS = ("org_id", "kind", "held_at", "topic", "theme", "place", "minutes")


def update_meeting(s: Session, meeting_id: int, data: MeetingInput) -> None:
    """Change a meeting. After its attendance is closed only the minutes (记录) may change."""
    access.require_role(s, *access.ENTRY_ROLES, action="修改会议")
    m = _get(s, meeting_id)
    values = _check(s, m.unit_id, data)
    if m.attendance_closed_at is not None:
        changed = [k for k in FIELDS if k != "minutes" and getattr(m, k) != values[k]]
        if changed:
            raise ServiceError("该会议的考勤已结束并计分，只能修改会议记录。")
    if m.attendance_closed_at is None and values["org_id"] != m.org_id and _recorded(s, m.id):
        raise ServiceError("已登记考勤的会议不能更换党组织。")
    before = audit.snapshot(m, FIELDS)
    for k, v in values.items():
        setattr(m, k, v)
    s.flush()
    audit.record_change(s, m.unit_id, "meeting", m.id, f"修改会议：{m.held_at:%Y-%m-%d} {m.kind}", before,
                        audit.snapshot(m, FIELDS))


def cancel_meeting(s: Session, meeting_id: int, reason: str) -> None:
    """取消 a meeting that did not take place (kept, with the reason)."""
    access.require_role(s, *access.ENTRY_ROLES, action="取消会议")
    m = _get(s, meeting_id)
    p = Problems()
    if m.attendance_closed_at is not None:
        p.add("cancelled_reason", "取消原因", "考勤已结束计分的会议不能取消")
    reason = p.text("cancelled_reason", "取消原因", reason, required=True)
    p.raise_if_any()
    m.cancelled_reason = reason
    s.flush()
    audit.record(s, m.unit_id, "close", "meeting", m.id, f"取消会议：{m.held_at:%Y-%m-%d} {m.kind}（{reason}）")


def _recorded(s: Session, meeting_id: int) -> int:
    return s.scalar(select(func.count(Attendance.id)).where(Attendance.meeting_id == meeting_id)) or 0


@dataclass(frozen=True)
class _Expected:
    id: int
    name: str
    group_id: int | None
    points_category: str


def _expected(s: Session, m: Meeting) -> list[_Expected]:
    ids = descendant_ids(s, m.org_id)
    day = m.held_at.date()
    stmt = (
        select(PartyMember.id, Resident.name, PartyMember.group_id, PartyMember.points_category)
        .join(Resident, Resident.id == PartyMember.resident_id)
        .where(or_(PartyMember.org_id.in_(ids), PartyMember.group_id.in_(ids)),
               PartyMember.stage.in_(MEMBER_STAGES),
               or_(PartyMember.left_on.is_(None), PartyMember.left_on >= day),
               or_(PartyMember.joined_on.is_(None), PartyMember.joined_on <= day))
        .order_by(PartyMember.group_id, Resident.name_pinyin, PartyMember.id)
    )
    return [_Expected(*row) for row in s.execute(stmt)]


def _expected_counts(s: Session, meetings: Sequence[Meeting]) -> dict[int, int]:
    """len(_expected(s, m)) for many meetings in two queries: a county's year of meetings asked one
    query and the whole org tree per meeting (2.4 s to open the 三会一课 page)."""
    if not meetings:
        return {}
    children = child_ids(s, {m.unit_id for m in meetings})
    org_ids = [oid for kids in children.values() for oid in kids]
    by_org: dict[int, list[tuple[int, date | None, date | None]]] = {}
    for mid, org_id, group_id, joined, left in s.execute(
        select(PartyMember.id, PartyMember.org_id, PartyMember.group_id, PartyMember.joined_on, PartyMember.left_on)
        .join(Resident, Resident.id == PartyMember.resident_id)
        .where(or_(PartyMember.org_id.in_(org_ids), PartyMember.group_id.in_(org_ids)),
               PartyMember.stage.in_(MEMBER_STAGES))
    ):
        for owner in {org_id, group_id} - {None}:
            by_org.setdefault(owner, []).append((mid, joined, left))

    subtrees: dict[int, set[int]] = {}  # per org: a year has many meetings of the same branch
    counts = {}
    for m in meetings:
        day = m.held_at.date()
        if m.org_id not in subtrees:
            subtrees[m.org_id] = subtree_ids(children, m.org_id)
        counts[m.id] = len({mid for oid in subtrees[m.org_id] for mid, joined, left in by_org.get(oid, ())
                            if (joined is None or joined <= day) and (left is None or left >= day)})
    return counts


def attendance_sheet(s: Session, meeting_id: int) -> list[AttendanceRow]:
    """Every expected member with the state recorded so far (None: not yet)."""
    m = _get(s, meeting_id)
    recorded = {a.member_id: a for a in s.scalars(select(Attendance).where(Attendance.meeting_id == m.id))}
    groups = dict(s.execute(select(PartyOrg.id, PartyOrg.name).where(PartyOrg.unit_id == m.unit_id)).all())
    out = []
    for pm in _expected(s, m):
        a = recorded.get(pm.id)
        out.append(AttendanceRow(pm.id, pm.name, groups.get(pm.group_id) if pm.group_id else None,
                                 pm.points_category, a.status if a else None, a.reason if a else ""))
    return out


def _open(s: Session, meeting_id: int) -> Meeting:
    m = _get(s, meeting_id)
    if m.cancelled_reason:
        raise ServiceError("该会议已取消，不能登记考勤。")
    if m.attendance_closed_at is not None:
        raise ServiceError("该会议的考勤已结束并计分，不能再修改。")
    return m


def set_attendance(s: Session, meeting_id: int, member_id: int, status: str, reason: str = "") -> None:
    """Record one member's state (出席/请假/缺席); 请假 needs its reason."""
    access.require_role(s, *access.ENTRY_ROLES, action="登记考勤")
    m = _open(s, meeting_id)
    p = Problems()
    status = p.choice("status", "考勤", status, ATTENDANCE, required=True)
    reason = p.text("reason", "请假原因", reason, max_len=200)
    if status == "请假" and not reason:
        p.add("reason", "请假原因", "请假须写明原因")
    if member_id not in {pm.id for pm in _expected(s, m)}:
        p.add("member_id", "党员", "该党员不是本次会议的应到人员")
    p.raise_if_any()
    a = s.scalar(select(Attendance).where(Attendance.meeting_id == m.id, Attendance.member_id == member_id))
    if a is None:
        s.add(Attendance(meeting_id=m.id, member_id=member_id, status=status, reason=reason if status == "请假" else ""))
    else:
        a.status, a.reason = status, reason if status == "请假" else ""
    s.flush()


def mark_rest(s: Session, meeting_id: int, status: str = "出席") -> int:
    """Give every member not yet recorded this state (usually 出席); returns how many."""
    access.require_role(s, *access.ENTRY_ROLES, action="登记考勤")
    m = _open(s, meeting_id)
    if status not in ("出席", "缺席"):
        raise ServiceError("只能把其余人员都记为出席或缺席")
    done = set(s.scalars(select(Attendance.member_id).where(Attendance.meeting_id == m.id)))
    todo = [pm.id for pm in _expected(s, m) if pm.id not in done]
    for mid in todo:
        s.add(Attendance(meeting_id=m.id, member_id=mid, status=status, reason=""))
    s.flush()
    return len(todo)


def close_attendance(s: Session, meeting_id: int) -> CloseResult:
    """结束考勤: add the point entries through the rules (one per member at most). One transaction."""
    access.require_role(s, *access.ENTRY_ROLES, action="结束考勤并计分")
    m = _open(s, meeting_id)
    check_year_open(s, m.unit_id, m.held_at.year)
    if m.held_at.date() > date.today():
        raise ServiceError(f"会议时间是 {m.held_at:%Y-%m-%d}，会议开过之后才能结束考勤。")
    expected = _expected(s, m)
    recorded = {a.member_id: a for a in s.scalars(select(Attendance).where(Attendance.meeting_id == m.id))}
    missing = [pm.name for pm in expected if pm.id not in recorded]
    if missing:
        shown = "、".join(missing[:10]) + (f" 等 {len(missing)} 人" if len(missing) > 10 else "")
        raise ServiceError(f"还有 {len(missing)} 人没有登记考勤：{shown}。")
    rules = [r for r in list_rules(s, m.unit_id) if r.trigger.startswith(f"meeting:{m.kind}:")]
    counts: Counter[str] = Counter()
    label = m.theme or m.topic
    for pm in expected:
        status = recorded[pm.id].status
        trigger = meeting_trigger(m.kind, status)
        rule = next((r for r in rules if r.trigger == trigger and r.applies_to(pm.points_category)), None)
        if rule is None:
            continue
        note = f"{m.held_at:%Y-%m-%d} {m.kind}{status}" + (f"：{label}" if label else "")
        if add_automatic(s, m.unit_id, pm.id, rule, m.held_at.date(), note[:200], "meeting", f"meeting:{m.id}"):
            counts[status] += 1
    m.attendance_closed_at = utcnow()
    s.flush()
    total = sum(counts.values())
    audit.record(s, m.unit_id, "close", "meeting", m.id,
                 f"结束考勤：{m.held_at:%Y-%m-%d} {m.kind}，生成积分记录 {total} 条")
    return CloseResult(m.id, total, dict(counts))


# ================================================================ lists and counts


def _rows(s: Session, meetings: list[tuple[Meeting, str]]) -> list[MeetingRow]:
    ids = [m.id for m, _ in meetings]
    counts: dict[int, Counter[str]] = {}
    if ids:
        for mid, status, n in s.execute(select(Attendance.meeting_id, Attendance.status, func.count(Attendance.id))
                                        .where(Attendance.meeting_id.in_(ids))
                                        .group_by(Attendance.meeting_id, Attendance.status)):
            counts.setdefault(mid, Counter())[status] = n
    expected = _expected_counts(s, [m for m, _ in meetings])
    out = []
    for m, org_name in meetings:
        c = counts.get(m.id, Counter())
        out.append(MeetingRow(m.id, m.org_id, org_name, m.kind, m.held_at, m.topic, m.theme, m.place,
                              expected[m.id], c["出席"], c["请假"], c["缺席"],
                              m.attendance_closed_at is not None, bool(m.cancelled_reason)))
    return out


def list_meetings(s: Session, unit_id: int, year: int, kind: str | None = None,
                  org_id: int | None = None) -> list[MeetingRow]:
    """The year's meetings, newest first."""
    stmt = (
        select(Meeting, PartyOrg.name).join(PartyOrg, PartyOrg.id == Meeting.org_id)
        .where(Meeting.unit_id == unit_id, Meeting.held_at >= datetime(year, 1, 1),
               Meeting.held_at < datetime(year + 1, 1, 1))
        .order_by(Meeting.held_at.desc(), Meeting.id.desc())
    )
    if kind:
        stmt = stmt.where(Meeting.kind == kind)
    if org_id is not None:
        stmt = stmt.where(Meeting.org_id.in_(descendant_ids(s, org_id)))
    return _rows(s, [(m, n) for m, n in s.execute(stmt)])


def unregistered(at: datetime) -> ColumnElement[bool]:
    """Held by `at`, not cancelled, attendance not closed: the 工作台 counts these and the page lists them."""
    return (Meeting.attendance_closed_at.is_(None) & (Meeting.held_at <= at)
            & or_(Meeting.cancelled_reason.is_(None), Meeting.cancelled_reason == ""))


def list_unregistered(s: Session, unit_id: int, at: datetime | None = None) -> list[MeetingRow]:
    """Every meeting held without its attendance closed, of any year, newest first."""
    stmt = (
        select(Meeting, PartyOrg.name).join(PartyOrg, PartyOrg.id == Meeting.org_id)
        .where(Meeting.unit_id == unit_id, unregistered(at or datetime.now()))
        .order_by(Meeting.held_at.desc(), Meeting.id.desc())
    )
    return _rows(s, [(m, n) for m, n in s.execute(stmt)])


def ledger_note(rows: Sequence[MeetingRow]) -> str:
    """The 三会一课 ledger's note: what 「未登记」 means and the year's attendance over registered meetings only."""
    done, expected, present = registered_totals(rows)
    rate = attendance_rate(present, expected)
    shown = "—" if rate is None else f"{rate * 100:.1f}%"
    note = f"注：已结束考勤的会议 {done} 次，应到 {expected} 人次，出席 {present} 人次，出席率 {shown}。"
    open_ = sum(1 for r in rows if not r.registered and not r.cancelled)
    if open_:
        note += f"另有 {open_} 次会议尚未结束考勤，应到、出席等记为“{UNREGISTERED}”，不计入合计和出席率。"
    cancelled = sum(1 for r in rows if r.cancelled)
    if cancelled:
        note += f"已取消的会议 {cancelled} 次记为“{CANCELLED_CELL}”。"
    return note


def get_meeting(s: Session, meeting_id: int) -> MeetingRow:
    m = _get(s, meeting_id)
    org = s.get(PartyOrg, m.org_id)
    return _rows(s, [(m, org.name if org else "")])[0]


def meeting_input(s: Session, meeting_id: int) -> MeetingInput:
    m = _get(s, meeting_id)
    return MeetingInput(m.org_id, m.kind, m.held_at, m.topic, m.theme, m.place, m.minutes)


@dataclass(frozen=True)
class MemberMeetingCounts:
    member_id: int
    name: str
    org_name: str
    counts: dict[str, dict[str, int]]  # 会议类型 -> {出席, 请假, 缺席}

    def count(self, kind: str, status: str) -> int:
        return self.counts.get(kind, {}).get(status, 0)

    def total(self, status: str) -> int:
        return sum(c.get(status, 0) for c in self.counts.values())


def member_counts(s: Session, unit_id: int, year: int) -> list[MemberMeetingCounts]:
    """Per member and meeting kind: how often present / on leave / absent in the year (三必到 record).

    Only meetings whose attendance is closed count: an open meeting's marks may still change (as in the
    三会一课 ledger, where such a meeting is 「未登记」)."""
    stmt = (
        select(Attendance.member_id, Meeting.kind, Attendance.status, func.count(Attendance.id))
        .join(Meeting, Meeting.id == Attendance.meeting_id)
        .where(Meeting.unit_id == unit_id, Meeting.cancelled_reason == "", Meeting.attendance_closed_at.isnot(None),
               Meeting.held_at >= datetime(year, 1, 1), Meeting.held_at < datetime(year + 1, 1, 1))
        .group_by(Attendance.member_id, Meeting.kind, Attendance.status)
    )
    counts: dict[int, dict[str, dict[str, int]]] = {}
    for mid, kind, status, n in s.execute(stmt):
        counts.setdefault(mid, {}).setdefault(kind, {})[status] = n
    if not counts:
        return []
    names = s.execute(
        select(PartyMember.id, Resident.name, PartyOrg.name).join(Resident, Resident.id == PartyMember.resident_id)
        .join(PartyOrg, PartyOrg.id == PartyMember.org_id).where(PartyMember.id.in_(list(counts)))
        .order_by(PartyOrg.sort_order, PartyOrg.id, Resident.name_pinyin)
    )
    return [MemberMeetingCounts(mid, name, org, counts[mid]) for mid, name, org in names]
