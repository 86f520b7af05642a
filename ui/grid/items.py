"""The things drawn on the village map: grid polygons with their names, vertex handles, household markers.

Markers and labels ignore the view's zoom (ItemIgnoresTransformations: always the same size on
screen) and markers cache their drawing, so 2,000 of them pan and zoom smoothly. Items hold what
they show (text, colour, tags) — no item ever asks the database anything.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen, QPolygonF, QTransform
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsPolygonItem,
    QGraphicsRectItem,
    QGraphicsSceneMouseEvent,
    QGraphicsSimpleTextItem,
    QStyleOptionGraphicsItem,
    QWidget,
)

from app.services.grid.grids import GridInfo
from app.services.grid.map_data import MapMarker

Z_GRID, Z_MICRO, Z_LINKS, Z_MARKER, Z_LABEL, Z_HANDLE, Z_DRAFT = 1, 2, 3, 5, 6, 10, 11
MARKER_R = 4.5  # screen pixels
HALO_R = 8.5
FILL_ALPHA, MICRO_FILL_ALPHA = 60, 35
TOP_LABEL_ROOM = 44  # screen pixels a grid's two-line name takes in its corner (large maps)


def grid_colour(color: str) -> QColor:
    c = QColor(color)
    return c if c.isValid() else QColor("#4f8fd6")


_fonts: dict[bool, QFont] = {}  # shared by the labels of one load (MapScene.load clears it: the font setting may change)


_styles: dict[tuple[str, bool, bool], tuple[QPen, QBrush, QBrush]] = {}  # (colour, micro, selected): pen, fill, text


def clear_fonts() -> None:
    _fonts.clear()


def _label_font(micro: bool) -> QFont:
    font = _fonts.get(micro)
    if font is None:
        font = _fonts[micro] = QFont()
        font.setPointSizeF(8.5 if micro else 11)
        font.setBold(not micro)
    return font


class GridLabel(QGraphicsSimpleTextItem):
    """A grid's name on a pale plate: above the markers (Z_LABEL) and readable where 联系户 lines and markers
    crowd behind it, as they do with every layer on."""

    PAD = 2.0  # screen pixels of plate around the text

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        return super().boundingRect().adjusted(-self.PAD, -self.PAD, self.PAD, self.PAD)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        painter.save()  # the view does not save the painter's state for items (DontSavePainterState)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(_plate_brush())
        painter.drawRoundedRect(self.boundingRect(), 3, 3)
        painter.restore()
        super().paint(painter, option, widget)


def _plate_brush() -> QBrush:
    brush = _plate.get("brush")
    if brush is None:  # made on first use: a QBrush with a colour wants the QGuiApplication
        brush = _plate["brush"] = QBrush(QColor(255, 255, 255, 200))
    return brush


_plate: dict[str, QBrush] = {}


class GridItem(QGraphicsPolygonItem):
    """A grid or micro-grid: translucent fill, its outline, its name in the middle."""

    def __init__(self, info: GridInfo, short_name: str = "") -> None:
        super().__init__()
        self.info = info
        self.setZValue(Z_MICRO if info.is_micro else Z_GRID)
        # the label is a separate top-level item (the scene adds it) so it stays above every fill
        self.label = GridLabel(short_name or info.name)
        self.label.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.label.setZValue(Z_LABEL)
        self.label.setFont(_label_font(info.is_micro))
        self.selected = False
        self.label_scale: float | None = None  # large maps: the view's scale; the name shows only where it fits
        self._fits_from = 0.0  # the smallest scale at which the name fits inside the boundary
        self.set_points([QPointF(x, y) for x, y in info.polygon or ()])
        self.apply_style()

    def set_points(self, points: list[QPointF]) -> None:
        self.setPolygon(QPolygonF(points))
        self.place_label()

    def points(self) -> list[tuple[float, float]]:
        poly = self.polygon()
        return [(poly.at(i).x(), poly.at(i).y()) for i in range(poly.count())]

    def place_label(self) -> None:
        """A grid's name at its top-left corner, a micro-grid's short name in its middle (screen-sized)."""
        rect = self.polygon().boundingRect()
        text = self.label.boundingRect()
        if self.info.is_micro:
            self.label.setPos(rect.center())
            self.label.setTransform(QTransform.fromTranslate(-text.width() / 2, -text.height() / 2))
        else:
            self.label.setPos(rect.topLeft())
            self.label.setTransform(QTransform.fromTranslate(6, 4))
        drawn = self.polygon().count() >= 3
        # a micro-grid's name, centred, leaves room above it for its grid's name in the corner
        high = text.height() + (2 * TOP_LABEL_ROOM if self.info.is_micro else 6)
        self._fits_from = (max((text.width() + 10) / rect.width(), high / rect.height())
                           if drawn and rect.width() > 0 and rect.height() > 0 else math.inf)
        self.label.setVisible(drawn and (self.label_scale is None or self.label_scale >= self._fits_from))

    def fit_label(self, scale: float) -> None:
        """Large maps: show the name only where it fits inside the boundary at this zoom (no pile of names)."""
        self.label_scale = scale
        fits = scale >= self._fits_from
        if fits != self.label.isVisible():
            self.label.setVisible(fits)

    def set_colour(self, color: str) -> None:
        self.info = GridInfo(**{**self.info.__dict__, "color": color})
        self.apply_style()

    def apply_style(self) -> None:
        key = (self.info.color, self.info.is_micro, self.selected)
        style = _styles.get(key)
        if style is None:  # one set per colour and kind: a county has 1,500 grids in a few colours
            c = grid_colour(self.info.color)
            fill = QColor(c)
            fill.setAlpha(MICRO_FILL_ALPHA if self.info.is_micro else FILL_ALPHA)
            pen = QPen(c.darker(150 if self.selected else 120))
            pen.setCosmetic(True)
            pen.setWidthF(3.0 if self.selected else (1.0 if self.info.is_micro else 2.0))
            if self.info.is_micro:
                pen.setStyle(Qt.PenStyle.DashLine)
            style = _styles[key] = (pen, QBrush(fill), QBrush(c.darker(220)))
        pen, fill_brush, text_brush = style
        self.setPen(pen)
        self.setBrush(fill_brush)
        self.label.setBrush(text_brush)

    def set_selected(self, on: bool) -> None:
        self.selected = on
        self.apply_style()


class VertexHandle(QGraphicsRectItem):
    """A small square on a boundary point; dragging it reshapes the grid, releasing it saves."""

    SIZE = 9.0

    def __init__(self, grid: GridItem, index: int, on_release: Callable[[GridItem], None]) -> None:
        h = self.SIZE / 2
        super().__init__(-h, -h, 2 * h, 2 * h)
        self.grid = grid
        self.index = index
        self.on_release = on_release
        self.setPen(QPen(QColor("#333333"), 1))
        self.setBrush(QColor("white"))
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsMovable
                      | QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations
                      | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges)
        self.setZValue(Z_HANDLE)
        self.setCursor(Qt.CursorShape.SizeAllCursor)
        self.setToolTip("拖动以调整边界")

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: object) -> object:  # noqa: N802
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged:
            poly = self.grid.polygon()
            if 0 <= self.index < poly.count():
                points = [poly.at(i) for i in range(poly.count())]  # PySide6's QPolygonF has no replace()
                points[self.index] = self.pos()
                self.grid.setPolygon(QPolygonF(points))
                self.grid.place_label()
        return super().itemChange(change, value)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        super().mouseReleaseEvent(event)
        self.on_release(self.grid)


_MARKER_FLAGS = QGraphicsItem.GraphicsItemFlag.ItemIsMovable | QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations
_MARKER_CACHE = QGraphicsItem.CacheMode.DeviceCoordinateCache
_POINTING = Qt.CursorShape.PointingHandCursor


class HouseholdMarker(QGraphicsEllipseItem):
    """A household: a dot in its grid's colour; a red ring when the tag layer picks it out.

    Dragging it to another spot calls on_drop(marker, old position); a plain click calls on_click.
    Built from Qt's own ellipse items, with no Python paint(): PySide6 6.12 mishandles the None
    widget that QGraphicsScene.render passes to a Python paint() (it breaks None's reference count).
    Cheap to make (a township map makes thousands): shared pen and flags, the red ring made only when
    first needed, the tooltip written when the mouse rests on the marker (toolTip(), asked by MapScene).
    """

    def __init__(self, m: MapMarker, colour: QColor, on_drop: Callable[[HouseholdMarker, QPointF], None],
                 on_click: Callable[[HouseholdMarker], None]) -> None:
        super().__init__(-MARKER_R, -MARKER_R, 2 * MARKER_R, 2 * MARKER_R)
        self.marker = m
        self.colour = colour
        self.highlight = False
        self.halo: QGraphicsEllipseItem | None = None
        self._on_drop = on_drop
        self._on_click = on_click
        self._press_pos = QPointF()
        self.setPen(_marker_pen())
        self.setBrush(colour)
        self.setFlags(_MARKER_FLAGS)
        self.setCacheMode(_MARKER_CACHE)
        self.setZValue(Z_MARKER)
        self.setCursor(_POINTING)

    @property
    def household_id(self) -> int:
        return self.marker.id

    def toolTip(self) -> str:  # noqa: N802 - Qt's name; written when asked, not for every marker up front
        return marker_tip(self.marker)

    def set_look(self, colour: QColor | None = None, highlight: bool | None = None) -> None:
        if colour is not None:
            self.colour = colour
            self.setBrush(colour)
        if highlight is not None:
            self.highlight = highlight
            if highlight and self.halo is None:
                self.halo = QGraphicsEllipseItem(-HALO_R, -HALO_R, 2 * HALO_R, 2 * HALO_R, self)
                self.halo.setPen(_halo_pen())
            if self.halo is not None:
                self.halo.setVisible(highlight)

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        self._press_pos = QPointF(self.pos())
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        super().mouseReleaseEvent(event)
        if event.button() != Qt.MouseButton.LeftButton:
            return
        moved = self.pos() - self._press_pos
        if abs(moved.x()) + abs(moved.y()) > 0.5:
            self._on_drop(self, self._press_pos)
        else:
            self._on_click(self)


_pens: dict[str, QPen] = {}


def _marker_pen() -> QPen:
    pen = _pens.get("marker")
    if pen is None:  # made on first use: a QPen needs the QGuiApplication
        pen = _pens["marker"] = QPen(QColor("white"), 1.2)
    return pen


def _halo_pen() -> QPen:
    pen = _pens.get("halo")
    if pen is None:
        pen = _pens["halo"] = QPen(QColor("#d32f2f"), 2.2)
    return pen


def marker_tip(m: MapMarker) -> str:
    lines = [f"户号 {m.number}" + (f"　户主 {m.head_name}" if m.head_name else "")]
    if m.address:
        lines.append(m.address)
    lines.append("标签：" + ("、".join(m.tags) if m.tags else "无"))
    return "\n".join(lines)
