"""居民: paged queries for the lazy Qt models, and validated changes (rows are never deleted). 户: households.py."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.orm import Session

from app.models import Household, Resident
from app.models.people import EDUCATIONS, GENDERS, HEAD_RELATION, RELATIONS, RESIDENT_STATUSES
from app.text import name_initials, name_pinyin

from .. import access, audit
from ..errors import NotFound, ServiceError, check_version
from ..search import text_filter, unit_scan
from ..validation import FREE_TEXT_MAX, Problems, age_on

ACTIVE_STATUSES = ("在册", "外出务工")  # still belong to the village
GONE_STATUSES = ("迁出", "死亡")  # hidden from default lists, never deleted


# ---------------------------------------------------------------- what the UI shows


@dataclass(frozen=True)
class ResidentRow:
    id: int
    name: str
    gender: str | None
    age: int | None
    birth_date: date | None
    id_number: str | None
    phone: str
    ethnicity: str
    education: str
    household_id: int | None
    household_number: str | None
    relation: str
    status: str
    status_date: date | None
    note: str
    version: int = 1  # the record's version: an edit dialog passes it back (expected_version)


@dataclass
class ResidentQuery:
    unit_id: int
    text: str = ""
    status: str | None = None  # one of RESIDENT_STATUSES; overrides include_gone
    household_id: int | None = None
    include_gone: bool = False  # show 迁出/死亡 too
    gender: str | None = None
    # name (by 拼音) | id_number | birth_date | age | gender | phone | household_number | relation | status | id
    order_by: str = "name"
    descending: bool = False


# ---------------------------------------------------------------- inputs


@dataclass
class ResidentInput:
    name: str
    id_number: str = ""
    gender: str | None = None  # derived from the 身份证号 when empty
    birth_date: date | None = None  # derived from the 身份证号 when empty
    ethnicity: str = "汉族"
    phone: str = ""
    household_id: int | None = None
    relation: str = ""  # 与户主关系, one of RELATIONS
    education: str = ""  # one of EDUCATIONS
    note: str = ""


class PersonData(Protocol):
    """What ResidentInput and member_checks.MemberInput share: the person's own fields."""

    name: str
    id_number: str
    gender: str | None
    birth_date: date | None
    ethnicity: str
    phone: str
    education: str


@dataclass
class PersonFields:
    """Checked, normalised person fields ready to store on a Resident."""

    name: str
    name_initials: str
    name_pinyin: str
    id_number: str | None
    gender: str | None
    birth_date: date | None
    ethnicity: str
    phone: str
    education: str

    def apply(self, r: Resident) -> None:
        for k, v in vars(self).items():
            setattr(r, k, v)


# ---------------------------------------------------------------- shared person checks


def check_person(
    s: Session, unit_id: int, data: PersonData, p: Problems, *, resident_id: int | None = None,
    id_required: bool = False, lookup: Callable[[str], Any] | None = None,
) -> PersonFields:
    """Check the person fields (used by residents, members and the importer); problems go to p.

    resident_id: the resident being edited, so its own 身份证号 is not a duplicate.
    lookup: 身份证号 → (id, name, number) of the resident holding it or None, instead of one query per
    call (the importer loads the file's numbers in a few queries).
    """
    name = p.text("name", "姓名", data.name, required=True, max_len=40)
    info = p.id_number("id_number", "身份证号", data.id_number, required=id_required)
    gender = p.choice("gender", "性别", data.gender, GENDERS) or None
    birth = data.birth_date
    if info is not None:
        if birth is not None and birth != info.birth_date:
            p.add("birth_date", "出生日期", f"与身份证号不符：身份证号上的出生日期是 {info.birth_date.isoformat()}")
        if gender and gender != info.gender:
            p.add("gender", "性别", f"与身份证号不符：身份证号显示为{info.gender}")
        birth = birth or info.birth_date
        gender = gender or info.gender
        other = lookup(info.number) if lookup is not None else s.execute(
            select(Resident.id, Resident.name, Household.number)
            .outerjoin(Household, Resident.household_id == Household.id)
            .where(Resident.unit_id == unit_id, Resident.id_number == info.number)
        ).first()
        if other is not None and other.id != resident_id:
            where = f"（户号 {other.number}）" if other.number else ""
            # a new entry for someone already registered: usually the person is moving into this 户
            hint = "；如是搬入本户，请在“全部居民”中选中此人，用“转到其他户…”" if resident_id is None else ""
            p.add("id_number", "身份证号", f"该身份证号已登记为 {other.name}{where}{hint}")
    if birth is not None and birth > date.today():
        p.add("birth_date", "出生日期", "出生日期晚于今天")
    ethnicity = p.text("ethnicity", "民族", data.ethnicity, max_len=20) or "汉族"
    phone = p.phone("phone", "联系电话", data.phone)
    education = p.choice("education", "学历", data.education, EDUCATIONS)
    keyed = name if not p.has("name") else ""  # a refused name is never stored: no 拼音 for it (it may be huge)
    return PersonFields(
        name=name, name_initials=name_initials(keyed) if keyed else "", name_pinyin=name_pinyin(keyed) if keyed else "",
        id_number=info.number if info else None, gender=gender, birth_date=birth, ethnicity=ethnicity,
        phone=phone, education=education,
    )


