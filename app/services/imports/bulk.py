"""New residents in bulk (kinds residents and households).

Before the rows, preload reads what the file asks about in a few queries; each row is then checked as
people.add_resident would check it, and flush_bulk writes all the new residents in one executemany.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, bindparam, func, insert, select
from sqlalchemy.orm import Session

from app.models import Household, Resident
from app.models.base import utcnow
from app.models.people import HEAD_RELATION, RELATIONS

from .. import access, audit
from ..errors import ServiceError
from ..people import residents as people
from ..validation import Problems
from .cells import id_number_of, text
from .fields import norm_relation
from .state import RunState, Values, Wanted, _in_chunks, people_lookup

BULK_KINDS = ("residents", "households")
BULK_CACHE_SIZE = -16384  # SQLite page cache while bulk inserting: 16 MB (negative: in KiB), given back after


def wanted(kind: str, rows: list[Values]) -> Wanted:
    """What preload asks for these rows (a pure function of them: the same rows ask the same)."""
    numbers: list[str] = []
    if kind in BULK_KINDS or kind == "members":
        numbers = sorted({n for n in (id_number_of(v) for v in rows) if n is not None})
    if kind != "residents":
        return Wanted(numbers, [], set())
    households = sorted({text(v, "household_number") for v in rows} - {""})
    heads = {text(v, "household_number") for v in rows if norm_relation(text(v, "relation")) == HEAD_RELATION}
    return Wanted(numbers, households, heads)


def preload(state: RunState, asked: Wanted) -> None:
    """Before the rows: who of the file is here already (by 身份证号), so no row asks on its own."""
    state.wanted = asked
    if state.kind in BULK_KINDS or state.kind == "members":
        state.known_ids = people_lookup(state.s, state.unit_id, asked.numbers)
    if state.kind == "residents":  # their 户号 must exist already: load them all at once
        state.household_numbers.update(dict.fromkeys(asked.household_numbers))
        stmt = select(Household.id, Household.unit_id, Household.number, Household.closed_on).where(
            Household.unit_id == state.unit_id, Household.number.in_(bindparam("values", expanding=True)))
        for hid, unit_id, number, closed_on in _in_chunks(state.s, stmt, asked.household_numbers):
            state.household_numbers[number] = hid
            state.households[hid] = (unit_id, number, closed_on)
        state.stored_heads = active_heads(state.s, sorted(
            {hid for n in asked.head_households if (hid := state.household_numbers.get(n)) is not None}))
        try:
            state.grid_scope = access.grid_scope(state.s)
        except ServiceError as e:  # a deactivated operator: every row reports it, as it always did
            state.grid_scope = str(e)
        state.preloaded = state.facts()


def active_heads(s: Session, household_ids: list[int]) -> dict[int, str | None]:
    """Household → the name of its active 户主 (the first registered, as _household_link asks one by one)."""
    out: dict[int, str | None] = dict.fromkeys(household_ids)
    stmt = select(Resident.household_id, Resident.name).where(
        Resident.household_id.in_(bindparam("values", expanding=True)), Resident.relation == HEAD_RELATION,
        Resident.status.in_(people.ACTIVE_STATUSES),
    ).order_by(Resident.id.desc())
    for hid, name in _in_chunks(s, stmt, household_ids):
        out[hid] = name  # highest id first, so the lowest one is left
    return out


def _household_link(state: RunState, household_id: int | None, relation: str, p: Problems) -> str:
    """people._check_household_link for a new 在册 resident, from per-household caches (same messages)."""
    relation = p.choice("relation", "与户主关系", relation, RELATIONS)
    if household_id is None:
        if relation:
            p.add("relation", "与户主关系", "请先选择所属户")
        return relation
    if household_id not in state.access_checked:
        access.check_household(state.s, household_id, "登记")
        state.access_checked.add(household_id)
    if household_id not in state.households:
        state.read_more = True
        hh = state.s.get(Household, household_id)
        state.households[household_id] = (hh.unit_id, hh.number, hh.closed_on) if hh is not None else None
    info = state.households[household_id]
    if info is None or info[0] != state.unit_id:
        p.add("household_id", "所属户", "所选的户不存在")
        return relation
    _unit, number, closed_on = info
    if closed_on is not None:
        p.add("household_id", "所属户", f"户号 {number} 已于 {closed_on.isoformat()} 销户")
    if relation == HEAD_RELATION:
        if household_id not in state.heads:
            if household_id in state.stored_heads and not state.journal.updated:
                state.heads[household_id] = state.stored_heads[household_id]  # no row has changed anyone since
            else:
                state.read_more = True
                state.heads.update(active_heads(state.s, [household_id]))
        head = state.heads[household_id]
        if head is not None:
            p.add("relation", "与户主关系", f"户号 {number} 已有户主 {head}，一户只能有一个户主")
    return relation


def _add_resident_later(state: RunState, row: int, data: people.ResidentInput, status: str = "在册") -> None:
    """people.add_resident's checks now, its INSERT later with the others (flush_bulk)."""
    if data.household_id is None:
        access.check_household(state.s, None, "登记")
    p = Problems()
    person = people.check_person(state.s, state.unit_id, data, p, lookup=state.known)
    relation = _household_link(state, data.household_id, data.relation, p)
    note = people.check_note(p, data.note)
    p.raise_if_any()
    state.bulk.append((row, {
        **vars(person), "unit_id": state.unit_id, "household_id": data.household_id, "relation": relation,
        "note": note, "status": status, "status_date": None, "status_note": "",
    }))  # import_batch_id and the times: flush_bulk
    if relation == HEAD_RELATION and data.household_id is not None:
        state.heads[data.household_id] = person.name


