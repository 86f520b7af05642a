"""Changes between 户 and their people: 变更户主, moving residents to another 户, 分户.

Every change keeps the rows (a resident's 户 and 与户主关系 change; the 操作日志 keeps what they were).
A move or a 分户 that takes a 户主 away says which household needs a new head, or that one nobody lives
in any more can be closed (households.close_household).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Household, Resident
from app.models.people import HEAD_RELATION, RELATIONS

from .. import access, audit
from ..errors import NotFound, ValidationError
from ..validation import Problems
from .households import HouseholdInput, add_household
from .residents import ACTIVE_STATUSES

OTHER_RELATIONS = tuple(r for r in RELATIONS if r != HEAD_RELATION)  # what an old 户主 may become


@dataclass(frozen=True)
class Move:
    resident_id: int
    relation: str  # 与户主关系 in the household they move to


@dataclass
class SplitInput:
    """分户: the new household and who goes there (exactly one of them as 户主)."""

    number: str
    address: str = ""
    moves: Sequence[Move] = ()
    note: str = ""


@dataclass(frozen=True)
class MoveResult:
    household_id: int  # where they went (for 分户: the new household)
    notes: list[str] = field(default_factory=list)
    needs_head: list[int] = field(default_factory=list)  # households whose 户主 left while others remain
    emptied: list[int] = field(default_factory=list)  # households nobody 在册 lives in any more


def _household(s: Session, household_id: int, label: str = "户") -> Household:
    h = s.get(Household, household_id)
    if h is None:
        raise NotFound(f"找不到该{label}")
    return h


def _active(s: Session, household_id: int) -> list[Resident]:
    return list(s.scalars(select(Resident).where(
        Resident.household_id == household_id, Resident.status.in_(ACTIVE_STATUSES)).order_by(Resident.id)))


def _head(people: Sequence[Resident]) -> Resident | None:
    return next((r for r in people if r.relation == HEAD_RELATION), None)


# ---------------------------------------------------------------- 户主


def change_head(s: Session, household_id: int, new_head_id: int, old_head_relation: str = "") -> list[str]:
    """Make one of the household's residents its 户主; the old 户主 (if still 在册) takes `old_head_relation`.

    Returns notes for the user (the others' 与户主关系 still describe the old head)."""
    access.require_role(s, *access.ENTRY_ROLES, action="变更户主")
    h = _household(s, household_id)
    access.check_household(s, h.id, "变更户主")
    p = Problems()
    if h.closed_on is not None:
        p.add("new_head_id", "新户主", f"户号 {h.number} 已于 {h.closed_on.isoformat()} 销户")
    people = _active(s, h.id)
    new = next((r for r in people if r.id == new_head_id), None)
    old = _head(people)
    if new is None:
        p.add("new_head_id", "新户主", f"请从户号 {h.number} 的在册居民中选择新户主")
    elif old is not None and new.id == old.id:
        p.add("new_head_id", "新户主", f"{new.name} 已是户主")
    relation = ""
    if old is not None and (new is None or new.id != old.id):
        relation = p.choice("old_head_relation", f"原户主 {old.name} 改为", old_head_relation, OTHER_RELATIONS,
                            required=True)
    p.raise_if_any()
    assert new is not None
    before = {r.id: r.relation for r in (new, old) if r is not None}
    new.relation = HEAD_RELATION
    if old is not None:
        old.relation = relation
    s.flush()
    after = {r.id: r.relation for r in (new, old) if r is not None}
    summary = f"户号 {h.number} 户主：{old.name if old else '无'} → {new.name}"
    audit.record(s, h.unit_id, "head", "household", h.id, summary, {
        "head": {"from": old.id if old else None, "to": new.id},
        "relations": {str(k): {"from": before[k], "to": after[k]} for k in before if before[k] != after[k]},
    })
    others = [r.name for r in people if r.id not in before]
    return [f"其他家庭成员（{'、'.join(others)}）的与户主关系仍按原户主填写，请逐一核对。"] if others else []


# ---------------------------------------------------------------- moving people between households


def _check_moves(
    s: Session, unit_id: int, target: Household | None, moves: Sequence[Move], p: Problems, source_id: int | None = None,
) -> list[tuple[Resident, str]]:
    """The residents to move with their new relation; at most one 户主 in the target household.

    target None: a household still to be created (分户)."""
    out: list[tuple[Resident, str]] = []
    if not moves:
        p.add("resident_ids", "居民", "请选择要转移的居民")
    seen: set[int] = set()
    for mv in moves:
        r = s.get(Resident, mv.resident_id)
        if r is None or r.unit_id != unit_id or mv.resident_id in seen:
            p.add("resident_ids", "居民", "所选的居民不存在")
            continue
        seen.add(r.id)
        if r.status not in ACTIVE_STATUSES:
            p.add("resident_ids", "居民", f"{r.name} 已{r.status}，不能转户")
        elif source_id is not None and r.household_id != source_id:
            p.add("resident_ids", "居民", f"{r.name} 不在本户")
        elif target is not None and r.household_id == target.id:
            p.add("resident_ids", "居民", f"{r.name} 已在户号 {target.number}")
        relation = p.choice("relation", f"{r.name} 的与户主关系", mv.relation, RELATIONS, required=True)
        out.append((r, relation))
    heads = [r.name for r, rel in out if rel == HEAD_RELATION]
    current = _head(_active(s, target.id)) if target is not None else None
    if len(heads) > 1:
        p.add("relation", "与户主关系", f"一户只能有一个户主（选了 {'、'.join(heads)}）")
    elif heads and current is not None and target is not None:
        p.add("relation", "与户主关系", f"户号 {target.number} 已有户主 {current.name}，一户只能有一个户主")
    return out


def _move(s: Session, people: list[tuple[Resident, str]], target: Household, note: str) -> MoveResult:
    """Write the moves; report the households they left that need a head or are empty now."""
    head_left: dict[int, bool] = {}  # household left → its 户主 was among those who left
    for r, relation in people:
        old = s.get(Household, r.household_id) if r.household_id else None
        before = audit.snapshot(r, ("household_id", "relation"))
        if old is not None:
            head_left[old.id] = head_left.get(old.id, False) or r.relation == HEAD_RELATION
        r.household_id, r.relation = target.id, relation
        s.flush()
        where = f"从户号 {old.number} " if old else ""
        audit.record_change(s, r.unit_id, "resident", r.id, f"{r.name} {where}转到户号 {target.number}（{relation}）"
                            + (f"：{note}" if note else ""), before, audit.snapshot(r, ("household_id", "relation")),
                            action="move")
    result = MoveResult(target.id)
    for hid, was_head in head_left.items():
        h = _household(s, hid)
        remaining = _active(s, hid)
        if not remaining:
            result.emptied.append(hid)
            result.notes.append(f"户号 {h.number} 已没有在册居民，可以办理销户。")
        elif was_head and _head(remaining) is None:
            result.needs_head.append(hid)
            result.notes.append(f"户号 {h.number} 的户主已转走，该户需要新的户主：请变更户主。")
    return result


def move_residents(s: Session, household_id: int, moves: Sequence[Move], note: str = "") -> MoveResult:
    """Move residents (在册 or 外出务工) to another open household, each with their new 与户主关系."""
    access.require_role(s, *access.ENTRY_ROLES, action="居民转户")
    target = _household(s, household_id, "目标户")
    access.check_household(s, target.id, "转入居民到")
    p = Problems()
    if target.closed_on is not None:
        p.add("household_id", "转到户", f"户号 {target.number} 已于 {target.closed_on.isoformat()} 销户")
    people = _check_moves(s, target.unit_id, target, moves, p)
    for r, _ in people:
        access.check_household(s, r.household_id, "转出居民")
    p.raise_if_any()
    return _move(s, people, target, note.strip())


# ---------------------------------------------------------------- 分户


def split_household(s: Session, household_id: int, data: SplitInput) -> MoveResult:
    """分户: some residents of a household form a new one (户号, 门牌) with one of them as 户主; one transaction.

    Someone 在册 must stay behind (moving everyone is a move, or a new 户号 for the household)."""
    access.require_role(s, *access.ENTRY_ROLES, action="分户")
    source = _household(s, household_id)
    access.check_household(s, source.id, "分户")
    p = Problems()
    if source.closed_on is not None:
        p.add("resident_ids", "分出的居民", f"户号 {source.number} 已于 {source.closed_on.isoformat()} 销户")
    people = _check_moves(s, source.unit_id, None, data.moves, p, source_id=source.id)
    if people and not any(rel == HEAD_RELATION for _, rel in people):
        p.add("relation", "与户主关系", "请指定分出后新户的户主（与户主关系选“户主”）")
    staying = [r for r in _active(s, source.id) if r.id not in {m.resident_id for m in data.moves}]
    if people and not staying:
        p.add("resident_ids", "分出的居民", f"户号 {source.number} 的在册居民都分出去了：原户至少要留一人"
                                            "（全部迁走请用“转到其他户”后销户）")
    with s.begin_nested():  # the new household and the moves together, or nothing
        try:
            new_id = add_household(s, source.unit_id, HouseholdInput(
                data.number, data.address, grid_id=source.grid_id, note=data.note))
        except ValidationError as e:
            raise ValidationError(list(e.problems) + p.items) from None
        p.raise_if_any()
        target = _household(s, new_id)
        result = _move(s, people, target, f"分户自户号 {source.number}")
        audit.record(s, source.unit_id, "split", "household", source.id,
                     f"分户：户号 {source.number} 分出户号 {target.number}（{'、'.join(r.name for r, _ in people)}）",
                     {"new_household_id": new_id, "residents": [r.id for r, _ in people]})
    return result


__all__ = ["OTHER_RELATIONS", "Move", "MoveResult", "SplitInput", "change_head", "move_residents", "split_household"]
