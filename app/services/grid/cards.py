"""便民服务卡 / 一卡通: who to call in each grid, one card per household or per (micro-)grid.

The staff on a card are those holding posts on the day: the micro-grid's own (微网格员, 辅助微网格员,
楼栋长) after its grid's (网格长, 专职网格员). Their phones are printed in full: that is the card's purpose.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from sqlalchemy.orm import Session

from app.io.atomic import CancelCheck, Progress
from app.io.cards import RenderedCards, ServiceCard, render_cards
from app.models.grid import GRID_POSTS

from .. import access, audit
from ..errors import ServiceError
from ..units import get_unit
from .grids import GridInfo, grid_by_code, list_grids
from .map_data import map_data
from .posts import list_grid_posts

CardsPer = Literal["household", "grid"]


@dataclass(frozen=True)
class CardsResult:
    path: Path
    cards: int
    pages: int
    per: str


def _areas(s: Session, unit_id: int, grid_code: str | None) -> list[GridInfo]:
    """The areas a card is made for: micro-grids, and grids without micro-grids (optionally one grid's)."""
    grids = list_grids(s, unit_id)
    parents = {g.parent_id for g in grids if g.parent_id is not None}
    areas = [g for g in grids if g.id not in parents]
    if grid_code:
        chosen = grid_by_code(s, unit_id, grid_code)
        areas = [g for g in areas if chosen.id in (g.id, g.parent_id)]
    scope = access.grid_scope(s)
    return [g for g in areas if scope is None or g.id in scope]


def build_cards(s: Session, unit_id: int, per: CardsPer = "household", grid_code: str | None = None,
                on: date | None = None) -> list[ServiceCard]:
    unit = get_unit(s, unit_id)
    areas = _areas(s, unit_id, grid_code)
    grids = {g.id: g for g in list_grids(s, unit_id)}
    rank = {p: i for i, p in enumerate(GRID_POSTS)}
    posts = list_grid_posts(s, unit_id, on)

    def staff(area: GridInfo) -> tuple[tuple[str, str, str], ...]:
        mine = [p for p in posts if p.area_id in (area.id, area.parent_id)]
        mine.sort(key=lambda p: (p.area_id != area.parent_id, rank.get(p.post, 99), p.id))
        return tuple((p.post, p.name, p.phone) for p in mine)

    def card(area: GridInfo, holder: str = "") -> ServiceCard:
        top = grids.get(area.parent_id) if area.parent_id else area
        assert top is not None
        sub = area.name.removeprefix(top.name) if area.parent_id else ""
        # 村委会电话 is the office's own number (设置); when it is not filled in the card says nothing
        # rather than print the 公示 contact's (often the 书记's own mobile) under that label
        return ServiceCard(unit.full_name, top.name, sub, holder, staff(area), unit.committee_phone)

    if per == "grid":
        return [card(a) for a in areas]
    if per != "household":
        raise ServiceError("服务卡只能按户或按网格制作")
    by_area: dict[int, list[tuple[str, str]]] = {}
    for m in map_data(s, unit_id, on).markers:
        if m.grid_id is not None:
            by_area.setdefault(m.grid_id, []).append((m.number, m.address))
    out = []
    for a in areas:
        base = card(a)
        for number, address in by_area.get(a.id, []):
            holder = f"户号 {number}" + (f" · {address}" if address else "")  # masked when drawn (card_pdf)
            out.append(ServiceCard(base.village, base.grid_name, base.area_name, holder, base.staff, base.hotline))
    return out


def export_cards(s: Session, unit_id: int, out_path: Path, per: CardsPer = "household", grid_code: str | None = None,
                 qr: bool = True, on: date | None = None, progress: Progress | None = None,
                 cancel: CancelCheck | None = None) -> CardsResult:
    cards = build_cards(s, unit_id, per, grid_code, on)
    if not cards:
        where = f"网格 {grid_code} 中" if grid_code else ""
        raise ServiceError(f"{where}没有可制卡的{'户' if per == 'household' else '网格'}，未生成文件。")
    rendered: RenderedCards = render_cards(cards, Path(out_path), qr=qr, progress=progress, cancel=cancel)
    what = "每户一张" if per == "household" else "每个网格一张"
    audit.record(s, unit_id, "export", "service_cards", None,
                 f"制作便民服务卡：{rendered.cards} 张（{what}{'，' + grid_code if grid_code else ''}）",
                 {"path": str(Path(out_path).resolve()), "per": per, "grid": grid_code})
    return CardsResult(rendered.path, rendered.cards, rendered.pages, per)
