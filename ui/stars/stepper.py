"""The five steps of a round at the top of the page: done steps ticked, the current one highlighted."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

DONE = QColor("#2e7d32")
CURRENT = QColor("#c0392b")
TODO = QColor("#b0b0b0")


class Stepper(QWidget):
    """Circles joined by a line, a label under each; set_steps(labels, current index)."""

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.labels: list[str] = []
        self.current = -1
        self.finished = False  # the last step is done too (nothing left to do)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(self.fontMetrics().height() * 2 + 34)

    def set_steps(self, labels: Sequence[str], current: int, finished: bool = False) -> None:
        self.labels, self.current, self.finished = list(labels), current, finished
        done = [lb for i, lb in enumerate(self.labels) if self.state(i) == "done"]
        now = self.labels[current] if 0 <= current < len(self.labels) and not finished else ""
        self.setAccessibleDescription(f"已完成：{'、'.join(done)}；当前：{now}")
        self.update()

    def state(self, index: int) -> str:
        if index < self.current or (self.finished and index == self.current):
            return "done"
        return "current" if index == self.current else "todo"

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(len(self.labels) * self.fontMetrics().horizontalAdvance("中") * 6, self.height())

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        if not self.labels:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = self.fontMetrics()
        n = len(self.labels)
        slot = self.width() / n
        r = 11.0
        cy = 6 + r
        for i in range(n - 1):
            color = DONE if self.state(i + 1) != "todo" else TODO
            painter.setPen(QPen(color, 3))
            painter.drawLine(int(slot * (i + 0.5) + r), int(cy), int(slot * (i + 1.5) - r), int(cy))
        for i, label in enumerate(self.labels):
            state = self.state(i)
            color = {"done": DONE, "current": CURRENT, "todo": TODO}[state]
            cx = slot * (i + 0.5)
            painter.setPen(QPen(color, 2))
            painter.setBrush(color if state != "todo" else Qt.GlobalColor.white)
            painter.drawEllipse(QRectF(cx - r, cy - r, 2 * r, 2 * r))
            painter.setPen(Qt.GlobalColor.white if state != "todo" else TODO)
            painter.drawText(QRectF(cx - r, cy - r, 2 * r, 2 * r), Qt.AlignmentFlag.AlignCenter,
                             "✓" if state == "done" else str(i + 1))
            font = painter.font()
            font.setBold(state == "current")
            painter.setFont(font)
            painter.setPen(color if state != "todo" else self.palette().text().color())
            painter.drawText(QRectF(cx - slot / 2, cy + r + 4, slot, fm.height() + 4),
                             Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, label)
            font.setBold(False)
            painter.setFont(font)
