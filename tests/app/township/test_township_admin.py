"""The township's own administrator (issue 23): the first account of a 镇/乡/街道 unit is a 镇级 operator
allowed to write (管理员: operators, imports, keys), single operator mode on a township's database works
as that 管理员 whichever village the window opened on, and a village it creates in a session (issue_keys)
is in that session's scope at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.db import Database
from app.services import access
from app.services.context import AppContext
from app.services.errors import ValidationError
from app.services.safety import auth
from app.services.setup import founding
from app.services.township import keys
from app.services.units import list_villages, update_unit
from tests.app.roles import as_


@pytest.fixture
def town(demo_db: Database) -> tuple[AppContext, int, int]:
    """The demo village under a township made the way `township init` makes it."""
    ctx = AppContext(demo_db)
    village = ctx.unit_id
    assert village is not None
    town = ctx.call(keys.create_township, "阳曲镇", county="阳曲县")
    ctx.call(update_unit, village, parent_id=town, district="第一片区")
    return ctx, town, village


def test_the_township_first_account_is_a_township_operator_who_writes(town: tuple[AppContext, int, int]) -> None:
    ctx, town_id, _ = town
    (admin,) = ctx.call(auth.list_operators, town_id)
    assert (admin.role, admin.can_write, admin.display_name) == ("township", True, "管理员")
    assert ctx.call(auth.ensure_admin, town_id) == admin.id  # found again, not a second one
    # a village role still does not sit on a township unit
    with pytest.raises(ValidationError, match="镇级"):
        ctx.call(auth.create_operator, town_id, "shuji", "书记", "admin", "pass-123")
    # it manages the township's operators (a 书记's right)
    clerk = as_(ctx, admin.id).call(auth.create_operator, town_id, "zhen", "镇干部", "township", "pass-123")
    assert {o.id for o in ctx.call(auth.list_operators, town_id)} == {admin.id, clerk}


def test_the_last_township_manager_keeps_can_write(town: tuple[AppContext, int, int]) -> None:
    ctx, town_id, _ = town
    admin = ctx.call(auth.ensure_admin, town_id)
    with pytest.raises(ValidationError, match="唯一可以管理的镇级账号"):
        ctx.call(auth.update_operator, admin, "管理员", "township", can_write=False)
    with pytest.raises(ValidationError, match="唯一可以管理的镇级账号"):
        ctx.call(auth.update_operator, admin, "管理员", "township", active=False)
    second = ctx.call(auth.create_operator, town_id, "zhen2", "组织委员", "township", "pass-123", can_write=True)
    ctx.call(auth.update_operator, admin, "管理员", "township", can_write=False)  # another manager remains
    assert ctx.call(auth.get_operator, admin).can_write is False
    assert ctx.call(auth.get_operator, second).can_write is True


def test_single_operator_mode_on_a_township_database_is_its_manager(
    town: tuple[AppContext, int, int], tmp_path: Path,
) -> None:
    ctx, town_id, demo = town
    admin = ctx.call(auth.ensure_admin, town_id)
    # a village that only sends packages has no accounts here: the township decides who works in its window
    village = ctx.call(keys.issue_keys, town_id, "南坟村", tmp_path).unit_id
    assert ctx.call(auth.governing_unit, village) == town_id
    assert ctx.call(auth.single_operator, village) == admin
    assert ctx.call(auth.single_operator, town_id) == admin
    assert as_(ctx, admin).call(access.visible_unit_ids) == {town_id, village, demo}
    # a village with its own accounts (online on a shared server) keeps its own 书记 and sign-in
    assert ctx.call(auth.governing_unit, demo) == demo
    assert ctx.call(auth.get_operator, ctx.call(auth.single_operator, demo)).role == "admin"
    # the township turns sign-in on: a window on any of its villages asks who signs in
    ctx.call(auth.set_password, admin, "zhen-pass-1")
    ctx.call(auth.set_single_operator_mode, town_id, False)
    assert ctx.call(auth.single_operator, village) is None
    # a 镇级 account signs in from a village's window (the name is the township's); the village's own
    # names stay the village's
    ctx.call(auth.create_operator, town_id, "zhen", "镇干部", "township", "zhen-pass-2")
    assert ctx.call(auth.login_unit, village, "ZHEN ") == town_id
    assert ctx.call(auth.login, town_id, "zhen", "zhen-pass-2").ok
    assert ctx.call(auth.login_unit, demo, "admin") == demo  # the demo village's own 书记
    assert ctx.call(auth.login_unit, village, "admin") == town_id
    # its forgotten password is reset from the command line like a 书记's (the window closed)
    ctx.call(auth.recover_admin_password, village, "admin", "new-pass-3")
    assert ctx.call(auth.login, town_id, "admin", "new-pass-3").ok


def test_a_village_alone_still_signs_in_its_own_admin(demo_db: Database) -> None:
    ctx = AppContext(demo_db)
    village = ctx.unit_id
    assert village is not None
    assert ctx.call(auth.governing_unit, village) == village
    admin = ctx.call(auth.single_operator, village)
    assert admin is not None and ctx.call(auth.get_operator, admin).role == "admin"


def test_a_village_created_in_the_session_is_in_the_managers_scope(
    town: tuple[AppContext, int, int], tmp_path: Path,
) -> None:
    """issue_keys creates the village and registers its key in one session of a 镇级 operator: the scope
    cached at the session's start must not refuse the new village's key."""
    ctx, town_id, _ = town
    manager = as_(ctx, ctx.call(auth.ensure_admin, town_id))
    issued = manager.call(keys.issue_keys, town_id, "南坟村", tmp_path, district="第二片区")
    assert issued.private_path.is_file()
    villages = {v.name: v for v in manager.call(list_villages, town_id)}
    assert villages["南坟村"].district == "第二片区"
    assert "南坟村" in {k.village for k in manager.call(keys.list_keys, town_id)}
    # one session: a second village, its key, and reading it back before the commit
    def two_in_one(s):  # type: ignore[no-untyped-def]
        made = keys.issue_keys(s, town_id, "北坟村", tmp_path)
        return made.unit_id in (access.visible_unit_ids(s) or set()), [k.village for k in keys.list_keys(s, town_id)]

    seen, listed = manager.call(two_in_one)
    assert seen and "北坟村" in listed
    # a read-only 镇级 operator still cannot create one
    reader = ctx.call(auth.create_operator, town_id, "zhen", "镇干部", "township", "pass-123")
    with pytest.raises(Exception, match="只能查看"):
        as_(ctx, reader).call(keys.issue_keys, town_id, "东坟新村", tmp_path)
    assert "东坟新村" not in {v.name for v in ctx.call(list_villages, town_id)}


def test_founding_a_township_unit_gives_it_a_manager(demo_db: Database) -> None:
    ctx = AppContext(demo_db)
    town_id = ctx.call(founding.create_unit, "拱辰街道", kind="街道")
    (admin,) = ctx.call(auth.list_operators, town_id)
    assert (admin.role, admin.can_write) == ("township", True)


def test_a_right_to_write_given_outside_the_program_is_reported(town: tuple[AppContext, int, int]) -> None:
    """`check` compares each operator with the digest logged at its last change: can_write is part of it."""
    from sqlalchemy import update

    from app.models import Operator
    from app.services.safety.consistency import audit_problems

    ctx, town_id, _ = town
    reader = ctx.call(auth.create_operator, town_id, "zhen", "镇干部", "township", "pass-123")
    ctx.call(auth.update_operator, reader, "镇干部", "township", can_write=True)  # through the program
    assert ctx.call(audit_problems) == []

    def grant(s, on):  # type: ignore[no-untyped-def]
        s.execute(update(Operator).where(Operator.id == reader).values(can_write=on))

    ctx.call(grant, False)
    assert ctx.call(audit_problems) == ["操作员“镇干部”的角色或密码被绕过程序改动过（操作日志中没有这次改动）"]
    ctx.call(grant, True)
    assert ctx.call(audit_problems) == []  # put back exactly
