"""操作日志: every service change records who did what to which record."""

from __future__ import annotations

from contextvars import ContextVar

from sqlalchemy.orm import Session

from app.models import AuditEntry

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
