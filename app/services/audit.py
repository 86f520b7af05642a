"""操作日志: every service change records who did what to which record.

The log is tamper-evident. Each entry carries `hash` = sha256 over a canonical form of its own fields and
`prev_hash`, the hash of the entry before it (GENESIS for the first), so deleting or editing an entry
breaks the chain where it happened (`villagedesk check` walks it: safety.consistency.audit_problems).
Hashes are filled in at flush time for every new AuditEntry, so `record` and the demo generators, which
add entries directly, chain alike. SQLite triggers (and a PostgreSQL trigger function), created by
migration 0005, refuse UPDATE and DELETE of audit_entries even by plain SQL.

Concurrency: two processes appending must not both link to the same last entry. Before reading the last
hash the flush takes the database's write lock (SQLite: BEGIN IMMEDIATE when no transaction is open yet;
inside an open one, SQLite's WAL refuses a write on a stale snapshot, so a race ends in an error, never a
fork; PostgreSQL: a transaction-level advisory lock). A unique index on prev_hash is the last guard.
Not caught by the chain alone: cutting entries off the end. The operators' digests (operator_detail)
catch the case that matters, an operator row changed with its log entry removed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Row, event, select, text
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction
from sqlalchemy.orm.attributes import instance_state

from app.models import AuditEntry, Operator
from app.models.base import utcnow

from .errors import ServiceError

# The operator signed in for this process/thread; None until operators exist (single-user office).
current_operator_id: ContextVar[int | None] = ContextVar("current_operator_id", default=None)


def record(
    s: Session,
    unit_id: int | None,
    action: str,
    entity: str,
    entity_id: int | None,
    summary: str = "",
    detail: object | None = None,
) -> None:
    s.add(
        AuditEntry(
            unit_id=unit_id,
            operator_id=current_operator_id.get(),
            action=action,
            entity=entity,
            entity_id=entity_id,
            summary=summary,
            detail=detail,
        )
    )


# ---------------------------------------------------------------- from → to


def _plain(value: object) -> object:
    """A JSON-safe form of a field value (dates as yyyy-mm-dd, decimals as text, lists of those)."""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return value


def snapshot(obj: object, fields: Iterable[str]) -> dict[str, object]:
    """The named attributes of a record (before or after a change), JSON-safe."""
    return {f: _plain(getattr(obj, f)) for f in fields}


def diff(before: Mapping[str, object], after: Mapping[str, object]) -> dict[str, dict[str, object]]:
    """{field: {"from": old, "to": new}} for every field whose value changed."""
    out: dict[str, dict[str, object]] = {}
    for key in dict.fromkeys([*before, *after]):
        old, new = _plain(before.get(key)), _plain(after.get(key))
        if old != new:
            out[key] = {"from": old, "to": new}
    return out


def record_change(
    s: Session,
    unit_id: int | None,
    entity: str,
    entity_id: int | None,
    summary: str,
    before: Mapping[str, object],
    after: Mapping[str, object],
    action: str = "update",
    extra: Mapping[str, object] | None = None,
) -> bool:
    """Record an update with the changed fields from → to; nothing is written when nothing changed."""
    changes = diff(before, after)
    if not changes:
        return False
    record(s, unit_id, action, entity, entity_id, summary, {"changes": changes, **(extra or {})})
    return True


# The log is append-only from the program's side: an ORM update or delete of an entry is a bug.
REFUSED = "操作日志只能追加，不能修改或删除。"


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _refuse_rewrite(_mapper: object, _conn: object, target: AuditEntry) -> None:
    raise ServiceError(REFUSED)


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_rewrite(state: ORMExecuteState) -> None:
    """session.execute(update/delete(AuditEntry)): refused here, in Chinese, before the trigger does.
    A bulk insert(AuditEntry) too: it would skip the hash chain (entries are chained at flush)."""
    if (state.is_update or state.is_delete or state.is_insert) and state.bind_mapper is not None \
            and state.bind_mapper.class_ is AuditEntry:
        raise ServiceError(REFUSED)


# ---------------------------------------------------------------- the hash chain

GENESIS = "0" * 64  # prev_hash of the first entry
_ADVISORY_KEY = 0x7664_6175_6469_74  # PostgreSQL advisory lock: "vdaudit"


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _as_stored(detail: object) -> object:
    """The detail as it reads back from the JSON column (tuples → lists, int keys → text keys)."""
    return json.loads(json.dumps(detail))


def _int(value: object) -> int | None:
    return None if value is None else int(value)  # type: ignore[call-overload]


def entry_hash(
    prev_hash: str, unit_id: int | None, at: datetime, operator_id: int | None, action: str, entity: str,
    entity_id: int | None, summary: str | None, detail: object,
) -> str:
    """sha256 (hex) of an entry's fields and the previous entry's hash. Never change this form:
    every stored hash was made with it (migration 0005 imports it to chain older entries)."""
    body = _dumps([
        prev_hash, _int(unit_id), at.isoformat(sep=" ", timespec="microseconds"), _int(operator_id),
        action, entity, _int(entity_id), summary or "", _as_stored(detail),
    ])
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def hash_of(e: AuditEntry | Row[Any]) -> str:
    """The hash an entry should carry, recomputed from its stored fields and its prev_hash."""
    return entry_hash(e.prev_hash or "", e.unit_id, e.at, e.operator_id, e.action, e.entity, e.entity_id,
                      e.summary, e.detail)


def _lock_for_append(conn: Connection) -> None:
    """Hold the database's write lock before the last hash is read (see the module docstring)."""
    if conn.dialect.name == "sqlite":
        dbapi = conn.connection.dbapi_connection
        if dbapi is not None and not dbapi.in_transaction and dbapi.isolation_level is not None:
            dbapi.execute("BEGIN IMMEDIATE")
    elif conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _ADVISORY_KEY})


