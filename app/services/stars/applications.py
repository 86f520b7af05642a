"""星级文明户 applications of a round: the list behind the page, adding, editing, withdrawing, and the review of each claimed star.

Each claimed star of an application is reviewed on its own (approved / rejected, by 道德评议会 or
村民议事会, with an opinion); the household's level is the number of approved stars.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session, aliased

from app.models import (
    Grid,
    Household,
    Resident,
    StarApplication,
    StarApplicationItem,
    StarCategory,
)
from app.models.people import HEAD_RELATION
from app.models.stars import (
    APPLICATION_SOURCES,
    REVIEW_BODIES,
)

from .. import access, audit
from ..errors import FieldProblem, NotFound, ServiceError, ValidationError
from ..people.residents import ACTIVE_STATUSES, resident_search
from ..search import text_filter, tokens
from ..validation import Problems
from .rounds import DECISION_LABELS, EDIT_STEPS, get_round_row, level_label, require_step

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
    access.require_role(s, "admin", "clerk", "grid", action="修改申报")
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
    access.require_role(s, *access.ENTRY_ROLES, action="撤回申报")
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
