"""Choosing files to save or open: the dialogs start in the folder the user used last time.

The folder is kept in the window preferences (ui.settings, window.ini) under `paths/<purpose>`,
so 导出台账 and 生成公示 each remember their own place (a 台账 folder, a 公示 folder).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog, QWidget

from app.paths import safe_file_name

from .. import settings

KEY = "paths/{0}"


def last_folder(purpose: str = "export") -> Path:
    """Where the dialog opens: the last folder used for this purpose, else 文档 (Documents)."""
    value = settings.ui_settings().value(KEY.format(purpose))
    if value:
        folder = Path(str(value))
        if folder.is_dir():
            return folder
    docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(docs) if docs and Path(docs).is_dir() else Path.home()


def remember_folder(path: Path, purpose: str = "export") -> None:
    settings.set_value(KEY.format(purpose), str(Path(path).parent))


def ask_save_path(
    parent: QWidget | None, title: str, default_name: str, file_filter: str, suffix: str, purpose: str = "export"
) -> Path | None:
    """A save dialog in the last folder; the chosen path with `suffix` added if the user left it off."""
    # the default name (a notice title …) comes from user data: it must stay one name in that folder
    start = str(last_folder(purpose) / safe_file_name(default_name))
    chosen, _ = QFileDialog.getSaveFileName(parent, title, start, file_filter)
    if not chosen:
        return None
    path = Path(chosen)
    if path.suffix.lower() != suffix.lower():
        path = path.with_name(path.name + suffix)
    remember_folder(path, purpose)
    return path


def unused_path(purpose: str, default_name: str, suffix: str) -> Path:
    """A new file in the folder last used for `purpose`, named `default_name` (「（2）」… when taken): for work
    that saves where files of its kind go without asking (the wizard's 积分排名公示)."""
    folder = last_folder(purpose)
    stem = safe_file_name(default_name).removesuffix(suffix)
    path = folder / f"{stem}{suffix}"
    n = 2
    while path.exists():
        path = folder / f"{stem}（{n}）{suffix}"
        n += 1
    return path


def ask_open_path(parent: QWidget | None, title: str, file_filter: str, purpose: str = "export") -> Path | None:
    chosen, _ = QFileDialog.getOpenFileName(parent, title, str(last_folder(purpose)), file_filter)
    if not chosen:
        return None
    path = Path(chosen)
    remember_folder(path, purpose)
    return path


def ask_open_paths(parent: QWidget | None, title: str, file_filter: str, purpose: str = "export") -> list[Path]:
    """Several files at once (上报数据包 from a USB stick); [] when the user cancels."""
    chosen, _ = QFileDialog.getOpenFileNames(parent, title, str(last_folder(purpose)), file_filter)
    paths = [Path(p) for p in chosen]
    if paths:
        remember_folder(paths[0], purpose)
    return paths


def ask_folder(parent: QWidget | None, title: str, purpose: str = "export") -> Path | None:
    """A folder (where the issued key files go); None when the user cancels."""
    chosen = QFileDialog.getExistingDirectory(parent, title, str(last_folder(purpose)))
    if not chosen:
        return None
    folder = Path(chosen)
    settings.set_value(KEY.format(purpose), str(folder))
    return folder
