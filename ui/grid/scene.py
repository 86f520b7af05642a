"""The map scene: built once from the service's MapData, then changed item by item (no re-query per frame).

Layers: the picture (or a plain canvas), grids, micro-grids, 党员联系户 lines (one path item for all),
household markers (a red ring on those with the chosen tag).
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsPixmapItem, QGraphicsRectItem, QGraphicsScene

from app.services.grid import GridInfo
from app.services.grid_geometry import containing_area
from app.services.grid_map import MapData, MapMarker

from .items import Z_LINKS, GridItem, HouseholdMarker, VertexHandle, grid_colour

CANVAS = QColor("#f3efe2")
NO_GRID = QColor("#9e9e9e")
ALL_TAGS = ""  # the tag layer's "any tag" choice


class MapScene(QGraphicsScene):
    markerDropped = Signal(object, QPointF)  # marker, where it was before the drag  # noqa: N815
    markerClicked = Signal(object)  # noqa: N815
    polygonEdited = Signal(object)  # GridItem whose vertices moved  # noqa: N815

    def __init__(self, parent: object | None = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self.data: MapData | None = None
        self.grids: dict[int, GridItem] = {}
        self.markers: dict[int, HouseholdMarker] = {}
        self.background: QGraphicsPixmapItem | QGraphicsRectItem | None = None
        self.links_item: QGraphicsPathItem | None = None
        self.handles: list[VertexHandle] = []
        self.tag_layer: str | None = None  # None: off; ALL_TAGS or a tag name
        self.show_links = False

    # ---- building ---------------------------------------------------------------------------------

    def load(self, data: MapData, picture: bytes | None) -> None:
        self.clear()
        self.handles = []
        self.data = data
        rect = QRectF(0, 0, data.width, data.height)
        self.setSceneRect(rect.adjusted(-40, -40, 40, 40))
        pix = QPixmap()
        if picture and pix.loadFromData(picture):
            item: QGraphicsPixmapItem | QGraphicsRectItem = QGraphicsPixmapItem(pix)
            item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
            if pix.width() and (pix.width(), pix.height()) != (data.width, data.height):
                item.setScale(data.width / pix.width())
        else:
            item = QGraphicsRectItem(rect)
            item.setBrush(QBrush(CANVAS))
            item.setPen(QPen(Qt.PenStyle.NoPen))
        item.setZValue(0)
        self.addItem(item)
        self.background = item
        names = {g.id: g.name for g in data.grids}
        self.grids = {}
        for g in data.grids:
            short = g.name.removeprefix(names.get(g.parent_id, "")) if g.parent_id else g.name
            self.add_grid(g, short or g.name)
        self.links_item = QGraphicsPathItem()
        pen = QPen(QColor(198, 40, 40, 150), 1.2)
        pen.setCosmetic(True)
        self.links_item.setPen(pen)
        self.links_item.setZValue(Z_LINKS)
        # thousands of translucent antialiased lines: draw them once per zoom level, not on every repaint
        self.links_item.setCacheMode(QGraphicsPathItem.CacheMode.DeviceCoordinateCache)
        self.addItem(self.links_item)
        self.markers = {}
        for m in data.markers:
            if m.x is not None and m.y is not None:
                self.add_marker(m, QPointF(m.x, m.y))
        self.apply_layers()

    def add_grid(self, info: GridInfo, short_name: str = "") -> GridItem:
        item = GridItem(info, short_name)
        self.addItem(item)
        self.addItem(item.label)
        self.grids[info.id] = item
        return item

    def add_marker(self, m: MapMarker, pos: QPointF) -> HouseholdMarker:
        marker = HouseholdMarker(m, self.colour_for(m.grid_id), self._dropped, self._clicked)
        marker.setPos(pos)
        self.addItem(marker)
        self.markers[m.id] = marker
        return marker

    def colour_for(self, grid_id: int | None) -> QColor:
        item = self.grids.get(grid_id) if grid_id is not None else None
        return grid_colour(item.info.color).darker(140) if item is not None else NO_GRID

    def _dropped(self, marker: HouseholdMarker, old: QPointF) -> None:
        self.markerDropped.emit(marker, old)

    def _clicked(self, marker: HouseholdMarker) -> None:
        self.markerClicked.emit(marker)

    # ---- questions --------------------------------------------------------------------------------

    def grid_infos(self) -> list[GridInfo]:
        """The grids as drawn now (boundaries edited on screen included)."""
        out = []
        for item in self.grids.values():
            points = tuple(item.points())
            out.append(GridInfo(**{**item.info.__dict__, "polygon": points or None}))
        return out

    def area_at(self, x: float, y: float) -> GridInfo | None:
        area = containing_area(self.grid_infos(), x, y)
        return area if isinstance(area, GridInfo) else None

    # ---- layers -----------------------------------------------------------------------------------

    def set_tag_layer(self, tag: str | None) -> None:
        self.tag_layer = tag
        self.apply_layers()

    def set_links_visible(self, on: bool) -> None:
        self.show_links = on
        self.apply_layers()

    def apply_layers(self) -> None:
        for marker in self.markers.values():
            tags = marker.marker.tags
            on = self.tag_layer is not None and bool(tags) and (self.tag_layer == ALL_TAGS or self.tag_layer in tags)
            if on != marker.highlight:
                marker.set_look(highlight=on)
        self.rebuild_links()

    def rebuild_links(self) -> None:
        if self.links_item is None:
            return
        path = QPainterPath()
        if self.show_links and self.data is not None:
            for link in self.data.links:
                a, b = self.markers.get(link.member_household_id), self.markers.get(link.household_id)
                if a is not None and b is not None:
                    path.moveTo(a.pos())
                    path.lineTo(b.pos())
        self.links_item.setPath(path)
        self.links_item.setVisible(self.show_links)

    def set_markers_visible(self, on: bool) -> None:
        for marker in self.markers.values():
            marker.setVisible(on)

    # ---- editing vertices -------------------------------------------------------------------------

    def show_handles(self, grid_id: int | None) -> None:
        for h in self.handles:
            self.removeItem(h)
        self.handles = []
        item = self.grids.get(grid_id) if grid_id is not None else None
        if item is None:
            return
        for i, (x, y) in enumerate(item.points()):
            handle = VertexHandle(item, i, self.polygonEdited.emit)
            handle.setPos(x, y)
            self.addItem(handle)
            self.handles.append(handle)
