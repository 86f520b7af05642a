"""Who may do what: role checks and grid-staff scoping, applied inside the services.

The operator is `audit.current_operator_id` (set by AppContext.call for the signed-in operator). With no
operator set — the command line, tests, a script — nothing is restricted: whoever can run those can
read the database file anyway. In single operator mode the window signs in the admin, so every check
passes and the 操作日志 still says who acted.

Units (issue 23): a village operator (admin/clerk/grid) sees and writes only their own unit; a township
operator (镇级) sees their township unit and every village under it (parent_id), and writes only with
can_write. visible_unit_ids / writable_unit_ids give the sets (None: no limit); the Session events at the
end of this module apply them to every query and flush, and on PostgreSQL hand them to the row-level
security policies (see "units, for every session" below).

Grid staff (网格员) see and edit only the households of their own grids. The schema has no
operator ↔ grid link, so the assignment is a Setting row per operator: key `operator_grids:<id>`,
value a JSON list of grid ids (a grid includes its micro-grids). Grid staff never see a 身份证号
unmasked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from itertools import chain
from typing import Any

from sqlalchemy import ColumnElement, Connection, bindparam, event, func, select, text
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, UOWTransaction, with_loader_criteria
from sqlalchemy.sql.base import ExecutableOption

from app.io.masking import mask_id_number
from app.models import AuditEntry, Base, Grid, Household, Operator, Setting, Unit

from .audit import current_operator_id
from .errors import PermissionDenied

ROLE_LABELS = {"admin": "书记(管理员)", "clerk": "文书", "grid": "网格员", "township": "镇级"}
ENTRY_ROLES = ("admin", "clerk")  # enter and export the registers
GRID_KEY = "operator_grids:{}"
TOWNSHIP_READ_ONLY = "镇级操作员只能查看各村数据，不能修改。"
OTHER_UNIT = "不能查看其他村(社区)的数据。"
OTHER_UNIT_WRITE = "不能修改其他村(社区)的数据。"
GONE = "当前操作员已停用或不存在，请重新登录。"
_SCOPE_KEY = "villagedesk.unit_scope"  # Session.info: (operator id, UnitScope), computed once per session


@dataclass(frozen=True)
class Actor:
    id: int
    username: str
    display_name: str
    role: str
    can_write: bool = False  # a township operator may edit the villages' data

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)


def current_actor(s: Session) -> Actor | None:
    """The operator the current call runs as, or None (no restriction)."""
    op_id = current_operator_id.get()
    if op_id is None:
        return None
    op = s.get(Operator, op_id)
    if op is None or not op.active:
        # a removed or deactivated operator keeps no rights, even if a window still holds its id
        raise PermissionDenied(GONE)
    return Actor(op.id, op.username, op.display_name, op.role, bool(op.can_write))


def require_role(s: Session, *roles: str, action: str = "进行此操作") -> Actor | None:
    """Refuse (PermissionDenied, in Chinese) unless the current operator has one of roles. A township
    operator who may write passes like a 书记; one who may not is told the township only reads."""
    actor = current_actor(s)
    if actor is None or actor.role in roles:
        return actor
    if actor.role == "township":
        if actor.can_write:
            return actor
        raise PermissionDenied(f"无权{action}：{TOWNSHIP_READ_ONLY}")
    allowed = "、".join(ROLE_LABELS[r] for r in roles)
    raise PermissionDenied(f"{actor.display_name}（{actor.role_label}）无权{action}；只有{allowed}可以办理。")


# ---------------------------------------------------------------- units


@dataclass(frozen=True)
class UnitScope:
    """The units the current operator may read and write (None: no limit)."""

    operator_id: int
    visible: frozenset[int]
    writable: frozenset[int]
    read_only: bool  # a township operator without can_write: nothing may change
    everything: bool  # the database holds no unit outside `visible`: queries need no filter


def unit_scope(s: Session, conn: Connection | None = None) -> UnitScope | None:
    """The current operator's UnitScope, or None when no operator is set (CLI, tests, scripts).

    Read with Core statements on the session's connection (conn when the transaction is just starting),
    so the lookup neither recurses into the ORM query hook nor leaves objects in the session; kept in
    Session.info for the session's life."""
    op_id = current_operator_id.get()
    if op_id is None:
        return None
    cached = s.info.get(_SCOPE_KEY)
    if cached is not None and cached.operator_id == op_id:
        return cached  # type: ignore[no-any-return]
    conn = conn if conn is not None else s.connection()
    op = conn.execute(_OPERATOR_UNITS, {"op": op_id}).first()
    if op is None or not op.active:
        raise PermissionDenied(GONE)
    visible = {op.unit_id}
    if op.role == "township":
        visible |= set(conn.scalars(_CHILD_UNITS, {"unit": op.unit_id}))
    read_only = op.role == "township" and not op.can_write
    # every visible id is a unit (foreign keys): the same count means no other unit exists
    scope = UnitScope(op_id, frozenset(visible), frozenset() if read_only else frozenset(visible), read_only,
                      op.units == len(visible))
    s.info[_SCOPE_KEY] = scope
    return scope


