"""The installers: the spec's hidden imports cover every lazy import, templates and icons are sound."""

from __future__ import annotations

import ast
import configparser
import importlib.util
import re
import struct
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INSTALLERS = ROOT / "installers"
sys.path.insert(0, str(INSTALLERS))

import bundle_rules  # noqa: E402
import hidden_imports as H  # noqa: E402
import make_icons  # noqa: E402

# ---- what the program imports inside functions (and alembic's scripts at their top) ----

def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _absolute(node: ast.ImportFrom, path: Path) -> str:
    if not node.level:
        return node.module or ""
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imported_modules(nodes: list[ast.stmt | ast.expr], path: Path) -> set[str]:
    """Module names: `from X import Y` counts as X.Y when that is a module, else X."""
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, path)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if _is_module(sub) else base)
    return found


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def lazy_imports() -> dict[str, set[str]]:
    """module → files that import it inside a function, over app/ and ui/ (not the migrations)."""
    result: dict[str, set[str]] = {}
    for package in ("app", "ui"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            inner: list[ast.stmt | ast.expr] = []
            for fn in ast.walk(tree):
                if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                    inner.extend(n for n in ast.walk(fn) if isinstance(n, ast.Import | ast.ImportFrom))
            for name in _imported_modules(inner, path):
                result.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return result


def migration_imports() -> dict[str, set[str]]:
    """What alembic's env.py and version scripts import: they are loaded from files, not scanned."""
    result: dict[str, set[str]] = {}
    folder = ROOT / "app" / "migrations"
    for path in [folder / "env.py", *sorted((folder / "versions").glob("*.py"))]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        nodes = [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)]
        for name in _imported_modules(nodes, path):
            result.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return result


def collected_modules() -> set[str]:
    """The modules collect_submodules() adds for COLLECT_PACKAGES (found on disk, same exclusions)."""
    names: set[str] = set()
    for package in H.COLLECT_PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            name = _module_name(path)
            if not any(name.startswith(p) for p in H.COLLECT_EXCLUDE_PREFIXES):
                names.add(name)
    return names


def uncovered(imports: dict[str, set[str]]) -> dict[str, set[str]]:
    listed = set(H.HIDDEN_IMPORTS) | set(H.OPTIONAL_IMPORTS) | collected_modules()
    missing = {}
    for name, files in imports.items():
        if name.partition(".")[0] in sys.stdlib_module_names or name == "__future__":
            continue
        if name in listed or any(name.startswith(f"{pkg}.") for pkg in H.OPTIONAL_IMPORTS):
            continue
        missing[name] = files
    return missing


def test_every_lazy_import_is_bundled() -> None:
    imports = lazy_imports()
    assert "app.demo.village" in imports  # the scan sees the CLI's lazy service imports
    assert uncovered(imports) == {}, "add these to installers/hidden_imports.py HIDDEN_IMPORTS"


def test_migration_scripts_imports_are_bundled() -> None:
    imports = migration_imports()
    assert "alembic.op" in imports and "app.models" in imports
    assert uncovered(imports) == {}, "alembic loads these scripts from files: list what they import"


def test_the_check_can_fail() -> None:
    assert uncovered({"openpyxl.chart": {"app/io/x.py"}}) == {"openpyxl.chart": {"app/io/x.py"}}
    assert uncovered({"json": {"a"}, "app.demo.village": {"b"}, "ui.main": {"c"}}) == {}


def test_hidden_imports_exist() -> None:
    missing = [n for n in H.HIDDEN_IMPORTS if n not in ("fcntl", "msvcrt") and not _is_module(n)]
    assert missing == []


def test_gui_entry_points_and_frozen_fallback_agree() -> None:
    from app.cli import FROZEN_GUI_ENTRIES

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["entry-points"]["villagedesk.gui"] == FROZEN_GUI_ENTRIES
    for target in FROZEN_GUI_ENTRIES.values():
        assert target.partition(":")[0] in H.GUI_MODULES
    assert "build" in project["project"]["optional-dependencies"]


