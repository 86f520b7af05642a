"""Print an archived PDF as it is: its pages, rendered by app.io.pdf_pages, painted into a QPrinter.

`paint_pdf` is the paint callback (it fills any QPrinter: a real printer, the preview, a PDF file);
`PdfPreviewDialog` is the print preview with 打印 (any printer) and 另存为 PDF (a copy of the file itself,
not a re-rendering, so the copy still matches the archive).
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import QAction, QGuiApplication, QImage, QPageLayout, QPageSize, QPaintEngine, QPainter
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QApplication, QToolBar, QWidget

from app.io.atomic import copy_file
from app.io.pdf_pages import clamp_dpi, open_pdf, page_sizes
from app.services.errors import ServiceError

from ..errors import show_failure, show_service_error, user_errors
from .files import ask_save_path
from .form import within_screen

log = logging.getLogger(__name__)

PDF_FILTER = "PDF 文件 (*.pdf)"
PREVIEW_DPI = 150  # the most the preview renders at (it keeps every page in memory)
# OpenPdf.render gives B G R 255 in memory: 0xffRRGGBB on the little-endian (x86/ARM) machines this runs on
PAGE_FORMAT = QImage.Format.Format_RGB32
_STANDARD_SIZES = (QPageSize.PageSizeId.A4, QPageSize.PageSizeId.A3, QPageSize.PageSizeId.A5,
                   QPageSize.PageSizeId.B5, QPageSize.PageSizeId.Letter)


def page_size_for(width_pt: float, height_pt: float) -> QPageSize:
    """The standard paper (A4, A3 …) within 2 pt of the page's size, else a custom size."""
    portrait = QSizeF(min(width_pt, height_pt), max(width_pt, height_pt))
    for size_id in _STANDARD_SIZES:
        standard = QPageSize(size_id).size(QPageSize.Unit.Point)
        if abs(standard.width() - portrait.width()) < 2 and abs(standard.height() - portrait.height()) < 2:
            return QPageSize(size_id)
    return QPageSize(portrait, QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.ExactMatch)


def setup_printer(printer: QPrinter, path: Path) -> int:
    """Paper and orientation from the PDF's first page, no extra margins (the PDF has its own).

    Returns the number of pages.
    """
    sizes = page_sizes(path)
    if sizes:
        w, h = sizes[0]
        orientation = QPageLayout.Orientation.Landscape if w > h else QPageLayout.Orientation.Portrait
        printer.setPageLayout(QPageLayout(page_size_for(w, h), orientation, QMarginsF(0, 0, 0, 0)))
    printer.setFullPage(True)
    printer.setDocName(path.stem)
    return len(sizes)


def is_preview(printer: QPrinter) -> bool:
    """Painting for the preview on screen (Qt records it as a picture), not for paper or a file."""
    engine = printer.paintEngine()
    return engine is not None and engine.type() == QPaintEngine.Type.Picture


def preview_dpi() -> int:
    """The preview is painted at the screen's resolution (it holds every page; more is not seen)."""
    screen = QGuiApplication.primaryScreen()
    dpi = screen.logicalDotsPerInch() * screen.devicePixelRatio() if screen is not None else PREVIEW_DPI
    return clamp_dpi(min(PREVIEW_DPI, dpi))


def _streams_images(printer: QPrinter) -> bool:
    """Qt's PDF engine (print to PDF; CUPS printing on Linux) writes an image out as it is drawn, so the
    page's pixels need no copy; other engines (the preview's picture, Windows) may keep the image."""
    engine = printer.paintEngine()
    return engine is not None and engine.type() == QPaintEngine.Type.Pdf


def paint_pdf(printer: QPrinter, path: Path) -> int:
    """Paint every page of the PDF into the printer, one printer page each; returns the pages painted.

    Each page is rendered when its turn comes, at the printer's resolution (capped at 300 dpi; the
    screen's for the on-screen preview, which holds all pages), drawn, and freed before the next: an
    8-page notice printed at 300 dpi peaked at over 500 MB when each page was copied twice and converted.
    Scaled to fill the paper, keeping its proportions and centred (the unprintable edge is the printer's).
    """
    dpi = clamp_dpi(printer.resolution())
    if is_preview(printer):
        dpi = min(dpi, preview_dpi())
    painter = QPainter()
    if not painter.begin(printer):
        raise ServiceError("无法开始打印：请检查打印机是否连接、是否有权限写入输出文件。")
    painted = 0
    try:
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        keep_copy = not _streams_images(printer)
        with open_pdf(path) as pdf:
            for index in range(len(pdf)):
                if painted and not printer.newPage():
                    break
                with pdf.render(index, dpi) as page:
                    paper = QRectF(printer.paperRect(QPrinter.Unit.DevicePixel))
                    paper.moveTo(0, 0)
                    scale = min(paper.width() / page.width, paper.height() / page.height)
                    target = QRectF(0, 0, page.width * scale, page.height * scale)
                    target.moveCenter(paper.center())
                    image = QImage(page.data, page.width, page.height, page.stride, PAGE_FORMAT)
                    painter.drawImage(target, image.copy() if keep_copy else image)
                    del image  # gone before the page's pixels are freed at the end of the `with`
                painted += 1
    finally:
        painter.end()
    return painted


class PdfPreviewDialog(QPrintPreviewDialog):
    """dlg_print_preview: the PDF's pages as they will print; 打印 and 另存为 PDF in its toolbar."""

    def __init__(self, path: Path, title: str, parent: QWidget | None = None) -> None:
        self.printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        self.path = Path(path)
        self.pages = setup_printer(self.printer, self.path)  # a ServiceError here: nothing opens
        super().__init__(self.printer, parent)
        self.setObjectName("dlg_print_preview")
        self.setWindowTitle(self.tr("打印预览 — {0}").format(title))
        self.painted = 0
        self.paintRequested.connect(self.paint)
        self.action_save_pdf = QAction(self.tr("另存为 PDF…"), self)
        self.action_save_pdf.setObjectName("action_save_pdf")
        self.action_save_pdf.setToolTip(self.tr("把公示文件原样另存一份（与存档一致，可核验）"))
        self.action_save_pdf.triggered.connect(self.save_pdf)
        toolbar = self.findChild(QToolBar)
        if toolbar is not None:
            toolbar.addSeparator()
            toolbar.addAction(self.action_save_pdf)
            button = toolbar.widgetForAction(self.action_save_pdf)
            if button is not None:
                button.setObjectName("btn_save_pdf")
                button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.resize(within_screen(QSize(1000, 1 << 16)))  # as tall as the screen lets it be, the toolbar in view

    def paint(self, printer: QPrinter) -> None:
        """paintRequested: for the preview and for the real printer alike. Never raises into Qt."""
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.painted = paint_pdf(printer, self.path)
        except ServiceError as exc:
            show_service_error(self, exc)
        except Exception as exc:
            log.info("printing %s failed", self.path)
            show_failure(self, exc)
        finally:
            QApplication.restoreOverrideCursor()

    def save_pdf(self) -> None:
        target = ask_save_path(self, self.tr("另存为 PDF"), self.path.name, self.tr(PDF_FILTER), ".pdf", "notices")
        if target is None or target.resolve() == self.path.resolve():
            return
        with user_errors(self):
            copy_file(self.path, target)
