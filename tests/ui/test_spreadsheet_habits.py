"""Spreadsheet habits (issue 20, point 5): Ctrl+C copies rows with their header, Ctrl+V on a roster list imports
the rows through the wizard's check, every list exports and prints its filtered view, Ctrl+P prints on every page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from app.services.context import AppContext
from app.services.imports import flow as imports
from app.services.people import households
from app.services.people import residents as people
from app.services.people.households import HouseholdQuery
from tests import import_files as F

CTRL = Qt.KeyboardModifier.ControlModifier


def residents_tab(window: Any) -> Any:
    page = window.show_page("page_residents")
    page.tabs.setCurrentIndex(1)
    QApplication.processEvents()
    return page


def test_ctrl_c_copies_the_header_row_then_the_rows(qtbot: Any, window: Any) -> None:
    page = residents_tab(window)
    table = page.table_residents
    table.setFocus()
    table.select_row(0)
    table.selectionModel().select(page.residents_model.index(2, 0), table.selectionModel().SelectionFlag.Select
                                  | table.selectionModel().SelectionFlag.Rows)
    qtbot.keyClick(table, Qt.Key.Key_C, CTRL)
    lines = QGuiApplication.clipboard().text().splitlines()
    model = page.residents_model
    assert lines[0].split("\t") == [c.header for c in model.columns]
    expected = [[c.text(model.row_at(r)) for c in model.columns] for r in (0, 2)]
    assert [line.split("\t") for line in lines[1:]] == expected


def test_pasted_rows_open_the_check_then_import_and_undo(
    qtbot: Any, window: Any, demo_ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui.imports.wizard import ImportWizard

    page = residents_tab(window)
    # without a header: the cells are read in the list's column order (姓名, 性别, 年龄, 身份证号 …)
    ids = [F.person_id(1988, 4, 5, 71), F.person_id(1991, 6, 7, 82)]
    text = f"粘贴甲\t男\t\t{ids[0]}\r\n粘贴乙\t女\t\t{ids[1]}\r\n"
    QGuiApplication.clipboard().setText(text)
    batches: list[int] = []
    opened: list[Any] = []
    # the wizard's own `result` (the import's) hides QDialog.result: recorded here, driven below
    monkeypatch.setattr(ImportWizard, "exec", lambda self: opened.append(self) or 0)
    page.table_residents.setFocus()
    qtbot.keyClick(page.table_residents, Qt.Key.Key_V, CTRL)
    assert len(opened) == 1, "Ctrl+V opened the wizard"
    wizard = opened[0]
    qtbot.addWidget(wizard)
    wizard.show()
    assert wizard.table.file_name == "剪贴板粘贴" and not wizard.btn_back.isEnabled()
    qtbot.waitUntil(lambda: wizard.step() == 3 and wizard.btn_next.isEnabled(), timeout=20_000)  # straight to 检查
    assert "新增 2 行" in wizard.lbl_summary.text(), wizard.lbl_summary.text()
    assert wizard.mapping() == {0: "name", 1: "gender", 3: "id_number"}
    wizard.imported.connect(batches.append)
    qtbot.mouseClick(wizard.btn_next, Qt.MouseButton.LeftButton)  # 开始导入
    qtbot.waitUntil(lambda: wizard.step() == 5, timeout=30_000)
    assert batches, "the rows were imported"
    qtbot.mouseClick(wizard.btn_next, Qt.MouseButton.LeftButton)  # 完成

    def named(name: str) -> int:
        return demo_ctx.call(people.count_residents, people.ResidentQuery(demo_ctx.unit_id, text=name))

    assert named("粘贴甲") == 1 and named("粘贴乙") == 1
    qtbot.waitUntil(lambda: page.residents_model.find_row(lambda r: r.name == "粘贴甲", fetch_all=True) >= 0)
    listed = demo_ctx.call(imports.list_batches, demo_ctx.unit_id)
    assert listed[0].id == batches[0] and listed[0].file_name == "剪贴板粘贴"
    demo_ctx.call(imports.undo_import, batches[0], "粘贴错了")  # the same undo as 导入记录 → 撤销本次导入
    assert named("粘贴甲") == 0 and named("粘贴乙") == 0


def test_hostile_paste_says_why_in_chinese(qtbot: Any, window: Any, no_popups: Any,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from ui.imports.wizard import ImportWizard

    opened: list[Any] = []
    monkeypatch.setattr(ImportWizard, "exec", lambda self: opened.append(self) or 0)
    page = residents_tab(window)
    QGuiApplication.clipboard().setText("张三\x00\t男\n")
    page.table_residents.setFocus()
    qtbot.keyClick(page.table_residents, Qt.Key.Key_V, CTRL)
    assert not opened and "二进制" in no_popups.shown[-1][2]


def test_export_of_the_low_income_households_holds_exactly_them(
    qtbot: Any, window: Any, demo_ctx: AppContext, tmp_path: Path
) -> None:
    from ui.common.list_output import export_table

    page = window.show_page("page_residents")
    page.tabs.setCurrentIndex(0)
    combo = page.combo_household_tag
    combo.setCurrentIndex(combo.findData("低保"))
    assert page.households_model.total > 0
    out = tmp_path / "低保户.xlsx"
    job = export_table(page.table_households, out)
    assert job is not None
    qtbot.waitUntil(lambda: not job.running, timeout=30_000)
    ws = load_workbook(out).worksheets[0]
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    assert str(values[0][0]).endswith("户名单（户标签：低保）")
    header = [str(v or "") for v in values[2]]
    assert header[1:] == [c.header for c in page.households_model.columns]
    numbers = [r[1] for r in values[3:] if isinstance(r[0], int)]
    query = HouseholdQuery(demo_ctx.unit_id, tag="低保")
    expected = [h.number for h in demo_ctx.call(households.list_households, query, 0, 100_000)]
    assert numbers == expected and len(numbers) == demo_ctx.call(households.count_households, query)
    everyone = demo_ctx.call(households.count_households, HouseholdQuery(demo_ctx.unit_id))
    assert len(numbers) < everyone
    assert "导出" in window.statusBar().currentMessage()


def test_ctrl_p_prints_the_filtered_list(qtbot: Any, window: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from ui.common.printing import PdfPreviewDialog

    opened: list[PdfPreviewDialog] = []
    monkeypatch.setattr(PdfPreviewDialog, "exec", lambda self: opened.append(self) or 0)
    page = window.show_page("page_residents")
    page.tabs.setCurrentIndex(0)
    page.combo_household_tag.setCurrentIndex(page.combo_household_tag.findData("低保"))
    page.table_households.setFocus()
    qtbot.keyClick(page.table_households, Qt.Key.Key_P, CTRL)
    qtbot.waitUntil(lambda: len(opened) == 1, timeout=30_000)  # made off the GUI thread, then previewed
    dialog = opened[0]
    qtbot.addWidget(dialog)
    assert "户名单（户标签：低保）" in dialog.windowTitle() and dialog.pages >= 1

    members = window.show_page("page_members")  # another page, no focus in a list: its roster
    window.action_print.trigger()
    qtbot.waitUntil(lambda: len(opened) == 2, timeout=30_000)
    assert "党员名单" in opened[1].windowTitle()
    qtbot.addWidget(opened[1])
    assert members.table_members.list_name == "党员名单"

    tickets = window.show_page("page_tickets")  # a filter list off 全部 is said in the title
    tickets.combo_state.setCurrentIndex(1)
    window.action_print.trigger()
    qtbot.waitUntil(lambda: len(opened) == 3, timeout=30_000)
    qtbot.addWidget(opened[2])
    assert f"工单列表（状态：{tickets.combo_state.currentText()}）" in opened[2].windowTitle()


def test_context_menu_offers_export_and_print(qtbot: Any, window: Any) -> None:
    from PySide6.QtWidgets import QMenu

    page = window.show_page("page_members")
    menu = QMenu()
    page.table_members.add_list_actions(menu)
    names = [a.objectName() for a in menu.actions() if a.objectName()]
    assert names == ["action_copy_rows", "action_paste_rows", "action_export_list", "action_print_list"]
    texts = [a.text() for a in menu.actions() if a.objectName()]
    assert "导出当前列表…" in texts and "打印当前列表…" in texts


def test_ctrl_p_on_every_page_prints_or_says_why(qtbot: Any, window: Any, no_popups: Any,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from ui.common.printing import PdfPreviewDialog
    from ui.notices.page import NoticesPage

    opened: list[PdfPreviewDialog] = []
    monkeypatch.setattr(PdfPreviewDialog, "exec", lambda self: opened.append(self) or 0)
    notices: list[object] = []  # the 公示 page prints the selected notice (its own tests print one)
    monkeypatch.setattr(NoticesPage, "preview_notice", lambda self: notices.append(self.current_notice()))
    printed: dict[str, str] = {}
    shown = [window.nav.item(r) for r in range(window.nav.count()) if not window.nav.item(r).isHidden()]
    for name in [item.data(Qt.ItemDataRole.UserRole) for item in shown]:
        page = window.show_page(name)
        QApplication.processEvents()
        counts = (len(opened), len(no_popups.shown), len(notices))
        before, said = counts[:2]
        window.action_print.trigger()  # a list's printout is made on a pool thread: wait for its preview or word
        qtbot.waitUntil(lambda c=counts: (len(opened), len(no_popups.shown), len(notices)) != c, timeout=30_000)
        if isinstance(page, NoticesPage) and page.current_notice() is not None:
            assert notices == [page.current_notice()]
        elif len(opened) > before:
            qtbot.addWidget(opened[-1])
            assert opened[-1].pages >= 1
            printed[name] = opened[-1].windowTitle()
        else:  # nothing to print is said in Chinese, never silently or with a traceback
            assert len(no_popups.shown) > said, f"{name}: Ctrl+P did nothing"
            assert "Traceback" not in no_popups.shown[-1][2]
        assert window.current_page() is page
    assert {"page_members", "page_residents", "page_tickets"} <= set(printed), printed


def test_list_printing_runs_off_the_gui_thread_and_keeps_its_filter(
    qtbot: Any, window: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The PDF is made on a pool thread: while it is made the window takes typing (the search box filters
    the list), the status bar says it is busy, and the printout holds the list as it was when asked."""
    import dataclasses
    import threading

    from app.services.ledgers import list_export
    from ui.common.printing import PdfPreviewDialog

    opened: list[tuple[PdfPreviewDialog, bool]] = []
    monkeypatch.setattr(PdfPreviewDialog, "exec", lambda self: opened.append((self, self.path.is_file())) or 0)
    release = threading.Event()
    seen: dict[str, Any] = {}
    real = list_export.print_list

    def held(s: Any, unit_id: int, sheet: Any, path: Path) -> int:
        seen["thread"] = threading.current_thread()
        assert release.wait(60), "the test never let the printout finish"
        rows = list(sheet.rows)  # read now, after the user filtered the list on screen
        seen["rows"] = len(rows)
        return real(s, unit_id, dataclasses.replace(sheet, rows=rows), path)

    monkeypatch.setattr(list_export, "print_list", held)
    page = window.show_page("page_members")
    everyone = page.table_members.model().total
    page.table_members.setFocus()
    qtbot.keyClick(page.table_members, Qt.Key.Key_P, CTRL)
    qtbot.waitUntil(lambda: "thread" in seen, timeout=10_000)
    assert seen["thread"] is not threading.main_thread()
    assert "正在生成“党员名单”" in window.statusBar().currentMessage()

    # the GUI thread is free while the worker is held: the user searches the list
    qtbot.keyClicks(page.edit_search_members, "zzzzqqq")  # matches nobody
    qtbot.waitUntil(lambda: page.table_members.model().total == 0, timeout=10_000)
    assert not opened
    release.set()
    qtbot.waitUntil(lambda: len(opened) == 1, timeout=30_000)
    dialog, existed = opened[0]
    qtbot.addWidget(dialog)
    assert existed and dialog.pages >= 1 and "党员名单" in dialog.windowTitle() and "查找" not in dialog.windowTitle()
    assert seen["rows"] == everyone > 0  # every member, as the list was when Ctrl+P was pressed
    assert not dialog.path.exists()  # the temporary PDF of people's details is gone once the preview closes
    assert "共" in window.statusBar().currentMessage()


def test_list_printing_failure_is_said_in_chinese(
    qtbot: Any, window: Any, monkeypatch: pytest.MonkeyPatch, no_popups: Any
) -> None:
    import errno

    from app.services.ledgers import list_export
    from ui.common.printing import PdfPreviewDialog

    opened: list[PdfPreviewDialog] = []
    monkeypatch.setattr(PdfPreviewDialog, "exec", lambda self: opened.append(self) or 0)
    folders: list[Path] = []

    def full_disk(_s: Any, _unit_id: int, _sheet: Any, path: Path) -> int:
        folders.append(path.parent)
        path.write_bytes(b"%PDF-1.4 half")  # half-written when the disk filled
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(list_export, "print_list", full_disk)
    page = window.show_page("page_members")
    page.table_members.setFocus()
    said = len(no_popups.shown)
    qtbot.keyClick(page.table_members, Qt.Key.Key_P, CTRL)
    qtbot.waitUntil(lambda: len(no_popups.shown) > said, timeout=30_000)
    message = no_popups.shown[-1][2]
    assert "磁盘" in message and "Traceback" not in message and "No space" not in message
    assert not opened and folders and not folders[0].exists()  # nothing half-written stays behind
