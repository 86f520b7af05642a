"""Demo 党员积分 and 三会一课: two years of meetings, attendance, entries, assessments.

Each branch holds a 主题党日 every month and a 支部党员大会 and a 党课 every quarter, in 2025 and in 2026
up to DEMO_TODAY (one more 主题党日 is scheduled after it, attendance still open). Attendance comes from
each member's habit; closing it goes through meetings.close_attendance, so the entries are exactly what
the rules make. Then a few manual entries (六必访, 双报到, 表彰, 党费), a few voided and one corrected,
2025's assessment published (with 约谈 records) and 2026's computed but open. One member is 差 in both
years: 劝退 in 2026.

乡风文明积分 (五讲五不, households): in 2026 up to DEMO_TODAY a share of the households is scored by the
党小组长 (奖励 mostly, a few 扣减 with the facts), through the service so ranges, evidence and caps
apply; two entries are voided and one corrected.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Attendance, Household, Meeting, MemberPost, PartyMember, PartyOrg, Resident
from app.models.org import MEMBER_STAGES

from ..services.points import assessments, household_points, meetings
from ..services.points import member_points as points
from ..services.points.rules import ensure_default_rules, list_rules
from .facts import DEMO_TODAY

THEMES = (
    "学习贯彻党的二十届三中全会精神", "清明祭扫烈士墓", "人居环境整治志愿服务", "重温入党誓词",
    "防汛安全入户宣传", "庆祝建党节暨表彰优秀党员", "关爱留守儿童", "学习《中国共产党纪律处分条例》",
    "秋收助农志愿服务", "走访慰问困难群众", "垃圾分类入户宣传", "冬季防火安全检查",
)
LESSONS = ("书记讲党课：做合格党员", "学习新时代“枫桥经验”", "乡村振兴中的党员责任", "党史专题：从延安到西柏坡")
LAST_YEAR, THIS_YEAR = DEMO_TODAY.year - 1, DEMO_TODAY.year
PUBLISHED_ON = date(THIS_YEAR, 1, 15)


def _schedule(year: int, until: date, monthly: bool = True) -> list[tuple[str, date, str]]:
    """(kind, day, topic) of one branch's meetings in a year (the quarterly ones only if not monthly)."""
    out = [("主题党日", date(year, month, 10), THEMES[month - 1]) for month in range(1, 13) if monthly]
    out += [("支部党员大会", date(year, month, 20), f"第{q + 1}季度支部党员大会")
            for q, month in enumerate((3, 6, 9, 12))]
    out += [("党课", date(year, month, 25), LESSONS[q]) for q, month in enumerate((2, 5, 8, 11))]
    return sorted((m for m in out if m[1] <= until), key=lambda m: m[1])


