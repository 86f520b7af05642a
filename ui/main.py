"""Start the window: QApplication, error handling, the CJK font, the first start, the main window."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from app.logs import setup_logging
from app.services.context import AppContext

from . import settings
from .appfont import has_cjk_glyphs, install_cjk_font, set_large_font
from .errors import install_excepthook, user_errors

log = logging.getLogger(__name__)

APP_NAME = "村级党建工作台"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)


def icon_dir() -> Path:
    """resources/icons in the source tree, or inside a PyInstaller bundle (sys._MEIPASS)."""
    meipass = getattr(sys, "_MEIPASS", None)
    root = Path(meipass) if meipass else Path(__file__).resolve().parent.parent
    return root / "resources" / "icons"


def app_icon() -> QIcon:
    """The program's icon (drawn in resources/icons/villagedesk.svg, rendered to PNGs)."""
    icon = QIcon()
    for size in ICON_SIZES:
        path = icon_dir() / f"villagedesk-{size}.png"
        if path.is_file():
            icon.addFile(str(path))
    return icon


def tr(text: str) -> str:
    return QCoreApplication.translate("main", text)


def make_application(argv: list[str]) -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(argv)
    app.setApplicationName("VillageDesk")
    # No applicationDisplayName: X11 would append it to every title, which already names the program.
    app.setOrganizationName("VillageDesk")
    app.setWindowIcon(app_icon())
    app.setDesktopFileName("villagedesk")  # Linux: the taskbar matches villagedesk.desktop
    install_translations(app)
    return app


def translation_dirs() -> list[Path]:
    """Where Qt's own .qm files may be: Qt's configured folder, else inside the PySide6 package
    (a PyInstaller bundle keeps them there, and its qt.conf may point elsewhere)."""
    import PySide6

    package = Path(PySide6.__file__).resolve().parent
    dirs = [Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)),
            package / "Qt" / "translations", package / "translations"]
    return list(dict.fromkeys(d for d in dirs if d.is_dir()))


def install_translations(app: QCoreApplication) -> list[QTranslator]:
    """Qt's own texts in Chinese: 确定/取消 on message boxes, 查找范围/文件类型 in the file dialog, the
    calendar's months. Returns the translators installed (the shipped .qm, then ui.qt_zh's supplement for
    the texts it lacks). Without the .qm Qt shows English; the program still works, so only a log line."""
    from .qt_zh import QtChinese

    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    installed: list[QTranslator] = []
    translator = QTranslator(app)
    for folder in translation_dirs():
        if translator.load("qtbase_zh_CN", str(folder)):
            app.installTranslator(translator)
            installed.append(translator)
            break
    else:
        log.warning("Qt's Chinese translation (qtbase_zh_CN.qm) not found in %s", translation_dirs())
    supplement = QtChinese(app)  # installed last: asked first
    app.installTranslator(supplement)
    return [*installed, supplement]


def setup_fonts(app: QApplication) -> None:
    info = install_cjk_font(app)
    if info is None and not has_cjk_glyphs():
        # Qt may not be able to draw this text either; say it plainly, in both scripts.
        QMessageBox.warning(
            None,
            APP_NAME,
            tr(
                "没有找到中文字体，界面上的汉字可能显示为方框。\n"
                "请安装中文字体（如 文泉驿微米黑 fonts-wqy-microhei），或把字体文件放到程序的 resources/fonts 文件夹。\n\n"
                "No Chinese font was found; install one (e.g. fonts-wqy-microhei)."
            ),
        )
    if settings.get_bool("large_font"):
        set_large_font(app, True)


def show_startup_error(message: str, argv: list[str]) -> int:
    """A problem before the window can open (database in use, unreadable file): say it in a dialog."""
    app = make_application(argv)
    setup_fonts(app)
    if not _offer_local_file(message, argv):
        QMessageBox.critical(None, APP_NAME, message)
    return 1


def _offer_local_file(message: str, argv: list[str]) -> bool:
    """The program was opened on the server saved in 设置 → 数据库服务器 and that failed (server down, password
    changed): offer to go back to this PC's database file, or the window could never open again to change
    it. Returns whether the offer was made."""
    from app import server_config

    if any(a.split("=", 1)[0] in ("--db", "--db-url") for a in argv) or os.environ.get("VILLAGEDESK_DB"):
        return False  # this start did not use the saved server
    try:
        saved = server_config.saved_settings()
    except OSError:
        return False
    if saved is None:
        return False
    text = message + tr("\n\n程序设置为使用数据库服务器 {0}:{1}（数据库 {2}）。服务器暂时不能用时，可以改回本机的数据库文件"
                        "（服务器上的数据不受影响，以后可在 设置 → 数据库服务器 中重新保存）。\n\n现在改回本机数据库文件吗？"
                        ).format(saved.host, saved.port, saved.database)
    if QMessageBox.question(None, APP_NAME, text) == QMessageBox.StandardButton.Yes:
        with user_errors(None):
            server_config.clear_server()
            QMessageBox.information(None, APP_NAME, tr("已改回本机数据库文件，请重新打开程序。"))
    return True


def run_gui(ctx: AppContext, argv: list[str]) -> int:
    """Open the window on the database in ctx; returns the exit status for the CLI."""
    log_path = setup_logging()
    app = make_application(argv)
    install_excepthook(log_path)
    setup_fonts(app)

    if ctx.unit_id is None:
        from .setup.first_start import FirstStartDialog

        dialog = FirstStartDialog(ctx)
        if dialog.exec() != QDialog.DialogCode.Accepted or ctx.unit_id is None:
            return 0

    from .auth.session import sign_in

    signed_in = False
    with user_errors(None):  # single operator mode: the admin; otherwise the sign-in dialog
        signed_in = sign_in(ctx)
    if not signed_in:
        return 0

    from .main_window import MainWindow

    window: MainWindow | None = None
    with user_errors(None):
        window = MainWindow(ctx)
        window.restore_geometry()
        window.show()
    if window is None:
        return 1
    app.setQuitOnLastWindowClosed(True)
    status = app.exec()
    log.info("window closed (%s)", status)
    return int(status)

