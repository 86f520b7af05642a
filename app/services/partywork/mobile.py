"""流动党员: our members living away (流出) and members from elsewhere living in the village (流入).

A 流出 record names where the member went, the employer, phone, since when, the 流入地党组织 if any, the
branch contact who keeps in touch (a current member), how they take part and pay dues. A member has at most
one open 流出 record; a return ends it (until + note) and a later departure is a new record.

The roster keeps following the register: registering a 流出 sets the member's 党员类型 to 流动 (管理方式
参照管理) and 流出地 to the place, so the 党员花名册 and its filters show the 流动党员 as before; the type
they had is kept in the record (prior_type) and restored on return.

A 流入 member is not on our roster: the person is kept by name and 身份证号 with their 原所在党组织 and
whether they have reported to the village (双报到); leaving ends the record. Nothing is deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from app.models import MobileMember, PartyMember, Resident
from app.models.org import MEMBER_STAGES
from app.models.partywork import MOBILE_DIRECTIONS

from .. import access, audit
from ..errors import NotFound
from ..validation import Problems

ENTITY = "mobile_member"
MOBILE_TYPE = "流动"
FALLBACK_TYPE = "农民"  # the usual type of a village member, when the type before 流动 is not known
_FIELDS = ("place", "employer", "phone", "since", "other_org", "keeper_id", "participation", "dues_way",
           "dual_report", "name", "id_number", "note")
_END_FIELDS = ("until", "end_note")


@dataclass
class MobileInput:
    """The form of both directions; 流出 reads member_id, 流入 reads name/id_number/dual_report."""

    since: date | None
    place: str = ""  # 流向地 (流出) / 在本村居住地 (流入)
    employer: str = ""
    phone: str = ""
    other_org: str = ""  # 流入地党组织 (流出) / 原所在党组织 (流入)
    keeper_id: int | None = None  # 流出: the branch contact
    participation: str = ""
    dues_way: str = ""
    member_id: int | None = None  # 流出
    name: str = ""  # 流入
    id_number: str = ""  # 流入
    dual_report: bool = False  # 流入
    note: str = ""


@dataclass(frozen=True)
class MobileRow:
    id: int
    direction: str
    member_id: int | None
    name: str
    id_number: str
    place: str
    employer: str
    phone: str
    since: date
    until: date | None
    end_note: str
    other_org: str
    keeper_id: int | None
    keeper_name: str
    participation: str
    dues_way: str
    dual_report: bool
    note: str

    @property
    def state(self) -> str:
        if self.until is None:
            return "在外" if self.direction == "流出" else "在本村"
        return f"{self.until.isoformat()} {'返回' if self.direction == '流出' else '离开'}"


def _current_member(s: Session, unit_id: int, member_id: int | None, p: Problems, field: str,
                    label: str) -> PartyMember | None:
    """A 党员 of this village on the roster today (正式 or 预备, not left)."""
    m = s.get(PartyMember, member_id) if member_id is not None else None
    if member_id is None:
        p.add(field, label, "请输入姓名或拼音首字母，并在列表中选中")
    elif m is None or m.resident.unit_id != unit_id:
        p.add(field, label, "所选的党员不存在")
    elif m.left_on is not None:
        p.add(field, label, f"{m.resident.name} 已于 {m.left_on.isoformat()} {m.left_kind or '离开'}")
    elif m.stage not in MEMBER_STAGES:
        p.add(field, label, f"{m.resident.name} 是{m.stage}，还不是党员")
    else:
        return m
    return None


def _check(p: Problems, s: Session, unit_id: int, direction: str, d: MobileInput) -> dict[str, object]:
    place_label = "流向地" if direction == "流出" else "在本村居住地"
    org_label = "流入地党组织" if direction == "流出" else "原所在党组织"
    v: dict[str, object] = {
        "place": p.text("place", place_label, d.place, required=True, max_len=100),
        "employer": p.text("employer", "工作单位", d.employer, max_len=100),
        "phone": p.phone("phone", "联系电话", d.phone),
        "other_org": p.text("other_org", org_label, d.other_org, required=direction == "流入", max_len=100),
        "participation": p.text("participation", "参加组织生活方式", d.participation, max_len=200),
        "dues_way": p.text("dues_way", "交纳党费方式", d.dues_way, max_len=100),
        "note": p.text("note", "备注", d.note, max_len=200),
        "since": d.since,
    }
    if d.since is None:
        p.add("since", "外出时间" if direction == "流出" else "来村时间", "请填写日期")
    elif d.since > date.today():
        p.add("since", "外出时间" if direction == "流出" else "来村时间", "日期晚于今天")
    if direction == "流出":
        v["keeper_id"] = None
        if d.keeper_id is not None:
            keeper = _current_member(s, unit_id, d.keeper_id, p, "keeper_id", "联系人")
            if keeper is not None and keeper.id == d.member_id:
                p.add("keeper_id", "联系人", "联系人应是留在村里、负责与其保持联系的另一名党员")
            v["keeper_id"] = keeper.id if keeper is not None else None
    else:
        v["name"] = p.text("name", "姓名", d.name, required=True, max_len=40)
        info = p.id_number("id_number", "身份证号", d.id_number)
        v["id_number"] = info.number if info is not None else ""
        v["dual_report"] = bool(d.dual_report)
    return v


def _open_out(s: Session, member_id: int, exclude: int = 0) -> MobileMember | None:
    return s.scalar(select(MobileMember).where(MobileMember.direction == "流出", MobileMember.member_id == member_id,
                                               MobileMember.until.is_(None), MobileMember.id != exclude).limit(1))


def register_out(s: Session, unit_id: int, data: MobileInput) -> int:
    """登记外出: our member went away. Their 党员类型 becomes 流动 and 流出地 the place until they return."""
    access.require_role(s, *access.ENTRY_ROLES, action="登记流动党员外出")
    p = Problems()
    m = _current_member(s, unit_id, data.member_id, p, "member_id", "姓名")
    values = _check(p, s, unit_id, "流出", data)
    if m is not None:
        open_ = _open_out(s, m.id)
        if open_ is not None:
            p.add("member_id", "姓名", f"{m.resident.name} 已登记于 {open_.since.isoformat()} 外出（{open_.place}），"
                                      "尚未返回：请先登记返回，或修改该条记录")
        last = s.scalar(select(MobileMember.until).where(MobileMember.direction == "流出", MobileMember.member_id == m.id,
                                                          MobileMember.until.is_not(None))
                        .order_by(MobileMember.until.desc()).limit(1))
        if last is not None and data.since is not None and data.since < last:
            p.add("since", "外出时间", f"不能早于上次返回的日期（{last.isoformat()}）")
    p.raise_if_any()
    assert m is not None
    # a member typed 流动 by hand before this register existed comes back as the usual type
    prior = m.member_type if m.member_type != MOBILE_TYPE else FALLBACK_TYPE
    row = MobileMember(unit_id=unit_id, direction="流出", member_id=m.id, prior_type=prior, **values)
    s.add(row)
    before = audit.snapshot(m, ("member_type", "flow_out_place"))
    m.member_type, m.flow_out_place = MOBILE_TYPE, str(values["place"])
    s.flush()
    audit.record(s, unit_id, "create", ENTITY, row.id, f"{m.resident.name} 外出至{row.place}（{row.since.isoformat()}）",
                 {"changes": audit.diff({}, audit.snapshot(row, _FIELDS)),
                  "member": audit.diff(before, audit.snapshot(m, ("member_type", "flow_out_place")))})
    return row.id


def register_in(s: Session, unit_id: int, data: MobileInput) -> int:
    """登记流入: a member from elsewhere lives in the village (not on our roster)."""
    access.require_role(s, *access.ENTRY_ROLES, action="登记流入党员")
    p = Problems()
    values = _check(p, s, unit_id, "流入", data)
    if values.get("id_number"):
        dup = s.scalar(select(MobileMember).where(MobileMember.unit_id == unit_id, MobileMember.direction == "流入",
                                                  MobileMember.id_number == values["id_number"],
                                                  MobileMember.until.is_(None)).limit(1))
        if dup is not None:
            p.add("id_number", "身份证号", f"已登记为流入党员（{dup.name}，{dup.since.isoformat()} 起），尚未离开")
    p.raise_if_any()
    row = MobileMember(unit_id=unit_id, direction="流入", **values)
    s.add(row)
    s.flush()
    audit.record(s, unit_id, "create", ENTITY, row.id, f"流入党员 {row.name}（来自{row.other_org}）",
                 {"changes": audit.diff({}, audit.snapshot(row, _FIELDS))})
    return row.id


def _get(s: Session, record_id: int) -> MobileMember:
    row = s.get(MobileMember, record_id)
    if row is None:
        raise NotFound("找不到该流动党员记录")
    return row


def _person(s: Session, row: MobileMember) -> str:
    if row.member_id is None:
        return row.name
    m = s.get(PartyMember, row.member_id)
    return m.resident.name if m is not None else ""


def end_mobile(s: Session, record_id: int, until: date | None, note: str = "") -> None:
    """登记返回 (流出) / 流入离开 (流入): the record ends; a returning member gets back their 党员类型."""
    access.require_role(s, *access.ENTRY_ROLES, action="登记流动党员返回或离开")
    row = _get(s, record_id)
    word = "返回" if row.direction == "流出" else "离开"
    p = Problems()
    note = p.text("end_note", "说明", note, max_len=200)
    if row.until is not None:
        p.add("until", f"{word}日期", f"已于 {row.until.isoformat()} {word}")
    elif until is None:
        p.add("until", f"{word}日期", f"请填写{word}日期")
    elif until > date.today():
        p.add("until", f"{word}日期", "日期晚于今天")
    elif until < row.since:
        p.add("until", f"{word}日期", f"不能早于{'外出' if row.direction == '流出' else '来村'}时间（{row.since.isoformat()}）")
    p.raise_if_any()
    before = audit.snapshot(row, _END_FIELDS)
    row.until, row.end_note = until, note
    extra: dict[str, object] = {}
    m = s.get(PartyMember, row.member_id) if row.member_id is not None else None
    if m is not None and m.member_type == MOBILE_TYPE and m.left_on is None:
        m_before = audit.snapshot(m, ("member_type", "flow_out_place"))
        m.member_type, m.flow_out_place = row.prior_type or FALLBACK_TYPE, ""
        extra["member"] = audit.diff(m_before, audit.snapshot(m, ("member_type", "flow_out_place")))
    s.flush()
    audit.record(s, row.unit_id, "close", ENTITY, row.id, f"{_person(s, row)} {word}（{until.isoformat() if until else ''}）",
                 {"changes": audit.diff(before, audit.snapshot(row, _END_FIELDS)), **extra})


def correct_mobile(s: Session, record_id: int, data: MobileInput) -> None:
    """修改: correct a record's details (the person of a 流出 record stays; another person is a new record)."""
    access.require_role(s, *access.ENTRY_ROLES, action="修改流动党员记录")
    row = _get(s, record_id)
    p = Problems()
    data.member_id = row.member_id
    values = _check(p, s, row.unit_id, row.direction, data)
    since = data.since
    if since is not None and row.until is not None and since > row.until:
        p.add("since", "外出时间" if row.direction == "流出" else "来村时间",
              f"不能晚于{'返回' if row.direction == '流出' else '离开'}日期（{row.until.isoformat()}）")
    p.raise_if_any()
    before = audit.snapshot(row, _FIELDS)
    for key, value in values.items():
        setattr(row, key, value)
    m = s.get(PartyMember, row.member_id) if row.member_id is not None else None
    if m is not None and row.until is None and m.member_type == MOBILE_TYPE:
        m.flow_out_place = row.place  # the roster's 流出地 follows the open record
    s.flush()
    audit.record_change(s, row.unit_id, ENTITY, row.id, f"修改流动党员记录：{_person(s, row)}", before,
                        audit.snapshot(row, _FIELDS))


