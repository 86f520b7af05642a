"""Demo 工单: a year of 群众诉求 and 党员代办 up to DEMO_TODAY, every step through the tickets service.

About 7621's volume (≈ 270 a year) over the seven channels and categories; a quarter are 代办 matters from
the 代办清单 handled by party members (who get their 代办 points when the ticket closes, in 2026: 2025's
points are already published). Handling times are drawn around each category's time limit, so a few
tickets finish late; some are 现场解决, some 上报 the 街道, a few cancelled, a few rated 不满意 and handled
again; the last weeks' tickets are still open and some older ones stalled past their due time.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import GridPost, Household, PartyMember, Resident
from app.models.org import MEMBER_STAGES

from ..services.tickets import stats as ticket_stats
from ..services.tickets import workflow as tickets
from ..services.tickets.workflow import AssigneeInput, TicketInput
from .facts import DEMO_TODAY

COUNT = 270
END = datetime.combine(DEMO_TODAY, time(17, 30))  # the demo's "now"
START = END - timedelta(days=365)
CHANNELS = {"热线电话": 30, "微信群": 25, "服务站": 18, "办公室": 10, "专线": 6, "意见箱": 5, "转交": 6}
CATEGORIES = {"民生诉求": 26, "环境卫生": 22, "乱堆乱放": 13, "安全隐患": 11, "矛盾纠纷": 11, "私搭乱建": 9, "治安稳定": 8}
CONTENT = {
    "民生诉求": ("路灯不亮，晚上出行不便", "自来水水压低，二楼上不去水", "村道坑洼，雨天积水", "想咨询城乡居民医保缴费",
             "冬季取暖煤改电补贴怎么申请", "村口公交站牌被风刮倒"),
    "环境卫生": ("垃圾桶满了没人清运", "河道有漂浮垃圾", "公厕无人打扫，异味大", "排水沟堵塞，污水外溢"),
    "乱堆乱放": ("门前堆放建筑垃圾占道", "柴草堆在路边，有火灾隐患", "废品收购点占用村道", "车辆乱停堵住消防通道"),
    "安全隐患": ("电线老化垂落到院墙上", "危房墙体开裂，担心倒塌", "井盖缺失", "燃气管道有异味"),
    "矛盾纠纷": ("邻里因宅基地边界发生争执", "婆媳矛盾，请村里调解", "承包地流转费用纠纷", "楼上漏水，邻居协商不成"),
    "私搭乱建": ("有人在公共绿地上搭建彩钢房", "院外私自加盖偏房", "占用河道管理范围搭棚"),
    "治安稳定": ("夜间有陌生车辆在村内转悠", "电动车被盗", "有人在村里推销保健品，疑似诈骗"),
}
SERVICES = {
    "民政优扶": "帮办高龄补贴申请", "医疗社保": "代办城乡居民医保缴费和报销", "户籍管理": "代办户口迁移材料",
    "物业维护": "联系维修单元门禁", "水电气暖代收代缴": "代缴水电费", "快递代收代发": "代收药品快递送到家",
    "申报低保": "帮助准备低保申报材料", "复印打印": "复印身份证和户口本",
}
ESCALATE_TO = ("城关街道综治中心", "街道城管执法队", "街道社会事务办", "供电所")
OUTSIDERS = (("过路群众", ""), ("外村王师傅", "13903510728"), ("快递员小刘", "15835126093"), ("匿名", ""))
VISITORS = ("李文书", "村委会值班员", "网格长")


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def extend(s: Session, unit_id: int, rng: random.Random) -> list[str]:
    tickets.ensure_defaults(s, unit_id)
    cats = {c.name: c for c in tickets.list_categories(s, unit_id)}
    items = {i.name: i.id for i in tickets.list_service_items(s, unit_id)}
    residents = list(s.execute(
        select(Resident.id).join(Household, Household.id == Resident.household_id)
        .where(Resident.unit_id == unit_id, Resident.status == "在册").order_by(Resident.id)).scalars())
    members = list(s.execute(
        select(PartyMember.id).join(Resident, Resident.id == PartyMember.resident_id)
        .where(Resident.unit_id == unit_id, PartyMember.stage.in_(MEMBER_STAGES), PartyMember.left_on.is_(None))
        .order_by(PartyMember.id)).scalars())
    staff = list(s.execute(select(GridPost.person_name, GridPost.resident_id).where(GridPost.end_on.is_(None))
                           .order_by(GridPost.id)).all())
    if not residents or not members:
        return []
    # members "claim" a few 代办 items by skill (集义乡): each item has its two or three regulars
    claims = {name: rng.sample(members, min(3, len(members))) for name in items}
    volunteers = rng.sample(residents, min(12, len(residents)))
    days = [START + timedelta(days=rng.randint(0, 364)) for _ in range(COUNT)]
    # office hours, in order: numbers follow the 受理 time
    times = sorted(d.replace(hour=rng.randint(8, 18), minute=rng.randint(0, 59), second=0) for d in days)
    for received in times:
        _one(s, unit_id, rng, received, cats, items, residents, claims, staff, volunteers)
    total = ticket_stats.summary(s, unit_id, START.date(), DEMO_TODAY, at=END)
    daiban = sum(1 for _ in s.execute(select(tickets.Ticket.id).where(
        tickets.Ticket.unit_id == unit_id, tickets.Ticket.service_item_id.isnot(None))))
    return [f"工单：{START.date()} 至 {DEMO_TODAY} 受理 {total.total} 件（其中党员代办 {daiban} 件），办结 {total.closed} 件，"
            f"办结率 {total.closure.text}，满意率 {total.satisfaction.text}，按期办结率 {total.on_time_rate.text}；"
            f"至 {DEMO_TODAY} 逾期未办结 {total.overdue} 件，撤销 {total.cancelled} 件"]


def _one(s: Session, unit_id: int, rng: random.Random, received: datetime, cats: dict[str, tickets.CategoryInfo],
         items: dict[str, int], residents: list[int], claims: dict[str, list[int]],
         staff: list[tuple[str, int | None]], volunteers: list[int]) -> None:
    daiban = rng.random() < 0.25
    item = rng.choice(list(SERVICES)) if daiban else None
    category = "民生诉求" if daiban else _pick(rng, CATEGORIES)
    content = SERVICES[item] if item else rng.choice(CONTENT[category])
    data = TicketInput(cats[category].id, content, _pick(rng, CHANNELS), received_at=received,
                       service_item_id=items[item] if item else None,
                       priority="紧急" if category == "安全隐患" and rng.random() < 0.4 else "普通")
    if rng.random() < 0.88:
        data.requester_id = rng.choice(residents)
    else:
        data.requester_name, data.requester_phone = rng.choice(OUTSIDERS)
    made = tickets.create_ticket(s, unit_id, data)
    _held = s.get(tickets.Ticket, made.id)  # noqa: F841 (kept in the identity map while it is handled: faster)
    due = received + timedelta(hours=cats[category].due_hours)
    t = received

    def step(hours: float) -> datetime | None:
        """The next step's time, or None when it would fall after the demo's today (the ticket stays open)."""
        nonlocal t
        t = t + timedelta(hours=hours)
        return t if t <= END else None

    roll = rng.random()
    if not daiban and roll < 0.2:  # 佛子庄: simple matters solved on the spot
        tickets.solve_on_spot(s, made.id, "现场答复并处理完毕", at=step(rng.uniform(0.1, 1)) or received)
        if rng.random() < 0.6 and (at := step(rng.uniform(20, 70))):
            tickets.visit(s, made.id, _rating(rng), rng.choice(VISITORS), at=at)
        return
    if roll > 0.98:
        if at := step(rng.uniform(1, 30)):
            tickets.cancel(s, made.id, rng.choice(("诉求人撤回", "重复反映，已合并到前一工单")), at=at)
        return
    if not (at := step(rng.uniform(0.3, 4))):
        return
    tickets.assign(s, made.id, _handlers(rng, item, claims, staff, volunteers), at=at)
    if not (at := step(rng.uniform(0.5, 6))):
        return
    tickets.accept(s, made.id, at=at)
    if (END - received).days > 20 and rng.random() < 0.025:
        return  # stalled: still 已接单 long after the time limit
    escalated = category in ("安全隐患", "私搭乱建", "矛盾纠纷") and rng.random() < 0.18
    if escalated:
        if not (at := step(rng.uniform(4, 24))):
            return
        tickets.escalate(s, made.id, rng.choice(ESCALATE_TO), "村级无法单独解决", at=at)
    limit = (due - t).total_seconds() / 3600
    hours = rng.uniform(0.2, 0.9) * max(limit, 2) if rng.random() < 0.9 else rng.uniform(1.1, 2.5) * max(limit, 6)
    if not (at := step(hours + (rng.uniform(48, 200) if escalated else 0))):
        return
    answer = "街道已派员现场处置" if escalated else ""
    tickets.reply(s, made.id, "已办理并答复诉求人", "党员代办" if item else None, answer, at=at)
    for attempt in range(2):
        if not (at := step(rng.uniform(12, 72))):
            return
        rating = _rating(rng) if attempt == 0 else rng.choice(("满意", "基本满意"))
        if tickets.visit(s, made.id, rating, rng.choice(VISITORS), at=at) != "accepted":
            return
        if not (at := step(rng.uniform(24, 72))):
            return
        tickets.reply(s, made.id, "重新办理后再次答复", at=at)


def _rating(rng: random.Random) -> str:
    return rng.choices(("满意", "基本满意", "不满意"), weights=(84, 12, 4))[0]


def _handlers(rng: random.Random, item: str | None, claims: dict[str, list[int]],
              staff: list[tuple[str, int | None]], volunteers: list[int]) -> list[AssigneeInput]:
    if item:
        return [AssigneeInput(role="党员", member_id=rng.choice(claims[item]))]
    roll = rng.random()
    if staff and roll < 0.55:
        name, resident_id = rng.choice(staff)
        return [AssigneeInput(name, "网格员", resident_id=resident_id)]
    if roll < 0.8:
        return [AssigneeInput(role="党员", member_id=rng.choice([m for ms in claims.values() for m in ms]))]
    return [AssigneeInput(role="志愿者", resident_id=rng.choice(volunteers))]
