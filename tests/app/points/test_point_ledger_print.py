"""Points ledgers as they print: the 约谈劝退名单 lists one 谈话 record a line (the row grows to show them all);
积分明细 sheets name who entered each record, 「（未记录）」 with a 注 when nobody was signed in."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import Database
from app.io.ledger_layout import row_height
from app.io.ledgers import HEADER_ROWS, NO_OPERATOR, Ledger, write_ledgers
from app.models import Household
from app.services import audit
from app.services.points import assessments, household_points
from app.services.points import household_ledgers as household_points_ledgers
from app.services.points import ledgers as points_ledgers
from app.services.safety import auth
from app.services.units import current_unit_id

from .test_points import Y, _base_and_absences, entry


class Unit:
    name = "东坟村"
    full_name = "城关街道东坟村"


def _sheet(tmp_path: Path, ledger: Ledger) -> tuple[list[list[Any]], Worksheet]:
    """The written sheet's rows of cells, and the sheet (for its row heights)."""
    out = tmp_path / "ledger.xlsx"
    write_ledgers(out, Unit(), [ledger])
    ws = openpyxl.load_workbook(out).active
    assert isinstance(ws, Worksheet)
    return [list(r) for r in ws.iter_rows()], ws


def test_follow_up_records_one_a_line(session: Session, vid: int, branch: dict, tmp_path: Path) -> None:
    _base_and_absences(session, vid, branch, Y, "李四")
    assessments.compute_assessment(session, vid, Y, date(Y, 12, 31))
    assessments.publish_assessment(session, vid, Y, date(Y + 1, 1, 10))
    row = assessments.follow_up_list(session, vid, Y)[0]
    assessments.record_follow_up(session, row.id, date(Y + 1, 1, 12), "书记王", "当面约谈，本人表示改正")
    assessments.record_follow_up(session, row.id, date(Y + 1, 3, 2), "组织委员李", "回访，已按时参加党课")
    rows, ws = _sheet(tmp_path, points_ledgers.follow_ups_ledger(session, vid, Y))
    header = [c.value for c in rows[HEADER_ROWS - 1]]
    at = header.index("谈话/处理情况")
    body = rows[HEADER_ROWS]
    assert body[at].value == "2026-01-12 书记王：当面约谈，本人表示改正\n2026-03-02 组织委员李：回访，已按时参加党课"
    assert ws.row_dimensions[HEADER_ROWS + 1].height >= row_height(2)  # both lines print, none over the next row
    # on screen the records stay on one line of the table
    assert "；" in assessments.follow_up_list(session, vid, Y)[0].records_text


def test_point_entries_name_the_operator_or_say_unrecorded(session: Session, vid: int, branch: dict,
                                                           tmp_path: Path) -> None:
    clerk = auth.create_operator(session, vid, "wenshu", "王文书")
    token = audit.current_operator_id.set(clerk)
    try:
        entry(session, vid, branch["张三"], "受到上级表彰", date(Y, 4, 1), "10", evidence="表彰")
    finally:
        audit.current_operator_id.reset(token)
    entry(session, vid, branch["李四"], "受到上级表彰", date(Y, 5, 1), "10", evidence="表彰")  # nobody signed in
    ledger = points_ledgers.entries_ledger(session, vid, Y)
    rows, _ws = _sheet(tmp_path, ledger)
    header = [c.value for c in rows[HEADER_ROWS - 1]]
    name_at, by_at = header.index("姓名"), header.index("录入人")
    got = {r[name_at].value: r[by_at].value for r in rows[HEADER_ROWS:] if r[name_at].value in ("张三", "李四")}
    assert got == {"张三": "王文书", "李四": NO_OPERATOR}
    notes = [n for n in ledger.notes if "录入人" in n]
    assert len(notes) == 1 and "1 条" in notes[0]


def test_household_entries_say_unrecorded(demo_db: Database) -> None:
    with demo_db.session() as s:
        uid = current_unit_id(s)
        assert uid is not None
        before = household_points_ledgers.entries_ledger(s, uid, 2026)
        assert not [n for n in before.notes if "录入人" in n]  # the demo's are entered by its 村书记
        household = s.scalars(select(Household.id).where(Household.unit_id == uid).order_by(Household.id)).first()
        rule = household_points.list_household_rules(s, uid)[0]
        scorer = household_points.list_scorers(s, uid)[0]
        new_id = household_points.add_household_entry(s, household_points.HouseholdEntryInput(
            household, rule.id, date(2026, 6, 1), scored_by_member_id=scorer.member_id))
        ledger = household_points_ledgers.entries_ledger(s, uid, 2026)
        rows = list(ledger.rows)
        by = next(c for c in ledger.columns if c.header == "录入人")
        assert {by.value_of(r) for r in rows if r.id == new_id} == {NO_OPERATOR}
        assert all(by.value_of(r) for r in rows)
        notes = [n for n in ledger.notes if "录入人" in n]
        assert len(notes) == 1 and "1 条" in notes[0]
