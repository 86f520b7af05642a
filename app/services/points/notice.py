"""积分排名公示: the year's assessment (name, branch, total, rank, grade) for the notice board.

Built from the computed assessment: a published one, or the draft (公示 before the final decision is
how most villages do it: objections first, then publication). A draft goes through the same freshness
check as publishing (assessments.current_assessment): computed before the last point entry, it is
recomputed first (or refused with the reason when the operator may not compute); with members 待定
it is refused until the 支委会 has decided. Names are printed as they are (a 公示 of members' results
names them); the engine masks any personal number.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from app.io.notices import NoticeColumn

from ..notices.archive import TEMPLATE_KEY, NoticeDraft, fill_template, party_issuer
from ..settings import get_setting
from ..units import get_unit
from .assessments import current_assessment, list_assessment
from .rules import points_text

KIND = "points"
DEFAULT_TEMPLATE = (
    "根据党员积分制管理有关规定，按照基础分、履职分、奖励分、扣减分，经各党支部对{年度}年度党员积分逐项核实、"
    "排名，评定出优秀、良好、一般、差四个等次。{评定办法}现将{年度}年度党员积分排名及评定结果予以公示，接受党员和群众监督。"
)


def build_points_notice(s: Session, unit_id: int, year: int | None = None, on: date | None = None) -> NoticeDraft:
    year = year or (on or date.today()).year
    status = current_assessment(s, unit_id, year, "生成积分排名公示")
    unit = get_unit(s, unit_id)
    rows: list[list[object]] = [[r.org_name, r.name, f"{r.category}党员", points_text(r.total), r.rank, r.grade]
                                for r in list_assessment(s, unit_id, year)]
    issuer = party_issuer(s, unit)
    # the rule, ties at a share's line included, is stated where the figures are read
    values = {"村名": unit.name, "年度": str(year), "发文单位": issuer, "评定办法": status.bands.describe()}
    template = str(get_setting(s, unit_id, TEMPLATE_KEY.format(kind=KIND), DEFAULT_TEMPLATE) or DEFAULT_TEMPLATE)
    columns = [NoticeColumn("所在支部", "group"), NoticeColumn("姓名", "name"), NoticeColumn("积分类别"),
               NoticeColumn("总积分"), NoticeColumn("支部排名", "int"), NoticeColumn("评定等次")]
    return NoticeDraft(
        kind=KIND, year=year, title=f"关于{year}年度党员积分排名及评定结果的公示", body=fill_template(template, values),
        columns=columns, rows=rows, issuer=issuer, objection_to=issuer, source_ref=f"assessment:{year}",
        extra={"values": values, "state": status.state},
    )
