"""关于××年度星级文明户评选结果的公示: the notice draft of a round (one table per 网格).

Every household whose review (or, once decided, whose decided level) gives at least one star is
listed with its 户主, 门牌, the stars it earned and its level. The body comes from the template setting
`notice.template.stars` (placeholders {村名} {年度} {发文单位} {户数}).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from app.io.notices import NoticeColumn

from ..errors import ServiceError
from ..notices.archive import TEMPLATE_KEY, NoticeDraft, committee_name, fill_template, party_issuer
from ..settings import get_setting
from ..units import get_unit
from .applications import ApplicationQuery, ApplicationRow, list_applications
from .rounds import get_round_row, level_label, round_for_year

KIND = "stars"
DEFAULT_TEMPLATE = (
    "按照星级文明户创评工作安排，经农户自愿申报、群众推荐，村道德评议会和村民议事会逐户评议审核，"
    "{年度}年度共有{户数}户拟评为星级文明户，现予以公示，接受群众监督。"
)
ALL_ROWS = 1_000_000


def starred_applications(s: Session, round_id: int) -> list[ApplicationRow]:
    """Applications with at least one star (decided level, or approved stars before the decision)."""
    q = ApplicationQuery(round_id, status="starred", order_by="grid")
    return list_applications(s, q, 0, ALL_ROWS)


def round_draft(s: Session, round_id: int, corrected: bool = False) -> NoticeDraft:
    r = get_round_row(s, round_id)
    unit = get_unit(s, r.unit_id)
    rows: list[list[object]] = []
    apps = starred_applications(s, round_id)
    # one table per 网格, five-star households first within it
    # list_applications gives 网格 order; within a 网格 five-star households come first (a stable sort)
    groups = sorted(dict.fromkeys(a.top_grid_name for a in apps), key=lambda g: g == "")  # no 网格: last
    rank = {g: i for i, g in enumerate(groups)}
    apps.sort(key=lambda a: (rank[a.top_grid_name], -a.shown_level))
    for a in apps:
        rows.append([a.top_grid_name or "未划分网格", a.head_name, level_label(a.shown_level),
                     "、".join(a.approved_names), a.address or a.household_number])
    if not rows:
        raise ServiceError(f"{r.year}年度评选还没有审核通过的户，无法生成公示。")
    issuer = f"{party_issuer(s, unit)}　{committee_name(unit)}"
    values = {"村名": unit.name, "年度": str(r.year), "发文单位": issuer, "户数": str(len(rows))}
    template = str(get_setting(s, r.unit_id, TEMPLATE_KEY.format(kind=KIND), DEFAULT_TEMPLATE) or DEFAULT_TEMPLATE)
    title = f"关于{r.year}年度星级文明户评选结果的公示" + ("（更正）" if corrected else "")
    # 星级 as kind "name" (never masked): it keeps three characters on one line like a name does
    columns = [NoticeColumn("网格", "group"), NoticeColumn("户主", "name"), NoticeColumn("星级", "name"),
               NoticeColumn("获评星类"), NoticeColumn("门牌/住址")]
    return NoticeDraft(
        kind=KIND, year=r.year, title=title, body=fill_template(template, values), columns=columns, rows=rows,
        issuer=issuer, objection_to=committee_name(unit), group_counter="户", source_ref=f"star_round:{r.id}",
        extra={"values": values, "round_id": r.id},
    )


def build_stars_notice(s: Session, unit_id: int, year: int | None = None, on: date | None = None) -> NoticeDraft:
    """The CLI's `notice stars --year Y`: the year's round, once its review is done (张榜公示 or later)."""
    round_id = round_for_year(s, unit_id, year or (on or date.today()).year)
    r = get_round_row(s, round_id)
    if r.step in ("mobilize", "apply", "review"):
        raise ServiceError(f"{r.year}年度评选还在“两会审核”之前的阶段，请先在窗口中完成审核并“生成公示并张榜”。")
    return round_draft(s, round_id)
