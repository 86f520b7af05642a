"""Posts in the village bodies: 村民委员会, 村务监督委员会, 村民代表 (with the households each represents),
村民小组长, the heads of 妇联/团支部/民兵连, and the 后备干部 list.

A post is never deleted: it ends (date and reason) or is corrected (audited field by field). One person
may hold several posts; the 党组织书记 who is also 村民委员会主任 is shown 「书记、主任一肩挑」.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, delete, select
from sqlalchemy.orm import Session

from app.models import (
    BodyPost,
    BodyTerm,
    Household,
    MemberPost,
    PartyMember,
    PartyOrg,
    RepresentedHousehold,
    Resident,
)
from app.models.affairs import BODIES, BODY_ROLES, TERM_BODIES
from app.models.people import HEAD_RELATION
from app.text import numbered_order

from .. import access, audit
from ..errors import NotFound
from ..people.residents import ACTIVE_STATUSES
from ..validation import Problems, check_term_end
from .terms import _current_terms

ONE_SHOULDER = "书记、主任一肩挑"
VILLAGE_ORG_KINDS = ("党委", "党总支", "党支部")
# Posts a body has one holder of at a time (per 村民小组 for a 组长): the current one must end first.
SINGLE_HOLDER = {("村民委员会", "主任"), ("村务监督委员会", "主任"), ("村民小组", "组长"), ("妇联", "主席"),
                 ("团支部", "书记"), ("民兵连", "连长")}
# 村民委员会组织法 第三十二条: a member of the 村民委员会 may not sit on the 村务监督委员会 (and the reverse).
EXCLUSIVE = {"村民委员会": "村务监督委员会", "村务监督委员会": "村民委员会"}
GROUP_NEEDED = ("村民小组",)  # a 组长 leads a named 村民小组
_FIELDS = ("body", "role", "term_id", "group_name", "since", "note")


@dataclass(frozen=True)
class PostHousehold:
    id: int
    number: str
    head_name: str
    address: str

    @property
    def label(self) -> str:
        return " ".join(x for x in (self.number, self.head_name, self.address) if x)


@dataclass(frozen=True)
class BodyPostRow:
    id: int
    resident_id: int
    name: str
    gender: str | None
    birth_date: date | None
    phone: str
    education: str
    body: str
    role: str
    title: str  # what the roster shows: 主任（书记、主任一肩挑）
    term_id: int | None
    term_text: str  # 第十一届（2022-01-10 至 2027-01-09）
    term_name: str  # 第十一届 (the dates when the term has no name): what a narrow column shows
    group_name: str
    since: date | None
    until: date | None
    end_reason: str
    note: str
    households: tuple[PostHousehold, ...]  # a 村民代表's households, by 户号

    @property
    def state(self) -> str:
        return "已结束" if self.until is not None else "在任"


def village_org(unit_id: int) -> ColumnElement[bool]:
    """The village's own 党组织 (its top 党委/党总支/党支部, open): not a 党小组 nor a 联合党委 it leads."""
    return and_(PartyOrg.unit_id == unit_id, PartyOrg.parent_id.is_(None), PartyOrg.kind.in_(VILLAGE_ORG_KINDS),
                PartyOrg.closed_on.is_(None))


def secretary_ids(s: Session, unit_id: int) -> set[int]:
    """Residents who are now 书记 of the village's 党组织."""
    stmt = (select(PartyMember.resident_id)
            .join(MemberPost, MemberPost.member_id == PartyMember.id)
            .join(PartyOrg, PartyOrg.id == MemberPost.org_id)
            .where(village_org(unit_id), MemberPost.post == "书记", MemberPost.end_on.is_(None)))
    return set(s.scalars(stmt))


def post_title(body: str, role: str, one_shoulder: bool) -> str:
    """主任 → 主任（书记、主任一肩挑） for the 村民委员会主任 who is also the 书记."""
    if body == "村民委员会" and role == "主任" and one_shoulder:
        return f"{role}（{ONE_SHOULDER}）"
    return role


