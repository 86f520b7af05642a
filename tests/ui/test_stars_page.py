"""星级文明户 page: a small round through all five steps by clicking, quick entry, review, 公示, objection,
decision, 备案, then 加星 in the household's history dialog."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

import ui.stars.history
import ui.stars.page
from app.services.people import households
from app.services.people import residents as people
from app.services.people.households import HouseholdQuery
from app.services.stars import changes as star_changes
from app.services.stars import rounds as stars

from .conftest import FakeMessageBox

LEFT = Qt.MouseButton.LeftButton


def answer(monkeypatch: pytest.MonkeyPatch, qtbot: Any, cls: type[QDialog], fill: Callable[[Any], None],
           button: str = "btn_save") -> list[Any]:
    """Make `cls().exec()` show the dialog, let `fill` type into it, click its button, return the result."""
    seen: list[Any] = []

    def exec_(self: Any) -> int:
        self.show()
        seen.append(self)
        fill(self)
        qtbot.mouseClick(getattr(self, button), LEFT)
        if self.isVisible():  # the form refused (its messages stay readable in `seen`): the user cancels
            self.refused = self.form_error.text()
            self.reject()
        return self.result()

    monkeypatch.setattr(cls, "exec", exec_)
    return seen


def type_text(qtbot: Any, widget: Any, text: str) -> None:
    """Type like a user: keys for ASCII; Chinese arrives committed from the input method (QTest can't)."""
    widget.setFocus()
    if text.isascii():
        qtbot.keyClicks(widget, text)
    elif hasattr(widget, "insertPlainText"):
        widget.insertPlainText(text)
    else:
        widget.insert(text)
        widget.textEdited.emit(widget.text())


def click(qtbot: Any, widget: Any) -> None:
    assert widget.isEnabled(), widget.objectName()
    qtbot.mouseClick(widget, LEFT)


@pytest.fixture
def page(window: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(ui.stars.page, "QMessageBox", FakeMessageBox)
    names = [window.nav.item(i).data(Qt.ItemDataRole.UserRole) for i in range(window.nav.count())]
    window.nav.setCurrentRow(names.index("page_stars"))
    p = window.pages["page_stars"]
    assert p.isVisible()
    return p


def test_demo_round_is_shown_decided(page: Any) -> None:
    assert page.round is not None and page.round.year == 2026 and page.round.step == "filed"
    assert page.stepper.finished and page.stepper.state(4) == "done"
    assert not page.btn_step.isEnabled() and not page.group_entry.isEnabled()
    assert "31." in page.stats_panel.label_summary.text()
    assert len(page.stats_panel.chart.data) == 5


def test_small_round_through_all_five_steps(page: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    ctx = page.ctx
    today = date.today()

    # 动员部署: a new round
    def new_round(d: Any) -> None:
        d.year.setValue(2027)
        type_text(qtbot, d.name, "2027年度星级文明户评选")

    answer(monkeypatch, qtbot, ui.stars.page.NewRoundDialog, new_round)
    click(qtbot, page.btn_new_round)
    assert page.round.year == 2027 and page.round.step == "mobilize"
    assert page.stepper.current == 0 and page.btn_step.text() == "开始农户申报"
    assert not page.group_entry.isEnabled()

    # 农户申报: three households by quick entry (name, 拼音首字母, 户号), ticking stars
    click(qtbot, page.btn_step)
    assert page.round.step == "apply" and page.stepper.current == 1 and page.group_entry.isEnabled()
    houses = ctx.call(households.list_households, HouseholdQuery(page.unit_id), 0, 3)
    initials = ctx.call(people.household_residents, houses[1].id)[0]
    typed = [houses[0].head_name, None, houses[2].number]
    claims = [5, 3, 2]
    cats = list(page.star_checks)
    for i, (h, text, n) in enumerate(zip(houses, typed, claims, strict=True)):
        page.picker.setFocus()
        if text is None:  # the 户主's 拼音首字母 plus the 户号 narrows it to this household
            from app.text import name_initials
            text = f"{name_initials(initials.name)} {h.number}"
        type_text(qtbot, page.picker, text)
        qtbot.keyClick(page.picker, Qt.Key.Key_Return)
        assert page.picker.household_id == h.id, (i, text)
        for cid in cats[:n]:
            click(qtbot, page.star_checks[cid])
        if i == 1:
            page.combo_source.setCurrentIndex(1)
            type_text(qtbot, page.edit_recommender, "邻居老王")
        click(qtbot, page.btn_add_application)
        assert page.label_entry_error.text() == "", (i, page.edit_recommender.text(), page.combo_source.currentData())
    assert page.model.total == 3
    rows = page.model.rows
    assert {r.household_id for r in rows} == {h.id for h in houses}
    assert [r.claimed for r in sorted(rows, key=lambda r: r.household_id)] == [5, 3, 2]
    # a household cannot apply twice: the message names the field
    type_text(qtbot, page.picker, houses[2].number)
    qtbot.keyClick(page.picker, Qt.Key.Key_Return)
    click(qtbot, page.star_checks[cats[0]])
    click(qtbot, page.btn_add_application)
    assert "已经申报过" in page.label_entry_error.text()

    # 两会审核: every star reviewed in the dialog; one star rejected with an opinion
    click(qtbot, page.btn_step)
    assert page.round.step == "review" and page.stepper.current == 2
    for row in range(3):
        page.table.select_row(row)
        app = page.model.row_at(row)
        reject = app.claimed == 2

        def review(d: Any, reject: bool = reject) -> None:
            click(qtbot, d.btn_approve_all)
            if reject:
                decision, _body, opinion = d.rows[cats[1]]
                decision.setCurrentIndex(2)
                type_text(qtbot, opinion, "事迹材料不足")

        answer(monkeypatch, qtbot, ui.stars.page.ReviewDialog, review)
        click(qtbot, page.btn_review)
    assert [r.status for r in sorted(page.model.rows, key=lambda r: r.household_id)] == ["五星级", "三星级", "一星级"]
    assert "星级户合计 3 户" in page.stats_panel.label_summary.text()

    # 张榜公示: the notice is printed (公示期 already over, so the 两委 can meet today)
    pdf = tmp_path / "公示.pdf"

    def publicize(d: Any) -> None:
        d.start.setText((today - timedelta(days=10)).isoformat())
        d.days.setValue(5)
        d.path.setText(str(pdf))

    answer(monkeypatch, qtbot, ui.stars.page.PublicizeDialog, publicize)
    assert page.btn_step.text() == "生成公示并张榜…"
    click(qtbot, page.btn_step)
    assert pdf.is_file() and page.round.step == "publicize" and page.stepper.current == 3
    assert any(kind == "information" and "已生成公示" in text for kind, _t, text in FakeMessageBox.shown)

    # an objection blocks the decision until it is dismissed
    page.tabs.setCurrentIndex(1)
    answer(monkeypatch, qtbot, ui.stars.page.ObjectionDialog,
           lambda d: type_text(qtbot, d.content, "反映该户不够五星"))
    click(qtbot, page.btn_add_objection)
    assert page.objections_model.total == 1 and page.round.open_objections == 1
    refused = answer(monkeypatch, qtbot, ui.stars.page.DecideDialog, lambda d: None)
    click(qtbot, page.btn_step)
    assert "还有 1 条异议没有处理" in refused[0].refused
    assert page.round.step == "publicize"
    page.table_objections.select_row(0)
    answer(monkeypatch, qtbot, ui.stars.page.DismissDialog,
           lambda d: type_text(qtbot, d.reason, "经村民议事会走访核实不属实"))
    click(qtbot, page.btn_dismiss)
    assert page.round.open_objections == 0

    # 两委会确定, then 报镇备案
    answer(monkeypatch, qtbot, ui.stars.page.DecideDialog, lambda d: None)
    click(qtbot, page.btn_step)
    assert page.round.step == "decide" and page.round.meeting_on == today
    assert page.stepper.finished and page.btn_step.text() == "报镇备案…"
    assert not page.group_entry.isEnabled() and not page.btn_review.isEnabled()
    answer(monkeypatch, qtbot, ui.stars.page.FileDialog, lambda d: None)
    click(qtbot, page.btn_step)
    assert page.round.step == "filed" and page.round.filed_on == today and not page.btn_step.isEnabled()
    assert [st.step for st in page.round.steps] == ["mobilize", "apply", "review", "publicize", "decide", "filed"]
    assert "2027年度星级文明户评选（报镇备案）" in page.combo_round.currentText()

    # 加星 in the household's history dialog (the new round is now the one stars count from)
    three_star = next(i for i, r in enumerate(page.model.rows) if r.claimed == 3)
    page.table.select_row(three_star)
    hid = page.model.row_at(three_star).household_id

    def history(d: Any) -> None:
        assert "三星级" in d.label_current.text()
        answer(monkeypatch, qtbot, ui.stars.history.StarChangeDialog,
               lambda c: type_text(qtbot, c.reason, "积极参加志愿服务，两委会同意加星"))
        click(qtbot, d.btn_add_star)
        assert "四星级" in d.label_current.text()
        assert d.model.rows[-1].kind == "加星"

    answer(monkeypatch, qtbot, ui.stars.history.HouseholdHistoryDialog, history, button="btn_close")
    click(qtbot, page.btn_history)
    assert ctx.call(star_changes.current_stars, hid).level == 4
    assert ctx.call(stars.get_round, page.round.id).step == "filed"
