"""登录: the sign-in dialog (only when single operator mode is off), also used to unlock after idling."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services.context import AppContext
from app.services.safety import auth

from ..common.form import ERROR_STYLE
from ..errors import user_errors

log = logging.getLogger(__name__)


class LoginDialog(QDialog):
    """Accepted once the password is right; ctx.operator_id is then the signed-in operator.

    locked_to: the user name of a locked window (the same person unlocks it; the name is fixed).
    """

    def __init__(
        self, ctx: AppContext, parent: QWidget | None = None, locked_to: str | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.operator: auth.OperatorInfo | None = None
        self.setObjectName("dlg_login")
        self.setModal(True)
        self.setWindowTitle(self.tr("已锁定") if locked_to else self.tr("登录村级党建工作台"))

        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr("离开时间较长，窗口已锁定。请输入密码继续。") if locked_to
            else self.tr("请输入登录名和密码。"), self
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.edit_username = QLineEdit(self)
        self.edit_username.setObjectName("edit_username")
        self.edit_password = QLineEdit(self)
        self.edit_password.setObjectName("edit_password")
        self.edit_password.setEchoMode(QLineEdit.EchoMode.Password)
        if locked_to:
            self.edit_username.setText(locked_to)
            self.edit_username.setReadOnly(True)
        form.addRow(self.tr("登录名"), self.edit_username)
        form.addRow(self.tr("密码"), self.edit_password)
        layout.addLayout(form)
        self.lbl_error = QLabel(self)
        self.lbl_error.setObjectName("lbl_login_error")
        self.lbl_error.setStyleSheet(ERROR_STYLE)
        self.lbl_error.setWordWrap(True)
        self.lbl_error.hide()
        layout.addWidget(self.lbl_error)
        hint = QLabel(self.tr(
            "忘记密码：其他操作员请书记在“设置 → 操作员”中重设；书记(管理员)请关闭本窗口，在这台电脑的命令行运行 "
            "villagedesk reset-password --operator 登录名（会记入操作日志）。"), self)
        hint.setObjectName("lbl_login_forgot")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: gray;")
        layout.addWidget(hint)

        buttons = QDialogButtonBox(self)
        self.btn_login = QPushButton(self.tr("登录") if not locked_to else self.tr("解锁"), self)
        self.btn_login.setObjectName("btn_login")
        self.btn_login.setDefault(True)
        self.btn_quit = QPushButton(self.tr("退出程序"), self)
        self.btn_quit.setObjectName("btn_login_quit")
        buttons.addButton(self.btn_login, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.btn_quit, QDialogButtonBox.ButtonRole.RejectRole)
        self.btn_login.clicked.connect(self.try_login)
        self.btn_quit.clicked.connect(self.reject)
        layout.addWidget(buttons)
        (self.edit_password if locked_to else self.edit_username).setFocus(Qt.FocusReason.OtherFocusReason)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 26)

    def try_login(self) -> None:
        unit_id = self.ctx.unit_id
        if unit_id is None:
            return
        result: auth.LoginResult | None = None
        with user_errors(self):
            name = self.edit_username.text()
            home = self.ctx.call(auth.login_unit, unit_id, name)  # a 镇级 operator's account is the township's
            result = self.ctx.call(auth.login, home, name, self.edit_password.text())
        if result is None:
            return
        if not result.ok:
            self.lbl_error.setText(result.message)
            self.lbl_error.show()
            self.edit_password.clear()
            self.edit_password.setFocus()
            return
        self.operator = result.operator
        self.ctx.operator_id = result.operator.id if result.operator else None
        log.info("signed in: %s", self.ctx.operator_id)
        self.accept()
