"""The 支部, 党小组 and 网格 a row names: found by name or code, or made when the import may create them."""

from __future__ import annotations

from sqlalchemy import func, select

from app.models import Grid, PartyOrg

from ..errors import ValidationError
from ..grid.grids import DEFAULT_COLOR
from ..org import tree as org
from ..validation import Problems
from .state import RunState

WHOLE_GRID = "全网格"  # the 网格员信息表's 负责区域 of a post of the whole grid

# ---------------------------------------------------------------- names: 支部, 网格, 类别


def _known_name(state: RunState, name: str) -> str:
    return state.options.name_map.get(name, name)


def _unknown(state: RunState, label: str, name: str) -> None:
    state.unknown.setdefault(label, set()).add(name)


def _fit(p: Problems, key: str, label: str, name: str) -> bool:
    """The name holds no control, direction or invisible character (Problems.text): before it is looked up,
    shown in a message or given to a new record."""
    before = len(p)
    p.text(key, label, name, multiline=False)
    return len(p) == before


def resolve_org(state: RunState, p: Problems, name: str, kinds: tuple[str, ...], parent_id: int | None,
                key: str, label: str) -> int | None:
    name = _known_name(state, name)
    if not _fit(p, key, label, name):
        return None
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
    if not _fit(p, key, label, name):
        return None
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
    return _new_grid(state, name, None)


def resolve_area(state: RunState, p: Problems, grid_name: str, micro_name: str, key: str = "micro_grid",
                 label: str = "微网格") -> int | None:
    """The 网格 column's grid, or the micro-grid under it that the 微网格 / 负责区域 column names.

    The ledgers print a micro-grid by its name without the grid's (第一网格 + 第二微网格); a full name
    (第一网格第二微网格) or the code is understood too. Blank or 全网格: the grid itself.
    """
    top_id = resolve_grid(state, p, grid_name)
    micro_name = _known_name(state, micro_name)
    if top_id is None or micro_name in ("", WHOLE_GRID):
        return top_id
    if not _fit(p, key, label, micro_name):
        return None
    top = state.s.get(Grid, top_id)
    assert top is not None
    if top.parent_id is not None:
        p.add(key, label, f"“{top.name}”本身是微网格，不能再填{label}")
        return None
    full = micro_name if micro_name.startswith(top.name) else top.name + micro_name
    found = state.s.scalars(select(Grid.id).where(
        Grid.parent_id == top.id, Grid.closed_on.is_(None),
        (Grid.name == micro_name) | (Grid.name == full) | (Grid.code == micro_name))).all()
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        p.add(key, label, f"“{top.name}”下有 {len(found)} 个微网格都叫“{micro_name}”，请在表中写微网格编号")
        return None
    if not state.options.create_missing:
        _unknown(state, label, full)
        p.add(key, label, f"“{top.name}”下没有名为“{micro_name}”的微网格（可在导入时选择自动新建）")
        return None
    return _new_grid(state, full, top)


def _new_grid(state: RunState, name: str, parent: Grid | None) -> int:
    """A grid the file names (create_missing): a code of its own, after the grids made before it."""
    state.writing()
    s, unit_id = state.s, state.unit_id
    siblings = s.scalar(select(func.count(Grid.id)).where(
        Grid.unit_id == unit_id, Grid.parent_id == parent.id if parent else Grid.parent_id.is_(None))) or 0
    stem = f"{parent.code}-" if parent else "G"
    n = siblings + 1
    code = f"{stem}{n}" if parent else f"{stem}{n:02d}"
    while s.scalar(select(Grid.id).where(Grid.unit_id == unit_id, Grid.code == code)):
        n += 1
        code = f"{stem}{n}" if parent else f"{stem}{n:02d}"
    grid = Grid(unit_id=unit_id, code=code, name=name[:60], parent_id=parent.id if parent else None,
                sort_order=siblings + 1, color=parent.color if parent else DEFAULT_COLOR)
    s.add(grid)
    s.flush()
    state.journal.add_created("grid", grid.id, 0)
    return grid.id
