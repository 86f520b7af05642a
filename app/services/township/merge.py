"""Which rows make up one unit, copied out of a village's database and merged into the township's.

A unit's rows are those of every table with a unit_id column, and of the child tables through their
foreign keys (party_members via residents, attendances via meetings …), found by walking the models'
metadata so a new table is carried without a change here. Left out: the unit row itself, operators and
the 操作日志 (each office keeps its own), import batches (a village's undo history), attachment
contents (the scans stay in the village; their rows travel), the township's keys and snapshots, and the
settings that belong to one computer or operator (the installed signing key, sign-in, grid staff).
Foreign keys to left-out tables (operator_id, voided_by, import_batch_id) become NULL; all are nullable.

Merging replaces the unit's rows in the caller's transaction: delete them (children first), then insert
the package's rows with fresh ids — every id moves by a per-table offset and every foreign key by its
parent table's. On PostgreSQL the rows go in with COPY and the sequences are moved past them.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    LargeBinary,
    Numeric,
    Table,
    and_,
    func,
    not_,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from app.models import Base, Setting

from .keys import SIGNING_KEY
from .package_file import PackageRefused

LEFT_OUT = frozenset({"units", "operators", "audit_entries", "import_batches", "attachment_contents",
                      "village_keys", "package_snapshots"})
# settings that belong to one computer or one operator, never carried
_LOCAL_KEYS = (SIGNING_KEY, "single_operator_mode", "idle_lock_minutes")
_LOCAL_PREFIXES = ("operator_grids:", "login_failures:")
_TIE_DECISIONS = "points.tie_decisions."  # {party_member id: grade}: its keys are ids
_ATTACHMENT_OWNERS = {"decision": "decisions", "affairs_meeting": "affairs_meetings", "topic": "topics"}


@lru_cache(maxsize=1)
def carried_tables() -> tuple[Table, ...]:
    """The tables a package carries, parents before children."""
    return tuple(t for t in Base.metadata.sorted_tables if t.name not in LEFT_OUT)


@lru_cache(maxsize=1)
def _owner() -> dict[str, tuple[Column[int], Table]]:
    """For a table without unit_id: the (non-null) foreign key through which its rows belong to a unit."""
    carried = {t.name for t in carried_tables()}
    out: dict[str, tuple[Column[int], Table]] = {}
    for t in carried_tables():
        if "unit_id" in t.c:
            continue
        for fk in sorted(t.foreign_keys, key=lambda f: f.parent.name):
            parent = fk.column.table
            if not fk.parent.nullable and parent.name in carried and parent is not t:
                out[t.name] = (fk.parent, parent)  # type: ignore[assignment]
                break
        else:
            raise RuntimeError(f"{t.name}: no non-null foreign key to a carried table")  # a model change
    for t in carried_tables():
        for fk in t.foreign_keys:
            if fk.column.table.name in LEFT_OUT and fk.parent.name != "unit_id" and not fk.parent.nullable:
                raise RuntimeError(f"{t.name}.{fk.parent.name} points at a left-out table and is not nullable")
    return out


def _local_setting() -> ColumnElement[bool]:
    key = Setting.__table__.c.key
    return or_(key.in_(_LOCAL_KEYS), *(key.startswith(p) for p in _LOCAL_PREFIXES))


def unit_filter(table: Table, unit_id: int) -> ColumnElement[bool]:
    """The rows of table that belong to the unit."""
    if "unit_id" in table.c:
        where = table.c.unit_id == unit_id
        return and_(where, not_(_local_setting())) if table.name == "settings" else where
    column, parent = _owner()[table.name]
    return column.in_(select(parent.c.id).where(unit_filter(parent, unit_id)))


# ---------------------------------------------------------------- values ↔ JSON


def _encoder(column: Column[object]) -> Callable[[object], object] | None:
    kind = column.type
    if isinstance(kind, (Date, DateTime)):
        return lambda v: None if v is None else v.isoformat()  # type: ignore[attr-defined]
    if isinstance(kind, LargeBinary):
        return lambda v: None if v is None else base64.b64encode(v).decode("ascii")  # type: ignore[arg-type]
    if isinstance(kind, Numeric) and kind.asdecimal:
        return lambda v: None if v is None else str(v)
    return None


def unit_rows(s: Session, unit_id: int) -> Iterator[tuple[str, list[str], list[list[object]]]]:
    """Every carried table's rows of the unit, as JSON-ready lists (dates ISO, bytes base64)."""
    for table in carried_tables():
        columns = list(table.c)
        encoders = [(i, e) for i, e in enumerate(_encoder(c) for c in columns) if e is not None]
        order = [table.c.id] if "id" in table.c else list(table.primary_key)
        rows = []
        for row in s.execute(select(table).where(unit_filter(table, unit_id)).order_by(*order)):
            values = list(row)
            for i, encode in encoders:
                values[i] = encode(values[i])
            rows.append(values)
        yield table.name, [c.name for c in columns], rows


