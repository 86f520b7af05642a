"""设置: the settings page (ui.settings.page) and the window preferences kept in an ini file.

`from ui import settings; settings.get_bool(...)` keeps working: the preference helpers live in
ui.settings.prefs and are re-exported here.
"""

from __future__ import annotations

from .prefs import SETTINGS_VERSION, get_bool, set_value, ui_settings

__all__ = ["SETTINGS_VERSION", "get_bool", "set_value", "ui_settings"]
