"""Fixtures shared by the core tests: a session on a copy of the demo village and its unit."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from app.db import Database
from app.services.context import AppContext
from app.services.units import current_unit_id

from .roles import make_staff


@pytest.fixture
def s(demo_db: Database) -> Iterator[Session]:
    with demo_db.session() as session:
        yield session


@pytest.fixture
def uid(s: Session) -> int:
    unit_id = current_unit_id(s)
    assert unit_id is not None
    return unit_id


@pytest.fixture
def ctx(demo_db: Database) -> AppContext:
    return AppContext(demo_db)


@pytest.fixture
def staff(ctx: AppContext) -> dict[str, int]:
    """Operator ids on the demo village: admin, clerk, grid (网格员 of the first grid) and that grid_id."""
    return make_staff(ctx)