def test_spec_uses_the_shared_lists() -> None:
    spec = (INSTALLERS / "villagedesk.spec").read_text(encoding="utf-8")
    ast.parse(spec)  # valid Python
    for used in ("H.HIDDEN_IMPORTS", "H.COLLECT_PACKAGES", "H.EXCLUDES", "H.MIGRATION_FILES", "keep_in_bundle",
                 "stage_cjk_font", "copy_metadata(\"villagedesk\")"):
        assert used in spec


def test_bundled_files_exist() -> None:
    for pattern, _target in H.MIGRATION_FILES:
        assert list(ROOT.glob(pattern)), pattern
    assert (ROOT / "resources" / "icons" / "villagedesk.ico").is_file()


# ---- which Qt files stay ----

@pytest.mark.parametrize(
    ("dest", "kept"),
    [
        ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
        ("PySide6/Qt/plugins/platforms/libqwayland-egl.so", False),
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", False),
        ("PySide6/Qt/plugins/printsupport/libcupsprintersupport.so", True),
        ("PySide6/Qt/plugins/sqldrivers/libqsqlite.so", False),
        ("PySide6\\plugins\\platforms\\qwindows.dll", True),
        ("PySide6\\plugins\\imageformats\\qwebp.dll", False),
        ("PySide6\\plugins\\styles\\qmodernwindowsstyle.dll", True),
        ("PySide6/Qt/translations/qtbase_zh_CN.qm", True),
        ("PySide6/translations/qtbase_de.qm", False),
        ("libcups.so.2", False),
        ("libxcb.so.1", True),
        ("app/migrations/env.py", True),
    ],
)
def test_keep_in_bundle(dest: str, kept: bool) -> None:
    assert bundle_rules.keep_in_bundle(dest) is kept


def test_unneeded_libraries_follow_the_links() -> None:
    toc = [
        ("PySide6/QtGui.abi3.so", "/s/QtGui.abi3.so", "EXTENSION"),
        ("PySide6/Qt/lib/libQt6Gui.so.6", "/s/libQt6Gui.so.6", "BINARY"),
        ("libQt6Gui.so.6", "PySide6/Qt/lib/libQt6Gui.so.6", "SYMLINK"),
        ("libfreetype.so.6", "/s/libfreetype.so.6", "BINARY"),
        ("libgtk-3.so.0", "/s/libgtk-3.so.0", "BINARY"),
        ("libatk-1.0.so.0", "/s/libatk-1.0.so.0", "BINARY"),
        ("libpython3.11.so.1.0", "/s/libpython3.11.so.1.0", "BINARY"),
        ("PySide6/Qt/lib/libQt6WaylandClient.so.6", "/s/libQt6WaylandClient.so.6", "BINARY"),
        ("libQt6WaylandClient.so.6", "PySide6/Qt/lib/libQt6WaylandClient.so.6", "SYMLINK"),
    ]
    links = {
        "/s/QtGui.abi3.so": ["libQt6Gui.so.6"],
        "/s/libQt6Gui.so.6": ["/usr/lib/libfreetype.so.6", "libc.so.6"],
        "/s/libgtk-3.so.0": ["libatk-1.0.so.0"],
    }
    dropped = bundle_rules.unneeded_libraries(toc, lambda src: links.get(src, []))
    assert dropped == {"libgtk-3.so.0", "libatk-1.0.so.0", "PySide6/Qt/lib/libQt6WaylandClient.so.6"}
    left = [e[0] for e in bundle_rules.without(toc, dropped)]
    assert "libQt6WaylandClient.so.6" not in left and "libQt6Gui.so.6" in left and "libpython3.11.so.1.0" in left


def test_dlopened_libraries_stay() -> None:
    # pypdfium2_raw loads libpdfium.so with ctypes: nothing links to it, yet it must stay.
    toc = [
        ("pypdfium2_raw/libpdfium.so", "/s/libpdfium.so", "BINARY"),
        ("libdbus-1.so.3", "/s/libdbus-1.so.3", "BINARY"),
        ("libsystemd.so.0", "/s/libsystemd.so.0", "BINARY"),
        ("libgtk-3.so.0", "/s/libgtk-3.so.0", "BINARY"),
    ]
    links = {"/s/libdbus-1.so.3": ["libsystemd.so.0"]}
    assert bundle_rules.unneeded_libraries(toc, lambda src: links.get(src, [])) == {"libgtk-3.so.0"}


