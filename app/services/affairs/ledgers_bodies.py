"""The bodies' 台账: 村「两委」班子成员名册 (the 党组织 committee, 村民委员会 and 村务监督委员会, one row a
person with all their posts) and 村民代表名册 (each 代表 with the households they represent).

Registered in ledgers.BUILDERS, so `villagedesk export village-bodies` / `export representatives` work.
Phones are a "phone" column: full for the township, masked wherever ledgers are masked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.io.ledgers import Ledger, LedgerColumn
from app.models import MemberPost, PartyMember, PartyOrg, Resident
from app.models.affairs import BODY_ROLES
from app.models.org import MEMBER_STAGES, POSTS
from app.text import pack_lines

from .bodies import ONE_SHOULDER, BodyPostRow, list_posts, village_org

# The 党组织 committee posts that sit in the 两委 (党小组长, 联络员 do not).
COMMITTEE_POSTS = ("书记", "副书记", "组织委员", "宣传委员", "纪检委员", "委员", "第一书记")
COMMITTEE_BODIES = ("村民委员会", "村务监督委员会")
SHORT = {"村民委员会": "村委会", "村务监督委员会": "村务监督委员会"}
HOUSEHOLDS_WIDTH = 48  # the 联系户 column (Excel units); lines are packed a little narrower


@dataclass
class _Person:
    resident_id: int
    name: str
    gender: str | None
    birth_date: date | None
    education: str
    phone: str
    stage: str | None = None
    posts: list[tuple[int, str, date | None]] = field(default_factory=list)  # (rank, title, since)
    term_text: str = ""

    @property
    def politics(self) -> str:
        return {"正式党员": "中共党员", "预备党员": "中共预备党员"}.get(self.stage or "", "群众")

    @property
    def titles(self) -> str:
        text = "、".join(t for _, t, _ in sorted(self.posts))
        return text.replace(f"（{ONE_SHOULDER}）", "") + (f"（{ONE_SHOULDER}）" if ONE_SHOULDER in text else "")

    @property
    def since(self) -> date | None:
        dates = [d for _, _, d in self.posts if d is not None]
        return min(dates) if dates else None


def _party_posts(s: Session, unit_id: int) -> list[tuple[Resident, str, str, date | None]]:
    """Current committee posts in the village's own 党组织 (bodies.village_org)."""
    stmt = (select(Resident, PartyOrg.kind, MemberPost.post, MemberPost.start_on)
            .join(PartyMember, PartyMember.resident_id == Resident.id)
            .join(MemberPost, MemberPost.member_id == PartyMember.id)
            .join(PartyOrg, PartyOrg.id == MemberPost.org_id)
            .where(village_org(unit_id), MemberPost.end_on.is_(None), MemberPost.post.in_(COMMITTEE_POSTS))
            .order_by(MemberPost.start_on, MemberPost.id))
    return [tuple(r) for r in s.execute(stmt)]  # type: ignore[misc]


def committee_people(s: Session, unit_id: int) -> list[_Person]:
    """The 两委 and 村务监督委员会 now, one entry a person: 书记 first, then by the rank of their first post."""
    people: dict[int, _Person] = {}

    def entry(r: Resident | BodyPostRow, rid: int) -> _Person:
        if rid not in people:
            people[rid] = _Person(rid, r.name, r.gender, r.birth_date, r.education or "", r.phone or "")
        return people[rid]

    for r, kind, post, since in _party_posts(s, unit_id):
        p = entry(r, r.id)
        p.posts.append((POSTS.index(post) if post in POSTS else 50, f"{kind}{post}", since))
    for row in [x for body in COMMITTEE_BODIES for x in list_posts(s, unit_id, body)]:
        p = entry(row, row.resident_id)
        rank = 100 * (1 + COMMITTEE_BODIES.index(row.body)) + BODY_ROLES[row.body].index(row.role)
        p.posts.append((rank, f"{SHORT[row.body]}{row.title}", row.since))
        p.term_text = p.term_text or row.term_text
    stages = dict(s.execute(select(PartyMember.resident_id, PartyMember.stage)
                            .where(PartyMember.resident_id.in_(list(people)), PartyMember.left_on.is_(None))).all())
    for p in people.values():
        stage = stages.get(p.resident_id)
        p.stage = stage if stage in MEMBER_STAGES else None
    return sorted(people.values(), key=lambda p: (min(r for r, _, _ in p.posts), p.name))


def village_bodies_ledger(s: Session, unit_id: int, year: int | None) -> Ledger:
    people = committee_people(s, unit_id)
    columns = [
        LedgerColumn("姓名", "name"), LedgerColumn("性别", lambda p: p.gender or ""),
        LedgerColumn("出生日期", "birth_date", "date"), LedgerColumn("政治面貌", "politics"),
        LedgerColumn("学历", "education"), LedgerColumn("职务", "titles", width=30),
        LedgerColumn("任职时间", "since", "date"), LedgerColumn("届期", "term_text", width=26),
        LedgerColumn("联系电话", "phone", "phone"),
    ]
    notes = ("职务含党组织委员会、村民委员会、村务监督委员会的现任职务；一人兼任多职的列于同一行。",
             "任职时间为现任各职务中最早的任职日期；届期为村民委员会或村务监督委员会的本届届期。")
    return Ledger("村「两委」班子成员名册", columns, people, year=year, count=len(people), count_unit="名",
                  notes=notes)


def representatives_ledger(s: Session, unit_id: int, year: int | None) -> Ledger:
    reps = list_posts(s, unit_id, "村民代表")

    def heads(r: BodyPostRow) -> str:
        return pack_lines((f"{h.number} {h.head_name}".strip() for h in r.households), HOUSEHOLDS_WIDTH - 4)

    columns = [
        LedgerColumn("代表姓名", "name"), LedgerColumn("村民小组", "group_name"),
        LedgerColumn("联系电话", "phone", "phone"),
        LedgerColumn("联系户数", lambda r: len(r.households), "int", total=True),
        LedgerColumn("联系户（户号 户主）", heads, width=HOUSEHOLDS_WIDTH),
        LedgerColumn("届期", "term_text", width=26),
    ]
    return Ledger("村民代表名册", columns, reps, year=year, count=len(reps), count_unit="名",
                  notes=("每名村民代表一般联系五至十五户。",))


BUILDERS = {"village-bodies": village_bodies_ledger, "representatives": representatives_ledger}
__all__ = ["BUILDERS", "committee_people", "representatives_ledger", "village_bodies_ledger"]
