"""The round's 张榜公示 and 两委会确定 steps: the notice, objections against it, the decision, 备案.

公示: the notice is built from the reviewed applications and published through the notice engine
(archived with source_ref `star_round:<id>`). The round stays in 张榜公示 until every posted notice's
period has ended. Objections are the notice archive's Objection rows; each is resolved as
upheld (the application's review is changed in the same transaction, and a corrected notice must be
posted before the decision) or dismissed (with a reason).

Decision: the 两委会 date (after the 公示期), optionally the 备案 date; the level of every application is
fixed and the round is frozen. 报镇备案 can also be recorded later.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Objection, StarApplication

from .. import access, audit
from ..errors import NotFound, ServiceError
from ..notices import archive as notices
from ..notices.archive import NoticeInfo
from ..validation import Problems
from .applications import ItemReview, apply_reviews, pending_reviews
from .notice import PROPOSED, refuse_second, round_draft
from .rounds import DISMISSED, UPHELD, get_round, get_round_row, move_to, require_step, round_notices


@dataclass(frozen=True)
class RoundObjection:
    id: int
    notice_id: int
    received_on: date
    raised_by: str
    subject: str
    content: str
    resolution: str
    resolved_on: date | None

    @property
    def outcome(self) -> str:
        if self.resolved_on is None:
            return "待处理"
        return UPHELD if self.resolution.startswith(UPHELD) else DISMISSED


def publicize_round(
    s: Session, round_id: int, out_path: Path, paper: str = "A4", start: date | None = None,
    days: int | None = None, issued_on: date | None = None,
) -> NoticeInfo:
    """两会审核 → 张榜公示: every claimed star must be reviewed; the notice is printed and archived."""
    access.require_role(s, "admin", "clerk", action="发布星级文明户公示")
    r = get_round_row(s, round_id)
    require_step(r, ("review",), "生成公示")
    waiting = pending_reviews(s, round_id)
    if waiting:
        raise ServiceError("还有申报未审核完，不能公示：户号 " + "、".join(waiting) + ("等" if len(waiting) >= 10 else ""))
    refuse_second(s, round_id, PROPOSED)
    info = notices.publish_draft(s, r.unit_id, round_draft(s, round_id, stage=PROPOSED), Path(out_path), paper,
                                 start, days, issued_on=issued_on)
    move_to(s, r, "publicize", info.period_start, f"公示 {info.number}，公示期 {info.period_start} 至 {info.period_end}")
    return info


def publish_correction(
    s: Session, round_id: int, out_path: Path, paper: str = "A4", start: date | None = None,
    days: int | None = None, issued_on: date | None = None,
) -> NoticeInfo:
    """After an upheld objection: withdraw the posted notice and post the corrected one (a new 公示期)."""
    access.require_role(s, "admin", "clerk", action="发布更正公示")
    r = get_round_row(s, round_id)
    require_step(r, ("publicize",), "发布更正公示")
    issued_on = issued_on or date.today()
    old = round_notices(s, round_id)
    info = notices.publish_draft(s, r.unit_id, round_draft(s, round_id, corrected=True), Path(out_path), paper,
                                 start, days, issued_on=issued_on)
    for n in old:
        notices.withdraw_notice(s, n.id, issued_on, f"异议成立，已发布更正公示 {info.number}")
    audit.record(s, r.unit_id, "publish", "star_round", r.id, f"{r.year}年度星级文明户更正公示 {info.number}")
    return info


def _current_notice_id(s: Session, round_id: int) -> int:
    found = round_notices(s, round_id)
    if not found:
        raise ServiceError("该批次还没有张榜公示，无法登记异议。")
    return found[-1].id


def add_round_objection(
    s: Session, round_id: int, received_on: date, raised_by: str, content: str, subject: str = "",
) -> int:
    """An 异议 raised during the 公示期, logged against the round's current notice."""
    r = get_round_row(s, round_id)
    require_step(r, ("publicize",), "登记异议")
    return notices.add_objection(s, _current_notice_id(s, round_id), received_on, raised_by, content, subject)


def list_round_objections(s: Session, round_id: int) -> list[RoundObjection]:
    ids = [n.id for n in round_notices(s, round_id, include_withdrawn=True)]
    if not ids:
        return []
    stmt = select(Objection).where(Objection.notice_id.in_(ids)).order_by(Objection.received_on, Objection.id)
    return [RoundObjection(o.id, o.notice_id, o.received_on, o.raised_by, o.subject, o.content, o.resolution,
                           o.resolved_on) for o in s.scalars(stmt)]


def _open_objection(s: Session, round_id: int, objection_id: int) -> Objection:
    o = s.get(Objection, objection_id)
    ids = {n.id for n in round_notices(s, round_id, include_withdrawn=True)}
    if o is None or o.notice_id not in ids:
        raise NotFound("找不到该异议记录")
    if o.resolved_on is not None:
        raise ServiceError(f"该异议已于 {o.resolved_on.isoformat()} 处理")
    return o


