"""党费 by clicks, from a blank village: 年度核定 of one 在职 member (the band's amount shown), a payment with a
short amount refused beside the field then saved, its receipt printed, then voided with a reason."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit, QMessageBox, QTableView

from app.db import Database
from app.io.pdf_pages import read_text
from app.services.context import AppContext
from app.services.partywork import dues
from tests.app.partywork.dues_village import make_village
from tests.ui.dialogs import drive
from tests.ui.test_member_actions import choose, click, errors, save, type_into
from ui.common.page import Changes
from ui.partywork import dues_tab as dues_tab_module
from ui.partywork.dues_dialogs import (
    AssessDialog,
    BulkAssessDialog,
    PaymentDialog,
    RuleChangeDialog,
    RulesDialog,
    VoidPaymentDialog,
)
from ui.partywork.dues_tab import DuesTab


@pytest.fixture
def village(db: Database) -> AppContext:
    with db.session() as s:
        vid, _ids = make_village(s)
    ctx = AppContext(db)
    ctx.set_unit(vid)
    return ctx


class Answers:
    """QMessageBox stand-in: question() answers No (no receipt now), information() is noted."""

    seen: list[str] = []
    StandardButton = QMessageBox.StandardButton

    @classmethod
    def question(cls, _parent: Any, _title: str, text: str, *_a: Any) -> QMessageBox.StandardButton:
        cls.seen.append(text)
        return QMessageBox.StandardButton.No

    @classmethod
    def information(cls, _parent: Any, _title: str, text: str, *_a: Any) -> None:
        cls.seen.append(text)


@pytest.fixture
def tab(qtbot: Any, village: AppContext, monkeypatch: Any) -> DuesTab:
    Answers.seen = []
    monkeypatch.setattr(dues_tab_module, "QMessageBox", Answers)
    t = DuesTab(village, Changes())
    qtbot.addWidget(t)
    t.resize(1300, 760)
    t.show()
    qtbot.waitExposed(t)
    t.refresh()
    return t


def select(qtbot: Any, table: QTableView, row: int) -> None:
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton,
                     pos=table.visualRect(table.model().index(row, 0)).center())


def test_assess_one_member_then_pay(qtbot: Any, tab: DuesTab, village: AppContext, monkeypatch: Any,
                                    tmp_path: Path) -> None:
    year = date.today().year
    assert not tab.btn_assess.isEnabled() and not tab.btn_pay.isEnabled()  # they wait for a member
    row = next(i for i, r in enumerate(tab.members_model.rows) if r.name == "李职")
    select(qtbot, tab.table_members, row)
    assert tab.btn_assess.isEnabled() and not tab.btn_pay.isEnabled()  # 未核定: nothing to pay yet

    def assess(d: Any) -> None:
        assert d.category.currentData() == "在职"  # from the member's 党员类型
        assert "3000.00 元以下（含） 0.5%" in d.hint.text()
        save(qtbot, d)  # no base: said beside the field
        assert "计算基数" in errors(d).get("err_base", "") or "请填写" in errors(d).get("err_base", "")
        type_into(qtbot, d.findChild(QLineEdit, "field_base"), "3000.01")
        save(qtbot, d)

    seen = drive(monkeypatch, AssessDialog, assess)
    click(qtbot, tab.btn_assess)
    assert seen[0].result() == 1, errors(seen[0])
    li = next(r for r in tab.members_model.rows if r.name == "李职")
    assert li.monthly_fen == 3000 and li.category == "在职"  # 3000.01 元 is in the 1 % band
    assert tab.current_member() is not None and tab.current_member().name == "李职"  # type: ignore[union-attr]
    assert tab.btn_pay.isEnabled() and tab.btn_change.isEnabled() and not tab.btn_assess.isEnabled()

    def pay(d: Any) -> None:
        choose(d.findChild(QComboBox, "field_month_from"), 1)
        choose(d.findChild(QComboBox, "field_month_to"), 3)
        assert d.amount.text() == "90.00"  # the months' 应交 filled in
        type_into(qtbot, d.findChild(QLineEdit, "field_amount"), "60")
        save(qtbot, d)
        assert "应交 90.00 元" in errors(d).get("err_amount", "")
        type_into(qtbot, d.findChild(QLineEdit, "field_amount"), "90")
        type_into(qtbot, d.findChild(QLineEdit, "field_collector"), "王会计")
        type_into(qtbot, d.findChild(QLineEdit, "field_paid_on"), f"{year}-03-20")
        save(qtbot, d)

    seen = drive(monkeypatch, PaymentDialog, pay)
    click(qtbot, tab.btn_pay)
    assert seen[0].result() == 1, errors(seen[0])
    assert any(f"收据 {year}-001" in t for t in Answers.seen)
    payments = tab.payments_model.rows
    assert [(p.receipt_no, p.amount_fen, p.collector) for p in payments] == [(f"{year}-001", 9000, "王会计")]

    select(qtbot, tab.table_payments, 0)
    out = tmp_path / "receipt.pdf"
    monkeypatch.setattr(dues_tab_module, "ask_save_path", lambda *_a, **_k: out)
    click(qtbot, tab.btn_receipt)
    assert "玖拾元整" in "".join(read_text(out)[1][0].split())

    def void(d: Any) -> None:
        save(qtbot, d)
        assert "请填写作废原因" in errors(d).get("err_void_reason", "")
        type_into(qtbot, d.findChild(QLineEdit, "field_void_reason"), "月份录错")
        save(qtbot, d)

    seen = drive(monkeypatch, VoidPaymentDialog, void)
    click(qtbot, tab.btn_void)
    assert seen[0].result() == 1, errors(seen[0])
    rows = village.call(dues.list_payments, village.unit_id, year)
    assert rows[0].voided_on is not None and rows[0].void_reason == "月份录错"
    model = tab.table_payments.model()
    assert model.index(0, len(dues_tab_module.PAYMENT_COLUMNS) - 1).data() == "已作废：月份录错"
    select(qtbot, tab.table_payments, 0)
    assert not tab.btn_void.isEnabled() and not tab.btn_receipt.isEnabled()


def test_rule_changed_then_bulk_assessment(qtbot: Any, tab: DuesTab, village: AppContext, monkeypatch: Any) -> None:
    def change(d: Any) -> None:
        assert d.low.text() == "0.20" and d.high.text() == "1.00"
        type_into(qtbot, d.findChild(QLineEdit, "field_min_yuan"), "0.30")
        save(qtbot, d)
        assert "修改原因" in errors(d).get("err_reason", "")
        type_into(qtbot, d.findChild(QLineEdit, "field_reason"), "县委组织部通知")
        save(qtbot, d)

    def rules(d: Any) -> None:
        row = next(i for i, r in enumerate(d.model.rows) if r.category == "农民")
        select(qtbot, d.table, row)
        click(qtbot, d.btn_change)
        assert [r.charge_text for r in d.model.rows if r.category == "农民"] == ["每月 0.30 元至 1.00 元"]
        d.accept()

    changed = drive(monkeypatch, RuleChangeDialog, change)
    drive(monkeypatch, RulesDialog, rules)
    click(qtbot, tab.btn_rules)
    assert changed[0].result() == 1, errors(changed[0])

    def bulk(d: Any) -> None:
        save(qtbot, d)  # 0.20 is under the new 0.30: refused before anyone is 核定
        assert "0.30 元至 1.00 元" in errors(d).get("err_monthly", "")
        type_into(qtbot, d.findChild(QLineEdit, "field_monthly"), "0.5")
        save(qtbot, d)

    seen = drive(monkeypatch, BulkAssessDialog, bulk)
    click(qtbot, tab.btn_bulk)
    assert seen[0].result() == 1
    assert any("已核定 2 人" in t and "李职" in t and "王退" in t for t in Answers.seen)  # 农民 and 流动
    by = {r.name: r for r in tab.members_model.rows}
    assert by["张农"].monthly_fen == 50 and by["赵流"].monthly_fen == 50 and by["李职"].assessment_id is None


def test_workbench_line_opens_the_members_six_months_behind(qtbot: Any, window: Any, demo_ctx: AppContext) -> None:
    window.show_page("page_partywork")
    page = window.pages["page_partywork"]
    page.show_filter("dues_arrears")
    tab = page.tabs.currentWidget()
    assert isinstance(tab, DuesTab) and tab.combo_filter.currentData() == "warn"
    counted = demo_ctx.call(dues.arrears_list, demo_ctx.unit_id, None, True)
    assert len(counted) >= 2  # the demo's 失联 member and the one paid through April
    assert sorted(r.name for r in tab.members_model.rows) == sorted(r.name for r in counted)
    assert all(r.warn for r in tab.members_model.rows)
    assert "连续6个月以上未交" in tab.info.text()
