"""Build resources/fonts/fangsong/FandolFang-Regular.ttf: the 仿宋 face shipped for 公示 bodies.

Source: FandolFang-Regular.otf (the Fandol team, GPL-3.0 with the GPL font exception), from the
texlive-lang-chinese Debian package (texmf-dist/fonts/opentype/public/fandol). reportlab embeds only
TrueType outlines, so the CFF outlines are converted to quadratic curves (fontTools cu2qu); the GPL
allows the modification, and the exception keeps documents that embed it free of the GPL.
Every mapped character (all of GB 2312 and ~2,800 more) is kept; hinting-free, no layout tables.

Needs fonttools (pip install fonttools); run once by hand when the font changes:
    python scripts/build_fang_font.py FandolFang-Regular.otf resources/fonts/fangsong/FandolFang-Regular.ttf
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable

MAX_ERR = 1.0  # font units (1000 per em): under 0.02 mm at 16 pt


def convert(src: Path, dst: Path) -> None:
    font = TTFont(str(src))
    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, MAX_ERR, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    for tag in ("CFF ", "VORG", "BASE", "GPOS"):
        if tag in font:
            del font[tag]
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for attr in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                 "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    font["post"].formatType = 3.0  # no glyph names (a CID font's are only "cidNNNNN"): 100 KB less
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"
    dst.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(dst))


if __name__ == "__main__":
    convert(Path(sys.argv[1]), Path(sys.argv[2]))
