"""Founding a village: its Unit row with the default data every area needs, and the admin account.

The first start (window) and `villagedesk init` call create_unit; the unit's details are then changed
through units.update_unit.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.models import Tag, Unit
from app.models.people import DEFAULT_HOUSEHOLD_TAGS

from .. import audit
from ..safety.auth import ensure_admin
from ..units import check_fields
from ..validation import Problems


def create_unit(
    s: Session, name: str, township: str = "", county: str = "", kind: str = "村", **opts: object
) -> int:
    """Create a unit and seed its defaults (household tags). opts: see OPTION_FIELDS."""
    p = Problems()
    values = check_fields(p, {"name": name, "township": township, "county": county, "kind": kind, **opts})
    p.raise_if_any()
    unit = Unit(**values)
    s.add(unit)
    s.flush()
    for i, tag in enumerate(DEFAULT_HOUSEHOLD_TAGS):
        s.add(Tag(unit_id=unit.id, name=tag, sort_order=i))
    audit.record(s, unit.id, "create", "unit", unit.id, f"新建{unit.kind}：{unit.name}")
    ensure_admin(s, unit.id)  # the first start creates the admin (书记) account
    s.flush()
    return unit.id
