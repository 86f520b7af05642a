"""Demo 组织关系转接 of 东坟村 (seed 000), through the services, after the 党费 demo (党费交到 comes from it).

Two members moved their relation away in 2026: one in March whose 回执 came back, one in September whose
回执 has not come back after its thirty days — on DEMO_TODAY the 工作台 shows the 逾期未回执 line. Two
residents who came home brought their relation in (转入, 回执 sent); each takes a mover's place in the
党小组 and their 联系户, so the roster keeps its 59 members and every household its contact. Members with
posts, a 流动 or 失联 record are left alone (other areas' demos use them).
"""

from __future__ import annotations

import random
from datetime import date

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from app.models import MemberContact, MemberPost, PartyMember, Resident
from app.models.partywork import LostContact, MobileMember

from ..services import access
from ..services.org import member_posts
from ..services.org.member_checks import MemberInput
from ..services.partywork import dues, transfers
from ..services.partywork.dues import AssessInput, PaymentInput
from ..services.partywork.transfers import InLetter, OutInput
from ..services.validation import age_on
from .facts import DEMO_TODAY

OUT = (  # (转出日期, 去, 党费交到, 回执日期): 党费 paid up to the month of leaving
    (date(2026, 3, 12), "中共北京市房山区良乡镇人民政府机关支部委员会", "2026-03", date(2026, 3, 26)),
    (date(2026, 9, 21), "中共北京市大兴区黄村镇某社区委员会", "2026-09", None),
)
IN = (  # (转入日期, 开具日期, 由, 介绍信编号, 党费交到, 性别): each takes over a mover's place and 联系户
    (date(2026, 5, 8), date(2026, 5, 6), "中共北京市房山区城关街道某物业服务企业支部委员会", "城关组字第026号", "2026-04", "女"),
    (date(2026, 9, 28), date(2026, 9, 24), "中共北京市丰台区某建筑公司项目部支部委员会", "丰建党字第113号", "2026-09", "男"),
)


def _quiet_members(s: Session, unit_id: int) -> list[PartyMember]:
    """Members on the roster nothing else of the demo hangs on (no post, not 流动 or 失联, 4–15 联系户)."""
    busy = (exists().where(MemberPost.member_id == PartyMember.id, MemberPost.end_on.is_(None))
            | exists().where(MobileMember.member_id == PartyMember.id)
            | exists().where(LostContact.member_id == PartyMember.id))
    rows = s.scalars(select(PartyMember).join(Resident, Resident.id == PartyMember.resident_id)
                     .where(Resident.unit_id == unit_id, PartyMember.stage == "正式党员", PartyMember.left_on.is_(None),
                            PartyMember.member_type != "流动", PartyMember.group_id.is_not(None), ~busy)
                     .order_by(PartyMember.id))
    return [m for m in rows if 4 <= len(_households(s, m.id)) <= 15]


def _households(s: Session, member_id: int) -> list[int]:
    return list(s.scalars(select(MemberContact.household_id).where(
        MemberContact.member_id == member_id, MemberContact.until.is_(None)).order_by(MemberContact.id)))


def _dues_here(s: Session, unit_id: int, member_id: int, first_month: int) -> None:
    """党费 核定 here from the month after the letter's 党费交到, paid up to November like the others."""
    year = DEMO_TODAY.year
    dues.assess(s, unit_id, AssessInput(member_id, year, "农民", monthly="0.20", from_month=first_month,
                                        decided_on=date(year, first_month, 1)))
    amount = dues.due_for_months(s, unit_id, member_id, year, first_month, 11)
    dues.record_payment(s, unit_id, PaymentInput(member_id, year, first_month, 11, f"{amount / 100:.2f}",
                                                 date(year, 10, 30), collector=_collector(s)))


def _collector(s: Session) -> str:
    actor = access.current_actor(s)
    return actor.display_name if actor is not None else "组织委员"


def _newcomer(s: Session, unit_id: int, gender: str, away_from: set[int], rng: random.Random) -> Resident:
    """An adult of the village not on the roster, living outside the households they will look after."""
    on_roster = select(PartyMember.resident_id)
    people = [r for r in s.scalars(select(Resident).where(
        Resident.unit_id == unit_id, Resident.status == "在册", Resident.gender == gender,
        Resident.id_number.is_not(None), Resident.id.not_in(on_roster)).order_by(Resident.id))
        if r.birth_date is not None and 30 <= age_on(r.birth_date, DEMO_TODAY) <= 45 and r.household_id not in away_from]
    return people[rng.randrange(len(people))]


def extend(s: Session, unit_id: int, rng: random.Random) -> list[str]:
    quiet = _quiet_members(s, unit_id)
    branches = sorted({m.org_id for m in quiet})  # one mover from each 支部
    movers = [rng.choice([m for m in quiet if m.org_id == b]) for b in branches[:len(OUT)]]
    for m, (on, to_org, dues_to, receipt), arrival in zip(movers, OUT, IN, strict=True):
        households = _households(s, m.id)
        org_id, group_id = m.org_id, m.group_id
        lid = transfers.transfer_out(s, m.id, OutInput(to_org, on, dues_paid_to=dues_to))
        if receipt is not None:
            transfers.record_receipt(s, lid, receipt)
        arrived, issued, from_org, letter_no, paid_to, gender = arrival
        r = _newcomer(s, unit_id, gender, set(households), rng)
        assert r.id_number is not None
        letter_id = transfers.register_arrival(s, unit_id, MemberInput(
            r.name, r.id_number, org_id=org_id, group_id=group_id, stage="正式党员", joined_on=date(2015, 6, 28),
            confirmed_on=date(2016, 6, 28), member_type="农民"), InLetter(
            letter_no, from_org, issued, arrived, dues_paid_to=paid_to, receipt_on=arrived))
        newcomer = transfers.get_letter(s, letter_id).member_id
        assert newcomer is not None
        for household_id in households:  # the households the mover looked after are not left alone
            member_posts.add_contact(s, newcomer, household_id, max(arrived, on), note=f"接替转出的{m.resident.name}")
        _dues_here(s, unit_id, newcomer, int(paid_to[5:]) + 1)
    return ["组织关系转接：转出 2 名（1 名已回执，1 名逾期未回执），转入 2 名（接替其联系户）"]
