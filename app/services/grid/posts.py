"""Who holds which 网格 post on a day: the rows behind the 网格员信息表 and the contact notice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, or_, select
from sqlalchemy.orm import Session, aliased

from app.models import Grid, GridPost, Resident
from app.models.grid import GRID_POSTS


@dataclass(frozen=True)
class GridPostRow:
    id: int
    grid_id: int  # the top-level grid
    grid_name: str
    area_id: int  # the grid or micro-grid the post is for
    area_name: str  # 第一网格 / 第一网格第二微网格
    post: str
    name: str
    phone: str
    gender: str | None
    id_number: str | None
    resident_id: int | None
    start_on: date | None
    note: str


def list_grid_posts(s: Session, unit_id: int, on: date | None = None) -> list[GridPostRow]:
    """Posts held on `on` (default today) in open grids: by grid, the grid's own posts first, then by micro-grid."""
    on = on or date.today()
    top = aliased(Grid, name="top")
    area = aliased(Grid, name="area")
    rank = case({p: i for i, p in enumerate(GRID_POSTS)}, value=GridPost.post)
    top_id = case((area.parent_id.is_(None), area.id), else_=area.parent_id)
    stmt = (
        select(GridPost, area, top.name.label("top_name"), top.id.label("top_id"),
               Resident.gender, Resident.id_number)
        .join(area, area.id == GridPost.grid_id)
        .join(top, top.id == top_id)
        .outerjoin(Resident, Resident.id == GridPost.resident_id)
        .where(
            area.unit_id == unit_id, area.closed_on.is_(None), top.closed_on.is_(None),
            or_(GridPost.start_on.is_(None), GridPost.start_on <= on),
            or_(GridPost.end_on.is_(None), GridPost.end_on > on),
        )
        .order_by(top.sort_order, top.id, area.parent_id.isnot(None), area.sort_order, area.id, rank, GridPost.id)
    )
    out = []
    for post, a, top_name, tid, gender, id_number in s.execute(stmt):
        out.append(GridPostRow(
            id=post.id, grid_id=tid, grid_name=top_name, area_id=a.id, area_name=a.name, post=post.post,
            name=post.person_name, phone=post.phone, gender=gender, id_number=id_number,
            resident_id=post.resident_id, start_on=post.start_on, note=post.note,
        ))
    return out
