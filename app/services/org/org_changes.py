"""Changes to a 党组织 that carry its members along: moving every member out of it, closing it with its
sub-organisations after moving them, and deleting an org entered by mistake today.

A member's move is a change of 所在支部 / 党小组 (org_id, group_id), one audited change per member; the
closing itself is tree.close_org, so the same checks hold whichever way an org is closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.models import PartyMember, PartyOrg

from .. import access, audit, removal
from ..errors import NotFound
from ..validation import Problems
from .tree import BRANCH_KINDS, GROUP_KINDS, close_org, descendant_ids, members_in


@dataclass(frozen=True)
class CloseCheck:
    """What stands in the way of closing an org, for the 撤销 dialog."""

    members: int  # members (any stage, not left) in the org or an org under it
    open_below: list[str]  # names of the open orgs under it, deepest first (they would close with it)


def _org(s: Session, org_id: int) -> PartyOrg:
    org = s.get(PartyOrg, org_id)
    if org is None:
        raise NotFound("找不到该党组织")
    return org


def _open_below(s: Session, org_id: int) -> list[PartyOrg]:
    """The open orgs under org_id (not itself), deepest first: the order they can be closed in."""
    ids = descendant_ids(s, org_id, include_self=False)
    orgs = {o.id: o for o in s.scalars(select(PartyOrg).where(PartyOrg.id.in_(ids), PartyOrg.closed_on.is_(None)))}

    def depth(o: PartyOrg) -> int:
        d, current = 0, o
        while current.parent_id is not None and current.parent_id != org_id:
            current = _org(s, current.parent_id)
            d += 1
        return d

    return sorted(orgs.values(), key=lambda o: (-depth(o), o.sort_order, o.id))


def close_check(s: Session, org_id: int) -> CloseCheck:
    _org(s, org_id)
    return CloseCheck(members_in(s, org_id), [o.name for o in _open_below(s, org_id)])


def move_members(s: Session, org_id: int, branch_id: int | None, group_id: int | None = None) -> int:
    """Move every member (any stage, not left) of the org and of the orgs under it to another 支部 (and 党小组).

    Returns how many moved. Refused into the org's own subtree, a closed org, or a group not under the branch.
    """
    access.require_role(s, *access.ENTRY_ROLES, action="调整党员所在组织")
    org = _org(s, org_id)
    leaving = descendant_ids(s, org_id)
    p = Problems()
    branch = s.get(PartyOrg, branch_id) if branch_id is not None else None
    if branch_id is None:
        p.add("branch_id", "调整到支部", "请选择要调整到的支部")
    elif branch is None or branch.unit_id != org.unit_id:
        p.add("branch_id", "调整到支部", "所选的组织不存在")
    elif branch.kind not in BRANCH_KINDS:
        p.add("branch_id", "调整到支部", f"{branch.name} 是{branch.kind}，所在支部应为党支部、联合党支部或党总支")
    elif branch.closed_on is not None:
        p.add("branch_id", "调整到支部", f"{branch.name} 已撤销")
    elif branch.id in leaving:
        p.add("branch_id", "调整到支部", f"{branch.name} 属于{org.name}，请选择其他支部")
    group = s.get(PartyOrg, group_id) if group_id is not None else None
    if group_id is not None and branch is not None:
        if group is None or group.kind not in GROUP_KINDS or group.id not in descendant_ids(s, branch.id):
            p.add("group_id", "党小组", f"所选的党小组不属于 {branch.name}")
        elif group.closed_on is not None or group.id in leaving:
            p.add("group_id", "党小组", f"{group.name} 已撤销或将随{org.name}撤销")
    p.raise_if_any()
    assert branch is not None
    target = branch.name + (f" · {group.name}" if group is not None else "")
    moved = 0
    for m in s.scalars(select(PartyMember).where(
            or_(PartyMember.org_id.in_(leaving), PartyMember.group_id.in_(leaving)), PartyMember.left_on.is_(None))):
        before = audit.snapshot(m, ("org_id", "group_id"))
        m.org_id, m.group_id = branch.id, group_id
        s.flush()
        audit.record_change(s, org.unit_id, "party_member", m.id, f"{m.resident.name}：调整到{target}（自{org.name}）",
                            before, audit.snapshot(m, ("org_id", "group_id")))
        moved += 1
    return moved


def close_moving_members(
    s: Session, org_id: int, on: date, reason: str, branch_id: int | None = None, group_id: int | None = None
) -> int:
    """撤销 an org with everything under it, in one transaction: its members go to branch_id (and group_id)
    first, then the open orgs under it close (deepest first) and the org itself, all with `on` and `reason`.

    Without a branch it closes only what has no members left. Returns how many members moved.
    """
    access.require_role(s, "admin", action="撤销党组织")
    moved = 0
    if branch_id is not None or members_in(s, org_id):
        moved = move_members(s, org_id, branch_id, group_id)
    for below in _open_below(s, org_id):
        close_org(s, below.id, on, reason)
    close_org(s, org_id, on, reason)
    return moved


def delete_org(s: Session, org_id: int) -> None:
    """删除（误录）: only an org entered today that nothing refers to; otherwise the message says what does."""
    org = _org(s, org_id)
    removal.delete_if_fresh(s, org, org.unit_id, "party_org", f"{org.kind} {org.name}",
                            "请用“撤销”结束该组织（填写撤销日期和原因）。")


__all__ = ["CloseCheck", "close_check", "close_moving_members", "delete_org", "move_members"]