# built once: unit_scope runs at the start of every session of a signed-in operator (one query for a
# village operator, two for a township one)
_OPERATOR_UNITS = select(
    Operator.unit_id, Operator.role, Operator.can_write, Operator.active,
    select(func.count(Unit.id)).scalar_subquery().label("units"),
).where(Operator.id == bindparam("op"))
_CHILD_UNITS = select(Unit.id).where(Unit.parent_id == bindparam("unit"))


def visible_unit_ids(s: Session) -> set[int] | None:
    """Units the current operator may see; None: no limit (no operator set)."""
    scope = unit_scope(s)
    return None if scope is None else set(scope.visible)


def writable_unit_ids(s: Session) -> set[int] | None:
    """Units the current operator may change (empty for a read-only township operator); None: no limit."""
    scope = unit_scope(s)
    return None if scope is None else set(scope.writable)


def check_unit(s: Session, unit_id: int | None, write: bool = False, action: str = "") -> None:
    """Refuse (PermissionDenied, in Chinese) a unit the current operator may not see (or change)."""
    visible = visible_unit_ids(s)
    if visible is None:
        return
    if unit_id not in visible:
        raise PermissionDenied(f"{_doing(action)}{OTHER_UNIT_WRITE if write else OTHER_UNIT}")
    writable = writable_unit_ids(s)
    if write and writable is not None and unit_id not in writable:
        # a visible unit it may not change: only a read-only township operator has such (writable empty)
        raise PermissionDenied(f"{_doing(action)}{OTHER_UNIT_WRITE if writable else TOWNSHIP_READ_ONLY}")


def _doing(action: str) -> str:
    return f"无权{action}：" if action else ""


# ---------------------------------------------------------------- grids


def is_grid_staff(s: Session) -> bool:
    actor = current_actor(s)
    return actor is not None and actor.role == "grid"


def assigned_grids(s: Session, operator_id: int) -> list[int]:
    """The grid ids stored for an operator (the Setting `operator_grids:<id>`)."""
    op = s.get(Operator, operator_id)
    if op is None:
        return []
    value = s.scalar(
        select(Setting.value).where(Setting.unit_id == op.unit_id, Setting.key == GRID_KEY.format(operator_id))
    )
    return [int(v) for v in value] if isinstance(value, list) else []


def grid_scope(s: Session) -> set[int] | None:
    """Grid ids the current operator may see (with micro-grids), or None: no limit."""
    actor = current_actor(s)
    if actor is None or actor.role != "grid":
        return None
    roots = assigned_grids(s, actor.id)
    if not roots:
        return set()
    children = s.scalars(select(Grid.id).where(Grid.parent_id.in_(roots)))
    return set(roots) | set(children)


def household_filter(s: Session, table: Any = Household) -> ColumnElement[bool] | None:
    """A WHERE condition on Household (or an alias of it) limiting a grid operator to their grids
    (None: no limit)."""
    scope = grid_scope(s)
    if scope is None:
        return None
    return table.grid_id.in_(scope) if scope else table.id.is_(None)