def _check(p: Problems, s: Session, unit_id: int, resident_id: int | None, body: str | None, role: str | None,
           term_id: int | None, group_name: str, since: date | None, note: str,
           post_id: int | None = None) -> tuple[Resident | None, str, str, str, str]:
    person = s.get(Resident, resident_id) if resident_id is not None else None
    if resident_id is None:
        p.add("resident_id", "姓名", "请输入姓名或拼音首字母，并在列表中选中")
    elif person is None or person.unit_id != unit_id:
        p.add("resident_id", "姓名", "所选的居民不存在")
    elif person.status not in ACTIVE_STATUSES and post_id is None:
        p.add("resident_id", "姓名", f"{person.name} 已{person.status}，不能任职")
    body = p.choice("body", "班子", body, BODIES, required=True)
    role = p.choice("role", "职务", role, BODY_ROLES.get(body, ()) if body else (), required=True) if body else ""
    if body and not role and not p.has("role"):
        p.add("role", "职务", f"{body}设{'、'.join(BODY_ROLES[body])}")
    group_name = p.text("group_name", "村民小组", group_name, max_len=40)
    note = p.text("note", "备注", note, max_len=200)
    if body in GROUP_NEEDED and not group_name:
        p.add("group_name", "村民小组", "请填写所在的村民小组，如 第一村民小组")
    if since is None:
        p.add("since", "任职日期", "请填写任职日期")
    elif since > date.today():
        p.add("since", "任职日期", "日期晚于今天")
    if term_id is not None:
        term = s.get(BodyTerm, term_id)
        if term is None or term.unit_id != unit_id:
            p.add("term_id", "届期", "所选的届期不存在")
        elif term.body != body:
            p.add("term_id", "届期", f"所选的是{term.body}的届期，不是{body}的")
    if person is None or not body or not role or p.has("resident_id"):
        return person, body, role, group_name, note
    current = s.scalars(select(BodyPost).where(BodyPost.unit_id == unit_id, BodyPost.until.is_(None),
                                               BodyPost.id != (post_id or 0))).all()
    own = [c for c in current if c.resident_id == person.id]
    if any(c.body == body and c.role == role and c.group_name == group_name for c in own):
        p.add("role", "职务", f"{person.name} 已任{body}{role}")
    elif EXCLUSIVE.get(body) in {c.body for c in own}:
        p.add("body", "班子", f"{person.name} 现任{EXCLUSIVE[body]}成员，不能同时担任{body}成员（村民委员会组织法）")
    elif (body, role) in SINGLE_HOLDER:
        holder = next((c for c in current if c.body == body and c.role == role and c.group_name == group_name), None)
        if holder is not None:
            who = s.get(Resident, holder.resident_id)
            where = f"{group_name}" if body == "村民小组" else body
            p.add("role", "职务", f"{where}现任{role}是 {who.name if who else ''}，请先结束其任职")
    return person, body, role, group_name, note


def _term_for(s: Session, unit_id: int, body: str, term_id: int | None) -> int | None:
    """An elected body's post belongs to its current term unless another was chosen."""
    if term_id is not None or body not in TERM_BODIES:
        return term_id
    term = _current_terms(s, unit_id).get(body)
    return term.id if term is not None else None


def add_post(s: Session, unit_id: int, resident_id: int | None, body: str | None, role: str | None,
             since: date | None, term_id: int | None = None, group_name: str = "", note: str = "") -> int:
    """A resident takes a post in a village body from `since` (the body's current term unless one is given)."""
    access.require_role(s, *access.ENTRY_ROLES, action="登记任职")
    p = Problems()
    person, body, role, group_name, note = _check(p, s, unit_id, resident_id, body, role, term_id, group_name,
                                                  since, note)
    p.raise_if_any()
    assert person is not None
    row = BodyPost(unit_id=unit_id, resident_id=person.id, body=body, role=role,
                   term_id=_term_for(s, unit_id, body, term_id), group_name=group_name, since=since, note=note)
    s.add(row)
    s.flush()
    audit.record(s, unit_id, "create", "body_post", row.id, f"{person.name} 任{body}{role}")
    return row.id


def _get(s: Session, post_id: int) -> BodyPost:
    row = s.get(BodyPost, post_id)
    if row is None:
        raise NotFound("找不到该任职记录")
    return row


