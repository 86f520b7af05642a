"""编辑申报 on the 星级文明户 page: change the claimed stars and the source while households apply and under
review; a reviewed star cannot be unticked; once the round is publicized the button is off."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

import ui.stars.page
from app.services.people import households
from app.services.people.households import HouseholdQuery
from app.services.stars import applications
from app.services.stars import publicity as star_publicity
from app.services.stars import rounds as stars
from app.services.stars.applications import ItemReview

from .conftest import FakeMessageBox
from .test_stars_page import answer, click, type_text


@pytest.fixture
def page(window: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(ui.stars.page, "QMessageBox", FakeMessageBox)
    names = [window.nav.item(i).data(Qt.ItemDataRole.UserRole) for i in range(window.nav.count())]
    window.nav.setCurrentRow(names.index("page_stars"))
    return window.pages["page_stars"]


def test_edit_an_application_while_the_round_allows_it(page: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    ctx = page.ctx
    round_id = ctx.call(stars.create_round, page.unit_id, 2027, "2027年度星级文明户评选", date.today())
    ctx.call(stars.advance_round, round_id)  # 农户申报
    house = ctx.call(households.list_households, HouseholdQuery(page.unit_id), 0, 1)[0]
    cats = [c.id for c in ctx.call(stars.list_categories, page.unit_id)]
    app_id = ctx.call(applications.add_application, round_id, house.id, cats[:2], "自报")
    page.refresh()
    page.combo_round.setCurrentIndex(page.combo_round.findData(round_id))
    page.table.select_row(0)
    assert page.btn_edit.isEnabled()

    def edit(d: Any) -> None:
        assert d.checks[cats[0]].isChecked() and d.checks[cats[1]].isChecked() and not d.checks[cats[2]].isChecked()
        click(qtbot, d.checks[cats[0]])  # untick: not reviewed yet, so it may go
        click(qtbot, d.checks[cats[2]])
        click(qtbot, d.checks[cats[3]])
        d.combo_source.setCurrentIndex(d.combo_source.findData("推荐"))
        qtbot.mouseClick(d.btn_save, Qt.MouseButton.LeftButton)  # 推荐 without 推荐人: refused beside it
        assert d.isVisible() and "推荐人" in d.errors["recommender"].text()
        type_text(qtbot, d.edit_recommender, "邻居老王")
        type_text(qtbot, d.edit_evidence, "常年照顾瘫痪的婆婆")

    answer(monkeypatch, qtbot, ui.stars.page.EditApplicationDialog, edit)
    click(qtbot, page.btn_edit)
    row = page.model.rows[0]
    assert sorted(i.category_id for i in row.items) == sorted([cats[1], cats[2], cats[3]])
    assert (row.source, row.recommender, row.evidence) == ("推荐", "邻居老王", "常年照顾瘫痪的婆婆")

    # 两会审核: a star reviewed cannot be unticked — the dialog says so beside the stars and keeps it
    ctx.call(stars.advance_round, round_id)
    ctx.call(applications.review_application, app_id, [ItemReview(cats[1], "approved", "道德评议会", "属实")])
    page.load_round()
    page.table.select_row(0)

    def untick_reviewed(d: Any) -> None:
        assert "已审核：通过" in d.checks[cats[1]].text()
        click(qtbot, d.checks[cats[1]])

    seen = answer(monkeypatch, qtbot, ui.stars.page.EditApplicationDialog, untick_reviewed)
    click(qtbot, page.btn_edit)
    assert "已审核的星不能取消勾选" in seen[0].errors["categories"].text()
    assert cats[1] in [i.category_id for i in ctx.call(applications.get_application, app_id).items]

    # past the review (张榜公示), 编辑申报 is off
    ctx.call(applications.review_application, app_id, [ItemReview(c, "approved", "道德评议会", "属实")
                                                       for c in (cats[2], cats[3])])
    ctx.call(star_publicity.publicize_round, round_id, tmp_path / "公示.pdf")
    page.load_round()
    page.table.select_row(0)
    assert page.round.step == "publicize" and not page.btn_edit.isEnabled()
