"""星级文明户 star categories (星类): data a village edits in 设置 (书记 only).

The five defaults come from seed 004; a village may rename them, rewrite their criteria (评选标准, shown
on the application form), add more (十星级) or stop using one. Nothing is deleted: applications and
加星/减星 refer to a category by id, so a renamed category keeps its history and a stopped one stays
readable in old rounds and ledgers while new applications can no longer claim it. A category claimed
in a round still under way cannot be stopped until that round is decided (or the claims are dropped).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import StarApplication, StarApplicationItem, StarCategory, StarRound
from app.models.stars import DEFAULT_STAR_CATEGORIES

from .. import access, audit
from ..errors import NotFound, ServiceError
from ..ordering import move_in
from ..validation import Problems

DEFAULT_CRITERIA = {
    "勤劳敬业星": "勤劳致富、爱岗敬业，发展生产有成效，带动乡邻共同致富。",
    "孝老爱亲星": "孝敬老人、夫妻和睦、关爱子女，家庭和美，邻里称道。",
    "团结友善星": "邻里和睦、互帮互助，遵纪守法，从不无理上访、不参与纠纷。",
    "志愿服务星": "热心公益，积极参加志愿服务、环境整治和村里的公共事务。",
    "文化教育星": "重视教育、崇尚科学，家风良好，积极参加文化活动，移风易俗。",
}
OPEN_ROUND_STEPS = ("mobilize", "apply", "review", "publicize")  # before the 两委 decide
_FIELDS = ("name", "criteria", "active", "sort_order")
_ACTION = "修改星类（星级文明户设置）"


@dataclass(frozen=True)
class CategoryInfo:
    id: int
    name: str
    criteria: str
    sort_order: int
    active: bool


def _info(c: StarCategory) -> CategoryInfo:
    return CategoryInfo(c.id, c.name, c.criteria, c.sort_order, c.active)


def ensure_categories(s: Session, unit_id: int, include_inactive: bool = False) -> list[CategoryInfo]:
    """The unit's star categories, creating the five defaults (seed 004) the first time."""
    exists = s.scalar(select(func.count(StarCategory.id)).where(StarCategory.unit_id == unit_id))
    if not exists:
        for i, name in enumerate(DEFAULT_STAR_CATEGORIES):
            s.add(StarCategory(unit_id=unit_id, name=name, criteria=DEFAULT_CRITERIA.get(name, ""), sort_order=i))
        s.flush()
        audit.record(s, unit_id, "create", "star_category", None, "建立默认星类：" + "、".join(DEFAULT_STAR_CATEGORIES))
    return list_categories(s, unit_id, include_inactive)


def _ordered(s: Session, unit_id: int) -> list[StarCategory]:
    return list(s.scalars(select(StarCategory).where(StarCategory.unit_id == unit_id)
                          .order_by(StarCategory.sort_order, StarCategory.id)))


def list_categories(s: Session, unit_id: int, include_inactive: bool = False) -> list[CategoryInfo]:
    """In display order; stopped ones only with include_inactive (设置, ledgers of old rounds)."""
    return [_info(c) for c in _ordered(s, unit_id) if include_inactive or c.active]


def _get(s: Session, unit_id: int, category_id: int) -> StarCategory:
    cat = s.get(StarCategory, category_id)
    if cat is None or cat.unit_id != unit_id:
        raise NotFound("找不到该星类")
    return cat


def open_claims(s: Session, category_id: int) -> int:
    """Applications (not withdrawn) of rounds not yet decided that claim this star."""
    return s.scalar(
        select(func.count(StarApplicationItem.id))
        .join(StarApplication, StarApplication.id == StarApplicationItem.application_id)
        .join(StarRound, StarRound.id == StarApplication.round_id)
        .where(StarApplicationItem.category_id == category_id, StarApplication.withdrawn_on.is_(None),
               StarRound.step.in_(OPEN_ROUND_STEPS))
    ) or 0


def _check_stop(s: Session, cat: StarCategory) -> None:
    claims = open_claims(s, cat.id) if cat.active else 0
    if claims:
        raise ServiceError(f"正在进行的评选批次中有 {claims} 户申报了“{cat.name}”，"
                           "请等两委会确定后再停用，或先在申报中取消这颗星。")


def save_category(
    s: Session, unit_id: int, name: str, criteria: str = "", category_id: int | None = None,
    active: bool = True, sort_order: int | None = None,
) -> int:
    """Add a star category or rename / rewrite / stop one (e.g. switch to 十星级). Names are unique per unit."""
    access.require_role(s, "admin", action=_ACTION)
    ensure_categories(s, unit_id)  # a first category added must not keep the defaults from ever being created
    p = Problems()
    name = p.text("name", "星类名称", name, required=True, max_len=20)
    criteria = p.text("criteria", "评选标准", criteria, max_len=500)
    clash = s.scalar(select(StarCategory.id).where(StarCategory.unit_id == unit_id, StarCategory.name == name))
    if name and clash is not None and clash != category_id:
        p.add("name", "星类名称", f"已有名为“{name}”的星类（停用的也算），请换一个名称")
    p.raise_if_any()
    if category_id is None:
        order = sort_order if sort_order is not None else (
            s.scalar(select(func.max(StarCategory.sort_order)).where(StarCategory.unit_id == unit_id)) or 0) + 1
        cat = StarCategory(unit_id=unit_id, name=name, criteria=criteria, sort_order=order, active=active)
        s.add(cat)
        s.flush()
        audit.record(s, unit_id, "create", "star_category", cat.id, f"新增星类：{name}")
        return cat.id
    cat = _get(s, unit_id, category_id)
    if not active:
        _check_stop(s, cat)
    before = audit.snapshot(cat, _FIELDS)
    old_name = cat.name
    cat.name, cat.criteria, cat.active = name, criteria, active
    if sort_order is not None:
        cat.sort_order = sort_order
    s.flush()
    what = f"星类改名：{old_name} → {name}" if old_name != name else f"修改星类：{name}"
    audit.record_change(s, unit_id, "star_category", cat.id, what, before, audit.snapshot(cat, _FIELDS))
    return cat.id


def set_category_active(s: Session, unit_id: int, category_id: int, active: bool) -> None:
    """停用 (new applications can no longer claim it; history stays) or 启用 again."""
    access.require_role(s, "admin", action=_ACTION)
    cat = _get(s, unit_id, category_id)
    if cat.active == active:
        return
    if not active:
        _check_stop(s, cat)
    before = audit.snapshot(cat, _FIELDS)
    cat.active = active
    s.flush()
    audit.record_change(s, unit_id, "star_category", cat.id, f"{'启用' if active else '停用'}星类：{cat.name}",
                        before, audit.snapshot(cat, _FIELDS))


def move_category(s: Session, unit_id: int, category_id: int, delta: int) -> bool:
    """Move a category up (delta < 0) or down in the list (the order of the stars on forms and notices)."""
    access.require_role(s, "admin", action=_ACTION)
    cat = _get(s, unit_id, category_id)
    rows = _ordered(s, unit_id)
    before = [c.name for c in rows]
    if not move_in(rows, cat.id, delta):
        return False
    s.flush()
    after = [c.name for c in _ordered(s, unit_id)]
    audit.record(s, unit_id, "update", "star_category", cat.id, f"调整星类顺序：{cat.name}",
                 {"order": {"from": before, "to": after}})
    return True