def insert_residents(s: Session, rows: list[dict[str, Any]], common: dict[str, Any]) -> list[int]:
    """INSERT the rows, each with the `common` values too, in one executemany; their ids, in order (undo needs them)."""
    table = Resident.__table__
    if s.get_bind().dialect.name != "sqlite":
        stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return list(s.execute(stmt, [{**values, **common} for values in rows]).scalars())
    # SQLite cannot say which id went to which row of a multi-row INSERT, so SQLAlchemy would send one INSERT
    # per row: give the ids ourselves. The transaction already wrote (the batch row), so it holds the write
    # lock and no one else can take ids in between; had anyone, the primary key would refuse the lot.
    first = (s.scalar(select(func.max(table.c.id))) or 0) + 1
    ids = list(range(first, first + len(rows)))
    keys = [k for k in rows[0] if k not in common]
    columns = [[values[k] for values in rows] for k in keys] + [[v] * len(rows) for v in common.values()] + [ids]
    _executemany(s, table, [*keys, *common, "id"], columns)
    return ids


def _executemany(s: Session, table: Table, keys: list[str], columns: list[list[Any]]) -> None:
    """One INSERT of the columns' values, the driver's executemany: without SQLAlchemy's per-row bookkeeping
    (~10 µs a row), but through each column's own conversion (dates as SQLAlchemy stores them)."""
    dialect = s.get_bind().dialect
    prep = dialect.identifier_preparer
    for i, key in enumerate(keys):
        proc = table.c[key].type.dialect_impl(dialect).bind_processor(dialect)
        if proc is not None:  # dates: many rows share one (created_at: all of them), so convert each once
            converted = {v: proc(v) for v in set(columns[i])}
            columns[i] = [converted[v] for v in columns[i]]
    sql = (f"INSERT INTO {prep.format_table(table)} ({', '.join(prep.format_column(table.c[k]) for k in keys)}) "
           f"VALUES ({', '.join('?' * len(keys))})")
    con = s.connection()
    # Each row goes into every index of the table at a random place: with SQLite's default 2 MB page cache a
    # county's indexes no longer fit and pages are spilled and read again (a third of the insert's time).
    previous = con.exec_driver_sql("PRAGMA cache_size").scalar()
    con.exec_driver_sql(f"PRAGMA cache_size={BULK_CACHE_SIZE}")
    try:
        con.exec_driver_sql(sql, list(zip(*columns, strict=True)))
    finally:
        con.exec_driver_sql(f"PRAGMA cache_size={int(previous)}")


def flush_bulk(state: RunState) -> None:
    """Write the new residents the rows checked: one executemany, one audit line for all of them."""
    if not state.bulk:
        return
    now = utcnow()
    common = {"import_batch_id": state.batch_id, "created_at": now, "updated_at": now}
    ids = insert_residents(state.s, [values for _row, values in state.bulk], common)
    state.journal.add_created_many("resident", [(rid, row) for (row, _values), rid in zip(state.bulk, ids, strict=True)])
    audit.record(state.s, state.unit_id, "create", "resident", None, f"导入新增居民 {len(ids)} 人",
                 {"import_batch_id": state.batch_id, "first_id": ids[0], "last_id": ids[-1]})
    state.bulk.clear()
