"""公示与台账, driven like a user: a notice made by the CLI in the list, a new one through the dialog,
print preview into a PDF printer, objections logged and resolved, a file verified, ledgers exported
(cancelled → no file; finished → the sheets asked for)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog, QProgressDialog, QPushButton, QSpinBox

from app.cli import main as cli_main
from app.db import open_database, resolve_url
from app.services.context import AppContext
from app.services.ledgers import export as ledgers
from app.services.notices import archive as notices

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def cli_notice(demo_db_path: Path, tmp_path: Path) -> Path:
    """A 发展党员公示 made through the command line on a copy of the demo village."""
    pdf = tmp_path / "公示" / "发展党员公示.pdf"
    assert cli_main(["--db", str(demo_db_path), "notice", "party-candidates", "-o", str(pdf)]) == 0
    assert pdf.is_file()
    return pdf


@pytest.fixture
def ctx(cli_notice: Path, demo_db_path: Path) -> Iterator[AppContext]:
    db = open_database(resolve_url(demo_db_path))
    yield AppContext(db)
    db.dispose()


@pytest.fixture
def popups(monkeypatch: pytest.MonkeyPatch, no_popups: Any) -> Any:
    import ui.notices.export_dialog
    import ui.notices.page

    for module in (ui.notices.page, ui.notices.export_dialog):
        monkeypatch.setattr(module, "QMessageBox", no_popups)
    return no_popups


@pytest.fixture
def notices_window(qtbot: Any, ctx: AppContext, popups: Any) -> Any:
    from ui.main_window import MainWindow

    window = MainWindow(ctx)
    qtbot.addWidget(window)  # pytest-qt keeps only a weak reference: this fixture keeps the window alive
    window.show()
    qtbot.waitExposed(window)
    return window


@pytest.fixture
def page(notices_window: Any) -> Any:
    p = notices_window.show_page("page_notices")
    assert notices_window.stack.currentWidget() is p
    return p


def _select(page: Any, pdf: Path) -> int:
    """Click the row of the notice saved as `pdf` (the demo village may hold notices of its own)."""
    row = page.notices_model.find_row(lambda r: r.path == pdf.resolve())
    assert row >= 0, f"{pdf.name} is not listed"
    rect = page.table_notices.visualRect(page.notices_model.index(row, 0))
    QTest.mouseClick(page.table_notices.viewport(), LEFT, Qt.KeyboardModifier.NoModifier, rect.center())
    assert page.current_notice().path == pdf.resolve()
    return row


def _files(monkeypatch: pytest.MonkeyPatch, save: Path | None = None, open_: Path | None = None) -> None:
    import ui.common.files as files

    if save is not None:
        monkeypatch.setattr(files.QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(save), "")))
    if open_ is not None:
        monkeypatch.setattr(files.QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(open_), "")))


def _forge(ctx: AppContext, pdf: Path, out: Path, monkeypatch: pytest.MonkeyPatch) -> bytes:
    """The notice saved as `pdf` with one name changed, keeping its 公示编号 and 校验码 (as an edit in
    another PDF program would): the bytes written to `out`."""
    from app.io import notice_pdf
    from app.io.notices import find_marker, render_notice
    from app.io.pdf_pages import read_text
    from app.services.notices.verify import _named_notice

    number, code = find_marker(*read_text(pdf)).claimed  # type: ignore[misc]
    doc = ctx.call(lambda s: notices.archived_document(_named_notice(s, number)))  # type: ignore[arg-type]
    rows = [list(r) for r in doc.rows]
    name_at = [c.header for c in doc.columns].index("姓名")
    rows[0][name_at] = "王改名"
    doc.rows = rows
    with monkeypatch.context() as m:
        m.setattr(notice_pdf, "notice_code", lambda _doc, _rows: code)
        render_notice(doc, out)
    return out.read_bytes()


def _drive(monkeypatch: pytest.MonkeyPatch, cls: type[QDialog], fill: Any, seen: list[QDialog]) -> None:
    """cls.exec shows the dialog, lets `fill` act like the user (type, click), returns its result."""

    def fake_exec(self: QDialog) -> int:
        seen.append(self)
        self.show()
        fill(self)
        return int(self.result())

    monkeypatch.setattr(cls, "exec", fake_exec)


def test_page_lists_the_cli_notice(page: Any, cli_notice: Path) -> None:
    model = page.notices_model
    assert page.objectName() == "page_notices"
    i = _select(page, cli_notice)
    row = model.row_at(i)
    assert row.kind_label == "发展党员公示" and row.status == "公示中" and row.path == cli_notice.resolve()
    texts = [model.index(i, c).data() for c in range(model.columnCount())]
    assert texts[0] == row.number and "至" in texts[3] and texts[4] == "公示中" and texts[5] == "0"
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(6)] == [
        "编号", "类别", "标题", "公示期", "状态", "异议"]
    assert page.btn_preview_notice.isEnabled() and not page.btn_resolve_objection.isEnabled()


def test_generate_notice_through_dialog(
    qtbot: Any, page: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, popups: Any
) -> None:
    from ui.common import files
    from ui.notices.dialogs import NewNoticeDialog

    out = tmp_path / "新" / "网格员公示"  # no suffix typed: .pdf is added
    out.parent.mkdir()
    _files(monkeypatch, save=out)
    seen: list[QDialog] = []

    def fill(d: Any) -> None:
        d.select_kind("grid-contacts")
        d.paper.setCurrentIndex(d.paper.findData("A3"))
        d.start.setText("2026-01-05")
        d.days.setValue(7)
        d.day_unit.setCurrentIndex(d.day_unit.findData(False))  # 7 天
        qtbot.mouseClick(d.btn_save, LEFT)

    _drive(monkeypatch, NewNoticeDialog, fill, seen)
    before = page.notices_model.rowCount()
    qtbot.mouseClick(page.btn_new_notice, LEFT)
    assert seen and seen[0].objectName() == "dlg_new_notice" and seen[0].result() == QDialog.DialogCode.Accepted
    pdf = out.with_name("网格员公示.pdf")
    assert pdf.is_file() and len(PdfReader(pdf).pages) >= 1
    assert page.notices_model.rowCount() == before + 1
    row = page.current_notice()
    assert row.kind == "grid-contacts" and row.paper == "A3" and row.path == pdf.resolve()
    assert (row.period_start, row.period_end) == (date(2026, 1, 5), date(2026, 1, 11))
    assert row.status == "已结束"
    assert popups.shown[-1][0] == "information" and "已生成公示" in popups.shown[-1][2]
    assert files.last_folder("notices") == out.parent  # the next save dialog opens there


def test_bad_start_date_keeps_dialog_open(qtbot: Any, page: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from ui.notices.dialogs import NewNoticeDialog

    seen: list[QDialog] = []

    def fill(d: Any) -> None:
        d.start.setText("2026-02-30")
        qtbot.mouseClick(d.btn_save, LEFT)
        assert d.isVisible() and d.errors["start"].isVisible()
        assert "不存在" in d.errors["start"].text()
        d.reject()

    _drive(monkeypatch, NewNoticeDialog, fill, seen)
    before = page.notices_model.rowCount()
    qtbot.mouseClick(page.btn_new_notice, LEFT)
    assert seen and page.notices_model.rowCount() == before


def test_preview_paints_every_page_into_a_pdf_printer(
    qtbot: Any, page: Any, cli_notice: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui.common.printing import PdfPreviewDialog

    opened: list[PdfPreviewDialog] = []
    monkeypatch.setattr(PdfPreviewDialog, "exec", lambda self: opened.append(self) or 0)
    _select(page, cli_notice)
    page.table_notices.setFocus()
    qtbot.keyClick(page.table_notices, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)  # Ctrl+P
    assert len(opened) == 1, "Ctrl+P opens the print preview"
    dialog = opened[0]
    qtbot.addWidget(dialog)
    assert dialog.objectName() == "dlg_print_preview"
    source_pages = len(PdfReader(cli_notice).pages)
    assert dialog.pages == source_pages
    dialog.show()  # the preview renders the page in view, not every page
    qtbot.waitUntil(lambda: dialog.rendered == 1, timeout=20_000)
    assert dialog.painted == 0

    out = tmp_path / "printed.pdf"
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(out))
    printer.setResolution(150)
    dialog.paint(printer)
    assert dialog.painted == source_pages
    assert out.is_file() and len(PdfReader(out).pages) == source_pages
    box = PdfReader(out).pages[0].mediabox  # A4 portrait, like the notice
    assert abs(float(box.width) - 595) < 3 and abs(float(box.height) - 842) < 3

    copy = tmp_path / "副本.pdf"
    _files(monkeypatch, save=copy)
    dialog.action_save_pdf.trigger()  # 另存为 PDF: the very same bytes
    assert copy.read_bytes() == cli_notice.read_bytes()


def test_preview_button_opens_preview(
    qtbot: Any, page: Any, cli_notice: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui.common.printing import PdfPreviewDialog

    opened: list[PdfPreviewDialog] = []
    monkeypatch.setattr(PdfPreviewDialog, "exec", lambda self: opened.append(self) or 0)
    _select(page, cli_notice)
    qtbot.mouseClick(page.btn_preview_notice, LEFT)
    assert len(opened) == 1 and opened[0].pages >= 1
    opened[0].deleteLater()


def test_objection_logged_and_resolved(
    qtbot: Any, page: Any, cli_notice: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui.notices.dialogs import ObjectionDialog, ResolveObjectionDialog

    seen: list[QDialog] = []
    i = _select(page, cli_notice)

    def fill_objection(d: Any) -> None:
        d.raised_by.setText("王五")
        d.subject.setText("李四")
        qtbot.mouseClick(d.btn_save, LEFT)  # no content yet: the service says so beside the field
        assert d.isVisible() and d.errors["content"].isVisible()
        d.content.setPlainText("李四长期不参加组织生活，不宜接收为预备党员。")
        qtbot.mouseClick(d.btn_save, LEFT)

    _drive(monkeypatch, ObjectionDialog, fill_objection, seen)
    qtbot.mouseClick(page.btn_add_objection, LEFT)
    assert seen[-1].objectName() == "dlg_objection" and seen[-1].result() == QDialog.DialogCode.Accepted
    notice = page.current_notice()
    assert (notice.objections, notice.open_objections) == (1, 1)
    assert page.notices_model.index(i, 5).data() == "1（未处理 1）"
    assert page.objections_model.rowCount() == 1
    assert page.objections_model.index(0, 1).data() == "王五"
    assert page.objections_model.index(0, 4).data() == "（未处理）"
    assert page.btn_resolve_objection.isEnabled()

    def fill_resolution(d: Any) -> None:
        d.resolution.setPlainText("经支委会核实，李四按时参加组织生活，异议不成立，已当面答复。")
        qtbot.mouseClick(d.btn_save, LEFT)

    _drive(monkeypatch, ResolveObjectionDialog, fill_resolution, seen)
    qtbot.mouseClick(page.btn_resolve_objection, LEFT)
    assert seen[-1].objectName() == "dlg_resolve_objection"
    notice = page.current_notice()
    assert (notice.objections, notice.open_objections) == (1, 0)
    assert page.notices_model.index(i, 5).data() == "1（均已处理）"
    assert page.objections_model.index(0, 4).data().startswith("经支委会核实")
    assert page.objections_model.index(0, 5).data() == date.today().isoformat()


def test_verify_file_through_button(
    page: Any, qtbot: Any, cli_notice: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, popups: Any,
    ctx: AppContext,
) -> None:
    _files(monkeypatch, open_=cli_notice)
    qtbot.mouseClick(page.btn_verify_notice, LEFT)
    kind, _title, text = popups.shown[-1]
    assert kind == "information" and "一致" in text and "不一致" not in text

    changed = tmp_path / "改过的.pdf"
    _forge(ctx, cli_notice, changed, monkeypatch)
    _files(monkeypatch, open_=changed)
    qtbot.mouseClick(page.btn_verify_notice, LEFT)
    kind, _title, text = popups.shown[-1]
    assert kind == "warning" and "内容与存档不一致：第 1 行" in text and "王改名" in text


def test_open_lost_file_regenerates_it(
    page: Any, qtbot: Any, cli_notice: Path, monkeypatch: pytest.MonkeyPatch, popups: Any
) -> None:
    import ui.notices.page as notices_page

    opened: list[str] = []

    class FakeDesktop:
        @staticmethod
        def openUrl(url: Any) -> bool:  # noqa: N802 - Qt's name
            opened.append(url.toLocalFile())
            return True

    monkeypatch.setattr(notices_page, "QDesktopServices", FakeDesktop)
    _select(page, cli_notice)
    original = cli_notice.read_bytes()
    cli_notice.unlink()
    qtbot.mouseClick(page.btn_open_notice, LEFT)
    assert popups.shown[-1][0] == "question" and "不在原处" in popups.shown[-1][2]
    assert cli_notice.read_bytes() == original  # re-made from the archive, byte for byte
    assert opened == [str(cli_notice.resolve())]


def _export_dialog(qtbot: Any, page: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    from ui.notices.export_dialog import LedgerExportDialog

    opened: list[LedgerExportDialog] = []
    monkeypatch.setattr(LedgerExportDialog, "exec", lambda self: opened.append(self) or 0)
    qtbot.mouseClick(page.btn_export_ledger, LEFT)
    dialog = opened[0]
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.objectName() == "dlg_export_ledger"
    return dialog


def test_cancelled_export_leaves_no_file(
    qtbot: Any, page: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    started, release = threading.Event(), threading.Event()
    request.addfinalizer(release.set)  # never leave the worker waiting, whatever fails
    real = ledgers.export_ledgers

    def held(s: Any, *args: Any, progress: Any = None, cancel: Any = None, **kwargs: Any) -> Any:
        def slow_progress(done: int, total: int) -> None:  # hold the writer mid-way until the user cancels
            if done > 0 and not started.is_set():
                started.set()
                release.wait(10)
            progress(done, total)

        return real(s, *args, progress=slow_progress, cancel=cancel, **kwargs)

    monkeypatch.setattr(ledgers, "export_ledgers", held)
    dialog = _export_dialog(qtbot, page, monkeypatch)
    for kind, check in dialog.checks.items():
        check.setChecked(kind in ("members", "households"))
    out = tmp_path / "台账" / "台账.xlsx"
    dialog.edit_output.setText(str(out))
    qtbot.mouseClick(dialog.btn_export, LEFT)
    assert dialog.job is not None and dialog.job.running
    assert started.wait(10)
    progress = dialog.findChild(QProgressDialog, "progress_export")
    qtbot.waitUntil(progress.isVisible, timeout=5_000)  # shown after a moment, with 取消
    qtbot.mouseClick(progress.findChild(QPushButton), LEFT)
    release.set()
    qtbot.waitUntil(lambda: not dialog.job.running, timeout=20_000)
    assert "已取消" in dialog.lbl_status.text()
    assert not out.exists()
    assert not out.parent.exists() or list(out.parent.iterdir()) == []  # no temp file left either
    assert dialog.btn_export.isEnabled() and dialog.isVisible()


def test_export_writes_the_chosen_sheets(
    qtbot: Any, page: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, popups: Any
) -> None:
    from ui.common import files

    dialog = _export_dialog(qtbot, page, monkeypatch)
    for kind, check in dialog.checks.items():
        check.setChecked(kind in ("members", "grid-posts"))
    dialog.spin_year.setValue(2025)
    out = tmp_path / "报乡镇" / "党员与网格员"
    out.parent.mkdir()
    _files(monkeypatch, save=out)
    qtbot.mouseClick(dialog.btn_choose_output, LEFT)
    assert dialog.edit_output.text() == str(out) + ".xlsx"
    qtbot.mouseClick(dialog.btn_export, LEFT)
    qtbot.waitUntil(lambda: dialog.exported is not None, timeout=30_000)
    assert dialog.result() == QDialog.DialogCode.Accepted
    book = openpyxl.load_workbook(out.with_suffix(".xlsx"), read_only=True)
    assert book.sheetnames == ["党员花名册", "网格员信息表"]
    assert "2025" in str(book["党员花名册"]["A1"].value)
    assert popups.shown[-1][0] == "information"
    assert files.last_folder("ledgers") == out.parent
    again = _export_dialog(qtbot, page, monkeypatch)  # the next time: the same ledgers ticked
    assert again.kinds() == ["members", "grid-posts"]


def test_grid_staff_are_offered_their_ledgers_only(qtbot: Any, ctx: AppContext) -> None:
    from app.services.output_kinds import LEDGER_KINDS
    from tests.app.roles import as_, make_staff
    from ui.notices.export_dialog import LedgerExportDialog

    staff = make_staff(ctx)
    dialog = LedgerExportDialog(as_(ctx, staff["grid"]), ctx.unit_id)
    qtbot.addWidget(dialog)
    assert list(dialog.checks) == [k for k in LEDGER_KINDS if k in ledgers.GRID_STAFF_KINDS]
    assert dialog.kinds() and set(dialog.kinds()) <= set(ledgers.GRID_STAFF_KINDS)
    clerk = LedgerExportDialog(as_(ctx, staff["clerk"]), ctx.unit_id)
    qtbot.addWidget(clerk)
    assert list(clerk.checks) == list(LEDGER_KINDS)


def test_export_ledger_menu_action(qtbot: Any, page: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtGui import QAction

    from ui.notices.export_dialog import LedgerExportDialog

    opened: list[Any] = []
    monkeypatch.setattr(LedgerExportDialog, "exec", lambda self: opened.append(self) or 0)
    window = page.window()
    window.findChild(QAction, "action_export_ledger").trigger()
    assert len(opened) == 1


def test_changed_file_is_not_printed(
    page: Any, qtbot: Any, cli_notice: Path, monkeypatch: pytest.MonkeyPatch, popups: Any, ctx: AppContext,
    tmp_path: Path,
) -> None:
    """A changed file is not printed: the user is asked, and 否 leaves it alone."""
    from ui.common.printing import PdfPreviewDialog

    opened: list[Any] = []
    monkeypatch.setattr(PdfPreviewDialog, "exec", lambda self: opened.append(self) or 0)
    monkeypatch.setattr(popups, "question", classmethod(lambda cls, *a: cls._record("question", *a) and 0x10000))
    data = _forge(ctx, cli_notice, tmp_path / "forged.pdf", monkeypatch)
    cli_notice.write_bytes(data)
    _select(page, cli_notice)
    qtbot.mouseClick(page.btn_preview_notice, LEFT)
    assert popups.shown[-1][0] == "question" and "不一致" in popups.shown[-1][2]
    assert opened == [] and cli_notice.read_bytes() == bytes(data)
    assert notices.STATUS_OPEN == page.current_notice().status


def test_notice_rows_as_posted_with_a_filter(page: Any, cli_notice: Path, qtbot: Any,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from ui.notices.rows_dialog import NoticeRowsDialog

    _select(page, cli_notice)
    seen: list[QDialog] = []
    read: list[tuple[list[str], int, int, str]] = []

    def look(d: Any) -> None:
        headers = [d.table.horizontalHeaderItem(j).text() for j in range(d.table.columnCount())]
        name = d.table.item(0, 1).text()
        qtbot.keyClicks(d.edit_filter, "zzz-none")
        hidden_all = sum(not d.table.isRowHidden(i) for i in range(d.table.rowCount()))
        d.edit_filter.clear()
        d.edit_filter.setText(name)  # (QTest types Latin-1 only)
        read.append((headers, d.table.rowCount(), hidden_all, d.label_count.text()))
        qtbot.mouseClick(d.btn_close, LEFT)

    _drive(monkeypatch, NoticeRowsDialog, look, seen)
    qtbot.mouseClick(page.btn_notice_rows, LEFT)
    columns, rows = page.ctx.call(notices.notice_table, page.current_notice().id)
    headers, count, shown_for_nonsense, label = read[0]
    assert headers == [c["header"] for c in columns] and count == len(rows) >= 3
    assert shown_for_nonsense == 0 and label.endswith(f"/ {len(rows)} 条") and not label.startswith("0 ")


def test_new_notice_has_a_year_field(
    qtbot: Any, page: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, popups: Any
) -> None:
    """生成公示 asks for the 年度: last year's ranking 公示 can be made (as in January)."""
    from ui.notices.dialogs import NewNoticeDialog

    out = tmp_path / "积分公示.pdf"
    _files(monkeypatch, save=out)
    seen: list[QDialog] = []
    defaults: dict[str, int] = {}

    def fill(d: Any) -> None:
        d.select_kind("grid-contacts")
        defaults["grid-contacts"] = d.year.value()
        d.select_kind("points")
        defaults["points"] = d.year.value()
        assert d.findChild(QSpinBox, "field_year") is d.year and "年度" in d.labels["year"]
        d.year.setValue(2025)  # the demo's published 2025 assessment
        qtbot.mouseClick(d.btn_save, LEFT)

    _drive(monkeypatch, NewNoticeDialog, fill, seen)
    qtbot.mouseClick(page.btn_new_notice, LEFT)
    assert seen[0].result() == QDialog.DialogCode.Accepted, popups.shown
    assert defaults == {"grid-contacts": date.today().year,
                        "points": notices.default_notice_year("points", date.today())}
    row = page.current_notice()
    assert row.kind == "points" and row.year == 2025 and "2025" in row.title and row.path == out.resolve()


