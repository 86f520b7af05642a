"""Window preferences (large font, window geometry), kept in an ini file in the data folder."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from app.paths import data_dir

SETTINGS_VERSION = 1


def ui_settings() -> QSettings:
    settings = QSettings(str(data_dir() / "window.ini"), QSettings.Format.IniFormat)
    if settings.value("version") is None:
        settings.setValue("version", SETTINGS_VERSION)
    return settings


def get_bool(key: str, default: bool = False) -> bool:
    value = ui_settings().value(key, default)
    if isinstance(value, str):
        return value.lower() in ("1", "true", "yes")
    return bool(value)


def set_value(key: str, value: object) -> None:
    s = ui_settings()
    s.setValue(key, value)
    s.sync()
