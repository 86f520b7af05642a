"""One row of an import file → the services that add or update the record.

Each kind has a handler `(state, row, values) → (action, note)`. Handlers go through the same
service functions the dialogs use (people.add_resident, members.add_member, tickets.create_ticket …), so an
imported row obeys exactly the rules a typed one does; problems come back as ValidationError and the
engine (imports.py) turns them into report lines. Grid posts have no service of their own yet, so their
rules are checked here, from what the models allow.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Row, Select, Table, bindparam, func, insert, select
from sqlalchemy.orm import Session

from app.io.excel_import import Cell, cell_text
from app.models import (
    Grid,
    GridPost,
    Household,
    PartyMember,
    PartyOrg,
    Resident,
    Ticket,
    TicketCategory,
)
from app.models.base import utcnow
from app.models.grid import GRID_POSTS
from app.models.people import HEAD_RELATION, RELATIONS
from app.models.tickets import CHANNELS, MODES, SATISFACTION, STATE_LABELS

from . import access, audit, member_checks, members, org, people, tickets
from .errors import ServiceError, ValidationError
from .import_fields import (
    norm_education,
    norm_ethnicity,
    norm_gender,
    norm_member_type,
    norm_points,
    norm_relation,
    norm_stage,
)
from .import_journal import Journal
from .validation import InvalidValue, Problems, check_id_number, parse_sheet_date

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


# ---------------------------------------------------------------- cell values


def text(values: Values, key: str) -> str:
    value = values.get(key)
    return (value if type(value) is str else cell_text(value)).strip()  # str: most cells, asked ~15 times a row


def id_cell(values: Values) -> object:
    """The 身份证号 as given; a number cell stays a float so the check says Excel lost its digits."""
    raw = values.get("id_number")
    if isinstance(raw, int) and not isinstance(raw, bool):
        return float(raw)
    return raw


def id_number_of(values: Values) -> str | None:
    raw = id_cell(values)
    if raw is None or raw == "":
        return None
    try:
        return check_id_number(raw).number
    except InvalidValue:
        return None


def sheet_date(p: Problems, values: Values, key: str, label: str) -> date | None:
    try:
        parsed = parse_sheet_date(values.get(key))
    except InvalidValue as e:
        p.add(key, label, str(e))
        return None
    return parsed.value if parsed else None


def birth_date(p: Problems, values: Values) -> date | None:
    """出生日期; a month-only 出生年月 that agrees with the 身份证号 defers to the ID's full date."""
    try:
        parsed = parse_sheet_date(values.get("birth_date"))
    except InvalidValue as e:
        p.add("birth_date", "出生日期", str(e))
        return None
    if parsed is None or not parsed.month_only:
        return parsed.value if parsed else None
    number = id_number_of(values)
    if number is None:
        return parsed.value
    from_id = check_id_number(number).birth_date
    if (from_id.year, from_id.month) != (parsed.value.year, parsed.value.month):
        p.add("birth_date", "出生日期", f"与身份证号不符：身份证号上的出生日期是 {from_id.isoformat()}")
    return None


def check_in_file_duplicate(state: RunState, row: int, values: Values, p: Problems) -> None:
    number = id_number_of(values)
    if number is None:
        return
    first = state.seen_ids.setdefault(number, row)
    if first != row:
        p.add("id_number", "身份证号", f"与第 {first} 行的身份证号相同（表中重复）")


def _person_overlay(p: Problems, values: Values) -> dict[str, Any]:
    """The person fields the row fills in (empty cells leave the stored value alone on update)."""
    out: dict[str, Any] = {}
    if name := text(values, "name"):
        out["name"] = name
    raw = id_cell(values)
    if raw is not None and raw != "":
        out["id_number"] = raw
    for key, norm in (("gender", norm_gender), ("ethnicity", norm_ethnicity), ("education", norm_education)):
        if word := text(values, key):
            out[key] = norm(word)
    if phone := text(values, "phone"):
        out["phone"] = phone if not isinstance(values.get("phone"), float) else cell_text(values["phone"])
    birth = birth_date(p, values)
    if birth is not None:
        out["birth_date"] = birth
    if note := text(values, "note"):
        out["note"] = note
    return out


def _merge(p: Problems, exc: ValidationError) -> None:
    for problem in exc.problems:
        p.add(problem.field, problem.label, problem.message)


# ---------------------------------------------------------------- names: 支部, 网格, 类别


def _known_name(state: RunState, name: str) -> str:
    return state.options.name_map.get(name, name)


def _unknown(state: RunState, label: str, name: str) -> None:
    state.unknown.setdefault(label, set()).add(name)


