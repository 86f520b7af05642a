"""A row of widgets that wraps onto the next line when the page is narrow (a flow layout).

Button rows and check box rows use it so that a page never asks for more width than its widest single button:
with the larger font on a 1366-wide screen the row takes two lines instead of pushing the window past the screen.
"""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QStyle, QWidget


class FlowLayout(QLayout):
    """Items left to right, wrapping to a new line; `add_stretch()` marks where the rest goes to the right end
    of its line (like QHBoxLayout.addStretch for the common case of buttons on both ends)."""

    def __init__(self, parent: QWidget | None = None, spacing: int = -1) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._break_at: int | None = None  # items from this index sit at the right end of their line
        self._spacing = spacing
        if parent is None:
            self.setContentsMargins(0, 0, 0, 0)

    # ---- QLayout ------------------------------------------------------------------------------------

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 (Qt API)
        self._items.append(item)

    def add_stretch(self) -> None:
        """What is added after this goes to the right end of the line it lands on."""
        self._break_at = len(self._items)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 (Qt API)
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 (Qt API)
        if not 0 <= index < len(self._items):
            return None
        if self._break_at is not None and index < self._break_at:
            self._break_at -= 1
        return self._items.pop(index)

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 (Qt API)
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 (Qt API)
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 (Qt API)
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 (Qt API)
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        # one line of everything: the width it would like, the height of that line
        visible = self._visible()
        m = self.contentsMargins()
        width = sum(i.sizeHint().width() for i in visible) + self._gap() * max(len(visible) - 1, 0)
        height = max((i.sizeHint().height() for i in visible), default=0)
        return QSize(width + m.left() + m.right(), height + m.top() + m.bottom())

    def minimumSize(self) -> QSize:  # noqa: N802 (Qt API)
        # the widest single item: everything else can wrap
        size = QSize()
        for item in self._visible():
            size = size.expandedTo(item.minimumSize())
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    # ---- arranging ----------------------------------------------------------------------------------

    def _visible(self) -> list[QLayoutItem]:
        return [i for i in self._items if not i.isEmpty()]

    def _gap(self) -> int:
        if self._spacing >= 0:
            return self._spacing
        parent = self.parentWidget()
        if parent is None:
            return 6
        gap = parent.style().pixelMetric(QStyle.PixelMetric.PM_LayoutHorizontalSpacing, None, parent)
        return gap if gap >= 0 else 6

    def _arrange(self, rect: QRect, move: bool) -> int:
        """Lay the items out in `rect` (or only measure); returns the height used."""
        m: QMargins = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        gap = self._gap()
        lines: list[list[tuple[QLayoutItem, QSize, bool]]] = [[]]
        x = 0
        for index, item in enumerate(self._items):
            if item.isEmpty():
                continue
            size = item.sizeHint().boundedTo(QSize(area.width(), 1 << 20)).expandedTo(item.minimumSize())
            right = self._break_at is not None and index >= self._break_at
            if lines[-1] and x + gap + size.width() > area.width():
                lines.append([])
                x = 0
            x += (gap if lines[-1] else 0) + size.width()
            lines[-1].append((item, size, right))
        y = area.y()
        for line in lines:
            if not line:
                continue
            height = max(size.height() for _, size, _ in line)
            if move:
                self._place(line, area, y, height, gap)
            y += height + gap
        return y - gap - area.y() + m.top() + m.bottom() if any(lines) else m.top() + m.bottom()

    @staticmethod
    def _place(line: list[tuple[QLayoutItem, QSize, bool]], area: QRect, y: int, height: int, gap: int) -> None:
        left = [(i, s) for i, s, right in line if not right]
        right = [(i, s) for i, s, r in line if r]
        x = area.x()
        for item, size in left:
            item.setGeometry(QRect(QPoint(x, y + (height - size.height()) // 2), size))
            x += size.width() + gap
        x = area.right() + 1 - sum(s.width() for _, s in right) - gap * max(len(right) - 1, 0)
        for item, size in right:
            item.setGeometry(QRect(QPoint(x, y + (height - size.height()) // 2), size))
            x += size.width() + gap


def flow_row(*widgets: QWidget, right: tuple[QWidget, ...] = ()) -> FlowLayout:
    """A wrapping row of `widgets`, then `right` at the right end of its line; add it to a layout."""
    row = FlowLayout()
    for w in widgets:
        row.addWidget(w)
    if right:
        row.add_stretch()
        for w in right:
            row.addWidget(w)
    return row
