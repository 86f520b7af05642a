"""The CJK fonts of 公示 PDFs, registered with reportlab once per process and embedded as subsets.

GB/T 9704-2012 wants the body in 仿宋 and the title in 小标宋 (黑体 will do). Body: the system's 仿宋
(Windows simfang.ttf), else the 仿宋 the program ships (resources/fonts/fangsong: FandolFang, GPL with
the font exception), else a 宋-like face. Title: 方正小标宋 where installed, else 黑体 (simhei.ttf,
文泉驿微米黑). Page numbers: 宋体 digits where installed. A character the body or title face lacks (a
rare name) is drawn in the general CJK font find_cjk_font picks (font_runs). Only TrueType outlines
can be embedded (see app.io.fonts).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from app.services.errors import ServiceError

from .fonts import FONT_SUFFIXES, FontInfo, find_cjk_font, find_named_font, inspect_font, resource_font_dirs

FANG_FONT_FILES = ("simfang.ttf", "fangsong.ttf")  # 仿宋 / 仿宋_GB2312 as installed on Windows
SONG_FONT_FILES = ("simsun.ttc", "uming.ttc")  # 宋体, AR PL UMing (宋-like): body fallback, page numbers
TITLE_FONT_FILES = (
    "FZXBSJW.TTF", "方正小标宋简体.ttf", "FZXBSK.TTF", "方正小标宋_GBK.ttf",  # 小标宋, where installed
    "simhei.ttf", "wqy-microhei.ttc", "wqy-zenhei.ttc", "msyh.ttc",  # 黑体-like
)
SHIPPED_FANG_DIR = "fangsong"  # resources/fonts/fangsong: not in find_cjk_font's way (the GUI font)


@dataclass(frozen=True)
class PdfFonts:
    body: str  # reportlab font names
    title: str
    page: str  # page numbers: 半角宋体 digits
    fallbacks: tuple[str, ...]  # for characters the body or title face lacks: 宋-like first, then any CJK
    body_file: FontInfo
    title_file: FontInfo


def _register(info: FontInfo, name: str) -> str:
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, str(info.path), subfontIndex=info.subfont_index))
    return name


def shipped_fang_font() -> FontInfo | None:
    """The 仿宋 face shipped in resources/fonts/fangsong, or None when it is missing."""
    for folder in resource_font_dirs():
        folder = Path(folder) / SHIPPED_FANG_DIR
        if folder.is_dir():
            for path in sorted(folder.iterdir()):
                if path.suffix.lower() in FONT_SUFFIXES and (info := inspect_font(path)) is not None:
                    return info
    return None


@lru_cache(maxsize=1)
def pdf_fonts() -> PdfFonts:
    """Find and register the fonts (cached: registering a CJK font file takes about 0.1 s)."""
    general = find_cjk_font()
    song = find_named_font(SONG_FONT_FILES)
    body = find_named_font(FANG_FONT_FILES) or shipped_fang_font() or song or general
    title = find_named_font(TITLE_FONT_FILES) or general or body
    if body is None or title is None:
        raise ServiceError("没有找到可嵌入 PDF 的中文字体（TrueType 格式），无法生成公示。"
                           "请安装“文泉驿微米黑”或把中文 TrueType 字体放入程序的 resources/fonts 文件夹。")
    body_name, title_name = _register(body, "VDBody"), _register(title, "VDTitle")
    page_name = _register(song, "VDPage") if song is not None else body_name
    fallbacks = [page_name] if song is not None else []
    if general is not None:
        fallbacks.append(_register(general, "VDFallback"))
    return PdfFonts(body_name, title_name, page_name, tuple(dict.fromkeys(fallbacks)), body, title)


def has_glyph(font: str, ch: str) -> bool:
    """Whether the registered TrueType font maps this character (not a blank .notdef box)."""
    face = pdfmetrics.getFont(font).face
    return ord(ch) in face.charToGlyph  # type: ignore[attr-defined]


def font_for(ch: str, font: str, fallbacks: tuple[str, ...]) -> str:
    """font, or the first fallback that has the character when font lacks it (else font: .notdef)."""
    if ch.isspace() or has_glyph(font, ch):
        return font
    return next((f for f in fallbacks if has_glyph(f, ch)), font)


def font_runs(text: str, font: str, fallbacks: tuple[str, ...]) -> list[tuple[str, str]]:
    """text cut into (font, piece) runs: what `font` lacks is drawn in a fallback (rare characters)."""
    runs: list[tuple[str, str]] = []
    for ch in text:
        use = font_for(ch, font, fallbacks)
        if runs and runs[-1][0] == use:
            runs[-1] = (use, runs[-1][1] + ch)
        else:
            runs.append((use, ch))
    return runs
