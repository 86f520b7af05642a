"""The two small forms of 设置 → 工单设置: a 诉求类别 with its 办理时限, and an entry of the 代办清单."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QSpinBox, QWidget

from app.services.context import AppContext
from app.services.tickets import catalog as ticket_settings
from app.services.tickets.catalog import CategoryInfo, ServiceItemInfo

from ..common.form import FormDialog

DAYS, HOURS = "days", "hours"


class TicketCategoryDialog(FormDialog):
    """dialog_ticket_category: name and 办理时限 (a number of 天 or 小时; stored as hours)."""

    def __init__(self, ctx: AppContext, unit_id: int, current: CategoryInfo | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__("dialog_ticket_category", self.tr("修改诉求类别") if current else self.tr("新增诉求类别"),
                         parent)
        self.ctx, self.unit_id, self.current = ctx, unit_id, current
        self.edit_name = self.add_line("name", self.tr("类别名称"), required=True, max_length=20,
                                       placeholder=self.tr("如 安全隐患"))
        holder = QWidget(self)
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        self.spin_due = QSpinBox(holder)
        self.spin_due.setObjectName("spin_due")
        self.spin_due.setRange(1, ticket_settings.MAX_DUE_HOURS)
        self.combo_unit = QComboBox(holder)
        self.combo_unit.setObjectName("combo_due_unit")
        self.combo_unit.addItem(self.tr("天"), DAYS)
        self.combo_unit.addItem(self.tr("小时"), HOURS)
        row.addWidget(self.spin_due, 1)
        row.addWidget(self.combo_unit)
        self.add_field("due_hours", self.tr("办理时限"), holder, required=True)
        hours = current.due_hours if current is not None else 72
        self.set_hours(hours)
        if current is not None:
            self.edit_name.setText(current.name)

    def set_hours(self, hours: int) -> None:
        whole_days = hours % 24 == 0
        self.combo_unit.setCurrentIndex(self.combo_unit.findData(DAYS if whole_days else HOURS))
        self.spin_due.setValue(hours // 24 if whole_days else hours)

    def hours(self) -> int:
        n = self.spin_due.value()
        return n * 24 if self.combo_unit.currentData() == DAYS else n

    def values(self) -> dict[str, Any]:
        return {"name": self.edit_name.text(), "due_hours": self.hours()}

    def save(self, values: dict[str, Any]) -> int:
        c = self.current
        return self.ctx.call(ticket_settings.save_category, self.unit_id, values["name"], values["due_hours"],
                             c.id if c else None, c.active if c else True)


class ServiceItemDialog(FormDialog):
    """dialog_service_item: add or rename an entry of the 代办清单."""

    def __init__(self, ctx: AppContext, unit_id: int, current: ServiceItemInfo | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__("dialog_service_item", self.tr("修改代办事项") if current else self.tr("新增代办事项"), parent)
        self.ctx, self.unit_id, self.current = ctx, unit_id, current
        self.edit_name = self.add_line("name", self.tr("代办事项"), required=True, max_length=30,
                                       placeholder=self.tr("如 老年证办理"))
        if current is not None:
            self.edit_name.setText(current.name)

    def values(self) -> dict[str, Any]:
        return {"name": self.edit_name.text()}

    def save(self, values: dict[str, Any]) -> int:
        c = self.current
        if c is None:
            return self.ctx.call(ticket_settings.add_service_item, self.unit_id, values["name"])
        self.ctx.call(ticket_settings.save_service_item, self.unit_id, c.id, values["name"], c.active)
        return c.id
