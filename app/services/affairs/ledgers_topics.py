"""环形互动议题台账 (`export topics`): one row per topic, from how it was raised to the villagers' verdict.

The year is the year a topic was opened. 表决结果 is the outcome of its 村民代表会 (with 赞成/反对/弃权, or
未达法定人数); 公开日期 the first day of its 公示; 进展 the latest progress note.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.io.ledgers import Ledger, LedgerColumn
from app.models import Notice

from .meetings import list_meetings
from .topics import TopicRow, list_topics


def _vote(s: Session, unit_id: int, t: TopicRow) -> str:
    if not t.vote_outcome:
        return ""
    m = list_meetings(s, unit_id, topic_id=t.id)[-1]
    return f"{m.held_on.isoformat()} {m.kind}{m.outcome}（{m.votes_text}）"


def topics_ledger(s: Session, unit_id: int, year: int | None) -> Ledger:
    year = year or date.today().year
    topics = [t for t in reversed(list_topics(s, unit_id)) if t.opened_on.year == year]
    published = dict(s.execute(select(Notice.id, Notice.period_start).where(
        Notice.id.in_([t.notice_id for t in topics if t.notice_id]))).all())
    rows = [{
        "number": t.number, "title": t.title, "direction": t.direction, "ticket": t.ticket_number,
        "opinions": t.opinions, "answer": t.answer, "vote": _vote(s, unit_id, t),
        "published": published.get(t.notice_id or 0), "responsible": t.responsible_name, "due": t.due_on,
        "progress": t.last_progress or t.closed_reason, "done": t.done_on,
        "verdict": t.verdict + (f"（{t.verdict_note}）" if t.verdict_note else ""),
    } for t in topics]
    columns = [
        LedgerColumn("编号", "number"), LedgerColumn("议题", "title", width=30),
        LedgerColumn("正序/倒序", "direction"), LedgerColumn("来源工单", "ticket"),
        LedgerColumn("意见条数", "opinions", "count", total=True), LedgerColumn("支部答复", "answer", width=30),
        LedgerColumn("表决结果", "vote", width=28), LedgerColumn("公开日期", "published", "date"),
        LedgerColumn("责任人", "responsible"), LedgerColumn("时限", "due", "date"),
        LedgerColumn("进展", "progress", width=30), LedgerColumn("完成日期", "done", "date"),
        LedgerColumn("群众评价", "verdict"),
    ]
    return Ledger("环形互动议题台账", columns, rows, year=year, count=len(rows), count_unit="项",
                  notes=("表决结果：会议日期、会议类型、结果（赞成/反对/弃权票数）；未通过的议题在“进展”栏写明原因。",))


BUILDERS = {"topics": topics_ledger}
