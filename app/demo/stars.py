"""Demo data of the 星级文明户 area: a decided 2026 round with the shape of 阳曲镇's results (seed 004).

阳曲镇: 五星级217户、四星级352户、三星级405户、二星级48户、一星级36户 = 1058户, 31.5% of 3,355
households, participation above 90%. The demo village has far fewer households, so the same shares
are scaled to its count (largest remainder, so the levels add up exactly). The round went through
all five steps on fixed dates before DEMO_TODAY; its 公示 is archived (rows only, no file), with one
objection raised and dismissed; after the decision three 加星/减星 were recorded.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.io.notices import public_rows
from app.models import (
    Household,
    Notice,
    Objection,
    Operator,
    Resident,
    StarApplication,
    StarApplicationItem,
    StarChange,
    StarRound,
    StarRoundStep,
)
from app.models.stars import REVIEW_BODIES

from ..services.stars.notice import round_draft
from ..services.stars.rounds import ensure_categories
from ..services.stars.stats import percent
from ..services.units import get_unit

SEED_HOUSEHOLDS = 3355
SEED_LEVELS = {5: 217, 4: 352, 3: 405, 2: 48, 1: 36}  # = 1058 households, 31.5 %
PARTICIPATION = 0.92  # "全镇农户参与率达到90%以上"
YEAR = 2026
STEP_DATES = {  # 动员 → 申报 → 审核 → 公示 → 两委会 → 备案
    "mobilize": date(2026, 8, 3), "apply": date(2026, 8, 10), "review": date(2026, 9, 7),
    "publicize": date(2026, 9, 28), "decide": date(2026, 10, 9), "filed": date(2026, 10, 16),
}
NOTICE_END = date(2026, 10, 2)
STEP_NOTES = {
    "mobilize": "召开创评工作部署会，制定实施方案，广播、微信群、宣传栏动员",
    "apply": "开始农户申报（自报或群众推荐）",
    "review": "申报结束，提交道德评议会、村民议事会审核",
    "publicize": "村公示栏张榜公示",
    "decide": "公示无异议（异议1条经核实不成立），两委会确定最终名单",
    "filed": "报镇党委备案，命名授牌",
}
APPROVE_OPINIONS = ("事迹属实，同意", "群众公认，同意评定", "经评议，符合标准", "走访核实，同意")
REJECT_OPINIONS = ("事迹材料不足，暂不评定", "经评议，尚未达到标准", "群众意见不一，暂缓评定")


def scaled_levels(households: int) -> dict[int, int]:
    """The seed's level counts scaled to `households` (largest remainder: the parts add up exactly)."""
    starred = round(households * sum(SEED_LEVELS.values()) / SEED_HOUSEHOLDS)
    total = sum(SEED_LEVELS.values())
    exact = {lv: n * starred / total for lv, n in SEED_LEVELS.items()}
    out = {lv: int(v) for lv, v in exact.items()}
    for lv in sorted(exact, key=lambda k: exact[k] - out[k], reverse=True)[: starred - sum(out.values())]:
        out[lv] += 1
    return out


def _at(d: date) -> datetime:
    return datetime.combine(d, time(9, 0))