def resident_household_filter(s: Session, household_col: ColumnElement[int | None]) -> ColumnElement[bool] | None:
    """The same limit for rows that point at a household (residents): only people of visible households."""
    scope = grid_scope(s)
    if scope is None:
        return None
    visible = select(Household.id).where(Household.grid_id.in_(scope or {-1}))
    return household_col.in_(visible)


def check_household(s: Session, household_id: int | None, action: str = "处理该户") -> None:
    """Refuse a grid operator touching a household outside their grids (or no household at all)."""
    scope = grid_scope(s)
    if scope is None:
        return
    grid_id = s.scalar(select(Household.grid_id).where(Household.id == household_id)) if household_id else None
    if grid_id is None or grid_id not in scope:
        raise PermissionDenied(f"网格员只能{action}本人负责网格内的户。")


def check_grid(s: Session, grid_id: int | None, action: str = "把户放到该网格") -> None:
    scope = grid_scope(s)
    if scope is not None and (grid_id is None or grid_id not in scope):
        raise PermissionDenied(f"网格员只能{action}本人负责的网格。")


def full_ids_visible() -> ColumnElement[bool] | None:
    """SQL truth of "the current operator sees full 身份证号" (an active 书记 or 文书), for query builders
    that have no session (the search box's text_filter); None when no operator is set (no limit).

    Grid staff must not find people by an ID fragment: 48 searches (one per digit and position) would
    read back the eight digits the mask hides.
    """
    op_id = current_operator_id.get()
    if op_id is None:
        return None
    return (select(Operator.id)
            .where(Operator.id == op_id, Operator.active.is_(True), Operator.role.in_(ENTRY_ROLES)).exists())


def id_for_display(id_number: str | None, masked: bool) -> str | None:
    """The 身份证号 as shown: masked for grid staff (masked = is_grid_staff(s), asked once per query)."""
    return mask_id_number(id_number) if masked and id_number else id_number


def birth_for_display(birth: date | None, id_number: str | None, masked: bool) -> date | None:
    """The 出生日期 as shown: hidden from grid staff when the person has a 身份证号, since the eight
    digits the ID mask hides are exactly the birth date (the age is still shown). An edit by grid
    staff then takes the date from the full ID again (keep_masked)."""
    return None if masked and id_number else birth


def id_order(id_col: Any, masked: bool) -> tuple[Any, ...]:
    """Sort columns for a 身份证号 header: for grid staff only the parts they see (area code, last four),
    so the order of the list cannot be used to work out the hidden digits."""
    if not masked:
        return (id_col,)
    return (func.substr(id_col, 1, 6), func.substr(id_col, 15, 4))


def keep_masked(stored: str | None, given: str) -> str:
    """An edit dialog prefilled with a masked 身份证号 sends it back unchanged: keep the stored number."""
    if stored and given and "*" in given and given.strip() == mask_id_number(stored):
        return stored
    return given


# ---------------------------------------------------------------- units, for every session
# Unit scoping, applied once for every session (issue 23): an operator sees and changes only their units.
#
# unit_scope names the units (a village operator: their own; a township operator: the township and
# its villages, written only with can_write). Three Session events, registered when app.services is
# imported (with this module), apply it without any service having to remember:
#
# - do_orm_execute: every ORM SELECT gets `unit_id IN (visible)` for each mapped class with a unit_id
#   column (and `id IN (visible)` for Unit itself), in joins, subqueries and aliases too. Skipped when the
#   database holds no unit outside the visible set (a village's own file): no cost there.
# - before_flush: a new, changed or deleted row of a unit outside the writable set is refused; a read-only
#   township operator changes nothing (操作日志 entries excepted: a sign-in is still recorded).
# - after_begin (PostgreSQL): the same sets go to the row-level security policies of migration 0008
#   (villagedesk.units / villagedesk.write_units, for this transaction only), so a village's login role on
#   a shared server cannot read another village even with plain SQL.
#
# The 操作日志 (AuditEntry) is not filtered: its hash chain links every unit's entries, and the log page
# already shows only the unit's own.


@cache
def _scoped_classes() -> tuple[type[Any], ...]:
    """Mapped classes that carry a unit_id column (the 操作日志 aside)."""
    return tuple(
        m.class_ for m in Base.registry.mappers
        if "unit_id" in m.columns and m.class_ is not AuditEntry
    )


