"""The plan of the demo village: pure data (no database), made by planner.py, written by write.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .facts import DEMO_TODAY


@dataclass
class _Person:
    idx: int
    name: str
    gender: str
    birth: date
    relation: str
    ethnicity: str
    house: int
    education: str = ""
    phone: str = ""
    id_number: str = ""
    status: str = "在册"
    status_date: date | None = None
    status_note: str = ""

    def age(self, on: date = DEMO_TODAY) -> int:
        return _years_between(self.birth, on)


@dataclass
class _House:
    idx: int
    kind: str
    people: list[int] = field(default_factory=list)
    micro: int = 0
    number: str = ""
    address: str = ""
    x: float = 0.0
    y: float = 0.0
    tags: list[str] = field(default_factory=list)


@dataclass
class _GridPlan:
    code: str
    name: str
    color: str
    polygon: list[list[int]]
    parent: int | None  # index into grids for micro-grids
    sort_order: int
    rect: tuple[float, float, float, float]  # x0, y0, x1, y1


@dataclass
class _OrgPlan:
    name: str
    kind: str
    parent: int | None
    code: str
    established_on: date
    sort_order: int
    note: str = ""


@dataclass
class _MemberPlan:
    person: int
    org: int
    group: int | None
    stage: str
    member_type: str
    points_category: str
    applied_on: date | None = None
    activist_on: date | None = None
    candidate_on: date | None = None
    joined_on: date | None = None
    confirmed_on: date | None = None
    flow_out_place: str = ""
    dual_report_unit: str = ""
    note: str = ""


@dataclass
class _Plan:
    persons: list[_Person]
    houses: list[_House]
    grids: list[_GridPlan]
    orgs: list[_OrgPlan]
    partners: list[tuple[int, str, str, date, str]]  # org index, name, kind, since, note
    members: list[_MemberPlan]
    member_posts: list[tuple[int, int, str, date, str]]  # member index, org index, post, start, note
    contacts: list[tuple[int, int, date]]  # member index, house index, since
    grid_posts: list[tuple[int, str, int, date, str]]  # grid index, post, person index, start, note
    secretary: int  # person index of the 总支书记


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def _years_between(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _era(birth: date) -> int:
    if birth.year < 1955:
        return 0
    if birth.year < 1980:
        return 1
    if birth.year < 2003:
        return 2
    return 3
