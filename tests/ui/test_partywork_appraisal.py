"""民主评议 tab from a blank village (a branch and three members made through the services): 开始评议 through
its dialog, counts typed into the grid (Enter goes down, a count over the ballots is named and nothing saved),
pasted from Excel, the suggestion shown, one member decided; on the demo the 2026 round's 不合格 with 限期改正."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit

from app.demo.ids import make_id_number
from app.services.context import AppContext
from app.services.org import members
from app.services.org.member_checks import MemberInput
from app.services.org.tree import OrgInput, create_org
from app.services.partywork import appraisal
from app.services.setup import founding
from tests.ui.dialogs import drive
from ui.common.page import Changes
from ui.partywork.appraisal_dialogs import AppraisalDecideDialog, AppraisalRoundDialog
from ui.partywork.appraisal_tab import DEMOCRATIC_COL, MUTUAL_COL, SELF_COL, AppraisalTab

NAMES = ("张一", "李二", "王三")


@pytest.fixture
def village(db: Any) -> AppContext:
    ctx = AppContext(db)
    with db.session() as s:
        vid = founding.create_unit(s, "杏花村", "城关街道", "房山区")
        branch = create_org(s, vid, OrgInput("杏花村党支部", "党支部"))
        for i, name in enumerate(NAMES):
            members.add_member(s, vid, MemberInput(name, make_id_number("110105", date(1970 + i, 5, 1), 100 + i),
                                                   org_id=branch, joined_on=date(2000, 7, 1),
                                                   confirmed_on=date(2001, 7, 1)))
    ctx.set_unit(vid)
    return ctx


def _type(qtbot: Any, tab: AppraisalTab, row: int, col: int, text: str) -> None:
    tab.grid.setCurrentCell(row, col)
    qtbot.keyClicks(tab.grid, text[0])  # typing over the cell starts its editor (as in a sheet)
    cell = tab.grid.visualItemRect(tab.grid.item(row, col))
    (editor,) = [e for e in tab.grid.viewport().findChildren(QLineEdit) if e.isVisible() and cell.contains(e.geometry().center())]
    qtbot.keyClicks(editor, text[1:])
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    QApplication.processEvents()  # the delegate commits and closes the editor queued


def test_open_a_round_type_counts_and_decide(qtbot: Any, village: AppContext, monkeypatch: pytest.MonkeyPatch,
                                             no_popups: Any) -> None:
    tab = AppraisalTab(village, Changes(), None)
    qtbot.addWidget(tab)
    tab.show()
    tab.spin_year.setValue(2025)
    assert "还没有开始民主评议" in tab.label_round.text() and tab.btn_open.isEnabled() and not tab.btn_save.isEnabled()

    def fill_round(d: AppraisalRoundDialog) -> None:
        d.fields["held_on"].set_date(date(2026, 1, 15))
        d.spin_voters.setValue(3)
        qtbot.mouseClick(d.btn_save, Qt.MouseButton.LeftButton)

    seen = drive(monkeypatch, AppraisalRoundDialog, fill_round)
    qtbot.mouseClick(tab.btn_open, Qt.MouseButton.LeftButton)
    assert len(seen) == 1 and not seen[0].isVisible()
    assert "发出测评票 3 张，进行中" in tab.label_round.text()
    assert sorted(tab.grid.item(r, 0).text() for r in range(tab.grid.rowCount())) == sorted(NAMES)
    row = next(r for r in range(3) if tab.grid.item(r, 0).text() == "王三")

    # 民主测评 合格 1, 基本合格 0, 不合格 2: Enter goes down the column
    _type(qtbot, tab, row, DEMOCRATIC_COL + 1, "1")
    _type(qtbot, tab, row, DEMOCRATIC_COL + 3, "5")  # 6 of 3 ballots: refused, nothing saved
    assert tab.grid.currentRow() == (row + 1 if row < 2 else row)
    qtbot.mouseClick(tab.btn_save, Qt.MouseButton.LeftButton)
    assert any("王三的民主测评：四项票数合计 6 张，超过发出的测评票 3 张" in text for _k, _t, text in no_popups.shown)
    assert village.call(appraisal.round_members, tab.info_round.id)[0].cast == 0  # type: ignore[union-attr]

    _type(qtbot, tab, row, DEMOCRATIC_COL + 3, "2")
    tab.grid.setCurrentCell(row, SELF_COL)
    tab.grid.paste("合格\t1\t1\t0\t0")  # copied from a sheet: 自评 then the four 互评 counts
    qtbot.mouseClick(tab.btn_save, Qt.MouseButton.LeftButton)
    got = {m.name: m for m in village.call(appraisal.round_members, tab.info_round.id)}  # type: ignore[union-attr]
    assert (got["王三"].self_grade, got["王三"].mutual, got["王三"].democratic) == ("合格", (1, 1, 0, 0), (0, 1, 0, 2))
    assert tab.grid.item(row, 13).text() == "不合格"  # 建议结果: 2 × 3 > 3
    assert tab.grid.item(row, MUTUAL_COL).text() == "1"

    tab.grid.setCurrentCell(row, 0)
    assert tab.btn_decide.isEnabled() and not tab.btn_follow.isEnabled()

    def fill_decision(d: AppraisalDecideDialog) -> None:
        assert d.fields["grade"].currentData() == "不合格"  # the suggestion preselected
        d.fields["reason"].setPlainText("全年未参加组织生活")
        d.fields["decided_on"].set_date(date(2026, 1, 16))
        qtbot.mouseClick(d.btn_save, Qt.MouseButton.LeftButton)

    seen = drive(monkeypatch, AppraisalDecideDialog, fill_decision)
    qtbot.mouseClick(tab.btn_decide, Qt.MouseButton.LeftButton)
    assert len(seen) == 1 and not seen[0].isVisible()
    assert tab.grid.item(row, 14).text() == "不合格" and tab.btn_follow.isEnabled()
    assert "已确定结果 1 名" in tab.info.text()


def test_demo_rounds(qtbot: Any, demo_ctx: AppContext) -> None:
    tab = AppraisalTab(demo_ctx, Changes(), None)
    qtbot.addWidget(tab)
    tab.spin_year.setValue(2025)
    held = [i for i in range(tab.combo_branch.count())
            if (tab.combo_branch.setCurrentIndex(i), "结束" in tab.label_round.text())[1]]
    assert len(held) == 1  # the demo holds its rounds in one branch
    tab.combo_branch.setCurrentIndex(held[0])
    tab.spin_year.setValue(2026)
    grades = {tab.grid.item(r, 14).text() for r in range(tab.grid.rowCount())}
    follow = [tab.grid.item(r, 15).text() for r in range(tab.grid.rowCount()) if tab.grid.item(r, 15).text()]
    assert {"基本合格", "不合格"} <= grades and follow == ["限期改正"]