def _criteria(ids: frozenset[int]) -> list[ExecutableOption]:
    # Lambdas, so that aliases (aliased(PartyOrg) as 支部 and 党小组) get their own columns; `wanted` is
    # a bound parameter of the cached statement, not part of its SQL. `unit_id + 0`: a guard, not a way
    # in: the services already name their unit (in the form that reads best), and an indexable IN here made
    # SQLite walk ix_residents_unit_id instead (党员 search on a two-unit county file: 130 → 350 ms).
    wanted = sorted(ids)
    options: list[ExecutableOption] = [
        with_loader_criteria(cls, lambda c: (c.unit_id + 0).in_(wanted), include_aliases=True)
        for cls in _scoped_classes()
    ]
    options.append(with_loader_criteria(Unit, lambda c: (c.id + 0).in_(wanted), include_aliases=True))
    return options


_OPTIONS_KEY = "villagedesk.unit_criteria"


@event.listens_for(Session, "do_orm_execute")
def _limit_reads(state: ORMExecuteState) -> None:
    if not state.is_select or state.is_column_load or current_operator_id.get() is None:
        return
    scope = unit_scope(state.session)
    if scope is None or scope.everything:
        return
    cached = state.session.info.get(_OPTIONS_KEY)
    if cached is None or cached[0] != scope.visible:
        cached = (scope.visible, _criteria(scope.visible))
        state.session.info[_OPTIONS_KEY] = cached
    state.statement = state.statement.options(*cached[1])


def _unit_of(obj: object) -> int | None:
    if isinstance(obj, Unit):
        return obj.id if obj.id is not None else obj.parent_id
    return getattr(obj, "unit_id", None)


def _changed(s: Session) -> Iterable[object]:
    dirty = (o for o in s.dirty if s.is_modified(o))
    return (o for o in chain(s.new, dirty, s.deleted) if not isinstance(o, AuditEntry))


@event.listens_for(Session, "before_flush")
def _check_writes(s: Session, _flush: UOWTransaction, _instances: object) -> None:
    if current_operator_id.get() is None:
        return
    scope = unit_scope(s)
    if scope is None:
        return
    for obj in _changed(s):
        if isinstance(obj, Operator) and obj.id == scope.operator_id and obj not in s.new:
            continue  # their own account (a new password) even when read-only
        if scope.read_only:
            raise PermissionDenied(TOWNSHIP_READ_ONLY)
        unit_id = _unit_of(obj)
        if isinstance(obj, Unit) and unit_id is None:
            raise PermissionDenied(OTHER_UNIT_WRITE)  # a new unit outside any township of theirs
        if unit_id is not None and unit_id not in scope.writable:
            raise PermissionDenied(OTHER_UNIT_WRITE)


@event.listens_for(Session, "after_flush")
def _new_units_join_scope(s: Session, _flush: UOWTransaction) -> None:
    """A unit just created (a 镇级 operator's issue_keys making a village under the township) belongs in the
    cached scope at once: its key and rows follow in the same session. Recomputed on the transaction's
    connection, which sees the new row, and handed to the row-level security policies again."""
    if _SCOPE_KEY not in s.info or not any(isinstance(o, Unit) for o in s.new):
        return
    del s.info[_SCOPE_KEY]
    conn = s.connection()
    scope = unit_scope(s, conn)
    if conn.dialect.name == "postgresql":
        _set_row_security(conn, scope)


def _setting(ids: frozenset[int] | None) -> str:
    return "all" if ids is None else ",".join(str(i) for i in sorted(ids))


@event.listens_for(Session, "after_begin")
def _tell_row_security(s: Session, _trans: SessionTransaction, conn: Connection) -> None:
    if conn.dialect.name != "postgresql":
        return
    _set_row_security(conn, unit_scope(s, conn))


def _set_row_security(conn: Connection, scope: UnitScope | None) -> None:
    conn.execute(
        text("SELECT set_config('villagedesk.units', :units, true), set_config('villagedesk.write_units', :write, true)"),
        {"units": _setting(scope.visible if scope else None), "write": _setting(scope.writable if scope else None)},
    )
