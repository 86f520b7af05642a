"""居民 status changes as a user records them: 外出务工, 返乡, 迁出, 死亡, and 更正 of one entered by mistake.

Which change may follow which is decided here (返乡 only after 外出务工; nothing follows 死亡 or 迁出 but a
更正); residents.set_resident_status writes the row. A 党员 who dies leaves the roster the same day
(org.roster_changes.end_membership, which also ends their posts and 联系户); one who moves away must have
the 组织关系 transferred on the 党组织与党员 page, and the result says so. A 户主 who dies or moves away
leaves the household without a head: the result names the household, so the screen can offer the 户主
change (household_changes.change_head).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import AuditEntry, Household, PartyMember, PartyOrg, Resident
from app.models.people import HEAD_RELATION, RESIDENT_STATUSES

from .. import access
from ..errors import FieldProblem, NotFound, ValidationError
from ..org import roster_changes
from ..org.roster_changes import LeaveInput
from ..validation import Problems
from .residents import ACTIVE_STATUSES, GONE_STATUSES, set_resident_status

CHANGES = ("外出务工", "返乡", "迁出", "死亡")
CORRECTION = "更正"  # the record was wrong: set the status it should show
NEW_STATUS = {"外出务工": "外出务工", "返乡": "在册", "迁出": "迁出", "死亡": "死亡"}
ALLOWED_FROM: dict[str, tuple[str, ...]] = {
    "外出务工": ("在册",), "返乡": ("外出务工",), "迁出": ACTIVE_STATUSES, "死亡": ACTIVE_STATUSES,
}
NOTE_LABELS = {
    "外出务工": "务工地点/说明", "返乡": "说明", "迁出": "迁往何处/原因", "死亡": "原因/说明", CORRECTION: "更正原因",
}
NOTE_REQUIRED = ("迁出", CORRECTION)


@dataclass
class StatusChange:
    change: str  # one of CHANGES, or CORRECTION
    on: date | None
    note: str = ""
    to_status: str = ""  # 更正: the status the record should show (one of RESIDENT_STATUSES)


@dataclass(frozen=True)
class StatusForm:
    """What the status dialog shows about the person before a change."""

    resident_id: int
    name: str
    status: str
    status_date: date | None
    status_note: str
    household_number: str | None
    is_head: bool
    changes: tuple[str, ...]  # what may be recorded now, CORRECTION last
    member_org: str | None  # the 党组织 of a 党员 still on the roster
    previous_status: str | None  # before the last change (from the 操作日志), to prefill a 更正
    previous_date: date | None


@dataclass(frozen=True)
class StatusResult:
    summary: str  # 「张三：在册 → 死亡（2024-03-01）」
    notes: list[str] = field(default_factory=list)
    household_needs_head: int | None = None  # the 户主 left; others still live there
    household_empty: int | None = None  # nobody 在册 is left: the household can be closed
    member_ended: bool = False  # the 党员 left the roster (or came back, for a 更正)


def _resident(s: Session, resident_id: int) -> Resident:
    r = s.get(Resident, resident_id)
    if r is None:
        raise NotFound("找不到该居民")
    return r


def _open_member(s: Session, resident_id: int) -> tuple[PartyMember, str] | None:
    row = s.execute(
        select(PartyMember, PartyOrg.name).join(PartyOrg, PartyOrg.id == PartyMember.org_id)
        .where(PartyMember.resident_id == resident_id, PartyMember.left_on.is_(None))
    ).first()
    return (row[0], row[1]) if row is not None else None


def changes_from(status: str) -> tuple[str, ...]:
    """The changes a person with this status may have recorded; 更正 is always possible."""
    return (*[c for c in CHANGES if status in ALLOWED_FROM[c]], CORRECTION)


def _previous(s: Session, resident_id: int) -> tuple[str | None, date | None]:
    entry = s.scalar(
        select(AuditEntry).where(AuditEntry.entity == "resident", AuditEntry.entity_id == resident_id,
                                 AuditEntry.action == "status").order_by(AuditEntry.id.desc()).limit(1)
    )
    changes = entry.detail.get("changes", {}) if entry is not None and isinstance(entry.detail, dict) else {}
    status = changes.get("status", {}).get("from")
    if status is None:
        return None, None
    old_date = changes.get("status_date", {}).get("from")
    return status, date.fromisoformat(old_date) if isinstance(old_date, str) else None


def status_form(s: Session, resident_id: int) -> StatusForm:
    r = _resident(s, resident_id)
    access.check_household(s, r.household_id, "查看")
    member = _open_member(s, r.id)
    previous, previous_date = _previous(s, r.id)
    return StatusForm(
        resident_id=r.id, name=r.name, status=r.status, status_date=r.status_date, status_note=r.status_note,
        household_number=r.household.number if r.household else None,
        is_head=r.relation == HEAD_RELATION, changes=changes_from(r.status),
        member_org=member[1] if member else None, previous_status=previous, previous_date=previous_date,
    )


def _refusal(change: str, r: Resident) -> str:
    since = f"（{r.status_date.isoformat()}）" if r.status_date else ""
    if r.status == "死亡":
        return f"{r.name} 已登记死亡{since}，不能再办理{change}；如是误登，请选“更正”"
    if change == "返乡":
        return f"返乡只适用于外出务工的居民，{r.name} 现在是{r.status}{since}"
    if r.status == change:
        return f"{r.name} 已是{change}{since}"
    if r.status == "迁出":
        return f"{r.name} 已迁出本村{since}，不能办理{change}；如是误登，请选“更正”"
    return f"{r.name} 现在是{r.status}{since}，不能办理{change}"


def _check(r: Resident, data: StatusChange, p: Problems) -> tuple[str, str, str]:
    """(change, new status, note); problems go to p."""
    change = p.choice("change", "变动", data.change, (*CHANGES, CORRECTION), required=True)
    new = ""
    if change == CORRECTION:
        new = p.choice("to_status", "更正为", data.to_status, RESIDENT_STATUSES, required=True)
        if new and new == r.status:
            p.add("to_status", "更正为", f"{r.name} 现在就是{new}")
    elif change in NEW_STATUS:
        new = NEW_STATUS[change]
        if r.status not in ALLOWED_FROM[change]:
            p.add("change", "变动", _refusal(change, r))
    on = data.on
    if on is None:
        if change and (change != CORRECTION or new != "在册"):
            p.add("on", "日期", f"请填写{change if change != CORRECTION else new}日期")
    elif on > date.today():
        p.add("on", "日期", "日期晚于今天")
    elif r.birth_date is not None and on < r.birth_date:
        p.add("on", "日期", f"不能早于出生日期（{r.birth_date.isoformat()}）")
    elif change != CORRECTION and r.status_date is not None and on < r.status_date:
        p.add("on", "日期", f"不能早于上一次变动（{r.status} {r.status_date.isoformat()}）")
    label = NOTE_LABELS.get(change, "说明")
    note = p.text("note", label, data.note, required=change in NOTE_REQUIRED, max_len=500)
    return change, new, note


def _as_status_problems(e: ValidationError, prefix: str) -> ValidationError:
    """A member service's problems, shown on this form (its date is this form's date)."""
    return ValidationError([FieldProblem(pr.field if pr.field == "on" else "change", pr.label, prefix + pr.message)
                            for pr in e.problems])


def _household_after(s: Session, r: Resident, old: str, new: str, result: dict[str, object]) -> None:
    """A 户主 who left, or a household nobody lives in any more: say so, for the screen to offer what is next."""
    h = s.get(Household, r.household_id) if r.household_id else None
    if h is None or old not in ACTIVE_STATUSES or new not in GONE_STATUSES:
        return
    others = s.scalar(select(func.count(Resident.id)).where(
        Resident.household_id == h.id, Resident.status.in_(ACTIVE_STATUSES), Resident.id != r.id)) or 0
    notes: list[str] = result["notes"]  # type: ignore[assignment]
    if others == 0:
        result["household_empty"] = h.id
        notes.append(f"户号 {h.number} 已没有在册居民，可以办理销户。")
    elif r.relation == HEAD_RELATION:
        result["household_needs_head"] = h.id
        notes.append(f"{r.name} 是户号 {h.number} 的户主，该户需要新的户主：请变更户主。")


def record_status_change(s: Session, resident_id: int, data: StatusChange) -> StatusResult:
    """Record 外出务工 / 返乡 / 迁出 / 死亡 (or 更正 a mistaken status) with its date and reason."""
    access.require_role(s, *access.ENTRY_ROLES, action="登记居民状态变动")
    r = _resident(s, resident_id)
    access.check_household(s, r.household_id, "修改")
    p = Problems()
    change, new, note = _check(r, data, p)
    p.raise_if_any()
    old, on, name = r.status, data.on, r.name
    member = _open_member(s, r.id)
    result: dict[str, object] = {"notes": [], "member_ended": False}
    notes: list[str] = result["notes"]  # type: ignore[assignment]
    with s.begin_nested():  # a refusal half-way (the member's record) leaves nothing behind
        if change == CORRECTION:
            _correct(s, r, notes, result)
        if new == "死亡" and member is not None:
            try:
                roster_changes.end_membership(s, member[0].id, LeaveInput("死亡", on, note, resident_died=True))
            except ValidationError as e:
                raise _as_status_problems(e, "党员记录：") from None
            result["member_ended"] = True
            notes.append(f"{name} 是党员（{member[1]}），已同时办理去世：离开党员名册，职务和联系户同日结束。")
        elif r.status != new or r.status_date != on:
            summary = f"更正 {name} 的状态：{r.status} → {new}（{note}）" if change == CORRECTION else ""
            set_resident_status(s, r.id, new, on, note, summary=summary)
    if change != CORRECTION and member is not None:
        if new == "迁出":
            notes.append(f"{name} 是党员（{member[1]}）：请到“党组织与党员”页办理组织关系转出。")
        elif new == "外出务工":
            notes.append(f"{name} 是党员（{member[1]}）：如长期在外，请在党员信息中登记流出地（流动党员）。")
    _household_after(s, r, old, new, result)
    when = f"（{on.isoformat()}）" if on else ""
    verb = f"更正为{new}" if change == CORRECTION else f"{old} → {new}"
    return StatusResult(summary=f"{name}：{verb}{when}", **result)  # type: ignore[arg-type]


def _correct(s: Session, r: Resident, notes: list[str], result: dict[str, object]) -> None:
    """更正 of a death entered by mistake also takes back the member's leaving the roster it caused."""
    if r.status == "死亡":
        dead = s.scalar(select(PartyMember).where(
            PartyMember.resident_id == r.id, PartyMember.left_kind == "死亡", PartyMember.left_on == r.status_date))
        if dead is not None:
            restored = roster_changes.restore_membership(s, dead.id)
            result["member_ended"] = True
            again = "、".join(restored.reopened)
            notes.append(f"{r.name} 的党员记录已恢复" + (f"（{again}）" if again else "") + "。")
            s.refresh(r)


__all__ = [
    "CHANGES", "CORRECTION", "NOTE_LABELS", "StatusChange", "StatusForm", "StatusResult", "changes_from",
    "record_status_change", "status_form",
]
