"""A blank village with the people a 四议两公开 path needs: 5 支委, 9 村民代表, 12 正式党员 (A2's tests)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from app.demo.ids import make_id_number
from app.models import PartyMember
from app.services.affairs import bodies
from app.services.affairs.meetings import AffairsMeetingInput, roster
from app.services.org import member_posts, members
from app.services.org import tree as org
from app.services.org.member_checks import MemberInput
from app.services.org.tree import OrgInput
from app.services.people.residents import ResidentInput, add_resident
from app.services.setup import founding

SINCE = date(2024, 1, 1)


@dataclass
class Village:
    unit_id: int
    members: list[int] = field(default_factory=list)  # resident ids of the 正式党员
    representatives: list[int] = field(default_factory=list)
    committee: list[int] = field(default_factory=list)  # 村民委员会


def make_village(s: Session) -> Village:
    vid = founding.create_unit(s, "东坟村", "城关街道", "房山区")
    v = Village(vid)
    branch = org.create_org(s, vid, OrgInput("东坟村党支部", "党支部"))
    for i in range(12):
        data = MemberInput(f"党员{i + 1}", make_id_number("110105", date(1970, 1, 1), 100 + i), org_id=branch,
                           joined_on=date(2000, 7, 1), confirmed_on=date(2001, 7, 1))
        mid = members.add_member(s, vid, data)
        v.members.append(s.get(PartyMember, mid).resident_id)  # type: ignore[union-attr]
        if i < 5:  # 书记 and four 委员: the 支委会
            member_posts.add_post(s, mid, branch, "书记" if i == 0 else "委员", SINCE)
    for i in range(9):
        rid = add_resident(s, vid, ResidentInput(f"代表{i + 1}"))
        bodies.add_post(s, vid, rid, "村民代表", "代表", SINCE)
        v.representatives.append(rid)
    for i, role in enumerate(("主任", "委员", "委员")):
        rid = v.members[i] if i == 0 else add_resident(s, vid, ResidentInput(f"村委{i + 1}"))
        bodies.add_post(s, vid, rid, "村民委员会", role, SINCE)
        v.committee.append(rid)
    return v


def ticked(s: Session, v: Village, kind: str, on: date, present: int, votes: tuple[int, int, int],
           minutes: str = "") -> AffairsMeetingInput:
    """A meeting of `kind` expecting its roster, the first `present` of them there."""
    expected = [p.resident_id for p in roster(s, v.unit_id, kind, on)]
    return AffairsMeetingInput(kind, on, expected, expected[:present], *votes, minutes=minutes)
