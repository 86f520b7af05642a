"""乡风文明积分 page, driven like a user: a household scored by keyboard moves in the ranking; a void."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import Qt

from app.services.context import AppContext
from app.services.points import household_points
from app.text import name_initials


def _go(window: Any, name: str) -> Any:
    for i in range(window.nav.count()):
        if window.nav.item(i).data(Qt.ItemDataRole.UserRole) == name:
            window.nav.setCurrentRow(i)
    return window.pages[name]


def _pick(qtbot: Any, quick: Any, text: str, household_id: int) -> None:
    quick.edit_member.setFocus()
    qtbot.keyClicks(quick.edit_member, text)
    for _ in range(quick.list_members.count()):  # namesakes: walk the matches with the arrow key
        if quick.member_id() == household_id:
            break
        qtbot.keyClick(quick.edit_member, Qt.Key.Key_Down)
    assert quick.member_id() == household_id


def test_score_a_household_by_keyboard_and_see_the_ranking_change(
    qtbot: Any, window: Any, demo_ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    unit, year = demo_ctx.unit_id, date.today().year
    page = _go(window, "page_household_points")
    assert page.isVisible() and window.nav.currentItem().text() == "乡风文明积分"
    page.spin_year.setValue(year)
    quick = page.quick
    assert quick.edit_date.text() == date.today().isoformat()
    assert quick.combo_scorer.currentData() is not None  # a 党小组长 is preselected
    ranked = {r.household_id: r for r in page.ranking_model.rows}
    target = next(h for h in demo_ctx.call(household_points.find_households, unit, "", 50)
                  if h.id not in ranked and h.head_name)
    rule_index = next(i for i in range(quick.combo_rule.count())
                      if quick.combo_rule.itemData(i).name.startswith("讲孝道"))
    quick.combo_rule.setCurrentIndex(rule_index)

    _pick(qtbot, quick, name_initials(target.head_name), target.id)
    quick.edit_points.setText("5")
    qtbot.keyClick(quick.edit_member, Qt.Key.Key_Return)
    assert "已记分" in quick.label_status.text(), quick.label_status.text()
    assert quick.edit_member.text() == "" and quick.combo_rule.currentIndex() == rule_index  # stays for the next
    row = next(r for r in page.ranking_model.rows if r.household_id == target.id)  # now in the ranking
    assert row.total == 5 and row.entries == 1
    assert page.current().household_id == target.id  # selected, its history beside
    assert [e.rule_name.split("（")[0] for e in page.history_model.rows] == ["讲孝道"]
    assert "总积分 5" in page.label_history.text()

    # by 户号 this time, up to the cap (10 a year): the second 5 goes in, the third is refused beside the form
    _pick(qtbot, quick, target.number, target.id)
    qtbot.keyClick(quick.edit_member, Qt.Key.Key_Return)
    better = next(r for r in page.ranking_model.rows if r.household_id == target.id)
    assert better.total == 10 and better.rank <= row.rank
    _pick(qtbot, quick, target.number, target.id)
    quick.edit_points.setText("1")
    qtbot.keyClick(quick.edit_member, Qt.Key.Key_Return)
    assert "每户每年最多 10 分" in quick.label_status.text()
    assert demo_ctx.call(household_points.household_totals, target.id, year).total == 10

    # void the first entry from the history: it stays, struck through, and the total drops
    import ui.points.household_page as hp

    page.table_history.select_row(0)
    monkeypatch.setattr(hp.QInputDialog, "getText", staticmethod(lambda *a, **k: ("记错了户", True)))
    qtbot.mouseClick(page.btn_void, Qt.MouseButton.LeftButton)
    history = page.history_model.rows
    assert len(history) == 2 and history[0].voided and "已作废：记错了户" in page.history_model.index(0, 5).data()
    assert next(r for r in page.ranking_model.rows if r.household_id == target.id).total == 5


def test_settings_shows_household_rules_by_scope(qtbot: Any, window: Any) -> None:
    settings = _go(window, "page_settings")
    box = settings.findChild(object, "group_point_rules")
    members = box.model.total
    box.combo_scope.setCurrentIndex(box.combo_scope.findData("household"))
    assert box.model.total == 10 and box.model.total != members
    assert {r.scope for r in box.model.rows} == {"household"}