def correct_post(s: Session, post_id: int, body: str | None, role: str | None, since: date | None,
                 term_id: int | None = None, group_name: str = "", note: str = "") -> None:
    """Correct a post entered wrongly (not a change of post: that is end + add); audited from → to."""
    access.require_role(s, *access.ENTRY_ROLES, action="更正任职")
    row = _get(s, post_id)
    p = Problems()
    person, body, role, group_name, note = _check(p, s, row.unit_id, row.resident_id, body, role, term_id,
                                                  group_name, since, note, post_id=row.id)
    if since is not None and row.until is not None and since > row.until:
        p.add("since", "任职日期", f"不能晚于结束日期（{row.until.isoformat()}）")
    if body != row.body and row.households:
        p.add("body", "班子", "该代表还联系着户，请先清空联系户再更改班子")
    p.raise_if_any()
    before = audit.snapshot(row, _FIELDS)
    row.body, row.role, row.group_name, row.note, row.since = body, role, group_name, note, since
    row.term_id = _term_for(s, row.unit_id, body, term_id)
    s.flush()
    name = person.name if person else ""
    audit.record_change(s, row.unit_id, "body_post", row.id, f"更正 {name} 的任职", before,
                        audit.snapshot(row, _FIELDS))


def end_post(s: Session, post_id: int, on: date | None, reason: str) -> None:
    """The post ends on `on` (换届, 辞职, 罢免 …); the row stays for the 台账."""
    access.require_role(s, *access.ENTRY_ROLES, action="结束任职")
    row = _get(s, post_id)
    p = Problems()
    check_term_end(p, "until", "结束日期", row.until, on, row.since, "任职日期")
    if on is not None and on > date.today() and not p:
        p.add("until", "结束日期", "日期晚于今天")
    reason = p.text("end_reason", "结束原因", reason, max_len=100)
    if not reason:
        p.add("end_reason", "结束原因", "请填写结束原因，如 换届、辞职、罢免")
    p.raise_if_any()
    row.until, row.end_reason = on, reason
    s.flush()
    person = s.get(Resident, row.resident_id)
    audit.record(s, row.unit_id, "close", "body_post", row.id,
                 f"{person.name if person else ''} 结束{row.body}{row.role}（{reason}）")


def set_households(s: Session, post_id: int, household_ids: Sequence[int]) -> None:
    """The households a current 村民代表 represents, replacing the old set (the log keeps both)."""
    access.require_role(s, *access.ENTRY_ROLES, action="安排代表联系户")
    row = _get(s, post_id)
    p = Problems()
    if row.body != "村民代表":
        p.add("households", "联系户", f"只有村民代表联系户，这是{row.body}{row.role}")
    elif row.until is not None:
        p.add("households", "联系户", f"该代表已于 {row.until.isoformat()} 结束任职")
    wanted = list(dict.fromkeys(household_ids))
    found = {h.id: h for h in s.scalars(select(Household).where(Household.id.in_(wanted)))}
    for hid in wanted:
        h = found.get(hid)
        if h is None or h.unit_id != row.unit_id:
            p.add("households", "联系户", "所选的户不存在")
        elif h.closed_on is not None:
            p.add("households", "联系户", f"户号 {h.number} 已销户")
    taken = s.execute(
        select(RepresentedHousehold.household_id, Resident.name)
        .join(BodyPost, BodyPost.id == RepresentedHousehold.post_id)
        .join(Resident, Resident.id == BodyPost.resident_id)
        .where(RepresentedHousehold.household_id.in_(wanted), BodyPost.until.is_(None), BodyPost.id != row.id)
    ).all()
    for hid, name in taken:
        h = found[hid]
        p.add("households", "联系户", f"户号 {h.number} 已由代表 {name} 联系")
    p.raise_if_any()
    before = sorted(_numbers(s, row.id))
    s.execute(delete(RepresentedHousehold).where(RepresentedHousehold.post_id == row.id))
    s.add_all(RepresentedHousehold(post_id=row.id, household_id=hid) for hid in wanted)
    s.flush()
    s.expire(row, ["households"])
    person = s.get(Resident, row.resident_id)
    audit.record_change(s, row.unit_id, "body_post", row.id, f"{person.name if person else ''} 的联系户",
                        {"households": "、".join(before)}, {"households": "、".join(sorted(_numbers(s, row.id)))})


