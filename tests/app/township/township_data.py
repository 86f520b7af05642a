"""A township for the figures and ledger tests: the demo village (东坟村) and two small villages added
with the ORM, each with what a figure counts and what it must not count (a closed household, a member
who left, an 积极分子, a withdrawn application, a cancelled ticket, a withdrawn 公示, last year's rows)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import (
    Assessment,
    Household,
    Notice,
    PackageSnapshot,
    PartyMember,
    PartyOrg,
    Resident,
    StarApplication,
    StarApplicationItem,
    StarCategory,
    StarRound,
    Ticket,
    TicketCategory,
    Unit,
)
from app.services.points.rules import ensure_default_rules
from app.services.stars.categories import ensure_categories
from app.services.tickets.catalog import ensure_defaults as ensure_ticket_defaults

YEAR = 2026
TODAY = date(2026, 12, 3)
DISTRICT = "第一片区党委"


@dataclass(frozen=True)
class Township:
    township_id: int
    demo_id: int  # 东坟村 (第一片区党委)
    west_id: int  # 西坟村 (第一片区党委), sent a package on 2026-11-30
    south_id: int  # 南坟村 (no 片区: 未分片区)


def _village(s: Session, name: str, township: Unit, district: str, levels: list[int | None], seed: int) -> int:
    """A village of 6 households (one closed), 5 people in the pipeline or on the roster, a decided round."""
    u = Unit(name=name, kind="村", township=township.name, county=township.county, parent_id=township.id,
             district=district)
    s.add(u)
    s.flush()
    ensure_default_rules(s, u.id)
    ensure_categories(s, u.id)
    ensure_ticket_defaults(s, u.id)
    houses = []
    for i in range(6):
        h = Household(unit_id=u.id, number=f"{seed}{i + 1:03d}", address=f"{name}{i + 1}号",
                      closed_on=date(2026, 3, 1) if i == 5 else None, close_reason="迁出" if i == 5 else "")
        s.add(h)
        houses.append(h)
    s.flush()
    people = []
    for i, h in enumerate(houses):
        r = Resident(unit_id=u.id, name=f"{name[0]}民{i + 1}", gender="男" if i % 2 else "女",
                     birth_date=date(1970 + i, 1, 1), id_number=f"14010819700101{seed}{i:02d}"[:18],
                     household_id=h.id, relation="户主", phone=f"1380000{seed}{i:03d}"[:11])
        s.add(r)
        people.append(r)
    s.flush()
    org = PartyOrg(unit_id=u.id, name=f"中共{name}支部委员会", kind="党支部")
    s.add(org)
    s.flush()
    stages = [("正式党员", None), ("正式党员", None), ("预备党员", None), ("正式党员", date(2026, 5, 1)),
              ("入党积极分子", None)]
    members = []
    for r, (stage, left) in zip(people, stages, strict=False):
        joined = date(2000, 7, 1) if stage != "入党积极分子" else None
        m = PartyMember(resident_id=r.id, org_id=org.id, stage=stage, joined_on=joined,
                        confirmed_on=date(2001, 7, 1) if stage == "正式党员" else None,
                        activist_on=date(2025, 3, 1) if stage == "入党积极分子" else None,
                        left_on=left, left_kind="死亡" if left else None)
        s.add(m)
        members.append(m)
    s.flush()
    for m, grade in zip(members[:3], ("优秀", "良好", "良好"), strict=True):  # published 2026 评定
        s.add(Assessment(member_id=m.id, year=YEAR, total=Decimal(80), rank=1, grade=grade, decided_on=date(2026, 12, 1)))
    s.add(Assessment(member_id=members[0].id, year=YEAR - 1, total=Decimal(70), rank=1, grade="差",
                     decided_on=date(2025, 12, 20)))
    cats = list(s.scalars(select(StarCategory.id).where(StarCategory.unit_id == u.id).order_by(StarCategory.sort_order)))
    old = StarRound(unit_id=u.id, year=YEAR - 1, name=f"{YEAR - 1}年度评选", step="filed")
    rnd = StarRound(unit_id=u.id, year=YEAR, name=f"{YEAR}年度评选", step="decide")
    s.add_all([old, rnd])
    s.flush()
    s.add(StarApplication(round_id=old.id, household_id=houses[0].id, level=5))
    for h, lv in zip(houses, levels, strict=False):
        a = StarApplication(round_id=rnd.id, household_id=h.id, level=lv)
        s.add(a)
        s.flush()
        if lv is None:  # not decided yet: the approved categories count (2 of 3 here)
            for c, decision in zip(cats, ("approved", "approved", "rejected"), strict=False):
                s.add(StarApplicationItem(application_id=a.id, category_id=c, decision=decision))
    s.add(StarApplication(round_id=rnd.id, household_id=houses[4].id, level=4, withdrawn_on=date(2026, 10, 1)))
    cat = s.scalar(select(TicketCategory.id).where(TicketCategory.unit_id == u.id).limit(1))
    tickets = [("closed", "满意", 3), ("closed", "不满意", 4), ("closed", None, 5), ("cancelled", None, 6),
               ("received", None, 7)]
    for seq, (state, sat, month) in enumerate(tickets, 1):
        at = datetime(YEAR, month, 2, 9)
        s.add(Ticket(unit_id=u.id, year=YEAR, seq=seq, number=f"{YEAR}-{seq:04d}", channel="热线电话",
                     category_id=cat, content="路灯不亮", received_at=at, state=state, satisfaction=sat,
                     replied_at=at if state == "closed" else None, closed_at=at if state == "closed" else None))
    s.add(Ticket(unit_id=u.id, year=YEAR - 1, seq=1, number=f"{YEAR - 1}-0001", channel="热线电话", category_id=cat,
                 content="去年的", received_at=datetime(YEAR - 1, 6, 1), state="closed", satisfaction="满意",
                 closed_at=datetime(YEAR - 1, 6, 2)))
    for day, withdrawn in ((date(2026, 4, 1), None), (date(2026, 9, 1), date(2026, 9, 3)), (date(2025, 8, 1), None)):
        s.add(Notice(unit_id=u.id, kind="other", year=day.year, title="村务公示", issued_on=day, withdrawn_on=withdrawn))
    s.flush()
    return u.id


def add_township(s: Session) -> Township:
    """The demo village (already in the database) and two small villages under a new 街道."""
    demo = s.scalars(select(Unit).where(Unit.kind == "村")).one()
    town = Unit(name="城关街道", kind="街道", township="城关街道", county=demo.county)
    s.add(town)
    s.flush()
    demo.parent_id, demo.district = town.id, DISTRICT
    west = _village(s, "西坟村", town, DISTRICT, [5, 3, 3, None], 1)
    south = _village(s, "南坟村", town, "", [4, 1], 2)
    for as_of, current in ((date(2026, 10, 31), False), (date(2026, 11, 30), True)):
        s.add(PackageSnapshot(unit_id=west, as_of=as_of, exported_at=datetime.combine(as_of, datetime.min.time()),
                              schema_revision="0008", key_id="0" * 16, sha256=str(as_of) * 6, rows=10, size=100,
                              is_current=current, content=b"x"))
    s.flush()
    return Township(town.id, demo.id, west, south)
