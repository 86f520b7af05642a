"""组织关系转接台账 (`villagedesk export transfers`): every 介绍信 out and in, 作废 ones too (with the reason),
newest first. The 身份证号 is an "id" column: full for the township, masked wherever ledgers are masked.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from app.io.ledgers import Ledger, LedgerColumn

from .transfers import LetterRow, list_letters


def transfers_ledger(s: Session, unit_id: int, year: int | None) -> Ledger:
    """All letters; with a year, those issued in that year."""
    today = date.today()
    rows = [r for r in list_letters(s, unit_id) if year is None or r.issued_on.year == year]

    def note(r: LetterRow) -> str:
        return "；".join(x for x in (f"作废：{r.cancel_reason}" if r.cancelled_on else "", r.note) if x)

    columns = [
        LedgerColumn("编号", "letter_no"), LedgerColumn("姓名", "name"), LedgerColumn("性别", "gender"),
        LedgerColumn("身份证号", "id_number", "id"),
        LedgerColumn("正式/预备", lambda r: r.member_status.removesuffix("党员")),
        LedgerColumn("转出/转入", "direction"), LedgerColumn("由", "from_org", width=28),
        LedgerColumn("去", "to_org", width=28), LedgerColumn("日期", "issued_on", "date"),
        LedgerColumn("党费交到", "dues_text"), LedgerColumn("有效期（天）", "valid_days", "int"),
        LedgerColumn("回执日期", "receipt_on", "date"), LedgerColumn("状态", lambda r: r.state_on(today)),
        LedgerColumn("备注", note, "text", width=24),
    ]
    notes = ("日期：转出为介绍信开具日期，转入为对方开具日期。回执日期：转出为收到回执的日期，转入为寄回回执的日期。",
             "转出的介绍信超过有效期仍未收到回执的，状态为“回执逾期”。")
    return Ledger("组织关系转接台账", columns, rows, year=year, count=len(rows), count_unit="封", notes=notes)


BUILDERS = {"transfers": transfers_ledger}
__all__ = ["BUILDERS", "transfers_ledger"]
