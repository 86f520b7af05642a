"""便民服务卡 / 一卡通 as a PDF: eight cards to an A4 sheet, cut marks around them, an optional QR code.

Each card carries the village, the grid, its 网格长 and 网格员 with their phones (public on purpose:
the card exists so that people can call them), the 村委会电话 (the office's own number from 设置; left out
when it is not set), and a QR code (segno) holding the same contacts as plain text so a phone can save
them. Other text (the household's address) is masked as free text (app.io.masking) before it is cut to
the card's width, and never cut inside a number. The QR is drawn as vector rectangles, one per
run of dark modules, so it stays sharp when printed; each distinct
code is a form XObject drawn once and reused (a micro-grid's households share one). The file is written atomically.

The drawing (reportlab, segno) is app.io.card_pdf, imported when cards are rendered, not at start.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .atomic import CancelCheck, Progress


@dataclass(frozen=True)
class ServiceCard:
    village: str  # 城关街道东坟村
    grid_name: str  # 第一网格
    area_name: str  # 第一微网格, or "" for the whole grid
    holder: str  # 户号 0001 · 东坟村一街1号 (per-household cards), or ""
    staff: tuple[tuple[str, str, str], ...]  # (post, name, phone)
    hotline: str  # 村委会电话 (Unit.committee_phone), "" when not set: nothing is printed
    hotline_label: str = "村委会电话"

    def qr_text(self) -> str:
        lines = [f"{self.village}便民服务卡", f"{self.grid_name}{self.area_name}"]
        lines += [f"{post} {name} {phone}" for post, name, phone in self.staff]
        if self.hotline:
            lines.append(f"{self.hotline_label} {self.hotline}")
        return "\n".join(lines)


@dataclass(frozen=True)
class RenderedCards:
    path: Path
    cards: int
    pages: int


def render_cards(cards: Sequence[ServiceCard], path: Path, qr: bool = True, title: str = "便民服务卡",
                 progress: Progress | None = None, cancel: CancelCheck | None = None) -> RenderedCards:
    from .card_pdf import render_pdf

    return render_pdf(cards, path, qr=qr, title=title, progress=progress, cancel=cancel)
