"""Find a CJK font with TrueType outlines: it renders the GUI and is embedded in 公示 PDFs.

reportlab can embed only TrueType-outline fonts ('glyf' table). Noto/Source Han CJK fonts have
CFF outlines ('CFF ' table) and are rejected. No Qt here: the GUI registers what this finds.
"""

from __future__ import annotations

import os
import struct
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import app

FONT_SUFFIXES = (".ttf", ".ttc", ".otf")

# Preferred system fonts, in order: 仿宋 first (GB/T 9704 body text), then 宋体, 黑体, 雅黑.
WINDOWS_FONTS = ("simfang.ttf", "simsun.ttc", "simhei.ttf", "msyh.ttc")
LINUX_FONTS = ("wqy-microhei.ttc", "wqy-zenhei.ttc", "uming.ttc", "DroidSansFallbackFull.ttf")
LINUX_FONT_ROOTS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")

_TTC_TAG = b"ttcf"
_TRUETYPE_VERSIONS = (b"\x00\x01\x00\x00", b"true")
_OTTO = b"OTTO"  # OpenType with CFF outlines


@dataclass(frozen=True)
class FontInfo:
    path: Path
    subfont_index: int  # index inside a .ttc collection (0 for a single font)
    name: str  # family name from the font's name table (file stem if unreadable)


def resource_font_dirs() -> list[Path]:
    """resources/fonts next to the packages, and inside a PyInstaller bundle."""
    dirs = [Path(app.__file__).resolve().parent.parent / "resources" / "fonts"]
    meipass = getattr(sys, "_MEIPASS", None)
    if meipass:
        dirs.append(Path(meipass) / "resources" / "fonts")
    return dirs


def _table_dir(data: bytes, offset: int) -> dict[bytes, tuple[int, int]] | None:
    """The table directory of the sfnt font starting at offset: tag → (offset, length)."""
    if len(data) < offset + 12:
        return None
    version = data[offset : offset + 4]
    if version not in _TRUETYPE_VERSIONS and version != _OTTO:
        return None
    (num_tables,) = struct.unpack_from(">H", data, offset + 4)
    tables: dict[bytes, tuple[int, int]] = {}
    for i in range(num_tables):
        rec = offset + 12 + 16 * i
        if len(data) < rec + 16:
            return None
        tag = data[rec : rec + 4]
        _checksum, t_off, t_len = struct.unpack_from(">III", data, rec + 4)
        tables[tag] = (t_off, t_len)
    return tables


def _subfont_offsets(data: bytes) -> list[int]:
    if data[:4] == _TTC_TAG:
        if len(data) < 12:
            return []
        (count,) = struct.unpack_from(">I", data, 8)
        if len(data) < 12 + 4 * count:
            return []
        return list(struct.unpack_from(f">{count}I", data, 12))
    return [0]


def _family_name(data: bytes, tables: dict[bytes, tuple[int, int]]) -> str | None:
    """nameID 1 (family), preferring the English Windows record, else any Unicode record."""
    if b"name" not in tables:
        return None
    base, length = tables[b"name"]
    if len(data) < base + 6:
        return None
    _fmt, count, str_off = struct.unpack_from(">HHH", data, base)
    found: dict[tuple[int, int], str] = {}
    for i in range(count):
        rec = base + 6 + 12 * i
        if len(data) < rec + 12:
            break
        platform, encoding, lang, name_id, n_len, n_off = struct.unpack_from(">HHHHHH", data, rec)
        if name_id != 1:
            continue
        start = base + str_off + n_off
        raw = data[start : start + n_len]
        if platform in (0, 3):
            try:
                found[(platform, lang)] = raw.decode("utf-16-be")
            except UnicodeDecodeError:
                continue
        elif platform == 1 and encoding == 0:
            found[(platform, lang)] = raw.decode("latin-1")
    for key in ((3, 0x409), (1, 0)):
        if key in found:
            return found[key]
    return next(iter(found.values()), None)


def inspect_font(path: Path) -> FontInfo | None:
    """A FontInfo for the first TrueType-outline font in the file, or None (CFF, broken, unreadable)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    for index, offset in enumerate(_subfont_offsets(data)):
        tables = _table_dir(data, offset)
        if not tables or b"glyf" not in tables or b"CFF " in tables:
            continue
        return FontInfo(path=path, subfont_index=index, name=_family_name(data, tables) or path.stem)
    return None


def _walk(root: Path) -> Iterator[Path]:
    try:
        for dirpath, _dirs, files in os.walk(root):
            for f in files:
                yield Path(dirpath) / f
    except OSError:
        return


def _candidates(extra_dirs: Iterable[Path] | None = None) -> Iterator[Path]:
    dirs = list(extra_dirs) if extra_dirs is not None else resource_font_dirs()
    for d in dirs:
        if d.is_dir():
            yield from sorted(p for p in d.iterdir() if p.suffix.lower() in FONT_SUFFIXES)
    if sys.platform.startswith("win"):
        windir = Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"
        for name in WINDOWS_FONTS:
            yield windir / name
        return
    wanted = {n.lower(): i for i, n in enumerate(LINUX_FONTS)}
    hits: list[tuple[int, Path]] = []
    for root in LINUX_FONT_ROOTS:
        r = Path(root).expanduser()
        if r.is_dir():
            hits.extend((wanted[p.name.lower()], p) for p in _walk(r) if p.name.lower() in wanted)
    for _rank, p in sorted(hits):
        yield p


def find_cjk_font(search_dirs: Iterable[Path] | None = None) -> FontInfo | None:
    """The first usable CJK font: resources/fonts (or search_dirs), then the system's fonts."""
    for path in _candidates(search_dirs):
        if path.is_file():
            info = inspect_font(path)
            if info is not None:
                return info
    return None


def find_named_font(file_names: Sequence[str]) -> FontInfo | None:
    """The first of these font files (by name, in this order) that is installed and has TrueType outlines.

    Looked for in the Windows font folder or the usual Linux font folders (not in resources/fonts:
    find_cjk_font covers those).
    """
    wanted = {n.lower(): i for i, n in enumerate(file_names)}
    hits: list[tuple[int, Path]] = []
    if sys.platform.startswith("win"):
        windir = Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"
        hits = [(i, windir / n) for n, i in wanted.items()]
    else:
        for root in LINUX_FONT_ROOTS:
            r = Path(root).expanduser()
            if r.is_dir():
                hits.extend((wanted[p.name.lower()], p) for p in _walk(r) if p.name.lower() in wanted)
    for _rank, path in sorted(hits):
        if path.is_file():
            info = inspect_font(path)
            if info is not None:
                return info
    return None
