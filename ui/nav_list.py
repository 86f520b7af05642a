"""The main window's navigation list: every entry in view on a 1366×768 screen, with the larger font too.

With 镇级汇总 and 开始使用 the list may hold 16 entries; at 8 px above and below each one the larger font needs
~46 px a row, more than a 1366×768 screen less its taskbar and title bar leaves (设置 was cut off at the
bottom). The padding shrinks (8 px down to 1 px) as far as the list's height needs; only below that does
the list scroll, and its width leaves room for the scroll bar so no entry is cut at the right.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QListWidget, QStyle, QWidget

ROOMY_PAD = 8  # px above and below an entry where there is room
TIGHT_PAD = 1  # the least before the list scrolls instead
SIDE_PAD = 10
SPACING = 2


class NavList(QListWidget):
    """nav: the areas of the window, one entry each (data: the page's object name)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("nav")
        self.setIconSize(QSize(0, 0))
        self.setSpacing(SPACING)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._font_pt = 12
        self._pad = ROOMY_PAD
        self._apply_style()
        model = self.model()
        model.rowsInserted.connect(lambda *_a: self.fit_rows())  # 开始使用 comes and goes
        model.rowsRemoved.connect(lambda *_a: self.fit_rows())

    @property
    def pad(self) -> int:
        """The padding above and below each entry now (px)."""
        return self._pad

    def set_font_size(self, point_size: int, longest: int) -> None:
        """The entries' font (the application's, 2 pt larger) and a width for `longest` characters."""
        self._font_pt = point_size
        self._apply_style()
        em = self.fontMetrics().horizontalAdvance("中")
        scroll_bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, self)
        self.setFixedWidth(em * (longest + 2) + 2 * SIDE_PAD + scroll_bar + 2 * self.frameWidth() + 2 * SPACING)
        self.fit_rows()

    def _apply_style(self) -> None:
        self.setStyleSheet(
            f"QListWidget#nav {{ font-size: {self._font_pt}pt; }}"
            f"QListWidget#nav::item {{ padding: {self._pad}px {SIDE_PAD}px; }}"
            "QListWidget#nav::item:selected { background: #c62828; color: white; }"
        )

    def fit_rows(self) -> None:
        """The largest padding (ROOMY_PAD at most) with which every entry is in view."""
        count = self.count()
        height = self.viewport().height()
        if count == 0 or height <= 0:
            return
        text = self.fontMetrics().height()
        # each entry takes its text, its padding twice and the spacing on both sides; one spacing more at the end
        per_row = (height - SPACING) // count - 2 * SPACING - text - self._row_extra()
        pad = max(TIGHT_PAD, min(ROOMY_PAD, per_row // 2))
        if pad != self._pad:
            self._pad = pad
            self._apply_style()

    def _row_extra(self) -> int:
        """What the style adds to an entry beyond its text and padding (a frame, rounding)."""
        if self.count() == 0:
            return 0
        row = self.sizeHintForRow(0)  # the delegate's, with the padding set now (no layout needed)
        return max(0, row - self.fontMetrics().height() - 2 * self._pad)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if event.size().height() != event.oldSize().height():
            self.fit_rows()
