"""Unit scoping (issue 23): a village operator never sees another village; a township operator sees every
village of the township and writes only with can_write; the command line without an operator is not
limited; `--unit` picks the village a command works on."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app import cli
from app.db import Database
from app.demo.ids import make_id_number
from app.services import access
from app.services.context import AppContext
from app.services.errors import NotFound, PermissionDenied
from app.services.ledgers.export import export_ledgers
from app.services.org import members
from app.services.org.member_checks import MemberInput
from app.services.org.tree import OrgInput, create_org
from app.services.people import households, residents
from app.services.people.households import HouseholdInput, HouseholdQuery
from app.services.people.residents import ResidentInput, ResidentQuery
from app.services.safety import auth
from app.services.setup import founding
from app.services.units import current_unit_id, update_unit
from tests.app.roles import as_

B_PERSON, B_MEMBER = "赵西坟", "钱西党"


@dataclass(frozen=True)
class Two:
    ctx: AppContext  # no operator: unrestricted
    a: int  # the demo village
    b: int  # 西坟村, under the same township
    town: int
    b_household: int
    b_resident: int
    b_member: int
    a_admin: int
    town_reader: int
    town_writer: int


@pytest.fixture
def two(demo_db: Database) -> Two:
    ctx = AppContext(demo_db)
    a = ctx.unit_id
    assert a is not None
    town = ctx.call(founding.create_unit, "阳曲镇", county="阳曲县", kind="镇")
    ctx.call(update_unit, a, parent_id=town)
    b = ctx.call(founding.create_unit, "西坟村", township="阳曲镇", county="阳曲县", kind="村", parent_id=town)
    hh = ctx.call(households.add_household, b, HouseholdInput("B-001", address="西坟村1号"))
    res = ctx.call(residents.add_resident, b, ResidentInput(
        B_PERSON, make_id_number("140122", date(1970, 3, 4), 11), household_id=hh, relation="户主"))
    org = ctx.call(create_org, b, OrgInput("西坟村党支部", "党支部"))
    member = ctx.call(members.add_member, b, MemberInput(
        B_MEMBER, make_id_number("140122", date(1965, 5, 6), 23), org_id=org, joined_on=date(1990, 7, 1),
        confirmed_on=date(1991, 7, 1)))
    a_admin = ctx.call(auth.ensure_admin, a)
    reader = ctx.call(auth.create_operator, town, "zhen", "镇干部", "township", "zhen-pass")
    writer = ctx.call(auth.create_operator, town, "zhen2", "镇组织委员", "township", "zhen-pass", can_write=True)
    return Two(ctx, a, b, town, hh, res, member, a_admin, reader, writer)


def _names(ctx: AppContext, unit_id: int) -> set[str]:
    people = ctx.call(residents.list_residents, ResidentQuery(unit_id), 0, 5000)
    party = ctx.call(members.list_members, members.MemberQuery(unit_id), 0, 5000)
    return {r.name for r in people} | {m.name for m in party}


def test_without_an_operator_nothing_is_limited(two: Two) -> None:
    assert {B_PERSON, B_MEMBER} <= _names(two.ctx, two.b)
    assert _names(two.ctx, two.a)
    assert two.ctx.call(access.visible_unit_ids) is None


def test_a_village_operator_never_sees_another_village(two: Two, tmp_path: Path) -> None:
    village = as_(two.ctx, two.a_admin)
    assert village.call(access.visible_unit_ids) == {two.a}
    assert _names(village, two.a) and not _names(village, two.b)
    assert village.call(households.list_households, HouseholdQuery(two.b)) == []
    assert village.call(households.count_households, HouseholdQuery(two.b)) == 0
    assert village.call(residents.count_residents, ResidentQuery(two.b)) == 0
    with pytest.raises(NotFound):
        village.call(residents.get_resident, two.b_resident)
    with pytest.raises(NotFound):
        village.call(households.get_household, two.b_household)
    with pytest.raises(NotFound):
        village.call(members.get_member, two.b_member)
    # the other village's ledgers: that village is not there for this operator, no file is written
    with pytest.raises(NotFound, match="找不到该村"):
        village.call(export_ledgers, two.b, ["members", "households"], tmp_path / "b.xlsx")
    assert not (tmp_path / "b.xlsx").exists()
    # nor can it write there, nor switch to it
    with pytest.raises(PermissionDenied, match="不能修改其他村"):
        village.call(residents.add_resident, two.b, ResidentInput("孙新人"))
    with pytest.raises(PermissionDenied, match="不能查看其他村"):
        village.set_unit(two.b)
    with pytest.raises(PermissionDenied, match="不能修改其他村"):
        village.call(access.check_unit, two.b, write=True)
    village.call(access.check_unit, two.a, write=True)
    # and its default unit is its own, whatever the database holds first
    assert village.call(current_unit_id) == two.a


def test_the_township_reads_every_village_and_writes_nothing(two: Two) -> None:
    town = as_(two.ctx, two.town_reader)
    assert town.call(access.visible_unit_ids) == {two.town, two.a, two.b}
    assert town.call(access.writable_unit_ids) == set()
    assert {B_PERSON, B_MEMBER} <= _names(town, two.b)
    assert _names(town, two.a)
    assert town.call(residents.get_resident, two.b_resident).name == B_PERSON
    read_only = "镇级操作员只能查看各村数据，不能修改"
    with pytest.raises(PermissionDenied, match=read_only):
        town.call(residents.add_resident, two.a, ResidentInput("孙新人"))
    data = town.call(households.household_input, two.b_household)
    with pytest.raises(PermissionDenied, match=read_only):
        town.call(households.update_household, two.b_household, replace(data, address="西坟村2号"))
    with pytest.raises(PermissionDenied, match=read_only):  # a service that checks roles says so first
        town.call(members.update_member, two.b_member, town.call(members.member_input, two.b_member))
    assert two.ctx.call(households.get_household, two.b_household).address == "西坟村1号"
    town.call(access.check_unit, two.b)  # what other services ask before they start
    with pytest.raises(PermissionDenied, match=f"无权修改：{read_only}"):
        town.call(access.check_unit, two.b, write=True, action="修改")
    town.set_unit(two.b)  # the switcher may go to any village of the township
    assert town.call(current_unit_id) == two.b


def test_a_township_operator_with_can_write_may_write(two: Two) -> None:
    town = as_(two.ctx, two.town_writer)
    data = town.call(households.household_input, two.b_household)
    town.call(households.update_household, two.b_household, replace(data, address="西坟村2号"))
    new = town.call(residents.add_resident, two.a, ResidentInput("孙新人"))
    assert two.ctx.call(households.get_household, two.b_household).address == "西坟村2号"
    assert two.ctx.call(residents.get_resident, new).name == "孙新人"


def test_operator_roles_sit_on_the_right_kind_of_unit(two: Two) -> None:
    with pytest.raises(Exception, match="镇级操作员只能设在乡镇"):
        two.ctx.call(auth.create_operator, two.a, "zhen3", "某人", "township")
    with pytest.raises(Exception, match="只能设在村"):
        two.ctx.call(auth.create_operator, two.town, "wenshu9", "某人", "clerk")
    info = two.ctx.call(auth.get_operator, two.town_writer)
    assert info.role_label == "镇级" and info.can_write


def test_unit_on_the_command_line(two: Two, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    url = two.ctx.db.url

    def names_in(out: Path) -> str:
        return " ".join(str(c) for ws in load_workbook(out).worksheets for row in ws.iter_rows(values_only=True)
                        for c in row)

    out = tmp_path / "b.xlsx"
    assert cli.main(["--db-url", url, "--unit", "西坟村", "export", "members", "-o", str(out)]) == 0
    assert B_MEMBER in names_in(out)
    assert cli.main(["export", "members", "-o", str(tmp_path / "x.xlsx"), "--unit", "没有这个村", "--db-url", url]) == 1
    assert "找不到村(社区)“没有这个村”" in capsys.readouterr().err

    # sign-in on in 西坟村: the township's operator signs in there and reads it, read-only
    b_admin = two.ctx.call(auth.ensure_admin, two.b)
    two.ctx.call(auth.set_password, b_admin, "admin-pass")
    two.ctx.call(auth.set_single_operator_mode, two.b, False)
    monkeypatch.setenv("VILLAGEDESK_PASSWORD", "zhen-pass")
    out2 = tmp_path / "b2.xlsx"
    assert cli.main(["--db-url", url, "--unit", str(two.b), "--operator", "zhen", "export", "members",
                     "-o", str(out2)]) == 0
    assert B_MEMBER in names_in(out2)
    # `operator add` on the township unit: a 镇级 account that may write
    monkeypatch.delenv("VILLAGEDESK_PASSWORD")
    assert cli.main(["--db-url", url, "--unit", "阳曲镇", "operator", "add", "zhen5", "--name", "镇纪委",
                     "--role", "township", "--can-write"]) == 0
    assert "镇纪委（zhen5，镇级（可修改各村数据））" in capsys.readouterr().out
    assert cli.main(["--db-url", url, "--unit", "阳曲镇", "operator", "list"]) == 0
    assert "zhen5" in capsys.readouterr().out
