"""本村(社区): create it (with its default data), read and change its settings."""

from __future__ import annotations

from dataclasses import dataclass, fields

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Unit
from app.models.unit import UNIT_KINDS

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

    @property
    def full_name(self) -> str:
        """城关街道东坟村 — how headers and notices name the unit."""
        return f"{self.township}{self.name}"


# Settings that setup.founding.create_unit and update_unit accept besides name/township/county/kind.
OPTION_FIELDS = ("contact_person", "contact_phone", "committee_phone", "objection_box", "notice_days",
                 "notice_workdays", "is_demo")

FIELD_LABELS = {
    "name": "名称", "kind": "村/社区", "township": "乡镇(街道)", "county": "县(区)", "contact_person": "公示联系人",
    "contact_phone": "公示联系电话", "committee_phone": "村委会电话", "objection_box": "意见箱位置",
    "notice_days": "默认公示天数", "notice_workdays": "公示期按工作日计算", "is_demo": "演示村",
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
        out["kind"] = p.choice("kind", "类型", str(values["kind"] or ""), UNIT_KINDS, required=True)
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


def current_unit_id(s: Session) -> int | None:
    """The office's unit: the first one created (a village office keeps one)."""
    return s.scalar(select(Unit.id).order_by(Unit.id).limit(1))


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