def check_note(p: Problems, note: str) -> str:
    """A resident's 备注 as every path stores it (add, edit, the importer's bulk rows)."""
    return p.text("note", "备注", note, max_len=FREE_TEXT_MAX)


def find_resident_by_id_number(s: Session, unit_id: int, id_number: str) -> int | None:
    number = id_number.strip().upper()
    return s.scalar(select(Resident.id).where(Resident.unit_id == unit_id, Resident.id_number == number))


def _check_household_link(
    s: Session, unit_id: int, household_id: int | None, relation: str, p: Problems, resident_id: int | None,
    status: str = "在册",
) -> str:
    relation = p.choice("relation", "与户主关系", relation, RELATIONS)
    if household_id is None:
        if relation:
            p.add("relation", "与户主关系", "请先选择所属户")
        return relation
    hh = s.get(Household, household_id)
    if hh is None or hh.unit_id != unit_id:
        p.add("household_id", "所属户", "所选的户不存在")
        return relation
    if hh.closed_on is not None:
        p.add("household_id", "所属户", f"户号 {hh.number} 已于 {hh.closed_on.isoformat()} 销户")
    if relation == HEAD_RELATION and status in ACTIVE_STATUSES:
        head = s.execute(
            select(Resident.id, Resident.name).where(
                Resident.household_id == household_id, Resident.relation == HEAD_RELATION,
                Resident.status.in_(ACTIVE_STATUSES), Resident.id != (resident_id or -1),
            )
        ).first()
        if head is not None:
            p.add("relation", "与户主关系", f"户号 {hh.number} 已有户主 {head.name}，一户只能有一个户主")
    return relation


# ---------------------------------------------------------------- resident queries

_RESIDENT_COLS = (
    Resident.id, Resident.name, Resident.gender, Resident.birth_date, Resident.id_number, Resident.phone,
    Resident.ethnicity, Resident.education, Resident.household_id, Household.number, Resident.relation,
    Resident.status, Resident.status_date, Resident.note, Resident.version,
)


def _resident_select() -> Select[Any]:
    return select(*_RESIDENT_COLS).outerjoin(Household, Resident.household_id == Household.id)


def _resident_row(r: Any, today: date, masked: bool = False) -> ResidentRow:
    return ResidentRow(
        id=r.id, name=r.name, gender=r.gender, age=age_on(r.birth_date, today) if r.birth_date else None,
        birth_date=access.birth_for_display(r.birth_date, r.id_number, masked),
        id_number=access.id_for_display(r.id_number, masked), phone=r.phone, ethnicity=r.ethnicity,
        education=r.education, household_id=r.household_id, household_number=r.number, relation=r.relation,
        status=r.status, status_date=r.status_date, note=r.note, version=r.version,
    )


def resident_search(text: str) -> ColumnElement[bool] | None:
    """The shared search condition on residents (also used by members and households)."""
    return text_filter(
        text, Resident.name, Resident.name_initials, Resident.name_pinyin, Resident.id_number, Resident.phone
    )


def _resident_where(q: ResidentQuery, s: Session | None = None, by_index: bool = False) -> list[ColumnElement[bool]]:
    unit = unit_scan(s, Resident.unit_id, q.unit_id, by_index=by_index) if s is not None else Resident.unit_id == q.unit_id
    where: list[ColumnElement[bool]] = [unit]
    if q.status:
        where.append(Resident.status == q.status)
    elif not q.include_gone:
        where.append(Resident.status.in_(ACTIVE_STATUSES))
    if q.household_id is not None:
        where.append(Resident.household_id == q.household_id)
    if q.gender:
        where.append(Resident.gender == q.gender)
    cond = resident_search(q.text)
    if cond is not None:
        where.append(cond)
    return where


