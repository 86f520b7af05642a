"""Planning the whole demo village from one random.Random: people (plan_people), then grids
and the map, the party organisation, members, contacts and grid posts. Pure Python, no database.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

from .facts import (
    CN_NUM,
    CONTACTS_SINCE,
    GRID_COLORS,
    GRID_POSTS_START,
    N_MEMBERS,
    N_PROBATIONARY,
    TERM_START,
    TOWNSHIP,
    UNIT_NAME,
)
from .names import FLOW_PLACES, WORK_UNITS
from .plan import _add_years, _GridPlan, _MemberPlan, _OrgPlan, _Person, _Plan
from .plan_people import _PeoplePlanner


class _Planner(_PeoplePlanner):
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

