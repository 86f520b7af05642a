"""Build-time helpers for villagedesk.spec: which Qt files stay in the bundle, and the CJK font.

Imported by the spec and by the tests; no PyInstaller import here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath

from hidden_imports import LINUX_SYSTEM_LIBS, QT_PLUGIN_DIRS_KEPT, QT_PLUGINS_DROPPED, QT_TRANSLATIONS_KEPT

# Debian keeps each font package's licence in /usr/share/doc/<package>/copyright.
DEBIAN_DOC = Path("/usr/share/doc")


def linux_system_libs() -> tuple[str, ...]:
    """LINUX_SYSTEM_LIBS plus the prefixes in $VILLAGEDESK_SYSTEM_LIBS (space-separated).

    build_deb_compat.sh sets it to libdbus-1 and libsystemd: the build chroot's libsystemd calls
    gettid (glibc 2.30), so for glibc 2.28 both come from the target system (the .deb Depends on
    libdbus-1-3).
    """
    return tuple(LINUX_SYSTEM_LIBS) + tuple(os.environ.get("VILLAGEDESK_SYSTEM_LIBS", "").split())


def keep_in_bundle(dest: str) -> bool:
    """False for the Qt plugins, Qt translations and system libraries we do not ship.

    dest is the path inside the bundle: PySide6/Qt/plugins/… on Linux, PySide6/plugins/… on Windows.
    """
    parts = PurePosixPath(dest.replace("\\", "/")).parts
    if is_linux_library(dest) and parts[-1].startswith(linux_system_libs()):
        return False
    if len(parts) < 3 or parts[0] != "PySide6":
        return True
    rest = parts[2:] if parts[1] in ("Qt", "Qt6") else parts[1:]
    if len(rest) >= 2 and rest[0] == "plugins":
        if rest[1] not in QT_PLUGIN_DIRS_KEPT:
            return False
        return not rest[-1].lower().startswith(tuple(QT_PLUGINS_DROPPED))
    if len(rest) >= 2 and rest[0] == "translations":
        return rest[-1] in QT_TRANSLATIONS_KEPT
    return True


def debian_licence(font: Path) -> Path | None:
    """The copyright file of the Debian package that installed this font file, if any."""
    try:
        out = subprocess.run(["dpkg", "-S", str(font.resolve())], capture_output=True, text=True, check=False)
    except OSError:
        return None
    for line in out.stdout.splitlines():
        package = line.split(":", 1)[0].strip()
        copyright_file = DEBIAN_DOC / package / "copyright"
        if package and copyright_file.is_file():
            return copyright_file
    return None


def stage_cjk_font(stage: Path) -> list[tuple[str, str]]:
    """Copy the build machine's CJK TrueType font and its licence into stage/; PyInstaller datas.

    Windows: nothing. 仿宋/宋体/黑体 are system fonts whose licence forbids redistribution, and every
    Chinese Windows has them; the program finds them in %WINDIR%\\Fonts.
    Linux: the font find_cjk_font() picks (e.g. 文泉驿微米黑, Apache-2.0 / GPLv3 with font exception),
    only together with its licence text; without a licence the font is not copied.
    """
    if sys.platform.startswith("win"):
        print("villagedesk.spec: Windows build, the system's Chinese fonts are used (not bundled)")
        return []
    from app.io.fonts import find_cjk_font

    info = find_cjk_font(search_dirs=[])
    if info is None:
        print("villagedesk.spec: WARNING no CJK TrueType font on this machine; none bundled")
        return []
    licence = debian_licence(info.path)
    if licence is None:
        print(f"villagedesk.spec: WARNING no licence text found for {info.path}; font not bundled")
        return []
    stage.mkdir(parents=True, exist_ok=True)
    font_copy = stage / info.path.name
    licence_copy = stage / f"{info.path.stem}-LICENSE.txt"
    shutil.copy2(info.path, font_copy)
    shutil.copy2(licence, licence_copy)
    print(f"villagedesk.spec: bundling font {info.path} ({info.name}) with licence {licence}")
    return [(str(font_copy), "resources/fonts"), (str(licence_copy), "resources/fonts")]


# Shared libraries loaded with dlopen (not in any NEEDED list) that must stay; matched by prefix.
# libpdfium: pypdfium2_raw loads it with ctypes (printing an archived 公示 PDF).
DLOPENED_KEPT = ("libpython", "libdbus-1", "libxcb-cursor", "libxkbcommon-x11", "libpdfium")


def is_linux_library(dest: str) -> bool:
    """A shared library (lib*.so*) outside Qt's plugin folders: it is there only for others' sake."""
    path = PurePosixPath(dest)
    return (
        path.name.startswith("lib")
        and (path.name.endswith(".so") or ".so." in path.name)
        and "plugins" not in path.parts
    )


def unneeded_libraries(toc: list[tuple[str, str, str]], needed: Callable[[str], Iterable[str]]) -> set[str]:
    """The bundle paths of Linux shared libraries that nothing left in the bundle links to.

    PyInstaller collects the dependencies of every Qt plugin before the spec drops plugins (the GTK
    theme, Wayland); this finds what only those dropped plugins needed. needed(src) gives the file
    names a binary links to (its NEEDED entries).
    """
    files = [e for e in toc if e[2] != "SYMLINK"]
    libraries = {PurePosixPath(e[0]).name: e for e in files if is_linux_library(e[0])}
    roots = [e[1] for e in files if PurePosixPath(e[0]).name not in libraries]
    roots += [e[1] for name, e in libraries.items() if name.startswith(DLOPENED_KEPT)]
    kept = {name for name in libraries if name.startswith(DLOPENED_KEPT)}
    while roots:
        for name in needed(roots.pop()):
            base = PurePosixPath(name).name
            if base in libraries and base not in kept:
                kept.add(base)
                roots.append(libraries[base][1])
    return {e[0] for name, e in libraries.items() if name not in kept}


def without(toc: list[tuple[str, str, str]], dropped: set[str]) -> list[tuple[str, str, str]]:
    """toc without the dropped paths and without symlinks pointing at them."""
    return [e for e in toc if e[0] not in dropped and not (e[2] == "SYMLINK" and e[1] in dropped)]