def resolve_org(state: RunState, p: Problems, name: str, kinds: tuple[str, ...], parent_id: int | None,
                key: str, label: str) -> int | None:
    name = _known_name(state, name)
    stmt = select(PartyOrg.id).where(
        PartyOrg.unit_id == state.unit_id, PartyOrg.kind.in_(kinds), PartyOrg.closed_on.is_(None),
        (PartyOrg.name == name) | (PartyOrg.code == name),
    )
    if parent_id is not None:
        stmt = stmt.where(PartyOrg.parent_id == parent_id)
    found = state.s.scalars(stmt).all()
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        p.add(key, label, f"有 {len(found)} 个组织都叫“{name}”，请在表中写组织代码")
        return None
    if not state.options.create_missing:
        _unknown(state, label, name)
        p.add(key, label, f"没有名为“{name}”的{label}（可在导入时选择对应的组织，或选择自动新建）")
        return None
    state.writing()
    if parent_id is None:
        roots = state.s.scalars(select(PartyOrg.id).where(
            PartyOrg.unit_id == state.unit_id, PartyOrg.parent_id.is_(None), PartyOrg.closed_on.is_(None))).all()
        parent_id = roots[0] if len(roots) == 1 else None
    try:
        new_id = org.create_org(state.s, state.unit_id, org.OrgInput(name=name, kind=kinds[0], parent_id=parent_id))
    except ValidationError as e:
        p.add(key, label, f"无法新建“{name}”：{'；'.join(x.message for x in e.problems)}")
        return None
    state.journal.add_created("party_org", new_id, 0)
    return new_id


def resolve_grid(state: RunState, p: Problems, name: str, key: str = "grid", label: str = "网格") -> int | None:
    name = _known_name(state, name)
    found = state.s.scalars(select(Grid.id).where(
        Grid.unit_id == state.unit_id, Grid.closed_on.is_(None), (Grid.name == name) | (Grid.code == name))).all()
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        p.add(key, label, f"有 {len(found)} 个网格都叫“{name}”，请在表中写网格编号")
        return None
    if not state.options.create_missing:
        _unknown(state, label, name)
        p.add(key, label, f"没有名为“{name}”的网格（可在导入时选择对应的网格，或选择自动新建）")
        return None
    state.writing()
    n = state.s.scalar(select(func.count(Grid.id)).where(Grid.unit_id == state.unit_id)) or 0
    code = f"G{n + 1:02d}"
    while state.s.scalar(select(Grid.id).where(Grid.unit_id == state.unit_id, Grid.code == code)):
        n += 1
        code = f"G{n + 1:02d}"
    grid = Grid(unit_id=state.unit_id, code=code, name=name[:60])
    state.s.add(grid)
    state.s.flush()
    state.journal.add_created("grid", grid.id, 0)
    return grid.id


# ---------------------------------------------------------------- 居民 and 户


def _next_household_number(s: Session, unit_id: int) -> str:
    numbers = s.scalars(select(Household.number).where(Household.unit_id == unit_id)).all()
    digits = [int(n) for n in numbers if n.isdigit()]
    width = max((len(n) for n in numbers if n.isdigit()), default=4)
    return f"{(max(digits) + 1) if digits else 1:0{width}d}"


def _household_for_row(state: RunState, row: int, values: Values, p: Problems, relation: str) -> int | None:
    s, unit_id = state.s, state.unit_id
    number = text(values, "household_number")
    if state.kind == "residents":
        if not number:
            return None
        if number not in state.household_numbers:
            state.read_more = True
            state.household_numbers[number] = s.scalar(
                select(Household.id).where(Household.unit_id == unit_id, Household.number == number))
        hid = state.household_numbers[number]
        if hid is None:
            p.add("household_number", "户号", f"户号 {number} 不存在（导入“户籍（按户导入）”可同时建户）")
        return hid
    # households: by 户号, or a 户主 row opens a household and the rows under it belong to it
    if not number and relation != HEAD_RELATION:
        if state.current_household is not None:
            return state.current_household
        if state.head_failed_row is not None:
            p.add("household_number", "户号", f"本户户主所在的第 {state.head_failed_row} 行有问题，无法确定所属户")
        else:
            p.add("household_number", "户号", "找不到所属户：请填写户号，或把户主排在家庭成员之前")
        return None
    hid = None
    if number:
        hid = s.scalar(select(Household.id).where(Household.unit_id == unit_id, Household.number == number))
    tags = [t for t in re.split(r"[、,，;；/\s]+", text(values, "tags")) if t]
    grid_id = resolve_grid(state, p, text(values, "grid")) if text(values, "grid") else None
    if p:
        return None
    state.writing()
    if hid is None:
        data = people.HouseholdInput(
            number=number or _next_household_number(s, unit_id), address=text(values, "address"),
            grid_id=grid_id, tag_names=tags,
        )
        try:
            hid = people.add_household(s, unit_id, data)
        except ValidationError as e:
            _merge(p, e)
            return None
        state.journal.add_created("household", hid, row)
    elif state.options.on_existing == "update" and (text(values, "address") or grid_id or tags):
        data = people.household_input(s, hid)
        data.address = text(values, "address") or data.address
        data.grid_id = grid_id or data.grid_id
        data.tag_names = tuple(dict.fromkeys([*data.tag_names, *tags]))
        hh = s.get(Household, hid)
        assert hh is not None
        state.journal.before_update("household", hh, row)
        try:
            people.update_household(s, hid, data)
        except ValidationError as e:
            _merge(p, e)
            return None
    state.pending_household = hid
    return hid


