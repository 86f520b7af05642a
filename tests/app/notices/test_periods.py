"""公示期 per kind (notices.periods): working days across a weekend, 国庆 and a 调休 Saturday; the CLI's
--days / --workdays; the printed sentence with both dates and the count."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy.orm import Session

from app.cli import main
from app.db import Database
from app.models import Notice, Unit
from app.services import calendar
from app.services.errors import ValidationError
from app.services.notices import archive as notices
from app.services.notices import periods
from app.services.units import current_unit_id


def _workdays(start: date, end: date) -> int:
    """Working days from start to end, both included, counted one day at a time (the reference)."""
    return sum(calendar.is_workday(start + timedelta(days=i)) for i in range((end - start).days + 1))



def pdf_text(path: Path) -> str:
    return "".join("".join(page.extract_text().split()) for page in PdfReader(path).pages)


def test_working_days_across_a_weekend(session: Session, unit_id: int) -> None:
    # the 发展党员公示 from Thursday 2026-12-03: Thu, Fri, (weekend), Mon, Tue, Wed
    p = periods.notice_period(session, unit_id, "party-candidates", date(2026, 12, 3))
    assert (p.end, p.days, p.workdays) == (date(2026, 12, 9), 5, True)
    assert p.sentence() == "公示期：2026年12月3日至2026年12月9日（5个工作日）"
    assert _workdays(p.start, p.end) == 5
    # the same five days in calendar days would have ended on the Monday with 3 working days in it
    days = periods.notice_period(session, unit_id, "party-candidates", date(2026, 12, 3), 5, False)
    assert days.end == date(2026, 12, 7) and _workdays(days.start, days.end) == 3
    assert days.sentence() == "公示期：2026年12月3日至2026年12月7日（共5天）"


def test_working_days_across_national_day_and_a_tiaoxiu_saturday(session: Session, unit_id: int) -> None:
    # Mon 9-28 … Wed 9-30, 国庆 10-01…10-07 (with the weekend), Thu 10-08, Fri 10-09: the fifth day
    p = periods.notice_period(session, unit_id, "party-candidates", date(2026, 9, 28))
    assert p.end == date(2026, 10, 9)
    assert p.sentence() == "公示期：2026年9月28日至2026年10月9日（5个工作日）"
    # from 10-08 three working days: Thu, Fri and Saturday 10-10, a 调休 working day
    p = periods.notice_period(session, unit_id, "party-candidates", date(2026, 10, 8), 3, True)
    assert p.end == date(2026, 10, 10)
    assert _workdays(date(2026, 9, 28), date(2026, 10, 10)) == 6
    # starting on a holiday: the first working day is day 1
    assert periods.notice_period(session, unit_id, "points", date(2026, 10, 2), 1, True).end == date(2026, 10, 8)
    # the office's own override (a day off on 10-09) moves the end on
    calendar.set_override(session, unit_id, date(2026, 10, 9), False, "村里另行放假")
    assert periods.notice_period(session, unit_id, "party-candidates", date(2026, 9, 28)).end == date(2026, 10, 10)


def test_the_rule_table(session: Session, unit_id: int) -> None:
    unit = session.get(Unit, unit_id)
    assert unit is not None
    unit.notice_days, unit.notice_workdays = 7, False
    session.flush()
    assert periods.default_period(session, unit_id, "party-candidates") == (5, True)  # its own rule
    for kind in ("stars", "points", "household-points", "grid-contacts"):
        assert periods.default_period(session, unit_id, kind) == (7, False)  # the village's setting
    p = periods.notice_period(session, unit_id, "stars", date(2026, 12, 3))
    assert (p.end, p.sentence()) == (date(2026, 12, 9), "公示期：2026年12月3日至2026年12月9日（共7天）")
    unit.notice_workdays = True  # the setting can count working days for every other kind too
    session.flush()
    assert periods.notice_period(session, unit_id, "stars", date(2026, 12, 3)).end == date(2026, 12, 11)
    # a number without its unit follows the rule's unit (the stars dialog gives only a number)
    assert periods.notice_period(session, unit_id, "party-candidates", date(2026, 12, 3), 3).end == date(2026, 12, 7)
    with pytest.raises(ValidationError):
        periods.notice_period(session, unit_id, "stars", date(2026, 12, 3), 0)
    assert periods.asked(None, None) == {"days": None, "workdays": None}
    assert periods.asked(7, None) == {"days": 7, "workdays": False}
    assert periods.asked(None, 5) == {"days": 5, "workdays": True}


def test_cli_days_and_workdays(demo_db_path: Path, demo_db: Database, tmp_path: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    db = ["--db", str(demo_db_path)]
    cases = [
        ([], "公示期：2026年12月3日至2026年12月9日（5个工作日）"),  # the kind's rule
        (["--days", "3"], "公示期：2026年12月3日至2026年12月5日（共3天）"),
        (["--workdays", "3"], "公示期：2026年12月3日至2026年12月7日（3个工作日）"),
    ]
    for n, (extra, sentence) in enumerate(cases):
        pdf = tmp_path / f"p{n}.pdf"
        assert main([*db, "notice", "party-candidates", "-o", str(pdf), "--start", "2026-12-03", *extra]) == 0
        assert sentence in capsys.readouterr().out
        assert sentence in pdf_text(pdf)  # the notice itself states both dates and the count
    with demo_db.session() as s:
        archived = [(n.period_start, n.period_end) for n in s.query(Notice).order_by(Notice.id).all()[-3:]]
    assert archived == [(date(2026, 12, 3), date(2026, 12, 9)), (date(2026, 12, 3), date(2026, 12, 5)),
                        (date(2026, 12, 3), date(2026, 12, 7))]
    with pytest.raises(SystemExit) as exc:
        main([*db, "notice", "stars", "-o", str(tmp_path / "x.pdf"), "--days", "3", "--workdays", "5"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "不能同时使用" in err and "not allowed" not in err
    assert main([*db, "notice", "stars", "-o", str(tmp_path / "y.pdf"), "--workdays", "0"]) == 1
    assert "公示天数" in capsys.readouterr().err and not (tmp_path / "y.pdf").exists()


def test_reprint_states_the_same_count(demo_db: Database, tmp_path: Path) -> None:
    with demo_db.session() as s:
        uid = current_unit_id(s)
        assert uid is not None
        info = notices.publish_notice(s, uid, "party-candidates", tmp_path / "a.pdf", start=date(2026, 12, 3),
                                      issued_on=date(2026, 12, 3))
        assert info.period_text == "公示期：2026年12月3日至2026年12月9日（5个工作日）"
        again = notices.reprint_notice(s, info.id, tmp_path / "b.pdf")
        assert again.sha256 == info.sha256 and info.period_text in pdf_text(tmp_path / "b.pdf")
        # a notice archived before periods were kept (no meta entry) reads as calendar days, as printed then
        row = s.get(Notice, info.id)
        assert row is not None
        row.meta = {k: v for k, v in row.meta.items() if k != periods.META_KEY}  # type: ignore[union-attr]
        s.flush()
        notices.reprint_notice(s, info.id, tmp_path / "c.pdf")
        assert "公示期：2026年12月3日至2026年12月9日（共7天）" in pdf_text(tmp_path / "c.pdf")