def _numbers(s: Session, post_id: int) -> list[str]:
    return list(s.scalars(select(Household.number).join(RepresentedHousehold,
                                                         RepresentedHousehold.household_id == Household.id)
                          .where(RepresentedHousehold.post_id == post_id)))


def post_households(s: Session, post_id: int) -> list[PostHousehold]:
    """The households a 村民代表 represents, by 户号."""
    return _households_of(s, [post_id]).get(post_id, [])


def _households_of(s: Session, post_ids: Sequence[int]) -> dict[int, list[PostHousehold]]:
    head = (select(Resident.household_id, Resident.name)
            .where(Resident.relation == HEAD_RELATION, Resident.status.in_(ACTIVE_STATUSES)).subquery())
    stmt = (select(RepresentedHousehold.post_id, Household.id, Household.number, head.c.name, Household.address)
            .join(Household, Household.id == RepresentedHousehold.household_id)
            .outerjoin(head, head.c.household_id == Household.id)
            .where(RepresentedHousehold.post_id.in_(post_ids))
            .order_by(Household.number, Household.id))
    out: dict[int, list[PostHousehold]] = {}
    seen: set[tuple[int, int]] = set()
    for pid, hid, number, name, address in s.execute(stmt):
        if (pid, hid) not in seen:  # a household with two heads on record is listed once
            seen.add((pid, hid))
            out.setdefault(pid, []).append(PostHousehold(hid, number, name or "", address or ""))
    return out


def group_order(name: str) -> tuple[int, str]:
    """第二村民小组 before 第十村民小组 (a plain text sort puts 第七 before 第三); unnumbered names last."""
    return numbered_order(name)


def list_posts(s: Session, unit_id: int, body: str | None = None, include_ended: bool = False) -> list[BodyPostRow]:
    """Posts by body (in BODIES order) and role, current ones only unless include_ended; 后备干部 is body
    「后备干部」. The 村民委员会主任 who is now also 书记 is titled 一肩挑."""
    stmt = (select(BodyPost, Resident, BodyTerm)
            .join(Resident, Resident.id == BodyPost.resident_id)
            .outerjoin(BodyTerm, BodyTerm.id == BodyPost.term_id)
            .where(BodyPost.unit_id == unit_id))
    if body is not None:
        stmt = stmt.where(BodyPost.body == body)
    if not include_ended:
        stmt = stmt.where(BodyPost.until.is_(None))
    rows = s.execute(stmt).all()
    body_rank = {b: i for i, b in enumerate(BODIES)}

    def key(r: tuple[BodyPost, Resident, BodyTerm | None]) -> tuple[object, ...]:
        post, person, _ = r
        roles = BODY_ROLES.get(post.body, ())
        return (post.until is not None, body_rank.get(post.body, 99), group_order(post.group_name),
                roles.index(post.role) if post.role in roles else 99, person.name_initials, post.id)

    rows.sort(key=key)
    secretaries = secretary_ids(s, unit_id)
    households = _households_of(s, [r[0].id for r in rows if r[0].body == "村民代表"])
    out = []
    for post, person, term in rows:
        term_text = term_name = ""
        if term is not None:
            span = f"{term.starts_on.isoformat()} 至 {term.ends_on.isoformat()}"
            term_text = f"{term.name}（{span}）" if term.name else span
            term_name = term.name or span
        one = post.until is None and person.id in secretaries
        out.append(BodyPostRow(
            id=post.id, resident_id=person.id, name=person.name, gender=person.gender, birth_date=person.birth_date,
            phone=person.phone or "", education=person.education or "", body=post.body, role=post.role,
            title=post_title(post.body, post.role, one), term_id=post.term_id, term_text=term_text,
            term_name=term_name,
            group_name=post.group_name, since=post.since, until=post.until, end_reason=post.end_reason,
            note=post.note, households=tuple(households.get(post.id, [])),
        ))
    return out


__all__ = ["BODIES", "BODY_ROLES", "ONE_SHOULDER", "TERM_BODIES", "PostHousehold", "BodyPostRow", "add_post", "correct_post", "end_post", "list_posts",
           "group_order", "post_households", "post_title", "secretary_ids", "set_households", "village_org"]
