"""Planning the demo's residents and households: families, statuses, ID numbers, phones, tags."""

from __future__ import annotations

import random
from datetime import date, timedelta

from stdnum.cn import ric

from app.models.people import DEFAULT_HOUSEHOLD_TAGS

from .facts import AREA_CODES, DEMO_TODAY, N_RESIDENTS
from .names import _S_FLAT, _S_LOCAL, _S_NAMES, FLOW_PLACES, GIVEN, SINGLE_GIVEN
from .plan import _era, _House, _Person


# The first half of the planner; planner._Planner adds the map, the party and the links.
class _PeoplePlanner:
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
