"""The map scene: built once from the service's MapData, then changed item by item (no re-query per frame).

Layers: the picture (or a plain canvas), grids, micro-grids, 党员联系户 lines (one path item for all),
household markers (a red ring on those with the chosen tag).

A large map (a township or county: MapData.partial) starts with the grids only, each labelled with its
household count, the labels shown where they fit at the current zoom; the page then hands over the
households of the area the user looks at (sync_markers), a few thousand at most.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPainterPath, QPen, QPixmap, QTransform
from PySide6.QtWidgets import (
    QGraphicsPathItem,
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSceneHelpEvent,
    QGraphicsView,
    QToolTip,
)

from app.services.grid.geometry import containing_area
from app.services.grid.grids import GridInfo
from app.services.grid.map_data import ContactLink, MapData, MapMarker

from .items import Z_LINKS, GridItem, HouseholdMarker, VertexHandle, clear_fonts, grid_colour

CANVAS = QColor("#f3efe2")
NO_GRID = QColor("#9e9e9e")
ALL_TAGS = ""  # the tag layer's "any tag" choice
STUB_PX = 24  # screen pixels of a stroke toward a 联系户 not drawn (large maps)


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
        self.markers_visible = True
        self.links: list[ContactLink] = []  # the 联系户 lines to draw (a large map: those of the markers shown)
        self.large = False  # a partial map: markers only for the area looked at, labels where they fit
        self.stub = STUB_PX  # map units: a large map's stroke toward a household not drawn
        self.detail_scale = 1.0  # the zoom the labels and strokes were last fitted to (large maps)

    # ---- building ---------------------------------------------------------------------------------

    def load(self, data: MapData, picture: bytes | None) -> None:
        self.clear()
        clear_fonts()
        self.handles = []
        self.data = data
        self.large = data.partial
        self.links = list(data.links)
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
            if self.large:  # the households are not drawn yet: say how many there are
                short = _counted(short or g.name, data.counts.get(g.id, 0))
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
        if self.large:
            item.fit_label(0.0)  # hidden until the view says its zoom (update_detail)
        self.addItem(item)
        self.addItem(item.label)
        self.grids[info.id] = item
        return item

    def add_marker(self, m: MapMarker, pos: QPointF) -> HouseholdMarker:
        marker = HouseholdMarker(m, self.colour_for(m.grid_id), self._dropped, self._clicked)
        marker.setPos(pos)
        if not self.markers_visible:
            marker.setVisible(False)
        self.addItem(marker)
        self.markers[m.id] = marker
        return marker

    def sync_markers(self, markers: Sequence[MapMarker], links: Sequence[ContactLink]) -> tuple[int, int]:
        """A large map: show exactly these households (placed ones) and these 联系户 lines.

        Markers already there stay (updated if the household changed); a marker being dragged is
        never taken away. Returns (added, removed).
        """
        wanted = {m.id: m for m in markers if m.x is not None and m.y is not None}
        grabbed = self.mouseGrabberItem()
        removed = 0
        for hid in [hid for hid in self.markers if hid not in wanted]:
            marker = self.markers[hid]
            if marker is grabbed:
                continue
            self.removeItem(marker)
            del self.markers[hid]
            removed += 1
        added = 0
        for hid, m in wanted.items():
            marker = self.markers.get(hid)
            if marker is None:
                self.add_marker(m, QPointF(m.x, m.y))  # type: ignore[arg-type]
                added += 1
            elif marker.marker != m and marker is not grabbed:
                if marker.marker.grid_id != m.grid_id:
                    marker.set_look(colour=self.colour_for(m.grid_id))
                marker.marker = m
                marker.setPos(m.x, m.y)  # type: ignore[arg-type]
        self.links = list(links)
        self.apply_layers()
        return added, removed

    def set_count(self, grid_id: int, households: int) -> None:
        """A large map: a grid's household count changed (its label says it)."""
        item = self.grids.get(grid_id)
        if item is not None and self.large:
            item.label.setText(_counted(item.label.text().split("\n")[0], households))
            item.place_label()

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
        return [_drawn(item) for item in self.grids.values()]

    def area_at(self, x: float, y: float) -> GridInfo | None:
        # only the grids whose bounding box holds the point (the scene's index finds them among 1,500)
        near = self.items(QRectF(x - 1, y - 1, 2, 2), Qt.ItemSelectionMode.IntersectsItemBoundingRect)
        ids = {item.info.id for item in near if isinstance(item, GridItem)}
        area = containing_area([_drawn(item) for gid, item in self.grids.items() if gid in ids], x, y)
        return area if isinstance(area, GridInfo) else None

    def helpEvent(self, event: QGraphicsSceneHelpEvent) -> None:  # noqa: N802 - Qt's name
        """Tooltips: the topmost item under the mouse that has one (markers write theirs only now)."""
        viewport = event.widget()
        view = viewport.parentWidget() if viewport is not None else None
        transform = view.viewportTransform() if isinstance(view, QGraphicsView) else QTransform()
        for item in self.items(event.scenePos(), Qt.ItemSelectionMode.IntersectsItemShape,
                               Qt.SortOrder.DescendingOrder, transform):
            tip = item.toolTip()
            if tip:
                QToolTip.showText(event.screenPos(), tip, viewport)
                event.setAccepted(True)
                return
        QToolTip.hideText()
        event.setAccepted(False)

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
            for link in self.links:
                a, b = self.markers.get(link.member_household_id), self.markers.get(link.household_id)
                if a is not None and b is not None:
                    path.moveTo(a.pos())
                    path.lineTo(b.pos())
                elif self.large and (a is not None or b is not None):
                    # a large map draws only some households: toward one not drawn, a short stroke
                    # points the way (thousands of lines across the whole view took 0.4 s to paint)
                    near = a or b
                    far = link.household_at if a is not None else link.member_at
                    if near is not None and far is not None:
                        line = QLineF(near.pos(), QPointF(*far))
                        if line.length() > self.stub:
                            line.setLength(self.stub)
                        path.moveTo(line.p1())
                        path.lineTo(line.p2())
        self.links_item.setPath(path)
        self.links_item.setVisible(self.show_links)

    def set_markers_visible(self, on: bool) -> None:
        self.markers_visible = on
        for marker in self.markers.values():
            marker.setVisible(on)

    def update_detail(self, scale: float) -> None:
        """A large map at a new zoom: show each grid's name where it fits; strokes toward households not drawn
        keep their length on screen."""
        if not self.large:
            return
        self.detail_scale = scale
        for item in self.grids.values():
            if item.label_scale != scale:
                item.fit_label(scale)
        stub = STUB_PX / max(scale, 1e-6)
        if abs(stub - self.stub) > 1e-9:
            self.stub = stub
            if self.show_links:
                self.rebuild_links()

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


def _drawn(item: GridItem) -> GridInfo:
    """A grid as drawn now (its boundary edited on screen included)."""
    points = tuple(item.points())
    return GridInfo(**{**item.info.__dict__, "polygon": points or None})


def _counted(name: str, households: int) -> str:
    return f"{name}\n{households} 户"