def test_system_libs_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VILLAGEDESK_SYSTEM_LIBS", raising=False)
    assert bundle_rules.keep_in_bundle("libsystemd.so.0") and bundle_rules.keep_in_bundle("libdbus-1.so.3")
    monkeypatch.setenv("VILLAGEDESK_SYSTEM_LIBS", "libdbus-1 libsystemd")  # as build_deb_compat.sh sets it
    assert not bundle_rules.keep_in_bundle("libsystemd.so.0")
    assert not bundle_rules.keep_in_bundle("libdbus-1.so.3")
    assert bundle_rules.keep_in_bundle("libxcb.so.1") and not bundle_rules.keep_in_bundle("libcups.so.2")


def test_windows_build_bundles_no_font(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "platform", "win32")
    assert bundle_rules.stage_cjk_font(tmp_path) == []
    assert list(tmp_path.iterdir()) == []


# ---- icons ----

def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", data[16:24])


def test_icon_files() -> None:
    for size in make_icons.SIZES:
        assert _png_size(make_icons.png_path(size)) == (size, size)
    assert make_icons.read_ico_sizes(make_icons.ICO) == sorted(make_icons.ICO_SIZES)
    svg = ET.parse(make_icons.SVG).getroot()
    assert svg.tag.endswith("svg") and svg.get("viewBox") == "0 0 256 256"


def test_ico_reader_rejects_a_lie(tmp_path: Path) -> None:
    png = make_icons.png_path(16).read_bytes()
    bad = tmp_path / "bad.ico"
    make_icons.write_ico({32: png}, bad)  # says 32, holds 16
    with pytest.raises(ValueError):
        make_icons.read_ico_sizes(bad)


# ---- Linux templates ----

def test_desktop_entry() -> None:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(INSTALLERS / "linux" / "villagedesk.desktop", encoding="utf-8")
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application"
    assert entry["Name"] == "村级党建工作台"
    assert entry["Exec"] == "villagedesk" and entry["Icon"] == "villagedesk"
    assert entry["Terminal"] == "false"
    assert entry["Categories"].endswith(";") and "Office" in entry["Categories"].split(";")
    assert parser.sections() == ["Desktop Entry"]


def test_control_template() -> None:
    text = (INSTALLERS / "linux" / "control.in").read_text(encoding="utf-8")
    filled = (text.replace("@VERSION@", "0.1.0").replace("@ARCH@", "amd64")
              .replace("@INSTALLED_SIZE@", "1000").replace("@GLIBC@", "2.36"))
    assert "@" not in filled.replace("villagedesk@localhost", "")
    fields: dict[str, str] = {}
    last = ""
    for line in filled.splitlines():
        assert line, "no blank line inside one stanza"
        if line[0] in " \t":
            assert last, "a continuation line needs a field before it"
            fields[last] += "\n" + line
            continue
        key, sep, value = line.partition(":")
        assert sep and key and " " not in key, line
        assert key not in fields, f"{key} twice"
        fields[key] = value.strip()
        last = key
    for key in ("Package", "Version", "Architecture", "Maintainer", "Description", "Depends", "Installed-Size"):
        assert fields.get(key), key
    depends = [d.strip() for d in fields["Depends"].split(",")]
    for lib in ("libegl1", "libgl1", "libxkbcommon-x11-0", "libxcb-cursor0", "libfontconfig1"):
        assert lib in depends
    assert "fonts-wqy-microhei | fonts-wqy-zenhei" in depends
    assert "libc6 (>= 2.36)" in depends


def test_maintainer_scripts_are_executable_shell() -> None:
    for name in ("postinst", "postrm"):
        path = INSTALLERS / "linux" / name
        assert path.read_text(encoding="utf-8").startswith("#!/bin/sh\n")
        assert path.stat().st_mode & 0o111
    assert (INSTALLERS / "linux" / "build_deb.sh").stat().st_mode & 0o111


