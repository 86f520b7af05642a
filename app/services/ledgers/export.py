"""The first 台账 for the township: 党员花名册, 党组织设置情况, 居民户籍台账, 网格员信息表.

Ledgers for the township carry full 身份证号 and phone numbers (they are not public; only 公示 mask).
Grid staff (网格员) export only the kinds listed in GRID_STAFF_KINDS, limited to their grids and with
身份证号 and phones masked (出生日期 only the year); every other kind is refused for them (see grid_staff_ledger).
Rows are streamed from the database (paged or yield_per), so a 150k-resident register never sits in
memory as ORM objects.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from app.io.atomic import CancelCheck, Progress
from app.io.ledgers import Ledger, LedgerColumn, LedgerResult, write_ledgers
from app.io.masking import mask_free_text, mask_id_number, mask_phone
from app.models import Grid, Household, MemberPost, PartyMember, PartyOrg, Resident
from app.models.people import HEAD_RELATION

from .. import access, audit
from ..affairs import ledgers_bodies as body_ledgers
from ..affairs import ledgers_decisions as decision_ledgers
from ..affairs import ledgers_topics as topic_ledgers
from ..errors import PermissionDenied, ServiceError
from ..grid.ledgers import contacts_ledger, grids_ledger, households_per_area
from ..grid.posts import list_grid_posts
from ..org.members import MemberQuery, count_members, list_members, posts_text
from ..org.tree import list_org_tree
from ..output_kinds import LEDGER_KINDS
from ..partywork import appraisal_ledger as appraisal_ledgers
from ..partywork import dues_outputs as dues_ledgers
from ..partywork import ledgers_mobile as mobile_ledgers
from ..partywork import party_stats, transfers_ledger
from ..people.households import unit_household_tags
from ..people.residents import ACTIVE_STATUSES
from ..points import household_ledgers as household_points_ledgers
from ..points import ledgers as points_ledgers
from ..search import unit_scan
from ..stars import ledgers as star_ledgers
from ..tickets import ledgers as ticket_ledgers
from ..units import get_unit

PAGE = 500
STREAM_BATCH = 2000
INDENT = "　"  # one full-width space per tree level in the org name column


def _members(s: Session, unit_id: int, year: int | None) -> Ledger:
    q = MemberQuery(unit_id=unit_id, stage="members", order_by="org")

    def rows() -> Iterator[Any]:
        offset = 0
        while True:
            page = list_members(s, q, offset, PAGE)
            yield from page
            if len(page) < PAGE:
                return
            offset += PAGE

    extra = _member_extras(s, unit_id)
    posts = _member_posts(s, unit_id)
    columns = [
        LedgerColumn("姓名", "name"), LedgerColumn("性别", "gender"), LedgerColumn("出生日期", "birth_date", "date"),
        LedgerColumn("身份证号", "id_number", "id"), LedgerColumn("学历", "education"),
        LedgerColumn("联系电话", "phone", "phone"), LedgerColumn("所在支部", "org_name"),
        LedgerColumn("党小组", "group_name"), LedgerColumn("党员类别", "stage"),
        LedgerColumn("入党日期", "joined_on", "date"), LedgerColumn("转正日期", "confirmed_on", "date"),
        LedgerColumn("党员类型", "member_type"), LedgerColumn("管理方式", "management"),
        LedgerColumn("积分类别", "points_category"),
        # long values wrap in the cell: fixed widths keep the printed sheet to one A4 width
        LedgerColumn("流出地", lambda m: extra.get(m.id, ("", ""))[0], width=12),
        LedgerColumn("双报到单位", lambda m: extra.get(m.id, ("", ""))[1], width=16),
        LedgerColumn("党内职务", lambda m: _posts_text(posts.get(m.id, []), m), width=24),
    ]
    return Ledger("党员花名册", columns, rows(), year=year, count=count_members(s, q), count_unit="名",
                  notes=("注：党内职务后括号内为任职的党组织；未注明的，在本人所在支部（党小组长在所在党小组）任职。",))


def _member_extras(s: Session, unit_id: int) -> dict[int, tuple[str, str]]:
    """流出地 and 双报到单位 of the members who have one (few: 流动 and 在职 members)."""
    stmt = (select(PartyMember.id, PartyMember.flow_out_place, PartyMember.dual_report_unit)
            .join(Resident, Resident.id == PartyMember.resident_id)
            .where(Resident.unit_id == unit_id, (PartyMember.flow_out_place != "") | (PartyMember.dual_report_unit != "")))
    return {mid: (flow or "", dual or "") for mid, flow, dual in s.execute(stmt)}


def _member_posts(s: Session, unit_id: int) -> dict[int, list[tuple[str, int, str]]]:
    """Each member's current posts: (post, org id, org name), in the order they were taken."""
    stmt = (select(MemberPost.member_id, MemberPost.post, PartyOrg.id, PartyOrg.name)
            .join(PartyOrg, PartyOrg.id == MemberPost.org_id)
            .where(PartyOrg.unit_id == unit_id, MemberPost.end_on.is_(None))
            .order_by(MemberPost.start_on, MemberPost.id))
    out: dict[int, list[tuple[str, int, str]]] = {}
    for mid, post, org_id, org_name in s.execute(stmt):
        out.setdefault(mid, []).append((post, org_id, org_name))
    return out


