"""A large map's households: read off the GUI thread for the area the user looks at, a few thousand at most.

What is asked for: the selected grid (with its micro-grids) and, once zoomed in so far that about
VIEW_MARKERS households are in view, the view with a margin (panning a little reads nothing). How many
are in view is estimated from each grid's household count and its bounding box, without a query.
A read that comes back after the user moved on is not drawn; one more read follows if the view
changed meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QRectF, QTimer, Signal

from app.services.context import AppContext
from app.services.grid import map_data as grid_map
from app.services.grid.map_data import MapData, MarkerSet

from ..common.background import BackgroundJob
from .scene import MapScene
from .service_calls import JobRunner
from .view import MapView

VIEW_MARKERS = 2500  # a large map draws the households in view once about this many are in view
MARKER_LIMIT = 6000  # at most this many households drawn at once on a large map


def _leaf_boxes(data: MapData) -> list[tuple[QRectF, int]]:
    """Bounding box and households of each grid without micro-grids."""
    parents = {g.parent_id for g in data.grids if g.parent_id is not None}
    out = []
    for g in data.grids:
        if g.id not in parents and g.polygon:
            xs, ys = [p[0] for p in g.polygon], [p[1] for p in g.polygon]
            out.append((QRectF(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)), data.counts.get(g.id, 0)))
    return out


class MarkerLoader(QObject):
    """Draws a large map's households for the selected grid and the zoomed-in view (the scene's data)."""

    summary = Signal(str)  # how many households are drawn, and how to see more (the line above the map)

    def __init__(self, ctx: AppContext, unit_id: int, scene: MapScene, view: MapView, jobs: JobRunner,
                 selected: Callable[[], int | None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.unit_id = ctx, unit_id
        self.scene, self.view, self.jobs = scene, view, jobs
        self._selected = selected  # the grid selected beside the map (None: none)
        self.hold = False  # the page is rebuilding the map: no household requests until it is done
        self._key: tuple[object, ...] | None = None  # (grid ids, rect) loaded or being loaded
        self._rect: QRectF | None = None
        self._job: BackgroundJob | None = None
        self._again = False  # the view changed while markers were being read: ask again after
        self._leaves: list[tuple[QRectF, int]] = []  # bounding box and households of each grid without micro-grids
        self._loose = 0  # placed households in no grid drawn (spread over the map for the estimate)
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(150)
        self._settle.timeout.connect(self.request)

    @property
    def large(self) -> bool:
        return self.scene.large

    def reset(self, data: MapData) -> None:
        """The scene was rebuilt from `data`: no household drawn yet."""
        self._key = self._rect = None
        self._leaves = _leaf_boxes(data) if data.partial else []
        self._loose = max(0, data.households - data.unplaced - sum(n for _, n in self._leaves))

    def is_busy(self) -> bool:
        """Households are about to be asked for, or asked for again once the read under way is back."""
        return self._settle.isActive() or self._again

    def _households_in(self, rect: QRectF) -> float:
        """About how many households lie in the rectangle (each grid's count, by the share of its box inside)."""
        total = 0.0
        for box, n in self._leaves:
            if n and box.intersects(rect):
                part = box & rect
                area = box.width() * box.height()
                total += n * (part.width() * part.height() / area if area > 0 else 1)
        data = self.scene.data
        if self._loose and data is not None:
            part = rect & QRectF(0, 0, data.width, data.height)
            total += self._loose * part.width() * part.height() / max(1, data.width * data.height)
        return total

    def _selected_ids(self) -> tuple[int, ...]:
        gid = self._selected()
        if gid is None:
            return ()
        return (gid, *sorted(g for g, item in self.scene.grids.items() if item.info.parent_id == gid))

    def grid_selected(self, gid: int | None, picked: bool) -> None:
        if gid is not None and picked:
            self._reveal(gid)  # picked in the list: bring the grid into view, big enough to see its households
        self.request()

    def _reveal(self, gid: int) -> None:
        item = self.scene.grids.get(gid)
        box = item.polygon().boundingRect() if item is not None else QRectF()
        if box.isEmpty():
            return
        scale = self.view.transform().m11()
        port = self.view.viewport().rect()
        if box.width() * scale < port.width() / 3 and box.height() * scale < port.height() / 3:
            self.view.show_rect(box)
        elif not self.view.visible_rect().contains(box):
            self.view.centerOn(box.center())

    def on_view_changed(self) -> None:
        if self.large:
            self.scene.update_detail(self.view.transform().m11())
            self._settle.start()  # ask for the households in view once the zooming and panning stop

    def request(self) -> None:
        """A large map: draw the households of the selected grid and, zoomed in, those in view."""
        data = self.scene.data
        if not self.large or data is None or self.hold:
            return
        ids = self._selected_ids()
        whole = QRectF(0, 0, data.width, data.height)
        visible = self.view.visible_rect() & whole
        rect: QRectF | None = None
        if not visible.isEmpty() and self._households_in(visible) <= VIEW_MARKERS:
            if (self._key is not None and self._key[0] == ids and self._rect is not None
                    and self._rect.contains(visible)):
                return  # already drawn (or being read) with a margin around the view
            dx, dy = visible.width() / 4, visible.height() / 4
            wider = visible.adjusted(-dx, -dy, dx, dy) & whole  # a margin: panning a little reads nothing
            rect = wider if self._households_in(wider) <= VIEW_MARKERS else visible
        area = None if rect is None else (round(rect.left(), 1), round(rect.top(), 1), round(rect.right(), 1),
                                          round(rect.bottom(), 1))
        key = (ids, area)
        if key == self._key:
            return
        if self.jobs.is_pending(self._job):
            self._again = True
            return
        self._key, self._rect = key, rect
        if not ids and area is None:
            self._show(key, MarkerSet([], [], False))
            return
        uid = self.unit_id
        self._job = self.jobs.run(
            lambda _p, _c: (key, self.ctx.call(grid_map.map_markers, uid, ids, area, MARKER_LIMIT)),
            lambda result: self._show(*result), self._read)

    def _show(self, key: tuple[object, ...], found: MarkerSet) -> None:
        if key == self._key and self.large:  # a late result (the user moved on meanwhile) is dropped
            self.scene.sync_markers(found.markers, found.links)
            data = self.scene.data
            total = data.households if data is not None else 0
            if not self.scene.markers:
                text = self.tr("共 {0} 户：选中网格或放大地图以显示住户").format(total)
            else:
                text = self.tr("地图上显示 {0} 户（共 {1} 户）").format(len(self.scene.markers), total)
                if found.truncated:
                    text += self.tr("，仅前 {0} 户").format(MARKER_LIMIT)
            self.summary.emit(text)
        self._read()

    def _read(self) -> None:
        if self._again:
            self._again = False
            self.request()
