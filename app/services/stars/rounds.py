"""星级文明户 rounds moving through the five steps; the level and step labels every stars module uses.

The round (评选批次) walks 动员部署 → 农户申报 → 两会审核 → 张榜公示 → 两委会确定 (→ 报镇备案) in order; every
step change is a StarRoundStep row (date, operator, note). Applications and their review live in
applications.py; the 公示 and decision steps in publicity.py (they need the notice engine); 加星/减星 after
the round in changes.py; the star categories (editable in 设置) in categories.py. Once the 两委 decide,
the round is frozen: only 加星/减星 change a household's stars from then on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import (
    Notice,
    Objection,
    Operator,
    StarApplication,
    StarRound,
    StarRoundStep,
)
from app.models.base import utcnow
from app.models.stars import (
    APPLICATION_SOURCES,
    REVIEW_BODIES,
    ROUND_STEP_LABELS,
    ROUND_STEPS,
)

from .. import access, audit
from ..errors import NotFound, ServiceError
from ..validation import Problems
from .categories import (
    DEFAULT_CRITERIA,
    CategoryInfo,
    ensure_categories,
    list_categories,
    move_category,
    save_category,
    set_category_active,
)

__all__ = ["APPLICATION_SOURCES", "REVIEW_BODIES", "ROUND_STEPS", "ROUND_STEP_LABELS",
           # the categories live in categories.py; these names stay importable from here
           "DEFAULT_CRITERIA", "CategoryInfo", "ensure_categories", "list_categories", "move_category",
           "save_category", "set_category_active"]

FROZEN_STEPS = ("decide", "filed")
EDIT_STEPS = ("apply", "review")  # applications may be entered while households apply and under review
CN_DIGITS = "一二三四五六七八九十"
SOURCE_LABELS = {"自报": "自报", "推荐": "群众推荐"}
DECISION_LABELS = {"pending": "待审核", "approved": "通过", "rejected": "未通过"}
STATUS_FILTERS = ("pending", "reviewed", "starred", "unstarred", "withdrawn")


def level_label(level: int | None) -> str:
    """3 → 三星级; 0 or None → 未评上."""
    if not level:
        return "未评上"
    return f"{CN_DIGITS[level - 1] if level <= len(CN_DIGITS) else level}星级"


def step_label(step: str) -> str:
    return ROUND_STEP_LABELS.get(step, step)


def step_at(on: date | None) -> datetime:
    """A step's date as stored (StarRoundStep.at): the day it took effect, or now."""
    return datetime.combine(on, time()) if on is not None else utcnow()


# ---------------------------------------------------------------- rounds


@dataclass(frozen=True)
class StepRow:
    step: str
    label: str
    on: date
    operator: str
    reopened: bool
    note: str


@dataclass(frozen=True)
class RoundRow:
    id: int
    year: int
    name: str
    step: str
    step_label: str

    @property
    def title(self) -> str:
        name = self.name if self.name.startswith(f"{self.year}") else f"{self.year}年度 {self.name}"
        return f"{name}（{self.step_label}）"


@dataclass(frozen=True)
class RoundInfo:
    id: int
    unit_id: int
    year: int
    name: str
    step: str
    step_label: str
    started_on: date | None
    note: str
    steps: list[StepRow]
    status: str  # what the round is doing now, in Chinese (公示中, 公示期满待两委会确定 …)
    notice_id: int | None  # the current 公示 (latest not withdrawn)
    notice_start: date | None
    notice_end: date | None
    objections: int
    open_objections: int
    needs_correction: bool  # an upheld objection waits for the corrected notice
    meeting_on: date | None  # 两委会 date
    filed_on: date | None  # 报镇备案 date
    applications: int

    @property
    def frozen(self) -> bool:
        return self.step in FROZEN_STEPS

    @property
    def step_index(self) -> int:
        return ROUND_STEPS.index(self.step)


def get_round_row(s: Session, round_id: int) -> StarRound:
    r = s.get(StarRound, round_id)
    if r is None:
        raise NotFound("找不到该评选批次")
    return r


