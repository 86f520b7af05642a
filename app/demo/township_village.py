"""One village of the seed township (app/demo/township.py): households, residents, 党员, a decided 2026
星级文明户 round, a few 工单, 积分 and the round's 公示, written with bulk inserts into a fresh database.

Sizes come from the caller (the township's 13 villages, or the bench's 47); the star levels too, so the
villages add up to the township's figures exactly. Deterministic for a given random.Random; dates are
fixed around DEMO_TODAY. The rows are plausible, not a story (the 东坟村 demo is the story).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from app.models import (
    Household,
    MemberContact,
    MemberPost,
    Operator,
    PartyMember,
    PartyOrg,
    PointEntry,
    PointRule,
    Resident,
    Ticket,
    TicketCategory,
    TicketEvent,
    Unit,
)
from app.models.tickets import CHANNELS
from app.text import name_initials, name_pinyin

from ..services import audit
from ..services.points import assessments
from ..services.points.rules import ensure_default_rules
from ..services.tickets.catalog import ensure_defaults as ensure_ticket_defaults
from . import stars as demo_stars
from .facts import DEMO_TODAY
from .ids import make_id_number
from .names import GIVEN, SINGLE_GIVEN, SURNAMES

# 行政区划代码 of the place as it was when a resident was born (python-stdnum checks the years):
# 140108 尖草坪区 (from 1997), 140113 北郊区 (1983–1997), 140100 太原市 before.
AREA_CODES = ((1997, "140108"), (1983, "140113"), (0, "140100"))
SIZE_WEIGHTS = {1: 17, 2: 32, 3: 26, 4: 16, 5: 6, 6: 3}  # mean ≈ 2.7 people a household
MEMBER_SHARE = 0.06
STAMP = datetime(2026, 10, 20, 9, 0)
CHUNK = 20_000
TICKET_TEXTS = (
    ("民生诉求", "路灯不亮，晚上出行不便"), ("环境卫生", "垃圾桶满了没人清运"), ("乱堆乱放", "门前堆放建筑垃圾占道"),
    ("安全隐患", "电线老化垂落到院墙上"), ("矛盾纠纷", "邻里因宅基地边界发生争执"), ("民生诉求", "自来水水压低"),
    ("私搭乱建", "院外私自加盖偏房"), ("治安稳定", "电动车被盗"),
)


@dataclass(frozen=True)
class VillageSpec:
    name: str
    district: str  # 片区 ("" = none)
    households: int
    residents: int
    levels: dict[int, int]  # decided 2026 stars: level → households


@dataclass(frozen=True)
class VillageCounts:
    unit_id: int
    households: int
    residents: int
    members: int
    tickets: int
    starred: int


def _bulk(s: Session, table: Table | Any, rows: Sequence[dict[str, Any]]) -> None:
    """Core executemany in chunks; every dict has the same keys."""
    target = table if isinstance(table, Table) else table.__table__
    for i in range(0, len(rows), CHUNK):
        s.execute(insert(target), list(rows[i: i + CHUNK]))


def _sizes(rng: random.Random, households: int, residents: int) -> list[int]:
    """Household sizes drawn from SIZE_WEIGHTS, then nudged (within 1..7) to add up to `residents`."""
    sizes = rng.choices(list(SIZE_WEIGHTS), list(SIZE_WEIGHTS.values()), k=households)
    gap = residents - sum(sizes)
    while gap:
        i = rng.randrange(households)
        step = 1 if gap > 0 else -1
        if 1 <= sizes[i] + step <= 7:
            sizes[i] += step
            gap -= step
    return sizes


class _Village:
    def __init__(self, s: Session, spec: VillageSpec, township: str, county: str, rng: random.Random) -> None:
        self.s, self.spec, self.rng = s, spec, rng
        self.township, self.county = township, county
        self.seq: dict[tuple[str, date, str], int] = {}

    def build(self) -> VillageCounts:
        s, spec = self.s, self.spec
        secretary = self._name("男", 1968)
        unit = Unit(name=spec.name, kind="村", township=self.township, county=self.county, district=spec.district,
                    contact_person=secretary, contact_phone=self._phone(), objection_box="村委会公示栏旁",
                    notice_days=5, is_demo=True)
        s.add(unit)
        s.flush()
        self.uid = unit.id
        op = Operator(unit_id=self.uid, username="admin", display_name="村书记", role="admin", password_hash=None)
        s.add(op)
        s.flush()
        self.op_id = op.id
        self._people()
        members = self._members()
        tickets = self._tickets()
        token = audit.current_operator_id.set(self.op_id)  # the services log the 村书记 as who did it
        try:
            self._points()
            # the decided round, its archived 公示 and the 加星/减星 after it, as the 东坟村 demo makes them
            demo_stars.extend(s, self.uid, self.rng, levels=spec.levels)
        finally:
            audit.current_operator_id.reset(token)
        audit.record(s, self.uid, "create", "operator", self.op_id, "新增操作员：村书记（书记(管理员)）",
                     audit.operator_detail(s, self.op_id))  # its digest, for `check`
        s.flush()
        return VillageCounts(self.uid, spec.households, spec.residents, members, tickets, sum(spec.levels.values()))

    # ---------------------------------------------------------------- people
    def _name(self, gender: str, born: int, surname: str | None = None) -> str:
        rng = self.rng
        surname = surname or rng.choices([n for n, _ in SURNAMES], [w for _, w in SURNAMES])[0]
        era = 0 if born < 1950 else 1 if born < 1975 else 2 if born < 2005 else 3
        return surname + (rng.choice(SINGLE_GIVEN[gender]) if rng.random() < 0.08 else rng.choice(GIVEN[(era, gender)]))

    def _phone(self) -> str:
        return f"1{self.rng.choice('3589')}{self.rng.randrange(10**9):09d}"

    def _id_number(self, gender: str, birth: date) -> str:
        area = next(code for since, code in AREA_CODES if birth.year >= since)
        n = self.seq.get((area, birth, gender), 0)
        self.seq[(area, birth, gender)] = n + 1
        return make_id_number(area, birth, n * 2 + (1 if gender == "男" else 2))  # odd = 男

    def _birth(self, age_lo: int, age_hi: int) -> date:
        return DEMO_TODAY - timedelta(days=self.rng.randint(max(age_lo, 0) * 365 + 1, max(age_hi, 1) * 365 + 300))

    def _people(self) -> None:
        rng, spec = self.rng, self.spec
        households: list[dict[str, Any]] = []
        residents: list[dict[str, Any]] = []
        self.adults: list[tuple[int, int, date]] = []  # (resident id, household id, birth)
        self.heads: list[tuple[int, str, str]] = []  # (resident id, name, phone) of heads living here
        stem = spec.name.removesuffix("村")
        for h, size in enumerate(_sizes(rng, spec.households, spec.residents)):
            hid = h + 1
            households.append({"id": hid, "unit_id": self.uid, "number": f"{hid:04d}",
                               "address": f"{stem}{'东西南北中'[h % 5]}街{h // 5 + 1}号", "note": ""})
            head_gender = "男" if rng.random() < 0.85 else "女"
            head_birth = self._birth(28, 85)
            surname = ""
            for k in range(size):
                if k == 0:
                    gender, birth, relation = head_gender, head_birth, "户主"
                elif k == 1:
                    gender = "女" if head_gender == "男" else "男"
                    birth = min(DEMO_TODAY - timedelta(days=18 * 366),
                                head_birth + timedelta(days=rng.randint(-1500, 1500)))
                    relation = "配偶"
                else:
                    gender = rng.choice("男女")
                    age_head = (DEMO_TODAY - head_birth).days // 365
                    grand = k >= 4 and age_head >= 50
                    lo, hi = (age_head - 55, age_head - 45) if grand else (age_head - 35, age_head - 22)
                    birth = self._birth(lo, hi)
                    relation = ("孙子" if grand else "子") if gender == "男" else ("孙女" if grand else "女")
                name = self._name(gender, birth.year, surname if k >= 2 else None)
                surname = surname or name[0]
                rid = len(residents) + 1
                age = (DEMO_TODAY - birth).days // 365
                r = rng.random()
                status = "在册" if r < 0.92 or age < 18 else "外出务工" if r < 0.98 else "迁出"
                phone = self._phone() if age >= 16 else ""
                residents.append({
                    "id": rid, "unit_id": self.uid, "name": name, "name_initials": name_initials(name),
                    "name_pinyin": name_pinyin(name), "gender": gender, "ethnicity": "汉族",
                    "id_number": self._id_number(gender, birth), "birth_date": birth, "phone": phone,
                    "household_id": hid, "relation": relation,
                    "education": rng.choice(("小学", "初中", "初中", "高中", "中专", "大学专科")) if age >= 16 else "",
                    "status": status, "status_date": date(2025, rng.randint(1, 12), 1) if status != "在册" else None,
                    "status_note": "", "note": "",
                })
                if age >= 20 and status != "迁出":
                    self.adults.append((rid, hid, birth))
                if k == 0 and status == "在册":
                    self.heads.append((rid, name, phone))
        _bulk(self.s, Household, households)
        _bulk(self.s, Resident, residents)

    # ---------------------------------------------------------------- 党支部, 党员
    def _members(self) -> int:
        rng, spec, s = self.rng, self.spec, self.s
        n_groups = max(2, min(6, spec.residents // 300))
        orgs = [{"id": 1, "unit_id": self.uid, "parent_id": None, "name": f"中共{self.township}{spec.name}支部委员会",
                 "kind": "党支部", "code": "", "established_on": date(1956, 7, 1), "sort_order": 0, "note": ""}]
        orgs += [{"id": g + 2, "unit_id": self.uid, "parent_id": 1, "name": f"第{'一二三四五六'[g]}党小组",
                  "kind": "党小组", "code": "", "established_on": date(2018, 3, 1), "sort_order": g + 1, "note": ""}
                 for g in range(n_groups)]
        _bulk(s, PartyOrg, orgs)
        chosen = sorted(rng.sample(range(len(self.adults)), min(len(self.adults), round(spec.residents * MEMBER_SHARE))))
        members: list[dict[str, Any]] = []
        for k, idx in enumerate(chosen):
            rid, hid, birth = self.adults[idx]
            age = (DEMO_TODAY - birth).days // 365
            probationary = rng.random() < 0.03
            joined = (DEMO_TODAY - timedelta(days=rng.randint(60, 330)) if probationary
                      else min(date(2023, 6, 30), birth + timedelta(days=rng.randint(20 * 365, max(20 * 365 + 1, (age - 1) * 365)))))
            members.append({
                "id": k + 1, "resident_id": rid, "org_id": 1, "group_id": 2 + hid * n_groups // (spec.households + 1),
                "stage": "预备党员" if probationary else "正式党员", "joined_on": joined,
                "confirmed_on": None if probationary else joined + timedelta(days=366),
                "member_type": "离退休" if age >= 60 else "农民", "points_category": "退休" if age >= 60 else "在职",
                "note": "",
            })
        _bulk(s, PartyMember, members)
        _bulk(s, MemberPost, [{"member_id": 1, "org_id": 1, "post": "书记", "start_on": date(2024, 4, 1), "note": ""}])
        # each household looked after by one 党员 (联系户), households spread over the members in turn
        _bulk(s, MemberContact, [{"member_id": h % len(members) + 1, "household_id": h + 1, "since": date(2025, 3, 1),
                                  "note": ""} for h in range(spec.households)] if members else [])
        self.member_ids = [m["id"] for m in members]
        return len(members)

    # ---------------------------------------------------------------- 工单
    def _tickets(self) -> int:
        rng, s = self.rng, self.s
        ensure_ticket_defaults(s, self.uid)
        cats = dict(s.execute(select(TicketCategory.name, TicketCategory.id).where(TicketCategory.unit_id == self.uid)).all())
        n = max(6, self.spec.households // 25)
        tickets: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        start = datetime(2026, 1, 5, 9, 0)
        for i in range(n):
            tid = i + 1
            rid, name, phone = self.heads[rng.randrange(len(self.heads))]
            received = start + timedelta(days=i * 290 // n, hours=rng.randint(0, 8))
            cat, text = TICKET_TEXTS[rng.randrange(len(TICKET_TEXTS))]
            state = "closed" if i < n * 0.85 else "replied" if i < n * 0.93 else "received"
            replied = received + timedelta(hours=rng.randint(4, 90)) if state != "received" else None
            closed = replied + timedelta(days=rng.randint(1, 5)) if state == "closed" and replied else None
            satisfaction = rng.choices(("满意", "基本满意", "不满意"), (80, 15, 5))[0] if closed else None
            tickets.append({
                "id": tid, "unit_id": self.uid, "year": 2026, "seq": tid, "number": f"2026-{tid:04d}",
                "channel": CHANNELS[rng.randrange(len(CHANNELS))], "category_id": cats[cat], "service_item_id": None,
                "requester_id": rid, "requester_name": name, "requester_phone": phone, "household_id": None,
                "grid_id": None, "content": text, "received_at": received, "due_at": received + timedelta(hours=72),
                "priority": "普通", "state": state, "mode": "派单办理" if replied else None,
                "reply": "已处理" if replied else "", "replied_at": replied, "visited_at": closed,
                "visited_by": "网格员" if closed else "", "satisfaction": satisfaction, "closed_at": closed,
            })
            at, prev = received, None
            for kind in ("received", "replied", "closed")[: 1 + (replied is not None) + (closed is not None)]:
                at = closed if kind == "closed" and closed else replied if kind == "replied" and replied else at
                events.append({"id": len(events) + 1, "ticket_id": tid, "at": at, "kind": kind, "from_state": prev,
                               "to_state": kind, "operator_id": self.op_id, "note": ""})
                prev = kind
        _bulk(s, Ticket, tickets)
        _bulk(s, TicketEvent, events)
        return n

    # ---------------------------------------------------------------- 党员积分
    def _points(self) -> None:
        rng, s = self.rng, self.s
        if not self.member_ids:
            return
        ensure_default_rules(s, self.uid)
        rules = list(s.execute(select(PointRule.id, PointRule.kind, PointRule.points)
                               .where(PointRule.unit_id == self.uid, PointRule.scope == "member",
                                      PointRule.kind.in_(("duty", "reward")))))
        entries: list[dict[str, Any]] = []
        for year, last in ((2025, date(2025, 12, 31)), (2026, DEMO_TODAY)):
            for mid in self.member_ids:
                for _ in range(rng.randint(2, 6)):
                    rule = rules[rng.randrange(len(rules))]
                    day = date(year, 1, 1) + timedelta(days=rng.randrange((last - date(year, 1, 1)).days + 1))
                    entries.append({"id": len(entries) + 1, "member_id": mid, "rule_id": rule.id, "entry_date": day,
                                    "year": year, "points": Decimal(rule.points), "note": "", "source": "manual",
                                    "operator_id": self.op_id, "created_at": STAMP})
        _bulk(s, PointEntry, entries)
        # 2025 computed and published, 2026's draft computed, as the 支委会 would through the service
        assessments.compute_assessment(s, self.uid, 2025, on=date(2025, 1, 5))
        assessments.publish_assessment(s, self.uid, 2025, on=date(2026, 1, 15))
        assessments.compute_assessment(s, self.uid, 2026, on=date(2026, 1, 5))


def build_village(s: Session, spec: VillageSpec, township: str, county: str, rng: random.Random) -> VillageCounts:
    """Write one village into an empty database (the caller commits)."""
    return _Village(s, spec, township, county, rng).build()
