"""关于××年度星级文明户评选结果的公示: the notice draft of a round (one table, 网格 by 网格).

Every household whose review (or, once decided, whose decided level) gives at least one star is
listed with its 户主, 门牌, the stars it earned and its level. Two stages, worded by the round's state:
the 张榜公示 (PROPOSED: 「拟评为」, posted by publicity.publicize_round, corrected by
publish_correction) and, once the 两委 have decided (定评, 报镇备案), the 评定结果 (RESULT). A round has one
notice of each stage unless the earlier one is withdrawn (refuse_second). The bodies come from the
template settings `notice.template.stars` and `notice.template.stars.result` (placeholders {村名} {年度}
{发文单位} {户数}, and {确定情况} in the result).

The table is kept to one line a household (95 households on at most 4 A4 pages): one table with a
网格 column, the stars without their common 「星」 (勤劳敬业、孝老爱亲…), the address without the
village's own name, 全部星类 for a household that earned them all, dense cells.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.io.notices import NoticeColumn
from app.models import Notice

from ..errors import ServiceError
from ..notices.archive import (
    TEMPLATE_KEY,
    NoticeDraft,
    committee_name,
    fill_template,
    notice_number,
    party_issuer,
)
from ..settings import get_setting
from ..units import get_unit
from .applications import ApplicationQuery, ApplicationRow, list_applications
from .categories import list_categories
from .rounds import FROZEN_STEPS, get_round_row, level_label, round_for_year

KIND = "stars"
DEFAULT_TEMPLATE = (
    "按照星级文明户创评工作安排，经农户自愿申报、群众推荐，村道德评议会和村民议事会逐户评议审核，"
    "{年度}年度共有{户数}户拟评为星级文明户，现予以公示，接受群众监督。"
)
RESULT_TEMPLATE = (
    "按照星级文明户创评工作安排，经农户自愿申报、群众推荐，村道德评议会和村民议事会逐户评议审核、张榜公示，"
    "{确定情况}，{年度}年度共有{户数}户评定为星级文明户，现将评定结果予以公示，接受群众监督。"
)
PROPOSED, RESULT = "proposed", "result"  # 拟评为 (张榜公示) / 评定结果 (after the 两委 decided)
ALL_ROWS = 1_000_000


def source_ref(round_id: int, stage: str = PROPOSED) -> str:
    """Notice.source_ref of a round's notice: the 张榜公示 as before (rounds.round_notices finds it),
    the 评定结果 apart, so the round's 公示期 and objections stay the 张榜公示's."""
    return f"star_round:{round_id}" + (":result" if stage == RESULT else "")


def stage_for(step: str) -> str:
    return RESULT if step in FROZEN_STEPS else PROPOSED


def refuse_second(s: Session, round_id: int, stage: str) -> None:
    """One notice of each stage per round: refuse another while the earlier one stands (not withdrawn)."""
    earlier = s.scalars(select(Notice).where(Notice.source_ref == source_ref(round_id, stage),
                                             Notice.withdrawn_on.is_(None)).order_by(Notice.id)).first()
    if earlier is None:
        return
    number = notice_number(earlier.id, earlier.issued_on or earlier.created_at.date())
    what = "评定结果公示" if stage == RESULT else "张榜公示"
    how = ("如需重新发布，请先在“公示与台账”中撤回该公示。" if stage == RESULT
           else "如公示内容有误，请登记异议并“发布更正公示”，或先撤回该公示。")
    raise ServiceError(f"该批次已发布{what} {number}《{earlier.title}》，不能重复发布。{how}")


def short_stars(names: list[str], every: set[str]) -> str:
    """勤劳敬业星、孝老爱亲星 → 勤劳敬业、孝老爱亲 (the column is 获评星类: every name ends in 星);
    a household that earned every category (`every`, more than one) reads 全部星类."""
    if len(every) > 1 and set(names) >= every:
        return "全部星类"
    return "、".join(n.removesuffix("星") if len(n) > 2 else n for n in names)


def short_address(address: str, village: str) -> str:
    """The household's address without the village's own name in front (the notice is the village's)."""
    rest = address.removeprefix(village)
    return rest if rest.strip() else address


def starred_applications(s: Session, round_id: int) -> list[ApplicationRow]:
    """Applications with at least one star (decided level, or approved stars before the decision)."""
    q = ApplicationQuery(round_id, status="starred", order_by="grid")
    return list_applications(s, q, 0, ALL_ROWS)


def round_draft(s: Session, round_id: int, corrected: bool = False, stage: str = PROPOSED) -> NoticeDraft:
    """The round's notice: the 张榜公示 (PROPOSED, 拟评为) or, once decided, the 评定结果 (RESULT)."""
    r = get_round_row(s, round_id)
    unit = get_unit(s, r.unit_id)
    rows: list[list[object]] = []
    apps = starred_applications(s, round_id)
    # one table per 网格, five-star households first within it
    # list_applications gives 网格 order; within a 网格 five-star households come first (a stable sort)
    groups = sorted(dict.fromkeys(a.top_grid_name for a in apps), key=lambda g: g == "")  # no 网格: last
    rank = {g: i for i, g in enumerate(groups)}
    apps.sort(key=lambda a: (rank[a.top_grid_name], -a.shown_level))
    every = {c.name for c in list_categories(s, r.unit_id)}
    for a in apps:
        rows.append([a.top_grid_name or "未划分网格", a.head_name, level_label(a.shown_level),
                     short_stars(a.approved_names, every), short_address(a.address, unit.name) or a.household_number])
    if not rows:
        raise ServiceError(f"{r.year}年度评选还没有审核通过的户，无法生成公示。")
    issuer = f"{party_issuer(s, unit)}　{committee_name(unit)}"
    values = {"村名": unit.name, "年度": str(r.year), "发文单位": issuer, "户数": str(len(rows)),
              "确定情况": "经村“两委”会议研究确定" + ("并报镇党委备案" if r.step == "filed" else "")}
    key, default = (f"{KIND}.result", RESULT_TEMPLATE) if stage == RESULT else (KIND, DEFAULT_TEMPLATE)
    template = str(get_setting(s, r.unit_id, TEMPLATE_KEY.format(kind=key), default) or default)
    what = "评定结果" if stage == RESULT else "评选结果"
    title = f"关于{r.year}年度星级文明户{what}的公示" + ("（更正）" if corrected else "")
    # 星级 as kind "name" (never masked): it keeps three characters on one line like a name does
    # one table, every cell on one line ("short"), dense cells: 95 households fit on 4 A4 pages (a
    # table per 网格 spends a heading, a header row and a page-foot reserve on each)
    columns = [NoticeColumn("网格", "short"), NoticeColumn("户主", "name"), NoticeColumn("星级", "name"),
               NoticeColumn("获评星类", "short"), NoticeColumn("门牌", "short")]
    return NoticeDraft(
        kind=KIND, year=r.year, title=title, body=fill_template(template, values), columns=columns, rows=rows,
        issuer=issuer, objection_to=committee_name(unit), group_counter="户", source_ref=source_ref(r.id, stage),
        dense=True,
        extra={"values": values, "round_id": r.id, "stage": stage},
    )


def build_stars_notice(s: Session, unit_id: int, year: int | None = None, on: date | None = None) -> NoticeDraft:
    """The CLI's `notice stars --year Y` (and 生成公示): the year's round, once its review is done — the
    张榜公示 while it is posted (if none stands yet), the 评定结果 once the 两委 decided; never a second one."""
    round_id = round_for_year(s, unit_id, year or (on or date.today()).year)
    r = get_round_row(s, round_id)
    if r.step in ("mobilize", "apply", "review"):
        raise ServiceError(f"{r.year}年度评选还在“两会审核”之前的阶段，请先在窗口中完成审核并“生成公示并张榜”。")
    stage = stage_for(r.step)
    refuse_second(s, round_id, stage)
    return round_draft(s, round_id, stage=stage)