def list_mobile(s: Session, unit_id: int, direction: str | None = None, include_ended: bool = True,
                on: date | None = None) -> list[MobileRow]:
    """流出 and/or 流入 records, open ones first, then by date (newest first). `on`: only those under way that day."""
    if direction is not None and direction not in MOBILE_DIRECTIONS:
        raise NotFound(f"没有“{direction}”这种流动方向")
    member, keeper = aliased(PartyMember), aliased(PartyMember)
    person, keeper_person = aliased(Resident), aliased(Resident)
    stmt = (select(MobileMember, person.name, person.id_number, person.phone, keeper_person.name)
            .outerjoin(member, member.id == MobileMember.member_id)
            .outerjoin(person, person.id == member.resident_id)
            .outerjoin(keeper, keeper.id == MobileMember.keeper_id)
            .outerjoin(keeper_person, keeper_person.id == keeper.resident_id)
            .where(MobileMember.unit_id == unit_id))
    if direction is not None:
        stmt = stmt.where(MobileMember.direction == direction)
    if not include_ended:
        stmt = stmt.where(MobileMember.until.is_(None))
    if on is not None:
        stmt = stmt.where(MobileMember.since <= on, (MobileMember.until.is_(None)) | (MobileMember.until > on))
    stmt = stmt.order_by(MobileMember.direction, MobileMember.until.is_not(None), MobileMember.since.desc(),
                         MobileMember.id.desc())
    out = []
    for r, name, id_number, own_phone, keeper_name in s.execute(stmt):
        out.append(MobileRow(
            r.id, r.direction, r.member_id, name or r.name, id_number or r.id_number or "", r.place, r.employer,
            r.phone or own_phone or "", r.since, r.until, r.end_note, r.other_org, r.keeper_id, keeper_name or "",
            r.participation, r.dues_way, r.dual_report, r.note,
        ))
    return out


__all__ = ["MOBILE_DIRECTIONS", "MobileInput", "MobileRow", "correct_mobile", "end_mobile", "list_mobile",
           "register_in", "register_out"]
