"""AppContext: the one handle the views hold. It runs service functions in a transaction.

Views never see sessions or ORM classes: they call `ctx.call(people.list_residents, query, 0, 200)`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy.orm import Session

from .. import db_users
from ..db import Database
from ..models import Operator
from .audit import current_operator_id
from .errors import as_service_error
from .units import chosen_unit_id

P = ParamSpec("P")
R = TypeVar("R")


class AppContext:
    def __init__(self, db: Database):
        self.db = db
        self._unit_id: int | None = None
        self._chosen = False  # set_unit was called: every call works on that unit (units.chosen_unit_id)
        # The signed-in operator: every call runs as them (role checks, 操作日志), on any thread.
        self._operator_id: int | None = None

    @property
    def operator_id(self) -> int | None:
        return self._operator_id

    @operator_id.setter
    def operator_id(self, value: int | None) -> None:
        self._operator_id = value
        # a restore elsewhere that finds this process using the database names who signed in here
        detail = ""
        if value is not None:
            with self.db.session() as s:
                op = s.get(Operator, value)
                detail = f"操作员 {op.display_name}" if op is not None else ""
        db_users.set_label(detail=detail)

    @property
    def url(self) -> str:
        return self.db.url

    @property
    def db_path(self) -> Path | None:
        return self.db.path

    def call(self, fn: Callable[Concatenate[Session, P], R], *args: P.args, **kwargs: P.kwargs) -> R:
        """Run one service function in its own transaction (commit on success, roll back on error).
        A save of a record another client changed meanwhile raises ConflictError (not a silent overwrite)."""
        with self.as_operator(), _conflicts():
            with self.db.session() as s:
                return fn(s, *args, **kwargs)

    def call_db(self, fn: Callable[Concatenate[Database, P], R], *args: P.args, **kwargs: P.kwargs) -> R:
        """Run a whole-database service (backup, restore) as the signed-in operator."""
        with self.as_operator(), _conflicts():
            return fn(self.db, *args, **kwargs)

    @contextmanager
    def as_operator(self) -> Iterator[None]:
        """The signed-in operator and the chosen unit, for the calls made inside."""
        unit_token = chosen_unit_id.set(self._unit_id) if self._chosen else None
        token = current_operator_id.set(self.operator_id) if self.operator_id is not None else None
        try:
            yield
        finally:
            if token is not None:
                current_operator_id.reset(token)
            if unit_token is not None:
                chosen_unit_id.reset(unit_token)

    @property
    def unit_id(self) -> int | None:
        """The village this window works on (the first unit; a township server may hold several)."""
        if self._unit_id is None:
            from .units import current_unit_id

            self._unit_id = self.call(current_unit_id)
        return self._unit_id

    def set_unit(self, unit_id: int | None) -> None:
        """Work on this unit from now on (the window's unit switcher); None: back to the default. An
        operator may choose only a unit they can see (PermissionDenied otherwise)."""
        if unit_id is not None:
            from .access import check_unit

            self.call(check_unit, unit_id, action="切换到该村(社区)")
        self._unit_id = unit_id
        self._chosen = unit_id is not None


@contextmanager
def _conflicts() -> Iterator[None]:
    """StaleDataError (a version that moved on, found at flush or commit) → ConflictError in Chinese."""
    try:
        yield
    except Exception as exc:
        mapped = as_service_error(exc)
        if mapped is None:
            raise
        raise mapped from exc
