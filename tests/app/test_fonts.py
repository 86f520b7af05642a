"""find_cjk_font: only TrueType-outline CJK fonts (reportlab cannot embed CFF outlines)."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from app.io import fonts


def _sfnt(version: bytes, tags: list[bytes]) -> bytes:
    head = version + struct.pack(">HHHH", len(tags), 0, 0, 0)
    body = b""
    for i, tag in enumerate(tags):
        body += tag + struct.pack(">III", 0, 12 + 16 * len(tags) + 4 * i, 4)
    return head + body + b"\0" * 4 * len(tags)


def test_finds_wqy_microhei_on_this_system() -> None:
    if not Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc").exists():
        pytest.skip("fonts-wqy-microhei not installed")
    info = fonts.find_cjk_font(search_dirs=[])
    assert info is not None
    assert info.path.name == "wqy-microhei.ttc"
    assert info.subfont_index == 0
    assert "WenQuanYi" in info.name


def test_rejects_cff_font(tmp_path: Path) -> None:
    fake = tmp_path / "NotoSansCJK-Regular.otf"
    fake.write_bytes(_sfnt(b"OTTO", [b"CFF ", b"cmap", b"head"]))
    assert fonts.inspect_font(fake) is None
    info = fonts.find_cjk_font(search_dirs=[tmp_path])
    assert info is None or info.path != fake


def test_rejects_cff_collection_and_broken_files(tmp_path: Path) -> None:
    sub = _sfnt(b"OTTO", [b"CFF ", b"cmap"])
    ttc = b"ttcf" + struct.pack(">HHI", 1, 0, 1) + struct.pack(">I", 16) + sub
    (tmp_path / "cff.ttc").write_bytes(ttc)
    (tmp_path / "broken.ttf").write_bytes(b"not a font")
    assert fonts.inspect_font(tmp_path / "cff.ttc") is None
    assert fonts.inspect_font(tmp_path / "broken.ttf") is None
    assert fonts.inspect_font(tmp_path / "missing.ttf") is None


def test_accepts_truetype_in_resource_dir_first(tmp_path: Path) -> None:
    font = tmp_path / "MyFangSong.ttf"
    font.write_bytes(_sfnt(b"\x00\x01\x00\x00", [b"cmap", b"glyf", b"head", b"loca"]))
    info = fonts.find_cjk_font(search_dirs=[tmp_path])
    assert info is not None
    assert info.path == font
    assert info.name == "MyFangSong"  # no name table: the file stem
