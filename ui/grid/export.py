"""The map for the office wall: title, the map, a legend, as a PNG or an A4/A3 landscape PDF.

Rendering the scene takes well under a second even with 2,000 markers, so it runs on the GUI thread.
Vertex handles and the drawing draft are hidden while rendering. A large map (a township or county)
exports what it shows: the grids, and the households drawn at the time (the legend says so).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter, QPen

from app.services.errors import ServiceError

from .items import HALO_R, MARKER_R, grid_colour
from .scene import MapScene

PNG_WIDTH = 2400
PDF_DPI = 96  # markers and labels keep their screen size in pixels: 96 dpi prints them at screen size


@dataclass
class Legend:
    title: str
    subtitle: str  # the village and the date
    grids: list[tuple[str, str]] = field(default_factory=list)  # (colour, name) of each grid
    tag_layer: str | None = None  # the tag picked out in red, "" for any tag
    links: bool = False
    households_note: str = ""  # a large map: which households the picture holds (only those shown)


def _draw_legend(p: QPainter, legend: Legend, area: QRectF, unit: float) -> None:
    font = QFont()
    font.setPixelSize(round(unit * 1.1))
    p.setFont(font)
    line = unit * 1.9
    y = area.top()
    p.setPen(QColor("#222222"))
    bold = QFont(font)
    bold.setBold(True)
    p.setFont(bold)
    p.drawText(QRectF(area.left(), y, area.width(), line), Qt.AlignmentFlag.AlignVCenter, "图　例")
    p.setFont(font)
    y += line * 1.3
    box = unit * 1.3
    grids = legend.grids
    room = max(1, int((area.bottom() - y) / line) - 6)  # rows left for grids; the marker, layer and note rows follow
    if len(grids) > room:  # a county's 300 grids: the first ones, then how many there are
        grids = grids[:room - 1]
    for colour, name in grids:
        c = grid_colour(colour)
        fill = QColor(c)
        fill.setAlpha(90)
        p.setPen(QPen(c.darker(120), max(1.0, unit / 8)))
        p.setBrush(fill)
        p.drawRect(QRectF(area.left(), y + (line - box) / 2, box * 1.6, box))
        p.setPen(QColor("#222222"))
        p.drawText(QRectF(area.left() + box * 2.1, y, area.width() - box * 2.1, line), Qt.AlignmentFlag.AlignVCenter, name)
        y += line
    if len(grids) < len(legend.grids):
        p.drawText(QRectF(area.left() + box * 2.1, y, area.width() - box * 2.1, line), Qt.AlignmentFlag.AlignVCenter,
                   f"……共 {len(legend.grids)} 个网格")
        y += line
    y += line * 0.4
    cx = area.left() + box * 0.8
    p.setPen(QPen(QColor("white"), 1.2))
    p.setBrush(QColor("#555555"))
    p.drawEllipse(QRectF(cx - MARKER_R, y + line / 2 - MARKER_R, 2 * MARKER_R, 2 * MARKER_R))
    p.setPen(QColor("#222222"))
    p.drawText(QRectF(area.left() + box * 2.1, y, area.width(), line), Qt.AlignmentFlag.AlignVCenter, "住户（颜色同所在网格）")
    y += line
    if legend.households_note:
        p.drawText(QRectF(area.left() + box * 2.1, y, area.width() - box * 2.1, line * 2),
                   Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap, legend.households_note)
        y += line * 2
    if legend.tag_layer is not None:
        p.setPen(QPen(QColor("#d32f2f"), 2.2))
        p.setBrush(QBrush())
        p.drawEllipse(QRectF(cx - HALO_R, y + line / 2 - HALO_R, 2 * HALO_R, 2 * HALO_R))
        p.setPen(QColor("#222222"))
        text = f"{legend.tag_layer}户" if legend.tag_layer else "重点户（有标签）"
        p.drawText(QRectF(area.left() + box * 2.1, y, area.width(), line), Qt.AlignmentFlag.AlignVCenter, text)
        y += line
    if legend.links:
        p.setPen(QPen(QColor(198, 40, 40, 150), 1.5))
        p.drawLine(area.left(), y + line / 2, area.left() + box * 1.6, y + line / 2)
        p.setPen(QColor("#222222"))
        p.drawText(QRectF(area.left() + box * 2.1, y, area.width(), line), Qt.AlignmentFlag.AlignVCenter, "党员联系户连线")


def _paint(p: QPainter, scene: MapScene, legend: Legend, page: QRectF) -> None:
    data = scene.data
    if data is None:
        raise ServiceError("地图还没有载入，无法导出")
    unit = page.height() / 60  # one text line's size, relative to the page
    p.fillRect(page, QColor("white"))
    title = QFont()
    title.setPixelSize(round(unit * 2.4))
    title.setBold(True)
    p.setFont(title)
    p.setPen(QColor("#111111"))
    p.drawText(QRectF(page.left(), page.top(), page.width(), unit * 3.6), Qt.AlignmentFlag.AlignCenter, legend.title)
    sub = QFont()
    sub.setPixelSize(round(unit * 1.1))
    p.setFont(sub)
    p.drawText(QRectF(page.left(), page.top() + unit * 3.4, page.width(), unit * 1.8), Qt.AlignmentFlag.AlignCenter,
               legend.subtitle)
    legend_w = page.width() * 0.2
    body = QRectF(page.left(), page.top() + unit * 5.6, page.width() - legend_w - unit, page.height() - unit * 6)
    source = QRectF(0, 0, data.width, data.height)
    scale = min(body.width() / source.width(), body.height() / source.height())
    target = QRectF(body.left(), body.top(), source.width() * scale, source.height() * scale)
    hidden = [h for h in scene.handles if h.isVisible()]
    for h in hidden:
        h.setVisible(False)
    on_screen = scene.detail_scale
    scene.update_detail(scale)  # a large map: the grid names that fit at the printed size, not the screen's
    try:
        scene.render(p, target, source, Qt.AspectRatioMode.KeepAspectRatio)
    finally:
        for h in hidden:
            h.setVisible(True)
        scene.update_detail(on_screen)
    p.setPen(QPen(QColor("#444444"), 1))
    p.setBrush(QBrush())
    p.drawRect(target)
    _draw_legend(p, legend, QRectF(target.right() + unit * 1.5, body.top(), legend_w - unit, body.height()), unit)


def export_png(scene: MapScene, legend: Legend, path: Path, width: int = PNG_WIDTH) -> Path:
    height = round(width / 1.414)  # the proportions of an A-series sheet in landscape
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    try:
        margin = width / 80
        _paint(p, scene, legend, QRectF(margin, margin, width - 2 * margin, height - 2 * margin))
    finally:
        p.end()
    if not image.save(str(path), "PNG"):
        raise ServiceError(f"无法写入 {Path(path).name}：请检查文件夹是否可写")
    return Path(path)


def export_pdf(scene: MapScene, legend: Legend, path: Path, paper: str = "A4") -> Path:
    size = QPageSize(QPageSize.PageSizeId.A3 if paper == "A3" else QPageSize.PageSizeId.A4)
    writer = QPdfWriter(str(path))
    writer.setResolution(PDF_DPI)
    writer.setPageLayout(QPageLayout(size, QPageLayout.Orientation.Landscape, QMarginsF(10, 10, 10, 10),
                                     QPageLayout.Unit.Millimeter))
    writer.setTitle(legend.title)
    writer.setCreator("村级党建工作台")
    p = QPainter()
    if not p.begin(writer):
        raise ServiceError(f"无法写入 {Path(path).name}：请检查文件夹是否可写，或文件是否正在 PDF 阅读器中打开")
    try:
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = writer.pageLayout().paintRectPixels(writer.resolution())
        _paint(p, scene, legend, QRectF(0, 0, rect.width(), rect.height()))
    finally:
        p.end()
    return Path(path)


def page_size_mm(paper: str) -> QSizeF:
    """Landscape sheet size in millimetres (for messages and tests)."""
    size = QPageSize(QPageSize.PageSizeId.A3 if paper == "A3" else QPageSize.PageSizeId.A4).size(QPageSize.Unit.Millimeter)
    return QSizeF(size.height(), size.width())
