"""网格 / 微网格 on the village map, their posts (with history), household moves, the map picture."""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Date, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Timestamps, one_of

GRID_KINDS = ("普通", "专属")
GRID_POSTS = ("网格长", "专职网格员", "微网格员", "辅助微网格员", "楼栋长")


class Grid(Timestamps, Base):
    """A grid (parent_id NULL) or a micro-grid (parent_id set). polygon: [[x, y], …] in map units."""

    __tablename__ = "grids"
    __table_args__ = (UniqueConstraint("unit_id", "code"), one_of("kind", GRID_KINDS))

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id"), index=True)
    code: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(4), default="普通")
    color: Mapped[str] = mapped_column(String(9), default="#4f8fd6")
    polygon: Mapped[object | None] = mapped_column(JSON)
    sort_order: Mapped[int] = mapped_column(default=0)
    closed_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")

    parent: Mapped[Grid | None] = relationship(remote_side="Grid.id", back_populates="children")
    children: Mapped[list[Grid]] = relationship(back_populates="parent", order_by="Grid.sort_order")


class GridPost(Timestamps, Base):
    """网格岗位 held by a resident (or a named outsider) from start_on to end_on; history kept."""

    __tablename__ = "grid_posts"
    __table_args__ = (one_of("post", GRID_POSTS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("grids.id"), index=True)
    post: Mapped[str] = mapped_column(String(10))
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"), index=True)
    person_name: Mapped[str] = mapped_column(String(40))
    phone: Mapped[str] = mapped_column(String(20), default="")
    start_on: Mapped[date | None] = mapped_column(Date)
    end_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))


class HouseholdMove(Timestamps, Base):
    """A household changing grid, with the date (kept so ledgers can show who was where when)."""

    __tablename__ = "household_moves"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    from_grid_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id"), index=True)
    to_grid_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id"), index=True)
    moved_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")


class VillageMap(Timestamps, Base):
    """The village plan picture, stored in the database so the original file can go away."""

    __tablename__ = "village_maps"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    name: Mapped[str] = mapped_column(String(60), default="村庄平面图")
    image: Mapped[bytes | None] = mapped_column(LargeBinary)
    mime: Mapped[str] = mapped_column(String(20), default="image/png")
    width: Mapped[int] = mapped_column(Integer, default=1600)
    height: Mapped[int] = mapped_column(Integer, default=1000)
