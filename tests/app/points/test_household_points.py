"""乡风文明积分 (五讲五不) of households: rules of their own scope, the append-only ledger shared with
党员积分 (caps, voids, corrections), the 党小组长 who scored, SQL totals and ranking, ledger and notice."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.cli import main as cli_main
from app.db import Database, open_database, resolve_url
from app.demo.ids import make_id_number
from app.models import AuditEntry, Household, HouseholdPointEntry, Operator, PointEntry, Resident
from app.services import audit, units
from app.services.errors import PermissionDenied, ValidationError
from app.services.org import member_posts, members
from app.services.org import tree as org
from app.services.org.member_checks import MemberInput
from app.services.org.tree import OrgInput
from app.services.people.households import HouseholdInput, add_household
from app.services.people.residents import ResidentInput, add_resident
from app.services.points import household_points
from app.services.points import member_points as points
from app.services.points import rules as point_rules
from app.services.points.household_points import HouseholdEntryInput
from app.services.points.member_points import EntryInput
from app.services.setup import founding

D = Decimal
Y = 2025


@pytest.fixture
def village(session: Session) -> dict[str, int]:
    """辛庄村: three households (张大山 0001, 李二河 0002, 王三林 0003), a 党小组长 刘组长, a member 陈党员,
    an 入党积极分子 周积极."""
    vid = founding.create_unit(session, "辛庄村", "大石窝镇", "房山区")
    t = {"vid": vid}
    for i, (number, head) in enumerate((("0001", "张大山"), ("0002", "李二河"), ("0003", "王三林")), start=1):
        hid = add_household(session, vid, HouseholdInput(number, f"辛庄村{i}号"))
        add_resident(session, vid, ResidentInput(head, make_id_number("110111", date(1960, 1, i), 10 + i),
                                                 phone=f"1390000000{i}", household_id=hid, relation="户主"))
        t[head] = hid
    branch = org.create_org(session, vid, OrgInput("辛庄村党支部", "党支部"))
    group = org.create_org(session, vid, OrgInput("第一网格党小组", "党小组", branch))
    for seq, (name, stage) in enumerate((("刘组长", "正式党员"), ("陈党员", "正式党员"), ("周积极", "入党积极分子")),
                                        start=31):
        joined = date(2000, 7, 1) if stage == "正式党员" else None
        t[name] = members.add_member(session, vid, MemberInput(
            name, make_id_number("110111", date(1970, 2, 1), seq), org_id=branch, group_id=group, stage=stage,
            joined_on=joined, confirmed_on=date(2001, 7, 1) if joined else None,
            activist_on=date(2024, 1, 1) if not joined else None, applied_on=date(2023, 6, 1) if not joined else None))
    member_posts.add_post(session, t["刘组长"], group, "党小组长", date(2021, 1, 1))
    return t


def hrule(s: Session, vid: int, name: str) -> int:
    return next(r.id for r in household_points.list_household_rules(s, vid) if r.name.startswith(name))


def score(s: Session, t: dict[str, int], head: str, rule: str, on: date = date(Y, 5, 1), pts: object = None,
          by: str = "刘组长", **kw: str) -> int:
    return household_points.add_household_entry(s, HouseholdEntryInput(
        t[head], hrule(s, t["vid"], rule), on, pts, scored_by_member_id=t[by], **kw))


# ---------------------------------------------------------------- rules and scopes


def test_default_wujiang_wubu_rules_and_scopes_never_mix(session: Session, village: dict[str, int]) -> None:
    vid = village["vid"]
    rules = household_points.list_household_rules(session, vid)
    assert len(rules) == 10 and {r.scope for r in rules} == {"household"}
    assert [r.name.split("（")[0] for r in rules if r.kind == "reward"] == ["讲文明", "讲卫生", "讲孝道", "讲诚信", "讲法治"]
    assert [r.name.split("（")[0] for r in rules if r.kind == "deduct"] == [
        "不说脏话", "不乱扔乱倒", "不虐待老人", "不坑蒙拐骗", "不违法乱纪"]
    assert all(r.yearly_cap is not None for r in rules) and all(r.evidence_required for r in rules if r.kind == "deduct")
    member_rules = point_rules.list_rules(session, vid)
    assert member_rules and {r.scope for r in member_rules} == {"member"}
    assert not {r.id for r in rules} & {r.id for r in member_rules}
    assert len(household_points.list_household_rules(session, vid)) == 10  # defaults are added once

    # a member rule cannot score a household, a household rule cannot score a member
    with pytest.raises(ValidationError) as e:
        household_points.add_household_entry(session, HouseholdEntryInput(
            village["张大山"], member_rules[-1].id, date(Y, 5, 1), scored_by_member_id=village["刘组长"]))
    assert "党员积分规则" in str(e.value)
    with pytest.raises(ValidationError) as e:
        points.add_entry(session, EntryInput(village["陈党员"], rules[0].id, date(Y, 5, 1)))
    assert "乡风文明积分规则" in str(e.value)
    assert session.scalar(select(func.count(PointEntry.id))) == 0
    assert session.scalar(select(func.count(HouseholdPointEntry.id))) == 0


def test_household_rules_are_edited_like_member_rules(session: Session, village: dict[str, int]) -> None:
    vid = village["vid"]
    with pytest.raises(ValidationError) as e:
        point_rules.create_rule(session, vid, point_rules.RuleInput(
            "duty", "讲团结", "2", categories=["青年"], trigger="ticket:代办", scope="household"))
    assert {p.field for p in e.value.problems} >= {"kind", "categories", "trigger"}
    new = point_rules.create_rule(session, vid, point_rules.RuleInput("reward", "讲团结（邻里互助）", "3", "1", "5",
                                                                   yearly_cap="6", scope="household"))
    assert new in {r.id for r in household_points.list_household_rules(session, vid)}
    assert new not in {r.id for r in point_rules.list_rules(session, vid, include_inactive=True)}
    old = point_rules.rule_input(session, new)
    old.points, old.scope = "4", "member"  # the scope stays: a rule never changes ledger
    point_rules.update_rule(session, new, old)
    assert point_rules.get_rule(session, new).scope == "household" and point_rules.get_rule(session, new).points == 4


# ---------------------------------------------------------------- ledger


def test_totals_ranking_and_caps(session: Session, village: dict[str, int]) -> None:
    t = village
    score(session, t, "张大山", "讲文明", pts="5")
    score(session, t, "张大山", "讲卫生", pts="4")
    score(session, t, "张大山", "不乱扔乱倒", pts="2", evidence="门前堆放柴草")
    score(session, t, "李二河", "讲孝道", pts="5")
    score(session, t, "李二河", "讲诚信", pts="2", by="陈党员")  # a member who is not 党小组长 may score too
    score(session, t, "王三林", "讲法治", pts="2")
    score(session, t, "王三林", "讲法治", date(Y + 1, 1, 3), "5")  # another year
    tot = household_points.household_totals(session, t["张大山"], Y)
    assert (tot.reward, tot.deduct, tot.total) == (D(9), D(2), D(7))
    ranking = household_points.household_ranking(session, t["vid"], Y)
    assert [(r.head_name, r.total, r.rank, r.entries) for r in ranking] == [
        ("张大山", D(7), 1, 3), ("李二河", D(7), 1, 2), ("王三林", D(2), 3, 1)]  # equal totals share a rank
    # filters keep the village-wide rank; top N keeps everyone sharing the last rank
    assert [(r.head_name, r.rank) for r in household_points.household_ranking(session, t["vid"], Y, "wsl")] == [
        ("王三林", 3)]
    assert [r.number for r in household_points.household_ranking(session, t["vid"], Y, "0002")] == ["0002"]
    assert len(household_points.household_ranking(session, t["vid"], Y, top=1)) == 2
    assert [r.head_name for r in household_points.household_ranking(session, t["vid"], Y + 1)] == ["王三林"]
    from app.services.points.household_notice import build_household_points_notice

    draft = build_household_points_notice(session, t["vid"], Y, top=1)  # the tie at rank 1: both printed
    assert draft.kind == "household-points" and draft.rows == [[1, "张大山", "", "7"], [1, "李二河", "", "7"]]
    assert "前 1 名" in draft.body and len(build_household_points_notice(session, t["vid"], Y, top=0).rows) == 3

    # caps per household and year: 讲文明 at most 10
    score(session, t, "张大山", "讲文明", date(Y, 6, 1), "5")
    with pytest.raises(ValidationError) as e:
        score(session, t, "张大山", "讲文明", date(Y, 7, 1), "1")
    assert "每户每年最多 10 分" in str(e.value) and "张大山户" in str(e.value) and "已得 10 分" in str(e.value)
    score(session, t, "李二河", "讲文明", date(Y, 7, 1), "5")  # another household has its own cap
    # range, evidence, fixed checks come from the shared ledger code
    with pytest.raises(ValidationError) as e:
        score(session, t, "王三林", "不虐待老人", pts="3")
    assert {p.field for p in e.value.problems} == {"points", "evidence"}


def test_scorer_must_be_a_party_member(session: Session, village: dict[str, int]) -> None:
    t = village
    rid = hrule(session, t["vid"], "讲文明")
    with pytest.raises(ValidationError) as e:
        household_points.add_household_entry(session, HouseholdEntryInput(t["张大山"], rid, date(Y, 5, 1)))
    assert "党小组长" in str(e.value)
    with pytest.raises(ValidationError) as e:
        score(session, t, "张大山", "讲文明", by="周积极")
    assert "不是党员" in str(e.value)
    with pytest.raises(ValidationError) as e:
        household_points.add_household_entry(session, HouseholdEntryInput(None, rid, date(2999, 1, 1), "9"))
    assert {p.field for p in e.value.problems} >= {"household_id", "entry_date", "points", "scored_by_member_id"}
    assert [c.name for c in household_points.list_scorers(session, t["vid"])] == ["刘组长"]
    found = household_points.find_households(session, t["vid"], "zds")
    assert [h.head_name for h in found] == ["张大山"] and "0001" in found[0].label


def test_void_and_correct_keep_history(session: Session, village: dict[str, int]) -> None:
    t = village
    wrong = score(session, t, "张大山", "讲卫生", pts="5", note="美丽庭院")
    with pytest.raises(ValidationError):
        household_points.void_household_entry(session, wrong, " ")
    fixed = household_points.correct_household_entry(session, wrong, HouseholdEntryInput(
        None, hrule(session, t["vid"], "讲卫生"), date(Y, 5, 1), "3", note="美丽庭院"), "分值录错")
    rows = household_points.list_household_entries(session, t["张大山"], Y)
    assert [(r.id, r.voided, r.points) for r in rows] == [(wrong, True, D(5)), (fixed, False, D(3))]
    assert rows[0].void_reason == "分值录错" and rows[1].corrects_id == wrong and rows[1].scored_by == "刘组长"
    assert household_points.household_totals(session, t["张大山"], Y).total == D(3)
    with pytest.raises(ValidationError):
        household_points.void_household_entry(session, wrong, "再次作废")
    other = score(session, t, "李二河", "讲孝道", pts="4")
    household_points.void_household_entry(session, other, "重复录入")
    assert household_points.household_ranking(session, t["vid"], Y)[0].head_name == "张大山"
    assert [r.head_name for r in household_points.household_ranking(session, t["vid"], Y)] == ["张大山"]
    assert session.scalar(select(func.count(HouseholdPointEntry.id))) == 3  # nothing deleted
    said = list(session.scalars(select(AuditEntry.summary).where(AuditEntry.entity == "household_point_entry")))
    assert any(x.startswith("作废乡风文明积分：李二河户") for x in said)
    assert any(x.startswith("更正乡风文明积分：张大山户") for x in said)


def test_only_admin_and_clerk_enter_household_points(session: Session, village: dict[str, int]) -> None:
    grid = Operator(unit_id=village["vid"], username="wg", display_name="李网格", role="grid")
    session.add(grid)
    session.flush()
    token = audit.current_operator_id.set(grid.id)
    try:
        with pytest.raises(PermissionDenied, match="乡风文明积分"):
            score(session, village, "张大山", "讲文明")
    finally:
        audit.current_operator_id.reset(token)
    assert session.scalar(select(func.count(HouseholdPointEntry.id))) == 0


# ---------------------------------------------------------------- demo, ledger and notice


def test_demo_has_a_year_of_household_scores(demo_db: Database) -> None:
    with demo_db.session() as s:
        uid = units.current_unit_id(s)
        ranking = household_points.household_ranking(s, uid, 2026)
        assert len(ranking) >= 12 and ranking[0].rank == 1
        assert [r.rank for r in ranking] == sorted(r.rank for r in ranking)
        voided = s.scalar(select(func.count(HouseholdPointEntry.id)).where(HouseholdPointEntry.voided_at.isnot(None)))
        assert voided == 3  # two voided, one corrected
        assert s.scalar(select(func.count(HouseholdPointEntry.id)).where(
            HouseholdPointEntry.scored_by_member_id.is_(None))) == 0
        dates = s.execute(select(func.min(HouseholdPointEntry.entry_date), func.max(HouseholdPointEntry.entry_date))).one()
        assert date(2026, 1, 1) <= dates[0] and dates[1] <= date(2026, 11, 1)


def test_cli_export_and_notice(demo_db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "乡风文明.xlsx"
    assert cli_main(["--db", str(demo_db_path), "export", "household-points", "household-point-entries",
                     "-o", str(out), "--year", "2026"]) == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["乡风文明积分台账", "乡风文明积分明细"]
    sheet = wb["乡风文明积分台账"]
    header = [c.value for c in sheet[3]]
    assert header[:4] == ["序号", "户号", "户主", "网格"]
    assert {"讲文明", "不违法乱纪", "奖励分", "扣减分", "总积分", "排名"} <= set(header)
    col = {h: i for i, h in enumerate(header)}
    rows = [r for r in sheet.iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)]
    assert rows and rows[0][col["排名"]] == 1
    totals = [D(str(r[col["总积分"]])) for r in rows]
    assert totals == sorted(totals, reverse=True)
    states = {r[10] for r in wb["乡风文明积分明细"].iter_rows(min_row=4, values_only=True) if r[0]}
    assert {"有效", "已作废", "更正记录"} <= states

    pdf = tmp_path / "乡风文明公示.pdf"
    assert cli_main(["--db", str(demo_db_path), "notice", "household-points", "-o", str(pdf), "--year", "2026"]) == 0
    assert "乡风文明积分排名的公示" in capsys.readouterr().out
    text = "".join(p.extract_text() for p in PdfReader(pdf).pages)
    database = open_database(resolve_url(demo_db_path))
    try:
        with database.session() as s:
            uid = units.current_unit_id(s)
            ranking = household_points.household_ranking(s, uid, 2026)
            contact = units.get_unit(s, uid).contact_phone  # the village's contact is printed on purpose
            heads = {r.household_id for r in ranking}
            people = s.execute(select(Resident.name, Resident.id_number, Resident.phone).join(
                Household, Household.id == Resident.household_id).where(Household.id.in_(heads),
                                                                        Resident.relation == "户主")).all()
    finally:
        database.dispose()
    assert "关于2026年度乡风文明积分排名的公示" in text.replace("\n", "")
    assert ranking[0].head_name in text and ranking[-1].head_name in text
    for _name, id_number, phone in people:
        assert not id_number or id_number not in text
        assert not phone or phone == contact or phone not in text
    assert cli_main(["--db", str(demo_db_path), "notice", "household-points", "-o", str(pdf), "--year", "2019"]) == 1
