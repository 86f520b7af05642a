"""工单 settings, editable in 设置 (书记 only): the 诉求类别 with their 办理时限, the 代办清单, and whether a
回访 rated 不满意 sends the ticket back to 重新办理.

The lists are data. Nothing is deleted: tickets refer to a category / 代办事项 by id, so a renamed entry keeps
its history and a stopped (停用) one stays readable on old tickets, ledgers and rates while new tickets can
no longer choose it. A category's time limit counts for tickets received after the change; tickets already
received keep the due time they were given (a single ticket's due time is changed on the ticket, set_due).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import ServiceItem, TicketCategory
from app.models.tickets import DEFAULT_SERVICE_ITEMS, DEFAULT_TICKET_CATEGORIES

from .. import access, audit
from ..errors import NotFound
from ..ordering import move_in
from ..settings import get_setting, set_setting
from ..validation import Problems

REOPEN_KEY = "tickets.reopen_on_unsatisfied"
# Default time limits (hours) by category: safety and public order within a day, building matters slower.
DEFAULT_DUE_HOURS = {"安全隐患": 24, "治安稳定": 24, "环境卫生": 48, "乱堆乱放": 48, "矛盾纠纷": 72,
                     "民生诉求": 72, "私搭乱建": 120}
MAX_DUE_HOURS = 24 * 90
_ACTION = "修改工单设置"
__all__ = ["DEFAULT_DUE_HOURS", "DEFAULT_SERVICE_ITEMS", "DEFAULT_TICKET_CATEGORIES", "REOPEN_KEY", "CategoryInfo",
           "ServiceItemInfo", "add_service_item", "due_text", "ensure_defaults", "list_categories",
           "list_service_items", "move_category", "move_service_item", "reopen_on_unsatisfied", "save_category",
           "save_service_item", "set_category_active", "set_reopen_on_unsatisfied", "set_service_item_active"]
_CAT_FIELDS = ("name", "due_hours", "active", "sort_order")
_ITEM_FIELDS = ("name", "active", "sort_order")


@dataclass(frozen=True)
class CategoryInfo:
    id: int
    name: str
    due_hours: int
    active: bool

    @property
    def due_text(self) -> str:
        return due_text(self.due_hours)


@dataclass(frozen=True)
class ServiceItemInfo:
    id: int
    name: str
    active: bool


def due_text(hours: int) -> str:
    """办理时限 as the office says it: 48 → 2天, 36 → 36小时."""
    return f"{hours // 24}天" if hours and hours % 24 == 0 else f"{hours}小时"


def ensure_defaults(s: Session, unit_id: int) -> None:
    """The seven 7621 categories and the 集义乡 代办清单, once (the lists are data, editable later)."""
    if s.scalar(select(TicketCategory.id).where(TicketCategory.unit_id == unit_id).limit(1)) is None:
        s.add_all(TicketCategory(unit_id=unit_id, name=n, due_hours=DEFAULT_DUE_HOURS.get(n, 72), sort_order=i)
                  for i, n in enumerate(DEFAULT_TICKET_CATEGORIES))
    if s.scalar(select(ServiceItem.id).where(ServiceItem.unit_id == unit_id).limit(1)) is None:
        s.add_all(ServiceItem(unit_id=unit_id, name=n, sort_order=i) for i, n in enumerate(DEFAULT_SERVICE_ITEMS))
    s.flush()


# ---------------------------------------------------------------- 诉求类别


def _categories(s: Session, unit_id: int) -> list[TicketCategory]:
    return list(s.scalars(select(TicketCategory).where(TicketCategory.unit_id == unit_id)
                          .order_by(TicketCategory.sort_order, TicketCategory.id)))


def list_categories(s: Session, unit_id: int, include_inactive: bool = False) -> list[CategoryInfo]:
    ensure_defaults(s, unit_id)
    return [CategoryInfo(c.id, c.name, c.due_hours, c.active) for c in _categories(s, unit_id)
            if include_inactive or c.active]


def _get_category(s: Session, unit_id: int, category_id: int) -> TicketCategory:
    cat = s.get(TicketCategory, category_id)
    if cat is None or cat.unit_id != unit_id:
        raise NotFound("找不到该诉求类别")
    return cat


def save_category(s: Session, unit_id: int, name: str, due_hours: int, category_id: int | None = None,
                  active: bool = True) -> int:
    """Add a category or change its name / time limit (hours) / active flag. Names are unique per unit."""
    access.require_role(s, "admin", action=_ACTION)
    ensure_defaults(s, unit_id)
    p = Problems()
    name = p.text("name", "类别名称", name, required=True, max_len=20)
    if isinstance(due_hours, bool) or not isinstance(due_hours, int) or not 1 <= due_hours <= MAX_DUE_HOURS:
        p.add("due_hours", "办理时限", "办理时限应为 1 小时到 90 天之间")
    clash = s.scalar(select(TicketCategory.id).where(TicketCategory.unit_id == unit_id, TicketCategory.name == name))
    if name and clash is not None and clash != category_id:
        p.add("name", "类别名称", f"已有名为“{name}”的类别（停用的也算），请换一个名称")
    p.raise_if_any()
    if category_id is None:
        order = s.scalar(select(func.max(TicketCategory.sort_order)).where(TicketCategory.unit_id == unit_id)) or 0
        cat = TicketCategory(unit_id=unit_id, name=name, due_hours=due_hours, sort_order=order + 1, active=active)
        s.add(cat)
        s.flush()
        audit.record(s, unit_id, "create", "ticket_category", cat.id,
                     f"新增诉求类别：{name}（时限 {due_text(due_hours)}）")
        return cat.id
    cat = _get_category(s, unit_id, category_id)
    before = audit.snapshot(cat, _CAT_FIELDS)
    old_name = cat.name
    cat.name, cat.due_hours, cat.active = name, due_hours, active
    s.flush()
    what = f"诉求类别改名：{old_name} → {name}" if old_name != name else f"修改诉求类别：{name}"
    audit.record_change(s, unit_id, "ticket_category", cat.id, what, before, audit.snapshot(cat, _CAT_FIELDS))
    return cat.id


def set_category_active(s: Session, unit_id: int, category_id: int, active: bool) -> None:
    """停用 a category (new tickets can no longer choose it; old ones keep it) or 启用 it again."""
    access.require_role(s, "admin", action=_ACTION)
    cat = _get_category(s, unit_id, category_id)
    save_category(s, unit_id, cat.name, cat.due_hours, cat.id, active)


def move_category(s: Session, unit_id: int, category_id: int, delta: int) -> bool:
    """Move a category up (delta < 0) or down: the order of the lists, the intake form and the rates."""
    access.require_role(s, "admin", action=_ACTION)
    cat = _get_category(s, unit_id, category_id)
    before = _categories(s, unit_id)
    names = [c.name for c in before]
    if not move_in(before, cat.id, delta):
        return False
    s.flush()
    audit.record(s, unit_id, "update", "ticket_category", cat.id, f"调整诉求类别顺序：{cat.name}",
                 {"order": {"from": names, "to": [c.name for c in _categories(s, unit_id)]}})
    return True


# ---------------------------------------------------------------- 代办清单


def _items(s: Session, unit_id: int) -> list[ServiceItem]:
    return list(s.scalars(select(ServiceItem).where(ServiceItem.unit_id == unit_id)
                          .order_by(ServiceItem.sort_order, ServiceItem.id)))


def list_service_items(s: Session, unit_id: int, include_inactive: bool = False) -> list[ServiceItemInfo]:
    ensure_defaults(s, unit_id)
    return [ServiceItemInfo(i.id, i.name, i.active) for i in _items(s, unit_id) if include_inactive or i.active]


def _get_item(s: Session, unit_id: int, item_id: int) -> ServiceItem:
    item = s.get(ServiceItem, item_id)
    if item is None or item.unit_id != unit_id:
        raise NotFound("找不到该代办事项")
    return item


def _item_name(s: Session, unit_id: int, name: str, item_id: int | None) -> str:
    p = Problems()
    name = p.text("name", "代办事项", name, required=True, max_len=30)
    clash = s.scalar(select(ServiceItem.id).where(ServiceItem.unit_id == unit_id, ServiceItem.name == name))
    if name and clash is not None and clash != item_id:
        p.add("name", "代办事项", f"代办清单中已有“{name}”（停用的也算）")
    p.raise_if_any()
    return name


def add_service_item(s: Session, unit_id: int, name: str) -> int:
    """Add an entry to the 代办清单 (e.g. 老年证办理), at the end of the list."""
    access.require_role(s, "admin", action=_ACTION)
    ensure_defaults(s, unit_id)  # the first entry added must not keep the defaults from ever being created
    name = _item_name(s, unit_id, name, None)
    order = s.scalar(select(func.max(ServiceItem.sort_order)).where(ServiceItem.unit_id == unit_id)) or 0
    item = ServiceItem(unit_id=unit_id, name=name, sort_order=order + 1)
    s.add(item)
    s.flush()
    audit.record(s, unit_id, "create", "service_item", item.id, f"代办清单新增：{name}")
    return item.id


def save_service_item(s: Session, unit_id: int, item_id: int, name: str, active: bool = True) -> None:
    """Rename an entry of the 代办清单, or 停用 / 启用 it."""
    access.require_role(s, "admin", action=_ACTION)
    item = _get_item(s, unit_id, item_id)
    name = _item_name(s, unit_id, name, item.id)
    before = audit.snapshot(item, _ITEM_FIELDS)
    old_name = item.name
    item.name, item.active = name, active
    s.flush()
    what = f"代办事项改名：{old_name} → {name}" if old_name != name else f"修改代办事项：{name}"
    audit.record_change(s, unit_id, "service_item", item.id, what, before, audit.snapshot(item, _ITEM_FIELDS))


def set_service_item_active(s: Session, unit_id: int, item_id: int, active: bool) -> None:
    access.require_role(s, "admin", action=_ACTION)
    item = _get_item(s, unit_id, item_id)
    save_service_item(s, unit_id, item.id, item.name, active)


def move_service_item(s: Session, unit_id: int, item_id: int, delta: int) -> bool:
    """Move an entry of the 代办清单 up (delta < 0) or down."""
    access.require_role(s, "admin", action=_ACTION)
    item = _get_item(s, unit_id, item_id)
    before = _items(s, unit_id)
    names = [i.name for i in before]
    if not move_in(before, item.id, delta):
        return False
    s.flush()
    audit.record(s, unit_id, "update", "service_item", item.id, f"调整代办清单顺序：{item.name}",
                 {"order": {"from": names, "to": [i.name for i in _items(s, unit_id)]}})
    return True


# ---------------------------------------------------------------- 回访不满意


def reopen_on_unsatisfied(s: Session, unit_id: int) -> bool:
    return bool(get_setting(s, unit_id, REOPEN_KEY, True))


def set_reopen_on_unsatisfied(s: Session, unit_id: int, value: bool) -> None:
    access.require_role(s, "admin", action=_ACTION)
    set_setting(s, unit_id, REOPEN_KEY, bool(value), "回访不满意时自动重新办理")
