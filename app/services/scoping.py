"""Unit scoping, applied once for every session (issue 23): an operator sees and changes only their units.

access.unit_scope names the units (a village operator: their own; a township operator: the township and
its villages, written only with can_write). Three Session events, registered when app.services is
imported, apply it without any service having to remember:

- do_orm_execute: every ORM SELECT gets `unit_id IN (visible)` for each mapped class with a unit_id
  column (and `id IN (visible)` for Unit itself), in joins, subqueries and aliases too. Skipped when the
  database holds no unit outside the visible set (a village's own file): no cost there.
- before_flush: a new, changed or deleted row of a unit outside the writable set is refused; a read-only
  township operator changes nothing (操作日志 entries excepted: a sign-in is still recorded).
- after_begin (PostgreSQL): the same sets go to the row-level security policies of migration 0008
  (villagedesk.units / villagedesk.write_units, for this transaction only), so a village's login role on
  a shared server cannot read another village even with plain SQL.

The 操作日志 (AuditEntry) is not filtered: its hash chain links every unit's entries, and the log page
already shows only the unit's own.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from itertools import chain
from typing import Any

from sqlalchemy import Connection, event, text
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, UOWTransaction, with_loader_criteria
from sqlalchemy.sql.base import ExecutableOption

from app.models import AuditEntry, Base, Operator, Unit

from . import access
from .errors import PermissionDenied


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
    if not state.is_select or state.is_column_load or access.current_operator_id.get() is None:
        return
    scope = access.unit_scope(state.session)
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
    if access.current_operator_id.get() is None:
        return
    scope = access.unit_scope(s)
    if scope is None:
        return
    for obj in _changed(s):
        if isinstance(obj, Operator) and obj.id == scope.operator_id and obj not in s.new:
            continue  # their own account (a new password) even when read-only
        if scope.read_only:
            raise PermissionDenied(access.TOWNSHIP_READ_ONLY)
        unit_id = _unit_of(obj)
        if isinstance(obj, Unit) and unit_id is None:
            raise PermissionDenied(access.OTHER_UNIT_WRITE)  # a new unit outside any township of theirs
        if unit_id is not None and unit_id not in scope.writable:
            raise PermissionDenied(access.OTHER_UNIT_WRITE)


def _setting(ids: frozenset[int] | None) -> str:
    return "all" if ids is None else ",".join(str(i) for i in sorted(ids))


@event.listens_for(Session, "after_begin")
def _tell_row_security(s: Session, _trans: SessionTransaction, conn: Connection) -> None:
    if conn.dialect.name != "postgresql":
        return
    scope = access.unit_scope(s, conn)
    conn.execute(
        text("SELECT set_config('villagedesk.units', :units, true), set_config('villagedesk.write_units', :write, true)"),
        {"units": _setting(scope.visible if scope else None), "write": _setting(scope.writable if scope else None)},
    )