def _linux_tool(name: str):
    spec = importlib.util.spec_from_file_location(name, INSTALLERS / "linux" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not Path("/bin/true").is_file(), reason="needs an ELF program at /bin/true")
def test_max_glibc_reads_an_elf(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    max_glibc = _linux_tool("max_glibc")
    names = max_glibc.needed_versions(Path("/bin/true"))
    assert any(n.startswith("GLIBC_2.") for n in names), names
    version = max_glibc.max_glibc(Path("/bin/true"))
    assert version is not None and (2, 2) <= version < (3, 0)
    # agrees with what the GLIBC_ strings in the file allow, and ignores what is not ELF
    text = Path("/bin/true").read_bytes().decode("latin-1")
    mentioned = {max_glibc.parse_version(v) for v in re.findall(r"GLIBC_(\d+\.\d+(?:\.\d+)?)", text)}
    assert version in mentioned
    (tmp_path / "notes.txt").write_text("GLIBC_9.99", encoding="utf-8")
    assert max_glibc.max_glibc(tmp_path / "notes.txt") is None
    assert max_glibc.main(["/bin/true", str(tmp_path), "--max", "9.0"]) == 0
    assert max_glibc.main(["/bin/true", "--max", "2.0"]) == 1
    assert "needs GLIBC_" in capsys.readouterr().err


def test_glibc_pin_header_pins_only_what_has_an_old_version() -> None:
    pin = _linux_tool("glibc_pin_header")
    objdump = """
0000000000029c60 g    DF .text  0000000000000046 (GLIBC_2.2.5) exp
0000000000029d00 g    DF .text  0000000000000046  GLIBC_2.29  exp
0000000000011111 g    DF .text  0000000000000046  GLIBC_2.30  gettid
0000000000022222 g    DF .text  0000000000000046 (GLIBC_2.25) totalorder
0000000000033333 g    DF .text  0000000000000046  GLIBC_2.31  totalorder
0000000000044444 g    DF .text  0000000000000046  GLIBC_2.2.5 malloc
"""
    assert pin.pins(objdump, (2, 28)) == {"exp": "2.2.5"}  # gettid: none older; totalorder: ABI changed
    assert pin.pins(objdump, (2, 29)) == {}


def test_compat_build_files() -> None:
    script = INSTALLERS / "linux" / "build_deb_compat.sh"
    assert script.stat().st_mode & 0o111
    text = script.read_text(encoding="utf-8")
    assert "max_glibc.py\" --max" in text and "constraints-glibc228.txt" in text
    pins = (INSTALLERS / "linux" / "constraints-glibc228.txt").read_text(encoding="utf-8")
    assert "PySide6-Essentials==6.9.3" in pins.splitlines()  # the newest with manylinux_2_28 wheels
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    # …for this build only: the project's own requirement stays open
    assert any(d.startswith("PySide6-Essentials>=6.6") for d in project["project"]["dependencies"])


# ---- Windows (cannot run here: the text is checked) ----

def test_inno_setup_script() -> None:
    raw = (INSTALLERS / "windows" / "villagedesk.iss").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM, or Inno Setup reads the Chinese as ANSI"
    text = raw.decode("utf-8-sig")
    for line in ("PrivilegesRequired=lowest", "PrivilegesRequiredOverridesAllowed=dialog",
                 "AppVersion={#AppVersion}", "DefaultDirName={autopf}\\{#AppName}", '#define AppName "村级党建工作台"',
                 'Name: "{autoprograms}\\{#AppName}"', 'Name: "{autodesktop}\\{#AppName}"'):
        assert line in text, line
    sections = [line.strip() for line in text.splitlines() if line.startswith("[")]
    assert "[UninstallDelete]" not in sections  # the data folder is never removed
    assert "VillageDesk" in text.split("[Code]", 1)[1]  # …and the user is told where it is
    ps1 = (INSTALLERS / "windows" / "build.ps1").read_bytes()
    assert ps1.startswith(b"\xef\xbb\xbf")
    assert '"/DAppVersion=$Version"' in ps1.decode("utf-8-sig")
