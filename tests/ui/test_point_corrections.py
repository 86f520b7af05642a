"""更正 a 党员积分 entry from the member's 积分明细 and a 乡风文明积分 entry from the household page, by clicking:
the wrong entry stays voided with the reason, the right one is a new row that points back at it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QPushButton

from app.services.context import AppContext
from app.services.points import household_points
from app.services.points import member_points as points
from ui.points import correct_dialog, detail_dialog

from .test_tickets_page import click, script

YEAR = 2026  # the demo's scored year


def _go(window: Any, name: str) -> Any:
    for i in range(window.nav.count()):
        if window.nav.item(i).data(Qt.ItemDataRole.UserRole) == name:
            window.nav.setCurrentRow(i)
    return window.pages[name]


def _fill(qtbot: Any, d: Any, points_text: str, reason: str) -> None:
    d.findChild(QLineEdit, "field_points").setText(points_text)
    click(qtbot, d.findChild(QPushButton, "btn_save"))  # no reason: refused beside the field
    assert d.isVisible() and d.errors["reason"].text() == "请填写更正原因"
    d.findChild(QPlainTextEdit, "field_reason").setPlainText(reason)
    click(qtbot, d.findChild(QPushButton, "btn_save"))


def test_correct_a_member_entry_from_the_detail(qtbot: Any, window: Any, demo_ctx: AppContext,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    page = _go(window, "page_points")
    page.spin_year.setValue(YEAR)
    member, wrong = next(
        (m, e) for m in page.points_model.rows for e in demo_ctx.call(points.list_entries, m.member_id, YEAR)
        if e.rule_name == "六必访入户走访" and not e.voided and e.points < 3)
    page.table_points.select_row(page.points_model.find_row(lambda r: r.member_id == member.member_id))
    before = demo_ctx.call(points.member_totals, member.member_id, YEAR).total
    hints: list[str] = []

    def correct(d: correct_dialog.CorrectMemberEntryDialog) -> None:
        assert d.combo_rule.currentData().id == wrong.rule_id and d.edit_date.date() == wrong.entry_date
        hints.append(d.label_used.text())
        d.findChild(QLineEdit, "field_points").setText("4")  # over the rule's 1–3: refused, nothing written
        d.findChild(QPlainTextEdit, "field_reason").setPlainText("走访次数登记错误")
        click(qtbot, d.findChild(QPushButton, "btn_save"))
        assert d.isVisible() and "1–3" in d.errors["points"].text()
        d.findChild(QPlainTextEdit, "field_reason").setPlainText("")
        _fill(qtbot, d, "3", "走访次数登记错误")

    def in_detail(d: detail_dialog.MemberPointsDialog) -> None:
        d.table.select_row(d.model.find_row(lambda e: e.id == wrong.id))
        click(qtbot, d.btn_correct)
        rows = {e.id: e for e in d.model.rows}
        assert rows[wrong.id].voided and rows[wrong.id].void_reason == "走访次数登记错误"
        fixed = next(e for e in rows.values() if e.corrects_id == wrong.id)
        assert fixed.points == 3 and not fixed.voided and d.model.row_at(d.table.current_row()).id == fixed.id
        assert d.model.index(d.model.find_row(lambda e: e.id == fixed.id), 6).data() == "更正记录"
        d.table.select_row(d.model.find_row(lambda e: e.id == wrong.id))  # a voided entry is not corrected again
        click(qtbot, d.btn_correct)
        click(qtbot, d.btn_close)

    made = script(monkeypatch, correct_dialog.CorrectMemberEntryDialog, correct)
    script(monkeypatch, detail_dialog.MemberPointsDialog, in_detail)
    click(qtbot, page.btn_detail)
    assert len(made) == 1  # the second 更正 (a voided entry) opened no dialog
    assert "每人每年最多 30 分" in hints[0] and "不含本条" in hints[0]
    import ui.errors

    assert any("已作废" in text for _k, _t, text in ui.errors.QMessageBox.shown)
    after = demo_ctx.call(points.member_totals, member.member_id, YEAR).total
    assert after == before - wrong.points + Decimal(3)
    shown = next(r for r in page.points_model.rows if r.member_id == member.member_id)
    assert shown.total == after  # the ranking follows


def test_correct_a_household_entry(qtbot: Any, window: Any, demo_ctx: AppContext,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    page = _go(window, "page_household_points")
    page.spin_year.setValue(YEAR)
    ranked = page.ranking_model.rows
    house, wrong = next(
        (h, e) for h in ranked for e in demo_ctx.call(household_points.list_household_entries, h.household_id, YEAR)
        if e.rule_name.startswith("讲卫生") and not e.voided and e.points < 5)
    page.table_ranking.select_row(page.ranking_model.find_row(lambda r: r.household_id == house.household_id))
    page.table_history.select_row(page.history_model.find_row(lambda e: e.id == wrong.id))
    before = demo_ctx.call(household_points.household_totals, house.household_id, YEAR).total

    def correct(d: correct_dialog.CorrectHouseholdEntryDialog) -> None:
        assert d.combo_scorer.currentData() == wrong.scored_by_member_id  # who scored, kept
        assert house.head_name in d.label_old.text()
        _fill(qtbot, d, "5", "评分表抄错")

    script(monkeypatch, correct_dialog.CorrectHouseholdEntryDialog, correct)
    click(qtbot, page.btn_correct)
    rows = {e.id: e for e in page.history_model.rows}
    assert rows[wrong.id].voided and rows[wrong.id].void_reason == "评分表抄错"
    fixed = next(e for e in rows.values() if e.corrects_id == wrong.id)
    assert fixed.points == 5 and fixed.scored_by_member_id == wrong.scored_by_member_id
    after = demo_ctx.call(household_points.household_totals, house.household_id, YEAR).total
    assert after == before - wrong.points + 5
    assert next(r for r in page.ranking_model.rows if r.household_id == house.household_id).total == after
