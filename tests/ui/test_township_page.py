"""镇级汇总 driven as the township's clerk would: a township database with two villages' packages, the figures
by 片区 with a 合计, 导入数据包… through the dialog (imported, then 未变化, a tampered copy 拒收 with why),
颁发上报密钥… writing the village's two files, 导出镇级台账… writing the workbook; the page is absent from a
village's own window, fits a 1366×768 screen and shows no English."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QApplication, QTableWidget

from app.db import open_database, resolve_url
from app.services import units
from app.services.context import AppContext
from app.services.people.households import HouseholdInput, add_household
from app.services.setup.founding import create_unit
from app.services.township import keys, packages
from tests.ui.conftest import FakeMessageBox

TOWNSHIP = "城关街道"
VILLAGES = {"东坟村": "第一片区", "西坟村": "第二片区"}  # 东坟村 is the demo village


@dataclass(frozen=True)
class TownshipFiles:
    township_db: Path  # knows both villages' keys, no package imported yet
    packages: dict[str, Path]  # village → its .vdpkg
    households: dict[str, int]  # village → households in its own database


def _village_db(path: Path, template: Path | None, name: str, key_file: Path, out: Path) -> int:
    """A village's database (the demo, or a blank one with three households): key installed, package exported."""
    if template is not None:
        shutil.copyfile(template, path)
    db = open_database(resolve_url(path))
    try:
        with db.session() as s:
            unit_id = units.current_unit_id(s) if template is not None else None
            if unit_id is None:
                unit_id = create_unit(s, name, township=TOWNSHIP)
                for n in range(1, 4):
                    add_household(s, unit_id, HouseholdInput(f"{n:03d}", f"{name}{n}号"))
            keys.install_key(s, unit_id, key_file)
            packages.export_package(s, unit_id, out)
        with db.session() as s:
            from app.services.people.households import HouseholdQuery, count_households

            return count_households(s, HouseholdQuery(unit_id))
    finally:
        db.dispose()


@pytest.fixture(scope="module")
def township_files(tmp_path_factory: pytest.TempPathFactory, demo_template_db: Path,
                   template_db: Path) -> TownshipFiles:
    folder = tmp_path_factory.mktemp("township")
    township_db = folder / "township.sqlite"
    shutil.copyfile(template_db, township_db)
    db = open_database(resolve_url(township_db))
    issued = {}
    with db.session() as s:
        township_id = keys.create_township(s, TOWNSHIP)
        for village, district in VILLAGES.items():
            issued[village] = keys.issue_keys(s, township_id, village, folder, district=district)
    db.dispose()
    made, households = {}, {}
    for village in VILLAGES:
        made[village] = folder / f"{village}-2026-11.vdpkg"
        template = demo_template_db if village == "东坟村" else None
        households[village] = _village_db(folder / f"{village}.sqlite", template, village,
                                          issued[village].private_path, made[village])
    return TownshipFiles(township_db, made, households)


@pytest.fixture
def township_ctx(township_files: TownshipFiles, tmp_path: Path) -> Iterator[AppContext]:
    path = tmp_path / "township.sqlite"
    shutil.copyfile(township_files.township_db, path)
    db = open_database(resolve_url(path))
    yield AppContext(db)
    db.dispose()


@pytest.fixture
def township_window(qtbot: Any, township_ctx: AppContext) -> Any:
    from ui.main_window import MainWindow

    w = MainWindow(township_ctx)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def import_through_dialog(qtbot: Any, page: Any, monkeypatch: pytest.MonkeyPatch, files: list[Path]) -> Any:
    """导入数据包…: the file dialog answers `files`; the result dialog is read when the import is done."""
    import ui.common.files
    import ui.township.packages_tab as tab_mod

    monkeypatch.setattr(ui.common.files.QFileDialog, "getOpenFileNames",
                        staticmethod(lambda *a, **k: ([str(f) for f in files], "")))
    shown: list[Any] = []

    def exec_(dialog: Any) -> int:
        qtbot.waitUntil(lambda: dialog.job is not None and not dialog.job.running and bool(dialog.results), timeout=60_000)
        shown.append(dialog)
        return 0

    monkeypatch.setattr(tab_mod.PackageImportDialog, "exec", exec_)
    page.tabs.setCurrentWidget(page.packages)
    qtbot.mouseClick(page.packages.btn_import, Qt.MouseButton.LeftButton)
    assert shown, "the import dialog did not open"
    return shown[0]