def test_default_notice_year_in_january() -> None:
    assert notices.default_notice_year("points", date(2027, 1, 15)) == 2026
    assert notices.default_notice_year("stars", date(2027, 1, 31)) == 2026
    assert notices.default_notice_year("points", date(2027, 2, 1)) == 2027
    assert notices.default_notice_year("grid-contacts", date(2027, 1, 15)) == 2027


def test_printing_twice_asks_nothing(
    page: Any, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, popups: Any
) -> None:
    """The demo's 星级文明户公示 has no file: the first 打印预览 re-makes it where the user says, the
    archive remembers that file, and the second 打印预览 asks nothing and prints the same file."""
    import ui.common.files as files
    from ui.common.printing import PdfPreviewDialog

    opened: list[Any] = []
    monkeypatch.setattr(PdfPreviewDialog, "exec", lambda self: opened.append(self) or 0)
    saved = tmp_path / "星级公示.pdf"
    asked: list[str] = []

    def save_dialog(*_a: Any, **_k: Any) -> tuple[str, str]:
        asked.append("save")
        return str(saved), ""

    monkeypatch.setattr(files.QFileDialog, "getSaveFileName", staticmethod(save_dialog))
    row = page.notices_model.find_row(lambda r: r.kind == "stars")
    assert row >= 0 and page.notices_model.row_at(row).path is None
    page.table_notices.select_row(row)
    stars_id = page.current_notice().id

    qtbot.mouseClick(page.btn_preview_notice, LEFT)
    first_popups = len(popups.shown)
    assert asked == ["save"] and saved.is_file() and len(opened) == 1
    assert page.current_notice().id == stars_id and page.current_notice().path == saved.resolve()
    printed = saved.read_bytes()

    qtbot.mouseClick(page.btn_preview_notice, LEFT)
    assert asked == ["save"] and len(popups.shown) == first_popups  # no question, no save dialog
    assert len(opened) == 2 and saved.read_bytes() == printed
    assert page.current_notice().id == stars_id