def dismiss_objection(s: Session, round_id: int, objection_id: int, reason: str, on: date | None = None) -> None:
    """异议不成立: the reason is kept; the round's results stay as posted."""
    access.require_role(s, "admin", "clerk", action="处理异议")
    r = get_round_row(s, round_id)
    require_step(r, ("publicize",), "处理异议")
    _open_objection(s, round_id, objection_id)
    p = Problems()
    reason = p.text("resolution", "不成立的理由", reason, required=True)
    p.raise_if_any()
    notices.resolve_objection(s, objection_id, f"{DISMISSED}：{reason}", on or date.today())


def uphold_objection(
    s: Session, round_id: int, objection_id: int, application_id: int, reviews: Sequence[ItemReview], reason: str,
    on: date | None = None,
) -> None:
    """异议成立: the application's review changes (in this same transaction) and the objection is resolved.

    The round then needs a corrected notice (publish_correction) before the 两委 can decide.
    """
    access.require_role(s, "admin", "clerk", action="处理异议")
    r = get_round_row(s, round_id)
    require_step(r, ("publicize",), "处理异议")
    _open_objection(s, round_id, objection_id)
    on = on or date.today()
    p = Problems()
    reason = p.text("resolution", "处理情况", reason, required=True)
    a = s.get(StarApplication, application_id)
    if a is None or a.round_id != round_id:
        raise NotFound("找不到该申报")
    if any(rv.decision == "pending" for rv in reviews):
        p.add("reviews", "审核结果", "公示阶段每颗星都要有通过或不通过的结论")
    changed = apply_reviews(s, a, reviews, on, p) if not p else []
    if not changed and not p:
        p.add("reviews", "审核结果", "异议成立时请修改该户的审核结果（否则请选择“异议不成立”）")
    p.raise_if_any()
    s.flush()
    audit.record(s, r.unit_id, "update", "star_application", a.id, "异议成立，修改审核结果：" + "；".join(changed))
    notices.resolve_objection(s, objection_id, f"{UPHELD}：{reason}（{'；'.join(changed)}）", on)


def decide_round(
    s: Session, round_id: int, meeting_on: date, filed_on: date | None = None, note: str = "",
    today: date | None = None,
) -> None:
    """两委会确定: after the 公示期, with every objection resolved and any correction posted. Freezes the round."""
    access.require_role(s, "admin", "clerk", action="登记两委会确定结果")
    today = today or date.today()
    r = get_round_row(s, round_id)
    require_step(r, ("publicize",), "登记两委会确定结果")
    info = get_round(s, round_id, today)
    p = Problems()
    if meeting_on is None:
        p.add("meeting_on", "两委会日期", "请填写两委会召开日期")
    elif info.notice_end is not None:
        end = max(n.period_end for n in round_notices(s, round_id) if n.period_end)
        if meeting_on <= end:
            p.add("meeting_on", "两委会日期", f"公示期到 {end.isoformat()} 才结束，两委会应在公示期满之后召开")
    if meeting_on is not None and meeting_on > today:
        p.add("meeting_on", "两委会日期", "日期晚于今天")
    if info.open_objections:
        p.add("objections", "异议", f"还有 {info.open_objections} 条异议没有处理，处理完毕才能确定")
    if info.needs_correction:
        p.add("objections", "异议", "有成立的异议，请先发布更正公示，公示期满后再确定")
    if filed_on is not None and meeting_on is not None and filed_on < meeting_on:
        p.add("filed_on", "报镇备案日期", "不能早于两委会日期")
    p.raise_if_any()
    stmt = select(StarApplication).where(StarApplication.round_id == round_id)
    for a in s.scalars(stmt):
        a.level = None if a.withdrawn_on is not None else sum(
            1 for i in a.items if i.decision == "approved")
    move_to(s, r, "decide", meeting_on, note.strip() or "两委会确定最终名单")
    if filed_on is not None:
        file_round(s, round_id, filed_on)


def file_round(s: Session, round_id: int, filed_on: date, note: str = "") -> None:
    """报镇党委备案 (then 命名授牌)."""
    access.require_role(s, "admin", "clerk", action="登记报镇备案")
    r = get_round_row(s, round_id)
    if r.step == "filed":
        raise ServiceError("该批次已经登记过报镇备案。")
    require_step(r, ("decide",), "登记报镇备案")
    meeting = get_round(s, round_id).meeting_on
    p = Problems()
    if filed_on is None:
        p.add("filed_on", "报镇备案日期", "请填写报镇备案日期")
    elif meeting is not None and filed_on < meeting:
        p.add("filed_on", "报镇备案日期", f"不能早于两委会日期（{meeting.isoformat()}）")
    p.raise_if_any()
    move_to(s, r, "filed", filed_on, note.strip() or "报镇党委备案，命名授牌")

