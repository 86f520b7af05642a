"""A plain bar chart painted with QPainter (QtCharts is not part of PySide6-Essentials).

Generic: bars with a label under each and the value above it; the data are (label, value) pairs.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

BAR_COLOR = QColor("#c0392b")  # 党建红
AXIS_COLOR = QColor("#888888")


class BarChart(QWidget):
    """Vertical bars: set_data([("五星级", 217), …]). An empty chart says so instead of drawing nothing."""

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.data: list[tuple[str, float]] = []
        self.title = ""
        self.value_suffix = ""
        self.empty_text = self.tr("暂无数据")
        self.bar_color = BAR_COLOR
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(self.fontMetrics().height() * 8)

    def set_data(self, data: Sequence[tuple[str, float]], title: str = "", value_suffix: str = "") -> None:
        self.data = [(str(label), float(value)) for label, value in data]
        self.title = title
        self.value_suffix = value_suffix
        self.setToolTip("\n".join(f"{label}：{self._value_text(v)}" for label, v in self.data))
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        em = self.fontMetrics().horizontalAdvance("中")
        return QSize(max(6, len(self.data)) * em * 4, self.fontMetrics().height() * 12)

    def _value_text(self, value: float) -> str:
        text = f"{value:g}" if value != int(value) else str(int(value))
        return text + self.value_suffix

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = self.fontMetrics()
        line = fm.height()
        rect = QRectF(self.rect()).adjusted(8, 6, -8, -6)
        if self.title:
            painter.drawText(QRectF(rect.left(), rect.top(), rect.width(), line), Qt.AlignmentFlag.AlignCenter, self.title)
            rect.setTop(rect.top() + line + 4)
        if not self.data:
            painter.setPen(AXIS_COLOR)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self.empty_text)
            return
        plot = rect.adjusted(0, line + 2, 0, -(line + 6))  # room for values above, labels below
        top = max(v for _l, v in self.data) or 1.0
        slot = plot.width() / len(self.data)
        bar_w = min(slot * 0.6, fm.horizontalAdvance("中") * 4)
        painter.setPen(AXIS_COLOR)
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        for i, (label, value) in enumerate(self.data):
            cx = plot.left() + slot * (i + 0.5)
            h = plot.height() * value / top
            bar = QRectF(cx - bar_w / 2, plot.bottom() - h, bar_w, h)
            painter.fillRect(bar, self.bar_color)
            painter.setPen(self.palette().text().color())
            painter.drawText(QRectF(cx - slot / 2, bar.top() - line - 2, slot, line),
                             Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom, self._value_text(value))
            painter.drawText(QRectF(cx - slot / 2, plot.bottom() + 4, slot, line),
                             Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                             fm.elidedText(label, Qt.TextElideMode.ElideRight, int(slot)))
