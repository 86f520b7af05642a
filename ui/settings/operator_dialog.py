"""新增操作员 / 编辑操作员 (dlg_operator), and the password dialog (dlg_password).

On a 镇/乡/街道 unit (a township's database or server, chosen in the window's unit switcher) the only role
is 镇级, with 「允许修改各村数据」 (can_write; off: the township reads the villages' data only); on a village
the village roles (书记/文书/网格员). The service checks the same (auth._check_role_unit).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QLineEdit, QListWidget, QListWidgetItem, QWidget

from app.services import units
from app.services.access import ROLE_LABELS
from app.services.context import AppContext
from app.services.errors import FieldProblem, ValidationError
from app.services.safety import auth

from ..common.form import FormDialog, select_combo_data


class OperatorDialog(FormDialog):
    def __init__(
        self, ctx: AppContext, unit_id: int, operator_id: int | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__("dlg_operator", self.tr("编辑操作员") if operator_id else self.tr("新增操作员"), parent)
        self.ctx, self.unit_id, self.operator_id = ctx, unit_id, operator_id
        self.username = self.add_line("username", self.tr("登录名"), required=True, placeholder="如 wangwenshu")
        self.display_name = self.add_line("display_name", self.tr("姓名"), required=True)
        self.township = ctx.call(units.get_unit, unit_id).is_township
        shown_role = ctx.call(auth.get_operator, operator_id).role if operator_id is not None else None
        # an operator already on another role (the township's own 书记 account) keeps it in the list
        roles = [(label, key) for key, label in ROLE_LABELS.items()
                 if (key == "township") == self.township or key == shown_role]
        self.role = self.add_combo("role", self.tr("角色"), roles, required=True)
        self.can_write = QCheckBox(self.tr("允许修改各村数据"), self)
        self.can_write.setToolTip(self.tr("不勾选时，镇级操作员只能查看各村的数据"))
        self.add_field("can_write", self.tr("各村数据"), self.can_write)
        self.grids = QListWidget(self)
        for grid_id, name in ctx.call(auth.grid_choices, unit_id):
            item = QListWidgetItem(name, self.grids)
            item.setData(Qt.ItemDataRole.UserRole, grid_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
        self.grids.setMaximumHeight(self.fontMetrics().height() * 6)
        self.add_field("grid_ids", self.tr("负责网格"), self.grids)
        self.show_field("grid_ids", not self.township)  # a 镇/街道 unit has no grids of its own
        self.show_field("can_write", self.township)
        self.active = QCheckBox(self.tr("启用"), self)
        self.active.setChecked(True)
        self.add_field("active", self.tr("状态"), self.active)
        self.password = self.add_line("password", self.tr("密码"), placeholder=self.tr("至少6位，可以以后再设"))
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.role.currentIndexChanged.connect(lambda _i: self._role_changed())
        if operator_id is not None:
            info = ctx.call(auth.get_operator, operator_id)
            self.username.setText(info.username)
            self.username.setReadOnly(True)
            self.display_name.setText(info.display_name)
            select_combo_data(self.role, info.role)
            self.active.setChecked(info.active)
            self.can_write.setChecked(info.can_write)
            for i in range(self.grids.count()):
                item = self.grids.item(i)
                if item.data(Qt.ItemDataRole.UserRole) in info.grid_ids:
                    item.setCheckState(Qt.CheckState.Checked)
            self.password.setEnabled(False)
            self.password.setPlaceholderText(self.tr("请用“设置密码”修改"))
        else:
            select_combo_data(self.role, "township" if self.township else "clerk")
        self._role_changed()

    def _role_changed(self) -> None:
        self.grids.setEnabled(self.role.currentData() == "grid")
        self.can_write.setEnabled(self.role.currentData() == "township")

    def values(self) -> dict[str, Any]:
        grid_ids = tuple(
            self.grids.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.grids.count())
            if self.grids.item(i).checkState() == Qt.CheckState.Checked
        )
        return {
            "username": self.username.text(), "display_name": self.display_name.text(),
            "role": self.role.currentData(), "active": self.active.isChecked(), "grid_ids": grid_ids,
            "password": self.password.text() or None,
            "can_write": self.can_write.isChecked() and self.role.currentData() == "township",
        }

    def save(self, values: dict[str, Any]) -> Any:
        if self.operator_id is None:
            return self.ctx.call(
                auth.create_operator, self.unit_id, values["username"], values["display_name"], values["role"],
                values["password"], values["grid_ids"], can_write=values["can_write"],
            )
        self.ctx.call(auth.update_operator, self.operator_id, values["display_name"], values["role"],
                      values["active"], values["grid_ids"], can_write=values["can_write"])
        return self.operator_id


class PasswordDialog(FormDialog):
    """设置密码: typed twice."""

    def __init__(self, ctx: AppContext, operator_id: int, name: str, parent: QWidget | None = None) -> None:
        super().__init__("dlg_password", self.tr("设置密码：{0}").format(name), parent)
        self.ctx, self.operator_id = ctx, operator_id
        self.first = self.add_line("password", self.tr("新密码"), required=True, placeholder=self.tr("至少6位"))
        self.second = self.add_line("password_again", self.tr("再输入一次"), required=True)
        for edit in (self.first, self.second):
            edit.setEchoMode(QLineEdit.EchoMode.Password)

    def values(self) -> dict[str, Any]:
        if self.first.text() != self.second.text():
            raise ValidationError([FieldProblem("password_again", "再输入一次", "两次输入的密码不一样")])
        return {"password": self.first.text()}

    def save(self, values: dict[str, Any]) -> Any:
        self.ctx.call(auth.set_password, self.operator_id, values["password"])
