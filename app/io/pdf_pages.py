"""A PDF's pages as pixels, for printing an archived 公示 exactly as it was filed (pypdfium2, no Qt).

Qt's widgets cannot read a PDF without the QtPdf add-on (~60 MB); PDFium, through pypdfium2, is a few
MB, has wheels for Windows and Linux and draws the embedded CJK subset fonts exactly as a PDF reader
does. The view paints the pages into a QPrinter (ui.common.printing); this module only reads the file.

One page is rendered at a time (a 300 dpi A4 page is ~26 MB as RGB), so memory stays flat however
long the notice is. Resolution is capped at MAX_DPI: more gains nothing on an office printer.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app.services.errors import ServiceError

if TYPE_CHECKING:
    import pypdfium2 as pdfium

# pypdfium2 is imported when a PDF is opened (printing an archived 公示), not when the window starts.

MAX_DPI = 300
MIN_DPI = 72
POINTS_PER_INCH = 72.0


@dataclass(frozen=True)
class PageImage:
    """One rendered page: rows of pixels (`stride` bytes each; RGB888 from render_pages, 32-bit BGRX from
    OpenPdf.render), and the page's size in points."""

    index: int
    width: int
    height: int
    stride: int
    data: bytes
    width_pt: float
    height_pt: float


def clamp_dpi(dpi: int | float) -> int:
    return int(max(MIN_DPI, min(MAX_DPI, dpi)))


@contextlib.contextmanager
def _open(path: Path) -> Iterator[pdfium.PdfDocument]:
    import pypdfium2 as pdfium

    path = Path(path)
    if not path.is_file():
        raise ServiceError(f"找不到文件：{path}")
    try:
        pdf = pdfium.PdfDocument(str(path))
    except (pdfium.PdfiumError, OSError) as exc:
        raise ServiceError(f"无法读取 PDF 文件 {path.name}：文件可能已损坏或不是 PDF。") from exc
    try:
        yield pdf
    finally:
        pdf.close()


def page_sizes(path: Path) -> list[tuple[float, float]]:
    """(width, height) in points of every page."""
    with _open(path) as pdf:
        return [tuple(pdf[i].get_size()) for i in range(len(pdf))]  # type: ignore[misc]


def render_pages(path: Path, dpi: int | float = MAX_DPI) -> Iterator[PageImage]:
    """Render the pages one after another at `dpi` (capped to MIN_DPI..MAX_DPI), white background."""
    import pypdfium2 as pdfium

    scale = clamp_dpi(dpi) / POINTS_PER_INCH
    with _open(path) as pdf:
        for i in range(len(pdf)):
            page = pdf[i]
            try:
                width_pt, height_pt = page.get_size()
                bitmap = page.render(scale=scale, rev_byteorder=True, fill_color=(255, 255, 255, 255))
                try:
                    data = bytes(bitmap.buffer)
                    image = PageImage(i, bitmap.width, bitmap.height, bitmap.stride, data, width_pt, height_pt)
                finally:
                    bitmap.close()
            except pdfium.PdfiumError as exc:
                raise ServiceError(f"无法读取 PDF 文件 {Path(path).name} 的第 {i + 1} 页。") from exc
            finally:
                page.close()
            yield image


class OpenPdf:
    """An open PDF whose pages are rendered one at a time, each freed as soon as it has been used."""

    def __init__(self, pdf: pdfium.PdfDocument, path: Path) -> None:
        self._pdf = pdf
        self._path = Path(path)

    def __len__(self) -> int:
        return len(self._pdf)

    @contextlib.contextmanager
    def render(self, index: int, dpi: int | float = MAX_DPI) -> Iterator[PageImage]:
        """Page `index` at `dpi` (capped) as 32-bit pixels, B G R 255 in memory (a little-endian machine's
        0xffRRGGBB, Qt's Format_RGB32: the PDF and print engines take it without a conversion).

        `data` points into PDFium's bitmap, not a copy: it is valid inside the `with` only, and freed
        when the `with` ends — so printing holds one page, not every page, however long the notice."""
        import pypdfium2 as pdfium

        page = self._pdf[index]
        try:
            width_pt, height_pt = page.get_size()
            try:
                bitmap = page.render(scale=clamp_dpi(dpi) / POINTS_PER_INCH, prefer_bgrx=True,
                                     fill_color=(255, 255, 255, 255))
            except pdfium.PdfiumError as exc:
                raise ServiceError(f"无法读取 PDF 文件 {self._path.name} 的第 {index + 1} 页。") from exc
            try:
                view = memoryview(bitmap.buffer).cast("B")
                try:
                    yield PageImage(index, bitmap.width, bitmap.height, bitmap.stride, view, width_pt, height_pt)  # type: ignore[arg-type]
                finally:
                    view.release()
            finally:
                bitmap.close()
        finally:
            page.close()


@contextlib.contextmanager
def open_pdf(path: Path) -> Iterator[OpenPdf]:
    """The PDF at path, to render page by page (OpenPdf.render); a ServiceError if it cannot be read."""
    with _open(path) as pdf:
        yield OpenPdf(pdf, Path(path))


def read_text(path: Path) -> tuple[str, list[str]]:
    """(the Keywords metadata, each page's text in content order) as PDFium reads them.

    Content order keeps a table cell's wrapped lines together, so a cell's value can be found whole
    once white space is taken out (app.services.notices.verify).
    """
    import pypdfium2 as pdfium

    with _open(path) as pdf:
        try:
            keywords = str(pdf.get_metadata_dict().get("Keywords", "") or "")
            pages = []
            for i in range(len(pdf)):
                page = pdf[i]
                try:
                    textpage = page.get_textpage()
                    try:
                        pages.append(textpage.get_text_range())
                    finally:
                        textpage.close()
                finally:
                    page.close()
        except pdfium.PdfiumError as exc:
            raise ServiceError(f"无法读取 PDF 文件 {Path(path).name} 的文字。") from exc
    return keywords, pages
