"""设置 → 工单设置: 诉求类别 with their 办理时限, the 党员代办清单, and the 回访不满意 switch (书记 only).

A category's 办理时限 sets the due time of tickets received from then on; tickets already received keep
theirs. 停用 takes a category or 代办事项 off the intake form; old tickets keep showing it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QCheckBox, QDialog, QGroupBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.services.context import AppContext
from app.services.tickets import catalog as ticket_settings
from app.services.tickets.catalog import CategoryInfo, ServiceItemInfo, due_text

from ..common.list_editor import ListEditor, announce
from ..common.table_model import Column
from ..common.widgets import InfoLabel
from ..errors import user_errors
from .settings_dialogs import ServiceItemDialog, TicketCategoryDialog

CHANGE_KIND = "ticket_settings"  # the 工单 page reloads its category filter on this change
CATEGORY_COLUMNS: list[Column[CategoryInfo]] = [
    Column("诉求类别", "name", width=8),
    Column("办理时限", lambda c: due_text(c.due_hours), width=5),
    Column("启用", "active", width=3),
]
ITEM_COLUMNS: list[Column[ServiceItemInfo]] = [
    Column("代办事项", "name", width=14),
    Column("启用", "active", width=3),
]


class TicketSettingsBox(QGroupBox):
    """box_ticket_settings: table_ticket_categories, table_service_items, chk_reopen_unsatisfied."""

    def __init__(self, ctx: AppContext, unit_id: int, editable: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("box_ticket_settings")
        self.setTitle(self.tr("工单设置（诉求类别与办理时限、党员代办清单）"))
        self.ctx, self.unit_id, self.editable = ctx, unit_id, editable
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr(
            "新受理的工单按类别的办理时限计算办理期限（已受理的工单不变）。停用的类别和代办事项不再出现在"
            "受理登记中，以往的工单和台账照常显示。"), self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        lists = QHBoxLayout()
        self.categories: ListEditor[CategoryInfo] = ListEditor(
            "ticket_categories", "ticket_category", self.tr("类别"), CATEGORY_COLUMNS,
            lambda: ctx.call(ticket_settings.list_categories, unit_id, True), editable, self)
        self.categories.on_add = lambda: self._edit_category(None)
        self.categories.on_edit = self._edit_category
        self.categories.on_toggle = lambda c: self._toggle(ticket_settings.set_category_active, c)
        self.categories.on_move = lambda c, d: self._move(ticket_settings.move_category, c.id, d)
        self.items: ListEditor[ServiceItemInfo] = ListEditor(
            "service_items", "service_item", self.tr("事项"), ITEM_COLUMNS,
            lambda: ctx.call(ticket_settings.list_service_items, unit_id, True), editable, self)
        self.items.on_add = lambda: self._edit_item(None)
        self.items.on_edit = self._edit_item
        self.items.on_toggle = lambda i: self._toggle(ticket_settings.set_service_item_active, i)
        self.items.on_move = lambda i, d: self._move(ticket_settings.move_service_item, i.id, d)
        for title, name, editor in ((self.tr("诉求类别"), "group_ticket_categories", self.categories),
                                    (self.tr("党员代办清单"), "group_service_items", self.items)):
            group = QGroupBox(title, self)
            group.setObjectName(name)
            inner = QVBoxLayout(group)
            editor.setParent(group)
            editor.table.setMinimumHeight(self.fontMetrics().height() * 12)
            inner.addWidget(editor)
            lists.addWidget(group, 1)
            editor.changed.connect(self._changed)
        layout.addLayout(lists)
        self.chk_reopen = QCheckBox(self.tr("回访“不满意”的工单自动重新办理（退回“已接单”，代办积分作废）"), self)
        self.chk_reopen.setObjectName("chk_reopen_unsatisfied")
        self.chk_reopen.setEnabled(editable)
        if not editable:
            self.chk_reopen.setToolTip(self.tr("只有书记（管理员）可以修改"))
        self.chk_reopen.toggled.connect(self.set_reopen)
        layout.addWidget(self.chk_reopen)
        self.info = InfoLabel("info_ticket_settings", self)
        layout.addWidget(self.info)
        self.refresh()

    def refresh(self) -> None:
        with user_errors(self):
            self.categories.refresh()
            self.items.refresh()
            self.chk_reopen.blockSignals(True)
            self.chk_reopen.setChecked(self.ctx.call(ticket_settings.reopen_on_unsatisfied, self.unit_id))
            self.chk_reopen.blockSignals(False)

    def _changed(self) -> None:
        announce(self, CHANGE_KIND)

    def _edit_category(self, current: CategoryInfo | None) -> int | None:
        dialog = TicketCategoryDialog(self.ctx, self.unit_id, current, self)
        return int(dialog.result_value) if dialog.exec() == QDialog.DialogCode.Accepted else None

    def _edit_item(self, current: ServiceItemInfo | None) -> int | None:
        dialog = ServiceItemDialog(self.ctx, self.unit_id, current, self)
        return int(dialog.result_value) if dialog.exec() == QDialog.DialogCode.Accepted else None

    def _toggle(self, service: Callable[..., Any], row: CategoryInfo | ServiceItemInfo) -> int:
        self.ctx.call(service, self.unit_id, row.id, not row.active)
        return row.id

    def _move(self, service: Callable[..., Any], row_id: int, delta: int) -> int | None:
        return row_id if self.ctx.call(service, self.unit_id, row_id, delta) else None

    def set_reopen(self, on: bool) -> None:
        done = False
        with user_errors(self):
            self.ctx.call(ticket_settings.set_reopen_on_unsatisfied, self.unit_id, on)
            done = True
        if done:
            self.info.show_info(self.tr("已保存：回访不满意的工单{0}。").format(
                self.tr("自动重新办理") if on else self.tr("不再自动重新办理，按回访结果办结")))
            announce(self, CHANGE_KIND)
        else:  # refused: show the stored value again
            self.refresh()
