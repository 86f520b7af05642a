"""演示村: a deterministic, realistic demo village (东坟村, 房山区城关街道) for training and tests.

`build_demo(s)` fills an empty database; `build_demo(s, force=True)` wipes every table first.
Everything comes from one `random.Random(SEED)` and fixed dates around DEMO_TODAY, never today(),
so two builds give the same names, ID numbers and links. Rows go in with bulk inserts (fast).

Figures from the source reports: 东坟村 has 815 villagers and 59 党员 (seed 000); 东杨坨村 has
7 area grids with 网格长 and 网格员 (seed 001); each 党员 联系 4–30 households.
"""

from __future__ import annotations

import dataclasses
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session
from stdnum.cn import ric

from app.models import (
    AuditEntry,
    Base,
    Grid,
    GridPost,
    Household,
    MemberContact,
    MemberPost,
    Operator,
    OrgPartner,
    PartyMember,
    PartyOrg,
    Resident,
    Tag,
    Unit,
    household_tags,
)
from app.models.people import DEFAULT_HOUSEHOLD_TAGS
from app.text import name_initials, name_pinyin

from .errors import ServiceError

SEED = 20261123
DEMO_TODAY = date(2026, 11, 1)  # the demo's "today": ages, terms and statuses are relative to it
# 行政区划代码 of 房山 as it was when a resident was born (GB/T 2260; python-stdnum checks it that way):
# 110205 房山县 (to 1981), 110225 房山县 (1982–1985), 110111 房山区 (from 1986).
AREA_CODES = ((1986, "110111"), (1982, "110225"), (0, "110205"))

UNIT_NAME = "东坟村"
TOWNSHIP = "城关街道"
COUNTY = "房山区"
OBJECTION_BOX = "村委会大门东侧"

N_RESIDENTS = 815
N_MEMBERS = 59
N_PROBATIONARY = 4
MAP_W, MAP_H = 1600, 1000
CONTACTS_SINCE = date(2025, 3, 1)
TERM_START = date(2021, 4, 18)  # 村“两委”换届
GRID_POSTS_START = date(2024, 1, 1)

CN_NUM = "一二三四五六七八九十"
GRID_COLORS = ("#4f8fd6", "#e07b39", "#4caf6a", "#c85a9e", "#d4a93f", "#3fb5b0", "#8a6fd1")

# ---------------------------------------------------------------- names
# A village has a few dominant surnames; wives married in from elsewhere have a flatter spread.
SURNAMES: tuple[tuple[str, float], ...] = (
    ("李", 22), ("王", 15), ("张", 10), ("刘", 9), ("赵", 6), ("杨", 4), ("高", 3), ("孙", 3),
    ("马", 3), ("陈", 2), ("史", 2), ("齐", 2), ("郭", 2), ("田", 2), ("冯", 1.5), ("韩", 1.5),
    ("宋", 1.5), ("吴", 1), ("徐", 1), ("董", 1), ("于", 1), ("周", 1), ("侯", 1), ("贾", 1),
    ("崔", 1), ("薛", 0.5), ("邢", 0.5), ("尹", 0.5), ("范", 0.5), ("白", 0.5), ("魏", 0.5), ("姚", 0.5),
)
_S_NAMES = [n for n, _ in SURNAMES]
_S_LOCAL = [w for _, w in SURNAMES]
_S_FLAT = [math.sqrt(w) for _, w in SURNAMES]

# Given names by birth era and gender (two characters; a few single ones).
GIVEN: dict[tuple[int, str], tuple[str, ...]] = {
    (0, "男"): (
        "德明", "德福", "德山", "振山", "振华", "宝山", "宝林", "永福", "永祥", "长顺", "长海", "文元",
        "世昌", "玉田", "庆余", "富贵", "有才", "万福", "金生", "国栋", "汉章", "凤岐", "殿臣", "广田",
        "树林", "春和", "福来", "连瑞",
    ),
    (0, "女"): (
        "秀兰", "桂英", "淑珍", "玉兰", "凤英", "桂兰", "淑英", "秀英", "玉珍", "素芬", "翠兰", "桂芝",
        "淑兰", "玉芬", "凤兰", "秀珍", "金凤", "春兰", "德兰", "宝珍", "玉梅", "秀芳", "玉华", "桂珍",
    ),
    (1, "男"): (
        "建国", "建军", "国强", "国庆", "卫东", "卫国", "志强", "志刚", "建华", "立新", "红军", "学军",
        "海涛", "永生", "金宝", "春生", "连生", "跃进", "铁军", "保国", "建平", "德胜", "长江", "向东",
        "振军", "东升", "爱民", "庆春", "建设", "永刚", "全福", "继红",
    ),
    (1, "女"): (
        "丽华", "淑芬", "红梅", "秀云", "桂荣", "建英", "春梅", "玉霞", "丽萍", "红霞", "凤霞", "秀梅",
        "艳华", "淑华", "海燕", "素云", "金萍", "立平", "彩霞", "爱华", "亚茹", "桂红", "春华", "月英",
    ),
    (2, "男"): (
        "海波", "立伟", "晓东", "志远", "春雷", "鹏飞", "建伟", "海龙", "晓明", "伟东", "文博", "小龙",
        "振宇", "永辉", "国伟", "雪松", "大鹏", "宏伟", "明杰", "晓峰", "长春", "海军", "立东", "少华",
        "旭东", "志鹏", "金龙", "建超",
    ),
    (2, "女"): (
        "丽娜", "晓燕", "雪梅", "丽丽", "晓丽", "春燕", "婷婷", "秀娟", "晓红", "丽娟", "燕妮", "红艳",
        "佳佳", "美玲", "雅琴", "晓静", "小艳", "雪莲", "晶晶", "文静", "丹丹", "玉洁", "海霞", "月娥",
    ),
    (3, "男"): (
        "子涵", "浩然", "宇轩", "梓豪", "俊杰", "宇航", "博文", "皓轩", "子墨", "天佑", "一鸣", "锦程",
        "思远", "泽宇", "晨阳", "子轩", "铭泽", "奕辰", "睿泽", "明轩", "浩宇", "梓睿", "家豪", "嘉豪",
    ),
    (3, "女"): (
        "欣怡", "梓萱", "诗涵", "雨桐", "可馨", "梦瑶", "语嫣", "佳怡", "若汐", "思琪", "雨萱", "一诺",
        "紫涵", "梓涵", "欣妍", "依诺", "佳琪", "心怡", "雅琪", "晨曦", "梦琪", "婉清", "舒悦", "嘉欣",
    ),
}
SINGLE_GIVEN = {"男": "华军强伟勇刚斌涛磊鹏亮明", "女": "丽红燕静敏芳娜霞英萍艳颖"}

