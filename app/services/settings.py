"""Per-unit preferences stored as JSON in Setting rows (templates, switches), read with a default."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Setting

from . import audit


def get_setting(s: Session, unit_id: int, key: str, default: object = None) -> object:
    value = s.scalar(select(Setting.value).where(Setting.unit_id == unit_id, Setting.key == key))
    return default if value is None else value


def set_setting(s: Session, unit_id: int, key: str, value: object, label: str = "") -> None:
    """Store a value (JSON-able); label is the Chinese name used in the 操作日志."""
    row = s.scalar(select(Setting).where(Setting.unit_id == unit_id, Setting.key == key))
    if row is None:
        row = Setting(unit_id=unit_id, key=key, value=value)
        s.add(row)
    elif row.value == value:
        return
    else:
        row.value = value
    s.flush()
    audit.record(s, unit_id, "update", "setting", row.id, f"修改设置：{label or key}", {"key": key, "value": value})
