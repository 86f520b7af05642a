"""Demo 党费 of 东坟村 for the demo year, through the services.

在职 and 离退休 members are 核定 one by one on a base (税后月收入 / 离退休费 drawn from the seed, to the
ten 元); the rest by the screen's 批量核定 at 0.20 元 (农民 and 流动). One 在职 member's pay rose in July:
a 修改核定 with its reason. Most members pay each quarter and November in advance on 30 October; three are
behind on DEMO_TODAY: the 失联 member (if the mobile demo made one) paid January–February only (eight
months: the 连续六个月 warning), another January–April (six months: the warning at its edge), a third
through August (two months).
"""

from __future__ import annotations

import random
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import LostContact

from ..services import access
from ..services.partywork import dues
from ..services.partywork.dues import AssessInput, PaymentInput
from .facts import DEMO_TODAY

DECIDED = date(DEMO_TODAY.year, 1, 10)
QUARTERS = ((1, 3, date(DEMO_TODAY.year, 3, 25)), (4, 6, date(DEMO_TODAY.year, 6, 24)),
            (7, 9, date(DEMO_TODAY.year, 9, 23)), (10, 11, date(DEMO_TODAY.year, 10, 30)))
WAYS = ("现金", "现金", "微信", "银行转账")


def extend(s: Session, unit_id: int, rng: random.Random) -> list[str]:
    year = DEMO_TODAY.year
    rows = dues.list_dues(s, unit_id, year, DEMO_TODAY)
    raised = None
    for r in rows:
        if r.member_type == "在职":
            base = rng.randrange(250, 1200) * 10
            dues.assess(s, unit_id, AssessInput(r.member_id, year, "在职", base=str(base), decided_on=DECIDED))
            raised = raised or (r.member_id, base)
        elif r.member_type == "离退休":
            base = rng.randrange(280, 650) * 10
            dues.assess(s, unit_id, AssessInput(r.member_id, year, "离退休", base=str(base), decided_on=DECIDED))
    bulk = dues.bulk_assess(s, unit_id, year, "0.20", DECIDED)
    if raised is not None:
        dues.change_assessment(s, unit_id, AssessInput(raised[0], year, "在职", base=str(raised[1] + 1500),
                                                       from_month=7, decided_on=date(year, 7, 5),
                                                       reason="7月起工资调整"))
    rows = [r for r in dues.list_dues(s, unit_id, year, DEMO_TODAY) if r.assessment_id is not None]
    lost = set(s.scalars(select(LostContact.member_id).where(LostContact.unit_id == unit_id,
                                                              LostContact.outcome.is_(None))))
    order = sorted(rows, key=lambda r: (r.member_id not in lost, r.member_id))
    paid_to = {r.member_id: 11 for r in rows}
    for r, last in zip(order, (2, 4, 8), strict=False):  # the 失联 member first, then two more behind
        paid_to[r.member_id] = last
    actor = access.current_actor(s)
    collector = actor.display_name if actor is not None else "组织委员"
    count = 0
    for r in rows:
        start = r.due_months[0] if r.due_months else 13  # the first month 核定 (joined this year: later)
        for first, last, on in QUARTERS:  # a member who joined this year pays from the month 核定 begins
            first, last = max(first, start), min(last, paid_to[r.member_id])
            if first > last:
                continue
            due = dues.due_for_months(s, unit_id, r.member_id, year, first, last)
            dues.record_payment(s, unit_id, PaymentInput(
                r.member_id, year, first, last, f"{due / 100:.2f}", on, WAYS[count % len(WAYS)],
                paid_by="家属代交" if count % 17 == 5 else "", collector=collector))
            count += 1
    behind = dues.arrears_list(s, unit_id, DEMO_TODAY)
    warn = sum(1 for a in behind if a.warn)
    return [f"党费：{year}年核定 {len(rows)} 人（批量核定 {bulk.made} 人），交费记录 {count} 条，"
            f"欠交 {len(behind)} 人，其中连续六个月以上未交 {warn} 人"]

