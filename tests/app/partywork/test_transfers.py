"""组织关系转接 from a blank village: 转出 with the 介绍信 (details frozen, age on the issue date, 预备 status,
numbering, 党费交到 from the 党费 records), the one-page PDF with its three parts, 作废 and 重开, 回执 and the
overdue line, 转入 from a letter with its 回执, the ledger (masked where masked), roles."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.demo.ids import make_id_number
from app.models import AuditEntry, PartyMember
from app.models.partywork import DuesPayment
from app.services.errors import NotFound, ServiceError, ValidationError
from app.services.ledgers import export as ledgers
from app.services.org import members
from app.services.org.member_checks import MemberInput
from app.services.org.tree import OrgInput, create_org
from app.services.partywork import transfers
from app.services.partywork.transfers import InLetter, OutInput
from app.services.safety.audit_log import ENTITY_LABELS
from app.services.setup import founding

TODAY = date.today()
BORN = date(1990, 6, 15)


@pytest.fixture
def vid(session: Session) -> int:
    return founding.create_unit(session, "东坟村", "城关街道", "房山区")


@pytest.fixture
def branch(session: Session, vid: int) -> int:
    top = create_org(session, vid, OrgInput("中共东坟村总支部委员会", "党总支"))
    return create_org(session, vid, OrgInput("第一党支部", "党支部", parent_id=top))


def member(s: Session, vid: int, org: int, name: str, seq: int, stage: str = "正式党员", born: date = BORN) -> int:
    joined = date(2015, 7, 1) if stage == "正式党员" else TODAY - timedelta(days=100)
    return members.add_member(s, vid, MemberInput(
        name, make_id_number("110111", born, seq), ethnicity="回族", org_id=org, stage=stage,
        applied_on=joined - timedelta(days=800), activist_on=joined - timedelta(days=700),
        candidate_on=joined - timedelta(days=200), joined_on=joined,
        confirmed_on=joined + timedelta(days=366) if stage == "正式党员" else None))


def page_text(path: Path) -> str:
    pdf = pdfium.PdfDocument(str(path))
    try:
        assert len(pdf) == 1
        return pdf[0].get_textpage().get_text_range()
    finally:
        pdf.close()


def test_transfer_out_issues_the_letter_with_the_roster_details(session: Session, vid: int, branch: int) -> None:
    mid = member(session, vid, branch, "王秀兰", 1, stage="预备党员")
    lid = transfers.transfer_out(session, mid, OutInput("中共城关街道西坟村支部委员会", TODAY))
    letter = transfers.get_letter(session, lid)
    m = session.get(PartyMember, mid)
    assert m is not None and m.left_kind == "转出" and m.left_to == "中共城关街道西坟村支部委员会"
    assert m.left_letter_no == letter.letter_no == f"{TODAY.year}001"
    assert letter.member_status == "预备党员" and letter.ethnicity == "回族"
    assert letter.from_org == "中共东坟村总支部委员会第一党支部"
    had_birthday = (TODAY.month, TODAY.day) >= (6, 15)
    assert letter.age == TODAY.year - 1990 - (0 if had_birthday else 1)
    assert letter.valid_days == 30 and letter.state == "待回执" and letter.dues_paid_to == ""
    # the next letter of the year takes the next number; a typed number is kept
    second = transfers.transfer_out(session, member(session, vid, branch, "李强", 2), OutInput("某党支部", TODAY))
    assert transfers.get_letter(session, second).letter_no == f"{TODAY.year}002"
    typed = transfers.transfer_out(session, member(session, vid, branch, "赵刚", 3),
                                   OutInput("某党支部", TODAY, letter_no="京001", valid_days=10, dues_paid_to="2026-9"))
    row = transfers.get_letter(session, typed)
    assert (row.letter_no, row.valid_days, row.dues_paid_to, row.dues_text) == ("京001", 10, "2026-09", "2026年9月")


def test_age_is_counted_on_the_issue_day(session: Session, vid: int, branch: int) -> None:
    born = TODAY.replace(year=TODAY.year - 40) + timedelta(days=1) if (TODAY.month, TODAY.day) != (12, 31) else date(
        TODAY.year - 41, 1, 1)
    mid = member(session, vid, branch, "钱多", 4, born=born)
    letter = transfers.get_letter(session, transfers.transfer_out(session, mid, OutInput("某党支部", TODAY)))
    assert letter.age == 39  # the 40th birthday is tomorrow


def test_refusals_leave_nothing_half_written(session: Session, vid: int, branch: int) -> None:
    mid = member(session, vid, branch, "孙丽", 5)
    with pytest.raises(ValidationError) as e:
        transfers.transfer_out(session, mid, OutInput("", TODAY, valid_days=91, dues_paid_to="2026-13"))
    text = "；".join(str(p) for p in e.value.problems)
    assert "转往党组织" in text and "有效期" in text and "党费交到" in text
    assert session.get(PartyMember, mid).left_on is None  # type: ignore[union-attr]
    transfers.transfer_out(session, mid, OutInput("某党支部", TODAY, valid_days=90))
    other = member(session, vid, branch, "周平", 6)
    with pytest.raises(ValidationError, match="介绍信编号"):  # the number is taken
        transfers.transfer_out(session, other, OutInput("某党支部", TODAY, letter_no=f"{TODAY.year}001"))
    assert session.get(PartyMember, other).left_on is None  # type: ignore[union-attr]
    with pytest.raises(ServiceError, match="已于"):  # 转出 twice
        transfers.transfer_out(session, mid, OutInput("某党支部", TODAY))


def test_dues_paid_to_comes_from_the_dues_records(session: Session, vid: int, branch: int) -> None:
    mid = member(session, vid, branch, "吴敏", 7)
    for year, m_to, voided in ((2025, 12, None), (2026, 8, None), (2026, 10, TODAY)):
        session.add(DuesPayment(unit_id=vid, member_id=mid, year=year, month_from=1, month_to=m_to, amount_fen=100,
                                paid_on=date(year, 1, 5), voided_on=voided))
    session.flush()
    letter = transfers.get_letter(session, transfers.transfer_out(session, mid, OutInput("某党支部", TODAY)))
    assert letter.dues_paid_to == "2026-08"  # the voided entry does not count


def test_pdf_has_three_parts_on_one_page(session: Session, vid: int, branch: int, tmp_path: Path) -> None:
    mid = member(session, vid, branch, "王秀兰", 1, stage="预备党员")
    lid = transfers.transfer_out(session, mid, OutInput("中共城关街道西坟村支部委员会", TODAY, dues_paid_to="2026-11"))
    out = transfers.print_letter(session, lid, tmp_path / "介绍信.pdf")
    text = page_text(out).replace("\r", "").replace("\n", "")
    no = f"{TODAY.year}001"
    assert text.count(f"第 {no} 号") == 3
    assert "（存根）" in text and "请接转组织关系" in text and "特此回执" in text and text.count("骑缝线") == 2
    idn = make_id_number("110111", BORN, 1)
    assert text.count(idn) == 2  # 存根 and 介绍信 carry the full number
    assert "系中共" in text and "预备" in text and "回族" not in text and "回" in text
    assert "二〇二六" in text and "十一" in text and "三十" in text
    pdf = pdfium.PdfDocument(str(out))
    w, h = pdf[0].get_size()
    pdf.close()
    assert (round(w), round(h)) == (595, 842)  # A4
    assert session.scalar(select(AuditEntry.summary).where(AuditEntry.action == "reprint")).startswith("打印组织关系介绍信")


def test_cancel_reissues_with_the_next_number_and_keeps_history(session: Session, vid: int, branch: int) -> None:
    mid = member(session, vid, branch, "郑伟", 8)
    first = transfers.transfer_out(session, mid, OutInput("错的党支部", TODAY))
    with pytest.raises(ValidationError, match="作废原因"):
        transfers.cancel_letter(session, first, "")
    new = transfers.cancel_letter(session, first, "转往党组织写错", to_org="对的党支部")
    assert new is not None
    old, fresh = transfers.get_letter(session, first), transfers.get_letter(session, new)
    assert old.state == "已作废" and old.cancel_reason == "转往党组织写错"
    assert fresh.letter_no == f"{TODAY.year}002" and fresh.to_org == "对的党支部" and fresh.name == "郑伟"
    m = session.get(PartyMember, mid)
    assert m is not None and (m.left_letter_no, m.left_to) == (fresh.letter_no, "对的党支部")
    assert transfers.letter_for_member(session, mid) == new == transfers.letter_of_departed(session, mid)
    with pytest.raises(ServiceError, match="已于"):
        transfers.cancel_letter(session, first, "再作废")


def test_receipt_and_the_overdue_line_at_its_edge(session: Session, vid: int, branch: int) -> None:
    issued = TODAY - timedelta(days=30)
    lid = transfers.transfer_out(session, member(session, vid, branch, "冯军", 9), OutInput("某党支部", issued))
    assert transfers.overdue_receipts(session, vid) == []  # the 30th day is still inside the validity
    assert [r.id for r in transfers.overdue_receipts(session, vid, TODAY + timedelta(days=1))] == [lid]
    assert transfers.get_letter(session, lid).state_on(TODAY + timedelta(days=1)) == "回执逾期"
    with pytest.raises(ValidationError, match="不能早于开具日期"):
        transfers.record_receipt(session, lid, issued - timedelta(days=1))
    transfers.record_receipt(session, lid, TODAY)
    assert transfers.get_letter(session, lid).state == "已回执"
    assert transfers.overdue_receipts(session, vid, TODAY + timedelta(days=1)) == []
    assert transfers.list_letters(session, vid, waiting=True) == []
    with pytest.raises(ValidationError, match="已回执"):
        transfers.cancel_letter(session, lid, "晚了")


def test_transfer_in_from_the_letter_and_its_receipt(session: Session, vid: int, branch: int, tmp_path: Path) -> None:
    idn = make_id_number("110111", date(1985, 3, 2), 11)
    data = MemberInput("陈红", idn, org_id=branch, stage="正式党员", joined_on=date(2010, 7, 1),
                       confirmed_on=date(2011, 7, 1))
    arrived = TODAY - timedelta(days=3)
    with pytest.raises(ValidationError) as e:  # the letter's number and issue date are needed
        transfers.register_arrival(session, vid, data, InLetter("", "中共良乡镇某村支部委员会", None, arrived))
    assert {p.field for p in e.value.problems} >= {"letter_no", "issued_on"}
    assert members.count_members(session, members.MemberQuery(vid)) == 0
    lid = transfers.register_arrival(session, vid, data, InLetter(
        "良字015", "中共良乡镇某村支部委员会", arrived - timedelta(days=2), arrived, dues_paid_to="2026-10"))
    row = transfers.get_letter(session, lid)
    assert row.direction == "转入" and row.to_org == "中共东坟村总支部委员会第一党支部" and row.state == "未寄回执"
    m = session.get(PartyMember, row.member_id)
    assert m is not None and m.arrived_letter_no == "良字015" and m.arrived_on == arrived
    out = transfers.print_receipt(session, lid, tmp_path / "回执.pdf")
    text = page_text(out)
    assert "陈红" in text and "特此回执" in text and "第 良字015 号" in text and idn not in text
    assert transfers.get_letter(session, lid).state == "已寄回执"
    with pytest.raises(ServiceError, match="只打印回执"):
        transfers.print_letter(session, lid, tmp_path / "x.pdf")


def test_ledger_lists_every_letter_and_masks_where_masked(session: Session, vid: int, branch: int) -> None:
    out_id = transfers.transfer_out(session, member(session, vid, branch, "王秀兰", 1), OutInput("某党支部", TODAY))
    transfers.record_receipt(session, out_id, TODAY)
    ledger = ledgers.build_ledger(session, vid, "transfers")
    headers = [c.header for c in ledger.columns]
    for h in ("编号", "姓名", "性别", "正式/预备", "转出/转入", "由", "去", "日期", "党费交到", "回执日期", "状态"):
        assert h in headers
    rows = list(ledger.rows)
    assert len(rows) == 1
    values = {c.header: c.value_of(rows[0]) for c in ledger.columns}
    assert values["状态"] == "已回执" and values["回执日期"] == TODAY and values["转出/转入"] == "转出"
    idn = make_id_number("110111", BORN, 1)
    assert values["身份证号"] == idn
    masked = ledgers.masked_ledger(ledgers.build_ledger(session, vid, "transfers"))
    m_rows = list(masked.rows)
    assert next(c for c in masked.columns if c.header == "身份证号").value_of(m_rows[0]) != idn


def test_audit_labels_and_lookup(session: Session, vid: int, branch: int) -> None:
    assert "transfer_letter" in ENTITY_LABELS
    mid = member(session, vid, branch, "王秀兰", 1)
    assert transfers.find_member_by_id_number(session, vid, make_id_number("110111", BORN, 1)) == mid
    with pytest.raises(NotFound):
        transfers.find_member_by_id_number(session, vid, "110111199001010000")
    with pytest.raises(ServiceError, match="请先办理转出"):
        transfers.letter_of_departed(session, mid)


def test_long_org_names_still_fit_the_page(session: Session, vid: int, branch: int, tmp_path: Path) -> None:
    mid = member(session, vid, branch, "欧阳娜娜", 12)
    far = "中共北京市房山区良乡镇某某村经济合作社股份有限公司联合党支部委员会" * 3  # 99 characters
    lid = transfers.transfer_out(session, mid, OutInput(far[:100], TODAY))
    text = page_text(transfers.print_letter(session, lid, tmp_path / "长.pdf")).replace("\r", "").replace("\n", "")
    assert text.count(make_id_number("110111", BORN, 12)) == 2 and "特此回执" in text


def test_workbench_line_counts_overdue_receipts(session: Session, vid: int, branch: int) -> None:
    from datetime import datetime, time

    from app.services.workbench.today import todo_lines

    def line(on: date):  # type: ignore[no-untyped-def]
        return next(x for x in todo_lines(session, vid, datetime.combine(on, time(9))) if x.key == "receipts_overdue")

    lid = transfers.transfer_out(session, member(session, vid, branch, "冯军", 9),
                                 OutInput("某党支部", TODAY - timedelta(days=10), valid_days=10))
    assert line(TODAY).count == 0  # the tenth day is the last valid one
    later = line(TODAY + timedelta(days=1))
    assert later.count == 1 and later.page == "page_partywork" and later.filter == "receipts_overdue"
    transfers.record_receipt(session, lid, TODAY)
    assert line(TODAY + timedelta(days=1)).count == 0
