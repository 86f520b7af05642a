"""What one import run carries from row to row: its options, RunState, and who of the file is registered already."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from typing import Any

from sqlalchemy import Row, Select, bindparam, select
from sqlalchemy.orm import Session

from app.io.excel_import import Cell
from app.models import Household, Resident

from .journal import Journal

Values = dict[str, Cell]
Outcome = tuple[str, str]  # action (new | update | skip), a note for the report


@dataclass
class ImportOptions:
    on_existing: str = "skip"  # a person/record already in the database: "update" it or "skip" the row
    skip_errors: bool = False  # write the good rows and leave the bad ones (default: any problem → nothing)
    create_missing: bool = False  # create 支部 / 党小组 / 网格 / 工单类别 the file names but we don't have
    name_map: dict[str, str] = field(default_factory=dict)  # a name in the file → the name we have

    def as_json(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass
class RunState:
    s: Session
    unit_id: int
    kind: str
    options: ImportOptions
    journal: Journal
    batch_id: int
    seen_ids: dict[str, int] = field(default_factory=dict)  # 身份证号 → first row with it
    seen_keys: dict[tuple[object, ...], int] = field(default_factory=dict)  # other in-file duplicates
    unknown: dict[str, set[str]] = field(default_factory=dict)  # column label → names we don't know
    current_household: int | None = None  # households grouped by 户主: the open one
    head_failed_row: int | None = None  # …or the 户主 row that failed, so its members say why
    pending_household: int | None = None
    # Person kinds (BULK_KINDS): new residents are checked row by row like any other, but written at the
    # end in one executemany (see flush_bulk), and a row opens its savepoint only when it writes.
    savepoint: Any = None
    bulk: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (file row, Resident values)
    known_ids: dict[str, Any] | None = None  # 身份证号 → (id, name, number) of the file's people already here
    household_numbers: dict[str, int | None] = field(default_factory=dict)  # 户号 → id (kind residents)
    households: dict[int, Any] = field(default_factory=dict)  # id → (unit_id, number, closed_on)
    access_checked: set[int] = field(default_factory=set)  # households the operator may register people in
    heads: dict[int, str | None] = field(default_factory=dict)  # household → its active 户主's name
    stored_heads: dict[int, str | None] = field(default_factory=dict)  # the same, as preload found them
    grid_scope: Any = None  # the operator's grids (access.grid_scope) when the rows were checked
    preloaded: tuple[Any, ...] = ()  # facts() as preload left them (kind residents)
    read_more: bool = False  # a row asked the database something preload had not (so not in facts())
    wanted: Wanted | None = None  # what preload asked

    def writing(self) -> None:
        """The row is about to write: open its savepoint (rows that only read need none)."""
        if self.savepoint is None:
            self.savepoint = self.s.begin_nested()

    def known(self, number: str) -> Any:
        if self.known_ids is None:
            self.read_more = True
            return people_lookup(self.s, self.unit_id, [number]).get(number)
        return self.known_ids.get(number)

    def facts(self) -> tuple[Any, ...]:
        """What preload read from the database (a kind residents row reads nothing else): take it before the rows."""
        return (dict(self.known_ids or {}), dict(self.household_numbers), dict(self.households),
                dict(self.stored_heads), self.grid_scope)

    def reusable(self) -> bool:
        """The rows read only what facts() holds and wrote nothing but the new residents (state.bulk)."""
        return bool(self.preloaded) and self.grid_scope is None and not self.read_more and not self.journal.created \
            and not self.journal.updated


# ---------------------------------------------------------------- who is here already (by 身份证号)


LOOKUP_CHUNK = 500


def _in_chunks(s: Session, stmt: Select[Any], values: list[Any]) -> Iterator[Row[Any]]:
    """The rows of stmt for every chunk of values (its expanding parameter "values"): one statement, compiled once."""
    for i in range(0, len(values), LOOKUP_CHUNK):
        yield from s.execute(stmt, {"values": values[i : i + LOOKUP_CHUNK]})


def people_lookup(s: Session, unit_id: int, numbers: list[str]) -> dict[str, Any]:
    """身份证号 → (id, name, number) of the unit's residents holding them, a few queries for a whole file."""
    stmt = (select(Resident.id_number, Resident.id, Resident.name, Household.number)
            .outerjoin(Household, Resident.household_id == Household.id)
            .where(Resident.unit_id == unit_id, Resident.id_number.in_(bindparam("values", expanding=True))))
    return {r.id_number: r for r in _in_chunks(s, stmt, numbers)}


@dataclass(frozen=True)
class Wanted:
    """What a file's rows ask the database about, found from the rows alone."""

    numbers: list[str]  # the 身份证号 (who is registered already)
    household_numbers: list[str]  # kind residents: the 户号 (they must exist)
    head_households: set[str]  # kind residents: the 户号 of rows registering a 户主
