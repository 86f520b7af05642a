"""工作台 今日待办: each count against the same thing counted another way (the areas' lists), a blank village."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from app.db import Database
from app.demo.ids import make_id_number
from app.paths import backup_dir
from app.services.context import AppContext
from app.services.errors import ValidationError
from app.services.grid.coverage import coverage_report
from app.services.notices.archive import STATUS_OPEN, list_notices
from app.services.org.members import MemberQuery, list_members
from app.services.points import meetings
from app.services.safety.backup_files import auto_name
from app.services.settings import set_setting
from app.services.setup.first_start import VillageSetup, found_village
from app.services.tickets.queries import TicketQuery, stream_tickets
from app.services.workbench import schedule, today
from app.services.workbench.today import todo_lines


def _counts(s: Session, uid: int, at: datetime) -> dict[str, int]:
    return {line.key: line.count for line in todo_lines(s, uid, at)}


def test_ticket_lines_match_the_ticket_list(s: Session, uid: int) -> None:
    rows = list(stream_tickets(s, TicketQuery(uid)))
    # a moment when some tickets are overdue and some are due within a day: just before a due time
    open_due = sorted(r.due_at for r in rows if r.due_at is not None and r.state not in ("closed", "cancelled"))
    assert open_due, "the demo has open tickets"
    for at in (datetime.now(), open_due[len(open_due) // 2] - timedelta(hours=2)):
        rows = list(stream_tickets(s, TicketQuery(uid, at=at)))
        counts = _counts(s, uid, at)
        assert counts["tickets_overdue"] == sum(r.overdue for r in rows)
        assert counts["tickets_due_soon"] == sum(r.due_soon for r in rows)
        # the line opens the ticket list with a state filter that lists exactly those
        assert len(list(stream_tickets(s, TicketQuery(uid, state="due_soon", at=at)))) == counts["tickets_due_soon"]
    assert counts["tickets_due_soon"] >= 1


def test_member_lines_match_the_roster_dates(s: Session, uid: int) -> None:
    roster = list_members(s, MemberQuery(uid), limit=10_000)
    probation = [m for m in roster if m.stage == "预备党员" and m.joined_on is not None]
    assert probation
    on = probation[0].joined_on.replace(year=probation[0].joined_on.year + 1) - timedelta(days=10)
    counts = _counts(s, uid, datetime.combine(on, datetime.min.time()))
    # 预备期 ends one year after 入党: within the next 30 days (or already ended, not yet 转正)
    expected = sum(1 for m in probation if m.joined_on.replace(year=m.joined_on.year + 1) <= on + timedelta(days=30))
    assert counts["probation_due"] == expected >= 1
    details = {m.id: m for m in roster if m.stage == "入党积极分子"}
    from app.services.org.members import get_member

    activists = [get_member(s, mid).activist_on for mid in details]
    assert counts["activist_due"] == sum(1 for d in activists if d is not None and d.replace(year=d.year + 1) <= on)
    listed = list_members(s, MemberQuery(uid, stage="probation_due", on=on), limit=1000)
    assert {m.id for m in listed} <= {m.id for m in probation} and len(listed) == expected


def test_notice_meeting_and_contact_lines(s: Session, uid: int) -> None:
    notices = list_notices(s, uid)
    assert notices
    on = notices[0].period_start or notices[0].issued_on
    assert on is not None
    at = datetime.combine(on, datetime.min.time()) + timedelta(hours=10)
    counts = _counts(s, uid, at)
    in_period = [n for n in list_notices(s, uid, today=on) if n.status == STATUS_OPEN]
    assert counts["notices_open"] == len(in_period) >= 1
    with_objections = [n for n in notices if n.open_objections]
    assert counts["objections_open"] == len(with_objections)
    # the 公示 page lists them with the same condition
    assert [n.id for n in list_notices(s, uid, today=on, state="open")] == [n.id for n in in_period]
    assert [n.id for n in list_notices(s, uid, state="objections")] == [n.id for n in with_objections]
    now = datetime.now()
    rows = [r for y in range(now.year - 3, now.year + 1) for r in meetings.list_meetings(s, uid, y)]
    assert _counts(s, uid, now)["meetings_unregistered"] == sum(
        1 for r in rows if not r.registered and not r.cancelled and r.held_at <= now)
    assert len(meetings.list_unregistered(s, uid, now)) == _counts(s, uid, now)["meetings_unregistered"]
    assert _counts(s, uid, now)["contacts_gap"] == len(coverage_report(s, uid).uncovered)


def test_schedule_follows_meetings_and_the_setting(s: Session, uid: int) -> None:
    on = date.today()
    behind = schedule.behind_schedule(s, uid, on)
    branch = next(b for b in behind if b.kind == "支委会")
    # a 支委会 held last month puts the branch back on schedule
    held = schedule.period_start("month", on) + timedelta(days=3)
    meetings.create_meeting(s, uid, meetings.MeetingInput(branch.org_id, "支委会", held, topic="研究本月工作"))
    after = schedule.behind_schedule(s, uid, on)
    assert (branch.org_id, "支委会") not in {(b.org_id, b.kind) for b in after}
    assert len(after) == len(behind) - 1
    set_setting(s, uid, schedule.SCHEDULE_KEY, {"支委会": "none", "党小组会": "quarter"})
    assert all(b.kind != "支委会" for b in schedule.behind_schedule(s, uid, on))
    assert _counts(s, uid, datetime.now())["meetings_behind"] == len(schedule.behind_schedule(s, uid, on))


def test_period_start_is_the_previous_month_or_quarter() -> None:
    assert schedule.period_start("month", date(2026, 1, 15)) == date(2025, 12, 1)
    assert schedule.period_start("month", date(2026, 7, 31)) == date(2026, 6, 1)
    assert schedule.period_start("quarter", date(2026, 2, 1)) == date(2025, 10, 1)
    assert schedule.period_start("quarter", date(2026, 12, 3)) == date(2026, 7, 1)
    assert schedule.period_start("half", date(2026, 3, 9)) == date(2025, 7, 1)
    assert schedule.period_start("half", date(2026, 11, 9)) == date(2026, 1, 1)
    assert schedule.period_start("year", date(2026, 12, 31)) == date(2025, 1, 1)


def test_save_the_schedule_checks_every_kind(s: Session, uid: int) -> None:
    assert schedule.schedule_choices(s, uid) == schedule.DEFAULT_SCHEDULE
    with pytest.raises(ValidationError) as bad:
        schedule.save_meeting_schedule(s, uid, {"支委会": "week", "党小组会": "month", "支部党员大会": "quarter",
                                                "团员大会": "month"})
    assert {(p.label, "无效" in p.message) for p in bad.value.problems} >= {("支委会", True), ("团员大会", False)}
    assert any(p.label == "党课" for p in bad.value.problems)  # missing: not silently kept
    assert schedule.schedule_choices(s, uid) == schedule.DEFAULT_SCHEDULE  # nothing half-written
    schedule.save_meeting_schedule(s, uid, {"支委会": "half", "党小组会": "none", "支部党员大会": "year", "党课": "quarter"})
    assert schedule.meeting_schedule(s, uid) == {"支委会": "half", "支部党员大会": "year", "党课": "quarter"}
    assert all(b.kind != "党小组会" for b in schedule.behind_schedule(s, uid))


def test_a_blank_village_has_nothing_to_do(db: Database) -> None:
    ctx = AppContext(db)
    uid = ctx.call(found_village, VillageSetup(
        name="杏花村", org_name="中共杏花村支部委员会", secretary_name="王建国",
        secretary_id_number=make_id_number("110111", date(1968, 4, 2), 13), secretary_joined_on=date(1995, 7, 1),
        secretary_since=date(2021, 1, 15)))
    lines = ctx.call(todo_lines, uid)
    assert lines and all(line.count == 0 and not line.due and line.text.endswith("无") for line in lines)


def test_backup_line_warns_after_seven_days(tmp_path, db_path) -> None:  # type: ignore[no-untyped-def]
    from app.db import open_database, resolve_url

    own = tmp_path / "workbench-backup-age.sqlite"
    own.write_bytes(db_path.read_bytes())
    db = open_database(resolve_url(own))
    try:
        now = datetime(2026, 5, 20, 9, 0)
        line = today.backup_line(db, now)
        assert line.warn and line.due and "还没有" in line.text
        folder = backup_dir()
        folder.mkdir(parents=True, exist_ok=True)
        old = folder / auto_name(own.stem, "每日", now - timedelta(days=9))
        old.write_bytes(b"x")
        line = today.backup_line(db, now)
        assert line.warn and line.count == 9 and "9 天前" in line.text
        (folder / auto_name(own.stem, "每日", now - timedelta(days=2))).write_bytes(b"x")
        line = today.backup_line(db, now)
        assert not line.warn and not line.due and "2 天前" in line.text
    finally:
        db.dispose()


def test_each_group_is_one_block_of_lines(s: Session, uid: int) -> None:
    """Lines added by later areas (失联, 回执, 党费 under 党员) sit with their group, so the 工作台 shows
    each group's name once."""
    groups = [line.group for line in todo_lines(s, uid, datetime(2026, 11, 1, 9))]
    blocks = [g for i, g in enumerate(groups) if i == 0 or groups[i - 1] != g]
    assert len(blocks) == len(set(groups)) and groups.count("党员") >= 4