def _existing_resident(state: RunState, values: Values) -> int | None:
    number = id_number_of(values)
    if number is not None:
        found = state.known(number)
        return found.id if found is not None else None
    return None


BULK_KINDS = ("residents", "households")
LOOKUP_CHUNK = 500
BULK_CACHE_SIZE = -16384  # SQLite page cache while bulk inserting: 16 MB (negative: in KiB), given back after


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


def _add_resident_later(state: RunState, row: int, data: people.ResidentInput) -> None:
    """people.add_resident's checks now, its INSERT later with the others (flush_bulk)."""
    if data.household_id is None:
        access.check_household(state.s, None, "登记")
    p = Problems()
    person = people.check_person(state.s, state.unit_id, data, p, lookup=state.known)
    relation = _household_link(state, data.household_id, data.relation, p)
    p.raise_if_any()
    state.bulk.append((row, {
        **vars(person), "unit_id": state.unit_id, "household_id": data.household_id, "relation": relation,
        "note": data.note.strip(), "status": "在册", "status_date": None, "status_note": "",
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


def handle_person(state: RunState, row: int, values: Values) -> Outcome:
    """居民 (kind residents) and 户籍 rows (kind households: the household is found or made first)."""
    s = state.s
    p = Problems()
    check_in_file_duplicate(state, row, values, p)
    overlay = _person_overlay(p, values)
    relation = norm_relation(text(values, "relation"))
    existing = _existing_resident(state, values)
    if existing is not None and state.options.on_existing != "update":
        p.raise_if_any()
        if state.kind == "households" and relation == HEAD_RELATION:
            resident = s.get(Resident, existing)
            state.pending_household = resident.household_id if resident else None
        return "skip", "已登记，跳过"
    household_id = _household_for_row(state, row, values, p, relation)
    p.raise_if_any()
    if existing is None:
        data = people.ResidentInput(name="")
        for k, v in overlay.items():
            setattr(data, k, v)
        data.household_id, data.relation = household_id, relation
        _add_resident_later(state, row, data)
        return "new", ""
    state.writing()
    data = people.resident_input(s, existing)
    for k, v in overlay.items():
        setattr(data, k, v)
    if household_id is not None:
        data.household_id = household_id
    if relation:
        data.relation = relation
    resident = s.get(Resident, existing)
    assert resident is not None
    state.journal.before_update("resident", resident, row)
    people.update_resident(s, existing, data)
    return "update", "已登记，按表更新"


# ---------------------------------------------------------------- 党员


def _member_fields(state: RunState, values: Values, p: Problems) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if text(values, "org"):
        out["org_id"] = resolve_org(state, p, text(values, "org"), org.BRANCH_KINDS, None, "org", "所在支部")
    if text(values, "group"):
        parent = out.get("org_id")
        out["group_id"] = resolve_org(state, p, text(values, "group"), org.GROUP_KINDS, parent, "group", "党小组")
    for key, label in (("joined_on", "入党日期"), ("confirmed_on", "转正日期")):
        d = sheet_date(p, values, key, label)
        if d is not None:
            out[key] = d
    if text(values, "stage"):
        out["stage"] = norm_stage(text(values, "stage"))
    for key, norm in (("member_type", norm_member_type), ("points_category", norm_points)):
        if text(values, key):
            out[key] = norm(text(values, key))
    for key in ("flow_out_place", "dual_report_unit"):
        if text(values, key):
            out[key] = text(values, key)
    return out


def handle_member(state: RunState, row: int, values: Values) -> Outcome:
    s = state.s
    p = Problems()
    check_in_file_duplicate(state, row, values, p)
    overlay = _person_overlay(p, values)
    member_values = _member_fields(state, values, p)
    rid = _existing_resident(state, values)
    member = s.scalar(select(PartyMember).where(PartyMember.resident_id == rid)) if rid else None
    if member is not None and state.options.on_existing != "update":
        p.raise_if_any()
        return "skip", "已在党员名册中，跳过"
    p.raise_if_any()
    if member is None:
        data = member_checks.MemberInput(name="", id_number="")
        for k, v in {**overlay, **member_values}.items():
            setattr(data, k, v)
        if "stage" not in member_values:
            data.stage = "正式党员" if data.confirmed_on or not data.joined_on else "预备党员"
        resident = s.get(Resident, rid) if rid else None
        if resident is not None:
            state.journal.before_update("resident", resident, row)
        mid = members.add_member(s, state.unit_id, data)
        m = s.get(PartyMember, mid)
        assert m is not None
        m.import_batch_id = state.batch_id
        if resident is None:
            new_resident = s.get(Resident, m.resident_id)
            assert new_resident is not None
            new_resident.import_batch_id = state.batch_id
            state.journal.add_created("resident", m.resident_id, row)
        state.journal.add_created("party_member", mid, row)
        return "new", "" if resident is None else "已有居民信息，登记为党员"
    data = members.member_input(s, member.id)
    for k, v in {**overlay, **member_values}.items():
        setattr(data, k, v)
    state.journal.before_update("party_member", member, row)
    state.journal.before_update("resident", member.resident, row)
    members.update_member(s, member.id, data)
    return "update", "已在党员名册中，按表更新"


# ---------------------------------------------------------------- 网格员


_POST_WORDS = {"网格员": "专职网格员", "专职": "专职网格员", "微网格长": "微网格员", "楼长": "楼栋长", "辅助网格员": "辅助微网格员"}


def handle_grid_post(state: RunState, row: int, values: Values) -> Outcome:
    s = state.s
    p = Problems()
    grid_id = resolve_grid(state, p, text(values, "grid")) if text(values, "grid") else None
    if not text(values, "grid"):
        p.add("grid", "网格", "请填写网格")
    post = p.choice("post", "岗位", _POST_WORDS.get(text(values, "post"), text(values, "post")), GRID_POSTS, required=True)
    name = p.text("name", "姓名", text(values, "name"), required=True, max_len=40)
    phone = p.phone("phone", "联系电话", text(values, "phone"))
    start_on = sheet_date(p, values, "start_on", "任职日期")
    note = p.text("note", "备注", text(values, "note"), max_len=500)
    resident_id = None
    raw = id_cell(values)
    if raw is not None and raw != "":
        info = p.id_number("id_number", "身份证号", raw)
        if info is not None:
            resident_id = people.find_resident_by_id_number(s, state.unit_id, info.number)
            resident = s.get(Resident, resident_id) if resident_id else None
            if resident is not None and name and resident.name != name:
                p.add("name", "姓名", f"该身份证号登记的是 {resident.name}，与表中姓名不符")
    key = (grid_id, post, name)
    first = state.seen_keys.setdefault(key, row)
    if first != row and grid_id is not None:
        p.add("name", "姓名", f"与第 {first} 行重复（同一网格、同一岗位、同一人）")
    p.raise_if_any()
    existing = s.scalar(select(GridPost).where(
        GridPost.grid_id == grid_id, GridPost.post == post, GridPost.person_name == name, GridPost.end_on.is_(None)))
    if existing is not None:
        if state.options.on_existing != "update":
            return "skip", "已在岗，跳过"
        state.journal.before_update("grid_post", existing, row)
        existing.phone = phone or existing.phone
        existing.start_on = start_on or existing.start_on
        existing.resident_id = resident_id or existing.resident_id
        existing.note = note or existing.note
        s.flush()
        return "update", "已在岗，按表更新"
    assert grid_id is not None
    gp = GridPost(grid_id=grid_id, post=post, resident_id=resident_id, person_name=name, phone=phone,
                  start_on=start_on, note=note, import_batch_id=state.batch_id)
    s.add(gp)
    s.flush()
    state.journal.add_created("grid_post", gp.id, row)
    return "new", ""


# ---------------------------------------------------------------- 工单 (through the tickets service)


_STATE_WORDS = {**{v: k for k, v in STATE_LABELS.items()}, "办结": "closed", "已完成": "closed", "完成": "closed",
                "已处理": "closed", "处理中": "accepted", "办理中": "accepted", "未办结": "accepted",
                "受理": "received", "撤销": "cancelled", "上报": "escalated"}
_NUMBER = re.compile(r"(\d{4})-(\d{1,6})")


def _when(p: Problems, values: Values, key: str, label: str) -> datetime | None:
    raw = values.get(key)
    if isinstance(raw, datetime):
        return raw
    d = sheet_date(p, values, key, label)
    return datetime.combine(d, time(0, 0)) if d else None


def _ticket_category(state: RunState, p: Problems, name: str) -> TicketCategory | None:
    name = _known_name(state, name)
    cat = state.s.scalar(select(TicketCategory).where(
        TicketCategory.unit_id == state.unit_id, TicketCategory.name == name))
    if cat is not None or not name:
        return cat
    if not state.options.create_missing:
        _unknown(state, "诉求类别", name)
        p.add("category", "诉求类别", f"没有名为“{name}”的诉求类别（可选择对应的类别，或选择自动新建）")
        return None
    if len(name) > 20:
        p.add("category", "诉求类别", f"类别名称最多20个字，现在是{len(name)}个")
        return None
    cat = TicketCategory(unit_id=state.unit_id, name=name)
    state.s.add(cat)
    state.s.flush()
    state.journal.add_created("ticket_category", cat.id, 0)
    return cat


def handle_ticket(state: RunState, row: int, values: Values) -> Outcome:
    s = state.s
    p = Problems()
    received = _when(p, values, "received_at", "受理日期")
    if received is None and not p.has("received_at"):
        p.add("received_at", "受理日期", "请填写受理日期")
    if received is not None and received.date() > date.today():
        p.add("received_at", "受理日期", "日期晚于今天")
    channel = p.choice("channel", "受理渠道", text(values, "channel") or "办公室", CHANNELS)
    category = p.text("category", "诉求类别", text(values, "category"), required=True)
    cat = _ticket_category(state, p, category) if category else None
    requester = p.text("requester_name", "诉求人", text(values, "requester_name"), max_len=40)
    phone = p.phone("phone", "联系电话", text(values, "phone"))
    content = p.text("content", "诉求内容", text(values, "content"), required=True, max_len=2000)
    grid_id = resolve_grid(state, p, text(values, "grid")) if text(values, "grid") else None
    state_word = text(values, "state")
    ticket_state = _STATE_WORDS.get(state_word, state_word) if state_word else "received"
    if ticket_state not in STATE_LABELS:
        p.add("state", "办理状态", f"“{state_word}”不是可选项（可选：{'、'.join(STATE_LABELS.values())}）")
    mode = p.choice("mode", "办理方式", text(values, "mode"), MODES) or None
    reply = p.text("reply", "答复内容", text(values, "reply"), max_len=2000)
    closed = _when(p, values, "closed_at", "办结日期")
    if closed is not None and received is not None and closed < received:
        p.add("closed_at", "办结日期", f"办结日期（{closed.date().isoformat()}）不能早于受理日期（{received.date().isoformat()}）")
    satisfaction = p.choice("satisfaction", "满意度", text(values, "satisfaction"), SATISFACTION) or None
    number = text(values, "number")
    year = seq = None
    if number:
        m = _NUMBER.fullmatch(number)
        if not m:
            p.add("number", "工单编号", f"“{number}”不是工单编号（应为 年份-序号，如 2026-0001）")
        else:
            year, seq = int(m[1]), int(m[2])
            number = f"{year}-{seq:04d}"
            first = state.seen_keys.setdefault(("ticket", number), row)
            if first != row:
                p.add("number", "工单编号", f"与第 {first} 行的工单编号相同（表中重复）")
    p.raise_if_any()
    assert received is not None and cat is not None
    if number and s.scalar(select(Ticket.id).where(Ticket.unit_id == state.unit_id, Ticket.number == number)):
        return "skip", f"工单 {number} 已存在，跳过"
    data = tickets.TicketInput(cat.id, content, channel, requester_name=requester, requester_phone=phone,
                               received_at=received, grid_id=grid_id)
    made = tickets.create_ticket(s, state.unit_id, data, number=number or None, import_batch_id=state.batch_id)
    event_ids = list(made.event_ids)
    history = tickets.record_imported_state(s, made.id, ticket_state, closed, mode, reply, satisfaction)
    if history is not None:
        event_ids.append(history)
    state.journal.add_created("ticket", made.id, row)
    for event_id in event_ids:
        state.journal.add_created("ticket_event", event_id, row)
    return "new", ""


HANDLERS: dict[str, Callable[[RunState, int, Values], Outcome]] = {
    "residents": handle_person, "households": handle_person, "members": handle_member,
    "grid-posts": handle_grid_post, "tickets": handle_ticket,
}


