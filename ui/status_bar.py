"""The main window's status bar: 「本村：…」 at the left, 「数据库：…」 at the right, and the passing messages
(「已导出：…（12,345 行）。请拷贝到U盘交镇里。」) between them.

A long message ran on under 「数据库：」 cut mid-word, and a long path or server name asked the window to be wider
than a 1366 screen. Each text here gives up width instead: it ends in 「…」 where there is no room, and the whole
text is its tooltip.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QStatusBar, QStyle, QStyleOption, QWidget

MIN_CHARS = 6  # a label shrinks down to about this many characters, then the window stops shrinking
GAP = 16  # px between a message and the label at its right


class ElidedLabel(QLabel):
    """One line of text that shrinks with 「…」 (at its end, or in its middle for a path), whole in its tooltip.
    text() stays the whole text."""

    def __init__(self, name: str, parent: QWidget | None = None,
                 mode: Qt.TextElideMode = Qt.TextElideMode.ElideRight) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.mode = mode
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        hint = super().minimumSizeHint()
        least = self.fontMetrics().horizontalAdvance("中") * MIN_CHARS
        return QSize(min(hint.width(), least), hint.height())

    def shown_text(self) -> str:
        """The text as painted: whole, or cut with 「…」 to the label's width."""
        return self.fontMetrics().elidedText(self.text(), self.mode, self.contentsRect().width())

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        super().setText(text)
        self._update_tip()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._update_tip()

    def _update_tip(self) -> None:
        self.setToolTip(self.text() if self.shown_text() != self.text() else "")

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setPen(self.palette().windowText().color())
        painter.drawText(self.contentsRect(), int(self.alignment() | Qt.AlignmentFlag.AlignVCenter), self.shown_text())


class StatusBar(QStatusBar):
    """status_bar: a message is painted within the room left of the permanent labels, cut with 「…」 and whole in
    the bar's tooltip (Qt cut it at that edge mid-character, against the next label).

    While a message shows, the normal widgets (「本村：」) are hidden here explicitly: Qt hides them too, but
    any relayout of the bar meanwhile (a font change, a label's new text) showed them again over the message.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("status_bar")
        self._normal: list[QWidget] = []
        self._permanent: list[QWidget] = []
        self.messageChanged.connect(self._on_message)

    def addWidget(self, widget: QWidget, stretch: int = 0) -> None:  # noqa: N802 - Qt's name
        self._normal.append(widget)
        super().addWidget(widget, stretch)

    def addPermanentWidget(self, widget: QWidget, stretch: int = 0) -> None:  # noqa: N802 - Qt's name
        self._permanent.append(widget)
        super().addPermanentWidget(widget, stretch)

    def _on_message(self, text: str) -> None:
        for widget in self._normal:
            widget.setVisible(not text)
        self._update_tip()

    def message_rect(self) -> QRect:
        """Where the message is painted: from the left edge to the first permanent label, less a gap."""
        right = self.width() - 12
        for widget in self._permanent:
            if widget.isVisible():
                right = min(right, widget.x() - GAP)
        return QRect(6, 0, max(0, right - 6), self.height())

    def shown_message(self) -> str:
        """The current message as painted."""
        return self.fontMetrics().elidedText(self.currentMessage(), Qt.TextElideMode.ElideRight,
                                             self.message_rect().width())

    def _update_tip(self) -> None:
        message = self.currentMessage()
        self.setToolTip(message if message and self.shown_message() != message else "")

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._update_tip()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        if not self.currentMessage():
            super().paintEvent(event)
            return
        painter = QPainter(self)
        option = QStyleOption()
        option.initFrom(self)
        self.style().drawPrimitive(QStyle.PrimitiveElement.PE_PanelStatusBar, option, painter, self)
        painter.setPen(self.palette().windowText().color())
        painter.drawText(self.message_rect(), int(Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignVCenter
                                                  | Qt.TextFlag.TextSingleLine), self.shown_message())
