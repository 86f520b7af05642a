"""Rows pasted from Excel / WPS into the 户 and 党员 lists (issue 20, point 5): Ctrl+V with the clipboard holding
tab-separated rows and their header opens the import check with those rows; 开始导入 writes them as one batch;
a bad row is named by row and column and, unless the user chooses to skip it, nothing is written.

The 居民 list's paste is tested in test_spreadsheet_habits.py; these drive the other two lists the same way.
"""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication
from sqlalchemy import func, select

from app.models.org import PartyMember, PartyOrg
from app.models.people import Household, Resident
from app.services.context import AppContext
from app.services.grid.grids import list_grids
from app.services.imports import flow as imports
from tests import import_files as F

CTRL = Qt.KeyboardModifier.ControlModifier


def tsv(rows: list[list[object]]) -> str:
    """As Excel puts a copied range on the clipboard: tabs between cells, CRLF after each row."""
    return "".join("\t".join(str(c) for c in row) + "\r\n" for row in rows)


def paste_into(qtbot: Any, table: Any, text: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Ctrl+V on `table` with `text` on the clipboard; the import wizard it opens, shown and at its check."""
    from ui.imports.wizard import ImportWizard

    opened: list[Any] = []
    # the wizard's exec would wait for a user: recorded here and driven by the test like a user would
    monkeypatch.setattr(ImportWizard, "exec", lambda self: opened.append(self) or 0)
    QGuiApplication.clipboard().setText(text)
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_V, CTRL)
    assert len(opened) == 1, "Ctrl+V opened the import check"
    wizard = opened[0]
    qtbot.addWidget(wizard)
    wizard.show()
    assert wizard.table.file_name == "剪贴板粘贴"
    qtbot.waitUntil(lambda: wizard.step() == 3 and not wizard.progress.isVisible(), timeout=30_000)
    return wizard


def import_now(qtbot: Any, wizard: Any) -> list[int]:
    batches: list[int] = []
    wizard.imported.connect(batches.append)
    assert wizard.btn_next.isEnabled(), wizard.lbl_summary.text()
    qtbot.mouseClick(wizard.btn_next, Qt.MouseButton.LeftButton)  # 开始导入
    qtbot.waitUntil(lambda: wizard.step() == 5, timeout=30_000)
    qtbot.mouseClick(wizard.btn_next, Qt.MouseButton.LeftButton)  # 完成
    return batches


def problems(wizard: Any) -> list[tuple[str, str, str]]:
    t = wizard.table_problems
    return [tuple(t.item(r, c).text() for c in range(3)) for r in range(t.rowCount())]


def counts(ctx: AppContext) -> tuple[int, int, int]:
    return ctx.call(lambda s: (s.scalar(select(func.count(Household.id))), s.scalar(select(func.count(Resident.id))),
                               s.scalar(select(func.count(PartyMember.id)))))


def households_tab(window: Any) -> Any:
    page = window.show_page("page_residents")
    page.tabs.setCurrentIndex(0)
    QApplication.processEvents()
    return page


def test_households_pasted_with_their_header_are_checked_and_imported(
    qtbot: Any, window: Any, demo_ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    grid = demo_ctx.call(list_grids, demo_ctx.unit_id)[0].name
    page = households_tab(window)
    before = counts(demo_ctx)
    wizard = paste_into(qtbot, page.table_households, tsv(F.household_rows(grid)), monkeypatch)
    assert wizard.kind() == "households" and "户" in wizard.windowTitle()
    assert "新增" in wizard.lbl_summary.text() and problems(wizard) == [], wizard.lbl_summary.text()
    batches = import_now(qtbot, wizard)
    assert batches, "the rows were imported"
    households, residents, members = counts(demo_ctx)
    assert (households, residents, members) == (before[0] + 2, before[1] + 5, before[2])
    # the list shows the new household (the main window tells every page after an import)
    qtbot.waitUntil(lambda: page.households_model.find_row(lambda r: "王大山" in str(r.head_name), fetch_all=True) >= 0)
    listed = demo_ctx.call(imports.list_batches, demo_ctx.unit_id)
    assert listed[0].id == batches[0] and listed[0].file_name == "剪贴板粘贴"
    demo_ctx.call(imports.undo_import, batches[0], "粘贴错了")  # one batch: undone as a file's
    assert counts(demo_ctx) == before


def test_a_bad_household_row_names_row_and_column_and_nothing_is_written(
    qtbot: Any, window: Any, demo_ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    grid = demo_ctx.call(list_grids, demo_ctx.unit_id)[0].name
    rows = F.household_rows(grid)
    rows[2][3] = "外星人"  # 李秀英's 与户主关系: not a relation
    page = households_tab(window)
    before = counts(demo_ctx)
    wizard = paste_into(qtbot, page.table_households, tsv(rows), monkeypatch)
    found = problems(wizard)
    assert found and found[0][:2] == ("3", "与户主关系"), found  # row 3 of the paste: the header is row 1
    assert "外星人" in found[0][2]
    assert not wizard.btn_next.isEnabled(), "开始导入 waits until the row is mended or skipped"
    wizard.reject()
    assert counts(demo_ctx) == before


def _branch_and_resident(ctx: AppContext) -> tuple[str, Resident]:
    def find(s: Any) -> tuple[str, Resident]:
        branch = s.scalars(select(PartyOrg.name).where(PartyOrg.unit_id == ctx.unit_id, PartyOrg.kind == "党支部")
                           ).first()
        resident = s.scalars(
            select(Resident).where(Resident.unit_id == ctx.unit_id, Resident.id_number.isnot(None),
                                   ~Resident.id.in_(select(PartyMember.resident_id)),
                                   Resident.birth_date < func.date("1990-01-01"))
        ).first()
        s.expunge(resident)
        return branch, resident

    return ctx.call(find)


def member_rows(ctx: AppContext) -> list[list[object]]:
    branch, resident = _branch_and_resident(ctx)
    return [
        list(F.MEMBER_HEADER),
        [resident.name, resident.id_number, resident.gender, branch, "正式", "2015-7-1", "2016.7.1", ""],
        ["粘贴党员", F.person_id(1985, 3, 3, 71), "男", branch, "预备", "2026年3月1日", "", "13800001111"],
    ]


def test_members_pasted_with_their_header_are_checked_and_imported(
    qtbot: Any, window: Any, demo_ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = window.show_page("page_members")
    QApplication.processEvents()
    before = counts(demo_ctx)
    wizard = paste_into(qtbot, page.table_members, tsv(member_rows(demo_ctx)), monkeypatch)
    assert wizard.kind() == "members" and "党员" in wizard.windowTitle()
    assert "新增 2 行" in wizard.lbl_summary.text() and problems(wizard) == [], wizard.lbl_summary.text()
    batches = import_now(qtbot, wizard)
    assert batches
    after = counts(demo_ctx)
    # the known resident is linked, not duplicated; the new member is a new resident too
    assert after == (before[0], before[1] + 1, before[2] + 2)
    qtbot.waitUntil(lambda: page.members_model.find_row(lambda r: r.name == "粘贴党员", fetch_all=True) >= 0)
    demo_ctx.call(imports.undo_import, batches[0], "粘贴错了")
    assert counts(demo_ctx) == before


def test_a_bad_member_row_names_row_and_column_and_nothing_is_written(
    qtbot: Any, window: Any, demo_ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = member_rows(demo_ctx)
    rows[2][3] = "不存在的支部"
    page = window.show_page("page_members")
    before = counts(demo_ctx)
    wizard = paste_into(qtbot, page.table_members, tsv(rows), monkeypatch)
    found = problems(wizard)
    assert [p[:2] for p in found] == [("3", "所在支部")], found
    assert "不存在的支部" in found[0][2]
    assert not wizard.btn_next.isEnabled()
    wizard.reject()
    assert counts(demo_ctx) == before