def create_round(
    s: Session, unit_id: int, year: int, name: str = "", started_on: date | None = None, note: str = ""
) -> int:
    """A new round in its first step (动员部署). The default categories are created if there are none."""
    access.require_role(s, "admin", "clerk", action="新建评选批次")
    p = Problems()
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        p.add("year", "年度", "请填写 2000 到 2100 之间的年份")
    name = p.text("name", "批次名称", name or f"{year}年度星级文明户评选", max_len=60)
    if not p.has("year") and s.scalar(select(StarRound.id).where(
            StarRound.unit_id == unit_id, StarRound.year == year, StarRound.name == name)) is not None:
        p.add("name", "批次名称", f"{year}年度已有名为“{name}”的评选批次")
    p.raise_if_any()
    ensure_categories(s, unit_id)
    r = StarRound(unit_id=unit_id, year=year, name=name, step="mobilize", started_on=started_on, note=note.strip())
    s.add(r)
    s.flush()
    s.add(StarRoundStep(round_id=r.id, step="mobilize", at=step_at(started_on),
                        operator_id=audit.current_operator_id.get(), note="动员部署，制定实施方案"))
    audit.record(s, unit_id, "create", "star_round", r.id, f"新建评选批次：{year}年度 {name}")
    return r.id


def list_rounds(s: Session, unit_id: int) -> list[RoundRow]:
    stmt = select(StarRound).where(StarRound.unit_id == unit_id).order_by(StarRound.year.desc(), StarRound.id.desc())
    return [RoundRow(r.id, r.year, r.name, r.step, step_label(r.step)) for r in s.scalars(stmt)]


def round_for_year(s: Session, unit_id: int, year: int | None) -> int:
    """The round of that year (the latest one if several; the latest of all when year is None)."""
    stmt = select(StarRound.id).where(StarRound.unit_id == unit_id)
    if year is not None:
        stmt = stmt.where(StarRound.year == year)
    found = s.scalar(stmt.order_by(StarRound.year.desc(), StarRound.id.desc()).limit(1))
    if found is None:
        raise ServiceError(f"{year}年度还没有星级文明户评选批次" if year else "还没有星级文明户评选批次")
    return found


def round_notices(s: Session, round_id: int, include_withdrawn: bool = False) -> list[Notice]:
    """The 公示 posted for a round (Notice.source_ref = star_round:<id>), oldest first."""
    stmt = select(Notice).where(Notice.source_ref == f"star_round:{round_id}").order_by(Notice.id)
    if not include_withdrawn:
        stmt = stmt.where(Notice.withdrawn_on.is_(None))
    return list(s.scalars(stmt))


UPHELD, DISMISSED = "异议成立", "异议不成立"


def _step_rows(s: Session, round_id: int) -> list[StepRow]:
    stmt = (
        select(StarRoundStep, Operator.display_name)
        .outerjoin(Operator, Operator.id == StarRoundStep.operator_id)
        .where(StarRoundStep.round_id == round_id)
        .order_by(StarRoundStep.id)
    )
    return [StepRow(st.step, step_label(st.step), st.at.date(), name or "", st.reopened, st.note)
            for st, name in s.execute(stmt)]


def _last_step_date(steps: Sequence[StepRow], step: str) -> date | None:
    found = [st for st in steps if st.step == step and not st.reopened]
    return found[-1].on if found else None


def get_round(s: Session, round_id: int, today: date | None = None) -> RoundInfo:
    today = today or date.today()
    r = get_round_row(s, round_id)
    steps = _step_rows(s, round_id)
    # steps after the last reopening are the ones that count
    last_reopen = max((i for i, st in enumerate(steps) if st.reopened), default=-1)
    current = steps[last_reopen + 1:] if last_reopen >= 0 else steps
    notices = round_notices(s, round_id) if r.step in ("publicize", *FROZEN_STEPS) else []
    notice = notices[-1] if notices else None
    all_ids = [n.id for n in round_notices(s, round_id, include_withdrawn=True)]
    objections = list(s.scalars(select(Objection).where(Objection.notice_id.in_(all_ids)))) if all_ids else []
    open_count = sum(1 for o in objections if o.resolved_on is None)
    needs_correction = notice is not None and any(
        o.notice_id == notice.id and o.resolved_on is not None and o.resolution.startswith(UPHELD) for o in objections
    )
    status = step_label(r.step)
    if r.step == "publicize" and notice is not None:
        end = max(n.period_end for n in notices if n.period_end) if notices else None
        if needs_correction:
            status = "异议成立，待发布更正公示"
        elif end is not None and today <= end:
            status = f"公示中（至 {end.isoformat()}）"
        else:
            status = "公示期满，待两委会确定" if not open_count else "公示期满，尚有异议未处理"
    elif r.step == "decide":
        status = "两委会已确定，待报镇备案"
    elif r.step == "filed":
        status = "已报镇备案"
    applications = s.scalar(select(func.count(StarApplication.id)).where(
        StarApplication.round_id == round_id, StarApplication.withdrawn_on.is_(None))) or 0
    return RoundInfo(
        id=r.id, unit_id=r.unit_id, year=r.year, name=r.name, step=r.step, step_label=step_label(r.step),
        started_on=r.started_on, note=r.note, steps=steps, status=status,
        notice_id=notice.id if notice else None, notice_start=notice.period_start if notice else None,
        notice_end=notice.period_end if notice else None, objections=len(objections), open_objections=open_count,
        needs_correction=needs_correction, meeting_on=_last_step_date(current, "decide"),
        filed_on=_last_step_date(current, "filed"), applications=applications,
    )