def extend(s: Session, unit_id: int, rng: random.Random) -> list[str]:
    ensure_default_rules(s, unit_id)
    branches = list(s.scalars(select(PartyOrg).where(PartyOrg.unit_id == unit_id, PartyOrg.kind == "党支部",
                                                    PartyOrg.closed_on.is_(None)).order_by(PartyOrg.sort_order)))
    members = list(s.scalars(
        select(PartyMember).join(Resident, Resident.id == PartyMember.resident_id)
        .where(Resident.unit_id == unit_id, PartyMember.stage.in_(MEMBER_STAGES), PartyMember.left_on.is_(None))
        .order_by(PartyMember.id)))
    if not branches or not members:
        return []
    with_posts = set(s.scalars(select(MemberPost.member_id).where(MemberPost.end_on.is_(None))))
    plain = [m for m in members if m.id not in with_posts and m.points_category != "退休"
             and m.joined_on is not None and m.joined_on.year < LAST_YEAR]
    failing = rng.choice(plain)  # 差 two years running → 劝退
    once = rng.choice([m for m in plain if m.id != failing.id])  # 差 in 2025 only → 约谈, better in 2026
    habit = {m.id: rng.uniform(0.72, 0.97) for m in members}

    def shirks(member_id: int, year: int) -> bool:
        return member_id == failing.id or (member_id == once.id and year == LAST_YEAR)

    # meetings and attendance (bulk), then close them through the service: the rules make the entries
    made: list[Meeting] = []
    for year, until in ((LAST_YEAR, date(LAST_YEAR, 12, 31)), (THIS_YEAR, DEMO_TODAY)):
        for branch in branches:
            for kind, day, topic in _schedule(year, until, monthly=year == THIS_YEAR):  # keeps the demo quick
                made.append(Meeting(
                    unit_id=unit_id, org_id=branch.id, kind=kind, held_at=datetime.combine(day, datetime.min.time())
                    + timedelta(hours=9 if kind != "主题党日" else 14), place="村党群服务中心",
                    topic="" if kind == "主题党日" else topic, theme=topic if kind == "主题党日" else "",
                    minutes=f"应到党员按时参会。会议围绕“{topic}”进行了学习讨论。"))
    s.add_all(made)
    s.flush()
    attendance = []
    for m in made:
        for row in meetings.attendance_sheet(s, m.id):
            roll = rng.random()
            shirker = shirks(row.member_id, m.held_at.year)
            p = 0.15 if shirker else habit[row.member_id]
            if roll < p:
                status, reason = "出席", ""
            elif roll < p + (1 - p) * 0.6 and not shirker:
                status, reason = "请假", rng.choice(("外出务工", "生病住院", "照顾老人", "单位值班"))
            else:
                status, reason = "缺席", ""
            attendance.append(Attendance(meeting_id=m.id, member_id=row.member_id, status=status, reason=reason))
    s.add_all(attendance)
    s.flush()
    for m in made:
        meetings.close_attendance(s, m.id)
    meetings.create_meeting(s, unit_id, meetings.MeetingInput(
        branches[0].id, "主题党日", datetime(THIS_YEAR, 11, 10, 14), theme="冬季防火安全检查", place="村党群服务中心"))

    # manual entries through the service (caps and checks apply), a few voided, one corrected
    rules = {r.name: r for r in list_rules(s, unit_id)}
    entries: list[int] = []
    for year, until in ((LAST_YEAR, date(LAST_YEAR, 12, 20)), (THIS_YEAR, DEMO_TODAY)):
        for m in members:
            if shirks(m.id, year):
                continue
            for _ in range(rng.randint(0, 2)):
                day = date(year, rng.randint(1, until.month), rng.randint(1, 28))
                entries.append(points.add_entry(s, points.EntryInput(
                    m.id, rules["六必访入户走访"].id, min(day, until), rng.choice((1, 1, 2, 3)),
                    evidence=rng.choice(("走访空巢老人", "走访困难家庭", "走访残疾人家庭", "走访留守儿童家庭")))))
            if m.points_category == "在职" and rng.random() < 0.5:
                entries.append(points.add_entry(s, points.EntryInput(
                    m.id, rules["双报到社区志愿服务"].id, date(year, rng.randint(3, until.month), 15),
                    rng.randint(1, 5), note="社区志愿服务")))
            if rng.random() < 0.08:
                entries.append(points.add_entry(s, points.EntryInput(
                    m.id, rules["受到上级表彰"].id, date(year, 7, 1), 5, evidence=f"{year}年街道优秀共产党员表彰")))
        points.add_entry(s, points.EntryInput(failing.id, rules["未按时交纳党费"].id, date(year, 6, 30),
                                              note="连续三个月未交纳党费"))
    for entry_id, reason in zip(rng.sample(entries[-200:], 3), ("重复录入", "走访对象不属于本人联系户",
                                                               "日期录错，已另行登记"), strict=True):
        points.void_entry(s, entry_id, reason)
    fixed = rng.choice(entries[-100:])
    old = next(e for e in points.list_entries(s, points._get_entry(s, fixed).member_id) if e.id == fixed)
    points.correct_entry(s, fixed, points.EntryInput(old.member_id, old.rule_id, old.entry_date, 1,
                                                     evidence=old.evidence or "走访困难家庭"), "分值录错，应为1分")

    # 2025 published, with the 约谈 records; 2026 computed and open
    assessments.compute_assessment(s, unit_id, LAST_YEAR, on=date(LAST_YEAR, 1, 5))
    assessments.publish_assessment(s, unit_id, LAST_YEAR, on=PUBLISHED_ON)
    for row in assessments.follow_up_list(s, unit_id, LAST_YEAR):
        assessments.record_follow_up(s, row.id, PUBLISHED_ON + timedelta(days=6), "党总支书记",
                                     "当面约谈，指出参加组织生活不经常的问题，本人表示改正")
    return [
        *_households(s, unit_id, rng),
        f"三会一课：{len(made) + 1} 次会议（{len(branches)} 个支部，{LAST_YEAR}—{THIS_YEAR}年），"
        f"考勤 {len(attendance)} 人次；另有 1 次（11月10日主题党日）待登记考勤",
    ]