def _decoder(column: Column[object], copy: bool) -> Callable[[object], object] | None:
    kind = column.type
    if isinstance(kind, DateTime):
        return lambda v: None if v is None else datetime.fromisoformat(v)  # type: ignore[arg-type]
    if isinstance(kind, Date):
        return lambda v: None if v is None else date.fromisoformat(v)  # type: ignore[arg-type]
    if isinstance(kind, LargeBinary):
        return lambda v: None if v is None else base64.b64decode(v)  # type: ignore[arg-type]
    if isinstance(kind, Numeric) and kind.asdecimal:
        return lambda v: None if v is None else Decimal(str(v))
    if isinstance(kind, JSON) and copy:  # COPY takes the column's text
        return lambda v: None if v is None else json.dumps(v, ensure_ascii=False)
    return None


# ---------------------------------------------------------------- replace a unit's rows


def check_tables(name: str, tables: Sequence[tuple[str, list[str], list[list[object]]]]) -> None:
    """Every table and column of the package is one this program has (same schema revision)."""
    known = {t.name: t for t in carried_tables()}
    for table, columns, _rows in tables:
        if table not in known or not set(columns) <= set(known[table].c.keys()) or len(set(columns)) != len(columns):
            raise PackageRefused(f"{name} 中的数据表“{table}”与本程序不符，未导入。")
        missing = [c.name for c in known[table].c if c.name not in columns and not c.nullable
                   and c.default is None and c.server_default is None]
        if missing:
            raise PackageRefused(f"{name} 中的数据表“{table}”缺少必需的列（{'、'.join(missing)}），未导入。")