def require_step(r: StarRound, steps: Sequence[str], action: str) -> None:
    """Refuse an action the round's current step does not allow (frozen rounds say so plainly)."""
    if r.step in steps:
        return
    if r.step in FROZEN_STEPS:
        raise ServiceError(f"{r.year}年度评选已由两委会确定，批次已锁定，不能{action}；"
                           "如需调整某户的星级，请使用“加星/减星”。")
    allowed = "、".join(step_label(st) for st in steps)
    raise ServiceError(f"现在是“{step_label(r.step)}”阶段，不能{action}（只能在{allowed}阶段进行）。")


def move_to(s: Session, r: StarRound, step: str, on: date | None, note: str = "", reopened: bool = False) -> None:
    """Record the step change (the caller has checked it is allowed)."""
    old = r.step
    r.step = step
    s.add(StarRoundStep(round_id=r.id, step=step, at=step_at(on), operator_id=audit.current_operator_id.get(),
                        reopened=reopened, note=note))
    s.flush()
    verb = "重新打开" if reopened else "进入"
    audit.record(s, r.unit_id, "reopen" if reopened else "step", "star_round", r.id,
                 f"{r.year}年度星级文明户评选{verb}“{step_label(step)}”阶段" + (f"：{note}" if note else ""),
                 {"from": old, "to": step, "on": on.isoformat() if on else None})


def advance_round(s: Session, round_id: int, on: date | None = None, note: str = "") -> str:
    """动员部署 → 农户申报 → 两会审核. The later steps have their own functions (they do more)."""
    access.require_role(s, "admin", "clerk", action="推进评选步骤")
    r = get_round_row(s, round_id)
    if r.step == "mobilize":
        move_to(s, r, "apply", on, note or "开始农户申报")
    elif r.step == "apply":
        applied = s.scalar(select(func.count(StarApplication.id)).where(
            StarApplication.round_id == round_id, StarApplication.withdrawn_on.is_(None)))
        if not applied:
            raise ServiceError("还没有任何农户申报，不能进入两会审核。")
        move_to(s, r, "review", on, note or "申报结束，提交道德评议会、村民议事会审核")
    elif r.step == "review":
        raise ServiceError("审核完成后请用“生成公示并张榜”进入张榜公示阶段。")
    elif r.step == "publicize":
        raise ServiceError("公示期满、异议处理完毕后，请用“两委会确定”完成评选。")
    elif r.step == "decide":
        raise ServiceError("请用“报镇备案”登记备案日期。")
    else:
        raise ServiceError("该批次已报镇备案，评选已全部完成。")
    return r.step


def reopen_round(s: Session, round_id: int, to_step: str, reason: str, on: date | None = None) -> None:
    """Go back to an earlier step: only the 书记 (admin), always with a reason (kept in the step log).

    Going back before 张榜公示 withdraws the round's open notices; going back before 两委会确定 clears
    the decided levels (they are set again when the round is decided again).
    """
    access.require_role(s, "admin", action="重新打开评选批次")
    r = get_round_row(s, round_id)
    p = Problems()
    reason = p.text("reason", "重新打开的原因", reason, required=True)
    if to_step not in ROUND_STEPS:
        p.add("to_step", "退回到", f"“{to_step}”不是评选步骤")
    elif ROUND_STEPS.index(to_step) >= ROUND_STEPS.index(r.step):
        p.add("to_step", "退回到", f"只能退回到“{step_label(r.step)}”之前的步骤")
    p.raise_if_any()
    on = on or date.today()
    if ROUND_STEPS.index(to_step) < ROUND_STEPS.index("publicize"):
        for n in round_notices(s, round_id):
            n.withdrawn_on, n.withdraw_reason = on, f"评选批次退回“{step_label(to_step)}”：{reason}"
            audit.record(s, r.unit_id, "close", "notice", n.id, f"撤回公示：{n.title}（评选批次重新打开）")
    if ROUND_STEPS.index(to_step) < ROUND_STEPS.index("decide"):
        for a in s.scalars(select(StarApplication).where(StarApplication.round_id == round_id)):
            a.level = None
    move_to(s, r, to_step, on, reason, reopened=True)
