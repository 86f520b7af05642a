"""Every ledger kind of the demo village printed through LibreOffice (headless, to PDF), then measured from the
PDF's text lines and ruled lines: nothing prints over anything else, nothing below 8 pt, nothing beyond the
table's width, every 注 line there in full, 内部资料 on the sheets with full 身份证号 or phones.

LibreOffice comes from the system (scripts/sysdeps.sh test installs libreoffice-calc-nogui); without it the
test is skipped and says why.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from app.db import Database
from app.io.ledger_layout import MIN_PRINTED
from app.io.ledgers import SECRET, write_ledgers
from app.services.ledgers import export as ledgers
from app.services.units import current_unit_id, get_unit
from tests.pdf_boxes import crossing_rules, outside, overlapping, read_pages, ruled_width, too_small

A3_LONG_SIDE = 1191.0  # pt


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _convert(files: list[Path], out: Path, profile: Path) -> None:
    """One LibreOffice run converting every file (starting it is most of the time)."""
    exe = _soffice()
    assert exe is not None
    cmd = [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
           "--outdir", str(out), *map(str, files)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=300, env={**os.environ, "HOME": str(profile)})


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.skipif(_soffice() is None, reason="LibreOffice (soffice) 未安装：无法把台账打印成 PDF 检查版面；"
                    "以 root 运行 scripts/sysdeps.sh test 安装 libreoffice-calc-nogui")
def test_every_ledger_prints_cleanly(demo_db: Database, tmp_path: Path) -> None:
    files: dict[str, Path] = {}
    notes: dict[str, tuple[str, ...]] = {}
    secret: dict[str, bool] = {}
    with demo_db.session() as s:
        uid = current_unit_id(s)
        assert uid is not None
        unit = get_unit(s, uid)
        for kind in ledgers.LEDGER_KINDS:
            ledger = ledgers.build_ledger(s, uid, kind, 2026)
            notes[kind] = tuple(ledger.notes)
            secret[kind] = any(c.kind in ("id", "phone") for c in ledger.columns)  # the demo's are full numbers
            files[kind] = tmp_path / f"{kind}.xlsx"
            write_ledgers(files[kind], unit, [ledger])
    started = time.perf_counter()
    _convert(list(files.values()), tmp_path / "pdf", tmp_path / "lo-profile")
    print(f"LibreOffice: {len(files)} 份台账转 PDF 用时 {time.perf_counter() - started:.1f} s")

    problems: list[str] = []
    for kind, xlsx in files.items():
        pdf = tmp_path / "pdf" / f"{xlsx.stem}.pdf"
        assert pdf.exists(), f"{kind}: LibreOffice wrote no PDF"
        pages = list(read_pages(pdf))
        left, right = ruled_width(pages)
        text = _squash("".join(p.text for p in pages))
        smallest = min(line.smallest for p in pages for line in p.lines)
        print(f"{ledgers.LEDGER_KINDS[kind]}: {len(pages)} 页，{pages[0].width:.0f}×{pages[0].height:.0f} pt，"
              f"最小字号 {smallest:.1f} pt")
        for page in pages:
            assert max(page.width, page.height) <= A3_LONG_SIDE + 1
            problems += [f"{kind}: 重叠 {a} ‖ {b}" for a, b in overlapping(page.lines)]
            problems += [f"{kind}: 压线 {line}" for line, _rule in crossing_rules(page)]
            problems += [f"{kind}: 字太小 {line}" for line in too_small(page.lines, MIN_PRINTED)]
            problems += [f"{kind}: 超出表格 {line}" for line in outside(page, left, right, SECRET.split("　"))]
        problems += [f"{kind}: 注没有印全：{note}" for note in notes[kind] if _squash(note) not in text]
        if secret[kind] != (_squash(SECRET) in text):
            problems.append(f"{kind}: 内部资料标记{'缺失' if secret[kind] else '多余'}")
    assert not problems, "\n".join(problems[:40])
