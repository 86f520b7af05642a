"""发展党员 timing at its thresholds: 培养考察 one year (29 Feb included), 培养期不足一年 by one day, 预备期 30 days
before and the day after, the 发展党员公示 of 5 工作日 (before and after it is published), the 工作台 line."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from app.demo.ids import make_id_number
from app.services.notices.archive import publish_notice
from app.services.org import members
from app.services.org.member_checks import MemberInput
from app.services.org.roster_changes import LeaveInput, end_membership
from app.services.org.tree import OrgInput, create_org
from app.services.partywork import development
from app.services.partywork.development import (
    ACTIVIST_DUE,
    PROBATION_OVER,
    PROBATION_SOON,
    SHORT_TRAINING,
    count_short_training,
    development_timing,
)
from app.services.setup import founding
from app.services.workbench.today import todo_lines


@pytest.fixture
def vid(session: Session) -> int:
    return founding.create_unit(session, "东坟村", "城关街道", "房山区")


@pytest.fixture
def branch(session: Session, vid: int) -> int:
    return create_org(session, vid, OrgInput("第一党支部", "党支部"))


def person(s: Session, vid: int, org: int, name: str, seq: int, stage: str, **dates: date) -> int:
    return members.add_member(s, vid, MemberInput(name, make_id_number("110111", date(1990, 1, 1), seq), org_id=org,
                                                  stage=stage, applied_on=date(2023, 1, 1), **dates))


def rows_of(s: Session, vid: int, on: date, name: str) -> list[development.TimingRow]:
    return [r for r in development_timing(s, vid, on) if r.name == name]


def test_activist_can_become_candidate_after_a_full_year(session: Session, vid: int, branch: int) -> None:
    person(session, vid, branch, "张一", 1, "入党积极分子", activist_on=date(2024, 3, 1))
    person(session, vid, branch, "李二", 3, "入党积极分子", activist_on=date(2024, 2, 29))
    before = rows_of(session, vid, date(2025, 2, 28), "张一")
    assert [(r.step, r.due_on, r.kind) for r in before] == [("培养考察", date(2025, 3, 1), "")]
    assert before[0].status == "培养考察中，2025-03-01 满一年"
    on_day = rows_of(session, vid, date(2025, 3, 1), "张一")[0]
    assert on_day.kind == ACTIVIST_DUE and on_day.status == "可确定为发展对象（满一年）" and not on_day.warn
    leap = rows_of(session, vid, date(2025, 2, 28), "李二")[0]  # 29 Feb: the year is full on 28 Feb
    assert leap.due_on == date(2025, 2, 28) and leap.kind == ACTIVIST_DUE


def test_candidate_made_a_day_early_is_warned(session: Session, vid: int, branch: int) -> None:
    person(session, vid, branch, "王早", 5, "发展对象", activist_on=date(2024, 3, 1), candidate_on=date(2025, 2, 28))
    person(session, vid, branch, "赵准", 7, "发展对象", activist_on=date(2024, 3, 1), candidate_on=date(2025, 3, 1))
    person(session, vid, branch, "钱预", 9, "预备党员", activist_on=date(2024, 3, 1), candidate_on=date(2024, 9, 1),
           joined_on=date(2025, 1, 1))
    on = date(2025, 6, 1)
    early = rows_of(session, vid, on, "王早")
    assert early[0].kind == SHORT_TRAINING and early[0].warn and early[0].due_on == date(2025, 3, 1)
    assert "培养期不足一年" in early[0].status and "2025-02-28" in early[0].status
    assert early[1].step == "发展对象公示"  # the 公示 row is there too
    assert [r.kind for r in rows_of(session, vid, on, "赵准")] == [""]
    assert SHORT_TRAINING in [r.kind for r in rows_of(session, vid, on, "钱预")]  # 预备党员 too
    assert count_short_training(session, vid, on) == 2
    lines = {line.key: line for line in todo_lines(session, vid, datetime(2025, 6, 1, 9))}
    line = lines[SHORT_TRAINING]
    assert line.count == 2 and line.page == "page_partywork" and line.filter == SHORT_TRAINING
    assert [line.key for line in lines.values()].count(SHORT_TRAINING) == 1


def test_probation_due_soon_and_over(session: Session, vid: int, branch: int) -> None:
    person(session, vid, branch, "孙预", 11, "预备党员", activist_on=date(2023, 3, 1), candidate_on=date(2024, 3, 1),
           joined_on=date(2024, 6, 1))
    person(session, vid, branch, "周正", 13, "正式党员", activist_on=date(2023, 3, 1), candidate_on=date(2024, 3, 1),
           joined_on=date(2024, 6, 1), confirmed_on=date(2025, 6, 1))

    def kind(on: date) -> str:
        (row,) = rows_of(session, vid, on, "孙预")
        assert row.due_on == date(2025, 6, 1) and row.step == "预备期"
        return row.kind

    assert kind(date(2025, 5, 1)) == ""  # 31 days before
    assert kind(date(2025, 5, 2)) == PROBATION_SOON  # 30 days before
    assert kind(date(2025, 6, 1)) == PROBATION_SOON  # the day itself
    assert kind(date(2025, 6, 2)) == PROBATION_OVER
    assert rows_of(session, vid, date(2025, 6, 2), "孙预")[0].status == "预备期已满未转正（2025-06-01 届满）"
    assert rows_of(session, vid, date(2025, 6, 2), "周正") == []  # 正式党员: nothing due


def test_people_who_left_are_not_listed(session: Session, vid: int, branch: int) -> None:
    mid = person(session, vid, branch, "吴走", 15, "入党积极分子", activist_on=date(2024, 3, 1))
    assert rows_of(session, vid, date(2025, 6, 1), "吴走")
    end_membership(session, mid, LeaveInput("其他", date(2025, 5, 1), reason="迁往外地"))
    assert rows_of(session, vid, date(2025, 6, 1), "吴走") == []


def test_candidate_notice_of_five_workdays(session: Session, vid: int, branch: int, tmp_path: Path) -> None:
    person(session, vid, branch, "郑候", 17, "发展对象", activist_on=date(2024, 3, 1), candidate_on=date(2025, 3, 3))
    # 2025-03-03 is a Monday: five 工作日 end on Friday 03-07, the 支部大会 may meet from 03-08
    (row,) = rows_of(session, vid, date(2025, 3, 3), "郑候")
    assert row.due_on == date(2025, 3, 8) and "尚未公示" in row.status and "5个工作日" in row.status
    publish_notice(session, vid, "party-candidates", tmp_path / "公示.pdf", start=date(2025, 3, 10))
    (row,) = rows_of(session, vid, date(2025, 3, 12), "郑候")
    assert row.due_on == date(2025, 3, 15) and "已公示（2025-03-10至2025-03-14）" in row.status
    assert "公示期满后" in row.status
    (row,) = rows_of(session, vid, date(2025, 3, 17), "郑候")
    assert "公示期已满，可提交支部大会讨论接收" in row.status