def draft_this_year(s: Session, unit_id: int, rng: random.Random) -> list[str]:
    """This year's assessment draft, computed last: the 工单 demo adds 代办 points when its tickets close,
    and a draft computed before them would be stale (the 公示 and the ledger would then recompute it)."""
    status = assessments.compute_assessment(s, unit_id, THIS_YEAR, on=date(THIS_YEAR, 1, 5))
    dist = "，".join(f"{g}{n}人" for g, n in status.distribution.items())
    talked = "、".join(r.name for r in assessments.follow_up_list(s, unit_id, LAST_YEAR))
    advised = "、".join(r.name for r in assessments.follow_up_list(s, unit_id, THIS_YEAR) if r.follow_up == "劝退")
    return [
        f"党员积分：{LAST_YEAR}年度评定已发布；{THIS_YEAR}年度待发布（{dist}）",
        f"{LAST_YEAR}年度约谈：{talked or '无'}；连续两年评定为差（劝退）：{advised or '无'}",
    ]


HOUSEHOLD_FACTS = ("门前乱堆柴草杂物，经劝导已清理", "与邻居因宅基地争吵辱骂", "向沟渠倾倒生活垃圾",
                   "未按约定赡养老人，经调解改正")


def _households(s: Session, unit_id: int, rng: random.Random) -> list[str]:
    """A year of 乡风文明积分 (五讲五不) for part of the households, scored by the 党小组长."""
    households = list(s.scalars(select(Household.id).where(Household.unit_id == unit_id,
                                                           Household.closed_on.is_(None)).order_by(Household.id)))
    scorers = [c.member_id for c in household_points.list_scorers(s, unit_id)]
    if not households or not scorers:
        return []
    rules = household_points.list_household_rules(s, unit_id)
    rewards = [r for r in rules if r.kind == "reward"]
    deducts = [r for r in rules if r.kind == "deduct"]
    scored = rng.sample(households, min(len(households), max(12, len(households) // 4)))
    entries: list[int] = []

    def day() -> date:
        return min(date(THIS_YEAR, rng.randint(1, DEMO_TODAY.month), rng.randint(1, 28)), DEMO_TODAY)

    for i, hid in enumerate(sorted(scored)):
        scorer = scorers[i % len(scorers)]
        for rule in rng.sample(rewards, rng.randint(1, 4)):  # one entry per rule: never over the cap of 10
            lo, hi = int(rule.points_min or rule.points), int(rule.points_max or rule.points)
            entries.append(household_points.add_household_entry(s, household_points.HouseholdEntryInput(
                hid, rule.id, day(), rng.randint(lo, hi), note="党小组入户考评", scored_by_member_id=scorer)))
        if rng.random() < 0.15:
            rule = rng.choice(deducts)
            entries.append(household_points.add_household_entry(s, household_points.HouseholdEntryInput(
                hid, rule.id, day(), rule.points_min or rule.points, evidence=rng.choice(HOUSEHOLD_FACTS),
                scored_by_member_id=scorer)))
    for entry_id, reason in zip(rng.sample(entries, 2), ("重复录入", "记错了户"), strict=True):
        household_points.void_household_entry(s, entry_id, reason)
    voided = set(s.scalars(select(household_points.HPE.id).where(household_points.HPE.voided_at.isnot(None))))
    fixed = next(e for e in entries if e not in voided)
    old = s.get(household_points.HPE, fixed)
    assert old is not None
    household_points.correct_household_entry(s, fixed, household_points.HouseholdEntryInput(
        None, old.rule_id, old.entry_date, None, note="分值按规则默认分更正", evidence=old.evidence), "分值录错")
    ranking = household_points.household_ranking(s, unit_id, THIS_YEAR, top=1)
    first = "、".join(f"{r.head_name}户（{r.total.normalize():f} 分）" for r in ranking)
    return [f"乡风文明积分：{THIS_YEAR}年 {len(scored)} 户 {len(entries) + 1} 条记录（党小组长评分，作废 2 条、更正 1 条）；"
            f"第一名 {first}"]
