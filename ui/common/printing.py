"""Print an archived PDF as it is: its pages, rendered by app.io.pdf_pages, painted into a QPrinter.

`paint_pdf` fills any QPrinter (a real printer, a PDF file) one page at a time; `PdfPreviewDialog` is the
print preview: the page in view only, rendered when it is shown at the size it is shown (Qt's
QPrintPreviewDialog paints every page up front and keeps them all), with 上一页/下一页, 打印 (any printer)
and 另存为 PDF (a copy of the file itself, not a re-rendering, so the copy still matches the archive).
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QEvent, QMarginsF, QObject, QRectF, QSize, QSizeF, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QImage,
    QKeySequence,
    QPageLayout,
    QPageSize,
    QPaintEngine,
    QPainter,
    QPalette,
)
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLabel,
    QScrollArea,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.io.atomic import copy_file
from app.io.pdf_pages import MIN_DPI, clamp_dpi, open_pdf, page_sizes
from app.services.errors import ServiceError

from ..errors import show_failure, show_service_error, user_errors
from .files import ask_save_path
from .form import within_screen

log = logging.getLogger(__name__)

PDF_FILTER = "PDF 文件 (*.pdf)"
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
    _lay_out(printer, sizes, path.stem)
    return len(sizes)


def _lay_out(printer: QPrinter, sizes: list[tuple[float, float]], name: str) -> None:
    if sizes:
        w, h = sizes[0]
        orientation = QPageLayout.Orientation.Landscape if w > h else QPageLayout.Orientation.Portrait
        printer.setPageLayout(QPageLayout(page_size_for(w, h), orientation, QMarginsF(0, 0, 0, 0)))
    printer.setFullPage(True)
    printer.setDocName(name)


def _streams_images(printer: QPrinter) -> bool:
    """Qt's PDF engine (print to PDF; CUPS printing on Linux) writes an image out as it is drawn, so the
    page's pixels need no copy; other engines (the preview's picture, Windows) may keep the image."""
    engine = printer.paintEngine()
    return engine is not None and engine.type() == QPaintEngine.Type.Pdf


def paint_pdf(printer: QPrinter, path: Path) -> int:
    """Paint every page of the PDF into the printer, one printer page each; returns the pages painted.

    Each page is rendered when its turn comes, at the printer's resolution (capped at 300 dpi), drawn,
    and freed before the next: an 8-page notice printed at 300 dpi peaked at over 500 MB when each page
    was copied twice and converted.
    Scaled to fill the paper, keeping its proportions and centred (the unprintable edge is the printer's).
    """
    dpi = clamp_dpi(printer.resolution())
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


class _PageView(QWidget):
    """The page in view, painted from its one image (a QLabel's pixmap would be a second copy of it)."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("page_view")
        self.image: QImage | None = None
        self.message = ""

    def set_image(self, image: QImage | None, message: str = "") -> None:
        self.image, self.message = image, message
        if image is not None:
            self.resize(image.deviceIndependentSize().toSize())
        elif message:
            self.resize(self.parentWidget().size() if self.parentWidget() is not None else QSize(400, 200))
        self.update()

    def paintEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        if self.image is not None:
            painter.drawImage(0, 0, self.image)
        elif self.message:
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.message)
        painter.end()


class PdfPreviewDialog(QDialog):
    """dlg_print_preview: the PDF's pages as they will print, one at a time; 上一页/下一页 (PgUp/PgDn),
    整页/适合宽度, 打印, 另存为 PDF and 关闭 in its toolbar.

    Only the page in view is rendered, when it comes into view, at the size it is shown (the screen's
    pixels, never more than 300 dpi), and only that picture is kept: an 8-page notice costs what one
    page on screen costs. `painted` counts the pages last sent to a printer, `rendered` the pages drawn
    for the screen.
    """

    def __init__(self, path: Path, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        self.path = Path(path)
        self.sizes = page_sizes(self.path)  # a ServiceError here: nothing opens
        _lay_out(self.printer, self.sizes, self.path.stem)
        self.pages = len(self.sizes)
        self.current = 0
        self.painted = 0
        self.rendered = 0
        self._shown_key: tuple[int, int, int] | None = None  # (page, width, height) of the picture shown
        self.setObjectName("dlg_print_preview")
        self.setWindowTitle(self.tr("打印预览 — {0}").format(title))

        self.toolbar = QToolBar(self)
        self.toolbar.setObjectName("toolbar_preview")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.action_prev_page = self._action("action_prev_page", self.tr("上一页"), self.prev_page,
                                             QKeySequence.StandardKey.MoveToPreviousPage)
        self.label_page = QLabel(self)
        self.label_page.setObjectName("label_page")
        self.label_page.setContentsMargins(8, 0, 8, 0)
        self.toolbar.addWidget(self.label_page)
        self.action_next_page = self._action("action_next_page", self.tr("下一页"), self.next_page,
                                             QKeySequence.StandardKey.MoveToNextPage)
        self.toolbar.addSeparator()
        self.action_fit_page = self._action("action_fit_page", self.tr("整页"), self._refit)
        self.action_fit_width = self._action("action_fit_width", self.tr("适合宽度"), self._refit)
        zoom = QActionGroup(self)
        for action in (self.action_fit_page, self.action_fit_width):
            action.setCheckable(True)
            zoom.addAction(action)
        self.action_fit_page.setChecked(True)
        self.toolbar.addSeparator()
        self.action_print = self._action("action_print", self.tr("打印"), self.print_document,
                                         QKeySequence.StandardKey.Print)
        self.action_print.setToolTip(self.tr("选择打印机并打印全部页"))
        self.action_save_pdf = self._action("action_save_pdf", self.tr("另存为 PDF…"), self.save_pdf)
        self.action_save_pdf.setToolTip(self.tr("把文件原样另存一份（与存档一致，可核验）"))
        self.action_close = self._action("action_close", self.tr("关闭"), self.reject)
        for action, name in ((self.action_print, "btn_print"), (self.action_save_pdf, "btn_save_pdf"),
                             (self.action_close, "btn_close_preview")):
            button = self.toolbar.widgetForAction(action)
            if isinstance(button, QToolButton):
                button.setObjectName(name)

        self.page_view = _PageView(self)
        self.scroll = QScrollArea(self)
        self.scroll.setObjectName("scroll_preview")
        self.scroll.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.scroll.setBackgroundRole(QPalette.ColorRole.Dark)  # the page stands out as paper
        self.scroll.setWidget(self.page_view)
        self.scroll.viewport().installEventFilter(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.scroll, 1)
        # a resize renders once it settles, not at every step of a drag
        self._render_later = QTimer(self, singleShot=True, interval=80, timeout=self.show_page)
        self.resize(within_screen(QSize(1000, 1 << 16)))  # as tall as the screen lets it be, the toolbar in view
        self._update_controls()

    def _action(self, name: str, text: str, slot: object, key: QKeySequence.StandardKey | None = None) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if key is not None:
            action.setShortcut(key)
        action.triggered.connect(slot)
        self.toolbar.addAction(action)
        return action

    # ---- the page in view

    def go_to(self, index: int) -> None:
        index = max(0, min(index, self.pages - 1))
        if index != self.current:
            self.current = index
            self.scroll.verticalScrollBar().setValue(0)  # a new page starts at its top
            self.show_page()

    def next_page(self) -> None:
        self.go_to(self.current + 1)

    def prev_page(self) -> None:
        self.go_to(self.current - 1)

    def _refit(self) -> None:
        self.show_page()

    def _update_controls(self) -> None:
        shown = self.current + 1 if self.pages else 0
        self.label_page.setText(self.tr("第 {0} 页／共 {1} 页").format(shown, self.pages))
        self.action_prev_page.setEnabled(self.current > 0)
        self.action_next_page.setEnabled(self.current < self.pages - 1)
        self.action_print.setEnabled(self.pages > 0)

    def _target_size(self) -> QSize:
        """The page's size on screen in device pixels: the whole page in view, or the view's width."""
        width_pt, height_pt = self.sizes[self.current]
        margin = 16
        if self.action_fit_page.isChecked():
            room = self.scroll.viewport().size()
            scale = min((room.width() - margin) / width_pt, (room.height() - margin) / height_pt)
        else:  # the width less the vertical scroll bar the long page brings, shown or not yet
            inner = self.scroll.width() - 2 * self.scroll.frameWidth()
            scale = (inner - self.scroll.verticalScrollBar().sizeHint().width() - margin) / width_pt
        ratio = self.devicePixelRatioF()
        scale = max(scale, 0.1) * ratio
        return QSize(max(1, round(width_pt * scale)), max(1, round(height_pt * scale)))

    def show_page(self) -> None:
        """Render the page in view at the size it is shown; the picture before it is dropped."""
        self._update_controls()
        if not self.pages or not self.isVisible():
            return
        size = self._target_size()
        key = (self.current, size.width(), size.height())
        if key == self._shown_key:
            return
        self.page_view.set_image(None)  # the page before is freed before the next is rendered
        try:
            image = self._render(size)
        except ServiceError as exc:
            self.page_view.set_image(None, str(exc))
            self._shown_key = None
            return
        image.setDevicePixelRatio(self.devicePixelRatioF())
        self.page_view.set_image(image)
        self._shown_key = key
        self.rendered += 1

    def _render(self, size: QSize) -> QImage:
        """The page at `size` (to a pixel or two: whole dpi), its own copy of the pixels (PDFium's are freed)."""
        width_pt = self.sizes[self.current][0]
        wanted = size.width() / width_pt * 72
        with open_pdf(self.path) as pdf, pdf.render(self.current, wanted) as page:
            image = QImage(page.data, page.width, page.height, page.stride, PAGE_FORMAT)
            if wanted >= MIN_DPI:
                return image.copy()
            # a tiny window: rendered at the least dpi, scaled down smoothly
            return image.scaled(size, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation)

    def showEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        self._render_later.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.scroll.viewport() and event.type() == QEvent.Type.Resize:
            self._render_later.start()
        return super().eventFilter(watched, event)

    # ---- printing and saving

    def print_document(self) -> None:
        """打印: the printer dialog, then every page sent one at a time; the preview closes after."""
        dialog = QPrintDialog(self.printer, self)
        dialog.setObjectName("dlg_print")
        dialog.setWindowTitle(self.tr("打印"))
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.paint(self.printer)
            self.accept()

    def paint(self, printer: QPrinter) -> None:
        """Every page into `printer` (a real printer or a PDF file). Never raises into Qt."""
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
