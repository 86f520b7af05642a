"""Printing an archived PDF renders one page at a time and frees it before the next; the preview renders only
the page in view, when it comes into view (issue 20, point 7)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from app.io import pdf_pages
from ui.common import printing

ROOT = Path(__file__).resolve().parents[2]


def _pdf(path: Path, pages: int) -> Path:
    c = Canvas(str(path), pagesize=A4)
    for i in range(pages):
        c.rect(72, 72, 144, 144, fill=1)  # a black square 1 inch from the bottom-left corner
        c.drawString(72, 300, f"page {i + 1}")
        c.showPage()
    c.save()
    return path


@pytest.fixture
def live_pages(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Counts the rendered pages alive at once, and the resolutions asked for."""
    seen: dict[str, Any] = {"alive": 0, "most": 0, "dpi": [], "rendered": 0, "indexes": []}
    real = pdf_pages.OpenPdf.render

    @contextlib.contextmanager
    def counting(self: Any, index: int, dpi: float = pdf_pages.MAX_DPI) -> Iterator[Any]:
        with real(self, index, dpi) as page:
            seen["alive"] += 1
            seen["most"] = max(seen["most"], seen["alive"])
            seen["dpi"].append(dpi)
            seen["rendered"] += 1
            seen["indexes"].append(index)
            try:
                yield page
            finally:
                seen["alive"] -= 1

    monkeypatch.setattr(pdf_pages.OpenPdf, "render", counting)
    return seen


def test_print_to_pdf_renders_one_page_at_a_time(qapp: Any, tmp_path: Path, live_pages: dict[str, Any]) -> None:
    src = _pdf(tmp_path / "公示.pdf", 5)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printing.setup_printer(printer, src)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "out.pdf"))
    assert printing.paint_pdf(printer, src) == 5
    assert live_pages["rendered"] == 5 and live_pages["most"] == 1
    assert set(live_pages["dpi"]) == {pdf_pages.MAX_DPI}  # the printer's 1200 dpi, capped

    # what was printed is the page: the square where it was, white paper around it
    with pdf_pages.open_pdf(tmp_path / "out.pdf") as out, out.render(4, 72) as page:
        assert len(out) == 5

        def grey(x: int, y: int) -> int:  # B G R 255 pixels, y from the top
            at = y * page.stride + x * 4
            return sum(page.data[at:at + 3]) // 3

        assert grey(20, 20) > 240 and grey(144, page.height - 144) < 20


def _click(qtbot: Any, dialog: Any, action: Any) -> None:
    qtbot.mouseClick(dialog.toolbar.widgetForAction(action), Qt.MouseButton.LeftButton)


def test_preview_renders_only_the_page_in_view(qtbot: Any, tmp_path: Path, live_pages: dict[str, Any]) -> None:
    src = _pdf(tmp_path / "公示.pdf", 5)
    dialog = printing.PdfPreviewDialog(src, "公示")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.rendered == 1)
    assert live_pages["rendered"] == 1 and live_pages["indexes"] == [0]  # one page of five, not all
    assert dialog.label_page.text() == "第 1 页／共 5 页"
    assert not dialog.action_prev_page.isEnabled() and dialog.action_next_page.isEnabled()
    shown = dialog.page_view.image
    room = dialog.scroll.viewport().size()
    assert 0 < shown.width() <= room.width() and 0 < shown.height() <= room.height()  # 整页: all in view

    _click(qtbot, dialog, dialog.action_next_page)
    assert dialog.label_page.text() == "第 2 页／共 5 页" and live_pages["indexes"] == [0, 1]
    qtbot.keyClick(dialog, Qt.Key.Key_PageDown)
    qtbot.keyClick(dialog, Qt.Key.Key_PageDown)
    qtbot.keyClick(dialog, Qt.Key.Key_PageDown)
    qtbot.keyClick(dialog, Qt.Key.Key_PageDown)  # past the last page: stays on it
    assert dialog.label_page.text() == "第 5 页／共 5 页" and not dialog.action_next_page.isEnabled()
    _click(qtbot, dialog, dialog.action_prev_page)
    assert dialog.current == 3 and live_pages["indexes"] == [0, 1, 2, 3, 4, 3]
    assert live_pages["most"] == 1  # each page's pixels freed before the next is rendered

    _click(qtbot, dialog, dialog.action_fit_width)  # 适合宽度: wider than the view is tall
    wide = dialog.page_view.image
    assert wide.width() > shown.width() and wide.height() > dialog.scroll.viewport().height()
    # rendered for the screen at the size shown, far under the printer's 300 dpi
    assert max(live_pages["dpi"]) < pdf_pages.MAX_DPI and dialog.painted == 0
    _click(qtbot, dialog, dialog.action_close)
    assert not dialog.isVisible()