_RESIDENT_ORDER: dict[str, tuple[Any, ...]] = {
    "name": (Resident.name_pinyin, Resident.name),
    "id_number": (Resident.id_number,),
    "birth_date": (Resident.birth_date,),
    "gender": (Resident.gender,),
    "phone": (Resident.phone,),
    "household_number": (Household.number, Resident.relation != HEAD_RELATION),
    "relation": (Resident.relation,),
    "status": (Resident.status,),
    "id": (),
}


def _ordered(cols: Sequence[Any], descending: bool, tiebreak: Any) -> list[Any]:
    out = [_direction(c, descending) for c in cols]
    out.append(tiebreak.desc() if descending else tiebreak.asc())  # stable paging
    return out


def _direction(col: Any, descending: bool) -> Any:
    """col ASC/DESC, empty values last. NULLS LAST only where a column may be NULL: SQLite cannot
    read an index in NULLS LAST order, and the last page of 150,000 residents by name then took 4×."""
    ordered = col.desc() if descending else col.asc()
    return ordered.nulls_last() if getattr(getattr(col, "expression", col), "nullable", True) else ordered


def _resident_scope(s: Session) -> list[ColumnElement[bool]]:
    # grid staff: only the people of households in their grids
    cond = access.resident_household_filter(s, Resident.household_id)
    return [] if cond is None else [cond]


def count_residents(s: Session, q: ResidentQuery) -> int:
    # no join to households: the conditions are all on residents, so SQLite counts from the narrow
    # ix_residents_search index instead of the table (a text filter over 150,000 people: 146 → 45 ms)
    return s.scalar(select(func.count()).select_from(Resident).where(*_resident_where(q, s), *_resident_scope(s))) or 0


def list_residents(s: Session, q: ResidentQuery, offset: int = 0, limit: int = 200) -> list[ResidentRow]:
    if q.order_by == "age":  # older first when ascending by age means later birth date first
        cols, desc = (Resident.birth_date,), not q.descending
    elif q.order_by == "id_number":
        cols, desc = access.id_order(Resident.id_number, access.is_grid_staff(s)), q.descending
    elif q.order_by in _RESIDENT_ORDER:
        cols, desc = _RESIDENT_ORDER[q.order_by], q.descending
    else:
        raise ServiceError(f"不能按“{q.order_by}”排序")
    by_index = q.order_by == "name"  # ix_residents_search holds this order: page by walking it
    order = _ordered(cols, desc, Resident.id)
    # Deferred join: find the page's ids first (from the index where it can), then read only those rows.
    # With OFFSET on the full select SQLite built every skipped row (table read + household join):
    # the last page of 150,000 people took 0.6 s.
    ids = select(Resident.id).where(*_resident_where(q, s, by_index), *_resident_scope(s))
    if q.order_by == "household_number":
        ids = ids.outerjoin(Household, Resident.household_id == Household.id)
    page = ids.order_by(*order).offset(offset).limit(limit).subquery()
    stmt = _resident_select().join(page, page.c.id == Resident.id).order_by(*order)
    today, masked = date.today(), access.is_grid_staff(s)
    return [_resident_row(r, today, masked) for r in s.execute(stmt)]


def get_resident(s: Session, resident_id: int) -> ResidentRow:
    r = s.execute(_resident_select().where(Resident.id == resident_id, *_resident_scope(s))).first()
    if r is None:
        raise NotFound("找不到该居民")
    return _resident_row(r, date.today(), access.is_grid_staff(s))


def resident_input(s: Session, resident_id: int) -> ResidentInput:
    """The stored values as an input, to prefill an edit dialog."""
    r = get_resident(s, resident_id)
    return ResidentInput(
        name=r.name, id_number=r.id_number or "", gender=r.gender, birth_date=r.birth_date, ethnicity=r.ethnicity,
        phone=r.phone, household_id=r.household_id, relation=r.relation, education=r.education, note=r.note,
    )


def household_residents(s: Session, household_id: int, include_gone: bool = False) -> list[ResidentRow]:
    """The people of one household, 户主 first, then by age (oldest first)."""
    access.check_household(s, household_id, "查看")
    stmt = _resident_select().where(Resident.household_id == household_id)
    if not include_gone:
        stmt = stmt.where(Resident.status.in_(ACTIVE_STATUSES))
    stmt = stmt.order_by(
        case((Resident.relation == HEAD_RELATION, 0), else_=1), Resident.birth_date.asc().nulls_last(), Resident.id
    )
    today, masked = date.today(), access.is_grid_staff(s)
    return [_resident_row(r, today, masked) for r in s.execute(stmt)]


# ---------------------------------------------------------------- resident changes


