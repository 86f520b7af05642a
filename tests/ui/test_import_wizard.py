"""The import wizard and the import history, driven like a user: menu, file, steps, report, import, undo."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from app.services.context import AppContext
from app.services.imports import flow as imports
from app.services.people import residents as people
from tests import import_files as F


@pytest.fixture
def patched(monkeypatch: pytest.MonkeyPatch, no_popups: Any) -> Any:
    import ui.imports.history
    import ui.imports.wizard

    monkeypatch.setattr(ui.imports.wizard, "QMessageBox", no_popups)
    monkeypatch.setattr(ui.imports.history, "QMessageBox", no_popups)
    return no_popups


def _bad_file(tmp_path: Path) -> Path:
    rows = F.resident_rows()
    rows[3][2] = 110111199001010011  # an ID Excel turned into a number
    return F.write_xlsx(tmp_path / "居民.xlsx", rows, title="东坟村居民花名册", blank_rows=1)


def _open_wizard(qtbot: Any, window: Any) -> Any:
    from ui.imports.wizard import ImportWizard

    opened: list[ImportWizard] = []
    original = ImportWizard.exec
    ImportWizard.exec = lambda self: opened.append(self) or 0  # type: ignore[method-assign]
    try:
        window.findChild(type(window.action_import), "action_import").trigger()
    finally:
        ImportWizard.exec = original  # type: ignore[method-assign]
    wizard = opened[0]
    qtbot.addWidget(wizard)
    wizard.show()
    assert wizard.objectName() == "dlg_import"
    return wizard


def test_wizard_reports_problems_then_imports_good_rows(
    qtbot: Any, window: Any, demo_ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, patched: Any,
) -> None:
    import ui.imports.wizard as wiz

    path = _bad_file(tmp_path)
    monkeypatch.setattr(wiz.QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), "")))
    wizard = _open_wizard(qtbot, window)
    qtbot.mouseClick(wizard.btn_choose_file, Qt.MouseButton.LeftButton)
    assert wizard.edit_path.text() == str(path)
    qtbot.mouseClick(wizard.btn_next, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.step() == 1, timeout=10_000)
    assert wizard.spin_header.value() == 3  # under the merged title and a blank row
    assert "第 3 行是表头" in wizard.lbl_header.text()

    qtbot.mouseClick(wizard.btn_next, Qt.MouseButton.LeftButton)
    assert wizard.step() == 2
    combo = wizard.table_mapping.cellWidget(2, 2)
    assert combo.currentData() == "id_number"  # 公民身份号码

    qtbot.mouseClick(wizard.btn_next, Qt.MouseButton.LeftButton)  # 检查
    qtbot.waitUntil(lambda: wizard.step() == 3, timeout=20_000)
    assert "新增 4 行" in wizard.lbl_summary.text() and "有问题 1 行" in wizard.lbl_summary.text()
    assert wizard.table_problems.rowCount() == 1
    assert wizard.table_problems.item(0, 0).text() == "6"
    assert "Excel 把身份证号存成了数字" in wizard.table_problems.item(0, 2).text()
    assert not wizard.btn_next.isEnabled()  # problems block the import

    out = tmp_path / "问题行.xlsx"
    monkeypatch.setattr(wiz.QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(out), "")))
    qtbot.mouseClick(wizard.btn_export_problems, Qt.MouseButton.LeftButton)
    assert out.exists() and patched.shown[-1][0] == "information"

    qtbot.mouseClick(wizard.btn_back, Qt.MouseButton.LeftButton)
    wizard.chk_skip_errors.setChecked(True)
    qtbot.mouseClick(wizard.btn_next, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.step() == 3 and wizard.btn_next.isEnabled(), timeout=20_000)
    with qtbot.waitSignal(wizard.imported, timeout=30_000) as blocker:
        qtbot.mouseClick(wizard.btn_next, Qt.MouseButton.LeftButton)  # 开始导入
    assert wizard.step() == 5 and "新增 4 行" in wizard.lbl_done.text()
    batch_id = blocker.args[0]
    assert [b.id for b in demo_ctx.call(imports.list_batches, demo_ctx.unit_id)] == [batch_id]


def test_unreadable_file_shows_message_not_traceback(qtbot: Any, window: Any, tmp_path: Path, patched: Any) -> None:
    junk = tmp_path / "假的.xlsx"
    junk.write_bytes(b"not a workbook" * 50)
    wizard = _open_wizard(qtbot, window)
    wizard.edit_path.setText(str(junk))
    qtbot.mouseClick(wizard.btn_next, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(wizard.lbl_error.text()), timeout=10_000)
    assert "不是有效的 Excel 文件" in wizard.lbl_error.text() and wizard.step() == 0


def test_cancel_during_check_leaves_wizard_usable(qtbot: Any, window: Any, tmp_path: Path, patched: Any) -> None:
    rows: list[list[object]] = [list(F.RESIDENT_HEADER)]
    rows += [[i, f"人{i}", "", "男", "", "", "", "", "", ""] for i in range(3000)]
    wizard = _open_wizard(qtbot, window)
    wizard.edit_path.setText(str(F.write_xlsx(tmp_path / "big.xlsx", rows)))
    qtbot.mouseClick(wizard.btn_next, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.step() == 1, timeout=10_000)
    qtbot.mouseClick(wizard.btn_next, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(wizard.btn_next, Qt.MouseButton.LeftButton)  # 检查 starts in the background
    assert wizard.job is not None and wizard.job.running
    qtbot.mouseClick(wizard.btn_cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not wizard.job.running, timeout=20_000)
    assert wizard.step() == 2 and "已取消" in wizard.lbl_error.text()


def test_history_undo(qtbot: Any, window: Any, demo_ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                      patched: Any) -> None:
    import ui.imports.history as hist
    from app.io.excel_import import read_table

    table = read_table(F.residents_xlsx(tmp_path / "r.xlsx"))
    layout = demo_ctx.call(imports.detect_layout, demo_ctx.unit_id, "residents", table)
    result = demo_ctx.call(imports.run_import, demo_ctx.unit_id, "residents", table, layout)
    monkeypatch.setattr(hist.QInputDialog, "getText", staticmethod(lambda *a, **k: ("导错了", True)))
    from ui.imports.history import ImportHistoryDialog

    dialog = ImportHistoryDialog(demo_ctx, window)
    qtbot.addWidget(dialog)
    assert dialog.table.item(0, 0).text() == str(result.batch_id)
    with qtbot.waitSignal(dialog.undone):
        qtbot.mouseClick(dialog.btn_undo, Qt.MouseButton.LeftButton)
    assert "已撤销" in dialog.table.item(0, 6).text() and not dialog.btn_undo.isEnabled()
    assert "删除 5 条" in patched.shown[-1][2]
    found = demo_ctx.call(people.count_residents, people.ResidentQuery(demo_ctx.unit_id, text="赵小五"))
    assert found == 0
