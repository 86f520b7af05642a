"""删除（误录）: a resident or household entered today that nothing refers to (removal.delete_if_fresh).

Anything else stays and is ended instead (迁出/死亡 for a resident, 销户 for a household); the refusal
names what still refers to the record.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.models import Household, Resident

from .. import access, removal
from ..errors import NotFound


def delete_resident(s: Session, resident_id: int) -> str:
    """Delete a resident entered today by mistake; returns what was deleted, as a user names it."""
    r = s.get(Resident, resident_id)
    if r is None:
        raise NotFound("找不到该居民")
    access.check_household(s, r.household_id, "删除居民")
    what = f"居民 {r.name}"
    removal.delete_if_fresh(s, r, r.unit_id, "resident", what, "请用“状态变动”登记迁出或死亡。")
    return what


def delete_household(s: Session, household_id: int) -> str:
    """Delete a household entered today by mistake (nobody registered in it); returns what was deleted."""
    h = s.get(Household, household_id)
    if h is None:
        raise NotFound("找不到该户")
    access.check_household(s, h.id, "删除")
    what = f"户号 {h.number}"
    removal.delete_if_fresh(s, h, h.unit_id, "household", what, "请先把居民转到其他户或登记迁出、死亡，再“销户”。")
    return what


__all__ = ["delete_household", "delete_resident"]
