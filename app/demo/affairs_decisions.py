"""Demo 四议两公开 of 东坟村 in 2026, through the decisions service (after the village bodies exist).

- 村东排水沟硬化工程: all four meetings pass, 决议公开 in April, done in June, 实施结果公开 — 已完成;
- 文化广场健身器材更新: passes, 决议公开 in September — 实施中;
- 调整村集体机动地承包费标准: the 村民代表会议 of October has 9 of 15 代表, short of two thirds — 未通过.
The 公示 are archived with their frozen masked rows like the demo's other notices (no file printed).
"""

from __future__ import annotations

import random
from datetime import date

from sqlalchemy.orm import Session

from app.models.affairs import Decision

from ..services.affairs import decisions
from ..services.affairs.decisions import DecisionInput, _published
from ..services.affairs.meetings import AffairsMeetingInput, roster
from ..services.affairs.notice_decision import build_decision_notice, build_result_notice
from ..services.notices.archive import NoticeDraft, notice_number
from .notice_rows import archive_unprinted

PLACE = "村委会会议室"
STEPS = (("党组织提议", "支委会"), ("两委会商议", "两委会"), ("党员大会审议", "党员大会"), ("村民代表会议决议", "村民代表会议"))
MINUTES = {
    "党组织提议": "党总支书记提出议题，支委逐一发表意见，同意提交两委会商议。",
    "两委会商议": "两委成员对方案、预算和实施方式进行商议，形成初步方案。",
    "党员大会审议": "党员大会听取方案说明，分组讨论后表决。",
    "村民代表会议决议": "主持人宣读方案及党员大会审议意见，代表讨论后举手表决。",
}
# (title, content, the four meeting dates, 代表 absent at the vote)
DRAIN = ("村东排水沟硬化工程", "对村东主排水沟约 420 米进行混凝土硬化，预算 18.6 万元，资金来源为上级人居环境整治专项资金和村集体收入。",
         (date(2026, 3, 3), date(2026, 3, 6), date(2026, 3, 12), date(2026, 3, 20)), 2)
FITNESS = ("文化广场健身器材更新", "更换文化广场老化健身器材 12 件，增设儿童游乐设施 1 组，预算 6.8 万元。",
           (date(2026, 8, 4), date(2026, 8, 7), date(2026, 8, 14), date(2026, 8, 21)), 1)
LAND = ("调整村集体机动地承包费标准", "机动地 86 亩承包费由每亩每年 600 元调整为 750 元，自 2027 年起执行。",
        (date(2026, 10, 9), date(2026, 10, 12), date(2026, 10, 16), date(2026, 10, 23)), 6)


def _meeting(s: Session, unit_id: int, step: str, kind: str, on: date, absent: int, against: int,
             rng: random.Random) -> AffairsMeetingInput:
    people = [p.resident_id for p in roster(s, unit_id, kind, on)]
    away = set(rng.sample(people, min(absent, len(people))))
    present = [p for p in people if p not in away]
    against = min(against, len(present))
    abstain = 1 if len(present) > 10 else 0
    return AffairsMeetingInput(kind, on, people, present, len(present) - against - abstain, against, abstain,
                               minutes=MINUTES[step], place=PLACE)


def _archive(s: Session, unit_id: int, draft: NoticeDraft, on: date) -> tuple[int, str]:
    n = archive_unprinted(s, unit_id, draft, on)
    return n.id, notice_number(n.id, on)


def _path(s: Session, unit_id: int, case: tuple[str, str, tuple[date, ...], int], rng: random.Random) -> int:
    title, content, dates, absent_reps = case
    did = decisions.open_decision(s, unit_id, DecisionInput(title, dates[0], content))
    for (step, kind), on in zip(STEPS, dates, strict=True):
        absent = {"村民代表会议": absent_reps, "党员大会": rng.randint(4, 9)}.get(kind, rng.randint(0, 1))
        decisions.record_step(s, did, step, _meeting(s, unit_id, step, kind, on, absent, rng.randint(0, 2), rng))
    return did


def _publish(s: Session, unit_id: int, did: int, on: date, result: bool) -> None:
    d = s.get(Decision, did)
    assert d is not None
    draft = (build_result_notice if result else build_decision_notice)(s, did)
    _published(s, d, *_archive(s, unit_id, draft, on), result=result)


def extend(s: Session, unit_id: int, rng: random.Random) -> list[str]:
    drain = _path(s, unit_id, DRAIN, rng)
    _publish(s, unit_id, drain, date(2026, 3, 23), result=False)
    decisions.record_result(s, drain, "排水沟硬化 420 米于 2026 年 6 月 12 日完工，经村务监督委员会和群众代表验收合格，"
                            "实际支出 17.9 万元，结余资金转入村集体账户。", date(2026, 6, 12))
    _publish(s, unit_id, drain, date(2026, 6, 15), result=True)
    fitness = _path(s, unit_id, FITNESS, rng)
    _publish(s, unit_id, fitness, date(2026, 8, 24), result=False)
    land = _path(s, unit_id, LAND, rng)
    status = decisions.get_decision(s, land).status
    assert status == "未通过", status  # 9 of 15 代表: the meeting could not sit
    return ["四议两公开：3 项（1 项已完成并公开实施结果，1 项实施中，1 项因村民代表会议不足法定人数未通过）"]
