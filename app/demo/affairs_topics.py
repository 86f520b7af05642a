"""Demo 环形互动 of 东坟村 (seed 000): one topic 正序 and one 倒序, through the topics service.

正序: the 支部 sets the spring 人居环境整治 theme; members gather opinions from their households, the
支部 answers, the 村民代表会议 passes it, it is made public, done in July and judged 满意.
倒序: a villager's 路灯 ticket is promoted; opinions, answer, vote, 公开; its 落实 时限 (2026-10-20) has
passed on DEMO_TODAY with the work unfinished, so the 工作台 shows one overdue topic.
The 公示 are archived with their frozen masked rows like the demo's other notices (no file printed).
"""

from __future__ import annotations

import random
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Household, PartyMember, Resident, Ticket
from app.models.affairs import Topic

from ..services.affairs import topics
from ..services.affairs.meetings import AffairsMeetingInput, roster
from ..services.affairs.notice_topic import _draft
from ..services.affairs.topics import _move
from .facts import DEMO_TODAY
from .notice_rows import archive_unprinted

SPRING = ("2026年春季人居环境整治“门前三包”方案",
          "村党支部结合重点工作，拟在全村推行“门前三包”（包卫生、包秩序、包绿化），分片包户、每月评比。")
SPRING_OPINIONS = (
    "建议把评比结果在村务公开栏公布，做得好的户给予积分奖励。",
    "老人户打扫有困难，希望党员志愿者帮扶。",
    "村西口垃圾桶不够，应先增加垃圾桶再要求各户。",
    "柴草堆放要给出统一的堆放点，不然没处放。",
)
LIGHT_OPINIONS = (
    "村西口到主街一段最黑，老人晚上不敢出门。",
    "建议装太阳能路灯，省电费。",
    "路灯坏了要有人管，定期检修。",
)


def _gatherers(s: Session, unit_id: int, n: int, rng: random.Random) -> list[tuple[int, int]]:
    """n (member, household) pairs: a member and a household of the village the member called on."""
    members = list(s.scalars(select(PartyMember.id).join(Resident, Resident.id == PartyMember.resident_id)
                             .where(Resident.unit_id == unit_id, PartyMember.stage == "正式党员",
                                    PartyMember.left_on.is_(None)).order_by(PartyMember.id)))
    households = list(s.scalars(select(Household.id).where(Household.unit_id == unit_id,
                                                           Household.closed_on.is_(None)).order_by(Household.id)))
    return list(zip(rng.sample(members, min(n, len(members))), rng.sample(households, min(n, len(households))),
                    strict=False))


def _vote(s: Session, unit_id: int, on: date, absent: int, against: int) -> AffairsMeetingInput:
    people = [p.resident_id for p in roster(s, unit_id, "村民代表会议", on)]
    present = people[: len(people) - absent]
    return AffairsMeetingInput("村民代表会议", on, expected_ids=people, present_ids=present,
                               votes_for=len(present) - against, votes_against=against, place="村委会会议室",
                               minutes="支部书记通报议题、群众意见和支部答复，代表逐项讨论后举手表决。")


def _publish(s: Session, topic_id: int, on: date) -> None:
    """The 公示 as archived (its frozen masked rows), then 落实: what 发布公开 leaves behind, without a file."""
    t = s.get(Topic, topic_id)
    assert t is not None
    n = archive_unprinted(s, t.unit_id, _draft(s, topic_id), on)
    t.notice_id = n.id
    _move(s, t, "落实", "发布公示")


def _gather(s: Session, unit_id: int, topic_id: int, opinions: tuple[str, ...], start: date,
            rng: random.Random) -> None:
    people = _gatherers(s, unit_id, len(opinions), rng)
    for k, (text, (member_id, household_id)) in enumerate(zip(opinions, people, strict=False)):
        topics.add_opinion(s, topic_id, text, member_id=member_id, household_id=household_id,
                           speaker="户主", gathered_on=date.fromordinal(start.toordinal() + k))
    topics.submit_for_study(s, topic_id)


def extend(s: Session, unit_id: int, rng: random.Random) -> list[str]:
    responsible = [p.resident_id for p in roster(s, unit_id, "两委会", DEMO_TODAY)] or \
        [p.resident_id for p in roster(s, unit_id, "村民代表会议", DEMO_TODAY)]

    spring = topics.open_topic(s, unit_id, SPRING[0], "正序", SPRING[1], opened_on=date(2026, 4, 8))
    _gather(s, unit_id, spring, SPRING_OPINIONS, date(2026, 4, 10), rng)
    topics.record_answer(s, spring, "支部研究采纳：先在村西口增设垃圾桶 12 个，统一设 3 处柴草堆放点；"
                         "老人户由党员志愿者结对帮扶；评比结果每月在村务公开栏公布，计入乡风文明积分。",
                         answered_on=date(2026, 4, 20))
    topics.record_vote(s, spring, _vote(s, unit_id, date(2026, 4, 28), absent=2, against=1))
    _publish(s, spring, date(2026, 4, 29))
    topics.arrange(s, spring, responsible[-1], date(2026, 7, 31))
    topics.add_progress(s, spring, "增设垃圾桶 12 个，划定柴草堆放点 3 处。", date(2026, 5, 20))
    topics.add_progress(s, spring, "“门前三包”全村推行，首轮评比完成并公布。", date(2026, 7, 25), done=True)
    topics.record_verdict(s, spring, "满意", "村容明显变好，评比公开透明。")

    ticket = s.scalars(select(Ticket).where(Ticket.unit_id == unit_id, Ticket.content.contains("路灯"),
                                            Ticket.received_at < date(2026, 8, 1)).order_by(Ticket.id)).first()
    lines = ["环形互动：正序议题 1 项（已完成，群众评价满意）"]
    if ticket is not None:
        light = topics.promote_ticket(s, ticket.id, opened_on=date(2026, 8, 3))
        _gather(s, unit_id, light, LIGHT_OPINIONS, date(2026, 8, 5), rng)
        topics.record_answer(s, light, "支部研究：在村西口至主街新装太阳能路灯 30 盏，由村委会负责采购安装，"
                             "安装后纳入村级公共设施日常检修。", answered_on=date(2026, 8, 20))
        topics.record_vote(s, light, _vote(s, unit_id, date(2026, 8, 27), absent=1, against=0))
        _publish(s, light, date(2026, 8, 28))
        topics.arrange(s, light, responsible[0], date(2026, 10, 20))
        topics.add_progress(s, light, "已完成采购招标，首批 12 盏安装完毕。", date(2026, 10, 10))
        lines.append(f"环形互动：倒序议题 1 项（由工单 {ticket.number} 转入，落实已逾期）")
    return lines
