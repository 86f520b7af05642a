"""决议公开 and 实施结果公开: a decision's 公示 drafts (published by decisions.publish_resolution /
publish_result through notices.archive.publish_draft, so they are archived and verifiable).

The table lists the 四议 steps: date, meeting, 应到/实到 and the vote. The engine masks every
number-like run in the table's text cells; the free text of the body (事项内容, 实施结果) is masked
here, since the body is printed as written.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.io.masking import mask_free_text
from app.io.notices import NoticeColumn
from app.models.affairs import Decision

from ..errors import NotFound
from ..notices.archive import NoticeDraft, committee_name, party_issuer
from ..units import get_unit
from .meetings import list_meetings

KIND, RESULT_KIND = "decision", "decision-result"
COLUMNS = [NoticeColumn("程序"), NoticeColumn("日期"), NoticeColumn("会议"), NoticeColumn("应到/实到"),
           NoticeColumn("表决情况（赞成/反对/弃权）"), NoticeColumn("结果")]


def _decision(s: Session, decision_id: int) -> Decision:
    d = s.get(Decision, decision_id)
    if d is None:
        raise NotFound("找不到该事项")
    return d


def _step_rows(s: Session, d: Decision) -> list[list[object]]:
    return [[m.step or "", m.held_on.isoformat(), m.kind, f"{m.expected}/{m.present}", m.votes_text, m.outcome]
            for m in list_meetings(s, d.unit_id, decision_id=d.id) if m.step]


def _draft(s: Session, d: Decision, kind: str, title: str, paragraphs: list[str]) -> NoticeDraft:
    unit = get_unit(s, d.unit_id)
    issuer = committee_name(unit)
    body = "\n".join(mask_free_text(p) for p in paragraphs if p)
    return NoticeDraft(
        kind=kind, year=d.proposed_on.year, title=title, body=body, columns=list(COLUMNS),
        rows=_step_rows(s, d), issuer=issuer, objection_to=f"{issuer}或村务监督委员会（{party_issuer(s, unit)}）",
        group_counter="项", source_ref=f"{kind}:{d.id}", extra={"decision_id": d.id, "number": d.number},
    )


def build_decision_notice(s: Session, decision_id: int) -> NoticeDraft:
    """决议公开: what was decided and the four meetings that decided it."""
    d = _decision(s, decision_id)
    vote = next((m for m in reversed(list_meetings(s, d.unit_id, decision_id=d.id)) if m.step == "村民代表会议决议"),
                None)
    passed = (f"经{vote.held_on.year}年{vote.held_on.month}月{vote.held_on.day}日{vote.kind}表决通过"
              if vote else "经表决通过")
    paragraphs = [
        f"按照“四议两公开”工作法，{passed}（编号 {d.number}），现将决议事项及决策程序予以公开，接受村民监督。",
        f"事项：{d.title}",
        *(f"内容：{line}" if i == 0 else line for i, line in enumerate(d.content.splitlines())),
    ]
    return _draft(s, d, KIND, f"关于“{d.title}”的决议公开", paragraphs)


def build_result_notice(s: Session, decision_id: int) -> NoticeDraft:
    """实施结果公开: what was done, when, and the path the decision took."""
    d = _decision(s, decision_id)
    done = (f"已于{d.implemented_on.year}年{d.implemented_on.month}月{d.implemented_on.day}日实施完毕"
            if d.implemented_on else "已实施")
    paragraphs = [
        f"经“四议两公开”程序决议的“{d.title}”（编号 {d.number}）{done}，现将实施结果予以公开，接受村民监督。",
        *(f"实施结果：{line}" if i == 0 else line for i, line in enumerate(d.result_text.splitlines())),
    ]
    return _draft(s, d, RESULT_KIND, f"关于“{d.title}”实施结果的公开", paragraphs)
