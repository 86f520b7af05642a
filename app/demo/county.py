"""County-scale demo data (`villagedesk demo --scale county`), for benchmarks and load checks.

One unit (县级汇总) pooling a county's data: 150,000 residents in 50,000 households, 10,000 党员 in
300 支部, 1,500 grids (300 网格 × 4 微网格 + the 300), 100,000 tickets of 2025 with their events,
500,000 point entries over 2024–2026, 2,000 meetings with attendance, and three years of 星级文明户
rounds. Deterministic (one random.Random(SEED), fixed dates), written with Core executemany of plain
dicts with explicit ids in one transaction (no ORM objects, no RETURNING), so it builds in well
under a minute on an old PC. The rows are plausible, not a story: the village demo is for people.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

from app.models import (
    Assessment,
    Attendance,
    AuditEntry,
    Grid,
    GridPost,
    Household,
    Meeting,
    MemberContact,
    MemberPost,
    Operator,
    PartyMember,
    PartyOrg,
    PointEntry,
    PointRule,
    Resident,
    ServiceItem,
    StarApplication,
    StarApplicationItem,
    StarCategory,
    StarRound,
    StarRoundStep,
    Tag,
    Ticket,
    TicketAssignee,
    TicketCategory,
    TicketEvent,
    Unit,
    household_tags,
)
from app.models.people import DEFAULT_HOUSEHOLD_TAGS
from app.models.stars import DEFAULT_STAR_CATEGORIES
from app.models.tickets import DEFAULT_SERVICE_ITEMS, DEFAULT_TICKET_CATEGORIES
from app.text import name_initials, name_pinyin

from ..services import audit
from ..services.errors import ServiceError
from ..services.points.rules import ensure_default_rules
from .ids import make_id_number
from .names import GIVEN, SINGLE_GIVEN, SURNAMES
from .village import has_data, wipe_all

SEED = 20261124
TODAY = date(2026, 11, 1)
STAMP = datetime(2026, 11, 1, 8, 0)
UNIT_NAME = "县级汇总"
TOWNSHIP = "城关镇"
COUNTY = "香河县"
AREAS = ("131024", "131022", "131025", "131028")  # 香河县, 固安县, 永清县, 大厂回族自治县


@dataclass(frozen=True)
class Scale:
    households: int = 50_000
    residents: int = 150_000
    members: int = 10_000
    branches: int = 300
    grids: int = 300  # top-level grids; each has MICRO micro-grids
    tickets: int = 100_000
    point_entries: int = 500_000
    meetings: int = 2_000
    star_share: float = 0.3  # households applying in each round


MICRO = 4
COUNTY_SCALE = Scale()
TINY_SCALE = Scale(households=300, residents=900, members=120, branches=6, grids=6, tickets=600,
                   point_entries=3_000, meetings=30)
POINT_YEARS = (2024, 2025, 2026)
TICKET_YEAR = 2025
STAR_YEARS = (2024, 2025, 2026)
CHUNK = 20_000


@dataclass(frozen=True)
class CountySummary:
    counts: dict[str, int]
    seconds: float

    def lines(self) -> list[str]:
        c = self.counts
        return [
            f"县级演示数据：{COUNTY}{TOWNSHIP}{UNIT_NAME}",
            f"居民 {c['residents']} 人，户 {c['households']} 户，党员 {c['members']} 名，党支部 {c['branches']} 个",
            f"网格 {c['grids']} 个（含微网格），工单 {c['tickets']} 件（办理记录 {c['ticket_events']} 条）",
            f"积分记录 {c['point_entries']} 条，会议 {c['meetings']} 次，星级文明户申报 {c['star_applications']} 户次",
            f"用时 {self.seconds:.1f} 秒",
        ]


def build_county(s: Session, force: bool = False, scale: Scale = COUNTY_SCALE) -> CountySummary:
    """Fill an empty database with the county dataset. The caller commits."""
    if has_data(s):
        if not force:
            raise ServiceError("数据库中已有数据，未生成县级演示数据。如确需清空全部数据，请用 --force。")
        wipe_all(s)
    started = time.perf_counter()
    counts = _Builder(s, scale, random.Random(SEED)).build()
    return CountySummary(counts, time.perf_counter() - started)


def _bulk(s: Session, table: Table | Any, rows: Sequence[dict[str, Any]]) -> int:
    """executemany in chunks; every dict has the same keys (no per-row Python defaults)."""
    target = table if isinstance(table, Table) else table.__table__
    for i in range(0, len(rows), CHUNK):
        s.execute(insert(target), list(rows[i : i + CHUNK]))
    return len(rows)


def _ts() -> dict[str, datetime]:
    return {"created_at": STAMP, "updated_at": STAMP}


def _spread(rng: random.Random, total: int, parts: int, low: int, high: int) -> list[int]:
    """`parts` sizes in [low, high] summing to `total` (starts even, then moves people around)."""
    base, extra = divmod(total, parts)
    sizes = [base + (1 if i < extra else 0) for i in range(parts)]
    for _ in range(parts):
        a, b = rng.randrange(parts), rng.randrange(parts)
        if a != b and sizes[a] > low and sizes[b] < high:
            sizes[a] -= 1
            sizes[b] += 1
    return sizes


class _Builder:
    def __init__(self, s: Session, scale: Scale, rng: random.Random) -> None:
        self.s, self.sc, self.rng = s, scale, rng
        self.counts: dict[str, int] = {}
        self.id_seq: dict[tuple[str, date, str], int] = {}

    def build(self) -> dict[str, int]:
        s = self.s
        unit = Unit(name=UNIT_NAME, kind="村", township=TOWNSHIP, county=COUNTY, contact_person="王建国",
                    contact_phone="0316-8123456", objection_box="镇政府大门东侧", notice_days=5, is_demo=True)
        s.add(unit)
        s.flush()
        self.uid = unit.id
        op = Operator(unit_id=self.uid, username="admin", display_name="书记", role="admin", password_hash=None)
        s.add(op)
        s.flush()
        self.op_id = op.id
        self._grids()
        self._people()
        self._orgs_and_members()
        self._points_and_meetings()
        self._stars()
        self._tickets()
        s.add(AuditEntry(unit_id=self.uid, operator_id=self.op_id, action="demo", entity="unit", entity_id=self.uid,
                         summary=f"生成县级演示数据：{UNIT_NAME}"))
        audit.record(s, self.uid, "create", "operator", self.op_id, "新增操作员：书记（书记(管理员)）",
                     audit.operator_detail(s, self.op_id))  # its digest, for `check`
        s.flush()
        return self.counts

    # ---------------------------------------------------------------- people
    def _person(self, gender: str, birth: date, surname: str | None = None) -> dict[str, Any]:
        rng = self.rng
        surname = surname or rng.choices([n for n, _ in SURNAMES], [w for _, w in SURNAMES])[0]
        era = 0 if birth.year < 1950 else 1 if birth.year < 1975 else 2 if birth.year < 2005 else 3
        given = rng.choice(SINGLE_GIVEN[gender]) if rng.random() < 0.08 else rng.choice(GIVEN[(era, gender)])
        name = surname + given
        area = AREAS[rng.randrange(len(AREAS))]
        key = (area, birth, gender)
        n = self.id_seq.get(key, 0)
        self.id_seq[key] = n + 1
        seq = n * 2 + (1 if gender == "男" else 2)  # odd = 男
        if seq > 999:
            raise ServiceError("身份证号顺序码用完")
        return {"name": name, "gender": gender, "birth_date": birth, "id_number": make_id_number(area, birth, seq)}

    def _birth(self, age_lo: int, age_hi: int) -> date:
        days = self.rng.randint(age_lo * 365 + 1, age_hi * 365 + 300)
        return TODAY - timedelta(days=days)

    def _phone(self) -> str:
        return f"1{self.rng.choice('3456789')}{self.rng.randrange(10**9):09d}"

    def _people(self) -> None:
        sc, rng = self.sc, self.rng
        sizes = _spread(rng, sc.residents, sc.households, 1, 7)
        n_micro = len(self.micro_ids)
        tag_ids = _bulk_ids(self.s, Tag, [{"unit_id": self.uid, "name": t, "sort_order": i, "active": True, **_ts()}
                                          for i, t in enumerate(DEFAULT_HOUSEHOLD_TAGS)])
        households, residents, tags = [], [], []
        self.household_grid: list[int] = []
        rid = 0
        relations_kid = {"男": ("子", "孙子"), "女": ("女", "孙女")}
        for h, size in enumerate(sizes):
            hid = h + 1
            micro = h * n_micro // sc.households
            x0, y0, x1, y1 = self.micro_rects[micro]
            households.append({
                "id": hid, "unit_id": self.uid, "number": f"{hid:06d}", "address": f"{self.grid_names[micro]}{h % 97 + 1}号",
                "grid_id": self.micro_ids[micro], "map_x": round(rng.uniform(x0, x1), 1),
                "map_y": round(rng.uniform(y0, y1), 1), "note": "", "closed_on": None, "close_reason": "",
                "import_batch_id": None, **_ts(),
            })
            self.household_grid.append(micro)
            if rng.random() < 0.12:
                tags.append({"household_id": hid, "tag_id": tag_ids[rng.randrange(len(tag_ids))]})
            head_gender = "男" if rng.random() < 0.85 else "女"
            head_birth = self._birth(28, 85)
            surname = None
            for k in range(size):
                if k == 0:
                    p, relation = self._person(head_gender, head_birth), "户主"
                    surname = p["name"][0]
                elif k == 1:
                    g = "女" if head_gender == "男" else "男"
                    b = min(TODAY - timedelta(days=18 * 366), head_birth + timedelta(days=rng.randint(-1500, 1500)))
                    p, relation = self._person(g, b), "配偶"
                else:
                    g = rng.choice("男女")
                    age_head = (TODAY - head_birth).days // 365
                    grand = k >= 4 and age_head >= 50
                    lo, hi = (age_head - 55, age_head - 45) if grand else (age_head - 35, age_head - 22)
                    p = self._person(g, self._birth(max(lo, 0), max(hi, 1)), surname)
                    relation = relations_kid[g][1 if grand else 0]
                rid += 1
                age = (TODAY - p["birth_date"]).days // 365
                r = rng.random()
                status = "在册" if r < 0.90 else "外出务工" if r < 0.97 else "迁出" if r < 0.99 else "死亡"
                if status == "外出务工" and age < 18:
                    status = "在册"
                residents.append({
                    "id": rid, "unit_id": self.uid, **p, "name_initials": name_initials(p["name"]),
                    "name_pinyin": name_pinyin(p["name"]), "ethnicity": "汉族" if rng.random() < 0.96 else "回族",
                    "phone": self._phone() if age >= 16 else "", "household_id": hid, "relation": relation,
                    "education": rng.choice(("初中", "高中", "小学", "大学专科", "大学本科", "中专")) if age >= 16 else "",
                    "status": status, "status_date": date(2025, rng.randint(1, 12), 1) if status != "在册" else None,
                    "status_note": "", "note": "", "import_batch_id": None, **_ts(),
                })
        self.residents = residents
        self.counts["households"] = _bulk(self.s, Household, households)
        _bulk(self.s, household_tags, tags)
        self.counts["residents"] = _bulk(self.s, Resident, residents)

    # ---------------------------------------------------------------- grids
    def _grids(self) -> None:
        sc = self.sc
        cols = max(1, round((sc.grids * 1.6) ** 0.5))
        rows_n = -(-sc.grids // cols)
        w, h = 1600 / cols, 1000 / rows_n
        grids, micro, self.micro_ids, self.micro_rects, self.grid_names = [], [], [], [], []
        self.top_ids: list[int] = []
        for g in range(sc.grids):
            gid = g + 1
            x0, y0 = (g % cols) * w, (g // cols) * h
            grids.append({"id": gid, "unit_id": self.uid, "parent_id": None, "code": f"G{gid:04d}",
                          "name": f"第{gid}网格", "kind": "普通", "color": "#4f8fd6", "sort_order": g,
                          "polygon": [[round(x0), round(y0)], [round(x0 + w), round(y0)], [round(x0 + w), round(y0 + h)],
                                      [round(x0), round(y0 + h)]], "closed_on": None, "note": "", **_ts()})
            self.top_ids.append(gid)
            for k in range(MICRO):
                mid = sc.grids + g * MICRO + k + 1
                mx0, my0 = x0 + (k % 2) * w / 2, y0 + (k // 2) * h / 2
                rect = (mx0, my0, mx0 + w / 2, my0 + h / 2)
                micro.append({"id": mid, "unit_id": self.uid, "parent_id": gid, "code": f"G{gid:04d}-{k + 1}",
                              "name": f"第{gid}网格{k + 1}号微网格", "kind": "普通", "color": "#8fb8e6", "sort_order": k,
                              "polygon": [[round(rect[0]), round(rect[1])], [round(rect[2]), round(rect[1])],
                                          [round(rect[2]), round(rect[3])], [round(rect[0]), round(rect[3])]],
                              "closed_on": None, "note": "", **_ts()})
                self.micro_ids.append(mid)
                self.micro_rects.append(rect)
                self.grid_names.append(f"{gid}网格{k + 1}区")
        _bulk(self.s, Grid, grids)
        _bulk(self.s, Grid, micro)
        self.counts["grids"] = len(grids) + len(micro)

    # ---------------------------------------------------------------- orgs, members, posts, contacts
    def _orgs_and_members(self) -> None:
        sc, rng, s = self.sc, self.rng, self.s
        orgs = [{"id": 1, "unit_id": self.uid, "parent_id": None, "name": f"中共{COUNTY}{TOWNSHIP}委员会", "kind": "党委",
                 "code": "D0000", "established_on": date(1958, 10, 1), "closed_on": None, "close_reason": "",
                 "sort_order": 0, "note": "", **_ts()}]
        for b in range(sc.branches):
            orgs.append({"id": b + 2, "unit_id": self.uid, "parent_id": 1, "name": f"第{b + 1}村党支部", "kind": "党支部",
                         "code": f"D{b + 1:04d}", "established_on": date(1956 + b % 40, 7, 1), "closed_on": None,
                         "close_reason": "", "sort_order": b + 1, "note": "", **_ts()})
        self.counts["branches"] = _bulk(s, PartyOrg, orgs) - 1
        adults = [r for r in self.residents if r["status"] in ("在册", "外出务工")
                  and (TODAY - r["birth_date"]).days >= 20 * 366]
        chosen = sorted(rng.sample(range(len(adults)), sc.members))
        members, posts = [], []
        self.branch_members: dict[int, list[int]] = {}
        self.member_category: dict[int, str] = {}
        n_house = sc.households
        for k, idx in enumerate(chosen):
            r = adults[idx]
            mid = k + 1
            branch = 2 + (r["household_id"] - 1) * sc.branches // n_house
            age = (TODAY - r["birth_date"]).days // 365
            probationary = rng.random() < 0.03
            if probationary:
                joined = TODAY - timedelta(days=rng.randint(30, 330))
                confirmed = None
            else:
                joined = r["birth_date"] + timedelta(days=rng.randint(20 * 365, max(20 * 365 + 1, (age - 1) * 365)))
                joined = min(joined, date(2023, 6, 30))
                confirmed = joined + timedelta(days=366)
            mtype = "离退休" if age >= 60 else rng.choices(("农民", "在职", "流动"), (70, 20, 10))[0]
            category = "退休" if age >= 60 else "青年" if age < 35 else "在职"
            members.append({
                "id": mid, "resident_id": r["id"], "org_id": branch, "group_id": None,
                "stage": "预备党员" if probationary else "正式党员", "applied_on": None, "activist_on": None,
                "candidate_on": None, "joined_on": joined, "confirmed_on": confirmed, "member_type": mtype,
                "points_category": category, "flow_out_place": "北京市通州区" if mtype == "流动" else "",
                "dual_report_unit": "", "left_on": None, "left_kind": None, "left_reason": "", "note": "",
                "import_batch_id": None, **_ts(),
            })
            self.branch_members.setdefault(branch, []).append(mid)
            self.member_category[mid] = category
        self.counts["members"] = _bulk(s, PartyMember, members)
        for branch, mids in self.branch_members.items():
            posts.append({"member_id": mids[0], "org_id": branch, "post": "书记", "start_on": date(2024, 4, 1),
                          "end_on": None, "note": "", **_ts()})
            if len(mids) > 2:
                posts.append({"member_id": mids[1], "org_id": branch, "post": "组织委员", "start_on": date(2024, 4, 1),
                              "end_on": None, "note": "", **_ts()})
        _bulk(s, MemberPost, posts)
        contacts = [{"member_id": m["id"], "household_id": rng.randrange(n_house) + 1, "since": date(2025, 3, 1),
                     "until": None, "note": "", **_ts()} for m in members for _ in range(4)]
        contacts = list({(c["member_id"], c["household_id"]): c for c in contacts}.values())
        _bulk(s, MemberContact, contacts)
        # grid posts: 网格长 per grid, 微网格员 per micro-grid, people living there
        by_micro: dict[int, int] = {}
        for r in self.residents:
            if r["relation"] == "户主" and r["status"] == "在册":
                by_micro.setdefault(self.household_grid[r["household_id"] - 1], r["id"] - 1)
        gposts = []
        for micro, ridx in by_micro.items():
            r = self.residents[ridx]
            grid_id = self.micro_ids[micro]
            post = "微网格员"
            if micro % MICRO == 0:
                grid_id, post = self.top_ids[micro // MICRO], "网格长"
            gposts.append({"grid_id": grid_id, "post": post, "resident_id": r["id"], "person_name": r["name"],
                           "phone": r["phone"], "start_on": date(2024, 1, 1), "end_on": None, "note": "",
                           "import_batch_id": None, **_ts()})
        _bulk(s, GridPost, gposts)

    # ---------------------------------------------------------------- points, meetings, assessments
    def _points_and_meetings(self) -> None:
        sc, rng, s = self.sc, self.rng, self.s
        ensure_default_rules(s, self.uid)
        rules = list(s.execute(select(PointRule.id, PointRule.kind, PointRule.points, PointRule.categories)
                               .where(PointRule.unit_id == self.uid).order_by(PointRule.sort_order)))
        pickable = [r for r in rules if r.kind != "base"]
        weights = [6 if r.kind == "duty" else 3 if r.kind == "reward" else 1 for r in pickable]
        member_ids = list(self.member_category)
        entries = []
        totals: dict[tuple[int, int], Decimal] = {}
        last = {2024: date(2024, 12, 31), 2025: date(2025, 12, 31), 2026: TODAY}
        for i in range(sc.point_entries):
            year = POINT_YEARS[i % len(POINT_YEARS)]
            mid = member_ids[rng.randrange(len(member_ids))]
            rule = rng.choices(pickable, weights)[0]
            pts = Decimal(rule.points) * (-1 if rule.kind == "deduct" else 1)
            day = date(year, 1, 1) + timedelta(days=rng.randrange((last[year] - date(year, 1, 1)).days + 1))
            entries.append({"id": i + 1, "member_id": mid, "rule_id": rule.id, "entry_date": day, "year": year,
                            "points": pts, "note": "", "evidence": "", "source": "manual", "source_ref": "",
                            "corrects_id": None, "operator_id": self.op_id, "created_at": STAMP, "voided_at": None,
                            "voided_by": None, "void_reason": ""})
            totals[(mid, year)] = totals.get((mid, year), Decimal(0)) + pts
        self.counts["point_entries"] = _bulk(s, PointEntry, entries)
        del entries
        # 2024 published (so 2025's 差 can become 劝退); grades by rank within the branch
        assessments = []
        for mids in self.branch_members.values():
            ranked = sorted(mids, key=lambda m: -totals.get((m, 2024), Decimal(0)))
            n = len(ranked)
            for pos, mid in enumerate(ranked):
                grade = "优秀" if pos < n * 0.2 else "良好" if pos < n * 0.7 else "一般" if pos < n * 0.97 else "差"
                assessments.append({"member_id": mid, "year": 2024, "total": totals.get((mid, 2024), Decimal(0)),
                                    "rank": pos + 1, "grade": grade, "follow_up": "约谈" if grade == "差" else None,
                                    "follow_up_note": "", "decided_on": date(2025, 1, 15), **_ts()})
        _bulk(s, Assessment, assessments)
        meetings, attendance = [], []
        branches = list(self.branch_members)
        kinds = ("主题党日", "支部党员大会", "党课", "支委会")
        for i in range(sc.meetings):
            year = POINT_YEARS[i % len(POINT_YEARS)]
            branch = branches[rng.randrange(len(branches))]
            day = date(year, 1, 1) + timedelta(days=rng.randrange((last[year] - date(year, 1, 1)).days + 1))
            held = datetime(day.year, day.month, day.day, 9, 0)
            meetings.append({"id": i + 1, "unit_id": self.uid, "org_id": branch, "kind": kinds[i % len(kinds)],
                             "held_at": held, "place": "党员活动室", "topic": f"{day.month}月{kinds[i % len(kinds)]}",
                             "theme": "", "minutes": "", "attendance_closed_at": held + timedelta(days=1),
                             "cancelled_reason": "", **_ts()})
            for mid in self.branch_members[branch]:
                r = rng.random()
                attendance.append({"meeting_id": i + 1, "member_id": mid,
                                   "status": "出席" if r < 0.9 else "请假" if r < 0.97 else "缺席",
                                   "reason": "", **_ts()})
        self.counts["meetings"] = _bulk(s, Meeting, meetings)
        _bulk(s, Attendance, attendance)

    # ---------------------------------------------------------------- 星级文明户
    def _stars(self) -> None:
        sc, rng, s = self.sc, self.rng, self.s
        cats = _bulk_ids(s, StarCategory, [{"unit_id": self.uid, "name": n, "criteria": "", "sort_order": i,
                                            "active": True, **_ts()} for i, n in enumerate(DEFAULT_STAR_CATEGORIES)])
        apps, items, steps = [], [], []
        app_id = 0
        for year in STAR_YEARS:
            final = year < TODAY.year
            step = "filed" if final else "publicize"
            round_ids = _bulk_ids(s, StarRound, [{"unit_id": self.uid, "year": year, "name": f"{year}年度星级文明户评选",
                                                  "step": step, "started_on": date(year, 9, 1), "note": "", **_ts()}])
            order = ("mobilize", "apply", "review", "publicize", "decide", "filed")
            for j, st in enumerate(order[: order.index(step) + 1]):
                steps.append({"round_id": round_ids[0], "step": st, "at": datetime(year, 9, 1 + j * 5, 9, 0),
                              "operator_id": self.op_id, "reopened": False, "note": ""})
            households = rng.sample(range(1, sc.households + 1), int(sc.households * sc.star_share))
            for hid in sorted(households):
                app_id += 1
                claimed = rng.sample(cats, rng.randint(1, len(cats)))
                approved = 0
                for c in claimed:
                    ok = rng.random() < 0.85
                    approved += ok
                    items.append({"application_id": app_id, "category_id": c,
                                  "decision": ("approved" if ok else "rejected"), "review_body": "道德评议会",
                                  "opinion": "", "reviewed_on": date(year, 9, 15), **_ts()})
                apps.append({"id": app_id, "round_id": round_ids[0], "household_id": hid, "source": "自报",
                             "recommender": "", "evidence": "", "applied_on": date(year, 9, 8),
                             "level": approved if final else None, "withdrawn_on": None, "withdraw_reason": "",
                             **_ts()})
        _bulk(s, StarRoundStep, steps)
        self.counts["star_applications"] = _bulk(s, StarApplication, apps)
        _bulk(s, StarApplicationItem, items)

    # ---------------------------------------------------------------- 工单
    def _tickets(self) -> None:
        sc, rng, s = self.sc, self.rng, self.s
        cat_ids = _bulk_ids(s, TicketCategory, [{"unit_id": self.uid, "name": n, "due_hours": 72, "sort_order": i,
                                                 "active": True, **_ts()} for i, n in enumerate(DEFAULT_TICKET_CATEGORIES)])
        item_ids = _bulk_ids(s, ServiceItem, [{"unit_id": self.uid, "name": n, "sort_order": i, "active": True, **_ts()}
                                              for i, n in enumerate(DEFAULT_SERVICE_ITEMS)])
        channels = ("热线电话", "专线", "意见箱", "微信群", "服务站", "转交", "办公室")
        contents = ("路灯不亮，夜间出行不便", "门前排水沟堵塞", "申请办理低保", "邻里宅基地纠纷", "垃圾清运不及时",
                    "代缴医保", "楼道堆放杂物", "自来水水压低", "帮忙代收快递", "村道坑洼需修补")
        member_ids = list(self.member_category)
        year_start = datetime(TICKET_YEAR, 1, 1)
        seconds = 365 * 86400 - 4 * 86400
        tickets, events, assignees = [], [], []
        ev_id = 0
        for i in range(sc.tickets):
            tid = i + 1
            r = self.residents[rng.randrange(len(self.residents))]
            received = year_start + timedelta(seconds=rng.randrange(seconds))
            x = rng.random()
            state = "closed" if x < 0.93 else "cancelled" if x < 0.94 else rng.choice(
                ("received", "assigned", "accepted", "escalated", "replied"))
            hours = rng.expovariate(1 / 40)
            replied = received + timedelta(hours=hours) if state in ("replied", "closed") else None
            closed = replied + timedelta(hours=rng.uniform(2, 48)) if state == "closed" and replied else None
            y = rng.random()
            satisfaction = ("满意" if y < 0.86 else "基本满意" if y < 0.97 else "不满意") if closed else None
            mode = rng.choice(("现场解决", "派单办理", "党员代办")) if state in ("replied", "closed") else None
            tickets.append({
                "id": tid, "unit_id": self.uid, "year": TICKET_YEAR, "seq": tid, "number": f"{TICKET_YEAR}-{tid:04d}",
                "channel": channels[rng.randrange(len(channels))], "category_id": cat_ids[rng.randrange(len(cat_ids))],
                "service_item_id": item_ids[rng.randrange(len(item_ids))] if rng.random() < 0.3 else None,
                "requester_id": r["id"], "requester_name": r["name"], "requester_phone": r["phone"],
                "household_id": r["household_id"], "grid_id": self.micro_ids[self.household_grid[r["household_id"] - 1]],
                "content": contents[rng.randrange(len(contents))], "received_at": received,
                "due_at": received + timedelta(hours=72), "priority": "紧急" if rng.random() < 0.05 else "普通",
                "state": state, "mode": mode, "reply": "已处理" if replied else "", "replied_at": replied,
                "escalated_to": "", "escalated_at": None, "escalation_answer": "",
                "visited_at": closed, "visited_by": "网格员" if closed else "", "satisfaction": satisfaction,
                "visit_comment": "", "closed_at": closed, "cancel_reason": "重复提交" if state == "cancelled" else "",
                "import_batch_id": None, **_ts(),
            })
            flow = _flow(state)
            prev, at = None, received
            for kind in flow:
                ev_id += 1
                at = closed if kind == "closed" and closed else replied if kind == "replied" and replied else at
                events.append({"id": ev_id, "ticket_id": tid, "at": at, "kind": kind, "from_state": prev,
                               "to_state": kind, "operator_id": self.op_id, "note": ""})
                prev, at = kind, at + timedelta(minutes=rng.randint(5, 240))
            if state not in ("received", "cancelled"):
                assignees.append({"ticket_id": tid, "member_id": member_ids[rng.randrange(len(member_ids))],
                                  "resident_id": None, "name": "党员", "role": "党员", "assigned_at": received,
                                  "released_at": None, **_ts()})
        self.counts["tickets"] = _bulk(s, Ticket, tickets)
        self.counts["ticket_events"] = _bulk(s, TicketEvent, events)
        _bulk(s, TicketAssignee, assignees)


_FLOWS = {
    "received": ("received",), "assigned": ("received", "assigned"),
    "accepted": ("received", "assigned", "accepted"),
    "escalated": ("received", "assigned", "accepted", "escalated"),
    "replied": ("received", "assigned", "accepted", "replied"),
    "closed": ("received", "assigned", "accepted", "replied", "closed"),
    "cancelled": ("received", "cancelled"),
}


def _flow(state: str) -> tuple[str, ...]:
    return _FLOWS[state]


def _bulk_ids(s: Session, model: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Small tables: insert and read the ids back in insertion order."""
    start = (s.scalar(select(func.max(model.id))) or 0) + 1
    rows = [{"id": start + i, **r} for i, r in enumerate(rows)]
    _bulk(s, model, rows)
    return [r["id"] for r in rows]

