"""Bench case of issue 20, point 7: the memory of previewing the 8-page notice (bench.start_print makes it).

preview_notice: the print preview at 1000 × 728 (what a 1366 × 768 screen gives it), every page paged
through with 下一页 in 整页, then back with 上一页 in 适合宽度, as a user reading the notice does. Peak RSS
is the point; compared with the bare pypdfium2 render of the same 8 pages at the 适合宽度 size.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .start_print import Work, notice_file

if TYPE_CHECKING:
    from .cases import Env

PREVIEW_SIZE = (1000, 728)
PAGE_WIDTH_PX = 950  # about the page's width in 适合宽度 in that dialog


def preview_app(env: Env) -> Work:
    from PySide6.QtWidgets import QApplication

    from ui.common.printing import PdfPreviewDialog

    app = QApplication.instance() or QApplication([])
    source = notice_file(env)

    def settle() -> None:
        for _ in range(5):
            app.processEvents()

    def work() -> object:
        dialog = PdfPreviewDialog(source, "公示")
        dialog.resize(*PREVIEW_SIZE)
        dialog.show()
        dialog.show_page()  # the first page, without waiting for the resize timer
        settle()
        while dialog.action_next_page.isEnabled():
            dialog.action_next_page.trigger()
            settle()
        dialog.action_fit_width.trigger()
        while dialog.action_prev_page.isEnabled():
            dialog.action_prev_page.trigger()
            settle()
        assert dialog.pages == 8 and dialog.rendered >= 2 * dialog.pages, (dialog.pages, dialog.rendered)
        dialog.close()
        dialog.deleteLater()
        settle()
        return dialog.rendered

    return work


def preview_bare(env: Env) -> Work:
    import pypdfium2 as pdfium

    source = notice_file(env)

    def work() -> object:
        pdf = pdfium.PdfDocument(str(source))
        try:
            for i in range(len(pdf)):
                page = pdf[i]
                scale = PAGE_WIDTH_PX / page.get_width()
                bitmap = page.render(scale=scale, prefer_bgrx=True, fill_color=(255, 255, 255, 255))
                bitmap.close()
                page.close()
            return len(pdf)
        finally:
            pdf.close()

    return work
