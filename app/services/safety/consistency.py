"""Rules the data must keep, checked through queries (`villagedesk check`).

The schema enforces some of them with CHECK constraints, but a file restored from an older version,
edited by another tool or damaged may not; so each rule is a query here, and each violation is
reported with the record it concerns, in Chinese.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session, aliased

from app.models import AuditEntry, Household, MemberContact, Operator, PartyMember, PartyOrg, Resident, Ticket
from app.models.org import MEMBER_STAGES
from app.models.people import HEAD_RELATION

from .. import audit
from ..people.residents import ACTIVE_STATUSES, GONE_STATUSES

MAX_PER_RULE = 50  # a rule that fails everywhere should not bury the others


def _d(value: object) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)  # type: ignore[union-attr]


def _confirm_before_join(s: Session) -> Iterable[str]:
    rows = s.execute(
        select(Resident.name, PartyMember.id, PartyMember.joined_on, PartyMember.confirmed_on)
        .join(Resident, Resident.id == PartyMember.resident_id)
        .where(PartyMember.confirmed_on.is_not(None), PartyMember.joined_on.is_not(None),
               PartyMember.confirmed_on <= PartyMember.joined_on)
        .order_by(PartyMember.id)
    )
    for name, mid, joined, confirmed in rows:
        yield f"党员 {name}（编号 {mid}）：转正日期 {_d(confirmed)} 不晚于入党日期 {_d(joined)}"


def _member_without_join_date(s: Session) -> Iterable[str]:
    rows = s.execute(
        select(Resident.name, PartyMember.id, PartyMember.stage)
        .join(Resident, Resident.id == PartyMember.resident_id)
        .where(PartyMember.stage.in_(MEMBER_STAGES), PartyMember.joined_on.is_(None))
        .order_by(PartyMember.id)
    )
    for name, mid, stage in rows:
        yield f"党员 {name}（编号 {mid}）：{stage}没有入党日期"


def _probationary_confirmed(s: Session) -> Iterable[str]:
    rows = s.execute(
        select(Resident.name, PartyMember.id, PartyMember.confirmed_on)
        .join(Resident, Resident.id == PartyMember.resident_id)
        .where(PartyMember.stage == "预备党员", PartyMember.confirmed_on.is_not(None))
        .order_by(PartyMember.id)
    )
    for name, mid, confirmed in rows:
        yield f"党员 {name}（编号 {mid}）：仍是预备党员，却有转正日期 {_d(confirmed)}"


def _gone_member_not_left(s: Session) -> Iterable[str]:
    rows = s.execute(
        select(Resident.name, PartyMember.id, Resident.status)
        .join(Resident, Resident.id == PartyMember.resident_id)
        .where(Resident.status == "死亡", PartyMember.left_on.is_(None))
        .order_by(PartyMember.id)
    )
    for name, mid, status in rows:
        yield f"党员 {name}（编号 {mid}）：居民状态为{status}，党员名册中却未办理离开"


def _member_in_closed_org(s: Session) -> Iterable[str]:
    org = aliased(PartyOrg)
    rows = s.execute(
        select(Resident.name, PartyMember.id, org.name, org.closed_on)
        .join(Resident, Resident.id == PartyMember.resident_id)
        .join(org, org.id == PartyMember.org_id)
        .where(org.closed_on.is_not(None), PartyMember.left_on.is_(None))
        .order_by(PartyMember.id)
    )
    for name, mid, org_name, closed in rows:
        yield f"党员 {name}（编号 {mid}）：所在组织 {org_name} 已于 {_d(closed)} 撤销"


def _resident_in_closed_household(s: Session) -> Iterable[str]:
    rows = s.execute(
        select(Resident.name, Resident.id, Household.number, Household.closed_on)
        .join(Household, Household.id == Resident.household_id)
        .where(Household.closed_on.is_not(None), Resident.status.in_(ACTIVE_STATUSES))
        .order_by(Resident.id)
    )
    for name, rid, number, closed in rows:
        yield f"居民 {name}（编号 {rid}）：仍在册，所属户 {number} 却已于 {_d(closed)} 销户"


def _two_heads(s: Session) -> Iterable[str]:
    rows = s.execute(
        select(Household.number, func.count(Resident.id))
        .join(Resident, Resident.household_id == Household.id)
        .where(Resident.relation == HEAD_RELATION, Resident.status.in_(ACTIVE_STATUSES))
        .group_by(Household.id, Household.number)
        .having(func.count(Resident.id) > 1)
        .order_by(Household.number)
    )
    for number, n in rows:
        yield f"户号 {number}：有 {n} 个户主（一户只能有一个）"


def _gone_without_date(s: Session) -> Iterable[str]:
    rows = s.execute(
        select(Resident.name, Resident.id, Resident.status)
        .where(Resident.status.in_(GONE_STATUSES), Resident.status_date.is_(None))
        .order_by(Resident.id)
    )
    for name, rid, status in rows:
        yield f"居民 {name}（编号 {rid}）：状态为{status}，但没有{status}日期"


def _contact_of_closed_household(s: Session) -> Iterable[str]:
    rows = s.execute(
        select(Resident.name, Household.number, Household.closed_on)
        .select_from(MemberContact)
        .join(Household, Household.id == MemberContact.household_id)
        .join(PartyMember, PartyMember.id == MemberContact.member_id)
        .join(Resident, Resident.id == PartyMember.resident_id)
        .where(Household.closed_on.is_not(None), MemberContact.until.is_(None))
        .order_by(MemberContact.id)
    )
    for name, number, closed in rows:
        yield f"党员联系户：{name} 仍联系户号 {number}，该户已于 {_d(closed)} 销户"


def _closed_ticket_without_time(s: Session) -> Iterable[str]:
    rows = s.execute(
        select(Ticket.number).where(Ticket.state == "closed", Ticket.closed_at.is_(None)).order_by(Ticket.id)
    )
    for (number,) in rows:
        yield f"工单 {number}：状态为已办结，但没有办结时间"


RULES: tuple[Callable[[Session], Iterable[str]], ...] = (
    _confirm_before_join, _member_without_join_date, _probationary_confirmed, _gone_member_not_left,
    _member_in_closed_org, _resident_in_closed_household, _two_heads, _gone_without_date,
    _contact_of_closed_household, _closed_ticket_without_time,
)


def _capped(lines: Iterable[str]) -> list[str]:
    found: list[Any] = []
    for line in lines:
        found.append(line)
        if len(found) > MAX_PER_RULE:
            return found[:MAX_PER_RULE] + ["……同类问题还有更多，请先处理以上各条"]
    return found


def rule_problems(s: Session) -> list[str]:
    """Every rule violation, one Chinese line each (empty: all rules hold)."""
    return [line for rule in RULES for line in _capped(rule(s))]


# ---------------------------------------------------------------- the 操作日志 hash chain


def _entry_label(e: Row[Any]) -> str:
    at = e.at.replace(tzinfo=UTC).astimezone()  # stored in UTC, shown in local time as in the viewer
    return f"操作日志第 {e.id} 条（{at:%Y-%m-%d %H:%M}，{e.summary[:30]}）"


def _chain_problems(s: Session) -> Iterable[str]:
    """Walk the log in id order: each entry must link to the one before and match its own hash.

    The walk goes on from an entry's stored hash, so one edited or removed entry is one problem."""
    prev: Row[Any] | None = None
    for e in audit.chain(s):
        expected = prev.hash if prev is not None else audit.GENESIS
        if e.hash is None or e.prev_hash is None:
            yield f"{_entry_label(e)}没有校验码：它不是本程序写入的"
        else:
            if e.prev_hash != expected:
                if prev is None:
                    yield f"{_entry_label(e)}之前的操作日志被删除了"
                elif e.id - prev.id > 1:
                    yield f"操作日志第 {prev.id + 1} 至 {e.id - 1} 条被删除了（第 {e.id} 条与前一条接不上）"
                else:
                    yield f"{_entry_label(e)}与前一条接不上：前一条被改动过，或其间的记录被删除了"
            if audit.hash_of(e) != e.hash:
                yield f"{_entry_label(e)}被改动过（内容与校验码不符）"
        prev = e


def _operator_problems(s: Session) -> Iterable[str]:
    """Each operator as it stands must match the digest kept with its last change in the log."""
    last: dict[int, str] = {}
    rows = s.execute(select(AuditEntry.entity_id, AuditEntry.detail)
                     .where(AuditEntry.entity == "operator", AuditEntry.entity_id.is_not(None))
                     .order_by(AuditEntry.id).execution_options(yield_per=1000))
    for op_id, detail in rows:
        if isinstance(detail, dict) and isinstance(detail.get(audit.DIGEST_KEY), str):
            last[op_id] = detail[audit.DIGEST_KEY]
    for op in s.scalars(select(Operator).order_by(Operator.id)):
        kept = last.get(op.id)
        if kept is None:
            yield f"操作员“{op.display_name}”（登录名 {op.username}）不是通过本程序添加的（操作日志中没有它的记录）"
        elif kept != audit.operator_digest(s, op.id):
            yield f"操作员“{op.display_name}”的角色或密码被绕过程序改动过（操作日志中没有这次改动）"


def audit_problems(s: Session) -> list[str]:
    """Tampering with the 操作日志 or the operators, one Chinese line each (empty: none found)."""
    return _capped(_chain_problems(s)) + _capped(_operator_problems(s))
