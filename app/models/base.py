"""Declarative base, naming convention and small column helpers shared by every model module."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, Integer, MetaData, func, text
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

# A fixed naming convention keeps Alembic's batch mode (SQLite) able to find constraints by name.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Timestamps:
    """created_at / updated_at on every table a person edits, and its version.

    version: SQLAlchemy's version counter. Every UPDATE/DELETE says `WHERE version = <read>`, so when two
    clients (a township server) change the same row, the second flush finds no row and raises
    StaleDataError, which the services turn into 「该记录已被他人修改…」 instead of overwriting silently.
    """

    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805
        return {"version_id_col": cls.version}

    created_at: Mapped[datetime] = mapped_column(
        DateTime, default=utcnow, server_default=func.current_timestamp()
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime, default=utcnow, onupdate=utcnow, server_default=func.current_timestamp()
    )


def one_of(column: str, values: Iterable[str], name: str | None = None) -> CheckConstraint:
    """CHECK constraint that a text column holds one of the given values (NULL allowed)."""
    quoted = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
    return CheckConstraint(f"{column} IS NULL OR {column} IN ({quoted})", name=name or f"{column}_valid")