FLOW_PLACES = (
    "北京市海淀区", "北京市丰台区", "北京市大兴区", "河北省涿州市", "天津市滨海新区", "河北省保定市",
    "北京市朝阳区", "山东省济南市",
)
WORK_UNITS = (
    "房山区城关街道办事处", "房山区第一医院", "房山区城关第一小学", "北京燕山石化公司",
    "房山区农业农村局", "房山区城关街道社区卫生服务中心", "北京市房山区供电公司", "房山区税务局",
)


# ---------------------------------------------------------------- summary
@dataclass(frozen=True)
class DemoSummary:
    unit_name: str
    residents: int
    residents_registered: int  # 在册
    residents_away: int  # 外出务工
    residents_moved_out: int  # 迁出
    residents_deceased: int  # 死亡
    households: int
    tagged_households: int
    members: int  # 正式 + 预备
    members_full: int
    members_probationary: int
    pipeline: int  # 申请入党 / 入党积极分子 / 发展对象 (not counted as 党员)
    orgs: int
    grids: int  # top-level
    micro_grids: int
    grid_posts: int
    member_posts: int
    contacts: int
    extra: tuple[str, ...] = ()  # one Chinese line per area that added demo data (stars, points …)

    def lines(self) -> list[str]:
        return [
            f"演示村：{TOWNSHIP}{self.unit_name}（{COUNTY}）",
            f"居民 {self.residents} 人（在册 {self.residents_registered} 人，外出务工 {self.residents_away} 人，"
            f"迁出 {self.residents_moved_out} 人，死亡 {self.residents_deceased} 人）",
            f"户 {self.households} 户，其中有标签（低保、空巢等）的 {self.tagged_households} 户",
            f"党员 {self.members} 名（正式党员 {self.members_full} 名，预备党员 {self.members_probationary} 名），"
            f"入党申请人、积极分子和发展对象 {self.pipeline} 名",
            f"党组织 {self.orgs} 个，党员职务 {self.member_posts} 项",
            f"网格 {self.grids} 个，微网格 {self.micro_grids} 个，网格岗位 {self.grid_posts} 个",
            f"党员联系户 {self.contacts} 条",
            *self.extra,
        ]


# ---------------------------------------------------------------- public API
def has_data(s: Session) -> bool:
    """True when the database holds at least one unit (本村)."""
    return s.scalar(select(Unit.id).limit(1)) is not None


def wipe_all(s: Session) -> None:
    """Delete every row of every table (children first). Only for `demo --force`."""
    for table in reversed(Base.metadata.sorted_tables):
        s.execute(table.delete())
    s.expunge_all()


def build_demo(s: Session, force: bool = False) -> DemoSummary:
    """Fill the database with the demo village. The caller commits."""
    if has_data(s):
        if not force:
            raise ServiceError("数据库中已有数据，未生成演示村。如确需清空全部数据，请用 --force 重建演示村。")
        wipe_all(s)
    plan = _Planner(random.Random(SEED)).plan()
    summary = _write(s, plan)
    unit_id = s.scalars(select(Unit.id)).one()
    extra = tuple(line for extend in _area_extensions() for line in extend(s, unit_id, random.Random(SEED)))
    return dataclasses.replace(summary, extra=extra)


def _area_extensions() -> list[Callable[[Session, int, random.Random], list[str]]]:
    """Each area adds its demo data after the village exists: extend(s, unit_id, rng) -> summary lines.

    An area adds one line here, its function living in app/services/demo_<area>.py.
    """
    from . import demo_grid, demo_points, demo_stars, demo_tickets

    return [
        demo_grid.extend,
        demo_points.extend,
        demo_stars.extend,
        demo_tickets.extend,
    ]


# ---------------------------------------------------------------- planning (pure Python, no database)
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


