"""The application font: a CJK font registered with Qt, and the larger-font switch."""

from __future__ import annotations

import logging

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from app.io.fonts import FontInfo, find_cjk_font

log = logging.getLogger(__name__)

NORMAL_POINT_SIZE = 10
LARGE_STEP = 4  # the larger font is this many points bigger

_base_family: str | None = None
_normal_size: int | None = None


def install_cjk_font(app: QApplication) -> FontInfo | None:
    """Register the CJK font with Qt and make it the application font. None if there is none."""
    global _base_family, _normal_size
    info = find_cjk_font()
    if info is None:
        log.warning("no CJK TrueType font found")
        return None
    font_id = QFontDatabase.addApplicationFont(str(info.path))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if not families:
        log.warning("Qt could not load font %s", info.path)
        return None
    family = info.name if info.name in families else families[0]
    _base_family = family
    font = QFont(app.font())
    font.setFamilies([family, *[f for f in app.font().families() if f != family]])
    font.setPointSize(NORMAL_POINT_SIZE)
    _normal_size = NORMAL_POINT_SIZE
    app.setFont(font)
    log.info("application font: %s (%s)", family, info.path)
    return info


def has_cjk_glyphs() -> bool:
    """Does Qt have some font that can show Chinese (the registered one, or one fontconfig found)?"""
    if _base_family is not None:
        return True
    return bool(QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese))


def normal_point_size(app: QApplication) -> int:
    global _normal_size
    if _normal_size is None:
        _normal_size = app.font().pointSize() if app.font().pointSize() > 0 else NORMAL_POINT_SIZE
    return _normal_size


def set_large_font(app: QApplication, large: bool) -> None:
    """The larger-font switch for older eyes: every widget that does not set its own font follows."""
    normal = normal_point_size(app)
    font = QFont(app.font())
    font.setPointSize(normal + LARGE_STEP if large else normal)
    app.setFont(font)
