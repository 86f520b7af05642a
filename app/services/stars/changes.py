"""加星/减星 after a round, and each household's current stars and full history.

A household's current stars = the stars approved in the latest decided round (两委会确定 or 报镇备案)
plus the changes recorded against that round, in order. Changes are append-only: a wrong change is
undone by a new row (the opposite delta) that names the one it corrects.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.models import (
    Household,
    Operator,
    StarApplication,
    StarApplicationItem,
    StarCategory,
    StarChange,
    StarRound,
    StarRoundStep,
)

from .. import access, audit
from ..errors import NotFound, ServiceError
from ..validation import Problems
from .rounds import FROZEN_STEPS, SOURCE_LABELS, level_label, step_label


@event.listens_for(StarChange, "before_update")
@event.listens_for(StarChange, "before_delete")
def _refuse_rewrite(_mapper: object, _conn: object, _target: StarChange) -> None:
    raise ServiceError("加星/减星记录只能追加，不能修改或删除；改错了请登记一条更正。")


@dataclass(frozen=True)
class HouseholdStars:
    household_id: int
    round_id: int | None  # the decided round the stars count from
    round_year: int | None
    categories: tuple[str, ...]  # in category order
    category_ids: tuple[int, ...]

    @property
    def level(self) -> int:
        return len(self.categories)

    @property
    def level_label(self) -> str:
        return level_label(self.level)


@dataclass(frozen=True)
class HistoryRow:
    on: date | None
    kind: str  # 申报 / 评定 / 加星 / 减星 / 更正
    round_name: str
    category: str
    detail: str
    operator: str
    change_id: int | None  # for 加星/减星 rows: what a correction would name
    corrected: bool  # this change was later corrected


def base_round_id(s: Session, unit_id: int) -> int | None:
    """The latest decided round of the unit: current stars count from it."""
    return s.scalar(
        select(StarRound.id).where(StarRound.unit_id == unit_id, StarRound.step.in_(FROZEN_STEPS))
        .order_by(StarRound.year.desc(), StarRound.id.desc()).limit(1)
    )


def current_star_sets(s: Session, unit_id: int, household_ids: Iterable[int] | None = None) -> dict[int, set[int]]:
    """{household id: category ids} of every household holding stars now (bulk, two queries)."""
    round_id = base_round_id(s, unit_id)
    if round_id is None:
        return {}
    ids = None if household_ids is None else list(household_ids)
    approved = (
        select(StarApplication.household_id, StarApplicationItem.category_id)
        .join(StarApplicationItem, StarApplicationItem.application_id == StarApplication.id)
        .where(StarApplication.round_id == round_id, StarApplication.withdrawn_on.is_(None),
               StarApplicationItem.decision == "approved")
    )
    changes = select(StarChange.household_id, StarChange.category_id, StarChange.delta).where(
        StarChange.round_id == round_id).order_by(StarChange.id)
    if ids is not None:
        approved = approved.where(StarApplication.household_id.in_(ids))
        changes = changes.where(StarChange.household_id.in_(ids))
    out: dict[int, set[int]] = {}
    for hid, cid in s.execute(approved):
        out.setdefault(hid, set()).add(cid)
    for hid, cid, delta in s.execute(changes):
        stars = out.setdefault(hid, set())
        if delta > 0:
            stars.add(cid)
        else:
            stars.discard(cid)
    return {h: c for h, c in out.items() if c}


def _household(s: Session, household_id: int) -> Household:
    h = s.get(Household, household_id)
    if h is None:
        raise NotFound("找不到该户")
    return h


def current_stars(s: Session, household_id: int) -> HouseholdStars:
    h = _household(s, household_id)
    round_id = base_round_id(s, h.unit_id)
    ids = current_star_sets(s, h.unit_id, [household_id]).get(household_id, set())
    cats = list(s.execute(select(StarCategory.id, StarCategory.name).where(StarCategory.id.in_(ids or [-1]))
                          .order_by(StarCategory.sort_order, StarCategory.id)))
    year = s.scalar(select(StarRound.year).where(StarRound.id == round_id)) if round_id else None
    return HouseholdStars(household_id, round_id, year, tuple(n for _i, n in cats), tuple(i for i, _n in cats))


def change_star(s: Session, household_id: int, category_id: int, delta: int, reason: str,
                on: date | None = None) -> int:
    """加星 (+1) or 减星 (-1) one star of a household, with the reason (who decided, why)."""
    access.require_role(s, "admin", "clerk", action="加星/减星")
    h = _household(s, household_id)
    round_id = base_round_id(s, h.unit_id)
    p = Problems()
    if round_id is None:
        raise ServiceError("还没有两委会确定的评选批次，不能加星/减星。")
    cat = s.get(StarCategory, category_id)
    if cat is None or cat.unit_id != h.unit_id:
        p.add("category_id", "星类", "请选择星类")
    if delta not in (1, -1):
        p.add("delta", "加星/减星", "只能加一颗或减一颗星")
    reason = p.text("reason", "原因", reason, required=True)
    on = on or date.today()
    if on > date.today():
        p.add("changed_on", "日期", "日期晚于今天")
    p.raise_if_any()
    assert cat is not None
    have = current_star_sets(s, h.unit_id, [household_id]).get(household_id, set())
    if delta > 0 and category_id in have:
        raise ServiceError(f"户 {h.number} 已经有“{cat.name}”，不能再加。")
    if delta < 0 and category_id not in have:
        raise ServiceError(f"户 {h.number} 没有“{cat.name}”，不能减。")
    row = StarChange(household_id=household_id, category_id=category_id, round_id=round_id, delta=delta,
                     changed_on=on, reason=reason, operator_id=audit.current_operator_id.get())
    s.add(row)
    s.flush()
    verb = "加星" if delta > 0 else "减星"
    audit.record(s, h.unit_id, "create", "star_change", row.id, f"户 {h.number} {verb}：{cat.name}（{reason}）")
    return row.id


def correct_change(s: Session, change_id: int, reason: str, on: date | None = None) -> int:
    """Undo a wrong 加星/减星 with a new row of the opposite delta that names it."""
    access.require_role(s, "admin", "clerk", action="更正加星/减星")
    old = s.get(StarChange, change_id)
    if old is None:
        raise NotFound("找不到该加星/减星记录")
    p = Problems()
    reason = p.text("reason", "更正原因", reason, required=True)
    if s.scalar(select(StarChange.id).where(StarChange.corrects_id == change_id)) is not None:
        p.add("corrects_id", "更正", "这条记录已经更正过了")
    if old.corrects_id is not None:
        p.add("corrects_id", "更正", "这是一条更正记录，不能再更正；如需调整请重新加星/减星")
    p.raise_if_any()
    if old.round_id != base_round_id(s, _household(s, old.household_id).unit_id):
        raise ServiceError("这条记录属于以前的评选批次，已不影响现在的星级，不能更正。")
    row = StarChange(household_id=old.household_id, category_id=old.category_id, round_id=old.round_id,
                     delta=-old.delta, changed_on=on or date.today(), reason=reason, corrects_id=old.id,
                     operator_id=audit.current_operator_id.get())
    s.add(row)
    s.flush()
    unit_id = _household(s, old.household_id).unit_id
    audit.record(s, unit_id, "create", "star_change", row.id, f"更正加星/减星记录 #{old.id}（{reason}）")
    return row.id


def household_history(s: Session, household_id: int) -> list[HistoryRow]:
    """Every round the household took part in (claim, review, level) and every 加星/减星, by date."""
    _household(s, household_id)
    out: list[tuple[date, int, HistoryRow]] = []
    stmt = (
        select(StarApplication, StarRound).join(StarRound, StarRound.id == StarApplication.round_id)
        .where(StarApplication.household_id == household_id).order_by(StarRound.year, StarRound.id)
    )
    for a, r in s.execute(stmt):
        items = list(s.execute(
            select(StarApplicationItem, StarCategory.name).join(StarCategory)
            .where(StarApplicationItem.application_id == a.id).order_by(StarCategory.sort_order)))
        claimed = "、".join(n for _i, n in items)
        source = SOURCE_LABELS.get(a.source, a.source) + (f"（推荐人：{a.recommender}）" if a.recommender else "")
        round_name = f"{r.year}年度"
        out.append((a.applied_on or date.min, 0, HistoryRow(a.applied_on, "申报", round_name, claimed,
                                                            source, "", None, False)))
        if a.withdrawn_on:
            out.append((a.withdrawn_on, 1, HistoryRow(a.withdrawn_on, "撤回", round_name, "", a.withdraw_reason,
                                                      "", None, False)))
        for it, name in items:
            if it.decision == "pending":
                continue
            verdict = "通过" if it.decision == "approved" else "未通过"
            detail = f"{it.review_body or ''}{verdict}" + (f"：{it.opinion}" if it.opinion else "")
            out.append((it.reviewed_on or date.min, 2, HistoryRow(it.reviewed_on, "审核", round_name, name,
                                                                  detail, "", None, False)))
        if a.level is not None and r.step in FROZEN_STEPS:
            decided = s.scalar(select(StarRoundStep.at).where(
                StarRoundStep.round_id == r.id, StarRoundStep.step == "decide", StarRoundStep.reopened.is_(False))
                .order_by(StarRoundStep.id.desc()).limit(1))
            on = decided.date() if decided else None
            out.append((on or date.min, 3, HistoryRow(on, "评定", round_name, "、".join(
                n for it, n in items if it.decision == "approved"), f"{step_label('decide')}：{level_label(a.level)}",
                "", None, False)))
    corrected = set(s.scalars(select(StarChange.corrects_id).where(
        StarChange.household_id == household_id, StarChange.corrects_id.is_not(None))))
    changes = (
        select(StarChange, StarCategory.name, StarRound.year, Operator.display_name)
        .join(StarCategory, StarCategory.id == StarChange.category_id)
        .outerjoin(StarRound, StarRound.id == StarChange.round_id)
        .outerjoin(Operator, Operator.id == StarChange.operator_id)
        .where(StarChange.household_id == household_id).order_by(StarChange.id)
    )
    for c, name, year, who in s.execute(changes):
        kind = "更正" if c.corrects_id else ("加星" if c.delta > 0 else "减星")
        detail = c.reason + (f"（更正第 {c.corrects_id} 号记录）" if c.corrects_id else "")
        out.append((c.changed_on, 4, HistoryRow(c.changed_on, kind, f"{year}年度" if year else "", name,
                                                detail, who or "", c.id, c.id in corrected)))
    out.sort(key=lambda t: (t[0], t[1]))
    return [row for _d, _k, row in out]
