"""演示村: a deterministic, realistic demo village (东坟村, 房山区城关街道) for training and tests.

`build_demo(s)` fills an empty database; `build_demo(s, force=True)` wipes every table first.
Everything comes from one `random.Random(SEED)` and fixed dates around DEMO_TODAY, never today(),
so two builds give the same names, ID numbers and links. Rows go in with bulk inserts (fast).
planner makes the plan (pure Python), write writes it; the area modules (grid, points, stars, tickets) add to it.

Figures from the source reports: 东坟村 has 815 villagers and 59 党员 (seed 000); 东杨坨村 has
7 area grids with 网格长 and 网格员 (seed 001); each 党员 联系 4–30 households.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Operator, Unit

from ..services import audit
from ..services.errors import ServiceError
from ..services.setup import founding
from .facts import DEMO_TODAY, SEED
from .planner import _Planner
from .summary import DemoSummary
from .write import _write

# DEMO_TODAY and DemoSummary live in demo_facts / demo_summary; callers keep importing them from here.
__all__ = ["DEMO_TODAY", "DemoSummary", "build_demo", "has_data", "real_village", "wipe_all"]


def has_data(s: Session) -> bool:
    """True when the database holds at least one unit (本村)."""
    return s.scalar(select(Unit.id).limit(1)) is not None


def real_village(s: Session) -> str | None:
    """The name of a real (not demo) 村(社区) in the database, or None when it holds only demo data.

    Only the demo generators set Unit.is_demo; a village set up by hand or imported never has it.
    """
    return s.scalar(select(Unit.name).where(Unit.is_demo.is_(False)).order_by(Unit.id).limit(1))


def wipe_all(s: Session) -> None:
    """Delete every row of every table. Only for `demo --force` (the CLI wipes before it builds)."""
    founding.wipe_database(s)


def build_demo(s: Session, force: bool = False) -> DemoSummary:
    """Fill the database with the demo village. The caller commits."""
    if has_data(s):
        if not force:
            raise ServiceError("数据库中已有数据，未生成演示村。如确需清空全部数据，请用 --force 重建演示村。")
        wipe_all(s)
    plan = _Planner(random.Random(SEED)).plan()
    summary = _write(s, plan)
    unit_id = s.scalars(select(Unit.id)).one()
    # The areas write through the services as the demo's 村书记, as a signed-in 书记 would: tickets, point
    # entries and the 操作日志 name who entered them (录入人 in the ledgers), as in the county demo.
    secretary = s.scalar(select(Operator.id).where(Operator.unit_id == unit_id).order_by(Operator.id).limit(1))
    token = audit.current_operator_id.set(secretary)
    try:
        extra = tuple(line for extend in _area_extensions() for line in extend(s, unit_id, random.Random(SEED)))
    finally:
        audit.current_operator_id.reset(token)
    return dataclasses.replace(summary, extra=extra)


def _area_extensions() -> list[Callable[[Session, int, random.Random], list[str]]]:
    """Each area adds its demo data after the village exists: extend(s, unit_id, rng) -> summary lines.

    An area adds one line here, its function living in app/demo/<area>.py.
    """
    from . import affairs_bodies as demo_bodies
    from . import affairs_decisions as demo_decisions
    from . import affairs_topics as demo_topics
    from . import grid as demo_grid
    from . import partywork_appraisal as demo_appraisal
    from . import partywork_dues as demo_dues
    from . import partywork_mobile as demo_mobile
    from . import partywork_transfers as demo_transfers
    from . import points as demo_points
    from . import stars as demo_stars
    from . import tickets as demo_tickets

    return [
        demo_grid.extend,
        demo_points.extend,
        demo_stars.extend,
        demo_tickets.extend,
        demo_bodies.extend,
        demo_decisions.extend,  # after the bodies: the 两委会 and 村民代表会议 tick them
        demo_topics.extend,  # after the bodies (the 村民代表 vote) and the tickets
        demo_mobile.extend,
        demo_dues.extend,  # after the mobile demo: its 失联 member is behind with the dues
        demo_appraisal.extend,
        demo_transfers.extend,  # after the 党费 (党费交到) and the others' members (it moves quiet ones)
        demo_points.draft_this_year,  # last: after the tickets' 代办 points and the roster's 转出/转入
    ]
