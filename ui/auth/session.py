"""Who works in the window: sign-in at start (or the admin in single operator mode), the idle lock."""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMainWindow, QWidget

from app.services.context import AppContext
from app.services.safety import auth

log = logging.getLogger(__name__)

# Input that counts as "someone is at the PC".
_ACTIVITY = {
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.Wheel,
}


def sign_in(ctx: AppContext, parent: QWidget | None = None) -> bool:
    """Set ctx.operator_id: the admin in single operator mode (a township database's 管理员), else whoever
    signs in. False: cancelled."""
    unit_id = ctx.unit_id
    if unit_id is None:
        return False
    ctx.operator_id = None
    single = ctx.call(auth.single_operator, unit_id)  # on a township's database: its 管理员
    if single is not None:
        ctx.operator_id = single
        return True
    from .login_dialog import LoginDialog  # not needed in single operator mode: the window opens sooner

    dialog = LoginDialog(ctx, parent)
    return dialog.exec() == QDialog.DialogCode.Accepted and ctx.operator_id is not None


class IdleLock(QObject):
    """Locks the window after `minutes` without keyboard or mouse input (0: never).

    Only with sign-in on: in single operator mode there is no password to unlock with.
    """

    def __init__(self, ctx: AppContext, window: QWidget) -> None:
        super().__init__(window)
        self.ctx = ctx
        self.window = window
        self.locked = False
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.lock)
        self.watching = False  # the application-wide event filter is installed
        self.reload()

    def reload(self) -> None:
        """Read the setting again (after the settings page changed it)."""
        unit_id = self.ctx.unit_id
        minutes = 0
        if unit_id is not None and not self.ctx.call(auth.single_operator_mode,
                                                     self.ctx.call(auth.governing_unit, unit_id)):
            minutes = self.ctx.call(auth.idle_lock_minutes, unit_id)
        self.timer.stop()
        if minutes > 0:
            self.timer.setInterval(minutes * 60_000)
            self.timer.start()
        self._watch(minutes > 0)

    def _watch(self, on: bool) -> None:
        """Filter the application's events only while a countdown is set: every event of every widget
        passing through Python cost the first paint ~30 ms (single operator mode has no lock at all)."""
        app = QApplication.instance()
        if app is None or on == self.watching:
            return
        if on:
            app.installEventFilter(self)
        else:
            app.removeEventFilter(self)
        self.watching = on

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() in _ACTIVITY and self.timer.interval() > 0 and not self.locked and self.timer.isActive():
            self.timer.start()  # restart the countdown
        return False

    def lock(self) -> None:
        if self.locked or self.ctx.operator_id is None:
            return
        self.locked = True
        username = self.ctx.call(auth.get_operator, self.ctx.operator_id).username
        log.info("window locked after idling")
        from .login_dialog import LoginDialog

        # the records must not stay readable behind the lock dialog
        content = self.window.centralWidget() if isinstance(self.window, QMainWindow) else None
        if content is not None:
            content.hide()
        dialog = LoginDialog(self.ctx, self.window, locked_to=username)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            self.window.close()
            return
        if content is not None:
            content.show()
        self.locked = False
        self.timer.start()
