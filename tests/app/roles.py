"""Operators of every role on the demo village, and running service calls as one of them."""

from __future__ import annotations

from sqlalchemy import select

from app.models import Grid
from app.services.context import AppContext
from app.services.safety import auth


def make_staff(ctx: AppContext) -> dict[str, int]:
    """The demo's admin plus a clerk and a grid operator for the first grid (with its micro-grids)."""

    def first_grid(s):  # type: ignore[no-untyped-def]
        return s.scalar(select(Grid.id).where(Grid.parent_id.is_(None)).order_by(Grid.sort_order, Grid.id))

    grid_id = ctx.call(first_grid)
    uid = ctx.unit_id
    admin = ctx.call(auth.ensure_admin, uid)
    clerk = ctx.call(auth.create_operator, uid, "wenshu", "王文书", "clerk", "clerk-pass")
    grid = ctx.call(auth.create_operator, uid, "wangge1", "李网格", "grid", "grid-pass", (grid_id,))
    return {"admin": admin, "clerk": clerk, "grid": grid, "grid_id": grid_id}


def as_(ctx: AppContext, operator_id: int | None) -> AppContext:
    other = AppContext(ctx.db)
    other.operator_id = operator_id
    return other
