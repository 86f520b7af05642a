"""Demo village bodies of 东坟村, through the affairs services: the 村民委员会 (its 主任 is the 党总支书记:
一肩挑), the 村务监督委员会, fifteen 村民代表 with 5–15 households of their grid each, a 村民小组长 per
grid and two 后备干部.

The terms began 2022-01-10 (the 村委会 was elected after the 2021 村党组织 换届) and end 2027-01-09, so on
DEMO_TODAY (2026-11-01) the 工作台 shows the 换届 reminder.
"""

from __future__ import annotations

import random
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Grid, Household, MemberPost, PartyMember, PartyOrg, Resident
from app.models.org import MEMBER_STAGES
from app.models.people import HEAD_RELATION

from ..services.affairs import bodies, terms
from ..services.validation import age_on
from .facts import CN_NUM, DEMO_TODAY

ELECTED = date(2022, 1, 10)
N_REPRESENTATIVES = 15


def extend(s: Session, unit_id: int, rng: random.Random) -> list[str]:
    for body, name in (("村民委员会", "第十一届"), ("村务监督委员会", "第四届"), ("村民代表", "第十一届")):
        terms.add_term(s, unit_id, body, ELECTED, name=name)
    taken: set[int] = set()

    def post(rid: int, body: str, role: str, group: str = "", note: str = "") -> int:
        taken.add(rid)
        return bodies.add_post(s, unit_id, rid, body, role, ELECTED, group_name=group, note=note)

    secretary = s.scalar(
        select(PartyMember.resident_id).join(MemberPost, MemberPost.member_id == PartyMember.id)
        .join(PartyOrg, PartyOrg.id == MemberPost.org_id)
        .where(bodies.village_org(unit_id), MemberPost.post == "书记", MemberPost.end_on.is_(None)))
    assert secretary is not None
    party = set(s.scalars(select(PartyMember.resident_id).where(PartyMember.left_on.is_(None),
                                                                 PartyMember.stage.in_(MEMBER_STAGES))))
    # the 党组织 committee (and 党小组长) serve there: the 村委会 gets only the 书记, the 监委会 none of them
    taken |= set(s.scalars(select(PartyMember.resident_id).join(MemberPost, MemberPost.member_id == PartyMember.id)
                           .where(MemberPost.end_on.is_(None), PartyMember.resident_id != secretary)))
    people = [r for r in s.execute(
        select(Resident.id, Resident.birth_date, Resident.gender, Resident.household_id, Resident.education)
        .where(Resident.unit_id == unit_id, Resident.status == "在册", Resident.phone != "")
        .order_by(Resident.id))]

    def pick(lo: int, hi: int, member: bool | None = None, gender: str | None = None) -> int:
        cands = [r.id for r in people if r.id not in taken and r.birth_date is not None
                 and lo <= age_on(r.birth_date, DEMO_TODAY) <= hi and (member is None or (r.id in party) == member)
                 and (gender is None or r.gender == gender)]
        return rng.choice(cands)

    post(secretary, "村民委员会", "主任", note="党总支书记兼任")
    post(pick(35, 55, member=True), "村民委员会", "副主任", note="分管治保调解")
    post(pick(30, 50, gender="女"), "村民委员会", "委员", note="妇女工作")
    post(pick(30, 55), "村民委员会", "委员", note="民兵、治保")
    post(pick(40, 62, member=True), "村务监督委员会", "主任")
    post(pick(40, 65), "村务监督委员会", "委员")
    post(pick(35, 65, gender="女"), "村务监督委员会", "委员")

    grids = list(s.scalars(select(Grid).where(Grid.unit_id == unit_id, Grid.parent_id.is_(None))
                           .order_by(Grid.sort_order, Grid.id)))
    heads = dict(s.execute(select(Resident.household_id, Resident.id).where(
        Resident.unit_id == unit_id, Resident.relation == HEAD_RELATION, Resident.status == "在册")).all())
    by_grid: dict[int, list[int]] = {}
    for hid, gid, parent in s.execute(select(Household.id, Household.grid_id, Grid.parent_id)
                                      .join(Grid, Grid.id == Household.grid_id)
                                      .where(Household.unit_id == unit_id, Household.closed_on.is_(None))
                                      .order_by(Household.number)):
        by_grid.setdefault(parent or gid, []).append(hid)
    home = {r.id: r.household_id for r in people} | {rid: hid for hid, rid in heads.items()}
    represented = 0
    for i in range(N_REPRESENTATIVES):
        g = grids[i % len(grids)]
        group = f"第{CN_NUM[i % len(grids)]}村民小组"
        pool = by_grid.get(g.id, [])
        cands = [heads[h] for h in pool if h in heads and heads[h] not in taken]
        rep = rng.choice(cands) if cands else pick(30, 70)
        pid = post(rep, "村民代表", "代表", group)
        own = home.get(rep)
        mine = [own] if own in pool else []  # a 代表 speaks for his own household too
        households = mine + [h for h in pool if h != own][: rng.randint(5, 15) - len(mine)]
        for h in households:
            pool.remove(h)
        bodies.set_households(s, pid, households)
        represented += len(households)
    for i, g in enumerate(grids):
        post(pick(40, 68), "村民小组", "组长", f"第{CN_NUM[i]}村民小组", note=g.name)
    post(pick(25, 35, member=True), "后备干部", "后备干部", note="大学生村官，2024年列入")
    post(pick(25, 35), "后备干部", "后备干部", note="返乡创业青年")
    return [f"村务班子：村民委员会 4 人（书记、主任一肩挑）、村务监督委员会 3 人、村民代表 {N_REPRESENTATIVES} 名"
            f"（联系 {represented} 户）、村民小组长 {len(grids)} 名、后备干部 2 名；届期至 2027-01-09（换届提醒）"]
