"""「当前村(社区)：」 in the window's top bar: which village every page works on, where the signed-in operator
may see more than one (a township's server, a township database after 上报数据包 imports).

The list is the township unit (「阳曲镇（镇级）」: its own 设置, where the 镇级 operators are kept), then
units.list_villages as the services let this operator see them (片区 first, then name), each village shown
as 「片区 · 村名」. Choosing one calls ctx.set_unit, then drops every page built so far: the
pages keep the unit in their boxes and models, so each is built again for the new unit when next shown
(the page on screen at once). With one village (a village's own database) the switcher is not shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSizePolicy, QWidget

from app.services import units
from app.services.units import UnitInfo

from ..errors import user_errors

if TYPE_CHECKING:
    from ..main_window import MainWindow


def unit_label(info: UnitInfo) -> str:
    if info.is_township:
        return f"{info.name}（{info.kind}级）"
    return f"{info.district} · {info.name}" if info.district else info.name


class UnitSwitcher(QWidget):
    """unit_switcher: label_unit_switcher and combo_unit (data: the unit id)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("unit_switcher")
        self.window_ = window
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 0, 6, 0)
        label = QLabel(self.tr("当前村(社区)："), self)
        label.setObjectName("label_unit_switcher")
        self.combo = QComboBox(self)
        self.combo.setObjectName("combo_unit")
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.combo.setMaxVisibleItems(20)
        self.combo.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        label.setBuddy(self.combo)
        layout.addWidget(label)
        layout.addWidget(self.combo)
        self.combo.activated.connect(lambda _index: self._chosen())

    def reload(self) -> bool:
        """List the villages this operator sees; shown only when there is a choice. Returns whether shown."""
        villages: list[UnitInfo] = []
        with user_errors(self.window_):
            townships = [u for u in self.window_.ctx.call(units.list_units) if u.is_township]
            villages = townships + self.window_.ctx.call(units.list_villages)
        self.combo.blockSignals(True)
        try:
            self.combo.clear()
            for info in villages:
                self.combo.addItem(unit_label(info), info.id)
            current = self.combo.findData(self.window_.ctx.unit_id)
            self.combo.setCurrentIndex(max(current, 0))
        finally:
            self.combo.blockSignals(False)
        shown = len(villages) > 1
        self.setVisible(shown)
        return shown

    def _chosen(self) -> None:
        unit_id = self.combo.currentData()
        if unit_id is not None and unit_id != self.window_.ctx.unit_id:
            switch_unit(self.window_, int(unit_id))

    def select(self, unit_id: int) -> None:
        """Choose a unit as the user would (tests, and code that opens a village's page)."""
        index = self.combo.findData(unit_id)
        if index >= 0:
            self.combo.setCurrentIndex(index)
            self._chosen()


def install(window: MainWindow) -> UnitSwitcher:
    """Put the switcher at the right end of the window's menu bar (hidden with one village)."""
    switcher = UnitSwitcher(window)
    window.menuBar().setCornerWidget(switcher, Qt.Corner.TopRightCorner)
    switcher.reload()
    return switcher


def switch_unit(window: MainWindow, unit_id: int) -> None:
    """Work on unit_id: every page is built again for it (the one on screen now, the others when shown)."""
    ctx = window.ctx
    before = ctx.unit_id
    with user_errors(window):
        ctx.set_unit(unit_id)  # refused (PermissionDenied) for a unit this operator may not see
    if ctx.unit_id == before:
        window.unit_switcher.reload()  # the refused choice goes back to the unit still in use
        return
    for page in window.pages.forget_built():
        window.stack.removeWidget(page)
        page.deleteLater()
    start_nav = getattr(window, "start_nav", None)
    if start_nav is not None:
        start_nav.page = None  # it held the old unit's 开始使用 page; built again when needed
    window.load_unit()
    item = window.nav.currentItem()
    if item is not None:
        window.stack.setCurrentWidget(window.pages[item.data(Qt.ItemDataRole.UserRole)])
