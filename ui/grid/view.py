"""The map view: wheel zoom, drag to pan, fit; drawing a boundary by clicks; dropping households from a list.

Drawing: each left click adds a point, moving the mouse shows the next edge, a double-click closes the
polygon (at least three points), right click takes back the last point, Esc cancels. Otherwise a right click
on the map (not on a marker) offers 「在此新增户…」 (the page's menu).
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPen,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsView, QLabel, QWidget

from .items import Z_DRAFT
from .scene import MapScene

HOUSEHOLD_MIME = "application/x-villagedesk-household"
ZOOM_STEP = 1.2
MIN_SCALE, MAX_SCALE = 0.05, 40.0


class MapView(QGraphicsView):
    polygonDrawn = Signal(list)  # [(x, y), …] in map units  # noqa: N815
    drawingCancelled = Signal()  # noqa: N815
    clickedAt = Signal(QPointF)  # a plain click on the map (not on a marker), in map units  # noqa: N815
    householdDropped = Signal(int, QPointF)  # dragged in from the list of households not on the map  # noqa: N815
    viewChanged = Signal()  # zoomed, panned or resized: what is in view changed  # noqa: N815
    menuAt = Signal(QPointF, QPoint)  # right-click on the map (not on a marker): map units, screen position  # noqa: N815

    def __init__(self, scene: MapScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self.setObjectName("map_view")
        self.map_scene = scene
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontSavePainterState, True)
        self.setAcceptDrops(True)
        self.setMouseTracking(True)
        self.drawing = False
        self.draft: list[QPointF] = []
        self.draft_item: QGraphicsPathItem | None = None
        self._press: QPoint | None = None
        # Where to start on an empty map (no base map, no boundary): a label over the view, not a scene item,
        # so it stays readable at any zoom and is never exported with the map.
        self.hint = QLabel(self.viewport())
        self.hint.setObjectName("lbl_map_empty_hint")
        self.hint.setWordWrap(True)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.hint.setStyleSheet("QLabel { background: rgba(255, 255, 255, 230); border: 1px solid #999;"
                                " border-radius: 6px; padding: 12px; color: #333; }")
        self.hint.hide()

    def set_hint(self, text: str) -> None:
        """Show `text` over the middle of the map; "" hides it."""
        self.hint.setText(text)
        self.hint.setVisible(bool(text))
        self._place_hint()

    def _place_hint(self) -> None:
        area = self.viewport().rect()
        width = min(area.width() - 20, self.fontMetrics().horizontalAdvance("中") * 26)
        height = self.hint.heightForWidth(width)
        self.hint.setGeometry((area.width() - width) // 2, (area.height() - height) // 2, width, height)

    # ---- zoom and pan -----------------------------------------------------------------------------

    def zoom_by(self, factor: float) -> None:
        current = self.transform().m11()
        factor = max(MIN_SCALE / current, min(MAX_SCALE / current, factor))
        self.scale(factor, factor)
        self.viewChanged.emit()

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        steps = event.angleDelta().y() / 120
        if steps:
            self.zoom_by(ZOOM_STEP ** steps)
        event.accept()

    def fit(self) -> None:
        data = self.map_scene.data
        if data is not None:
            self.fitInView(0, 0, data.width, data.height, Qt.AspectRatioMode.KeepAspectRatio)
            self.viewChanged.emit()

    def show_rect(self, rect: QRectF) -> None:
        """Zoom and scroll so the rectangle (map units, with a margin) fills the view, within the zoom limits."""
        margin = max(rect.width(), rect.height()) * 0.15
        self.fitInView(rect.adjusted(-margin, -margin, margin, margin), Qt.AspectRatioMode.KeepAspectRatio)
        current = self.transform().m11()
        if current > MAX_SCALE or current < MIN_SCALE:
            self.zoom_by(max(MIN_SCALE, min(MAX_SCALE, current)) / current)
        self.centerOn(rect.center())
        self.viewChanged.emit()

    def visible_rect(self) -> QRectF:
        """The part of the map in view, in map units."""
        return self.mapToScene(self.viewport().rect()).boundingRect()

    def scrollContentsBy(self, dx: int, dy: int) -> None:  # noqa: N802 - Qt's name
        super().scrollContentsBy(dx, dy)
        self.viewChanged.emit()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._place_hint()
        self.viewChanged.emit()

    # ---- drawing a boundary -----------------------------------------------------------------------

    def start_drawing(self) -> None:
        self.cancel_drawing(quiet=True)
        self.drawing = True
        self.draft = []
        self.setDragMode(QGraphicsView.DragMode.NoDrag)
        self.viewport().setCursor(Qt.CursorShape.CrossCursor)
        self.draft_item = QGraphicsPathItem()
        pen = QPen(QColor("#c62828"), 2, Qt.PenStyle.DashLine)
        pen.setCosmetic(True)
        self.draft_item.setPen(pen)
        self.draft_item.setZValue(Z_DRAFT)
        self.map_scene.addItem(self.draft_item)
        self.setFocus()

    def cancel_drawing(self, quiet: bool = False) -> None:
        was = self.drawing
        self._end_drawing()
        if was and not quiet:
            self.drawingCancelled.emit()

    def _end_drawing(self) -> None:
        self.drawing = False
        self.draft = []
        if self.draft_item is not None and self.draft_item.scene() is self.map_scene:
            self.map_scene.removeItem(self.draft_item)
        self.draft_item = None
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.viewport().unsetCursor()

    def _update_draft(self, hover: QPointF | None = None) -> None:
        if self.draft_item is None:
            return
        path = QPainterPath()
        points = self.draft + ([hover] if hover is not None and self.draft else [])
        for i, p in enumerate(points):
            if i == 0:
                path.moveTo(p)
            else:
                path.lineTo(p)
        for p in self.draft:
            path.addEllipse(p, 3 / self.transform().m11(), 3 / self.transform().m11())
        self.draft_item.setPath(path)

    def _finish(self) -> None:
        points = [(p.x(), p.y()) for p in self.draft]
        # a double-click's own press added the last point once more
        deduped = [pt for i, pt in enumerate(points) if i == 0 or pt != points[i - 1]]
        if len(deduped) < 3:
            return  # keep drawing: a polygon needs three points
        self._end_drawing()
        self.polygonDrawn.emit(deduped)

    # ---- mouse and keys ---------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self.drawing:
            if event.button() == Qt.MouseButton.LeftButton:
                self.draft.append(self.mapToScene(event.position().toPoint()))
                self._update_draft()
            elif event.button() == Qt.MouseButton.RightButton and self.draft:
                self.draft.pop()
                self._update_draft()
            event.accept()
            return
        self._press = event.position().toPoint() if event.button() == Qt.MouseButton.LeftButton else None
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self.drawing and event.button() == Qt.MouseButton.LeftButton:
            self.draft.append(self.mapToScene(event.position().toPoint()))
            self._finish()
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self.drawing:
            self._update_draft(self.mapToScene(event.position().toPoint()))
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self.drawing:
            event.accept()
            return
        press, self._press = self._press, None
        on_item = self.itemAt(event.position().toPoint())
        super().mouseReleaseEvent(event)
        if (press is not None and (event.position().toPoint() - press).manhattanLength() < 4
                and not hasattr(on_item, "household_id") and not hasattr(on_item, "grid")):
            self.clickedAt.emit(self.mapToScene(event.position().toPoint()))

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802
        if self.drawing:  # the right button takes back a point while drawing
            event.accept()
            return
        if hasattr(self.itemAt(event.pos()), "household_id"):
            super().contextMenuEvent(event)
            return
        event.accept()
        self.menuAt.emit(self.mapToScene(event.pos()), event.globalPos())

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if self.drawing and event.key() == Qt.Key.Key_Escape:
            self.cancel_drawing()
            return
        if self.drawing and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._finish()
            return
        if event.key() in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_by(ZOOM_STEP)
            return
        if event.key() == Qt.Key.Key_Minus:
            self.zoom_by(1 / ZOOM_STEP)
            return
        super().keyPressEvent(event)

    # ---- households dragged in from the side list -------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if event.mimeData().hasFormat(HOUSEHOLD_MIME):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802
        if event.mimeData().hasFormat(HOUSEHOLD_MIME):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        if not event.mimeData().hasFormat(HOUSEHOLD_MIME):
            super().dropEvent(event)
            return
        try:
            household_id = int(bytes(event.mimeData().data(HOUSEHOLD_MIME).data()).decode())
        except ValueError:
            return
        event.acceptProposedAction()
        self.householdDropped.emit(household_id, self.mapToScene(event.position().toPoint()))
