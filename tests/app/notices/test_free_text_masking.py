"""Privacy in free text: phones and IDs inside addresses, notes and reasons are masked in every public output
(notices, 便民服务卡, a 网格员's masked ledgers), never printed cut; the card's 村委会电话 is the office's own."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import Database
from app.io.card_pdf import _fit
from app.io.ledgers import Ledger, LedgerColumn
from app.io.masking import cut_before_number, mask_free_text
from app.io.notices import NoticeColumn, NoticeDocument, public_rows, render_notice
from app.io.pdf_fonts import pdf_fonts
from app.models import Household, Unit
from app.services.grid import cards
from app.services.ledgers.export import masked_ledger
from app.services.units import current_unit_id

PHONE, PHONE_MASKED = "13812345678", "138****5678"
ID, ID_MASKED = "11010519491231002X", "110105********002X"


def pdf_text(path: Path) -> str:
    return "".join("".join(page.extract_text().split()) for page in PdfReader(path).pages)


@pytest.mark.parametrize(("text", "masked"), [
    (f"东坟村幸福路18号（电话{PHONE}）", f"东坟村幸福路18号（电话{PHONE_MASKED}）"),
    (f"身份证{ID}已核实", f"身份证{ID_MASKED}已核实"),
    ("老证号110105491231002", "老证号110105*****1002"),  # 15-digit ID
    ("电话 138 1234 5678 或 138-1234-5679", "电话 138****5678 或 138****5679"),
    ("+8613812345678", "+86138****5678"),
    ("１３８１２３４５６７８", "138****5678"),  # full-width digits
    ("村委会0351-1234567，（010）62345678", "村委会0351-***4567，010-****5678"),
    ("卡号6222021234567890123", "卡号622202*********0123"),
    ("号码1381234567899错了", "号码138******7899错了"),  # 13 digits: no phone, hidden all the same
    # what is not a phone or an ID stays as written
    ("2026年12月3日起，补助1200元，户号0001，20261203", "2026年12月3日起，补助1200元，户号0001，20261203"),
    ("工单GD202611010001", "工单GD202611010001"),
    ("", ""),
])
def test_numbers_in_free_text(text: str, masked: str) -> None:
    assert mask_free_text(text) == masked
    assert mask_free_text(masked) == masked  # idempotent: archived rows render again unchanged


def test_a_cut_never_splits_a_number() -> None:
    text = f"户号 0001 · 幸福路18号 {PHONE_MASKED} 后院"
    at = text.index("138") + 6  # in the middle of the masked number
    assert cut_before_number(text, at) == "户号 0001 · 幸福路18号"
    assert cut_before_number(text, len(text)) == text
    assert cut_before_number("0351-1234567", 7) == ""
    # the card's fitting: masked first, then cut before the number, never 9 of 11 digits
    fonts = pdf_fonts()
    long = f"户号 0001 · 城关街道东坟村幸福路十八号院内东侧二单元 {PHONE}"
    for width in range(60, 260, 7):
        fitted = _fit(long, fonts.body, 7.5, width)
        assert PHONE not in fitted and not re.search(r"[0-9*]…$", fitted), fitted
        assert stringWidth(fitted, fonts.body, 7.5) <= width or len(fitted) <= 2
        digits = re.findall(r"[0-9*]{5,}", fitted)
        assert all(d == PHONE_MASKED for d in digits), fitted


def test_notice_masks_free_text_but_not_published_phones(tmp_path: Path) -> None:
    columns = [NoticeColumn("户主", "name"), NoticeColumn("门牌/住址"), NoticeColumn("备注"),
               NoticeColumn("网格员电话", "phone_public")]
    rows = [["张三", f"幸福路18号{PHONE}", f"身份证{ID}", "13987654321"]]
    assert public_rows(columns, rows) == [["张三", f"幸福路18号{PHONE_MASKED}", f"身份证{ID_MASKED}", "13987654321"]]
    doc = NoticeDocument(title="关于测试的公示", body="现予公示。", columns=columns, rows=rows,
                         period_start=date(2026, 12, 3), period_end=date(2026, 12, 9), issuer="东坟村村民委员会",
                         issued_on=date(2026, 12, 3), number="2026-0001")
    rendered = render_notice(doc, tmp_path / "n.pdf")
    text = pdf_text(tmp_path / "n.pdf")
    assert PHONE_MASKED in text and ID_MASKED in text and "13987654321" in text
    assert PHONE not in text and ID not in text
    assert rendered.rows[0][1] == f"幸福路18号{PHONE_MASKED}"  # what the archive freezes is masked too


def test_masked_ledger_masks_numbers_inside_notes() -> None:
    ledger = Ledger("居民户籍台账", [LedgerColumn("户主", "name"), LedgerColumn("备注", "note"),
                                     LedgerColumn("联系电话", "phone", "phone")],
                    [{"name": "张三", "note": f"女儿电话{PHONE}", "phone": "13987654321"}])
    masked = masked_ledger(ledger)
    row = ledger.rows[0]  # type: ignore[index]
    assert [c.value_of(row) for c in masked.columns] == ["张三", f"女儿电话{PHONE_MASKED}", "139****4321"]


def _address_with_phone(s: Session) -> tuple[int, str]:
    uid = current_unit_id(s)
    assert uid is not None
    h = s.scalars(select(Household).where(Household.unit_id == uid, Household.grid_id.is_not(None))
                  .order_by(Household.id)).first()
    assert h is not None
    # long: the card with a QR code cuts it; without one it fits at the card's 8 pt
    h.address = f"幸福路十八号院内东侧二单元（联系{PHONE}）"
    s.flush()
    return uid, h.number


def test_cards_mask_an_address_with_a_phone(demo_db: Database, tmp_path: Path) -> None:
    with demo_db.session() as s:
        uid, number = _address_with_phone(s)
        built = cards.build_cards(s, uid)
        mine = next(c for c in built if c.holder.startswith(f"户号 {number} "))
        cards.render_cards([mine], tmp_path / "wide.pdf", qr=False)
        cards.render_cards([mine], tmp_path / "cut.pdf", qr=True)  # the QR code leaves less room
    assert f"户号{number}·幸福路十八号院内东侧二单元（联系{PHONE_MASKED}）" in pdf_text(tmp_path / "wide.pdf")
    text = pdf_text(tmp_path / "cut.pdf")
    assert re.search(f"户号{number}·幸福路[^…]*…", text)  # the address was cut to the card…
    assert PHONE not in text and not re.search(r"1381234|138\*\*\*\*56(?!78)", text)  # …never inside the number


def test_card_committee_phone_is_the_setting_and_never_borrowed(demo_db: Database, tmp_path: Path) -> None:
    with demo_db.session() as s:
        uid = current_unit_id(s)
        unit = s.get(Unit, uid)
        assert unit is not None and unit.committee_phone and unit.committee_phone != unit.contact_phone
        built = cards.build_cards(s, uid, per="grid")
        assert {c.hotline for c in built} == {unit.committee_phone}
        cards.render_cards(built[:1], tmp_path / "a.pdf", qr=False)
        assert f"村委会电话：{unit.committee_phone}" in pdf_text(tmp_path / "a.pdf")
        unit.committee_phone = ""  # not filled in: the card says nothing, not the 公示 contact's mobile
        s.flush()
        built = cards.build_cards(s, uid, per="grid")
        assert {c.hotline for c in built} == {""}
        assert all("村委会电话" not in c.qr_text() and unit.contact_phone not in c.qr_text().split("\n")[-1]
                   for c in built)
        cards.render_cards(built[:1], tmp_path / "b.pdf", qr=False)
        assert "村委会电话" not in pdf_text(tmp_path / "b.pdf")
