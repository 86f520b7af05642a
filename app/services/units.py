"""本村(社区): create it (with its default data), read and change its settings."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, fields

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Unit
from app.models.unit import TOWNSHIP_KINDS, UNIT_KINDS
from app.text import numbered_order

from . import access, audit
from .errors import NotFound
from .validation import Problems


@dataclass(frozen=True)
class UnitInfo:
    id: int
    name: str
    kind: str
    township: str
    county: str
    contact_person: str
    contact_phone: str
    committee_phone: str  # 村委会电话: the office's number, on the 便民服务卡 (not the 公示 contact's)
    objection_box: str
    notice_days: int
    notice_workdays: bool
    is_demo: bool
    parent_id: int | None = None  # a village's 镇/街道 unit (township databases and servers)
    district: str = ""  # 片区 (片区党委) the village is counted under

    @property
    def is_township(self) -> bool:
        return self.kind in TOWNSHIP_KINDS

    @property
    def full_name(self) -> str:
        """城关街道东坟村 — how headers and notices name the unit."""
        return f"{self.township}{self.name}"


NO_DISTRICT = "未分片区"  # how the township views name the villages without a 片区

# Settings that setup.founding.create_unit and update_unit accept besides name/township/county/kind.
OPTION_FIELDS = ("contact_person", "contact_phone", "committee_phone", "objection_box", "notice_days",
                 "notice_workdays", "is_demo", "parent_id", "district")

FIELD_LABELS = {
    "name": "名称", "kind": "村/社区", "township": "乡镇(街道)", "county": "县(区)", "contact_person": "公示联系人",
    "contact_phone": "公示联系电话", "committee_phone": "村委会电话", "objection_box": "意见箱位置",
    "notice_days": "默认公示天数", "notice_workdays": "公示期按工作日计算", "is_demo": "演示村",
    "parent_id": "所属乡镇(街道)单位", "district": "所属片区",
}


def check_fields(p: Problems, values: dict[str, object]) -> dict[str, object]:
    out = dict(values)
    if "name" in values:
        out["name"] = p.text("name", "村(社区)名称", str(values["name"] or ""), required=True, max_len=60)
    if "township" in values:
        out["township"] = p.text("township", "乡镇(街道)", str(values["township"] or ""), max_len=60)
    if "county" in values:
        out["county"] = p.text("county", "县(区)", str(values["county"] or ""), max_len=60)
    if "kind" in values:
        out["kind"] = p.choice("kind", "类型", str(values["kind"] or ""), UNIT_KINDS + TOWNSHIP_KINDS, required=True)
    if "district" in values:
        out["district"] = p.text("district", "所属片区", str(values["district"] or ""), max_len=60)
    if "contact_person" in values:
        out["contact_person"] = p.text("contact_person", "公示联系人", str(values["contact_person"] or ""), max_len=30)
    if "contact_phone" in values:
        out["contact_phone"] = p.phone("contact_phone", "公示联系电话", values["contact_phone"])
    if "committee_phone" in values:
        out["committee_phone"] = p.phone("committee_phone", "村委会电话", values["committee_phone"])
    if "objection_box" in values:
        out["objection_box"] = p.text("objection_box", "意见箱位置", str(values["objection_box"] or ""), max_len=100)
    if "notice_days" in values:
        days = values["notice_days"]
        if not isinstance(days, int) or not 1 <= days <= 60:
            p.add("notice_days", "公示天数", "应为1到60之间的整数")
    if "notice_workdays" in values:
        out["notice_workdays"] = bool(values["notice_workdays"])
    unknown = set(values) - {"name", "township", "county", "kind", *OPTION_FIELDS}
    if unknown:
        raise TypeError(f"unknown unit fields: {sorted(unknown)}")  # a programming error, not user input
    return out


def check_distinct_phones(p: Problems, contact_phone: object, committee_phone: object) -> None:
    """The 公示 contact's number and the 村委会电话 are two numbers: a notice and a card must not print one twice."""
    if contact_phone and committee_phone and contact_phone == committee_phone and not p.has("committee_phone"):
        p.add("committee_phone", "村委会电话", "与公示联系电话相同：村委会电话应填村委会办公室的电话")


