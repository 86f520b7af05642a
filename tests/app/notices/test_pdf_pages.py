"""Rasterising an archived PDF for printing (app.io.pdf_pages) and copying it unchanged (atomic.copy_file)."""

from __future__ import annotations

from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A3, A4
from reportlab.pdfgen.canvas import Canvas

from app.io.atomic import copy_file
from app.io.pdf_pages import MAX_DPI, clamp_dpi, page_sizes, render_pages
from app.services.errors import ServiceError


def _pdf(path: Path, sizes: list[tuple[float, float]]) -> Path:
    c = Canvas(str(path), pagesize=sizes[0])
    for i, size in enumerate(sizes):
        c.setPageSize(size)
        c.rect(72, 72, 144, 144, fill=1)  # a black square 1 inch from the bottom-left corner
        c.drawString(72, 300, f"page {i + 1}")
        c.showPage()
    c.save()
    return path


def test_pages_rendered_one_by_one_at_capped_dpi(tmp_path: Path) -> None:
    pdf = _pdf(tmp_path / "n.pdf", [A4, A3, A4])
    assert [tuple(round(v) for v in s) for s in page_sizes(pdf)] == [(595, 842), (842, 1191), (595, 842)]
    pages = list(render_pages(pdf, 72))
    assert [p.index for p in pages] == [0, 1, 2]
    first = pages[0]
    assert abs(first.width - 595) <= 1 and abs(first.height - 842) <= 1 and first.stride >= first.width * 3
    assert len(first.data) == first.stride * first.height

    def pixel(x: int, y: int) -> bytes:  # RGB, y from the top
        return first.data[y * first.stride + x * 3: y * first.stride + x * 3 + 3]

    assert pixel(10, 10) == b"\xff\xff\xff"  # white paper
    assert pixel(144, first.height - 144) == b"\x00\x00\x00"  # inside the square
    big = next(render_pages(pdf, 1200))  # asked for 1200 dpi: rendered at the cap
    assert abs(big.width - 595.28 * MAX_DPI / 72) <= 1
    assert clamp_dpi(10) == 72 and clamp_dpi(600) == MAX_DPI


def test_unreadable_or_missing_file_is_a_chinese_message(tmp_path: Path) -> None:
    junk = tmp_path / "坏.pdf"
    junk.write_bytes(b"not a pdf at all" * 10)
    with pytest.raises(ServiceError, match="无法读取 PDF"):
        list(render_pages(junk))
    with pytest.raises(ServiceError, match="找不到文件"):
        page_sizes(tmp_path / "没有.pdf")


def test_copy_file_keeps_bytes_and_leaves_no_temp(tmp_path: Path) -> None:
    pdf = _pdf(tmp_path / "n.pdf", [A4])
    target = copy_file(pdf, tmp_path / "out" / "副本.pdf")
    assert target.read_bytes() == pdf.read_bytes()
    assert [p.name for p in target.parent.iterdir()] == ["副本.pdf"]
    with pytest.raises(ServiceError, match="找不到文件"):
        copy_file(tmp_path / "没有.pdf", tmp_path / "x.pdf")
