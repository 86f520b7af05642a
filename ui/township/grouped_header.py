"""A table header with a caption over groups of columns (星级文明户 over 五星 … 占比), painted in two rows.

QHeaderView knows one row of labels; the summary has 18 columns, and 「星级文明户·五星」 in every label would
make each column as wide as its caption. The group caption is painted across its columns' upper half; a
column outside any group uses the whole height for its own label.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QHeaderView, QStyle, QStyleOptionHeader, QWidget


class GroupedHeader(QHeaderView):
    def __init__(self, groups: dict[str, range], parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.groups = groups  # caption → the logical columns under it
        self.setSectionsClickable(False)
        self.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)

    def group_of(self, logical: int) -> str | None:
        return next((caption for caption, columns in self.groups.items() if logical in columns), None)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        hint = super().sizeHint()
        line = self.fontMetrics().height() + 8
        return QSize(hint.width(), max(hint.height(), 2 * line))

    def sectionSizeFromContents(self, logical: int) -> QSize:  # noqa: N802 (Qt API)
        size = super().sectionSizeFromContents(logical)
        return QSize(size.width(), max(size.height(), 2 * (self.fontMetrics().height() + 8)))

    def _paint_cell(self, painter: QPainter, rect: QRect, text: str, logical: int) -> None:
        option = QStyleOptionHeader()
        self.initStyleOption(option)
        option.rect = rect
        option.section = logical
        option.text = text
        option.textAlignment = Qt.AlignmentFlag.AlignCenter
        option.position = QStyleOptionHeader.SectionPosition.Middle
        self.style().drawControl(QStyle.ControlElement.CE_Header, option, painter, self)

    def paintSection(self, painter: QPainter, rect: QRect, logical: int) -> None:  # noqa: N802 (Qt API)
        if not rect.isValid():
            return
        model = self.model()
        label = str(model.headerData(logical, Qt.Orientation.Horizontal) or "") if model is not None else ""
        caption = self.group_of(logical)
        if caption is None:
            self._paint_cell(painter, rect, label, logical)
            return
        half = rect.height() // 2
        columns = self.groups[caption]
        left = self.sectionViewportPosition(columns[0])
        right = self.sectionViewportPosition(columns[-1]) + self.sectionSize(columns[-1])
        painter.save()
        # each column of the group paints the whole caption; the clip keeps it to this column's share
        painter.setClipRect(QRect(rect.left(), rect.top(), rect.width(), half))
        self._paint_cell(painter, QRect(left, rect.top(), right - left, half), caption, logical)
        painter.restore()
        self._paint_cell(painter, QRect(rect.left(), rect.top() + half, rect.width(), rect.height() - half),
                         label, logical)
