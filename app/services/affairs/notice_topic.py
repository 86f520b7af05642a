"""公开 of a 环形互动 topic: the 公示 (Notice kind "topic") posted once the 村民代表会 has passed it.

It states the topic, how it was raised (正序/倒序, the 工单 it came from), how many opinions from how
many households, the 支部's answer and the vote with its numbers. Masking is the notice engine's: every
cell is free text run through mask_free_text, so a phone number in an answer prints as 138****5678.
Publishing moves the topic to 落实 (topics.arrange then names the 责任人 and the 时限).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from app.io.notices import NoticeColumn
from app.models.affairs import Topic

from ..notices.archive import (
    TEMPLATE_KEY,
    NoticeDraft,
    NoticeInfo,
    committee_name,
    fill_template,
    party_issuer,
)
from ..notices.archive import publish_draft as _publish_draft
from ..settings import get_setting
from ..units import get_unit
from .meetings import list_meetings
from .topics import _get, _move, _require_stage, get_topic

KIND = "topic"
DEFAULT_TEMPLATE = (
    "按照“环形互动”工作机制，{方式说明}，经党员征求群众意见、党支部研究答复，"
    "于{表决日期}提交{表决会议}表决通过，现将“{议题}”有关情况予以公开，接受群众监督。"
)
HOW = {"正序": "村党支部制定议题，党员会研究讨论后由党员征求群众意见",
       "倒序": "群众提出议题，党员收集反馈，党支部研究后提出方案"}


def _draft(s: Session, topic_id: int) -> NoticeDraft:
    """The 公示 of a voted topic (the engine masks the cells when it renders them)."""
    detail = get_topic(s, topic_id)
    t = detail.row
    votes = [m for m in list_meetings(s, _get(s, topic_id).unit_id, topic_id=topic_id) if m.outcome == "通过"]
    unit = get_unit(s, _get(s, topic_id).unit_id)
    households = {o.household for o in detail.opinions if o.household}
    rows: list[list[object]] = [
        ["议题编号", t.number], ["议题", t.title],
        ["提出方式", f"{t.direction}（{HOW[t.direction]}）" + (f"，来源工单 {t.ticket_number}" if t.ticket_number else "")],
    ]
    if t.content:
        rows.append(["议题内容", t.content])
    rows.append(["群众意见", f"共 {len(detail.opinions)} 条" + (f"，涉及 {len(households)} 户" if households else "")])
    rows.append(["支部答复", t.answer])
    vote_text = ""
    if votes:
        m = votes[-1]
        vote_text = (f"{m.held_on.year}年{m.held_on.month}月{m.held_on.day}日{m.kind}，应到 {m.expected} 人，"
                     f"实到 {m.present} 人，赞成 {m.votes_for} 票，反对 {m.votes_against} 票，"
                     f"弃权 {m.votes_abstain} 票，{m.outcome}")
        rows.append(["表决情况", vote_text])
    values = {"村名": unit.name, "年度": str(t.opened_on.year), "议题": t.title,
              "方式说明": HOW[t.direction], "表决日期": _cn_date(votes[-1].held_on) if votes else "",
              "表决会议": votes[-1].kind if votes else "村民代表会议",
              "发文单位": f"{party_issuer(s, unit)}　{committee_name(unit)}"}
    template = str(get_setting(s, unit.id, TEMPLATE_KEY.format(kind=KIND), DEFAULT_TEMPLATE) or DEFAULT_TEMPLATE)
    return NoticeDraft(
        kind=KIND, year=t.opened_on.year, title=f"关于“{t.title}”的公示", body=fill_template(template, values),
        columns=[NoticeColumn("事项", "short"), NoticeColumn("内容", "text")], rows=rows,
        issuer=values["发文单位"], objection_to=committee_name(unit), group_counter="项",
        source_ref=f"topic:{t.id}", extra={"topic_id": t.id},
    )


def _cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def publish_topic(
    s: Session, topic_id: int, out_path: Path, paper: str = "A4", start: date | None = None,
    days: int | None = None, workdays: bool | None = None, issued_on: date | None = None,
) -> NoticeInfo:
    """发布公开: print and archive the topic's 公示 (the engine checks the role), then 落实 begins."""
    t: Topic = _get(s, topic_id)
    _require_stage(t, "公开", "发布公开")
    info = _publish_draft(s, t.unit_id, _draft(s, topic_id), Path(out_path), paper, start, days, workdays,
                          issued_on)
    t.notice_id = info.id
    _move(s, t, "落实", f"发布公示 {info.number}")
    return info
