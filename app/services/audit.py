"""操作日志: every service change records who did what to which record."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.models import AuditEntry

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
) -> bool:
    """Record an update with the changed fields from → to; nothing is written when nothing changed."""
    changes = diff(before, after)
    if not changes:
        return False
    record(s, unit_id, action, entity, entity_id, summary, {"changes": changes})
    return True


# The log is append-only from the program's side: an ORM update or delete of an entry is a bug.
@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _refuse_rewrite(_mapper: object, _conn: object, target: AuditEntry) -> None:
    raise ServiceError("操作日志只能追加，不能修改或删除。")