def _posts_text(posts: list[tuple[str, int, str]], m: Any) -> str:
    return posts_text(posts, (m.org_id, m.group_id))  # one form for the roster page and the ledger


def _secretaries(s: Session, unit_id: int) -> dict[int, str]:
    """Current 书记 of each org (first one if several)."""
    out: dict[int, str] = {}
    stmt = (
        select(MemberPost.org_id, Resident.name)
        .join(PartyMember, PartyMember.id == MemberPost.member_id)
        .join(Resident, Resident.id == PartyMember.resident_id)
        .join(PartyOrg, PartyOrg.id == MemberPost.org_id)
        .where(PartyOrg.unit_id == unit_id, MemberPost.post == "书记", MemberPost.end_on.is_(None))
        .order_by(MemberPost.start_on, MemberPost.id)
    )
    for org_id, name in s.execute(stmt):
        out.setdefault(org_id, name)
    return out


def _orgs(s: Session, unit_id: int, year: int | None) -> Ledger:
    nodes = list_org_tree(s, unit_id)
    names = {n.id: n.name for n in nodes}
    secretaries = _secretaries(s, unit_id)
    established = dict(s.execute(select(PartyOrg.id, PartyOrg.established_on).where(PartyOrg.unit_id == unit_id)).all())
    columns = [
        LedgerColumn("组织名称", lambda n: INDENT * n.depth + n.name),
        LedgerColumn("组织类别", "kind"),
        LedgerColumn("上级组织", lambda n: names.get(n.parent_id, "") if n.parent_id else ""),
        LedgerColumn("组织代码", "code"),
        LedgerColumn("成立日期", lambda n: established.get(n.id), "date"),
        LedgerColumn("书记", lambda n: secretaries.get(n.id, "")),
        LedgerColumn("党员人数（含下级）", "member_count", "int"),
    ]
    return Ledger("党组织设置情况", columns, nodes, year=year, count=len(nodes), count_unit="个",
                  notes=("注：党员人数含下级组织，党员同时编入党支部和党小组的只计一次。",))


