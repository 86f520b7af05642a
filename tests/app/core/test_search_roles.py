"""The search box finds people by 身份证号 fragments only for operators who see the full number: a 网格员
cannot read a masked ID back digit by digit (the 48-search attack)."""

from __future__ import annotations

from app.services.context import AppContext
from app.services.org import members
from app.services.people import residents as people

from ..roles import as_


def _found(c: AppContext, uid: int, text: str) -> set[int]:
    return {r.id for r in c.call(people.list_residents, people.ResidentQuery(unit_id=uid, text=text), 0, 500)}


def _recover(c: AppContext, uid: int, target: int, masked: str) -> tuple[str, int]:
    """The attack: extend the visible first six digits one digit at a time, keeping the digit whose search
    still finds the person. Returns what was read back and how many searches it took."""
    known, searches = masked[:6], 0
    while "*" in masked[len(known)]:
        for d in "0123456789":
            searches += 1
            if target in _found(c, uid, known + d):
                known += d
                break
        else:
            return known, searches
    return known, searches


def test_grid_staff_cannot_read_a_masked_id_back(ctx: AppContext, staff: dict[str, int]) -> None:
    uid = ctx.unit_id
    grid = as_(ctx, staff["grid"])
    mine = grid.call(people.list_residents, people.ResidentQuery(unit_id=uid), 0, 500)
    # someone whose phone cannot answer the digit searches in place of the ID
    target = next(r for r in mine if r.id_number and len(r.id_number) == 18
                  and r.id_number[:6] not in (ctx.call(people.get_resident, r.id).phone or ""))
    full = ctx.call(people.get_resident, target.id).id_number
    assert target.id_number == full[:6] + "********" + full[-4:]

    # the same attack as the 文书 reads the eight hidden digits (so the loop itself works) ...
    recovered, searches = _recover(as_(ctx, staff["clerk"]), uid, target.id, target.id_number)
    assert recovered == full[:14] and 8 <= searches <= 80
    # ... and as the 网格员 it reads nothing: no ID fragment finds anyone
    recovered, searches = _recover(grid, uid, target.id, target.id_number)
    assert recovered == full[:6] and searches == 10
    for fragment in (full, full[:6], full[6:14], full[-4:], full[10:17]):
        assert target.id not in _found(grid, uid, fragment), fragment
    # the name and the phone still find the person
    assert target.id in _found(grid, uid, target.name)
    phone = ctx.call(people.get_resident, target.id).phone
    if phone:
        assert target.id in _found(grid, uid, phone)


def test_member_search_by_id_is_for_clerks(ctx: AppContext, staff: dict[str, int]) -> None:
    uid = ctx.unit_id
    roster = ctx.call(members.list_members, members.MemberQuery(unit_id=uid), 0, 50)
    m = next(m for m in roster if m.id_number)
    q = members.MemberQuery(unit_id=uid, text=m.id_number)
    assert m.id in {r.id for r in as_(ctx, staff["clerk"]).call(members.list_members, q, 0, 50)}
    assert as_(ctx, staff["grid"]).call(members.list_members, q, 0, 50) == []


def test_grid_staff_see_no_birth_date_and_cannot_sort_by_hidden_digits(ctx: AppContext, staff: dict[str, int]) -> None:
    """The eight digits the ID mask hides are the birth date: a 网格员 sees the age, not the date, and a sort
    by 身份证号 orders only by what they see (area code, last four)."""
    uid = ctx.unit_id
    grid = as_(ctx, staff["grid"])
    q = people.ResidentQuery(unit_id=uid, order_by="id_number")
    mine = grid.call(people.list_residents, q, 0, 500)
    with_id = [r for r in mine if r.id_number]
    assert with_id and all(r.birth_date is None and r.age is not None for r in with_id)
    full = {r.id: r for r in ctx.call(people.list_residents, q, 0, 100_000)}
    assert all(full[r.id].birth_date is not None for r in with_id)  # the 书记 still sees the date
    seen = [(r.id_number[:6], r.id_number[-4:]) for r in with_id if len(r.id_number) == 18]
    assert seen == sorted(seen)
    # the full order differs from the visible one somewhere, else this test proves nothing
    hidden = [full[r.id].id_number for r in with_id if len(r.id_number) == 18]
    assert hidden != sorted(hidden)
    # an edit by the 网格员 keeps the date (taken from the full ID again)
    target = with_id[0]
    data = grid.call(people.resident_input, target.id)
    assert data.birth_date is None
    grid.call(people.update_resident, target.id, data)
    assert ctx.call(people.get_resident, target.id).birth_date == full[target.id].birth_date
    members_seen = grid.call(members.list_members, members.MemberQuery(unit_id=uid), 0, 500)
    assert all(m.birth_date is None for m in members_seen if m.id_number)
