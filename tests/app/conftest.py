"""Fixtures shared by the core tests: a session on a copy of the demo village and its unit."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from app.db import Database
from app.services.units import current_unit_id


@pytest.fixture
def s(demo_db: Database) -> Iterator[Session]:
    with demo_db.session() as session:
        yield session


@pytest.fixture
def uid(s: Session) -> int:
    unit_id = current_unit_id(s)
    assert unit_id is not None
    return unit_id
