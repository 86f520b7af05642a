"""设置 → 数据库服务器: use a township's PostgreSQL server instead of this PC's database file.

主机 / 端口 / 数据库 / 用户名 / 密码, 测试连接 (what the server says, in Chinese), 建立数据结构 (an empty
database), 保存 (tested first; used from the next start) and 改回本机数据库文件. The password goes into a
private password file (app.server_config), never into the settings or the log. Who may change it: the
书记 (or a township operator), or anyone when sign-in is off.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app import server_config
from app.server_config import ServerSettings
from app.services.context import AppContext
from app.services.errors import ServiceError

from ..common.status import show_status
from ..common.widgets import InfoLabel
from ..errors import user_errors

T = TypeVar("T")


class ServerBox(QGroupBox):
    """box_server: field_server_<host|port|database|user|password>, btn_server_<test|create|save|clear>."""

    def __init__(self, ctx: AppContext, editable: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("box_server")
        self.setTitle(self.tr("数据库服务器"))
        self.ctx = ctx
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr(
            "乡镇把各村的数据放在一台数据库服务器上时，在这里填写服务器（由服务器管理员提供）；不填则使用本机的数据库文件。"
            "密码只保存在本机一个仅本用户可读的密码文件中。保存后重新打开程序生效。"), self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.label_current = QLabel(self)
        self.label_current.setObjectName("label_server_current")
        self.label_current.setWordWrap(True)
        self.label_current.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.label_current)

        grid = QGridLayout()
        grid.setColumnStretch(1, 2)
        grid.setColumnStretch(3, 1)
        self.host = self._line("host", self.tr("服务器的地址，如 192.168.1.10"))
        self.port = QSpinBox(self)
        self.port.setObjectName("field_server_port")
        self.port.setRange(1, 65535)
        self.port.setValue(server_config.DEFAULT_PORT)
        self.port.setGroupSeparatorShown(False)
        self.database = self._line("database", self.tr("服务器上的数据库名称"))
        self.user = self._line("user", self.tr("服务器上的登录用户"))
        self.password = self._line("password", self.tr("保存后不再显示"))
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        for row, col, label, widget in ((0, 0, "主机", self.host), (0, 2, "端口", self.port),
                                        (1, 0, "数据库", self.database), (1, 2, "用户名", self.user),
                                        (2, 0, "密码", self.password)):
            grid.addWidget(QLabel(self.tr(label) + "：", self), row, col)
            grid.addWidget(widget, row, col + 1)
        layout.addLayout(grid)

        bar = QHBoxLayout()
        self.btn_test = self._button("btn_server_test", self.tr("测试连接"), self.test)
        self.btn_create = self._button("btn_server_create", self.tr("建立数据结构"), self.create_schema)
        self.btn_create.setToolTip(self.tr("在空数据库中建立村级党建工作台的数据表（测试连接发现数据库是空的时可用）"))
        self.btn_create.setEnabled(False)
        self.btn_save = self._button("btn_server_save", self.tr("保存"), self.save)
        self.btn_clear = self._button("btn_server_clear", self.tr("改回本机数据库文件"), self.clear)
        for b in (self.btn_test, self.btn_create, self.btn_save):
            bar.addWidget(b)
        bar.addStretch(1)
        bar.addWidget(self.btn_clear)
        layout.addLayout(bar)
        self.info = InfoLabel("info_server", self)
        layout.addWidget(self.info)
        for w in (self.host, self.port, self.database, self.user, self.password, self.btn_test, self.btn_save,
                  self.btn_clear):
            w.setEnabled(editable)
        self.editable = editable
        self._load()

    def _line(self, field: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(f"field_server_{field}")
        edit.setPlaceholderText(placeholder)
        edit.setMaxLength(200)
        return edit

    def _button(self, name: str, text: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.clicked.connect(lambda _checked=False: slot())
        return button

    # ---- state ----------------------------------------------------------------------------------

    def _load(self) -> None:
        saved = server_config.saved_settings()
        if saved is not None:
            self.host.setText(saved.host)
            self.port.setValue(saved.port)
            self.database.setText(saved.database)
            self.user.setText(saved.user)
        self._show_current()

    def _show_current(self) -> None:
        saved = server_config.saved_settings()
        where = (self.tr("服务器 {0}:{1}，数据库 {2}（用户 {3}）").format(saved.host, saved.port, saved.database,
                                                                 saved.user)
                 if saved else self.tr("本机数据库文件"))
        now = str(self.ctx.db_path) if self.ctx.db_path else self.tr("服务器上的数据库")
        self.label_current.setText(self.tr("已保存的设置：{0}。本次打开的是：{1}。").format(where, now))

    def settings(self) -> ServerSettings:
        return ServerSettings(self.host.text(), self.port.value(), self.database.text(), self.user.text())

    def _busy(self, fn: Callable[[], T]) -> T | None:
        """Run fn with the wait cursor (a server that does not answer takes a few seconds); a ServiceError
        is shown in red under the buttons, anything else as the usual message."""
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            with user_errors(self):
                try:
                    return fn()
                except ServiceError as exc:
                    self.info.show_error(str(exc))
                    return None
        finally:
            QApplication.restoreOverrideCursor()
        return None

    # ---- actions --------------------------------------------------------------------------------

    def test(self) -> None:
        self.btn_create.setEnabled(False)
        result = self._busy(lambda: server_config.test_connection(self.settings(), self.password.text()))
        if result is not None:
            self.info.show_info(result.message)
            self.btn_create.setEnabled(self.editable and result.empty)

    def create_schema(self) -> None:
        result = self._busy(lambda: server_config.create_schema(self.settings(), self.password.text()))
        if result is not None:
            self.info.show_info(self.tr("已建立数据结构。") + result.message)
            self.btn_create.setEnabled(False)

    def save(self) -> None:
        """Tested first: a setting that cannot connect would keep the program from opening next time."""
        settings, password = self.settings(), self.password.text()
        result = self._busy(lambda: server_config.test_connection(settings, password))
        if result is None or self._busy(lambda: server_config.save_server(settings, password)) is None:
            return
        self.password.clear()
        self._show_current()
        self.info.show_info(result.message + self.tr("\n已保存。重新打开程序后使用这台服务器。"))
        show_status(self, self.tr("数据库服务器已保存，重新打开程序后生效。"))

    def clear(self) -> None:
        had = self._busy(server_config.clear_server)
        if had is None:
            return
        self._show_current()
        self.info.show_info(self.tr("已改回本机数据库文件，重新打开程序后生效。") if had
                            else self.tr("本来就在使用本机数据库文件，没有改动。"))
