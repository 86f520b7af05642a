"""Founding a village: its Unit row with the default data every area needs, and the admin account.

The first start (window, through first_start.found_village) and `villagedesk init` call create_unit
after ensure_blank; the unit's details are then changed through units.update_unit (设置).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.models import Base, Tag, Unit
from app.models.people import DEFAULT_HOUSEHOLD_TAGS

from .. import audit
from ..errors import ServiceError
from ..safety.auth import ensure_admin
from ..units import check_distinct_phones, check_fields, list_units
from ..validation import Problems


def create_unit(
    s: Session, name: str, township: str = "", county: str = "", kind: str = "村", **opts: object
) -> int:
    """Create a unit and seed its defaults (household tags). opts: see OPTION_FIELDS."""
    p = Problems()
    values = check_fields(p, {"name": name, "township": township, "county": county, "kind": kind, **opts})
    check_distinct_phones(p, values.get("contact_phone"), values.get("committee_phone"))
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


def ensure_blank(s: Session) -> None:
    """Refuse (ServiceError) a database that already holds a village: the first start founds only one."""
    existing = list_units(s)
    if existing:
        names = "、".join(u.full_name for u in existing[:3]) + ("等" if len(existing) > 3 else "")
        raise ServiceError(f"数据库中已有{existing[0].kind}：{names}，未新建。新建的村(社区)请使用另一个数据库文件。")


def wipe_database(s: Session) -> None:
    """Delete every row of every table (children first), the append-only 操作日志 included.

    Only `demo --force` does this, after it made sure nobody else has the file open and backed it up.
    """
    audit.erase_log(s)
    for table in reversed(Base.metadata.sorted_tables):
        s.execute(table.delete())
    s.expunge_all()
