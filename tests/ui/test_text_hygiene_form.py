"""The resident form says beside the 姓名 field that a pasted name hides a direction override, and saves
nothing until it is gone."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QLineEdit

from app.services.context import AppContext
from app.services.people import residents as people
from app.services.people.residents import ResidentQuery
from tests.ui.dialogs import drive
from tests.ui.scenario_helpers import accepted, button, click, click_nav, errors, field, save


def test_resident_form_shows_the_hidden_character_beside_the_name(
    qtbot: Any, window: Any, demo_ctx: AppContext, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ui.people.dialogs import ResidentDialog

    page = click_nav(qtbot, window, "page_residents")
    page.tabs.setCurrentIndex(1)
    query = ResidentQuery(demo_ctx.unit_id)  # type: ignore[arg-type]
    before = demo_ctx.call(people.count_residents, query)
    shown: list[dict[str, str]] = []

    def fill(d: Any) -> None:
        name: QLineEdit = field(d, "name")
        name.setFocus()
        name.insert("王\u202e山大")  # pasted: shows as 王大山
        save(qtbot, d)
        shown.append(errors(d))
        assert d.isVisible()  # not saved
        name.clear()
        name.insert("王大山")
        save(qtbot, d)

    seen = drive(monkeypatch, ResidentDialog, fill)
    click(qtbot, button(window, "btn_add_resident"))
    accepted(seen)
    # beside the name, and nowhere else
    assert shown == [{"err_name": "含有不可见的文字方向控制符（U+202E 从右到左覆盖），会让文字显示的顺序与实际不同，请删除"}]
    assert demo_ctx.call(people.count_residents, query) == before + 1
