"""Two clients editing the same record (issue 23): the second save is refused with a clear message, never a
silent overwrite — by the version column at flush, and by the version an edit dialog showed."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.db import Database
from app.models import Resident
from app.services.context import AppContext
from app.services.errors import CONFLICT, ConflictError, explain
from app.services.org import members
from app.services.people import households, residents
from app.services.people.households import HouseholdQuery
from app.services.people.residents import ResidentQuery

MESSAGE = "该记录已被他人修改（例如另一台电脑），请刷新后重新修改；本次修改未保存。"


def _first_resident(ctx: AppContext) -> int:
    return ctx.call(residents.list_residents, ResidentQuery(ctx.unit_id or 0), 0, 1)[0].id


def test_the_second_of_two_sessions_saving_the_same_resident_is_refused(demo_db: Database) -> None:
    ctx = AppContext(demo_db)
    rid = _first_resident(ctx)
    version = ctx.call(residents.get_resident, rid).version

    def second_computer(s: Session) -> None:
        r = s.get(Resident, rid)
        assert r is not None and r.version == version
        r.note = "第二台电脑的修改"
        # meanwhile the first computer opens the same person, changes and saves it (its own session)
        first = AppContext(demo_db)
        data = first.call(residents.resident_input, rid)
        first.call(residents.update_resident, rid, replace(data, note="第一台电脑的修改"))
        # this session's save comes at its commit, after the other one's

    with pytest.raises(ConflictError) as caught:
        ctx.call(second_computer)
    assert str(caught.value) == MESSAGE
    row = ctx.call(residents.get_resident, rid)
    assert row.note == "第一台电脑的修改" and row.version == version + 1


def test_an_edit_dialog_that_showed_an_older_version_is_refused(demo_db: Database) -> None:
    ctx = AppContext(demo_db)
    rid = _first_resident(ctx)
    shown = ctx.call(residents.get_resident, rid)
    data = ctx.call(residents.resident_input, rid)
    ctx.call(residents.update_resident, rid, replace(data, note="甲的修改"), expected_version=shown.version)
    with pytest.raises(ConflictError, match="请刷新后重新修改"):
        ctx.call(residents.update_resident, rid, replace(data, note="乙的修改"), expected_version=shown.version)
    assert ctx.call(residents.get_resident, rid).note == "甲的修改"
    # reopened (the new version shown) the save goes through
    again = ctx.call(residents.get_resident, rid).version
    ctx.call(residents.update_resident, rid, replace(data, note="乙的修改"), expected_version=again)
    assert ctx.call(residents.get_resident, rid).note == "乙的修改"


def test_households_and_members_carry_their_version_too(demo_db: Database) -> None:
    ctx = AppContext(demo_db)
    uid = ctx.unit_id or 0
    hid = ctx.call(households.list_households, HouseholdQuery(uid), 0, 1)[0].id
    shown = ctx.call(households.get_household, hid).version
    data = ctx.call(households.household_input, hid)
    ctx.call(households.update_household, hid, replace(data, note="甲"), expected_version=shown)
    with pytest.raises(ConflictError):
        ctx.call(households.update_household, hid, replace(data, note="乙"), expected_version=shown)
    assert ctx.call(households.get_household, hid).note == "甲"

    mid = ctx.call(members.list_members, members.MemberQuery(uid), 0, 1)[0].id
    shown = ctx.call(members.get_member, mid).version
    mdata = ctx.call(members.member_input, mid)
    ctx.call(members.update_member, mid, replace(mdata, note="甲"), expected_version=shown)
    with pytest.raises(ConflictError):
        ctx.call(members.update_member, mid, replace(mdata, note="乙"), expected_version=shown)
    assert ctx.call(members.get_member, mid).note == "甲"


def test_the_command_line_and_the_window_say_it_in_chinese() -> None:
    """What cli.main and the window print for an unexpected failure (errors.explain) names the conflict."""
    assert explain(StaleDataError("UPDATE statement on table 'residents' expected to update 1 row(s); 0 were matched."))\
        == CONFLICT == MESSAGE