class _Planner:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.persons: list[_Person] = []
        self.houses: list[_House] = []
        self._names: set[str] = set()
        self._ids: set[str] = set()
        self._phones: set[str] = set()

    # -------------------------------------------------------- people
    def _surname(self, local: bool) -> str:
        return self.rng.choices(_S_NAMES, weights=_S_LOCAL if local else _S_FLAT)[0]

    def _ethnicity(self) -> str:
        r = self.rng.random()
        return "回族" if r < 0.02 else "满族" if r < 0.04 else "汉族"

    def _birth(self, age: int) -> date:
        age = max(0, min(95, age))
        return DEMO_TODAY - timedelta(days=int(age * 365.25) + self.rng.randint(1, 364))

    def _given(self, gender: str, birth: date) -> str:
        if self.rng.random() < 0.08:
            return self.rng.choice(SINGLE_GIVEN[gender])
        return self.rng.choice(GIVEN[(_era(birth), gender)])

    def _person(self, house: int, relation: str, gender: str, age: int, surname: str, eth: str) -> int:
        birth = self._birth(age)
        taken = {self.persons[i].name for i in self.houses[house].people}
        name = surname + self._given(gender, birth)
        for _ in range(8):  # same names occur in a village, but not within one household, and rarely
            if name not in taken and name not in self._names:
                break
            name = surname + self._given(gender, birth)
        if name in taken:
            name = surname + self._given(gender, birth) + self.rng.choice(SINGLE_GIVEN[gender])
        self._names.add(name)
        p = _Person(len(self.persons), name, gender, birth, relation, eth, house)
        self.persons.append(p)
        self.houses[house].people.append(p.idx)
        return p.idx

    def _age_around(self, lo: int, hi: int, mode: float | None = None) -> int:
        return round(self.rng.triangular(lo, hi, mode if mode is not None else (lo + hi) / 2))

    def _children(self, h: int, mother_age: int, surname: str, eth: str, n: int, min_age: int = 0) -> list[int]:
        out: list[int] = []
        for _ in range(n):
            age = mother_age - self.rng.randint(22, 36)
            if age < min_age:
                continue
            gender = "男" if self.rng.random() < 0.52 else "女"
            out.append(self._person(h, "子" if gender == "男" else "女", gender, age, surname, eth))
        return out

    def _grandchildren(self, h: int, parent_age: int, surname: str, eth: str, n: int, outer: bool) -> None:
        for _ in range(n):
            age = parent_age - self.rng.randint(22, 32)
            if age < 0:
                continue
            gender = "男" if self.rng.random() < 0.52 else "女"
            rel = ("外孙子" if gender == "男" else "外孙女") if outer else ("孙子" if gender == "男" else "孙女")
            self._person(h, rel, gender, age, surname, eth)

    def _household(self, kind: str) -> None:
        rng = self.rng
        h = len(self.houses)
        self.houses.append(_House(h, kind))
        surname, eth = self._surname(True), self._ethnicity()
        if kind == "solo_old":
            gender = "女" if rng.random() < 0.6 else "男"
            self._person(h, "户主", gender, self._age_around(65, 95, 78), surname, eth)
        elif kind == "single":
            gender = "男" if rng.random() < 0.7 else "女"
            self._person(h, "户主", gender, self._age_around(24, 64, 45), surname, eth)
        elif kind == "old_couple":
            age = self._age_around(60, 90, 70)
            self._person(h, "户主", "男", age, surname, eth)
            self._person(h, "配偶", "女", max(58, age - rng.randint(0, 5)), self._surname(False), self._ethnicity())
        elif kind == "young_couple":
            age = self._age_around(23, 38, 28)
            self._person(h, "户主", "男", age, surname, eth)
            self._person(h, "配偶", "女", max(22, age - rng.randint(-1, 4)), self._surname(False), self._ethnicity())
        elif kind == "nuclear":
            age = self._age_around(27, 62, 47)
            wife = max(24, age - rng.randint(-2, 5))
            self._person(h, "户主", "男", age, surname, eth)
            self._person(h, "配偶", "女", wife, self._surname(False), self._ethnicity())
            n = rng.choices((1, 2, 3), weights=(55, 40, 5 if age >= 40 else 0))[0]
            self._children(h, wife, surname, eth, n)
        elif kind == "three_gen":
            age = self._age_around(52, 80, 63)
            wife = max(50, age - rng.randint(0, 4))
            self._person(h, "户主", "男", age, surname, eth)
            self._person(h, "配偶", "女", wife, self._surname(False), self._ethnicity())
            child_age = max(23, wife - rng.randint(22, 30))
            n_grand = rng.choices((1, 2), weights=(60, 40))[0]
            if rng.random() < 0.12:  # 招婿: the daughter stays, her husband moves in
                self._person(h, "女", "女", child_age, surname, eth)
                in_law_age = max(23, child_age + rng.randint(-1, 4))
                in_law_surname = self._surname(False)
                self._person(h, "女婿", "男", in_law_age, in_law_surname, self._ethnicity())
                self._grandchildren(h, child_age, in_law_surname, eth, n_grand, outer=True)
            else:
                self._person(h, "子", "男", child_age, surname, eth)
                in_law_age = max(22, child_age - rng.randint(-1, 4))
                self._person(h, "儿媳", "女", in_law_age, self._surname(False), self._ethnicity())
                self._grandchildren(h, in_law_age, surname, eth, n_grand, outer=False)
            if rng.random() < 0.1 and wife < 60:
                self._children(h, wife, surname, eth, 1, min_age=18)
        elif kind == "with_parents":
            age = self._age_around(32, 60, 45)
            wife = max(28, age - rng.randint(-2, 5))
            self._person(h, "户主", "男", age, surname, eth)
            self._person(h, "配偶", "女", wife, self._surname(False), self._ethnicity())
            self._children(h, wife, surname, eth, rng.choices((0, 1, 2), weights=(20, 55, 25))[0])
            mother = min(95, age + rng.randint(22, 34))
            both = rng.random() < 0.35 and mother <= 90
            if both:
                self._person(h, "父亲", "男", min(95, mother + rng.randint(0, 5)), surname, eth)
            self._person(h, "母亲", "女", mother, self._surname(False), self._ethnicity())
        else:  # pragma: no cover - programming error
            raise ValueError(kind)

    def _make_people(self) -> None:
        kinds = ("solo_old", "old_couple", "single", "young_couple", "nuclear", "three_gen", "with_parents")
        weights = (14, 23, 10, 6, 27, 10, 10)
        while len(self.persons) < N_RESIDENTS:
            self._household(self.rng.choices(kinds, weights=weights)[0])
        # Trim the last household to land exactly on the village's 815 (its last members go first).
        while len(self.persons) > N_RESIDENTS:
            p = self.persons.pop()
            self.houses[p.house].people.remove(p.idx)

    def _education(self, p: _Person) -> str:
        age = p.age()
        rng = self.rng
        if age < 6:
            return ""
        if age < 12:
            return "小学"
        if age < 15:
            return "初中"
        if age < 18:
            return rng.choices(("高中", "中专", "初中"), weights=(55, 30, 15))[0]
        if age < 23:
            options, weights = ("高中", "中专", "大学专科", "大学本科", "初中"), (25, 20, 25, 25, 5)
        elif age <= 40:
            options = ("初中", "高中", "中专", "大学专科", "大学本科", "研究生")
            weights = (25, 20, 15, 20, 17, 3)
        elif age <= 60:
            options = ("小学", "初中", "高中", "中专", "大学专科", "大学本科")
            weights = (18, 45, 20, 8, 6, 3)
        elif age <= 75:
            options, weights = ("文盲或半文盲", "小学", "初中", "高中"), (10, 45, 35, 10)
        else:
            options, weights = ("文盲或半文盲", "小学", "初中"), (40, 48, 12)
        return rng.choices(options, weights=weights)[0]

    def _id_number(self, p: _Person) -> str:
        parity = 1 if p.gender == "男" else 0
        while True:
            seq = self.rng.randrange(0, 500) * 2 + parity
            if seq == 0:
                continue
            area = next(code for since, code in AREA_CODES if p.birth.year >= since)
            first17 = f"{area}{p.birth:%Y%m%d}{seq:03d}"
            number = first17 + ric.calc_check_digit(first17 + "0")  # it ignores the last character
            if number not in self._ids:
                self._ids.add(number)
                return number

    def _phone(self) -> str:
        prefixes = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152",
                    "155", "156", "157", "158", "159", "180", "182", "183", "185", "186", "187", "188", "189")
        while True:
            number = self.rng.choice(prefixes) + f"{self.rng.randrange(10**8):08d}"
            if number not in self._phones:
                self._phones.add(number)
                return number

    def _statuses(self) -> None:
        rng = self.rng
        # 留守儿童: in some three-generation households both young parents work away.
        for house in self.houses:
            people = [self.persons[i] for i in house.people]
            young = [p for p in people if p.relation in ("子", "儿媳", "女", "女婿") and 20 <= p.age() <= 50]
            kids = [p for p in people if p.relation in ("孙子", "孙女", "外孙子", "外孙女") and p.age() < 16]
            if house.kind == "three_gen" and len(young) >= 2 and kids and rng.random() < 0.3:
                place = rng.choice(FLOW_PLACES)
                for p in young:
                    p.status, p.status_note = "外出务工", f"在{place}务工"
                    p.status_date = date(rng.randint(2019, 2025), rng.randint(1, 12), rng.randint(1, 28))
                house.tags.append("留守儿童")
        # Other people working away from the village.
        for p in self.persons:
            if p.status == "在册" and 20 <= p.age() <= 50 and rng.random() < 0.10:
                p.status, p.status_note = "外出务工", f"在{rng.choice(FLOW_PLACES)}务工"
                p.status_date = date(rng.randint(2016, 2025), rng.randint(1, 12), rng.randint(1, 28))
        # 迁出: daughters married out, young people moved for study or work (never the 户主).
        movers = [
            p for p in self.persons
            if p.relation in ("女", "子") and 19 <= p.age() <= 34 and p.status == "在册"
            and self.houses[p.house].kind in ("nuclear", "with_parents")
        ]
        for p in rng.sample(movers, min(7, len(movers))):
            p.status = "迁出"
            p.status_note = "婚嫁迁出" if p.gender == "女" else rng.choice(("升学迁出", "工作调动迁出"))
            p.status_date = date(rng.randint(2024, 2026), rng.randint(1, 9), rng.randint(1, 28))
        # 死亡: a few elderly people who are not the 户主.
        elderly = [
            p for p in self.persons
            if p.relation in ("父亲", "母亲", "配偶") and p.age() >= 72 and p.status == "在册"
        ]
        for p in rng.sample(elderly, min(5, len(elderly))):
            p.status, p.status_note = "死亡", "病故"
            p.status_date = date(rng.randint(2024, 2026), rng.randint(1, 9), rng.randint(1, 28))

    def _fill_details(self) -> None:
        for p in self.persons:
            p.education = self._education(p)
            p.id_number = self._id_number(p)
        for p in self.persons:
            age = p.age()
            if age < 18 or p.status == "死亡":
                continue
            chance = 0.97 if age < 70 else 0.75 if age < 85 else 0.4
            if self.rng.random() < chance:
                p.phone = self._phone()

    # -------------------------------------------------------- tags
    def _tags(self) -> None:
        rng = self.rng
        for house in self.houses:
            people = [self.persons[i] for i in house.people]
            living = [p for p in people if p.status in ("在册", "外出务工")]
            ages = [p.age() for p in living]
            if house.kind == "solo_old" and ages and ages[0] >= 65:
                house.tags.append("独居老人")
            elif house.kind == "old_couple" and ages and min(ages) >= 60:
                house.tags.append("空巢")

        def pick(tag: str, n: int, pool: list[_House]) -> list[_House]:
            pool = [h for h in pool if tag not in h.tags]
            chosen = rng.sample(pool, min(n, len(pool)))
            for h in chosen:
                h.tags.append(tag)
            return chosen

        elderly = [h for h in self.houses if h.kind in ("solo_old", "old_couple")]
        families = [h for h in self.houses if h.kind in ("nuclear", "three_gen", "with_parents")]
        pick("五保/特困", 3, [h for h in self.houses if h.kind == "solo_old"])
        pick("低保", 8, elderly)
        pick("低保", 4, [h for h in self.houses if h.kind in ("single", "nuclear")])
        pick("残疾", 14, self.houses)
        poor = pick("脱贫户", 8, [h for h in self.houses if "五保/特困" not in h.tags])
        pick("防返贫监测对象", 3, poor)
        pick("优抚对象/军烈属", 6, elderly + families)
        pick("出租房", 18, families)
        for h in self.houses:
            h.tags.sort(key=DEFAULT_HOUSEHOLD_TAGS.index)

    # -------------------------------------------------------- grids and the map
    def _grids(self) -> list[_GridPlan]:
        grids: list[_GridPlan] = []
        # Seven area grids tile the 1600×1000 map: four in the north row, three in the south row.
        rects: list[tuple[float, float, float, float]] = []
        for i in range(4):
            rects.append((i * 400, 0, (i + 1) * 400, 480))
        south = (0, 540, 1070, 1600)
        for i in range(3):
            rects.append((south[i], 480, south[i + 1], 1000))
        for i, rect in enumerate(rects):
            grids.append(_GridPlan(f"G{i + 1:02d}", f"第{CN_NUM[i]}网格", GRID_COLORS[i], _poly(rect), None, i + 1, rect))
        for i, (x0, y0, x1, y1) in enumerate(rects):
            # Each grid splits into two 微网格 across its longer side, a little off centre.
            cut = self.rng.uniform(0.42, 0.58)
            if x1 - x0 >= y1 - y0:
                xm = round(x0 + (x1 - x0) * cut)
                halves = [(x0, y0, xm, y1), (xm, y0, x1, y1)]
            else:
                ym = round(y0 + (y1 - y0) * cut)
                halves = [(x0, y0, x1, ym), (x0, ym, x1, y1)]
            for j, half in enumerate(halves):
                grids.append(
                    _GridPlan(
                        f"G{i + 1:02d}-{j + 1}", f"第{CN_NUM[i]}网格第{CN_NUM[j]}微网格",
                        _lighter(GRID_COLORS[i], 0.35 if j == 0 else 0.55), _poly(half), i, j + 1, half,
                    )
                )
        return grids

    def _place_houses(self, grids: list[_GridPlan]) -> None:
        micro = [i for i, g in enumerate(grids) if g.parent is not None]
        weights = [self.rng.uniform(0.75, 1.25) for _ in micro]
        total, n = sum(weights), len(self.houses)
        bounds = [0]
        acc = 0.0
        for w in weights:
            acc += w
            bounds.append(round(n * acc / total))
        order = list(range(n))
        self.rng.shuffle(order)  # household kinds spread across the village, numbers follow the streets
        street_no: dict[int, int] = {}
        seq = 0
        for k, g_idx in enumerate(micro):
            chunk = [self.houses[i] for i in order[bounds[k] : bounds[k + 1]]]
            g = grids[g_idx]
            parent = g.parent if g.parent is not None else g_idx
            x0, y0, x1, y1 = g.rect
            w, h = x1 - x0 - 50, y1 - y0 - 50
            cols = max(1, math.ceil(math.sqrt(len(chunk) * w / h))) if chunk else 1
            rows = max(1, math.ceil(len(chunk) / cols))
            for j, house in enumerate(chunk):
                seq += 1
                house.micro = g_idx
                house.number = f"{seq:04d}"
                street_no[parent] = street_no.get(parent, 0) + 1
                house.address = f"{UNIT_NAME}{CN_NUM[parent]}街{street_no[parent]}号"
                r, c = divmod(j, cols)
                house.x = round(x0 + 25 + (c + 0.5) * w / cols + self.rng.uniform(-6, 6), 1)
                house.y = round(y0 + 25 + (r + 0.5) * h / rows + self.rng.uniform(-6, 6), 1)
        self.houses.sort(key=lambda hh: hh.number)
        remap = {hh.idx: k for k, hh in enumerate(self.houses)}
        for k, hh in enumerate(self.houses):
            hh.idx = k
        for p in self.persons:
            p.house = remap[p.house]

    # -------------------------------------------------------- party organisation
    def _orgs(self) -> tuple[list[_OrgPlan], list[tuple[int, str, str, date, str]]]:
        orgs = [
            _OrgPlan("中共东坟村总支部委员会", "党总支", None, "DF", date(1998, 7, 1), 1),
            _OrgPlan("第一党支部", "党支部", 0, "DF-1", date(1998, 7, 1), 1, "负责第一至第四网格"),
            _OrgPlan("第二党支部", "党支部", 0, "DF-2", date(1998, 7, 1), 2, "负责第五至第七网格"),
            _OrgPlan("第一党小组", "党小组", 1, "DF-1-1", date(2014, 3, 1), 1, "第一、二网格"),
            _OrgPlan("第二党小组", "党小组", 1, "DF-1-2", date(2014, 3, 1), 2, "第三网格"),
            _OrgPlan("第三党小组", "党小组", 1, "DF-1-3", date(2014, 3, 1), 3, "第四网格"),
            _OrgPlan("第四党小组", "党小组", 2, "DF-2-1", date(2014, 3, 1), 1, "第五网格"),
            _OrgPlan("第五党小组", "党小组", 2, "DF-2-2", date(2014, 3, 1), 2, "第六、七网格"),
            _OrgPlan(f"{TOWNSHIP}{UNIT_NAME}联合党委", "联合党委", None, "DF-LH", date(2022, 6, 28), 2,
                     "以东坟村党总支为主体，联合驻村企业、学校和邻村党组织"),
        ]
        partners = [
            (8, "北京东坟绿源农业科技有限公司", "村企", date(2022, 6, 28), "村企联建：设施农业与就业岗位"),
            (8, "房山区城关第二小学东坟分校", "村校", date(2022, 6, 28), "村校联建：校外劳动教育基地"),
            (8, "城关街道西坟村", "村村", date(2023, 3, 15), "村村联建：环境整治与联防联治"),
        ]
        return orgs, partners

    def _members(
        self, grids: list[_GridPlan]
    ) -> tuple[list[_MemberPlan], list[tuple[int, int, str, date, str]], int]:
        rng = self.rng
        grid_of_person = {p.idx: _top_grid(grids, self.houses[p.house].micro) for p in self.persons}
        group_by_grid = {0: 3, 1: 3, 2: 4, 3: 5, 4: 6, 5: 7, 6: 7}
        branch_of_group = {3: 1, 4: 1, 5: 1, 6: 2, 7: 2}
        used: set[int] = set()

        def pool(lo: int, hi: int, statuses: tuple[str, ...] = ("在册",), need_phone: bool = False) -> list[_Person]:
            return [
                p for p in self.persons
                if p.idx not in used and lo <= p.age() <= hi and p.status in statuses
                and (p.phone or not need_phone)
            ]

        def take(candidates: list[_Person], n: int, male_weight: float = 3.0) -> list[_Person]:
            chosen: list[_Person] = []
            cands = list(candidates)
            for _ in range(n):
                if not cands:
                    break
                weights = [male_weight if p.gender == "男" else 1.0 for p in cands]
                p = rng.choices(cands, weights=weights)[0]
                cands.remove(p)
                used.add(p.idx)
                chosen.append(p)
            return chosen

        members: list[_MemberPlan] = []

        def add(p: _Person, stage: str, member_type: str) -> _MemberPlan:
            group = group_by_grid[grid_of_person[p.idx]]
            age = p.age()
            if member_type == "离退休" or (member_type == "农民" and age >= 60):
                category = "退休"
            elif age <= 35:
                category = "青年"
            else:
                category = "在职"
            m = _MemberPlan(p.idx, branch_of_group[group], group, stage, member_type, category)
            members.append(m)
            return m

        def full_dates(m: _MemberPlan) -> None:
            p = self.persons[m.person]
            earliest = _add_years(p.birth, 21) + timedelta(days=200)
            latest = min(_add_years(p.birth, 45), date(2025, 6, 30))
            if earliest > latest:
                latest = date(2025, 6, 30)
            joined = earliest + timedelta(days=rng.randint(0, max(0, (latest - earliest).days)))
            m.joined_on = joined
            m.confirmed_on = _add_years(joined, 1) + timedelta(days=rng.randint(0, 15))
            m.applied_on = joined - timedelta(days=rng.randint(900, 1100))
            m.activist_on = m.applied_on + timedelta(days=rng.randint(40, 150))
            m.candidate_on = joined - timedelta(days=rng.randint(90, 300))

        # 正式党员 by type (55), then 预备党员 (4); ages and statuses fit the type.
        for p in take(pool(24, 50, ("外出务工",)), 5):
            m = add(p, "正式党员", "流动")
            m.flow_out_place = p.status_note.removeprefix("在").removesuffix("务工") or rng.choice(FLOW_PLACES)
            full_dates(m)
        for p in take(pool(27, 56, need_phone=True), 8, male_weight=2.0):
            m = add(p, "正式党员", "在职")
            m.dual_report_unit = rng.choice(WORK_UNITS)
            full_dates(m)
        for p in take(pool(60, 82, need_phone=True), 7):
            m = add(p, "正式党员", "离退休")
            full_dates(m)
        n_farmers = N_MEMBERS - N_PROBATIONARY - len(members)
        old_farmers = take(pool(60, 90), n_farmers // 2)
        mid_farmers = take(pool(30, 59, need_phone=True), n_farmers - len(old_farmers))
        for p in old_farmers + mid_farmers:
            full_dates(add(p, "正式党员", "农民"))
        for p in take(pool(22, 38, need_phone=True), N_PROBATIONARY, male_weight=1.5):
            m = add(p, "预备党员", "农民" if rng.random() < 0.7 else "在职")
            if m.member_type == "在职":
                m.dual_report_unit = rng.choice(WORK_UNITS)
            m.joined_on = date(2025, 12, 1) + timedelta(days=rng.randint(0, 280))
            m.candidate_on = m.joined_on - timedelta(days=rng.randint(120, 300))
            m.activist_on = m.candidate_on - timedelta(days=rng.randint(380, 500))
            m.applied_on = m.activist_on - timedelta(days=rng.randint(40, 150))
        # 发展党员 pipeline: 2 each of 申请入党, 入党积极分子, 发展对象 (not counted among the 59).
        for stage in ("发展对象", "入党积极分子", "申请入党"):
            for p in take(pool(20, 40, need_phone=True), 2, male_weight=1.2):
                m = add(p, stage, "农民")
                if stage == "申请入党":
                    m.applied_on = date(2026, 3, 1) + timedelta(days=rng.randint(0, 180))
                elif stage == "入党积极分子":
                    m.applied_on = date(2025, 3, 1) + timedelta(days=rng.randint(0, 90))
                    m.activist_on = m.applied_on + timedelta(days=rng.randint(60, 150))
                else:
                    m.applied_on = date(2024, 3, 1) + timedelta(days=rng.randint(0, 90))
                    m.activist_on = m.applied_on + timedelta(days=rng.randint(60, 120))
                    m.candidate_on = m.activist_on + timedelta(days=rng.randint(400, 520))

        # Posts: the 总支 committee, a 书记 per 支部, a 党小组长 per 党小组, a 第一书记 and the 联合党委 书记.
        posts: list[tuple[int, int, str, date, str]] = []
        holder: set[int] = set()

        def eligible(lo: int, hi: int, org: int | None = None, group: int | None = None) -> list[int]:
            return [
                k for k, m in enumerate(members)
                if m.stage == "正式党员" and m.member_type in ("农民", "在职") and k not in holder
                and lo <= self.persons[m.person].age() <= hi and self.persons[m.person].phone
                and (org is None or m.org == org) and (group is None or m.group == group)
            ]

        def choose(cands: list[int], male_weight: float = 3.0) -> int:
            weights = [male_weight if self.persons[members[k].person].gender == "男" else 1.0 for k in cands]
            k = rng.choices(cands, weights=weights)[0]
            holder.add(k)
            return k

        secretary = choose(eligible(45, 58))
        posts.append((secretary, 0, "书记", TERM_START, "兼村委会主任、网格长"))
        posts.append((secretary, 8, "书记", date(2022, 6, 28), "联合党委书记"))
        for post in ("副书记", "组织委员", "宣传委员", "纪检委员"):
            male_weight = 1.0 if post in ("宣传委员", "纪检委员") else 3.0
            posts.append((choose(eligible(35, 62), male_weight), 0, post, TERM_START, ""))
        for branch in (1, 2):
            posts.append((choose(eligible(35, 65, org=branch)), branch, "书记", TERM_START, ""))
        for group in range(3, 8):
            cands = eligible(30, 70, group=group) or eligible(30, 70, org=branch_of_group[group])
            posts.append((choose(cands), group, "党小组长", TERM_START, ""))
        first = choose([k for k in eligible(27, 45) if members[k].member_type == "在职"] or eligible(27, 50))
        members[first].note = "区委组织部选派驻村第一书记"
        posts.append((first, 0, "第一书记", date(2024, 3, 1), "区委组织部选派"))
        return members, posts, members[secretary].person

    def _contacts(self, members: list[_MemberPlan], grids: list[_GridPlan]) -> list[tuple[int, int, date]]:
        """Every 党员 looks after 4–30 households near home; every household gets at least one."""
        rng = self.rng
        full = [k for k, m in enumerate(members) if m.stage in ("正式党员", "预备党员")]
        home = {k: self.persons[members[k].person].house for k in full}
        grid_of_house = [_top_grid(grids, h.micro) for h in self.houses]
        by_grid: dict[int, list[int]] = {}
        for k in full:
            by_grid.setdefault(grid_of_house[home[k]], []).append(k)
        links: dict[int, list[int]] = {k: [] for k in full}
        order = list(range(len(self.houses)))
        rng.shuffle(order)
        for h in order:
            cands = [k for k in by_grid.get(grid_of_house[h], []) if home[k] != h] or [k for k in full if home[k] != h]
            least = min(len(links[k]) for k in cands)
            k = rng.choice([k for k in cands if len(links[k]) == least])
            links[k].append(h)
        for k in full:
            near = [
                h for h in range(len(self.houses))
                if grid_of_house[h] == grid_of_house[home[k]] and h != home[k] and h not in links[k]
            ]
            rng.shuffle(near)
            while len(links[k]) < 4 and near:
                links[k].append(near.pop())
        out: list[tuple[int, int, date]] = []
        for k in full:
            joined = members[k].joined_on or CONTACTS_SINCE
            since = max(CONTACTS_SINCE, joined)
            out.extend((k, h, since) for h in sorted(links[k][:30]))
        return out

    def _grid_posts(self, grids: list[_GridPlan], members: list[_MemberPlan]) -> list[tuple[int, str, int, date, str]]:
        rng = self.rng
        member_people = {m.person for m in members if m.stage in ("正式党员", "预备党员")}
        used: set[int] = set()

        def pick(grid_indices: set[int], lo: int, hi: int, prefer_member: bool) -> int:
            cands = [
                p for p in self.persons
                if p.idx not in used and p.status == "在册" and p.phone and lo <= p.age() <= hi
                and self.houses[p.house].micro in grid_indices
            ]
            preferred = [p for p in cands if (p.idx in member_people) == prefer_member]
            p = rng.choice(preferred or cands)
            used.add(p.idx)
            return p.idx

        out: list[tuple[int, str, int, date, str]] = []
        for i, g in enumerate(grids):
            if g.parent is None:
                micro = {j for j, c in enumerate(grids) if c.parent == i}
                out.append((i, "网格长", pick(micro, 35, 62, True), GRID_POSTS_START, ""))
                out.append((i, "专职网格员", pick(micro, 25, 50, False), GRID_POSTS_START, ""))
        for i, g in enumerate(grids):
            if g.parent is not None:
                out.append((i, "微网格员", pick({i}, 30, 65, True), GRID_POSTS_START, ""))
                out.append((i, "辅助微网格员", pick({i}, 25, 70, False), GRID_POSTS_START, ""))
        # 楼栋长 for the two 回迁楼 in the south-east of the village.
        south_east = [i for i, g in enumerate(grids) if g.parent == 6]
        for n, i in enumerate(south_east * 2):
            out.append((i, "楼栋长", pick({i}, 35, 72, False), date(2024, 6, 1), f"回迁楼{n + 1}号楼"))
        return out

    # -------------------------------------------------------- all together
    def plan(self) -> _Plan:
        self._make_people()
        self._statuses()
        self._fill_details()
        self._tags()
        grids = self._grids()
        self._place_houses(grids)
        orgs, partners = self._orgs()
        members, posts, secretary = self._members(grids)
        contacts = self._contacts(members, grids)
        grid_posts = self._grid_posts(grids, members)
        return _Plan(self.persons, self.houses, grids, orgs, partners, members, posts, contacts, grid_posts, secretary)


def _top_grid(grids: list[_GridPlan], idx: int) -> int:
    parent = grids[idx].parent
    return idx if parent is None else parent


def _poly(rect: tuple[float, float, float, float]) -> list[list[int]]:
    x0, y0, x1, y1 = (round(v) for v in rect)
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]