def test_preview_says_in_chinese_why_a_page_cannot_be_shown(qtbot: Any, tmp_path: Path) -> None:
    src = _pdf(tmp_path / "公示.pdf", 2)
    dialog = printing.PdfPreviewDialog(src, "公示")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.rendered == 1)
    src.unlink()  # taken away (a stick pulled out) while the preview is open
    _click(qtbot, dialog, dialog.action_next_page)
    assert dialog.page_view.image is None and dialog.page_view.message.startswith("找不到文件")
    assert dialog.label_page.text() == "第 2 页／共 2 页" and dialog.rendered == 1


def test_print_button_sends_every_page_to_the_chosen_printer(
    qtbot: Any, tmp_path: Path, live_pages: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from pypdf import PdfReader
    from PySide6.QtPrintSupport import QPrintDialog
    from PySide6.QtWidgets import QDialog

    src = _pdf(tmp_path / "公示.pdf", 3)
    dialog = printing.PdfPreviewDialog(src, "公示")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.rendered == 1)
    out = tmp_path / "printed.pdf"
    asked: list[str] = []

    def choose_pdf_printer(print_dialog: QPrintDialog) -> int:  # the user picks 打印到文件 and 确定
        asked.append(print_dialog.windowTitle())
        print_dialog.printer().setOutputFileName(str(out))
        print_dialog.printer().setResolution(150)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(QPrintDialog, "exec", choose_pdf_printer)
    assert dialog.toolbar.widgetForAction(dialog.action_print).text() == "打印"
    _click(qtbot, dialog, dialog.action_print)
    assert asked == ["打印"] and dialog.painted == 3 and len(PdfReader(out).pages) == 3
    assert dialog.result() == QDialog.DialogCode.Accepted and not dialog.isVisible()
    assert live_pages["indexes"] == [0, 0, 1, 2]  # the preview's page, then the printer's three


def test_rendered_pixels_are_freed_with_their_page(tmp_path: Path) -> None:
    src = _pdf(tmp_path / "公示.pdf", 2)
    with pdf_pages.open_pdf(src) as pdf:
        with pdf.render(0, 72) as page:
            data = page.data
            assert len(data) == page.stride * page.height and page.stride >= page.width * 4
        with pytest.raises(ValueError):  # released: nobody can read freed memory through it
            bytes(data)


def test_peak_memory_printing_eight_pages_at_300_dpi(tmp_path: Path) -> None:
    """Measured in a fresh process and reported; the bound only catches a return of every page kept."""
    src = _pdf(tmp_path / "公示.pdf", 8)
    code = (
        "from pathlib import Path\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from PySide6.QtPrintSupport import QPrinter\n"
        "from ui.common.printing import paint_pdf, setup_printer\n"
        "app = QApplication([])\n"
        "p = QPrinter(QPrinter.PrinterMode.HighResolution)\n"
        f"src = Path({str(src)!r})\n"
        "setup_printer(p, src)\n"
        "p.setOutputFormat(QPrinter.OutputFormat.PdfFormat)\n"
        f"p.setOutputFileName({str(tmp_path / 'out.pdf')!r})\n"
        "n = paint_pdf(p, src)\n"
        "hwm = [ln for ln in open('/proc/self/status') if ln.startswith('VmHWM')][0].split()[1]\n"
        "print(n, int(hwm) // 1024)\n"
    )
    if not Path("/proc/self/status").exists():
        pytest.skip("peak memory is read from /proc (Linux)")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env,
                         timeout=180)
    assert out.returncode == 0, out.stderr[-2000:]
    pages, peak_mb = (int(v) for v in out.stdout.split()[-2:])
    print(f"8 pages at 300 dpi to PDF: peak {peak_mb} MB")
    assert pages == 8
    assert peak_mb < 300  # 8 pages kept at 300 dpi would be over 8 × 35 MB on top of Qt's ~55 MB
