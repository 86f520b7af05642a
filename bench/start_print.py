"""Bench cases of issue 20, point 7: the window's start-up, and the memory of printing a notice.

window: from process start (bench.worker's T0, before any import) to the main window shown on the
county database with its first page painted — the CLI's path, in its order: app.cli and the core, the
window found through its entry points (Qt imported there), Qt application and fonts, the database
opened with its migration check, sign-in, the window. Compared with bare PySide6 showing an empty
QMainWindow in the same run.

print_notice: an 8-page 公示 (the county's first 100 党员, made once per run in a separate process so
reportlab stays out of the measured one) printed to a PDF file through QPrinter(PdfFormat) at the
printer's resolution (300 dpi after the cap), as 打印 → 另存为 PDF / a PDF printer does. Peak RSS is
the point; compared with the bare pypdfium2 render of the same pages at 300 dpi.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .cases import Env

Work = Callable[[], object]
NOTICE_ROWS = 100  # 8 A4 pages with the 党员 columns below
PRINT_DPI = 300


def window_app(env: Env) -> Work:
    def work() -> object:
        # the program's order (villagedesk → app.cli:main → cmd_gui): the core first, then the window looked up
        # through its entry points, which imports Qt. PySide's import hook reads the source of every module
        # imported after Qt: with Qt first, sqlalchemy's and the models' ~190 modules too (0.05–0.1 s the
        # program never pays); the CLI's own imports and entry-point lookups are counted instead.
        from app import cli
        from app.db import open_database
        from app.services.context import AppContext

        cli._gui_entry("run"), cli._gui_entry("error")
        from PySide6.QtWidgets import QApplication

        from ui.auth.session import sign_in
        from ui.main import make_application, setup_fonts
        from ui.main_window import MainWindow

        app = make_application([])
        setup_fonts(app)
        ctx = AppContext(open_database(env.url))  # as the CLI opens it: migration check included
        assert sign_in(ctx)
        window = MainWindow(ctx)
        window.show()
        QApplication.processEvents()
        page = window.stack.currentWidget()
        assert page is not None and page.isVisible(), "no first page"
        window.repaint()  # the first page painted, not only laid out
        assert window.nav.currentRow() >= 0
        return window

    return work


def window_bare(env: Env) -> Work:
    def work() -> object:
        from PySide6.QtWidgets import QApplication, QMainWindow

        app = QApplication.instance() or QApplication([])
        window = QMainWindow()
        window.resize(1200, 700)
        window.show()
        app.processEvents()
        window.repaint()
        return window

    return work


_MAKE_NOTICE = """
import sqlite3, sys
from datetime import date
from pathlib import Path
from app.io.notices import NoticeColumn, NoticeDocument, render_notice
db, out, n = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
with sqlite3.connect(db) as con:
    rows = [list(r) for r in con.execute(
        "SELECT r.name, r.gender, o.name, r.id_number, r.phone, m.joined_on FROM party_members m "
        "JOIN residents r ON r.id = m.resident_id JOIN party_orgs o ON o.id = m.org_id ORDER BY m.id LIMIT ?", (n,))]
columns = [NoticeColumn("姓名", "name"), NoticeColumn("性别"), NoticeColumn("所在支部"),
           NoticeColumn("身份证号", "id"), NoticeColumn("联系电话", "phone"), NoticeColumn("入党日期", "date")]
doc = NoticeDocument(
    title="关于2026年度党员积分评定结果的公示", body="经支部委员会评定，现将结果公示如下。", columns=columns, rows=rows,
    period_start=date(2026, 11, 2), period_end=date(2026, 11, 8), issuer="中共香河县城关镇委员会",
    issued_on=date(2026, 11, 1), number="2026-0001", contact_person="王建国", contact_phone="0316-8123456",
    objection_box="镇政府大门东侧")
print(render_notice(doc, out).pages)
"""


def notice_file(env: Env) -> Path:
    """The 8-page notice both sides print (made once per bench run, outside the measured process)."""
    out = env.workdir / "print-notice.pdf"
    if not out.exists():
        part = out.with_suffix(".part.pdf")
        subprocess.run([sys.executable, "-c", _MAKE_NOTICE, str(env.db), str(part), str(NOTICE_ROWS)],
                       check=True, capture_output=True, timeout=300)
        part.replace(out)
    return out


def print_app(env: Env) -> Work:
    from PySide6.QtPrintSupport import QPrinter
    from PySide6.QtWidgets import QApplication

    from ui.common.printing import paint_pdf, setup_printer

    QApplication.instance() or QApplication([])
    source = notice_file(env)
    target = env.workdir / "printed.pdf"

    def work() -> object:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)  # 1200 dpi asked: 300 after the cap
        setup_printer(printer, source)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(target))
        pages = paint_pdf(printer, source)
        assert pages >= 1 and target.stat().st_size > 0
        return pages

    return work


def print_bare(env: Env) -> Work:
    import pypdfium2 as pdfium

    source = notice_file(env)

    def work() -> object:
        pdf = pdfium.PdfDocument(str(source))
        try:
            for i in range(len(pdf)):
                page = pdf[i]
                bitmap = page.render(scale=PRINT_DPI / 72, prefer_bgrx=True, fill_color=(255, 255, 255, 255))
                bitmap.close()
                page.close()
            return len(pdf)
        finally:
            pdf.close()

    return work