def _last_hash(s: Session) -> str:
    """The hash of the newest entry (GENESIS for an empty log)."""
    value = s.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1))
    return value or GENESIS


@event.listens_for(Session, "before_flush")
def _chain_new_entries(s: Session, _flush: UOWTransaction, _instances: object) -> None:
    """Give every new entry its prev_hash and hash, in the order the flush inserts them (insert_order)."""
    new = [o for o in s.new if isinstance(o, AuditEntry)]
    if not new:
        return
    new.sort(key=lambda o: instance_state(o).insert_order or 0)
    with s.no_autoflush:
        _lock_for_append(s.connection())
        prev = _last_hash(s)
    for e in new:
        if e.at is None:
            e.at = utcnow()
        if e.summary is None:
            e.summary = ""
        e.prev_hash = prev
        e.hash = prev = hash_of(e)


_CHAINED = (AuditEntry.id, AuditEntry.unit_id, AuditEntry.at, AuditEntry.operator_id, AuditEntry.action,
            AuditEntry.entity, AuditEntry.entity_id, AuditEntry.summary, AuditEntry.detail, AuditEntry.prev_hash,
            AuditEntry.hash)


def chain(s: Session) -> Iterator[Row[Any]]:
    """Every entry's fields in id order, streamed as rows, not kept in the session (for `check`)."""
    yield from s.execute(select(*_CHAINED).order_by(AuditEntry.id).execution_options(yield_per=1000))


# ---------------------------------------------------------------- operators

DIGEST_KEY = "operator_digest"  # in an operator entry's detail


def operator_digest_of(
    username: str, role: str | None, active: bool | None, password_hash: str | None, grid_ids: Iterable[int],
    can_write: bool | None = False,
) -> str:
    """sha256 over an operator's security-relevant fields. Kept in the 操作日志 with every change so
    `check` sees a role, password, activation, grid assignment or a 镇级 operator's right to write changed
    outside the program. can_write enters only when set, so the digests logged before it existed still hold."""
    fields: list[Any] = ["operator", username, role, bool(active), password_hash or "", sorted({int(g) for g in grid_ids})]
    if can_write:
        fields.append({"can_write": True})
    body = _dumps(fields)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def operator_digest(s: Session, operator_id: int) -> str:
    from .access import assigned_grids  # access imports this module

    op = s.get(Operator, operator_id)
    if op is None:
        raise ServiceError("找不到该操作员")
    return operator_digest_of(op.username, op.role, op.active, op.password_hash, assigned_grids(s, operator_id),
                              op.can_write)


def operator_detail(s: Session, operator_id: int, detail: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """An operator entry's detail with the digest of the operator as it now stands (call after the change)."""
    s.flush()
    return {**(detail or {}), DIGEST_KEY: operator_digest(s, operator_id)}


def erase_log(s: Session) -> None:
    """Empty the whole log: only for `demo --force`, which replaces every row of the database.

    The append-only triggers are dropped and made again inside the caller's transaction."""
    conn = s.connection()
    dialect = conn.dialect.name
    for sql in GUARD_DROP.get(dialect, ()):
        conn.execute(text(sql))
    conn.execute(AuditEntry.__table__.delete())
    for sql in GUARD_CREATE.get(dialect, ()):
        conn.execute(text(sql))


# The append-only guard. Created by migration 0005 (which imports these); a later migration that copies
# audit_entries (Alembic batch mode on SQLite) drops the triggers with the old table and must make them again.
GUARD_CREATE: dict[str, tuple[str, ...]] = {
    "sqlite": (
        "CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries "
        "BEGIN SELECT RAISE(ABORT, '操作日志不可修改'); END",
        "CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries "
        "BEGIN SELECT RAISE(ABORT, '操作日志不可修改'); END",
    ),
    "postgresql": (
        "CREATE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION '操作日志不可修改'; END $$",
        "CREATE TRIGGER audit_entries_no_rewrite BEFORE UPDATE OR DELETE ON audit_entries "
        "FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()",
        "CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only()",
    ),
}
GUARD_DROP: dict[str, tuple[str, ...]] = {
    "sqlite": ("DROP TRIGGER IF EXISTS audit_entries_no_update", "DROP TRIGGER IF EXISTS audit_entries_no_delete"),
    "postgresql": (
        "DROP TRIGGER IF EXISTS audit_entries_no_rewrite ON audit_entries",
        "DROP TRIGGER IF EXISTS audit_entries_no_truncate ON audit_entries",
        "DROP FUNCTION IF EXISTS audit_entries_append_only()",
    ),
}