def _get_resident(s: Session, resident_id: int) -> Resident:
    r = s.get(Resident, resident_id)
    if r is None:
        raise NotFound("找不到该居民")
    return r


RESIDENT_AUDIT_FIELDS = (
    "name", "id_number", "gender", "birth_date", "ethnicity", "phone", "education", "household_id", "relation", "note",
)


def _check_resident(
    s: Session, unit_id: int, data: ResidentInput, p: Problems, r: Resident | None,
) -> tuple[PersonFields, str, str]:
    """The checks of 新增/编辑居民 (r: the resident edited): person fields, relation and note."""
    person = check_person(s, unit_id, data, p, resident_id=r.id if r else None)
    relation = _check_household_link(s, unit_id, data.household_id, data.relation, p, r.id if r else None,
                                     *((r.status,) if r else ()))
    return person, relation, check_note(p, data.note)


def check_resident(s: Session, unit_id: int, data: ResidentInput, resident_id: int | None = None) -> None:
    """Raise ValidationError with every problem 保存 would find, saving nothing: the form asks when its own
    check (an unreadable date, a 户 not in the list) already refused, so all problems show at once."""
    r = _get_resident(s, resident_id) if resident_id is not None else None
    if r is not None:
        data = replace(data, id_number=access.keep_masked(r.id_number, data.id_number))
    p = Problems()
    _check_resident(s, unit_id, data, p, r)
    p.raise_if_any()


def add_resident(s: Session, unit_id: int, data: ResidentInput) -> int:
    access.check_household(s, data.household_id, "登记")
    p = Problems()
    person, relation, note = _check_resident(s, unit_id, data, p, None)
    p.raise_if_any()
    r = Resident(unit_id=unit_id, household_id=data.household_id, relation=relation, note=note)
    person.apply(r)
    s.add(r)
    s.flush()
    audit.record(s, unit_id, "create", "resident", r.id, f"新增居民：{r.name}")
    return r.id


def update_resident(s: Session, resident_id: int, data: ResidentInput, expected_version: int | None = None) -> None:
    """Change a resident; expected_version (the version the dialog showed) refuses a save over someone
    else's change (ConflictError)."""
    r = _get_resident(s, resident_id)
    check_version(r.version, expected_version)
    access.check_household(s, r.household_id, "修改")
    access.check_household(s, data.household_id, "修改")
    data = replace(data, id_number=access.keep_masked(r.id_number, data.id_number))
    before = audit.snapshot(r, RESIDENT_AUDIT_FIELDS)
    p = Problems()
    person, relation, note = _check_resident(s, r.unit_id, data, p, r)
    p.raise_if_any()
    person.apply(r)
    r.household_id, r.relation, r.note = data.household_id, relation, note
    s.flush()
    audit.record_change(
        s, r.unit_id, "resident", r.id, f"修改居民：{r.name}", before, audit.snapshot(r, RESIDENT_AUDIT_FIELDS)
    )


def set_resident_status(
    s: Session, resident_id: int, status: str, on: date | None = None, note: str = "", *, summary: str = "",
) -> None:
    """在册 / 外出务工 / 迁出 / 死亡, with the date; the row stays (history and ledgers need it).

    The plain write (also 恢复 of a member's death uses it). What a user records — which change may follow
    which, a 党员's death, a 户主 leaving — is status_changes.record_status_change."""
    r = _get_resident(s, resident_id)
    access.check_household(s, r.household_id, "修改")
    p = Problems()
    status = p.choice("status", "状态", status, RESIDENT_STATUSES, required=True)
    if status in GONE_STATUSES and on is None:
        p.add("status_date", "日期", f"请填写{status}日期")
    if on is not None and on > date.today():
        p.add("status_date", "日期", "日期晚于今天")
    elif on is not None and r.birth_date is not None and on < r.birth_date:
        p.add("status_date", "日期", f"不能早于出生日期（{r.birth_date.isoformat()}）")
    if status in ACTIVE_STATUSES and r.relation == HEAD_RELATION and r.household_id is not None:
        # coming back as 户主 while someone else became head meanwhile
        _check_household_link(s, r.unit_id, r.household_id, r.relation, p, r.id, status)
    p.raise_if_any()
    old, fields = r.status, ("status", "status_date", "status_note")
    before = audit.snapshot(r, fields)
    r.status, r.status_date, r.status_note = status, on, note.strip()
    s.flush()
    audit.record_change(s, r.unit_id, "resident", r.id, summary or f"{r.name}：{old} → {status}", before,
                        audit.snapshot(r, fields), action="status")
