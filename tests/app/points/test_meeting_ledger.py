"""三会一课记录台账: a meeting whose attendance is not registered reads 「未登记」 and counts in no 应到 or rate."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy.orm import Session

from app.demo.ids import make_id_number
from app.services.ledgers.export import export_ledgers
from app.services.org import members
from app.services.org import tree as org
from app.services.org.member_checks import MemberInput
from app.services.org.tree import OrgInput
from app.services.points import meetings
from app.services.points.meetings import UNREGISTERED, MeetingInput
from app.services.setup import founding

Y = 2025


@pytest.fixture
def village(session: Session) -> dict[str, int]:
    """One 党支部 with 张三, 李四, 王五."""
    t = {"vid": founding.create_unit(session, "东坟村", "城关街道", "房山区")}
    t["b1"] = org.create_org(session, t["vid"], OrgInput("第一党支部", "党支部"))
    for seq, name in enumerate(("张三", "李四", "王五"), 1):
        t[name] = members.add_member(session, t["vid"], MemberInput(
            name, make_id_number("110105", date(1970, 1, 1), seq), org_id=t["b1"], joined_on=date(2000, 7, 1),
            confirmed_on=date(2001, 7, 1)))
    return t


def test_unregistered_meeting_is_listed_but_not_counted(session: Session, village: dict[str, int],
                                                          tmp_path: Path) -> None:
    vid, b1 = village["vid"], village["b1"]
    done = meetings.create_meeting(session, vid, MeetingInput(b1, "党课", datetime(Y, 3, 1, 9), "党史"))
    meetings.set_attendance(session, done, village["张三"], "出席")
    meetings.set_attendance(session, done, village["李四"], "请假", "外出")
    meetings.set_attendance(session, done, village["王五"], "缺席")
    meetings.close_attendance(session, done)
    # registration begun (one member marked) but not closed; and a meeting that did not take place
    open_ = meetings.create_meeting(session, vid, MeetingInput(b1, "党课", datetime(Y, 6, 1, 9), "党章"))
    meetings.set_attendance(session, open_, village["张三"], "出席")
    gone = meetings.create_meeting(session, vid, MeetingInput(b1, "党课", datetime(Y, 9, 1, 9), "党规"))
    meetings.cancel_meeting(session, gone, "台风")

    out = tmp_path / "meetings.xlsx"
    export_ledgers(session, vid, ["meetings"], out, year=Y)
    ws = openpyxl.load_workbook(out)["三会一课记录台账"]
    at = next(r for r in range(1, 6) if ws.cell(r, 1).value == "序号")
    header = [c.value for c in ws[at]]
    col = {h: i for i, h in enumerate(header)}
    body = [r for r in ws.iter_rows(min_row=at + 1) if isinstance(r[0].value, int)]
    by_topic = {r[col["主题/议题"]].value: r for r in body}
    assert set(by_topic) == {"党史", "党章", "党规"}

    closed = by_topic["党史"]
    assert [closed[col[h]].value for h in ("应到", "出席", "请假", "缺席")] == [3, 1, 1, 1]
    assert closed[col["出席率"]].value == pytest.approx(0.333) and closed[col["出席率"]].number_format == "0.0%"
    assert [by_topic["党章"][col[h]].value for h in ("应到", "出席", "出席率")] == [UNREGISTERED] * 3
    assert [by_topic["党规"][col[h]].value for h in ("应到", "出席", "出席率")] == ["—"] * 3

    total = ws[at + 1 + len(body)]
    assert str(total[0].value).startswith("合计")
    assert [total[col[h]].value for h in ("应到", "出席", "请假", "缺席")] == [3, 1, 1, 1]  # 3 expected, not 9
    assert total[col["出席率"]].value == pytest.approx(0.333)
    notes = " ".join(str(c.value) for row in ws.iter_rows(min_row=at + 2 + len(body)) for c in row if c.value)
    assert "已结束考勤的会议 1 次，应到 3 人次，出席 1 人次，出席率 33.3%" in notes
    assert "另有 1 次会议尚未结束考勤" in notes and "已取消的会议 1 次" in notes

    # the 三必到 record counts closed meetings only: 张三's mark at the open meeting may still change
    counts = {c.name: c for c in meetings.member_counts(session, vid, Y)}
    assert counts["张三"].total("出席") == 1


def test_row_values_follow_the_state(session: Session, village: dict[str, int]) -> None:
    mid = meetings.create_meeting(session, village["vid"], MeetingInput(village["b1"], "党课", datetime(Y, 3, 1, 9), "x"))
    row = meetings.get_meeting(session, mid)
    assert not row.registered and row.ledger_count(None) == UNREGISTERED and row.ledger_rate == UNREGISTERED
    assert meetings.mark_rest(session, mid) == 3
    meetings.close_attendance(session, mid)
    row = meetings.get_meeting(session, mid)
    assert row.registered and row.ledger_count(None) == 3 and row.ledger_count("出席") == 3
    assert row.ledger_rate == 1
