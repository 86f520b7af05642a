"""Who joins and leaves the 党员 roster: 转入, leaving (转出 / 死亡 / 出党 / 停止党籍), 恢复, 删除（误录）.

A member who leaves keeps their row (left_on, left_kind, left_reason; 转出 also left_to and the 介绍信编号);
their open posts and 联系户 end that day. 恢复 takes back an ending entered by mistake: the 操作日志 keeps
the old values, and the posts and 联系户 the ending closed (their ids are in the ending's log entry) open
again unless someone else has taken the post meanwhile or the household is gone. Only a record entered
today that nothing refers to may be deleted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AuditEntry, Household, MemberContact, MemberPost, PartyMember, PartyOrg, Resident
from app.models.org import LEFT_KINDS, MEMBER_STAGES

from .. import access, audit, removal
from ..errors import ServiceError, ValidationError
from ..people import residents as people
from ..validation import Problems
from .member_checks import DATE_LABELS, MemberInput
from .member_posts import SINGLE_HOLDER_POSTS
from .members import _get_member, add_member

# 出党 comes in these forms (党章 / 中国共产党纪律处分条例); the form is kept at the head of the reason.
EXIT_MODES = ("开除党籍", "除名", "自行脱党除名", "劝其退党")
REASON_REQUIRED = ("出党", "停止党籍", "其他")
MEMBER_ONLY_KINDS = ("出党", "停止党籍")  # an applicant withdraws (其他) or moves away (转出)
LEFT_FIELDS = ("left_on", "left_kind", "left_reason", "left_to", "left_letter_no")
ARRIVAL_FIELDS = ("arrived_on", "arrived_from", "arrived_letter_no")
ENTITY = "party_member"


@dataclass
class LeaveInput:
    kind: str  # one of LEFT_KINDS
    on: date | None
    reason: str = ""
    left_to: str = ""  # 转出: the receiving 党组织 (required)
    letter_no: str = ""  # 转出: 介绍信编号
    exit_mode: str = ""  # 出党: one of EXIT_MODES (required)
    resident_died: bool = False  # 死亡: also record the death in the 居民 register


@dataclass
class ArrivalInput:
    """转入: where the relation comes from, when it arrived, the 介绍信编号."""

    from_org: str
    on: date | None
    letter_no: str = ""


@dataclass(frozen=True)
class RestoreResult:
    reopened: list[str] = field(default_factory=list)  # 「第一党支部书记」「联系户 001」
    kept_ended: list[str] = field(default_factory=list)  # with the reason they stay ended
    notes: list[str] = field(default_factory=list)  # e.g. the resident's status


# ---------------------------------------------------------------- leaving


def _earliest_end(m: PartyMember) -> tuple[str, date] | None:
    """The latest date the record already holds: an ending cannot come before it."""
    dated = [(DATE_LABELS[k], getattr(m, k)) for k in DATE_LABELS if getattr(m, k) is not None]
    if m.arrived_on is not None:
        dated.append(("转入日期", m.arrived_on))
    return max(dated, key=lambda x: x[1]) if dated else None


def _check_leave(m: PartyMember, data: LeaveInput) -> tuple[Problems, dict[str, Any]]:
    p = Problems()
    name = m.resident.name
    if m.left_on is not None:
        p.add("on", "日期", f"{name} 已于 {m.left_on.isoformat()} {m.left_kind or '离开'}")
    kind = p.choice("kind", "离开方式", data.kind, LEFT_KINDS, required=True)
    on = data.on
    if on is None:
        p.add("on", "日期", "请填写日期")
    elif on > date.today():
        p.add("on", "日期", "日期晚于今天")
    else:
        last = _earliest_end(m)
        if last is not None and on < last[1]:
            p.add("on", "日期", f"不能早于{last[0]}（{last[1].isoformat()}）")
        for post in m.posts:
            if post.end_on is None and post.start_on is not None and on < post.start_on:
                p.add("on", "日期", f"不能早于其{post.post}任职日期（{post.start_on.isoformat()}）")
    if kind in MEMBER_ONLY_KINDS and m.stage not in MEMBER_STAGES:
        p.add("kind", "离开方式", f"{name} 是{m.stage}，还不是党员；撤回申请等请选“其他”并写明原因")
    reason = p.text("reason", "原因", data.reason, required=kind in REASON_REQUIRED, max_len=500)
    left_to = p.text("left_to", "转往党组织", data.left_to, required=kind == "转出", max_len=100)
    letter = p.text("letter_no", "介绍信编号", data.letter_no, max_len=30)
    if kind == "出党":
        mode = p.choice("exit_mode", "出党方式", data.exit_mode, EXIT_MODES, required=True)
        if mode and reason:
            reason = f"{mode}：{reason}"
    if kind != "转出":
        left_to = letter = ""
    return p, {"left_on": on, "left_kind": kind, "left_reason": reason, "left_to": left_to, "left_letter_no": letter}


def end_membership(s: Session, member_id: int, data: LeaveInput) -> None:
    """The member leaves the roster (转出, 死亡, 出党, 停止党籍, 其他). The row stays; open posts and 联系户 end
    that day (their ids go into the log so 恢复 can reopen them)."""
    access.require_role(s, *access.ENTRY_ROLES, action="办理党员离开（转出、去世、出党等）")
    m = _get_member(s, member_id)
    p, values = _check_leave(m, data)
    p.raise_if_any()
    on: date = values["left_on"]
    before = audit.snapshot(m, LEFT_FIELDS)
    for key, value in values.items():
        setattr(m, key, value)
    ended_posts = [post.id for post in m.posts if post.end_on is None]
    ended_contacts = [c.id for c in m.contacts if c.until is None]
    for post in m.posts:
        if post.end_on is None:
            post.end_on = on
    for contact in m.contacts:
        if contact.until is None:
            contact.until = on
    detail: dict[str, Any] = {
        "changes": audit.diff(before, audit.snapshot(m, LEFT_FIELDS)),
        "ended_posts": ended_posts, "ended_contacts": ended_contacts,
    }
    r = m.resident
    if values["left_kind"] == "死亡" and data.resident_died and r.status != "死亡":
        detail["resident_status"] = audit.snapshot(r, ("status", "status_date", "status_note"))
        people.set_resident_status(s, r.id, "死亡", on, values["left_reason"])
    s.flush()
    what = values["left_kind"] if values["left_kind"] != "转出" else f"转出至{values['left_to']}"
    audit.record(s, r.unit_id, "close", ENTITY, m.id, f"{r.name} {what}（{on.isoformat()}）", detail)


# ---------------------------------------------------------------- 恢复


def _last_ending(s: Session, member_id: int) -> dict[str, Any]:
    entry = s.scalar(
        select(AuditEntry).where(AuditEntry.entity == ENTITY, AuditEntry.entity_id == member_id,
                                 AuditEntry.action == "close").order_by(AuditEntry.id.desc()).limit(1)
    )
    return entry.detail if entry is not None and isinstance(entry.detail, dict) else {}


def _reopen_post(s: Session, post: MemberPost, left_on: date, out: RestoreResult) -> None:
    org = s.get(PartyOrg, post.org_id)
    label = f"{org.name if org else ''}{post.post}"
    if post.end_on != left_on:
        out.kept_ended.append(f"{label}（离任日期已改为 {post.end_on.isoformat() if post.end_on else '无'}）")
        return
    if org is None or org.closed_on is not None:
        out.kept_ended.append(f"{label}（该组织已撤销）")
        return
    if post.post in SINGLE_HOLDER_POSTS:
        holder = s.scalar(
            select(Resident.name).join(PartyMember, PartyMember.resident_id == Resident.id)
            .join(MemberPost, MemberPost.member_id == PartyMember.id)
            .where(MemberPost.org_id == post.org_id, MemberPost.post == post.post, MemberPost.end_on.is_(None),
                   MemberPost.id != post.id).limit(1)
        )
        if holder:
            out.kept_ended.append(f"{label}（现由 {holder} 担任）")
            return
    post.end_on = None
    out.reopened.append(label)


def _reopen_contact(s: Session, c: MemberContact, left_on: date, out: RestoreResult) -> None:
    h = s.get(Household, c.household_id)
    label = f"联系户 {h.number if h else ''}"
    if c.until != left_on:
        out.kept_ended.append(f"{label}（结束日期已改为 {c.until.isoformat() if c.until else '无'}）")
    elif h is None or h.closed_on is not None:
        out.kept_ended.append(f"{label}（该户已销户）")
    elif s.scalar(select(MemberContact.id).where(MemberContact.member_id == c.member_id,
                                                 MemberContact.household_id == c.household_id,
                                                 MemberContact.until.is_(None))):
        out.kept_ended.append(f"{label}（已重新安排）")
    else:
        c.until = None
        out.reopened.append(label)


def restore_membership(s: Session, member_id: int) -> RestoreResult:
    """Take back a leaving entered by mistake: the member is on the roster again."""
    access.require_role(s, *access.ENTRY_ROLES, action="恢复党员记录")
    m = _get_member(s, member_id)
    r = m.resident
    if m.left_on is None:
        raise ServiceError(f"{r.name} 在党员名册中，没有需要恢复的离开记录。")
    org = s.get(PartyOrg, m.org_id)
    if org is not None and org.closed_on is not None:
        raise ServiceError(f"{r.name} 的所在支部 {org.name} 已撤销：请先在“编辑”中改为现在的支部，再恢复。")
    left_on = m.left_on
    ending = _last_ending(s, m.id)
    out = RestoreResult()
    for pid in ending.get("ended_posts", []):
        post = s.get(MemberPost, pid)
        if post is not None and post.member_id == m.id:
            _reopen_post(s, post, left_on, out)
    for cid in ending.get("ended_contacts", []):
        contact = s.get(MemberContact, cid)
        if contact is not None and contact.member_id == m.id:
            _reopen_contact(s, contact, left_on, out)
    old_status = ending.get("resident_status")
    if old_status and r.status == "死亡" and r.status_date == left_on:
        try:
            people.set_resident_status(s, r.id, old_status["status"],
                                       date.fromisoformat(old_status["status_date"]) if old_status["status_date"] else None,
                                       old_status["status_note"] or "")
            out.notes.append(f"居民状态已改回{old_status['status']}")
        except ValidationError as e:
            out.notes.append(f"居民状态仍为死亡（{'；'.join(p.message for p in e.problems)}），请在“居民与户”中更正")
    before = audit.snapshot(m, LEFT_FIELDS)
    m.left_on, m.left_kind, m.left_reason, m.left_to, m.left_letter_no = None, None, "", "", ""
    s.flush()
    audit.record(s, r.unit_id, "restore", ENTITY, m.id, f"恢复党员记录：{r.name}（撤销 {left_on.isoformat()} 的离开登记）",
                 {"changes": audit.diff(before, audit.snapshot(m, LEFT_FIELDS)), "reopened": out.reopened,
                  "kept_ended": out.kept_ended})
    return out


# ---------------------------------------------------------------- 转入


def transfer_in(s: Session, unit_id: int, data: MemberInput, arrival: ArrivalInput) -> int:
    """A 党员 whose relation arrives from elsewhere: added like 新增党员, with where from, when, the 介绍信编号
    and the original 入党/转正 dates (in `data`)."""
    access.require_role(s, *access.ENTRY_ROLES, action="办理党员转入")
    p = Problems()
    from_org = p.text("arrived_from", "转出党组织", arrival.from_org, required=True, max_len=100)
    letter = p.text("arrived_letter_no", "介绍信编号", arrival.letter_no, max_len=30)
    on = arrival.on
    if on is None:
        p.add("arrived_on", "转入日期", "请填写转入日期")
    elif on > date.today():
        p.add("arrived_on", "转入日期", "日期晚于今天")
    elif data.joined_on is not None and on < data.joined_on:
        p.add("arrived_on", "转入日期", f"不能早于入党日期（{data.joined_on.isoformat()}）")
    if data.stage not in MEMBER_STAGES:
        p.add("stage", "阶段", "转入的应是正式党员或预备党员（发展中的人员请用“新增党员”登记）")
    with s.begin_nested():  # a refused arrival leaves nothing behind, even in the caller's session
        try:
            member_id = add_member(s, unit_id, data)
        except ValidationError as e:
            raise ValidationError(p.items + list(e.problems)) from None
        p.raise_if_any()
    m = _get_member(s, member_id)
    m.arrived_on, m.arrived_from, m.arrived_letter_no = on, from_org, letter
    s.flush()
    audit.record(s, unit_id, "update", ENTITY, m.id, f"{m.resident.name} 自{from_org}转入（{on.isoformat() if on else ''}）",
                 {"changes": audit.diff({}, audit.snapshot(m, ARRIVAL_FIELDS))})
    return member_id


# ---------------------------------------------------------------- 删除（误录）


def _created_with_member(s: Session, resident_id: int) -> bool:
    """The resident was registered by 新增党员 (not on the 居民 page)."""
    summary = s.scalar(select(AuditEntry.summary).where(
        AuditEntry.entity == "resident", AuditEntry.entity_id == resident_id, AuditEntry.action == "create"
    ).order_by(AuditEntry.id.desc()).limit(1))  # the latest: a deleted row's id may be given again
    return bool(summary and summary.endswith("（登记党员时）"))


def delete_member(s: Session, member_id: int) -> str:
    """Delete a member entered today by mistake that nothing refers to, with the resident registered with
    them when nothing else refers to that one either. Returns what was deleted, as a user names it."""
    m = _get_member(s, member_id)
    r = m.resident
    unit_id, name, rid = r.unit_id, r.name, r.id
    removal.delete_if_fresh(s, m, unit_id, ENTITY, f"党员 {name}", "请用“离开…”登记转出、去世等。")
    if _created_with_member(s, rid) and not removal.referrers(s, "residents", rid):
        try:
            removal.delete_if_fresh(s, r, unit_id, "resident", f"居民 {name}", "")
        except ServiceError:
            return f"党员 {name}（居民登记保留）"
        return f"党员 {name} 及同时登记的居民信息"
    return f"党员 {name}（居民登记保留）"


__all__ = [
    "EXIT_MODES", "MEMBER_ONLY_KINDS", "MEMBER_STAGES", "REASON_REQUIRED", "ArrivalInput", "LeaveInput", "RestoreResult", "delete_member", "end_membership",
    "restore_membership", "transfer_in",
]