def _households(s: Session, unit_id: int, year: int | None) -> Ledger:
    grid, top = aliased(Grid), aliased(Grid)
    scoped = access.household_filter(s)  # grid staff: the people of their grids' households
    scope = [] if scoped is None else [scoped]
    stmt = (
        select(Household.id.label("household_id"), Household.number, Household.address, Resident.name,
               Resident.relation, Resident.gender,
               Resident.ethnicity, Resident.birth_date, Resident.id_number, Resident.phone, Resident.education,
               Resident.status, grid.name.label("grid_name"), top.name.label("top_name"), Resident.note)
        .join(Household, Household.id == Resident.household_id)
        .outerjoin(grid, grid.id == Household.grid_id)
        .outerjoin(top, top.id == grid.parent_id)
        .where(unit_scan(s, Resident.unit_id, unit_id), Resident.status.in_(ACTIVE_STATUSES),
               Household.closed_on.is_(None), *scope)
        .order_by(Household.number, Resident.relation != HEAD_RELATION, Resident.birth_date, Resident.id)
        .execution_options(yield_per=STREAM_BATCH)
    )
    columns = [
        LedgerColumn("户号", "number"), LedgerColumn("门牌/住址", "address"), LedgerColumn("姓名", "name"),
        LedgerColumn("与户主关系", "relation"), LedgerColumn("性别", "gender"), LedgerColumn("民族", "ethnicity"),
        LedgerColumn("出生日期", "birth_date", "date"), LedgerColumn("身份证号", "id_number", "id"),
        LedgerColumn("联系电话", "phone", "phone"), LedgerColumn("学历", "education"),
        LedgerColumn("人员状态", "status"),
        # the grid and, for a micro-grid, its name without the grid's, as the 网格员信息表's 负责区域
        LedgerColumn("网格", lambda r: r.top_name or r.grid_name),
        LedgerColumn("微网格", lambda r: r.grid_name.removeprefix(r.top_name) if r.top_name else ""),
        # on the 户主's row only: the tags are the household's, and the import reads them from there
        LedgerColumn("户标签", lambda r: "、".join(tags.get(r.household_id, ())) if r.relation == HEAD_RELATION else ""),
        LedgerColumn("备注", "note"),
    ]
    tags = unit_household_tags(s, unit_id)
    count = s.scalar(
        select(func.count(Resident.id)).join(Household, Household.id == Resident.household_id)
        .where(unit_scan(s, Resident.unit_id, unit_id), Resident.status.in_(ACTIVE_STATUSES),
               Household.closed_on.is_(None), *scope)
    )
    return Ledger("居民户籍台账", columns, s.execute(stmt), year=year, count=count or 0, count_unit="人")


def _grid_posts(s: Session, unit_id: int, year: int | None) -> Ledger:
    posts = list_grid_posts(s, unit_id)
    served = households_per_area(s, unit_id)
    columns = [
        LedgerColumn("网格", "grid_name"), LedgerColumn("负责区域", lambda p: p.area_name.removeprefix(p.grid_name) or "全网格"),
        LedgerColumn("岗位", "post"), LedgerColumn("姓名", "name"), LedgerColumn("性别", "gender"),
        LedgerColumn("身份证号", "id_number", "id"), LedgerColumn("联系电话", "phone", "phone"),
        LedgerColumn("负责户数", lambda p: served.get(p.area_id, 0), "int"),
        LedgerColumn("任职日期", "start_on", "date"), LedgerColumn("备注", "note"),
    ]
    return Ledger("网格员信息表", columns, posts, year=year, count=len(posts), count_unit="人")


BUILDERS = {"members": _members, "orgs": _orgs, "households": _households, "grid-posts": _grid_posts}
BUILDERS.update({"grids": grids_ledger, "member-contacts": contacts_ledger})
BUILDERS.update(star_ledgers.BUILDERS)
BUILDERS.update(points_ledgers.BUILDERS)
BUILDERS.update(household_points_ledgers.BUILDERS)
BUILDERS.update(ticket_ledgers.BUILDERS)
BUILDERS.update(body_ledgers.BUILDERS)
BUILDERS.update(topic_ledgers.BUILDERS)
BUILDERS.update(decision_ledgers.BUILDERS)
BUILDERS.update(appraisal_ledgers.BUILDERS)
BUILDERS.update(dues_ledgers.BUILDERS)
BUILDERS.update(party_stats.BUILDERS)
BUILDERS.update(mobile_ledgers.BUILDERS)
BUILDERS.update(transfers_ledger.BUILDERS)


# The ledgers a 网格员 may export, each with the query that limits its rows to the operator's grids
# (access.grid_scope). Every other kind is village-wide (the Party registers, point and meeting records,
# village statistics) and is refused: it cannot be cut down to a grid.
GRID_STAFF_KINDS: dict[str, str] = {
    "households": "居民：本人负责网格内的户（_households 的 access.household_filter）",
    "member-contacts": "党员：住在本人负责网格内的党员（grid.coverage.member_loads）",
    "stars": "申报：本人负责网格内的户（stars.applications 的 access.household_filter）",
    "star-awards": "申报：本人负责网格内的户（同上）",
    "tickets": "工单：所属网格在本人负责范围内（tickets.queries 的 access.grid_scope）",
    "ticket-services": "工单：同上",
    "ticket-rates": "统计：只计本人负责网格的工单（tickets.stats 的 access.grid_scope）",
    "ticket-monthly": "统计：同上",
}
_MASKS = {"id": mask_id_number, "phone": mask_phone, "text": mask_free_text}  # text: numbers inside notes
BIRTH_DATE = "出生日期"


