"""The house rules of the tree: small modules, one package per area whose docstring is its table of contents."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_LINES = 600
GENERATED = {"app/migrations/versions/0001_baseline_baseline_the_whole_data_model.py"}


def _too_long(paths: list[Path], root: Path = ROOT) -> dict[str, int]:
    out = {}
    for p in paths:
        rel = p.relative_to(root).as_posix()
        n = len(p.read_text(encoding="utf-8").splitlines())
        if n > MAX_LINES and rel not in GENERATED:
            out[rel] = n
    return out


def test_no_module_over_600_lines() -> None:
    files = [*(ROOT / "app").rglob("*.py"), *(ROOT / "ui").rglob("*.py")]
    assert len(files) > 100
    assert _too_long(files) == {}


def test_the_length_check_can_fail(tmp_path: Path) -> None:
    long = tmp_path / "long.py"
    long.write_text("x = 1\n" * 601)
    assert _too_long([long], tmp_path) == {"long.py": 601}


def test_each_area_package_lists_its_modules() -> None:
    """Every module of an area is named in its __init__ docstring; every module named there exists."""
    areas = [p.parent for p in (ROOT / "app/services").glob("*/__init__.py")]
    assert {a.name for a in areas} >= {"org", "people", "grid", "stars", "points", "tickets", "notices",
                                       "ledgers", "imports", "safety"}
    for area in areas:
        doc = ast.get_docstring(ast.parse((area / "__init__.py").read_text(encoding="utf-8"))) or ""
        assert "Public" in doc, area.name
        modules = {p.stem for p in area.glob("*.py")} - {"__init__"}
        named = set(re.findall(r"\b([a-z_]+)\b", doc)) & modules
        assert named == modules, f"{area.name}: not in the docstring: {sorted(modules - named)}"


def test_the_shared_core_is_small() -> None:
    core = sorted(p.stem for p in (ROOT / "app/services").glob("*.py") if p.stem != "__init__")
    assert len(core) <= 12, core