def _info(u: Unit) -> UnitInfo:
    return UnitInfo(**{f.name: getattr(u, f.name) for f in fields(UnitInfo)})


def get_unit(s: Session, unit_id: int) -> UnitInfo:
    unit = s.get(Unit, unit_id)
    if unit is None:
        raise NotFound("找不到该村(社区)")
    return _info(unit)


def list_units(s: Session) -> list[UnitInfo]:
    return [_info(u) for u in s.scalars(select(Unit).order_by(Unit.id))]


# The unit this process works on when several share a database: `--unit` on the command line, the
# unit switcher in the window (AppContext.set_unit). None: the office's own (first) village.
chosen_unit_id: ContextVar[int | None] = ContextVar("chosen_unit_id", default=None)


def current_unit_id(s: Session) -> int | None:
    """The unit to work on: the one chosen (--unit, the window's switcher), else the first village or
    community (a village office keeps one), else the first unit at all (a township database)."""
    chosen = chosen_unit_id.get()
    if chosen is not None:
        return chosen
    first_village = s.scalar(select(Unit.id).where(Unit.kind.in_(UNIT_KINDS)).order_by(Unit.id).limit(1))
    return first_village if first_village is not None else s.scalar(select(Unit.id).order_by(Unit.id).limit(1))


def district_order(district: str) -> tuple[bool, tuple[int, str]]:
    """Sort key of a 片区 (片区党委) by its number (第二 before 第三 and 第十二); none ("" or 未分片区) last."""
    return (not district or district == NO_DISTRICT, numbered_order(district))


def list_villages(s: Session, township_id: int | None = None) -> list[UnitInfo]:
    """Villages and communities (of one township when given), by 片区 (district_order) then name (第2村
    before 第10村): the unit switcher's and the township views' order."""
    stmt = select(Unit).where(Unit.kind.in_(UNIT_KINDS))
    if township_id is not None:
        stmt = stmt.where(Unit.parent_id == township_id)
    villages = [_info(u) for u in s.scalars(stmt.order_by(Unit.id))]
    return sorted(villages, key=lambda v: (district_order(v.district), numbered_order(v.name), v.id))


def township_id(s: Session) -> int | None:
    """The township unit this process works on: the chosen unit if it is one, else the chosen village's
    township, else the database's first township unit (None: a village's own database)."""
    chosen = chosen_unit_id.get()
    if chosen is not None:
        unit = s.get(Unit, chosen)
        if unit is not None and unit.kind in TOWNSHIP_KINDS:
            return unit.id
        if unit is not None and unit.parent_id is not None:
            return unit.parent_id
    return s.scalar(select(Unit.id).where(Unit.kind.in_(TOWNSHIP_KINDS)).order_by(Unit.id).limit(1))


def find_unit(s: Session, text: str) -> int:
    """A unit by its number or its name (`--unit 3`, `--unit 东坟村`, `--unit 阳曲镇东坟村`)."""
    wanted = (text or "").strip()
    units = list(s.scalars(select(Unit).order_by(Unit.id)))
    for u in units:
        if wanted in (str(u.id), u.name, f"{u.township}{u.name}"):
            return u.id
    names = "、".join(f"{u.id} {u.name}" for u in units[:20]) or "（数据库中还没有村(社区)）"
    raise NotFound(f"找不到村(社区)“{wanted}”。可选：{names}")


def update_unit(s: Session, unit_id: int, **changes: object) -> None:
    """Change any of name, township, county, kind and OPTION_FIELDS."""
    access.require_role(s, "admin", action="修改本村设置")
    unit = s.get(Unit, unit_id)
    if unit is None:
        raise NotFound("找不到该村(社区)")
    p = Problems()
    values = check_fields(p, changes)
    check_distinct_phones(p, values.get("contact_phone", unit.contact_phone),
                          values.get("committee_phone", unit.committee_phone))
    p.raise_if_any()
    changed = [k for k, v in values.items() if getattr(unit, k) != v]
    before = audit.snapshot(unit, changed)
    for k in changed:
        setattr(unit, k, values[k])
    if changed:
        what = "、".join(FIELD_LABELS[k] for k in changed)
        audit.record_change(s, unit_id, "unit", unit_id, f"修改本村信息：{what}", before, audit.snapshot(unit, changed))
    s.flush()
