"""Render resources/icons/villagedesk.svg to PNGs (16–256 px) and a Windows .ico, with Qt offscreen.

Run from the repository: `.venv/bin/python installers/make_icons.py`. The outputs are committed,
so the build machines do not need to run this; rerun it after changing the SVG.
The .ico holds PNG-compressed images (valid since Windows Vista, so on Windows 7/10/11).
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

ICON_DIR = Path(__file__).resolve().parent.parent / "resources" / "icons"
SVG = ICON_DIR / "villagedesk.svg"
ICO = ICON_DIR / "villagedesk.ico"
SIZES = (16, 24, 32, 48, 64, 128, 256)
ICO_SIZES = (16, 24, 32, 48, 64, 256)  # what Windows asks for (explorer, taskbar, shortcuts)


def png_path(size: int) -> Path:
    return ICON_DIR / f"villagedesk-{size}.png"


def write_ico(pngs: dict[int, bytes], out: Path) -> None:
    """An ICO container of square PNG images: ICONDIR, one ICONDIRENTRY each, then the PNG data."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, blobs = b"", b""
    for size in sizes:
        data = pngs[size]
        side = 0 if size >= 256 else size  # 0 means 256 in an ICONDIRENTRY
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset)
        blobs += data
        offset += len(data)
    out.write_bytes(header + entries + blobs)


def read_ico_sizes(path: Path) -> list[int]:
    """The image sizes in an ICO file (checked against the PNG headers they point to)."""
    data = path.read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", data, 0)
    if reserved != 0 or kind != 1:
        raise ValueError(f"{path} is not an icon file")
    sizes = []
    for i in range(count):
        w, h, _c, _r, _planes, _bits, length, offset = struct.unpack_from("<BBBBHHII", data, 6 + 16 * i)
        png = data[offset : offset + length]
        if png[:8] != b"\x89PNG\r\n\x1a\n" or len(png) != length:
            raise ValueError(f"{path}: entry {i} is not a complete PNG")
        pw, ph = struct.unpack(">II", png[16:24])
        if (pw, ph) != (w or 256, h or 256):
            raise ValueError(f"{path}: entry {i} says {w}x{h}, its PNG is {pw}x{ph}")
        sizes.append(pw)
    return sizes


def render_all() -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"cannot read {SVG}")
    written: list[Path] = []
    pngs: dict[int, bytes] = {}
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter, QRectF(0, 0, size, size))
        painter.end()
        image = image.convertToFormat(QImage.Format.Format_ARGB32)
        buf = QByteArray()
        dev = QBuffer(buf)
        dev.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(dev, "PNG")
        dev.close()
        data = bytes(buf.data())
        png_path(size).write_bytes(data)
        written.append(png_path(size))
        if size in ICO_SIZES:
            pngs[size] = data
    write_ico(pngs, ICO)
    written.append(ICO)
    return written


if __name__ == "__main__":
    for p in render_all():
        print(p)
