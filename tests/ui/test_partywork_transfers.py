"""组织关系转接 tab from a blank village: a member added, 转出并开介绍信 through the dialog (a missing 转往党组织
named first), the letter saved as a PDF with the full 身份证号; 登记回执; 转入登记 from a letter with its 回执;
作废 and 重开; the 工作台's key; the tab on the demo village."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest

from app.demo.ids import make_id_number
from app.services.context import AppContext
from app.services.org import members
from app.services.org.member_checks import MemberInput
from app.services.org.members import MemberQuery
from app.services.partywork import transfers
from app.services.setup.first_start import VillageSetup, found_village
from tests.ui.dialogs import drive
from tests.ui.scenario_helpers import (
    accepted,
    button,
    choose,
    click,
    click_row,
    column_texts,
    errors,
    field,
    pick,
    quiet_message_boxes,
    save,
    type_field,
)
from ui.common.page import Changes
from ui.partywork import transfers_tab
from ui.partywork.transfer_dialogs import CancelDialog, LetterInDialog, ReceiptDialog, TransferOutDialog
from ui.partywork.transfers_tab import TransfersTab

ZHAO = make_id_number("110111", date(1975, 8, 9), 31)


@pytest.fixture
def village(db: Any) -> AppContext:
    ctx = AppContext(db)
    ctx.set_unit(ctx.call(found_village, VillageSetup(
        "杏花村", org_name="中共杏花村支部委员会", org_kind="党支部", secretary_name="王建国",
        secretary_id_number=make_id_number("110111", date(1968, 4, 2), 13), secretary_joined_on=date(1995, 7, 1),
        secretary_since=date(2021, 1, 15))))
    return ctx


def _text(path: Path) -> str:
    pdf = pdfium.PdfDocument(str(path))
    try:
        assert len(pdf) == 1
        return pdf[0].get_textpage().get_text_range().replace("\r", "").replace("\n", "")
    finally:
        pdf.close()


def test_transfer_out_with_the_letter_through_the_dialog(qtbot: Any, village: AppContext, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    org_id = village.call(lambda s: members.list_members(s, MemberQuery(village.unit_id), 0, 5))[0].org_id
    village.call(members.add_member, village.unit_id, MemberInput(
        "赵丽", ZHAO, org_id=org_id, stage="正式党员", joined_on=date(2001, 7, 1), confirmed_on=date(2002, 7, 1)))
    quiet_message_boxes(monkeypatch)
    tab = TransfersTab(village, Changes(), None)
    qtbot.addWidget(tab)
    tab.show()
    tab.refresh()
    assert tab.model.rowCount() == 0 and not tab.btn_print.isEnabled() and not tab.btn_receipt.isEnabled()
    saved: list[Path] = []

    def ask(_parent: Any, _title: str, name: str, *_a: Any, **_k: Any) -> Path:
        saved.append(tmp_path / name)
        return tmp_path / name

    monkeypatch.setattr(transfers_tab, "ask_save_path", ask)

    def fill(d: TransferOutDialog) -> None:
        pick(qtbot, d, "transfer_member", "zl", "赵丽")
        save(qtbot, d)
        assert errors(d) == {"err_to_org": "请填写转往党组织"}
        type_field(qtbot, d, "to_org", "中共城关镇东村支部委员会")
        field(d, "dues_paid_to").setText("2026-10")
        save(qtbot, d)

    seen = drive(monkeypatch, TransferOutDialog, fill)
    click(qtbot, tab.btn_out)
    accepted(seen)
    no = f"{date.today().year}001"
    assert column_texts(tab.table, "编号") == [no] and column_texts(tab.table, "状态") == ["待回执"]
    assert len(saved) == 1 and saved[0].exists()  # printed right after 保存
    text = _text(saved[0])
    assert ZHAO in text and f"第 {no} 号" in text and "中共城关镇东村支部委员会" in text and "二〇二六" in text
    assert village.call(members.count_members, MemberQuery(village.unit_id, text="赵丽")) == 0  # off the roster

    # 打印介绍信 again: the same number
    click_row(qtbot, tab.table, 0, no)
    assert tab.btn_print.isEnabled() and not tab.btn_receipt_print.isEnabled()
    click(qtbot, tab.btn_print)
    assert len(saved) == 2 and f"第 {no} 号" in _text(saved[1])

    def receipt(d: ReceiptDialog) -> None:
        save(qtbot, d)

    seen = drive(monkeypatch, ReceiptDialog, receipt)
    click(qtbot, tab.btn_receipt)
    accepted(seen)
    assert column_texts(tab.table, "状态") == ["已回执"] and not tab.btn_cancel.isEnabled()


def test_transfer_in_prints_the_receipt_and_a_letter_is_cancelled(qtbot: Any, village: AppContext, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    quiet_message_boxes(monkeypatch)
    org_id = village.call(lambda s: members.list_members(s, MemberQuery(village.unit_id), 0, 5))[0].org_id
    tab = TransfersTab(village, Changes(), None)
    qtbot.addWidget(tab)
    tab.show()
    monkeypatch.setattr(transfers_tab, "ask_save_path", lambda _p, _t, name, *_a, **_k: tmp_path / name)

    def fill(d: LetterInDialog) -> None:
        type_field(qtbot, d, "name", "孙强")
        type_field(qtbot, d, "id_number", make_id_number("110111", date(1980, 1, 5), 41))
        type_field(qtbot, d, "joined_on", "2005-07-01")
        type_field(qtbot, d, "confirmed_on", "2006-07-01")
        type_field(qtbot, d, "arrived_from", "中共良乡镇西村支部委员会")
        choose(field(d, "org"), org_id)
        save(qtbot, d)
        problems = errors(d)
        assert "err_issued_on" in problems and "err_arrived_letter_no" in problems
        type_field(qtbot, d, "arrived_letter_no", "良字015")
        type_field(qtbot, d, "issued_on", date.today().isoformat())
        save(qtbot, d)

    seen = drive(monkeypatch, LetterInDialog, fill)
    click(qtbot, tab.btn_in)
    accepted(seen)
    assert column_texts(tab.table, "转出/转入") == ["转入"] and column_texts(tab.table, "状态") == ["已寄回执"]
    receipt = tmp_path / "介绍信回执第良字015号 孙强.pdf"
    assert receipt.exists() and "特此回执" in _text(receipt)
    assert village.call(members.count_members, MemberQuery(village.unit_id, text="孙强")) == 1

    # a 转出 letter with a wrong 去 is 作废 and issued anew
    mid = village.call(lambda s: members.list_members(s, MemberQuery(village.unit_id, text="孙强"), 0, 1))[0].id
    village.call(transfers.transfer_out, mid, transfers.OutInput("错的党支部", date.today()))
    tab.refresh()
    click_row(qtbot, tab.table, 6, "错的党支部")

    def cancel(d: CancelDialog) -> None:
        save(qtbot, d)
        assert "err_cancel_reason" in errors(d)
        type_field(qtbot, d, "cancel_reason", "去向写错")
        field(d, "to_org").setText("对的党支部")
        save(qtbot, d)

    seen = drive(monkeypatch, CancelDialog, cancel)
    click(qtbot, tab.btn_cancel)
    accepted(seen)
    states = dict(zip(column_texts(tab.table, "去"), column_texts(tab.table, "状态"), strict=True))
    assert states["错的党支部"] == "已作废" and states["对的党支部"] == "待回执"
    assert tab.show_filter("receipts_overdue") and not tab.show_filter("lost_due")
    assert tab.combo_filter.currentText() == "待回执" and column_texts(tab.table, "去") == ["对的党支部"]


def test_tab_on_the_demo(qtbot: Any, demo_ctx: AppContext) -> None:
    tab = TransfersTab(demo_ctx, Changes(), None)
    qtbot.addWidget(tab)
    tab.show()
    tab.refresh()
    assert tab.model.rowCount() == len(demo_ctx.call(transfers.list_letters, demo_ctx.unit_id))
    assert button(tab, "btn_transfer_out").isEnabled()
