"""乡风文明积分排名公示: the year's household ranking (名次, 户主, 网格, 总积分) for the notice board.

All scored households, or the top N (setting `notice.household_points.top`, 0 = all; households
sharing the last rank all stay). The 户主 is printed by name like the other rankings; the engine masks
any personal number, and none is printed here.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from app.io.notices import NoticeColumn

from ..errors import ServiceError
from ..notices.archive import TEMPLATE_KEY, NoticeDraft, committee_name, fill_template, party_issuer
from ..settings import get_setting
from ..units import get_unit
from .household_points import household_ranking
from .rules import points_text

KIND = "household-points"
TOP_KEY = "notice.household_points.top"
DEFAULT_TEMPLATE = (
    "为推进移风易俗、培育文明乡风，{村名}推行“五讲五不”乡风文明积分制管理（讲文明、不说脏话，讲卫生、"
    "不乱扔乱倒，讲孝道、不虐待老人，讲诚信、不坑蒙拐骗，讲法治、不违法乱纪），由党小组长参与逐户考评。"
    "现将{年度}年度各户乡风文明积分排名{范围}予以公示，接受村民监督。"
)


def build_household_points_notice(s: Session, unit_id: int, year: int | None = None, on: date | None = None,
                                  top: int | None = None) -> NoticeDraft:
    year = year or (on or date.today()).year
    if top is None:
        try:
            top = int(get_setting(s, unit_id, TOP_KEY, 0) or 0)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            top = 0
    rows_found = household_ranking(s, unit_id, year, top=top if top and top > 0 else None)
    if not rows_found:
        raise ServiceError(f"{year}年度还没有乡风文明积分记录，无法生成排名公示。")
    unit = get_unit(s, unit_id)
    issuer = committee_name(unit)
    scope = f"（前 {top} 名）" if top and top > 0 else ""
    values = {"村名": unit.name, "年度": str(year), "发文单位": issuer, "范围": scope}
    template = str(get_setting(s, unit_id, TEMPLATE_KEY.format(kind=KIND), DEFAULT_TEMPLATE) or DEFAULT_TEMPLATE)
    columns = [NoticeColumn("名次", "int"), NoticeColumn("户主", "name"), NoticeColumn("网格"),
               NoticeColumn("乡风文明积分")]
    rows: list[list[object]] = [[r.rank, r.head_name or f"户号 {r.number}", r.grid_name, points_text(r.total)]
                                for r in rows_found]
    return NoticeDraft(
        kind=KIND, year=year, title=f"关于{year}年度乡风文明积分排名的公示", body=fill_template(template, values),
        columns=columns, rows=rows, issuer=issuer, objection_to=f"{issuer}或{party_issuer(s, unit)}",
        group_counter="户", source_ref=f"household-points:{year}", extra={"values": values, "top": top or 0},
    )
