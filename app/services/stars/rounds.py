"""星级文明户: star categories, rounds moving through the five steps, applications and their review.

The round (评选批次) walks 动员部署 → 农户申报 → 两会审核 → 张榜公示 → 两委会确定 (→ 报镇备案) in order; every
step change is a StarRoundStep row (date, operator, note). The 公示 and decision steps live in
star_publicity.py (they need the notice engine); 加星/减星 after the round in star_changes.py; the star
categories (editable in 设置) in star_categories.py.

Each claimed star of an application is reviewed on its own (approved / rejected, by 道德评议会 or
村民议事会, with an opinion); the household's level is the number of approved stars. Once the 两委
decide, the round is frozen: only 加星/减星 change a household's stars from then on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session, aliased

from app.models import (
    Grid,
    Household,
    Notice,
    Objection,
    Operator,
    Resident,
    StarApplication,
    StarApplicationItem,
    StarCategory,
    StarRound,
    StarRoundStep,
)
from app.models.base import utcnow
from app.models.people import HEAD_RELATION
from app.models.stars import (
    APPLICATION_SOURCES,
    REVIEW_BODIES,
    ROUND_STEP_LABELS,
    ROUND_STEPS,
)

from .. import access, audit
from ..errors import FieldProblem, NotFound, ServiceError, ValidationError
from ..people.residents import ACTIVE_STATUSES, resident_search
from ..search import text_filter, tokens
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
           # the categories live in star_categories; these names stay importable from here
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


# ---------------------------------------------------------------- applications


@dataclass(frozen=True)
class ItemRow:
    id: int
    category_id: int
    category: str
    decision: str  # pending / approved / rejected
    review_body: str | None
    opinion: str
    reviewed_on: date | None

    @property
    def decision_label(self) -> str:
        return DECISION_LABELS.get(self.decision, self.decision)


@dataclass(frozen=True)
class ApplicationRow:
    id: int
    round_id: int
    household_id: int
    household_number: str
    head_name: str
    address: str
    grid_id: int | None
    grid_name: str
    top_grid_name: str  # the 网格 (the micro-grid's parent), for subtotals and notice groups
    source: str
    recommender: str
    evidence: str
    applied_on: date | None
    withdrawn_on: date | None
    withdraw_reason: str
    level: int | None  # decided level (None until the 两委 decide)
    items: tuple[ItemRow, ...] = field(default_factory=tuple)

    @property
    def claimed(self) -> int:
        return len(self.items)

    @property
    def approved(self) -> int:
        return sum(1 for i in self.items if i.decision == "approved")

    @property
    def pending(self) -> int:
        return sum(1 for i in self.items if i.decision == "pending")

    @property
    def shown_level(self) -> int:
        """The decided level, or what the review gives so far."""
        return self.level if self.level is not None else self.approved

    @property
    def status(self) -> str:
        if self.withdrawn_on is not None:
            return "已撤回"
        if self.pending:
            return "待审核" if self.pending == self.claimed else "审核中"
        return level_label(self.shown_level)

    def item_for(self, category_id: int) -> ItemRow | None:
        return next((i for i in self.items if i.category_id == category_id), None)

    @property
    def approved_names(self) -> list[str]:
        return [i.category for i in self.items if i.decision == "approved"]


@dataclass
class ApplicationQuery:
    round_id: int
    text: str = ""  # 户号, 门牌, a member's name/拼音
    grid_id: int | None = None  # the grid or any micro-grid under it
    status: str | None = None  # pending | reviewed | starred | unstarred | withdrawn
    order_by: str = "grid"  # grid | number | head | level | source | applied_on
    descending: bool = False


def head_name_col() -> ColumnElement[str]:
    return (
        select(Resident.name)
        .where(Resident.household_id == Household.id, Resident.relation == HEAD_RELATION,
               Resident.status.in_(ACTIVE_STATUSES))
        .order_by(Resident.id).limit(1).scalar_subquery()
    )


def _approved_col() -> ColumnElement[int]:
    return (
        select(func.count(StarApplicationItem.id))
        .where(StarApplicationItem.application_id == StarApplication.id, StarApplicationItem.decision == "approved")
        .scalar_subquery()
    )


def _pending_col() -> ColumnElement[int]:
    return (
        select(func.count(StarApplicationItem.id))
        .where(StarApplicationItem.application_id == StarApplication.id, StarApplicationItem.decision == "pending")
        .scalar_subquery()
    )


def _application_where(s: Session, q: ApplicationQuery) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [StarApplication.round_id == q.round_id]
    scope = access.household_filter(s)
    if scope is not None:
        where.append(scope)
    if q.grid_id is not None:
        where.append(Household.grid_id.in_(select(Grid.id).where(or_(Grid.id == q.grid_id, Grid.parent_id == q.grid_id))))
    active = StarApplication.withdrawn_on.is_(None)
    if q.status == "withdrawn":
        where.append(StarApplication.withdrawn_on.is_not(None))
    elif q.status == "pending":
        where += [active, _pending_col() > 0]
    elif q.status == "reviewed":
        where += [active, _pending_col() == 0]
    elif q.status == "starred":
        where += [active, _pending_col() == 0, func.coalesce(StarApplication.level, _approved_col()) > 0]
    elif q.status == "unstarred":
        where += [active, _pending_col() == 0, func.coalesce(StarApplication.level, _approved_col()) == 0]
    elif q.status is not None:
        raise ServiceError(f"不能按“{q.status}”筛选")
    for word in tokens(q.text):
        own = text_filter(word, Household.number, extra=[Household.address])
        person = resident_search(word)
        assert own is not None and person is not None
        where.append(or_(own, Household.id.in_(select(Resident.household_id).where(person))))
    return where


def _application_select() -> tuple[Select[tuple[StarApplication, Household, str, str]], dict[str, list[object]]]:
    head = head_name_col()
    parent = aliased(Grid)
    stmt = (
        select(StarApplication, Household, head.label("head_name"), Grid.name.label("grid_name"),
               func.coalesce(parent.name, Grid.name).label("top_grid_name"))
        .join(Household, Household.id == StarApplication.household_id)
        .outerjoin(Grid, Grid.id == Household.grid_id)
        .outerjoin(parent, parent.id == Grid.parent_id)
    )
    order: dict[str, list[object]] = {
        "grid": [func.coalesce(parent.sort_order, Grid.sort_order), Grid.sort_order, Household.number], "number": [Household.number],
        "head": [head], "level": [func.coalesce(StarApplication.level, _approved_col())],
        "source": [StarApplication.source], "applied_on": [StarApplication.applied_on],
    }
    return stmt, order


def _items_of(s: Session, application_ids: Sequence[int]) -> dict[int, list[ItemRow]]:
    out: dict[int, list[ItemRow]] = {i: [] for i in application_ids}
    if not application_ids:
        return out
    stmt = (
        select(StarApplicationItem, StarCategory.name)
        .join(StarCategory, StarCategory.id == StarApplicationItem.category_id)
        .where(StarApplicationItem.application_id.in_(application_ids))
        .order_by(StarCategory.sort_order, StarCategory.id)
    )
    for it, name in s.execute(stmt):
        out[it.application_id].append(
            ItemRow(it.id, it.category_id, name, it.decision, it.review_body, it.opinion, it.reviewed_on))
    return out


def _application_rows(s: Session, rows: Sequence[object]) -> list[ApplicationRow]:
    items = _items_of(s, [r.StarApplication.id for r in rows])  # type: ignore[attr-defined]
    out = []
    for r in rows:
        a: StarApplication = r.StarApplication  # type: ignore[attr-defined]
        h: Household = r.Household  # type: ignore[attr-defined]
        out.append(ApplicationRow(
            id=a.id, round_id=a.round_id, household_id=h.id, household_number=h.number,
            head_name=r.head_name or "", address=h.address, grid_id=h.grid_id,  # type: ignore[attr-defined]
            grid_name=r.grid_name or "", top_grid_name=r.top_grid_name or "",  # type: ignore[attr-defined]
            source=a.source, recommender=a.recommender,  # type: ignore[attr-defined]
            evidence=a.evidence, applied_on=a.applied_on, withdrawn_on=a.withdrawn_on,
            withdraw_reason=a.withdraw_reason, level=a.level, items=tuple(items[a.id]),
        ))
    return out


def count_applications(s: Session, q: ApplicationQuery) -> int:
    stmt = (select(func.count(StarApplication.id)).join(Household, Household.id == StarApplication.household_id)
            .where(*_application_where(s, q)))
    return s.scalar(stmt) or 0


def list_applications(s: Session, q: ApplicationQuery, offset: int = 0, limit: int = 200) -> list[ApplicationRow]:
    stmt, order = _application_select()
    if q.order_by not in order:
        raise ServiceError(f"不能按“{q.order_by}”排序")
    cols = [c.desc() if q.descending else c for c in order[q.order_by]]  # type: ignore[attr-defined]
    stmt = stmt.where(*_application_where(s, q)).order_by(*cols, StarApplication.id).offset(offset).limit(limit)
    return _application_rows(s, s.execute(stmt).all())


def get_application(s: Session, application_id: int) -> ApplicationRow:
    stmt, _ = _application_select()
    rows = s.execute(stmt.where(StarApplication.id == application_id)).all()
    if not rows:
        raise NotFound("找不到该申报")
    return _application_rows(s, rows)[0]


def _get_application(s: Session, application_id: int) -> StarApplication:
    a = s.get(StarApplication, application_id)
    if a is None:
        raise NotFound("找不到该申报")
    return a


def _check_categories(s: Session, unit_id: int, category_ids: Sequence[int], p: Problems) -> list[int]:
    ids = list(dict.fromkeys(category_ids))
    if not ids:
        p.add("categories", "申报星类", "请至少勾选一颗星")
        return ids
    known = set(s.scalars(select(StarCategory.id).where(
        StarCategory.unit_id == unit_id, StarCategory.active.is_(True), StarCategory.id.in_(ids))))
    if len(known) != len(ids):
        p.add("categories", "申报星类", "有勾选的星类不存在或已停用")
    return ids


def _check_source(p: Problems, source: str, recommender: str) -> tuple[str, str]:
    source = p.choice("source", "申报方式", source, APPLICATION_SOURCES, required=True)
    recommender = p.text("recommender", "推荐人", recommender, max_len=40)
    if source == "推荐" and not recommender:
        p.add("recommender", "推荐人", "群众推荐的申报请填写推荐人")
    return source, recommender


def add_application(
    s: Session, round_id: int, household_id: int | None, category_ids: Sequence[int], source: str = "自报",
    recommender: str = "", evidence: str = "", applied_on: date | None = None,
) -> int:
    """A household applies (自报) or is recommended (推荐) for the ticked stars."""
    access.require_role(s, "admin", "clerk", "grid", action="登记申报")
    r = get_round_row(s, round_id)
    require_step(r, EDIT_STEPS, "登记申报")
    p = Problems()
    h = s.get(Household, household_id) if household_id else None
    if h is None or h.unit_id != r.unit_id:
        p.add("household_id", "申报户", "请选择申报的户")
    elif h.closed_on is not None:
        p.add("household_id", "申报户", f"户 {h.number} 已于 {h.closed_on.isoformat()} 销户")
    elif s.scalar(select(StarApplication.id).where(StarApplication.round_id == round_id,
                                                   StarApplication.household_id == h.id)) is not None:
        p.add("household_id", "申报户", f"户 {h.number} 在本批次已经申报过了")
    ids = _check_categories(s, r.unit_id, category_ids, p)
    source, recommender = _check_source(p, source, recommender)
    evidence = p.text("evidence", "事迹/证明材料", evidence)
    p.raise_if_any()
    assert h is not None
    access.check_household(s, h.id, "登记申报")
    a = StarApplication(round_id=round_id, household_id=h.id, source=source, recommender=recommender,
                        evidence=evidence, applied_on=applied_on or date.today())
    s.add(a)
    s.flush()
    s.add_all(StarApplicationItem(application_id=a.id, category_id=c) for c in ids)
    s.flush()
    audit.record(s, r.unit_id, "create", "star_application", a.id,
                 f"{r.year}年度星级文明户申报：户 {h.number}（{source}，{len(ids)} 颗星）")
    return a.id


def update_application(
    s: Session, application_id: int, category_ids: Sequence[int], source: str, recommender: str = "",
    evidence: str = "",
) -> None:
    """Change the claimed stars (stars already reviewed keep their review; removed ones go)."""
    a = _get_application(s, application_id)
    r = get_round_row(s, a.round_id)
    require_step(r, EDIT_STEPS, "修改申报")
    access.check_household(s, a.household_id, "修改申报")
    p = Problems()
    if a.withdrawn_on is not None:
        p.add("withdrawn_on", "申报", "该申报已撤回")
    ids = _check_categories(s, r.unit_id, category_ids, p)
    source, recommender = _check_source(p, source, recommender)
    evidence = p.text("evidence", "事迹/证明材料", evidence)
    p.raise_if_any()
    before = {"source": a.source, "recommender": a.recommender, "evidence": a.evidence,
              "categories": sorted(i.category_id for i in a.items)}
    keep = set(ids)
    dropped = [i for i in a.items if i.category_id not in keep]
    if any(i.decision != "pending" for i in dropped):
        raise ValidationError([FieldProblem("categories", "申报星类", "已审核的星不能取消勾选，请在审核中改为不通过")])
    for item in dropped:
        s.delete(item)  # an unreviewed claim taken back before the decision: nothing a ledger needs
    have = {i.category_id for i in a.items}
    s.add_all(StarApplicationItem(application_id=a.id, category_id=c) for c in ids if c not in have)
    a.source, a.recommender, a.evidence = source, recommender, evidence
    s.flush()
    s.expire(a, ["items"])
    audit.record_change(s, r.unit_id, "star_application", a.id, "修改星级文明户申报", before,
                        {"source": source, "recommender": recommender, "evidence": evidence, "categories": sorted(ids)})


def withdraw_application(s: Session, application_id: int, reason: str, on: date | None = None) -> None:
    a = _get_application(s, application_id)
    r = get_round_row(s, a.round_id)
    require_step(r, EDIT_STEPS, "撤回申报")
    p = Problems()
    if a.withdrawn_on is not None:
        p.add("withdrawn_on", "申报", f"该申报已于 {a.withdrawn_on.isoformat()} 撤回")
    reason = p.text("withdraw_reason", "撤回原因", reason, required=True)
    p.raise_if_any()
    a.withdrawn_on, a.withdraw_reason = on or date.today(), reason
    s.flush()
    audit.record(s, r.unit_id, "close", "star_application", a.id, f"撤回星级文明户申报（{reason}）")


# ---------------------------------------------------------------- review


@dataclass(frozen=True)
class ItemReview:
    """The review of one claimed star."""

    category_id: int
    decision: str  # approved | rejected | pending
    review_body: str | None = None
    opinion: str = ""


def apply_reviews(s: Session, a: StarApplication, reviews: Sequence[ItemReview], on: date, p: Problems) -> list[str]:
    """Check per-star decisions and, when all are fine, set them; returns a summary per changed star.

    Nothing is set when a problem is found (the application stays as it was in the session too).
    """
    by_category = {i.category_id: i for i in a.items}
    names = dict(s.execute(select(StarCategory.id, StarCategory.name).where(
        StarCategory.id.in_(list(by_category) or [-1]))).all())
    checked: list[tuple[StarApplicationItem, ItemReview, str]] = []
    before = len(p)
    for rv in reviews:
        item = by_category.get(rv.category_id)
        label = names.get(rv.category_id, "该星")
        if item is None:
            p.add("categories", "星类", f"该户没有申报{label}")
            continue
        if rv.decision not in DECISION_LABELS:
            p.add(f"decision_{rv.category_id}", label, "请选择通过或不通过")
            continue
        opinion = (rv.opinion or "").strip()
        if rv.decision != "pending":
            if rv.review_body not in REVIEW_BODIES:
                p.add(f"body_{rv.category_id}", f"{label}的审核机构", f"请选择{'或'.join(REVIEW_BODIES)}")
            if rv.decision == "rejected" and not opinion:
                p.add(f"opinion_{rv.category_id}", f"{label}的评议意见", "不通过时请写明评议意见")
        checked.append((item, rv, opinion))
    if len(p) > before:
        return []
    changed: list[str] = []
    for item, rv, opinion in checked:
        label = names.get(rv.category_id, "该星")
        if (item.decision, item.review_body, item.opinion) != (rv.decision, rv.review_body, opinion):
            changed.append(f"{label}：{DECISION_LABELS[item.decision]}→{DECISION_LABELS[rv.decision]}")
        item.decision = rv.decision
        item.review_body = rv.review_body if rv.decision != "pending" else None
        item.opinion = opinion
        item.reviewed_on = on if rv.decision != "pending" else None
    return changed


def review_application(s: Session, application_id: int, reviews: Sequence[ItemReview], on: date | None = None) -> None:
    """两会审核: decide each claimed star (by 道德评议会 / 村民议事会, with an opinion). All or nothing."""
    access.require_role(s, "admin", "clerk", action="审核申报")
    a = _get_application(s, application_id)
    r = get_round_row(s, a.round_id)
    require_step(r, ("review",), "审核申报")
    p = Problems()
    if a.withdrawn_on is not None:
        p.add("withdrawn_on", "申报", "该申报已撤回，不需审核")
    changed = apply_reviews(s, a, reviews, on or date.today(), p)
    p.raise_if_any()
    s.flush()
    if changed:
        audit.record(s, r.unit_id, "update", "star_application", a.id, "两会审核：" + "；".join(changed))


def pending_reviews(s: Session, round_id: int, limit: int = 10) -> list[str]:
    """户号 of applications with stars not yet reviewed (first `limit`)."""
    stmt = (
        select(Household.number).join(StarApplication, StarApplication.household_id == Household.id)
        .where(StarApplication.round_id == round_id, StarApplication.withdrawn_on.is_(None), _pending_col() > 0)
        .order_by(Household.number).limit(limit)
    )
    return list(s.scalars(stmt))
