"""Demo 民主评议党员 of 东坟村 (seed 000), through the services, in the first branch with members.

2025: held 2026-01-15, every member's 自评/互评/民主测评 counted, the results as suggested, closed 2026-01-20.
2026: held 2026-10-28 (before DEMO_TODAY), the counts entered; two members decided — one 基本合格, one
不合格 with 限期改正 — and the others still to be decided, so the round is open.
"""

from __future__ import annotations

import random
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import PartyMember
from app.models.org import MEMBER_STAGES

from ..services.partywork import appraisal
from ..services.partywork.appraisal import CountInput, DecisionInput, FollowUpInput, RoundInput

ROUNDS = ((2025, date(2026, 1, 15)), (2026, date(2026, 10, 28)))
CLOSED_2025 = date(2026, 1, 20)


def _counts(rng: random.Random, mid: int, voters: int, peers: int, lean: str = "") -> CountInput:
    """Ballots most of which say 合格 or 优秀; `lean` makes a 基本合格 or 不合格 by the suggestion rule."""
    if lean == "不合格":
        fail = voters // 2
        democratic = (0, voters - fail - 2, 2, fail)
    elif lean == "基本合格":
        basic = voters // 3 + 1
        democratic = (0, voters - basic, basic, 0)
    else:
        excellent = rng.randint(0, voters * 2 // 3)
        democratic = (excellent, voters - excellent, 0, 0)
    excellent_peers = rng.randint(0, peers // 2)
    mutual = (excellent_peers, peers - excellent_peers, 0, 0) if not lean else (0, peers - 2, 1, 1)
    return CountInput(mid, "合格", mutual, democratic)


def extend(s: Session, unit_id: int, rng: random.Random) -> list[str]:
    kept = set(s.scalars(select(PartyMember.org_id).where(PartyMember.stage.in_(MEMBER_STAGES))))
    branch = next(((i, n) for i, n in appraisal.list_branches(s, unit_id) if i in kept), None)
    if branch is None:
        return []
    org_id, name = branch
    lines = []
    for year, held in ROUNDS:
        rid = appraisal.open_round(s, unit_id, RoundInput(org_id, year, held, 0))
        people = appraisal.round_members(s, rid)
        voters = len(people) - 1
        appraisal.update_round(s, rid, RoundInput(org_id, year, held, voters))
        leans = {people[1].member_id: "基本合格", people[2].member_id: "不合格"} if year == 2026 else {}
        appraisal.save_counts(s, rid, [_counts(rng, m.member_id, voters, len(people) - 1, leans.get(m.member_id, ""))
                                       for m in people])
        rows = appraisal.round_members(s, rid)
        if year == 2025:
            for m in rows:
                appraisal.decide(s, rid, m.member_id, DecisionInput(m.suggestion or "合格", "", CLOSED_2025))
            appraisal.close_round(s, rid, CLOSED_2025)
            lines.append(f"{name}2025年度民主评议党员 {len(rows)} 名，已结束")
            continue
        decided = date(2026, 10, 30)
        appraisal.decide(s, rid, people[1].member_id, DecisionInput("基本合格", "学习不够，参加活动较少", decided))
        appraisal.decide(s, rid, people[2].member_id, DecisionInput("不合格", "全年多次无故不参加组织生活", decided))
        appraisal.record_follow_up(s, rid, people[2].member_id, FollowUpInput("限期改正", date(2027, 4, 30)))
        lines.append(f"{name}2026年度民主评议进行中：1 名基本合格，1 名不合格（限期改正）")
    return lines
