"""台账 of 四议两公开 (registered with ledgers.export):

- decisions: 四议两公开台账, one row per decision proposed in the year: each meeting step's date and
  vote (赞成/反对/弃权, or 未达法定人数), the status, the two 公开 dates and why a path ended;
- representative-meetings: 村民代表会议记录, every 村民代表会议 / 村民会议 held in the year (decision
  steps and topic votes): 应到/实到, votes, outcome, absentees and the minutes in short.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.io.ledgers import Ledger, LedgerColumn
from app.io.masking import cut_before_number
from app.models.affairs import Decision, Topic

from .decisions import MEETING_STEPS, DecisionRow, StepRow, list_decisions
from .meetings import AffairsMeetingRow, list_meetings

MINUTES_CHARS = 80  # a ledger cell, not the minutes: the full text is in the program


def _year(year: int | None) -> int:
    return year or date.today().year


def _step(row: DecisionRow, step: str) -> StepRow:
    return next(st for st in row.steps if st.step == step)


def _step_columns(step: str) -> list[LedgerColumn]:
    def held(row: DecisionRow) -> object:
        return _step(row, step).on

    def vote(row: DecisionRow) -> object:
        m = _step(row, step).meeting
        return "" if m is None else m.votes_text

    label = step.removesuffix("决议").removesuffix("审议").removesuffix("商议").removesuffix("提议")
    return [LedgerColumn(f"{label}日期", held, "date"), LedgerColumn(f"{label}表决", vote)]


def decisions_ledger(s: Session, unit_id: int, year: int | None) -> Ledger:
    year = _year(year)
    rows = list(reversed(list_decisions(s, unit_id, year=year)))  # oldest first, as numbered
    columns = [LedgerColumn("编号", "number"), LedgerColumn("事项", "title"),
               LedgerColumn("提议日期", "proposed_on", "date")]
    for step in MEETING_STEPS:
        columns += _step_columns(step)
    columns += [
        LedgerColumn("决议公开日期", lambda r: _step(r, "决议公开").on, "date"),
        LedgerColumn("实施结果公开日期", lambda r: _step(r, "实施结果公开").on, "date"),
        LedgerColumn("状态", "status"),
        LedgerColumn("备注", lambda r: r.end_reason or (f"实施结果：{r.result_text}" if r.result_text else ""), "text"),
    ]
    return Ledger("四议两公开台账", columns, rows, year=year, count=len(rows), count_unit="项",
                  notes=("注：表决一栏为 赞成/反对/弃权 票数；“未达法定人数”指到会人数未达到法定比例，会议不能表决，"
                         "事项在该步骤终止。",))


def _subject(s: Session, rows: list[AffairsMeetingRow]) -> dict[int, str]:
    """What each meeting voted on: the decision's or the topic's title."""
    d_ids = {r.decision_id for r in rows if r.decision_id}
    t_ids = {r.topic_id for r in rows if r.topic_id}
    decisions = {i: t for i, t in s.execute(select(Decision.id, Decision.title).where(Decision.id.in_(d_ids)))}
    topics = {i: t for i, t in s.execute(select(Topic.id, Topic.title).where(Topic.id.in_(t_ids)))}
    out = {}
    for r in rows:
        if r.decision_id:
            out[r.id] = decisions.get(r.decision_id, "")
        elif r.topic_id:
            out[r.id] = f"环形互动：{topics.get(r.topic_id, '')}"
    return out


def representative_meetings_ledger(s: Session, unit_id: int, year: int | None) -> Ledger:
    year = _year(year)
    rows = [r for r in list_meetings(s, unit_id, kinds=("村民代表会议", "村民会议")) if r.held_on.year == year]
    subjects = _subject(s, rows)

    def votes(kind: str):  # type: ignore[no-untyped-def]
        return lambda r: "" if r.outcome == "不足法定人数" else getattr(r, kind)

    def minutes(r: AffairsMeetingRow) -> str:
        text = " ".join(r.minutes.split())
        return text if len(text) <= MINUTES_CHARS else cut_before_number(text, MINUTES_CHARS) + "…"

    columns = [
        LedgerColumn("会议日期", "held_on", "date"), LedgerColumn("会议类型", "kind"),
        LedgerColumn("议题", lambda r: subjects.get(r.id, "")), LedgerColumn("主持人", "host"),
        LedgerColumn("应到", "expected", "int"), LedgerColumn("实到", "present", "int"),
        LedgerColumn("赞成", votes("votes_for"), "int"), LedgerColumn("反对", votes("votes_against"), "int"),
        LedgerColumn("弃权", votes("votes_abstain"), "int"), LedgerColumn("表决结果", "outcome"),
        LedgerColumn("缺席人员", lambda r: "、".join(r.absent_names)),
        LedgerColumn("会议记录摘要", minutes, "text"),
    ]
    return Ledger("村民代表会议记录", columns, rows, year=year, count=len(rows), count_unit="次",
                  notes=("注：村民代表会议须有三分之二以上组成人员参加方可召开，所作决定须经到会人员的过半数同意；"
                         "村民会议须有本村十八周岁以上村民的过半数，或者本村三分之二以上的户的代表参加。",))


BUILDERS = {"decisions": decisions_ledger, "representative-meetings": representative_meetings_ledger}
