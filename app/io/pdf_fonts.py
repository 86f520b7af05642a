"""The CJK fonts of 公示 PDFs, registered with reportlab once per process and embedded as subsets.

Body text wants a 仿宋/宋-like face and the title a heavy one (GB/T 9704: 小标宋/黑体). A font shipped
in resources/fonts wins for both (it is the one the project chose); else the system's 仿宋/宋体 (or
AR PL UMing, a 宋-like serif on Linux) for the body and 黑体/文泉驿微米黑 for the title; else whatever
find_cjk_font finds, for both. Only TrueType outlines can be embedded (see app.io.fonts).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from app.services.errors import ServiceError

from .fonts import FONT_SUFFIXES, FontInfo, find_cjk_font, find_named_font, inspect_font, resource_font_dirs

BODY_FONT_FILES = ("simfang.ttf", "simsun.ttc", "uming.ttc")  # 仿宋, 宋体, AR PL UMing (宋-like)
TITLE_FONT_FILES = ("simhei.ttf", "wqy-microhei.ttc", "wqy-zenhei.ttc", "msyh.ttc")  # 黑体-like


@dataclass(frozen=True)
class PdfFonts:
    body: str  # reportlab font names
    title: str
    body_file: FontInfo
    title_file: FontInfo


def _register(info: FontInfo, name: str) -> str:
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, str(info.path), subfontIndex=info.subfont_index))
    return name


def _shipped_font() -> FontInfo | None:
    for folder in resource_font_dirs():
        if folder.is_dir():
            for path in sorted(folder.iterdir()):
                if path.suffix.lower() in FONT_SUFFIXES and (info := inspect_font(path)) is not None:
                    return info
    return None


@lru_cache(maxsize=1)
def pdf_fonts() -> PdfFonts:
    """Find and register the fonts (cached: registering a CJK font file takes about 0.1 s)."""
    shipped = _shipped_font()
    fallback = shipped or find_cjk_font()
    body = shipped or find_named_font(BODY_FONT_FILES) or fallback
    title = shipped or find_named_font(TITLE_FONT_FILES) or fallback
    if body is None or title is None:
        raise ServiceError("没有找到可嵌入 PDF 的中文字体（TrueType 格式），无法生成公示。"
                           "请安装“文泉驿微米黑”或把中文 TrueType 字体放入程序的 resources/fonts 文件夹。")
    return PdfFonts(_register(body, "VDBody"), _register(title, "VDTitle"), body, title)
