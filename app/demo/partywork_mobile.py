"""Demo 流动党员 and 失联党员 of 东坟村 (seed 000), through the services.

The roster already has its 流动党员 (type 流动 with a 流出地): each gets its 流出 record at that place, with
employer, phone, the branch contact and how they take part and pay dues. One 农民 member went to work away in
2024 and came back in 2025 (a returned record, the type restored). Two members from elsewhere live in the
village (流入, one 双报到). One member has been out of contact since March 2026 — over six months on
DEMO_TODAY, two searches, no outcome yet — so the 工作台 shows the 失联 line.
"""

from __future__ import annotations

import random
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import MemberPost, PartyMember, Resident

from ..services.partywork import lost, mobile
from ..services.partywork.mobile import MobileInput
from .ids import make_id_number

EMPLOYERS = ("建筑工地（项目部）", "电子厂", "物流公司", "餐饮店", "汽车配件厂")
PARTICIPATION = ("线上学习（学习强国、支部微信群），返乡时参加支部会", "在流入地党组织参加组织生活",
                 "每月视频参加主题党日")
DUES_WAYS = ("微信转账按月交纳", "返乡时补交", "在流入地党组织交纳")
INFLOW = (("周建华", "320102", date(1982, 5, 6), "中共南京市玄武区某社区委员会", "第三村民小组12号", "村东物流园", True),
          ("吴丽娟", "130602", date(1990, 9, 18), "中共保定市竞秀区某村支部委员会", "第五村民小组3号", "", False))


def _members(s: Session, unit_id: int) -> list[PartyMember]:
    return list(s.scalars(select(PartyMember).join(Resident, Resident.id == PartyMember.resident_id)
                          .where(Resident.unit_id == unit_id, PartyMember.stage == "正式党员",
                                 PartyMember.left_on.is_(None)).order_by(PartyMember.id)))


def extend(s: Session, unit_id: int, rng: random.Random) -> list[str]:
    people = _members(s, unit_id)
    with_posts = set(s.scalars(select(MemberPost.member_id).where(MemberPost.end_on.is_(None))))
    keepers = [m for m in people if m.id in with_posts] or people
    away = [m for m in people if m.member_type == "流动"]
    for i, m in enumerate(away):
        since = date(2023 + i % 3, 2 + i, 10 + i)
        mobile.register_out(s, unit_id, MobileInput(
            since, place=m.flow_out_place, employer=m.flow_out_place + EMPLOYERS[i % len(EMPLOYERS)],
            phone=m.resident.phone or "", other_org="" if i % 2 else f"{m.flow_out_place}某非公企业党支部",
            keeper_id=keepers[i % len(keepers)].id, participation=PARTICIPATION[i % len(PARTICIPATION)],
            dues_way=DUES_WAYS[i % len(DUES_WAYS)], member_id=m.id))
    farmers = [m for m in people if m.member_type == "农民" and m.id not in with_posts]
    back = farmers[len(farmers) // 3] if farmers else None
    if back is not None:
        rid = mobile.register_out(s, unit_id, MobileInput(
            date(2024, 3, 1), place="天津市滨海新区", employer="天津某造船厂", phone=back.resident.phone or "",
            keeper_id=keepers[0].id, participation=PARTICIPATION[0], dues_way=DUES_WAYS[1], member_id=back.id))
        mobile.end_mobile(s, rid, date(2025, 12, 20), "合同期满返乡务农")
    for seq, (name, area, born, org, place, employer, dual) in enumerate(INFLOW, start=1):
        mobile.register_in(s, unit_id, MobileInput(
            date(2025, 4 + seq, 1), place=place, employer=employer, phone=f"1371234{5670 + seq}", other_org=org,
            participation="参加本村支部主题党日" if dual else "", name=name, id_number=make_id_number(area, born, seq),
            dual_report=dual))
    lines = [f"流动党员：流出 {len(away)} 名在外、1 名已返回，流入 {len(INFLOW)} 名"]
    gone = [m for m in farmers if m is not back]
    if gone:
        who = gone[rng.randrange(len(gone))]
        lid = lost.register_lost(s, unit_id, who.id, date(2026, 3, 15))
        lost.add_search(s, lid, date(2026, 5, 6), "走访家属", "家属称其外出打工，已半年未联系，不知去向",
                        keepers[0].resident.name)
        lost.add_search(s, lid, date(2026, 8, 20), "电话联系", "原手机号已停机，微信无回复", keepers[-1].resident.name)
        lines.append("失联党员：1 名（2026-03-15 起失联，已查找 2 次，满六个月待处理）")
    return lines