def summary_cells(table: QTableWidget) -> dict[str, list[str]]:
    """First column's text → the row's texts."""
    out = {}
    for r in range(table.rowCount()):
        first = table.item(r, 0)
        if first is not None:
            out[first.text()] = [table.item(r, c).text() if table.item(r, c) else "" for c in range(table.columnCount())]
    return out


def headers(table: QTableWidget) -> list[str]:
    return [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]


def test_a_village_window_has_no_township_page(window: Any) -> None:
    assert "page_township" not in window.pages


def test_packages_imported_through_the_dialog_show_by_district_with_a_total(
    qtbot: Any, township_window: Any, township_files: TownshipFiles, monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    window = township_window
    nav = [window.nav.item(r).data(Qt.ItemDataRole.UserRole) for r in range(window.nav.count())]
    assert "page_township" in nav
    page = window.show_page("page_township")
    files = list(township_files.packages.values())
    dialog = import_through_dialog(qtbot, page, monkeypatch, files)
    assert [r.status for r in dialog.results] == ["已导入", "已导入"], dialog.results
    assert "已导入 2 个" in dialog.label_status.text()

    # the list of packages: both villages, current
    model = page.packages.model
    assert model.rowCount() == 2
    assert {r.village for r in model.rows} == set(VILLAGES) and all(r.is_current for r in model.rows)

    # 汇总: a bold row per 片区, its village, its 小计, the 合计 summing both villages
    page.tabs.setCurrentWidget(page.summary)
    page.summary.refresh()
    table = page.summary.table
    cols = headers(table)
    cells = summary_cells(table)
    households = cols.index("户数")
    for village, district in VILLAGES.items():
        assert cells[village][households] == str(township_files.households[village]), village
        assert cells[f"{district}小计"][households] == str(township_files.households[village])
        assert any(t.startswith(district) for t in cells)
        last = cells[village][cols.index("最近上报")]
        assert "天前" in last or "今天" in last, last
    assert cells["合计"][households] == str(sum(township_files.households.values()))
    assert cells["合计"][cols.index("党员")] == str(
        sum(int(cells[v][cols.index("党员")]) for v in VILLAGES))
    assert int(cells["东坟村"][cols.index("党员")]) > 0

    # the same files again: 未变化; a tampered copy: 拒收 with the reason
    again = import_through_dialog(qtbot, page, monkeypatch, files[:1])
    assert [r.status for r in again.results] == ["未变化"]
    bad = tmp_path / "改过的.vdpkg"
    data = bytearray(files[0].read_bytes())
    data[len(data) // 2] ^= 0xFF
    bad.write_bytes(bytes(data))
    refused = import_through_dialog(qtbot, page, monkeypatch, [bad])
    assert [r.status for r in refused.results] == ["拒收"]
    assert refused.results[0].detail and "Traceback" not in refused.results[0].detail
    assert refused.table.item(0, 2).text() == refused.results[0].detail
    assert model.rowCount() == 2  # nothing half-imported

    # double-clicking a village switches the window to it, on its 工作台
    page.tabs.setCurrentWidget(page.summary)
    row = next(r for r in range(table.rowCount()) if table.item(r, 0).text() == "西坟村")
    rect = table.visualItemRect(table.item(row, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # the press a view wants first
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    west = next(v.id for v in window.ctx.call(units.list_villages) if v.name == "西坟村")
    assert window.ctx.unit_id == west
    assert window.stack.currentWidget().objectName() == "page_workbench"
    assert "西坟村" in window.windowTitle()


def test_issue_key_writes_the_two_files_and_registers_the_village(
    qtbot: Any, township_window: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    import ui.township.packages_tab as tab_mod
    from ui.township.dialogs import IssueKeyDialog

    monkeypatch.setattr(tab_mod, "QMessageBox", FakeMessageBox)
    out = tmp_path / "keys"
    out.mkdir()

    def exec_(dialog: IssueKeyDialog) -> int:
        dialog.combo_village.setCurrentText("南坟村")
        dialog.combo_district.setCurrentText("第二片区")
        dialog.edit_folder.setText(str(out))
        dialog.on_save()
        return dialog.result()

    monkeypatch.setattr(IssueKeyDialog, "exec", exec_)
    page = township_window.show_page("page_township")
    page.tabs.setCurrentWidget(page.packages)
    qtbot.mouseClick(page.packages.btn_issue, Qt.MouseButton.LeftButton)
    assert (out / "南坟村.vdkey").is_file() and (out / "南坟村.pub").is_file()
    kind, title, text = FakeMessageBox.shown[-1]
    assert "南坟村.vdkey" in text and "设置 → 上报数据包" in text and "南坟村.pub 已登记在本库" in text, text
    ctx = township_window.ctx
    township_id = ctx.call(units.township_id)
    villages = {v.name: v.district for v in ctx.call(units.list_villages, township_id)}
    assert villages["南坟村"] == "第二片区"
    assert "南坟村" in {k.village for k in ctx.call(keys.list_keys, township_id)}


def test_issue_key_names_the_missing_fields(qtbot: Any, township_ctx: AppContext, tmp_path: Path) -> None:
    from ui.township.dialogs import IssueKeyDialog

    dialog = IssueKeyDialog(township_ctx)
    qtbot.addWidget(dialog)
    dialog.edit_folder.setText(str(tmp_path / "没有这个文件夹"))
    dialog.on_save()
    assert dialog.errors["village"].text() == "请填写村(社区)名"
    assert dialog.errors["out_dir"].text() == "文件夹不存在"
    assert not list(tmp_path.rglob("*.vdkey"))
    assert dialog.result_value is None


def test_export_township_ledgers_writes_the_workbook(
    qtbot: Any, township_window: Any, township_files: TownshipFiles, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from openpyxl import load_workbook

    from ui.township.dialogs import TownshipLedgerDialog

    WANTED = ("members", "households", "tickets")  # noqa: N806
    page = township_window.show_page("page_township")
    import_through_dialog(qtbot, page, monkeypatch, list(township_files.packages.values()))
    out = tmp_path / "镇级台账.xlsx"
    seen: list[TownshipLedgerDialog] = []

    def exec_(dialog: TownshipLedgerDialog) -> int:
        dialog.edit_output.setText(str(out))
        for kind, check in dialog.checks.items():
            check.setChecked(kind in WANTED)
        qtbot.mouseClick(dialog.btn_export, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not dialog.job.running, timeout=60_000)
        seen.append(dialog)
        return 1

    monkeypatch.setattr(TownshipLedgerDialog, "exec", exec_)
    page.tabs.setCurrentWidget(page.summary)
    qtbot.mouseClick(page.summary.btn_export, Qt.MouseButton.LeftButton)
    dialog = seen[0]
    assert dialog.label_status.text().startswith(f"已导出：{out}（"), dialog.label_status.text()
    assert dialog.spin_year.value() == page.summary.year
    book = load_workbook(out, read_only=True)
    assert len(book.sheetnames) == len(WANTED)
    members = "\n".join(" ".join(str(c) for c in r if c is not None) for r in book.worksheets[0].iter_rows(values_only=True))
    assert "东坟村" in members and "合计" in members


def test_refused_export_says_why(qtbot: Any, township_ctx: AppContext, tmp_path: Path) -> None:
    from ui.township.dialogs import TownshipLedgerDialog

    dialog = TownshipLedgerDialog(township_ctx)
    qtbot.addWidget(dialog)
    for check in dialog.checks.values():
        check.setChecked(False)
    dialog.start_export()
    assert dialog.label_status.text() == "请至少选择一种台账。"
    next(iter(dialog.checks.values())).setChecked(True)
    dialog.edit_output.setText(str(tmp_path / "没有" / "台账.xlsx"))
    dialog.start_export()
    assert dialog.label_status.text().startswith("保存位置的文件夹不存在")


# ---- the screen and the language --------------------------------------------------------------------------


@pytest.mark.parametrize("large", [False, True], ids=["normal-font", "large-font"])
def test_the_page_fits_1366_and_speaks_chinese(qtbot: Any, qapp: Any, township_ctx: AppContext, large: bool,
                                               township_files: TownshipFiles) -> None:
    from tests.ui.test_fits_screen import SCREEN, TITLE_BAR, fits, page_room
    from tests.ui.test_no_english import english, visible_texts
    from ui import appfont
    from ui.main_window import MainWindow

    for path in township_files.packages.values():
        township_ctx.call(packages.import_package, path)
    before, normal = qapp.font(), appfont._normal_size
    appfont.install_cjk_font(qapp)
    window = MainWindow(township_ctx)
    qtbot.addWidget(window)
    try:
        window.set_large_font(large)
        window.show()
        qtbot.waitExposed(window)
        window.resize(SCREEN - QSize(0, TITLE_BAR))
        page = window.show_page("page_township")
        QApplication.processEvents()
        assert fits(page.minimumSizeHint(), page_room(window)), page.minimumSizeHint()
        texts = {}
        for i in range(page.tabs.count()):
            page.tabs.setCurrentIndex(i)
            QApplication.processEvents()
            texts.update({f"tab {i} {k}": v for k, v in visible_texts(page).items()})
        assert english(texts) == {}
        table = page.summary.table
        header = table.horizontalHeader()
        for c in range(table.columnCount()):  # nothing elided: each column as wide as its text
            assert table.columnWidth(c) >= header.sectionSizeHint(c) - 1 or c == table.columnCount() - 1, c
    finally:
        window.set_large_font(False)
        qapp.setFont(before)
        appfont._normal_size = normal


def test_the_page_is_for_township_operators_and_a_reader_cannot_import(
    qtbot: Any, township_ctx: AppContext,
) -> None:
    from app.services.safety.auth import create_operator
    from ui.main_window import MainWindow

    ctx = township_ctx
    township_id = ctx.call(units.township_id)
    village_id = next(v.id for v in ctx.call(units.list_villages, township_id) if v.name == "东坟村")
    reader = ctx.call(create_operator, township_id, "zhen", "镇干部", role="township")
    writer = ctx.call(create_operator, township_id, "zhen2", "镇文书", role="township", can_write=True)
    clerk = ctx.call(create_operator, village_id, "cun", "村书记", role="admin")

    def window_as(operator_id: int) -> Any:
        ctx.operator_id = operator_id
        ctx.set_unit(None)
        w = MainWindow(ctx)
        qtbot.addWidget(w)
        return w

    assert "page_township" not in window_as(clerk).pages  # a village's 书记 on the township's database
    page = window_as(reader).show_page("page_township")
    assert not page.packages.btn_import.isEnabled() and not page.packages.btn_issue.isEnabled()
    assert "只能查看" in page.packages.btn_import.toolTip()
    page.summary.refresh()  # reads every village of the township
    assert set(VILLAGES) <= set(summary_cells(page.summary.table))
    page = window_as(writer).show_page("page_township")
    assert page.packages.btn_import.isEnabled() and page.packages.btn_issue.isEnabled()


def test_single_operator_window_on_a_township_database_works_as_its_manager(
    qtbot: Any, township_ctx: AppContext, township_files: TownshipFiles, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The window opened the ordinary way (single operator mode signs someone in) on the township's
    database: the township's 管理员, not a 书记 of its first village — 镇级汇总 first, and its 导入数据包…
    takes the villages' packages."""
    from app.services.safety import auth
    from ui.auth.session import sign_in
    from ui.main_window import MainWindow

    ctx = township_ctx
    assert sign_in(ctx)
    me = ctx.call(auth.current_operator)
    assert me is not None and (me.role, me.can_write) == ("township", True)
    township_id = ctx.call(units.township_id)
    assert me.id in {o.id for o in ctx.call(auth.list_operators, township_id)}
    for village in ctx.call(units.list_villages, township_id):  # no 书记 made up for the first village
        assert ctx.call(auth.list_operators, village.id) == []
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.stack.currentWidget().objectName() == "page_township"  # the start page
    page = window.show_page("page_township")
    assert page.packages.btn_import.isEnabled()
    dialog = import_through_dialog(qtbot, page, monkeypatch, list(township_files.packages.values()))
    assert [r.status for r in dialog.results] == ["已导入", "已导入"], dialog.results
    assert {r.village for r in page.packages.model.rows} == set(VILLAGES)
    # 设置: it manages the township's operators and sign-in (its window opened on a village without accounts)
    settings = window.show_page("page_settings")
    assert settings.btn_add_operator.isEnabled() and settings.chk_single.isEnabled()
    assert [o.id for o in settings.operators_model.rows] == [me.id]
