"""党费 from a blank village: the 2008 bands at their edges and the rounding, 核定 and its change with a reason,
payment checks, 作废, the arrears and the six-month edge, the receipt PDF, the ledger's sums, the 公示,
the points feed (idempotent) and the command line."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.cli import main as cli_main
from app.db import Database
from app.io.pdf_pages import read_text
from app.models import AuditEntry, PointEntry
from app.models.partywork import DuesAssessment, DuesPayment, DuesRule
from app.services.errors import ServiceError, ValidationError
from app.services.ledgers.export import BUILDERS
from app.services.notices import archive
from app.services.partywork import dues, dues_outputs, dues_rules
from app.services.partywork.dues import AssessInput, PaymentInput
from app.services.points import member_points

from .dues_village import make_village

Y = 2026


def problems(e: pytest.ExceptionInfo[ValidationError]) -> str:
    return "；".join(str(p) for p in e.value.problems)


def monthly(s: Session, vid: int, category: str, base: str) -> int:
    rules = dues_rules.list_rules(s, vid, Y)
    fen = dues_rules.parse_yuan(dues_rules.Problems(), "b", "b", base)
    assert fen is not None
    band = dues_rules.band_for(rules, category, fen)
    assert band is not None and band.rate_permille is not None
    return dues_rules.monthly_for_rate(fen, band.rate_permille)


def test_bands_at_their_edges_and_rounding(session: Session) -> None:
    vid, _ = make_village(session)
    # 3000 元以下（含3000元）0.5 %; above 1 %; 5000 still 1 %; 10000 still 1.5 %; above 2 %
    assert monthly(session, vid, "在职", "3000") == 1500
    assert monthly(session, vid, "在职", "3000.01") == 3000  # 30.0001 元 → 30.00
    assert monthly(session, vid, "在职", "5000") == 5000
    assert monthly(session, vid, "在职", "5000.01") == 7500  # 75.00015 → 75.00
    assert monthly(session, vid, "在职", "10000") == 15000
    assert monthly(session, vid, "在职", "10000.01") == 20000  # 200.0002 → 200.00
    assert monthly(session, vid, "在职", "0") == 0
    assert monthly(session, vid, "离退休", "5000") == 2500
    assert monthly(session, vid, "离退休", "5000.01") == 5000
    # ROUND_HALF_UP at the 分: 3001 元 × 1 % = 30.01; 2999.90 × 0.5 % = 14.9995 → 15.00; 1234.50 × 0.5 % = 6.1725 → 6.17
    assert monthly(session, vid, "在职", "2999.90") == 1500
    assert monthly(session, vid, "在职", "1234.50") == 617
    assert monthly(session, vid, "在职", "1235.00") == 618  # 6.175 → 6.18 (half up, not to even)
    assert dues_rules.amount_in_words(1200) == "壹拾贰元整"
    assert dues_rules.amount_in_words(20) == "贰角"
    assert dues_rules.amount_in_words(10505) == "壹佰零伍元零伍分"
    assert dues_rules.amount_in_words(100000) == "壹仟元整"
    assert dues_rules.amount_in_words(1000100) == "壹万零壹元整"
    assert dues_rules.amount_in_words(0) == "零元整"
    # the year's bands were seeded once: asking again adds none
    count = len(session.scalars(select(DuesRule).where(DuesRule.year == Y)).all())
    dues_rules.list_rules(session, vid, Y)
    assert len(session.scalars(select(DuesRule).where(DuesRule.year == Y)).all()) == count == 9


def test_rule_change_supersedes(session: Session) -> None:
    vid, ids = make_village(session)
    farmer = next(r for r in dues_rules.list_rules(session, vid, Y) if r.category == "农民")
    with pytest.raises(ValidationError) as e:
        dues_rules.change_rule(session, farmer.id, min_yuan="0.5", max_yuan="2", reason="")
    assert "修改原因" in problems(e)
    new_id = dues_rules.change_rule(session, farmer.id, min_yuan="0.5", max_yuan="2", reason="县委组织部通知")
    old = session.get(DuesRule, farmer.id)
    assert old is not None and old.ended_on is not None and old.end_reason == "县委组织部通知"
    now = next(r for r in dues_rules.list_rules(session, vid, Y) if r.category == "农民")
    assert now.id == new_id and now.charge_text == "每月 0.50 元至 2.00 元"
    with pytest.raises(ValidationError) as e:  # 0.2 no longer fits the range
        dues.assess(session, vid, AssessInput(ids["张农"], Y, "农民", monthly="0.2", decided_on=date(Y, 1, 5)))
    assert "每月交纳" in problems(e)


def test_assess_and_change_with_reason(session: Session) -> None:
    vid, ids = make_village(session)
    li = ids["李职"]
    with pytest.raises(ValidationError) as e:
        dues.assess(session, vid, AssessInput(li, Y, "在职", base="", decided_on=date(Y, 1, 5)))
    assert "计算基数" in problems(e)
    first = dues.assess(session, vid, AssessInput(li, Y, "在职", base="4800", decided_on=date(Y, 1, 5)))
    row = session.get(DuesAssessment, first)
    assert row is not None and (row.rate_permille, row.monthly_fen, row.reason) == (10, 4800, "年度核定")
    with pytest.raises(ValidationError) as e:  # a second 年度核定 is refused: change it
        dues.assess(session, vid, AssessInput(li, Y, "在职", base="5200", decided_on=date(Y, 2, 5)))
    assert "修改核定" in problems(e)
    with pytest.raises(ValidationError) as e:
        dues.change_assessment(session, vid, AssessInput(li, Y, "在职", base="5200", from_month=7,
                                                         decided_on=date(Y, 7, 1)))
    assert "变更原因" in problems(e)
    second = dues.change_assessment(session, vid, AssessInput(li, Y, "在职", base="5200", from_month=7,
                                                              decided_on=date(Y, 7, 1), reason="工资调整"))
    assert session.get(DuesAssessment, first).superseded_by_id == second  # type: ignore[union-attr]
    # 1–6 at 48.00, 7–12 at 78.00 (5200 × 1.5 %): paying January to August needs 6×48 + 2×78
    with pytest.raises(ValidationError) as e:
        dues.record_payment(session, vid, PaymentInput(li, Y, 1, 8, "443.99", date(Y, 8, 20), collector="王会计"))
    assert "8个月应交 444.00 元" in problems(e)
    pid = dues.record_payment(session, vid, PaymentInput(li, Y, 1, 8, "444.00", date(Y, 8, 20),
                                                         collector="王会计"))
    assert pid
    rows = {r.name: r for r in dues.list_dues(session, vid, Y, date(Y, 9, 1))}
    assert rows["李职"].monthly_fen == 7800 and rows["李职"].paid_months == tuple(range(1, 9))
    assert rows["李职"].owed_months == () and rows["李职"].paid_to == "2026-08"


def test_payment_checks_and_void(session: Session) -> None:
    vid, ids = make_village(session)
    zhang = ids["张农"]
    with pytest.raises(ValidationError) as e:  # not 核定 yet
        dues.record_payment(session, vid, PaymentInput(zhang, Y, 1, 3, "0.60", date(Y, 3, 1), collector="王会计"))
    assert "没有核定" in problems(e)
    dues.assess(session, vid, AssessInput(zhang, Y, "农民", monthly="0.2", decided_on=date(Y, 1, 5)))
    with pytest.raises(ValidationError) as e:  # less than 应交
        dues.record_payment(session, vid, PaymentInput(zhang, Y, 1, 3, "0.40", date(Y, 3, 1), collector="王会计"))
    assert "3个月应交 0.60 元" in problems(e)
    with pytest.raises(ValidationError) as e:  # more needs a note
        dues.record_payment(session, vid, PaymentInput(zhang, Y, 1, 3, "10", date(Y, 3, 1), collector="王会计"))
    assert "自愿多交" in problems(e)
    with pytest.raises(ValidationError) as e:
        dues.record_payment(session, vid, PaymentInput(zhang, Y, 1, 3, "0.6", date(Y, 3, 1), collector=""))
    assert "收款人" in problems(e)
    first = dues.record_payment(session, vid, PaymentInput(zhang, Y, 1, 3, "10", date(Y, 3, 31), collector="王会计",
                                                           note="自愿多交"))
    with pytest.raises(ValidationError) as e:  # 3月 already paid
        dues.record_payment(session, vid, PaymentInput(zhang, Y, 3, 4, "0.4", date(Y, 4, 30), collector="王会计"))
    assert "3月已交纳" in problems(e)
    second = dues.record_payment(session, vid, PaymentInput(zhang, Y, 4, 4, "0.2", date(Y, 6, 2), collector="王会计",
                                                            paid_by="张妻"))
    p1, p2 = session.get(DuesPayment, first), session.get(DuesPayment, second)
    assert p1 is not None and p2 is not None
    assert (p1.receipt_no, p2.receipt_no) == ("2026-001", "2026-002")
    assert not p1.makeup and p2.makeup  # April paid in June: 补交 by itself
    with pytest.raises(ValidationError):
        dues.void_payment(session, second, "")
    dues.void_payment(session, second, "金额录错")
    assert session.get(DuesPayment, second).voided_on is not None  # type: ignore[union-attr]
    with pytest.raises(ValidationError) as e:
        dues.void_payment(session, second, "再作废")
    assert "已于" in problems(e)
    again = dues.record_payment(session, vid, PaymentInput(zhang, Y, 4, 4, "0.2", date(Y, 6, 2), collector="王会计"))
    assert session.get(DuesPayment, again).receipt_no == "2026-003"  # type: ignore[union-attr]  # numbers never reused
    assert session.scalar(select(AuditEntry.id).where(AuditEntry.entity == "dues_payment",
                                                      AuditEntry.action == "void")) is not None


def test_arrears_and_the_six_month_edge(session: Session) -> None:
    vid, ids = make_village(session)
    for name in ("张农", "赵流"):
        dues.assess(session, vid, AssessInput(ids[name], Y, "农民", monthly="0.5", decided_on=date(Y, 1, 5)))
    dues.record_payment(session, vid, PaymentInput(ids["张农"], Y, 1, 5, "2.5", date(Y, 5, 20), collector="王会计"))
    # 赵流 has paid nothing: on 30 June January–May are over (5 months), on 1 July six
    assert [r.name for r in dues.arrears_list(session, vid, date(Y, 6, 30), warn_only=True)] == []
    assert dues.count_dues_warnings(session, vid, date(Y, 6, 30)) == 0
    july = dues.arrears_list(session, vid, date(Y, 7, 1))
    assert [(r.name, r.run, r.warn) for r in july] == [("赵流", 6, True), ("张农", 1, False)]
    assert july[0].owed_text == "2026年1—6月" and july[0].owed_fen == 300
    assert dues.count_dues_warnings(session, vid, date(Y, 7, 1)) == 1
    rows = {r.name: r for r in dues.list_dues(session, vid, Y, date(Y, 7, 1))}
    assert rows["赵流"].state == "连续6个月未交" and rows["李职"].state == "未核定"
    # paying two months breaks the run: 3–6 unpaid is four months in a row
    dues.record_payment(session, vid, PaymentInput(ids["赵流"], Y, 1, 2, "1", date(Y, 7, 1), collector="王会计"))
    assert dues.count_dues_warnings(session, vid, date(Y, 7, 1)) == 0
    rows = {r.name: r for r in dues.list_dues(session, vid, Y, date(Y, 7, 1))}
    assert rows["张农"].paid_to == "2026-05" and rows["李职"].paid_to == ""


def test_bulk_assess_carries_last_year(session: Session) -> None:
    vid, ids = make_village(session)
    dues.assess(session, vid, AssessInput(ids["李职"], Y - 1, "在职", base="6000", decided_on=date(Y - 1, 1, 5)))
    result = dues.bulk_assess(session, vid, Y, "0.3", date(Y, 1, 6))
    assert result.made == 3 and result.skipped == ["王退（离退休党员，需填写月收入）"]
    rows = {r.name: r for r in dues.list_dues(session, vid, Y, date(Y, 2, 1))}
    assert rows["张农"].monthly_fen == 30 and rows["赵流"].category == "农民"
    assert rows["李职"].monthly_fen == 9000 and rows["李职"].base_fen == 600000
    assert dues.bulk_assess(session, vid, Y, "0.3", date(Y, 1, 6)).made == 0  # nobody twice


def test_receipt_ledger_notice_and_points(db: Database, db_path: Path, tmp_path: Path) -> None:
    with db.session() as s:
        vid, ids = make_village(s)
        for name in ("张农", "赵流"):
            dues.assess(s, vid, AssessInput(ids[name], Y, "农民", monthly="0.5", decided_on=date(Y, 1, 5)))
        dues.assess(s, vid, AssessInput(ids["李职"], Y, "在职", base="4000", decided_on=date(Y, 1, 5)))
        pid = dues.record_payment(s, vid, PaymentInput(ids["李职"], Y, 1, 3, "120", date(Y, 3, 20),
                                                       collector="王会计", way="微信"))
        dues.record_payment(s, vid, PaymentInput(ids["张农"], Y, 1, 2, "1.2", date(Y, 2, 20), collector="王会计",
                                                 note="自愿多交0.2元"))
        receipt = dues_outputs.print_receipt(s, pid, tmp_path / "r.pdf")
        _, pages = read_text(receipt)
        text = "".join(pages[0].split())
        for piece in ("党费收据", "存根", "收据", "No.2026-001", "李职", "2026年1—3月", "¥120.00元", "壹佰贰拾元整",
                      "王会计", "微信"):
            assert piece in text, piece

        ledger = BUILDERS["dues"](s, vid, Y)
        rows = list(ledger.rows)
        by = {r["name"]: r for r in rows}
        # 张农: 1.20 paid for January–February, 0.50 each, the 0.20 extra on February
        assert by["张农"]["m1"] == dues_outputs._yuan(50) and by["张农"]["m2"] == dues_outputs._yuan(70)
        assert by["张农"]["paid"] == dues_outputs._yuan(120) and by["张农"]["due"] == dues_outputs._yuan(600)
        assert by["李职"]["due"] == dues_outputs._yuan(48000) and by["李职"]["m3"] == dues_outputs._yuan(4000)
        assert by["合计"]["paid"] == dues_outputs._yuan(12120) and by["东坟村党支部 小计"]["paid"] == by["合计"]["paid"]
        assert by["合计"]["due"] == dues_outputs._yuan(600 + 600 + 48000)

        draft = archive.build_notice(s, vid, "dues", Y, date(Y, 11, 1))
        header = [c.header for c in draft.columns]
        assert "计算基数" not in "".join(header) and "已交金额（元）" in header
        zhang = next(r for r in draft.rows if r[1] == "张农")
        assert zhang[2:5] == [10, 2, "1.20"]  # on 1 November: January–October over, two months paid
        assert all("4000" not in str(c) for r in draft.rows for c in r)  # no income published

        before = member_points.published_on(s, vid, Y)
        assert before is None
        on = date(Y, 6, 1)
        first = dues_outputs.book_dues_points(s, vid, on)
        # 李职 owes April and May only (two months, under POINTS_MONTHS)
        assert sorted(n.split("（")[0] for n in first.booked) == ["张农", "赵流"]
        second = dues_outputs.book_dues_points(s, vid, date(Y, 6, 20))  # same quarter: nothing new
        assert second.booked == [] and second.already == 2
        entries = s.scalars(select(PointEntry).where(PointEntry.source_ref.like("dues:%"))).all()
        assert len(entries) == 2 and all(e.points < 0 for e in entries)
        assert {e.source_ref for e in entries} == {"dues:2026Q2"}
        assert len(dues_outputs.book_dues_points(s, vid, date(Y, 7, 2)).booked) == 3  # the next quarter: 李职 too
        s.commit()
        with pytest.raises(ServiceError):
            dues_outputs.book_dues_points(s, vid, date(2099, 1, 1))

    base = ["--db", str(db_path)]
    out = tmp_path / "dues.xlsx"
    assert cli_main([*base, "export", "dues", "-o", str(out), "--year", str(Y)]) == 0
    ws = openpyxl.load_workbook(out).active
    assert ws is not None and "党费收缴台账" in str(ws.cell(1, 1).value)
    pdf = tmp_path / "notice.pdf"
    assert cli_main([*base, "notice", "dues", "--year", str(Y), "-o", str(pdf)]) == 0
    _, pages = read_text(pdf)
    assert "党员交纳党费情况的公示" in "".join("".join(pages).split())
    assert cli_main([*base, "notice", "dues", "--year", "2020", "-o", str(tmp_path / "x.pdf")]) == 1


def test_the_demo_village(s: Session, uid: int) -> None:
    from app.demo.facts import DEMO_TODAY
    from app.services.workbench.today import todo_lines

    rows = dues.list_dues(s, uid, DEMO_TODAY.year, DEMO_TODAY)
    assert rows and all(r.assessment_id is not None for r in rows)
    assert {r.category for r in rows} >= {"在职", "离退休", "农民"}
    behind = dues.arrears_list(s, uid, DEMO_TODAY)
    assert [a.run for a in behind] == [8, 6, 2] and [a.warn for a in behind] == [True, True, False]
    changed = s.scalars(select(DuesAssessment).where(DuesAssessment.unit_id == uid,
                                                     DuesAssessment.superseded_by_id.isnot(None))).all()
    assert len(changed) == 1
    line = next(t for t in todo_lines(s, uid, datetime.combine(DEMO_TODAY, datetime.min.time()))
                if t.key == "dues_arrears")
    assert line.count == 2 and line.filter == "dues_arrears" and line.page == "page_partywork"
