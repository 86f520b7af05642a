"""流动党员 and 失联党员 from a blank village: one open 流出 a member, 党员类型 流动 while away and restored on
return, a second departure as a new record; 流入 with 双报到; 失联 months at the six-month edge, 停止党籍
refused before it and without a search, outcomes through end_membership; both ledgers (masked where masked)
and the 工作台 line."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.demo.ids import make_id_number
from app.models import AuditEntry, LostContact, MobileMember, PartyMember
from app.services.errors import ValidationError
from app.services.ledgers.export import build_ledger, masked_ledger
from app.services.org import members
from app.services.org.member_checks import MemberInput
from app.services.org.tree import OrgInput, create_org
from app.services.partywork import lost, mobile
from app.services.partywork.lost import _months_back, months_lost
from app.services.partywork.mobile import MobileInput
from app.services.safety.audit_log import ENTITY_LABELS
from app.services.setup import founding
from app.services.workbench.today import todo_lines

TODAY = date.today()
JOINED = date(2010, 7, 1)


@pytest.fixture
def vid(session: Session) -> int:
    return founding.create_unit(session, "东坟村", "城关街道", "房山区")


@pytest.fixture
def branch(session: Session, vid: int) -> int:
    return create_org(session, vid, OrgInput("中共东坟村支部委员会", "党支部"))


def member(s: Session, vid: int, org: int, name: str, seq: int, member_type: str = "在职") -> int:
    return members.add_member(s, vid, MemberInput(
        name, make_id_number("110111", date(1980, 3, 1) + timedelta(days=seq), seq), phone=f"1391234{seq:04d}",
        org_id=org, stage="正式党员", applied_on=date(2008, 1, 1), activist_on=date(2008, 6, 1),
        candidate_on=date(2009, 7, 1), joined_on=JOINED, confirmed_on=date(2011, 7, 2), member_type=member_type))


def problems(e: pytest.ExceptionInfo[ValidationError]) -> str:
    return "；".join(str(p) for p in e.value.problems)


def rows(ledger) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    return [{c.header: c.value_of(r) for c in ledger.columns} for r in ledger.rows]


def test_one_open_departure_type_flow_and_return(session: Session, vid: int, branch: int) -> None:
    wang, li = member(session, vid, branch, "王强", 1, "在职"), member(session, vid, branch, "李梅", 2)
    since = TODAY - timedelta(days=400)
    out = MobileInput(since, place="广东省深圳市", employer="深圳某电子厂", phone="13800138000",
                      other_org="深圳某电子厂党支部", keeper_id=li, participation="线上学习、每季度视频参加支部会",
                      dues_way="微信转账按月交纳", member_id=wang)
    rid = mobile.register_out(session, vid, out)
    m = session.get(PartyMember, wang)
    assert m is not None and (m.member_type, m.flow_out_place) == ("流动", "广东省深圳市")
    flowing = members.list_members(session, members.MemberQuery(vid, member_type="流动"))
    assert [(r.name, r.management) for r in flowing] == [("王强", "参照管理")]  # the roster shows a 流动党员
    with pytest.raises(ValidationError) as e:  # only one open 流出 a member
        mobile.register_out(session, vid, MobileInput(TODAY, place="北京", member_id=wang))
    assert "尚未返回" in problems(e)
    with pytest.raises(ValidationError) as e:  # the keeper is another member, someone on the roster
        mobile.register_out(session, vid, MobileInput(None, place="", keeper_id=li, member_id=li))
    text = problems(e)
    assert "流向地" in text and "外出时间" in text and "联系人" in text
    assert session.scalar(select(MobileMember.id).where(MobileMember.member_id == li)) is None
    [row] = mobile.list_mobile(session, vid, "流出")
    assert (row.keeper_name, row.state, row.phone) == ("李梅", "在外", "13800138000")

    with pytest.raises(ValidationError) as e:  # a return before the departure
        mobile.end_mobile(session, rid, since - timedelta(days=1), "返乡")
    assert "不能早于外出时间" in problems(e)
    back = TODAY - timedelta(days=30)
    mobile.end_mobile(session, rid, back, "返乡务农")
    m = session.get(PartyMember, wang)
    assert m is not None and (m.member_type, m.flow_out_place) == ("在职", "")  # the type before is back
    with pytest.raises(ValidationError):
        mobile.end_mobile(session, rid, TODAY, "")  # ended already
    with pytest.raises(ValidationError) as e:  # going again: not before the last return
        mobile.register_out(session, vid, MobileInput(back - timedelta(days=1), place="天津", member_id=wang))
    assert "上次返回" in problems(e)
    again = mobile.register_out(session, vid, MobileInput(TODAY, place="天津市滨海新区", member_id=wang))
    history = mobile.list_mobile(session, vid, "流出")
    assert [r.id for r in history] == [again, rid]  # the open one first, the history kept
    assert history[1].state.endswith("返回") and history[1].until == back
    mobile.correct_mobile(session, again, MobileInput(TODAY, place="天津市武清区", employer="物流园",
                                                      member_id=None))
    m = session.get(PartyMember, wang)
    assert m is not None and m.flow_out_place == "天津市武清区"
    kinds = session.scalars(select(AuditEntry.action).where(AuditEntry.entity == "mobile_member")).all()
    assert kinds == ["create", "close", "create", "update"] and "mobile_member" in ENTITY_LABELS


def test_inflow_members_with_dual_report(session: Session, vid: int, branch: int) -> None:
    idn = make_id_number("320102", date(1985, 5, 5), 7)
    with pytest.raises(ValidationError) as e:
        mobile.register_in(session, vid, MobileInput(TODAY, place="", name="", id_number="123"))
    text = problems(e)
    assert "姓名" in text and "原所在党组织" in text and "身份证号" in text and "在本村居住地" in text
    assert session.scalar(select(MobileMember.id)) is None  # nothing half-written
    rid = mobile.register_in(session, vid, MobileInput(
        TODAY - timedelta(days=90), place="东坟村3组12号", employer="村东物流园", phone="13912345678",
        other_org="中共南京市玄武区某社区委员会", name="周建华", id_number=idn, dual_report=True))
    with pytest.raises(ValidationError) as e:
        mobile.register_in(session, vid, MobileInput(TODAY, place="x", other_org="y", name="周建华", id_number=idn))
    assert "尚未离开" in problems(e)
    [row] = mobile.list_mobile(session, vid, "流入", include_ended=False)
    assert (row.name, row.id_number, row.dual_report, row.state) == ("周建华", idn, True, "在本村")
    mobile.end_mobile(session, rid, TODAY, "回原籍")
    assert mobile.list_mobile(session, vid, "流入", include_ended=False) == []
    assert mobile.list_mobile(session, vid, "流入")[0].end_note == "回原籍"


def test_months_lost_at_the_six_month_edge() -> None:
    assert months_lost(date(2026, 1, 31), date(2026, 7, 30)) == 5
    assert months_lost(date(2026, 1, 31), date(2026, 7, 31)) == 6
    assert months_lost(date(2025, 8, 31), date(2026, 2, 28)) == 6  # the month has no 31st: its last day
    assert months_lost(date(2025, 8, 27), date(2026, 2, 26)) == 5
    assert _months_back(date(2026, 2, 28), 6) == date(2025, 8, 31)
    assert _months_back(date(2026, 7, 31), 6) == date(2026, 1, 31)
    for on in (date(2026, 2, 28), date(2026, 3, 31), date(2026, 7, 15)):
        back = _months_back(on, 6)
        assert months_lost(back, on) == 6 and months_lost(back + timedelta(days=1), on) == 5


def test_lost_member_stop_at_six_months_through_end_membership(session: Session, vid: int, branch: int) -> None:
    zhao, qian = member(session, vid, branch, "赵刚", 3), member(session, vid, branch, "钱芳", 4)
    edge = _months_back(TODAY, 6)  # six full months today
    young = lost.register_lost(session, vid, zhao, edge + timedelta(days=1))
    old = lost.register_lost(session, vid, qian, edge)
    with pytest.raises(ValidationError) as e:
        lost.register_lost(session, vid, zhao, TODAY)
    assert "已登记为失联党员" in problems(e)

    def line(on: date) -> int:
        return next(x for x in todo_lines(session, vid, datetime.combine(on, datetime.min.time()))
                    if x.key == "lost_due").count

    assert line(TODAY) == 1 and line(TODAY + timedelta(days=1)) == 2 and line(TODAY - timedelta(days=1)) == 0
    rows_ = {r.id: r for r in lost.list_lost(session, vid)}
    assert (rows_[old].months, rows_[old].due, rows_[young].months, rows_[young].due) == (6, True, 5, False)
    assert [r.id for r in lost.list_lost(session, vid, due_only=True)] == [old]

    with pytest.raises(ValidationError) as e:  # five months: too early
        lost.close_lost(session, young, "停止党籍", TODAY, "支部大会讨论")
    assert "失联 5 个月" in problems(e)
    with pytest.raises(ValidationError) as e:  # six months, but nobody looked yet
        lost.close_lost(session, old, "停止党籍", TODAY, "支部大会讨论")
    assert "请先记录查找情况" in problems(e)
    with pytest.raises(ValidationError) as e:
        lost.add_search(session, old, edge - timedelta(days=1), "电话联系", "无人接听")
    assert "不能早于失联时间" in problems(e)
    lost.add_search(session, old, edge + timedelta(days=10), "走访家属", "家属称其在外地，无联系方式", "李梅")
    lost.add_search(session, old, TODAY, "电话联系", "号码已停机", "王强")
    [s1, s2] = lost.list_searches(session, old)
    assert s1.method == "走访家属" and s2.result == "号码已停机"
    lost.close_lost(session, old, "停止党籍", TODAY, "经支部大会讨论，报上级党委批准")
    m = session.get(PartyMember, qian)
    assert m is not None and (m.left_kind, m.left_on) == ("停止党籍", TODAY)
    assert line(TODAY) == 0
    with pytest.raises(ValidationError):
        lost.add_search(session, old, TODAY, "电话联系", "再试")  # the case is closed

    # 除名 goes through end_membership as 出党 (除名); 恢复联系 leaves the roster alone
    lost.close_lost(session, young, "除名", TODAY, "经查其已自行脱党")
    z = session.get(PartyMember, zhao)
    assert z is not None and z.left_kind == "出党" and z.left_reason.startswith("除名")
    sun = member(session, vid, branch, "孙立", 5)
    back = lost.register_lost(session, vid, sun, TODAY - timedelta(days=20))
    lost.close_lost(session, back, "恢复联系", TODAY)
    s_ = session.get(PartyMember, sun)
    assert s_ is not None and s_.left_on is None
    with pytest.raises(ValidationError) as e:  # a left member cannot be lost again
        lost.register_lost(session, vid, qian, TODAY)
    assert "停止党籍" in problems(e)
    assert {"lost_contact", "lost_contact_search"} <= set(ENTITY_LABELS)


def test_outcome_refused_by_the_roster_leaves_the_case_open(session: Session, vid: int, branch: int) -> None:
    zhou = member(session, vid, branch, "周敏", 6)
    lid = lost.register_lost(session, vid, zhou, date(2009, 1, 1))  # lost before 入党: a wrong record
    with pytest.raises(ValidationError) as e:  # the ending cannot come before 转正 (end_membership's check)
        lost.close_lost(session, lid, "死亡", date(2010, 1, 1), "家属告知")
    assert "不能早于" in problems(e)
    row = session.get(LostContact, lid)
    assert row is not None and row.outcome is None


def test_ledgers_and_masking(session: Session, vid: int, branch: int) -> None:
    wang, li = member(session, vid, branch, "王强", 1), member(session, vid, branch, "李梅", 2)
    mobile.register_out(session, vid, MobileInput(TODAY - timedelta(days=60), place="广东省深圳市", employer="电子厂",
                                                   phone="13800138000", keeper_id=li, dues_way="微信",
                                                   participation="线上学习", member_id=wang))
    idn = make_id_number("320102", date(1985, 5, 5), 7)
    mobile.register_in(session, vid, MobileInput(TODAY, place="3组12号", other_org="南京某社区党委", name="周建华",
                                                 id_number=idn, phone="13912345678", dual_report=True))
    lid = lost.register_lost(session, vid, li, TODAY - timedelta(days=300))
    lost.add_search(session, lid, TODAY, "电话联系", "13811112222 已停机", "王强")
    ledger = build_ledger(session, vid, "mobile-members")
    assert ledger.name == "流动党员台账"
    full = rows(ledger)
    out = next(r for r in full if r["类别"] == "流出")
    inn = next(r for r in full if r["类别"] == "流入")
    wang_id = members.get_member(session, wang).row.id_number
    assert (out["姓名"], out["身份证号"], out["联系电话"], out["支部联系人"]) == ("王强", wang_id, "13800138000", "李梅")
    assert (inn["姓名"], inn["身份证号"], inn["双报到"], inn["流入地党组织 / 原所在党组织"]) == (
        "周建华", idn, "已报到", "南京某社区党委")
    masked = rows(masked_ledger(build_ledger(session, vid, "mobile-members")))
    assert all("****" in str(r["身份证号"]) and "****" in str(r["联系电话"]) for r in masked)
    assert not any(idn in str(v) or "13912345678" in str(v) for r in masked for v in r.values())
    lost_rows = rows(build_ledger(session, vid, "lost-members"))
    assert len(lost_rows) == 1 and lost_rows[0]["姓名"] == "李梅" and lost_rows[0]["处理结果"] == "尚未处理"
    assert lost_rows[0]["查找次数"] == 1 and "电话联系（王强）" in str(lost_rows[0]["查找情况"])
    masked_lost = rows(masked_ledger(build_ledger(session, vid, "lost-members")))
    assert "13811112222" not in str(masked_lost[0]["查找情况"])  # a number typed in the search result
    assert rows(build_ledger(session, vid, "mobile-members", TODAY.year - 5)) == []  # not under way that year


def test_demo_and_cli_export(demo_db_path, tmp_path, s: Session, uid: int) -> None:  # type: ignore[no-untyped-def]
    import openpyxl

    from app.cli import main

    out_rows = mobile.list_mobile(s, uid, "流出")
    open_out = [r for r in out_rows if r.until is None]
    assert len(open_out) == 5 and len(out_rows) == 6 and all(r.keeper_name for r in out_rows)
    flowing = members.list_members(s, members.MemberQuery(uid, member_type="流动"))
    assert sorted(r.name for r in flowing) == sorted(r.name for r in open_out)  # roster and register agree
    assert len(mobile.list_mobile(s, uid, "流入", include_ended=False)) == 2
    [case] = lost.list_lost(s, uid, on=date(2026, 11, 1))
    assert (case.months, case.due, case.searches) == (7, True, 2)
    # the year asked (this year by default): the member back in December 2025 is not in it
    for kind, title, count in (("mobile-members", "流动党员台账", 7), ("lost-members", "失联党员台账", 1)):
        path = tmp_path / f"{kind}.xlsx"
        assert main(["--db", str(demo_db_path), "export", kind, "-o", str(path)]) == 0
        sheet = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
        assert title in str(sheet[0][0])
        assert sum(1 for r in sheet[3:] if isinstance(r[0], int)) == count