def delete_unit_rows(s: Session, unit_id: int) -> None:
    """The unit's carried rows, children first (a self-reference is deleted in the same statement)."""
    statements = [table.delete().where(unit_filter(table, unit_id)) for table in reversed(carried_tables())]
    conn = s.connection()
    if conn.dialect.name == "postgresql":  # one round trip for all (unit_id is an int: safe as a literal)
        sql = ";\n".join(str(d.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
                          for d in statements)
        conn.exec_driver_sql(sql)
        return
    for statement in statements:
        s.execute(statement)


def _id_span(rows: list[list[object]], at: int) -> tuple[int, int]:
    ids = [int(r[at]) for r in rows]  # type: ignore[call-overload]
    return min(ids), max(ids)


def _offsets(s: Session, tables: Sequence[tuple[str, list[str], list[list[object]]]], pg: bool) -> dict[str, int]:
    """new id = old id + offset: above every id in the table and, on PostgreSQL, a range reserved on the
    table's sequence (moved past it), so a client adding a row meanwhile gets an id beyond the range."""
    spans = {name: _id_span(rows, columns.index("id")) for name, columns, rows in tables if "id" in columns and rows}
    if not spans:
        return {}
    by_name = {t.name: t for t in carried_tables()}
    if pg:  # one statement for every table: the top of each, its sequence set past the new range
        parts = []
        for name, (low, high) in spans.items():
            seq = f"pg_get_serial_sequence('{name}', 'id')"
            parts.append(f"setval({seq}, greatest((SELECT coalesce(max(id), 0) FROM {name}), "
                         f"coalesce(pg_sequence_last_value({seq}::regclass), 0)) + {high - low + 1})")
        row = s.execute(text("SELECT " + ", ".join(parts))).one()
        return {name: int(end) - (high - low + 1) + 1 - low for (name, (low, high)), end in zip(spans.items(), row, strict=True)}
    offsets = {}
    for name, (low, _high) in spans.items():
        top = s.scalar(select(func.coalesce(func.max(by_name[name].c.id), 0)))
        offsets[name] = int(top or 0) + 1 - low
    return offsets


def _remappers(table: Table, columns: list[str], unit_id: int, offsets: dict[str, int],
               copy: bool) -> list[tuple[int, Callable[[object], object]]]:
    out: list[tuple[int, Callable[[object], object]]] = []
    fks = {fk.parent.name: fk.column.table.name for fk in table.foreign_keys}
    for i, name in enumerate(columns):
        column = table.c[name]
        step: Callable[[object], object] | None = None
        if name == "id" and table.name in offsets:
            off = offsets[table.name]
            step = lambda v, off=off: v + off  # type: ignore[operator]  # noqa: E731
        elif name == "unit_id":
            step = lambda _v: unit_id  # noqa: E731
        elif name in fks and fks[name] in LEFT_OUT:
            step = lambda _v: None  # noqa: E731
        elif name in fks:
            off = offsets.get(fks[name], 0)
            step = lambda v, off=off: None if v is None else v + off  # type: ignore[operator]  # noqa: E731
        decode = _decoder(column, copy)
        if step is not None:
            out.append((i, step))
        if decode is not None:
            out.append((i, decode))
    return out


def _special(name: str, columns: list[str], offsets: dict[str, int]) -> Callable[[list[object]], None] | None:
    """Ids kept outside foreign keys: an attachment's owner, the 待定 decisions keyed by member id."""
    if name == "attachments":
        kind_at, owner_at = columns.index("owner_kind"), columns.index("owner_id")

        def attachment(row: list[object]) -> None:
            row[owner_at] = int(row[owner_at]) + offsets.get(_ATTACHMENT_OWNERS.get(str(row[kind_at]), ""), 0)  # type: ignore[call-overload]
        return attachment
    if name == "settings":
        key_at, value_at = columns.index("key"), columns.index("value")
        off = offsets.get("party_members", 0)

        def setting(row: list[object]) -> None:
            if str(row[key_at]).startswith(_TIE_DECISIONS) and isinstance(row[value_at], dict):
                row[value_at] = {str(int(k) + off): v for k, v in row[value_at].items()}  # type: ignore[union-attr]
        return setting
    return None


def insert_unit_rows(s: Session, unit_id: int, tables: Sequence[tuple[str, list[str], list[list[object]]]]) -> int:
    """Insert the package's rows for the unit with fresh ids; returns the number of rows."""
    conn = s.connection()
    pg = conn.dialect.name == "postgresql"
    copy = pg and not s.scalar(text("SELECT row_security_active('residents')"))  # COPY FROM refuses RLS
    if conn.dialect.name == "sqlite":  # self-references (grids.parent_id …) may point at a later row
        s.execute(text("PRAGMA defer_foreign_keys=ON"))
    offsets = _offsets(s, tables, pg)
    by_name = {t.name: t for t in carried_tables()}
    present = {name: (columns, rows) for name, columns, rows in tables}
    total = 0
    for table in carried_tables():  # parents first
        if table.name not in present or not present[table.name][1]:
            continue
        columns, rows = present[table.name]
        steps = _remappers(by_name[table.name], columns, unit_id, offsets, copy)
        special = _special(table.name, columns, offsets)
        for row in rows:
            if special is not None:
                special(row)
            for i, step in steps:
                row[i] = step(row[i])
        if copy:
            _copy_rows(s, table, columns, rows)
        else:
            s.execute(table.insert(), [dict(zip(columns, r, strict=True)) for r in rows])
        total += len(rows)
    return total


def _copy_rows(s: Session, table: Table, columns: list[str], rows: list[list[object]]) -> None:
    driver = s.connection().connection.driver_connection
    names = ", ".join(f'"{c}"' for c in columns)
    with driver.cursor() as cur, cur.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as pipe:  # type: ignore[union-attr]
        for row in rows:
            pipe.write_row(row)