def extend(s: Session, unit_id: int, rng: random.Random, levels: dict[int, int] | None = None) -> list[str]:
    """The decided round; `levels` (level → households) as given, else the seed's shares of this village."""
    categories = ensure_categories(s, unit_id)
    cat_ids = [c.id for c in categories]
    operator_id = s.scalar(select(Operator.id).where(Operator.unit_id == unit_id).order_by(Operator.id).limit(1))
    households = list(s.scalars(select(Household.id).where(Household.unit_id == unit_id,
                                                          Household.closed_on.is_(None)).order_by(Household.id)))
    names = list(s.scalars(select(Resident.name).where(Resident.unit_id == unit_id, Resident.status == "在册")))
    levels = levels if levels is not None else scaled_levels(len(households))
    applied = rng.sample(households, round(len(households) * PARTICIPATION))
    plan: list[tuple[int, int]] = []  # (household, level)
    it = iter(applied)
    for lv, n in levels.items():
        plan += [(next(it), lv) for _ in range(n)]
    plan += [(h, 0) for h in it]

    round_id = s.scalar(insert(StarRound).returning(StarRound.id).values(
        unit_id=unit_id, year=YEAR, name=f"{YEAR}年度星级文明户评选", step="filed",
        started_on=STEP_DATES["mobilize"], note="按镇“五步法”实施方案开展"))
    s.execute(insert(StarRoundStep), [
        {"round_id": round_id, "step": st, "at": _at(d), "operator_id": operator_id, "reopened": False,
         "note": STEP_NOTES[st]} for st, d in STEP_DATES.items()])

    app_rows: list[dict[str, Any]] = []
    for h, lv in plan:
        recommended = rng.random() < 0.15
        app_rows.append({
            "round_id": round_id, "household_id": h, "source": "推荐" if recommended else "自报",
            "recommender": rng.choice(names) if recommended else "",
            "evidence": "", "applied_on": date(2026, 8, 10 + rng.randint(0, 20)), "level": lv,
        })
    app_ids = list(s.scalars(insert(StarApplication).returning(StarApplication.id, sort_by_parameter_order=True),
                             app_rows))
    items: list[dict[str, Any]] = []
    for app_id, (_h, lv) in zip(app_ids, plan, strict=True):
        extra = 0 if lv == len(cat_ids) else int(rng.random() < (0.3 if lv else 1.0)) + (lv == 0 and rng.random() < 0.4)
        claimed = rng.sample(cat_ids, min(len(cat_ids), lv + extra))
        for k, cid in enumerate(claimed):
            ok = k < lv
            items.append({
                "application_id": app_id, "category_id": cid, "decision": "approved" if ok else "rejected",
                "review_body": rng.choice(REVIEW_BODIES), "reviewed_on": date(2026, 9, 14 + rng.randint(0, 10)),
                "opinion": rng.choice(APPROVE_OPINIONS if ok else REJECT_OPINIONS),
            })
    s.execute(insert(StarApplicationItem), items)

    # The 公示 as archived (the frozen masked rows; the printed file is not part of the demo).
    unit = get_unit(s, unit_id)
    draft = round_draft(s, round_id)
    notice_id = s.scalar(insert(Notice).returning(Notice.id).values(
        unit_id=unit_id, kind="stars", year=YEAR, title=draft.title, body=draft.body,
        columns=[c.to_json() for c in draft.columns], rows=public_rows(draft.columns, draft.rows),
        period_start=STEP_DATES["publicize"], period_end=NOTICE_END, issuer=draft.issuer,
        issued_on=STEP_DATES["publicize"], paper="A4", source_ref=draft.source_ref, operator_id=operator_id,
        meta={"contact_person": unit.contact_person, "contact_phone": unit.contact_phone,
              "objection_box": unit.objection_box, "objection_to": draft.objection_to, "group_counter": "户"}))
    subject = draft.rows[0][1]
    s.execute(insert(Objection).values(
        notice_id=notice_id, received_on=date(2026, 9, 30), raised_by="", subject=str(subject),
        content="反映该户去年曾与邻居因宅基地发生争执，不应评团结友善星。",
        resolution="异议不成立：经村民议事会走访核实，纠纷已于去年调解结案，双方和好，不影响评定。",
        resolved_on=date(2026, 10, 1)))

    changes = _changes(s, round_id, plan, cat_ids, app_ids, rng, operator_id)
    counts = "、".join(f"{'一二三四五'[lv - 1]}星级{n}户" for lv, n in levels.items())
    starred = sum(levels.values())
    return [
        f"星级文明户：{YEAR}年度评选已确定并报镇备案，{counts}，合计{starred}户，"
        f"占总户数{percent(starred, len(households)):.1f}%，参与率{percent(len(applied), len(households)):.1f}%",
        f"星级文明户公示 1 份（异议 1 条，经核实不成立），评选后加星/减星 {changes} 条",
    ]


def _changes(s: Session, round_id: int, plan: list[tuple[int, int]], cat_ids: list[int], app_ids: list[int],
             rng: random.Random, operator_id: int | None) -> int:
    """Two 加星 and one 减星 in late October (动态管理)."""
    # one query for the round (a query per application took 0.6 s for a 400-household village)
    household_of = {app_id: h for app_id, (h, _lv) in zip(app_ids, plan, strict=True)}
    held: dict[int, set[int]] = {h: set() for h in household_of.values()}
    for app_id, cid in s.execute(
            select(StarApplicationItem.application_id, StarApplicationItem.category_id)
            .join(StarApplication, StarApplication.id == StarApplicationItem.application_id)
            .where(StarApplication.round_id == round_id, StarApplicationItem.decision == "approved")):
        held[household_of[app_id]].add(cid)
    rows: list[dict[str, Any]] = []
    grow = [h for h, lv in plan if 0 < lv < len(cat_ids)]
    for h, reason in zip(rng.sample(grow, 2), ("主动参加环境整治志愿服务，群众推荐，两委会研究同意加星",
                                               "子女考入大学，家庭重视教育，两委会研究同意加星"), strict=True):
        missing = [c for c in cat_ids if c not in held[h]]
        rows.append({"household_id": h, "category_id": rng.choice(missing), "round_id": round_id, "delta": 1,
                     "changed_on": date(2026, 10, 26), "reason": reason, "operator_id": operator_id})
    shrink = rng.choice([h for h, lv in plan if lv >= 3])
    rows.append({"household_id": shrink, "category_id": rng.choice(sorted(held[shrink])), "round_id": round_id,
                 "delta": -1, "changed_on": date(2026, 10, 29), "reason": "发生邻里纠纷经调解，两委会研究减去该星",
                 "operator_id": operator_id})
    s.execute(insert(StarChange), rows)
    return len(rows)
