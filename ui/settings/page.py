"""设置: 本村信息与公示, 节假日与调休, backups (备份到…, 从备份恢复…, the automatic backups, the folder),
sign-in and operators, and the areas' rule boxes.

Restore, sign-in settings and operators are the 书记's: the services refuse anyone else, and the page
disables those controls for other roles so nobody is offered what will be refused.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialog,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.paths import backup_dir
from app.services import units
from app.services.context import AppContext
from app.services.safety import auth, backup
from app.services.safety.backup_crypto import PasswordRequired, is_encrypted
from app.services.safety.backup_files import BackupFile

from ..common.page import Changes, Page
from ..common.status import show_status
from ..common.table_model import Column, LazyTableModel, list_source
from ..common.widgets import DataTable, InfoLabel
from ..errors import user_errors
from ..points.rules_box import PointSettingsBox
from ..stars.categories_box import StarCategoriesBox
from ..tickets.settings_box import TicketSettingsBox
from .calendar_box import CalendarBox
from .operator_dialog import OperatorDialog, PasswordDialog
from .package_box import PackageBox
from .schedule_box import MeetingScheduleBox
from .server_box import ServerBox
from .unit_box import UnitInfoBox

BACKUP_COLUMNS: list[Column[BackupFile]] = [
    Column("备份时间", "made_at", width=9),
    Column("原因", "reason", width=5),
    Column("大小", lambda b: f"{b.size / 1_048_576:.1f} MB", width=5),
    Column("文件名", "name", width=24),
]
OPERATOR_COLUMNS: list[Column[auth.OperatorInfo]] = [
    Column("登录名", "username", width=6),
    Column("姓名", "display_name", width=5),
    Column("角色", "role_label", width=6),
    Column("负责网格", "grid_names", width=10),
    Column("已设密码", "has_password", width=4),
    Column("启用", "active", width=3),
]


class SettingsPage(Page):
    title = "设置"
    object_name = "page_settings"  # known before the page is built (ui/page_stack.py)

    def __init__(self, ctx: AppContext, changes: Changes, parent: QWidget | None = None) -> None:
        super().__init__(ctx, changes, parent)
        self.setObjectName("page_settings")
        outer = QVBoxLayout(self)
        self.scroll = scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        body = QWidget(scroll)
        layout = QVBoxLayout(body)
        scroll.setWidget(body)
        outer.addWidget(scroll)
        role = self._role()
        self.unit_box = UnitInfoBox(ctx, self.unit_id, role in (None, "admin"), body)  # 本村信息与公示
        layout.addWidget(self.unit_box)
        layout.addWidget(CalendarBox(ctx, self.unit_id, role in (None, "admin", "clerk"), body))  # 节假日与调休
        layout.addWidget(self._backup_box(body))
        layout.addWidget(ServerBox(ctx, role in (None, "admin", "township"), body))  # 数据库服务器
        layout.addWidget(self._login_box(body))
        layout.addWidget(PointSettingsBox(ctx, self.unit_id, self._role() in (None, "admin"), body))  # 积分规则
        layout.addWidget(StarCategoriesBox(ctx, self.unit_id, self._role() in (None, "admin"), body))  # 星类
        layout.addWidget(TicketSettingsBox(ctx, self.unit_id, self._role() in (None, "admin"), body))  # 工单设置
        layout.addWidget(MeetingScheduleBox(ctx, self.unit_id, role in (None, "admin", "clerk"), body))  # 三会一课提醒
        layout.addWidget(PackageBox(ctx, self.unit_id, role in (None, "admin"), body))  # 上报数据包
        layout.addStretch(1)
        self.refresh()

    # ---- building -------------------------------------------------------------------------------

    def _backup_box(self, parent: QWidget) -> QGroupBox:
        box = QGroupBox(self.tr("数据备份"), parent)
        box.setObjectName("group_backup")
        layout = QVBoxLayout(box)
        intro = QLabel(self.tr(
            "程序每天第一次打开时自动备份一次，并在升级、导入和恢复之前自动备份；自动备份保留最近7天、"
            "4周和12个月各一份。重要数据请再定期“备份到”U盘或其他电脑，带出办公室的备份请加密。"
        ), box)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        bar = QHBoxLayout()
        self.btn_backup_to = QPushButton(self.tr("备份到…"), box)
        self.btn_backup_to.setObjectName("btn_backup_to")
        self.chk_encrypt = QCheckBox(self.tr("加密（设置密码）"), box)
        self.chk_encrypt.setObjectName("chk_backup_encrypt")
        self.btn_restore = QPushButton(self.tr("从备份恢复…"), box)
        self.btn_restore.setObjectName("btn_restore")
        self.btn_restore_selected = QPushButton(self.tr("恢复所选的自动备份"), box)
        self.btn_restore_selected.setObjectName("btn_restore_selected")
        self.btn_open_folder = QPushButton(self.tr("打开备份文件夹"), box)
        self.btn_open_folder.setObjectName("btn_open_backup_folder")
        for w in (self.btn_backup_to, self.chk_encrypt, self.btn_restore, self.btn_restore_selected):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.btn_open_folder)
        layout.addLayout(bar)
        self.table_backups = DataTable("table_backups", box)
        count, page = list_source(self._auto_backups)
        self.backups_model: LazyTableModel[BackupFile] = LazyTableModel(BACKUP_COLUMNS, count, page, parent=self)
        self.table_backups.setModel(self.backups_model)
        self.table_backups.setSortingEnabled(False)
        self.table_backups.setMinimumHeight(self.fontMetrics().height() * 9)
        layout.addWidget(self.table_backups)
        self.info_backups = InfoLabel("info_backups", box)
        layout.addWidget(self.info_backups)
        self.backups_model.loadFailed.connect(self.info_backups.show_error)
        self.btn_backup_to.clicked.connect(self.backup_to)
        self.btn_restore.clicked.connect(self.restore_file)
        self.btn_restore_selected.clicked.connect(self.restore_selected)
        self.btn_open_folder.clicked.connect(self.open_folder)
        return box

    def _login_box(self, parent: QWidget) -> QGroupBox:
        box = QGroupBox(self.tr("登录与操作员"), parent)
        box.setObjectName("group_login")
        layout = QVBoxLayout(box)
        row = QHBoxLayout()
        self.chk_single = QCheckBox(self.tr("单人使用（打开程序不需要登录）"), box)
        self.chk_single.setObjectName("chk_single_operator")
        self.spin_idle = QSpinBox(box)
        self.spin_idle.setObjectName("spin_idle_minutes")
        self.spin_idle.setRange(0, 240)
        self.spin_idle.setSuffix(self.tr(" 分钟"))
        self.spin_idle.setSpecialValueText(self.tr("不锁定"))
        self.btn_save_login = QPushButton(self.tr("保存登录设置"), box)
        self.btn_save_login.setObjectName("btn_save_login")
        row.addWidget(self.chk_single)
        row.addSpacing(20)
        row.addWidget(QLabel(self.tr("无操作自动锁定："), box))
        row.addWidget(self.spin_idle)
        row.addWidget(self.btn_save_login)
        row.addStretch(1)
        layout.addLayout(row)
        self.table_operators = DataTable("table_operators", box)
        count, page = list_source(self._operators)
        self.operators_model: LazyTableModel[auth.OperatorInfo] = LazyTableModel(
            OPERATOR_COLUMNS, count, page, parent=self
        )
        self.table_operators.setModel(self.operators_model)
        self.table_operators.setSortingEnabled(False)
        self.table_operators.setMinimumHeight(self.fontMetrics().height() * 7)
        self.table_operators.doubleClicked.connect(lambda _i: self.edit_operator())
        layout.addWidget(self.table_operators)
        bar = QHBoxLayout()
        self.btn_add_operator = QPushButton(self.tr("新增操作员"), box)
        self.btn_add_operator.setObjectName("btn_add_operator")
        self.btn_edit_operator = QPushButton(self.tr("编辑操作员"), box)
        self.btn_edit_operator.setObjectName("btn_edit_operator")
        self.btn_set_password = QPushButton(self.tr("设置密码"), box)
        self.btn_set_password.setObjectName("btn_set_password")
        for b in (self.btn_add_operator, self.btn_edit_operator, self.btn_set_password):
            bar.addWidget(b)
        bar.addStretch(1)
        layout.addLayout(bar)
        self.info_login = InfoLabel("info_login", box)
        self.info_login.setWordWrap(True)
        layout.addWidget(self.info_login)
        self.btn_save_login.clicked.connect(self.save_login)
        self.btn_add_operator.clicked.connect(self.add_operator)
        self.btn_edit_operator.clicked.connect(self.edit_operator)
        self.btn_set_password.clicked.connect(self.set_password)
        self._admin = True  # the signed-in operator may manage operators (set by refresh)
        self.update_edit_operator = self.table_operators.enable_with_selection(
            self.btn_edit_operator, allowed=lambda: self._admin)
        return box

    def show_unit_box(self) -> None:
        """开始使用 → 公示设置: bring 本村信息与公示 into view, the cursor in its first 公示 field."""
        self.scroll.ensureWidgetVisible(self.unit_box)
        self.unit_box.focus_first()

    # ---- state ----------------------------------------------------------------------------------

    def _auto_backups(self) -> list[BackupFile]:
        return backup.list_auto_backups(self.ctx.db)

    @property
    def accounts_unit(self) -> int:
        """Whose operators and sign-in settings these are: on a township's database a village that only sends
        packages has none, the township's are shown (auth.governing_unit)."""
        return self.ctx.call(auth.governing_unit, self.unit_id)

    def _role(self) -> str | None:
        """The operator's role; a township's 管理员 (镇级 allowed to write) manages like a 书记: "admin"."""
        me = self.ctx.call(auth.current_operator)
        if me is not None and me.role == "township" and me.can_write:
            return "admin"
        return me.role if me else None

    def _operators(self) -> list[auth.OperatorInfo]:
        if self._role() not in (None, "admin"):
            me = self.ctx.call(auth.current_operator)
            return [me] if me else []  # others see (and may change the password of) only themselves
        return self.ctx.call(auth.list_operators, self.accounts_unit)

    def refresh(self) -> None:
        with user_errors(self):
            role = self._role()
            admin = role in (None, "admin")
            self.backups_model.refresh()
            self.operators_model.refresh()
            self.chk_single.setChecked(self.ctx.call(auth.single_operator_mode, self.accounts_unit))
            self.spin_idle.setValue(self.ctx.call(auth.idle_lock_minutes, self.accounts_unit))
            for w in (self.btn_restore, self.btn_restore_selected, self.chk_single, self.spin_idle,
                      self.btn_save_login, self.btn_add_operator):
                w.setEnabled(admin)
            self._admin = admin
            self.update_edit_operator()
            self.btn_backup_to.setEnabled(role in (None, "admin", "clerk"))
            self.chk_encrypt.setEnabled(role in (None, "admin", "clerk"))
            self.info_backups.show_info(self.tr("自动备份文件夹：{0}（{1} 份）").format(
                backup_dir(), self.backups_model.total))
            if not admin:
                self.info_login.show_info(self.tr("恢复数据、登录设置和操作员只能由书记(管理员)办理。"))

    def _selected_operator(self) -> auth.OperatorInfo | None:
        return self.operators_model.row_at(self.table_operators.current_row())

    # ---- backups --------------------------------------------------------------------------------

    def _ask_password(self, title: str, label: str) -> str | None:
        text, ok = QInputDialog.getText(self, title, label, QLineEdit.EchoMode.Password)
        return text if ok and text else None

    def backup_to(self) -> None:
        encrypt = self.chk_encrypt.isChecked()
        village = self.ctx.call(units.get_unit, self.unit_id).name
        name = backup.default_backup_name(self.ctx.db, village, encrypted=encrypt)
        # .sqlite, or .dump on a PostgreSQL server (pg_dump)
        pattern = self.tr("加密备份 (*.vdbak)") if encrypt else self.tr("数据库备份 (*{0})").format(Path(name).suffix)
        path, _ = QFileDialog.getSaveFileName(self, self.tr("备份到"), str(Path.home() / name), pattern)
        if not path:
            return
        password = None
        if encrypt:
            password = self._ask_password(self.tr("加密备份"), self.tr("请设置备份密码（至少6位，请牢记）："))
            if not password:
                return
            again = self._ask_password(self.tr("加密备份"), self.tr("请再输入一次密码："))
            if again != password:
                QMessageBox.warning(self, self.tr("加密备份"), self.tr("两次输入的密码不一样，未备份。"))
                return
        done = None
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            with user_errors(self):
                done = self.ctx.call_db(backup.backup_to, Path(path), password)
        finally:
            QApplication.restoreOverrideCursor()
        if done is not None:
            QMessageBox.information(self, self.tr("备份完成"), self.tr("已备份到\n{0}").format(done))

    def restore_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("选择备份文件"), str(backup_dir()),
            self.tr("备份文件 (*.sqlite *.vdbak *.dump);;所有文件 (*)"),
        )
        if path:
            self.restore(Path(path))

    def restore_selected(self) -> None:
        chosen = self.backups_model.row_at(self.table_backups.current_row())
        if chosen is None:
            QMessageBox.information(self, self.tr("恢复"), self.tr("请先在列表中选择一份自动备份。"))
            return
        self.restore(chosen.path)

    def restore(self, path: Path) -> None:
        """Preview (date and counts) → confirm → restore (the current state is backed up first)."""
        password = None
        if is_encrypted(path):
            password = self._ask_password(self.tr("加密备份"), self.tr("请输入备份密码："))
            if not password:
                return
        info = None
        with user_errors(self):
            try:
                info = backup.inspect_backup(path, password)
            except PasswordRequired:
                return
        if info is None:
            return
        text = "\n".join(info.lines()) + self.tr(
            "\n\n恢复后，当前数据会被这份备份替换（当前数据会先自动另存一份）。确定恢复吗？"
        )
        answer = QMessageBox.question(self, self.tr("从备份恢复"), text)
        if answer != QMessageBox.StandardButton.Yes:
            return
        safety = None
        restored = False
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            with user_errors(self):
                safety = self.ctx.call_db(backup.restore_from, path, password)
                restored = True
        finally:
            QApplication.restoreOverrideCursor()
        if not restored:
            return
        QMessageBox.information(self, self.tr("恢复完成"), self.tr(
            "已从 {0} 恢复数据。\n恢复前的数据已另存为 {1}"
        ).format(path.name, safety or "—"))
        window = self.window()
        reload_all = getattr(window, "reload_everything", None)
        if callable(reload_all):
            reload_all()
        else:
            self.refresh()

    def open_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(backup_dir())))

    # ---- sign-in and operators ------------------------------------------------------------------

    def save_login(self) -> None:
        with user_errors(self):
            self.ctx.call(auth.set_idle_lock_minutes, self.accounts_unit, self.spin_idle.value())
            self.ctx.call(auth.set_single_operator_mode, self.accounts_unit, self.chk_single.isChecked())
            self.info_login.show_info(self.tr("登录设置已保存，下次打开程序时生效。"))
            show_status(self, self.tr("已保存登录设置，下次打开程序时生效。"))
            lock = getattr(self.window(), "idle_lock", None)
            if lock is not None:
                lock.reload()
        self.refresh()

    def add_operator(self) -> None:
        dialog = OperatorDialog(self.ctx, self.accounts_unit, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.operators_model.refresh()

    def edit_operator(self) -> None:
        chosen = self._selected_operator()
        if chosen is None or self._role() not in (None, "admin"):
            return
        dialog = OperatorDialog(self.ctx, self.accounts_unit, chosen.id, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.operators_model.refresh()

    def set_password(self) -> None:
        chosen = self._selected_operator()
        if chosen is None:
            QMessageBox.information(self, self.tr("设置密码"), self.tr("请先在列表中选择操作员。"))
            return
        dialog = PasswordDialog(self.ctx, chosen.id, chosen.display_name, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.operators_model.refresh()
            self.info_login.show_info(self.tr("已为 {0} 设置密码。").format(chosen.display_name))