def _lighter(color: str, amount: float) -> str:
    rgb = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c + (255 - c) * amount):02x}" for c in rgb)


# ---------------------------------------------------------------- writing (bulk inserts)
def _insert_ids(s: Session, model: type[Base], rows: list[dict[str, Any]]) -> list[int]:
    if not rows:
        return []
    stmt = insert(model).returning(model.id, sort_by_parameter_order=True)  # type: ignore[attr-defined]
    return list(s.scalars(stmt, rows))


def _write(s: Session, plan: _Plan) -> DemoSummary:
    secretary = plan.persons[plan.secretary]
    unit = Unit(
        name=UNIT_NAME, kind="村", township=TOWNSHIP, county=COUNTY,
        contact_person=secretary.name, contact_phone=secretary.phone, objection_box=OBJECTION_BOX,
        notice_days=5, notice_workdays=False, is_demo=True,
    )
    s.add(unit)
    s.flush()
    uid = unit.id
    operator_ids = _insert_ids(
        s, Operator, [{"unit_id": uid, "username": "admin", "display_name": "村书记", "role": "admin",
                       "password_hash": None, "active": True}]
    )
    tag_ids = dict(zip(
        DEFAULT_HOUSEHOLD_TAGS,
        _insert_ids(s, Tag, [{"unit_id": uid, "name": t, "sort_order": i} for i, t in enumerate(DEFAULT_HOUSEHOLD_TAGS)]),
        strict=True,
    ))

    # Grids first (parents, then micro-grids), households point at their micro-grid.
    grid_ids: list[int] = [0] * len(plan.grids)
    for level in (False, True):
        idx = [i for i, g in enumerate(plan.grids) if (g.parent is not None) == level]
        rows = [
            {
                "unit_id": uid, "parent_id": grid_ids[g.parent] if g.parent is not None else None,
                "code": g.code, "name": g.name, "kind": "普通", "color": g.color, "polygon": g.polygon,
                "sort_order": g.sort_order, "note": "",
            }
            for g in (plan.grids[i] for i in idx)
        ]
        for i, new_id in zip(idx, _insert_ids(s, Grid, rows), strict=True):
            grid_ids[i] = new_id

    house_ids = _insert_ids(s, Household, [
        {"unit_id": uid, "number": h.number, "address": h.address, "grid_id": grid_ids[h.micro],
         "map_x": h.x, "map_y": h.y, "note": ""}
        for h in plan.houses
    ])
    tag_rows = [{"household_id": house_ids[h.idx], "tag_id": tag_ids[t]} for h in plan.houses for t in h.tags]
    if tag_rows:
        s.execute(household_tags.insert(), tag_rows)

    person_ids = _insert_ids(s, Resident, [
        {
            "unit_id": uid, "name": p.name, "name_initials": name_initials(p.name),
            "name_pinyin": name_pinyin(p.name), "gender": p.gender, "ethnicity": p.ethnicity,
            "id_number": p.id_number, "birth_date": p.birth, "phone": p.phone,
            "household_id": house_ids[p.house], "relation": p.relation, "education": p.education,
            "status": p.status, "status_date": p.status_date, "status_note": p.status_note, "note": "",
        }
        for p in plan.persons
    ])

    org_ids: list[int] = [0] * len(plan.orgs)
    for depth in range(3):  # parents before children
        idx = [i for i, o in enumerate(plan.orgs) if _org_depth(plan.orgs, i) == depth]
        rows = [
            {"unit_id": uid, "parent_id": org_ids[o.parent] if o.parent is not None else None, "name": o.name,
             "kind": o.kind, "code": o.code, "established_on": o.established_on, "sort_order": o.sort_order,
             "note": o.note}
            for o in (plan.orgs[i] for i in idx)
        ]
        for i, new_id in zip(idx, _insert_ids(s, PartyOrg, rows), strict=True):
            org_ids[i] = new_id
    _insert_ids(s, OrgPartner, [
        {"org_id": org_ids[o], "name": name, "kind": kind, "since": since, "note": note}
        for o, name, kind, since, note in plan.partners
    ])

    member_ids = _insert_ids(s, PartyMember, [
        {
            "resident_id": person_ids[m.person], "org_id": org_ids[m.org],
            "group_id": org_ids[m.group] if m.group is not None else None, "stage": m.stage,
            "applied_on": m.applied_on, "activist_on": m.activist_on, "candidate_on": m.candidate_on,
            "joined_on": m.joined_on, "confirmed_on": m.confirmed_on, "member_type": m.member_type,
            "points_category": m.points_category, "flow_out_place": m.flow_out_place,
            "dual_report_unit": m.dual_report_unit, "note": m.note,
        }
        for m in plan.members
    ])
    _insert_ids(s, MemberPost, [
        {"member_id": member_ids[k], "org_id": org_ids[o], "post": post, "start_on": start, "note": note}
        for k, o, post, start, note in plan.member_posts
    ])
    _insert_ids(s, MemberContact, [
        {"member_id": member_ids[k], "household_id": house_ids[h], "since": since, "note": ""}
        for k, h, since in plan.contacts
    ])
    _insert_ids(s, GridPost, [
        {"grid_id": grid_ids[g], "post": post, "resident_id": person_ids[p],
         "person_name": plan.persons[p].name, "phone": plan.persons[p].phone, "start_on": start, "note": note}
        for g, post, p, start, note in plan.grid_posts
    ])
    s.add(AuditEntry(
        unit_id=uid, operator_id=operator_ids[0], action="demo", entity="unit", entity_id=uid,
        summary=f"生成演示村：{TOWNSHIP}{UNIT_NAME}",
    ))
    s.flush()

    statuses = [p.status for p in plan.persons]
    stages = [m.stage for m in plan.members]
    return DemoSummary(
        unit_name=UNIT_NAME,
        residents=len(plan.persons),
        residents_registered=statuses.count("在册"),
        residents_away=statuses.count("外出务工"),
        residents_moved_out=statuses.count("迁出"),
        residents_deceased=statuses.count("死亡"),
        households=len(plan.houses),
        tagged_households=sum(1 for h in plan.houses if h.tags),
        members=stages.count("正式党员") + stages.count("预备党员"),
        members_full=stages.count("正式党员"),
        members_probationary=stages.count("预备党员"),
        pipeline=sum(1 for st in stages if st not in ("正式党员", "预备党员")),
        orgs=len(plan.orgs),
        grids=sum(1 for g in plan.grids if g.parent is None),
        micro_grids=sum(1 for g in plan.grids if g.parent is not None),
        grid_posts=len(plan.grid_posts),
        member_posts=len(plan.member_posts),
        contacts=len(plan.contacts),
    )


def _org_depth(orgs: list[_OrgPlan], i: int) -> int:
    depth = 0
    parent = orgs[i].parent
    while parent is not None:
        depth += 1
        parent = orgs[parent].parent
    return depth
