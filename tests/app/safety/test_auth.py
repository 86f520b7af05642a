"""Operators, passwords, sign-in limits, the role matrix, grid-staff scoping and the audit trail."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.db import Database
from app.models import AuditEntry, Grid, Household, Notice, Operator, StarApplication
from app.services import units
from app.services.context import AppContext
from app.services.errors import PermissionDenied, ServiceError, ValidationError
from app.services.notices import archive as notices
from app.services.org import members
from app.services.org import tree as org
from app.services.people import households
from app.services.people import residents as people
from app.services.safety import auth, backup
from app.services.setup import founding
from app.services.stars import applications

from ..roles import as_


def test_passwords_are_hashed_never_stored_plain(ctx: AppContext, staff: dict[str, int]) -> None:
    def stored(s):  # type: ignore[no-untyped-def]
        return s.get(Operator, staff["clerk"]).password_hash

    hashed = ctx.call(stored)
    assert hashed and "clerk-pass" not in hashed and hashed.startswith("$argon2")
    assert auth.verify_password(hashed, "clerk-pass") and not auth.verify_password(hashed, "clerk-pasS")
    with pytest.raises(ValidationError, match="至少 6 位"):
        ctx.call(auth.set_password, staff["clerk"], "123")
    details = ctx.call(lambda s: [e.detail for e in s.scalars(select(AuditEntry))])
    assert not any("clerk-pass" in str(d) for d in details)


def test_login_and_rate_limit(ctx: AppContext, staff: dict[str, int], caplog: pytest.LogCaptureFixture) -> None:
    uid = ctx.unit_id
    t0 = datetime(2026, 3, 1, 9, 0)
    ok = ctx.call(auth.login, uid, "WenShu", "clerk-pass", t0)  # user names ignore case
    assert ok.ok and ok.operator and ok.operator.role == "clerk"
    caplog.set_level(logging.WARNING)
    results = [ctx.call(auth.login, uid, "wenshu", "guess", t0 + timedelta(seconds=i)) for i in range(5)]
    assert not any(r.ok for r in results)
    assert "再错" in results[0].message and results[-1].wait_seconds == auth.LOCK_SECONDS
    # locked: even the right password is refused until the time is up
    locked = ctx.call(auth.login, uid, "wenshu", "clerk-pass", t0 + timedelta(seconds=30))
    assert not locked.ok and "秒后再试" in locked.message
    later = ctx.call(auth.login, uid, "wenshu", "clerk-pass", t0 + timedelta(seconds=70))
    assert later.ok
    assert "failed sign-in" in caplog.text
    failed = ctx.call(lambda s: s.scalar(
        select(AuditEntry.summary).where(AuditEntry.action == "login_failed").order_by(AuditEntry.id.desc())))
    assert "连续第 5 次" in failed


def test_single_operator_mode_default_and_switching(ctx: AppContext, staff: dict[str, int]) -> None:
    uid = ctx.unit_id
    assert ctx.call(auth.single_operator_mode, uid) is True
    admin = as_(ctx, staff["admin"])
    with pytest.raises(ServiceError, match="先为书记"):
        admin.call(auth.set_single_operator_mode, uid, False)  # the demo admin has no password
    admin.call(auth.set_password, staff["admin"], "shuji-2026")
    admin.call(auth.set_single_operator_mode, uid, False)
    assert ctx.call(auth.single_operator_mode, uid) is False
    with pytest.raises(PermissionDenied):
        as_(ctx, staff["clerk"]).call(auth.set_single_operator_mode, uid, True)


def test_new_village_gets_an_admin(db: Database) -> None:
    ctx = AppContext(db)
    uid = ctx.call(founding.create_unit, "新村")
    ops = ctx.call(auth.list_operators, uid)
    assert [(o.role, o.has_password) for o in ops] == [("admin", False)]
    assert ctx.call(auth.single_operator_mode, uid) is True


def test_role_matrix(ctx: AppContext, staff: dict[str, int], tmp_path: Path) -> None:
    uid = ctx.unit_id

    leaf = ctx.call(org.list_org_tree, uid)[-1]  # depth-first order: the last node has no children
    some_household = ctx.call(lambda s: s.scalar(select(Household.id).order_by(Household.id)))
    backup_file = backup.backup_to(ctx.db, tmp_path / "b.sqlite")
    some_notice = ctx.call(lambda s: s.scalar(select(Notice.id).order_by(Notice.id)))
    some_application = ctx.call(lambda s: s.scalar(select(StarApplication.id).order_by(StarApplication.id)))

    actions = {
        "修改本村设置": lambda c: c.call(units.update_unit, uid, contact_person="新联系人"),
        "新增操作员": lambda c: c.call(auth.create_operator, uid, f"x{c.operator_id}", "某人", "clerk"),
        "撤销党组织": lambda c: c.call(org.close_org, leaf.id, date(2026, 1, 1), "合并"),
        "调整隶属": lambda c: c.call(org.move_org, leaf.id, None),
        "从备份恢复": lambda c: c.call_db(backup.restore_from, backup_file),
        "新增户标签": lambda c: c.call(households.add_tag, uid, f"标签{c.operator_id}"),
        "修改户": lambda c: c.call(households.set_household_tags, some_household, ["低保"]),
        "撤回公示": lambda c: c.call(notices.withdraw_notice, some_notice, date(2026, 12, 1), "内容有误"),
        "撤回星级申报": lambda c: c.call(applications.withdraw_application, some_application, "户主不愿参评"),
        "发布公示": lambda c: c.call(notices.publish_notice, uid, "grid-contacts", tmp_path / f"n{c.operator_id}.pdf"),
    }
    expected = {  # True: allowed (may still fail for a data reason, but not PermissionDenied)
        "admin": dict.fromkeys(actions, True),
        "clerk": {"修改本村设置": False, "新增操作员": False, "撤销党组织": False, "调整隶属": False,
                  "从备份恢复": False, "新增户标签": True, "修改户": True, "撤回公示": True, "撤回星级申报": True,
                  "发布公示": True},
        "grid": {"修改本村设置": False, "新增操作员": False, "撤销党组织": False, "调整隶属": False,
                 "从备份恢复": False, "新增户标签": False, "修改户": None,  # None: depends on the grid
                 "撤回公示": False, "撤回星级申报": False, "发布公示": False},
    }
    for role in ("clerk", "grid", "admin"):
        c = as_(ctx, staff[role])
        for name, action in actions.items():
            want = expected[role][name]
            try:
                action(c)
                refused = False
            except PermissionDenied as exc:
                refused = True
                assert "无权" in str(exc) or "网格员只能" in str(exc)
            except ServiceError:
                refused = False  # a data problem (e.g. the org still has members): not a refusal
            if want is not None:
                assert refused is (not want), f"{role} {name}"


def test_grid_staff_see_only_their_grids_and_masked_ids(ctx: AppContext, staff: dict[str, int]) -> None:
    uid = ctx.unit_id
    grid_ctx = as_(ctx, staff["grid"])
    all_households = ctx.call(households.count_households, households.HouseholdQuery(unit_id=uid))
    mine = grid_ctx.call(households.count_households, households.HouseholdQuery(unit_id=uid))
    expected = ctx.call(households.count_households, households.HouseholdQuery(unit_id=uid, grid_id=staff["grid_id"]))
    assert 0 < mine == expected < all_households

    rows = grid_ctx.call(people.list_residents, people.ResidentQuery(unit_id=uid), 0, 1000)
    assert rows and all(r.id_number is None or "********" in r.id_number for r in rows)
    visible = {r.household_id for r in rows}
    in_grid = {h.id for h in grid_ctx.call(households.list_households, households.HouseholdQuery(unit_id=uid), 0, 1000)}
    assert visible <= in_grid
    # the admin sees the full numbers
    assert all("*" not in (r.id_number or "") for r in ctx.call(people.list_residents,
                                                                 people.ResidentQuery(unit_id=uid), 0, 50))
    roster = grid_ctx.call(members.list_members, members.MemberQuery(unit_id=uid), 0, 20)
    assert roster and all("*" in (m.id_number or "*") for m in roster)

    outside = ctx.call(lambda s: s.scalar(select(Household.id).where(
        Household.grid_id.not_in(select(Grid.id).where((Grid.id == staff["grid_id"]) |
                                                       (Grid.parent_id == staff["grid_id"]))))))
    with pytest.raises(PermissionDenied, match="网格员只能"):
        grid_ctx.call(households.set_household_tags, outside, ["低保"])
    with pytest.raises(ServiceError):
        grid_ctx.call(households.get_household, outside)

    # editing a resident in their grid through a dialog prefilled with the masked number keeps the number
    r = rows[0]
    data = grid_ctx.call(people.resident_input, r.id)
    assert "*" in data.id_number
    data.note = "网格员走访"
    grid_ctx.call(people.update_resident, r.id, data)
    assert ctx.call(people.get_resident, r.id).id_number == ctx.call(people.get_resident, r.id).id_number
    full = ctx.call(people.get_resident, r.id)
    assert full.note == "网格员走访" and full.id_number and "*" not in full.id_number


def test_audit_records_from_to_and_is_append_only(ctx: AppContext, staff: dict[str, int]) -> None:
    uid = ctx.unit_id
    clerk = as_(ctx, staff["clerk"])
    rid = clerk.call(people.list_residents, people.ResidentQuery(unit_id=uid), 0, 1)[0].id
    data = clerk.call(people.resident_input, rid)
    old_phone = data.phone
    data.phone = "13912345678"
    clerk.call(people.update_resident, rid, data)

    def last(s, entity):  # type: ignore[no-untyped-def]
        return s.scalars(select(AuditEntry).where(AuditEntry.entity == entity)
                         .order_by(AuditEntry.id.desc())).first()

    entry = ctx.call(last, "resident")
    assert entry.operator_id == staff["clerk"] and entry.action == "update"
    assert entry.detail == {"changes": {"phone": {"from": old_phone, "to": "13912345678"}}}

    # an update that changes nothing writes nothing
    before = ctx.call(lambda s: s.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc())))
    clerk.call(people.update_resident, rid, clerk.call(people.resident_input, rid))
    assert ctx.call(lambda s: s.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()))) == before

    m = clerk.call(members.list_members, members.MemberQuery(unit_id=uid, stage="预备党员"), 0, 1)[0]
    mdata = clerk.call(members.member_input, m.id)
    mdata.member_type, old_type = ("在职" if mdata.member_type != "在职" else "农民"), mdata.member_type
    clerk.call(members.update_member, m.id, mdata)
    changes = ctx.call(last, "party_member").detail["changes"]
    assert changes["member_type"] == {"from": old_type, "to": mdata.member_type}

    admin = as_(ctx, staff["admin"])
    admin.call(units.update_unit, uid, notice_days=7)
    assert ctx.call(last, "unit").detail["changes"] == {"notice_days": {"from": 5, "to": 7}}

    def rewrite(s):  # type: ignore[no-untyped-def]
        last(s, "unit").summary = "篡改"
        s.flush()

    with pytest.raises(ServiceError, match="只能追加"):
        ctx.call(rewrite)
    with pytest.raises(ServiceError, match="只能追加"):
        ctx.call(lambda s: (s.delete(last(s, "unit")), s.flush()))


def test_last_admin_cannot_be_demoted(ctx: AppContext, staff: dict[str, int]) -> None:
    admin = as_(ctx, staff["admin"])
    with pytest.raises(ValidationError, match="唯一的书记"):
        admin.call(auth.update_operator, staff["admin"], "书记", "clerk")
    admin.call(auth.update_operator, staff["clerk"], "王文书", "clerk", False)
    with pytest.raises(PermissionDenied, match="停用"):
        as_(ctx, staff["clerk"]).call(households.add_tag, ctx.unit_id, "新标签")