def _masked_column(column: LedgerColumn) -> LedgerColumn:
    if column.header == BIRTH_DATE:
        # the eight digits a masked 身份证号 hides are the birth date: only the year goes out with it
        def year(row: Any) -> object:
            born = column.value_of(row)
            return f"{born.year}年" if isinstance(born, date) else born

        return replace(column, key=year, kind="text")
    mask = _MASKS.get(column.kind)
    if mask is None:
        return column

    def value(row: Any) -> object:
        v = column.value_of(row)
        return mask(v) if isinstance(v, str) and v else v

    return replace(column, key=value)


def check_grid_staff_kind(kind: str) -> None:
    """Refuse a 网格员 a ledger that GRID_STAFF_KINDS does not list (checked before anything is built)."""
    if kind not in GRID_STAFF_KINDS:
        allowed = "、".join(LEDGER_KINDS[k] for k in GRID_STAFF_KINDS)
        raise PermissionDenied(f"网格员不能导出《{LEDGER_KINDS.get(kind, kind)}》：这份台账是全村的，无法只导出本人负责的网格。"
                               f"网格员可以导出：{allowed}。")


def masked_ledger(ledger: Ledger) -> Ledger:
    """The same ledger with every 身份证号 and phone column masked (110111********1234, 138****5678), the
    ID-like and phone-like numbers inside text columns (地址, 备注) too, and the 出生日期 cut to the year."""
    return replace(ledger, columns=[_masked_column(c) for c in ledger.columns])


def exportable_kinds(s: Session) -> list[str]:
    """The ledger kinds the current operator may export, in menu order (for the export dialog)."""
    if access.is_grid_staff(s):
        return [k for k in LEDGER_KINDS if k in GRID_STAFF_KINDS]
    return list(LEDGER_KINDS)


def build_ledger(s: Session, unit_id: int, kind: str, year: int | None = None) -> Ledger:
    if kind not in BUILDERS:
        raise ServiceError(f"没有“{kind}”这种台账（可选：{'、'.join(LEDGER_KINDS.values())}）")
    if not access.is_grid_staff(s):
        return BUILDERS[kind](s, unit_id, year)
    check_grid_staff_kind(kind)
    return masked_ledger(BUILDERS[kind](s, unit_id, year))  # the builder has limited the rows to their grids


def export_ledgers(
    s: Session, unit_id: int, kinds: Sequence[str], out_path: Path, year: int | None = None,
    filled_on: date | None = None, progress: Progress | None = None, cancel: CancelCheck | None = None,
) -> LedgerResult:
    """Write one workbook with a sheet per ledger kind (for the township's 上报)."""
    if not kinds:
        raise ServiceError("请至少选择一种台账")
    if access.is_grid_staff(s):
        for kind in kinds:  # refuse before any sheet is built (an unknown kind: build_ledger says so)
            if kind in BUILDERS:
                check_grid_staff_kind(kind)
    unit = get_unit(s, unit_id)
    year = year or (filled_on or date.today()).year
    ledgers = [build_ledger(s, unit_id, k, year) for k in kinds]
    result = write_ledgers(Path(out_path), unit, ledgers, filled_on=filled_on, progress=progress, cancel=cancel)
    names = "、".join(LEDGER_KINDS[k] for k in kinds)
    scoped = access.is_grid_staff(s)
    audit.record(s, unit_id, "export", "ledger", None,
                 f"导出台账：{names}（{result.rows} 行{'，本人负责网格，证件号和电话已隐去' if scoped else ''}）",
                 {"path": str(Path(out_path).resolve()), "kinds": list(kinds), "year": year, "grid_scope": scoped})
    return result

