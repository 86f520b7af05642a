"""The 支部, 党小组 and 网格 a row names: found by name or code, or made when the import may create them."""

from __future__ import annotations

from sqlalchemy import func, select

from app.models import Grid, PartyOrg

from ..errors import ValidationError
from ..org import tree as org
from ..validation import Problems
from .state import RunState

# ---------------------------------------------------------------- names: 支部, 网格, 类别


def _known_name(state: RunState, name: str) -> str:
    return state.options.name_map.get(name, name)


def _unknown(state: RunState, label: str, name: str) -> None:
    state.unknown.setdefault(label, set()).add(name)


def resolve_org(state: RunState, p: Problems, name: str, kinds: tuple[str, ...], parent_id: int | None,
                key: str, label: str) -> int | None:
    name = _known_name(state, name)
    stmt = select(PartyOrg.id).where(
        PartyOrg.unit_id == state.unit_id, PartyOrg.kind.in_(kinds), PartyOrg.closed_on.is_(None),
        (PartyOrg.name == name) | (PartyOrg.code == name),
    )
    if parent_id is not None:
        stmt = stmt.where(PartyOrg.parent_id == parent_id)
    found = state.s.scalars(stmt).all()
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        p.add(key, label, f"有 {len(found)} 个组织都叫“{name}”，请在表中写组织代码")
        return None
    if not state.options.create_missing:
        _unknown(state, label, name)
        p.add(key, label, f"没有名为“{name}”的{label}（可在导入时选择对应的组织，或选择自动新建）")
        return None
    state.writing()
    if parent_id is None:
        roots = state.s.scalars(select(PartyOrg.id).where(
            PartyOrg.unit_id == state.unit_id, PartyOrg.parent_id.is_(None), PartyOrg.closed_on.is_(None))).all()
        parent_id = roots[0] if len(roots) == 1 else None
    try:
        new_id = org.create_org(state.s, state.unit_id, org.OrgInput(name=name, kind=kinds[0], parent_id=parent_id))
    except ValidationError as e:
        p.add(key, label, f"无法新建“{name}”：{'；'.join(x.message for x in e.problems)}")
        return None
    state.journal.add_created("party_org", new_id, 0)
    return new_id


def resolve_grid(state: RunState, p: Problems, name: str, key: str = "grid", label: str = "网格") -> int | None:
    name = _known_name(state, name)
    found = state.s.scalars(select(Grid.id).where(
        Grid.unit_id == state.unit_id, Grid.closed_on.is_(None), (Grid.name == name) | (Grid.code == name))).all()
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        p.add(key, label, f"有 {len(found)} 个网格都叫“{name}”，请在表中写网格编号")
        return None
    if not state.options.create_missing:
        _unknown(state, label, name)
        p.add(key, label, f"没有名为“{name}”的网格（可在导入时选择对应的网格，或选择自动新建）")
        return None
    state.writing()
    n = state.s.scalar(select(func.count(Grid.id)).where(Grid.unit_id == state.unit_id)) or 0
    code = f"G{n + 1:02d}"
    while state.s.scalar(select(Grid.id).where(Grid.unit_id == state.unit_id, Grid.code == code)):
        n += 1
        code = f"G{n + 1:02d}"
    grid = Grid(unit_id=state.unit_id, code=code, name=name[:60])
    state.s.add(grid)
    state.s.flush()
    state.journal.add_created("grid", grid.id, 0)
    return grid.id
