"""公示 archive: build a notice, render and archive it, list notices, objections, verify a PDF.

Publishing: the Notice row is inserted first (its id makes the 公示编号 printed in the footer), the PDF
is rendered by app.io.notices (which masks personal data), then the row gets the frozen masked rows,
the sha256 of the file, its path (Notice.file_path: a reprint moves it to the new file, so the window
opens and prints that one without asking again) and, in Notice.meta, the objection contact printed on
it and the 校验码 with its definition's version, so `reprint_notice` can make the same bytes again
from the archive. Checking a file against the archive is verify.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from app.io.notices import (
    CODE_VERSION,
    NoticeColumn,
    NoticeDocument,
    RenderedNotice,
    render_notice,
)
from app.models import Notice, Objection, PartyMember, PartyOrg, Resident
from app.models.notices import NOTICE_KINDS

from .. import access, audit
from ..errors import NotFound, ServiceError
from ..grid.posts import list_grid_posts
from ..org.members import ACTIVIST_YEARS  # one rule for the 公示 and the 工作台
from ..output_kinds import NOTICE_LABELS
from ..settings import get_setting
from ..units import UnitInfo, get_unit
from ..validation import Problems, add_years
from . import periods

KIND_LABELS = NOTICE_LABELS
PAPERS = ("A4", "A3")

# Settings (JSON values per unit)
GRID_PHONES_MASKED = "notice.grid_contacts.mask_phones"  # bool, default False: the numbers are for calling
TEMPLATE_KEY = "notice.template.{kind}"  # str: the body paragraph, with {村名} {年度} {发文单位} {公示天数}
# Notice.meta keys: the 校验码 printed, and its definition (notices without one were printed with 1)
CODE_KEY, CODE_VERSION_KEY = "content_code", "code_version"

DEFAULT_TEMPLATES = {
    "party-candidates": (
        "根据《中国共产党发展党员工作细则》有关规定，经{发文单位}研究，现将{年度}年度拟确定的发展对象、"
        "拟接收的预备党员和拟转为正式党员的同志情况予以公示，接受党员和群众监督。"
    ),
    "grid-contacts": (
        "为做好网格化服务管理，方便群众反映诉求、办理事务，现将{村名}各网格网格长、网格员及联系方式予以公示。"
        "群众遇到困难或有意见建议，可直接联系所在网格的网格员。"
    ),
}
CONFIRM_WINDOW_DAYS = 92  # 预备党员 whose 预备期 ends within this many days are listed for 转正

STATUS_PENDING, STATUS_OPEN, STATUS_ENDED, STATUS_WITHDRAWN = "未开始", "公示中", "已结束", "已撤回"


@dataclass
class NoticeDraft:
    """What a notice will say, before it has a period, a number and a file."""

    kind: str
    year: int
    title: str
    body: str
    columns: list[NoticeColumn]
    rows: list[list[object]]
    issuer: str
    objection_to: str = ""
    objection_text: str = ""
    group_counter: str = "人"
    source_ref: str = ""
    dense: bool = False  # tighter table cells (NoticeDocument.dense), kept for reprints
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class NoticeInfo:
    id: int
    number: str  # 公示编号 printed in the footer
    kind: str
    title: str
    path: Path
    sha256: str
    content_code: str
    pages: int
    rows: int
    period_start: date
    period_end: date
    issued_on: date
    period_text: str = ""  # 公示期：…至…（5个工作日）, as printed


@dataclass(frozen=True)
class NoticeRow:
    id: int
    number: str
    kind: str
    kind_label: str
    title: str
    year: int | None
    period_start: date | None
    period_end: date | None
    issued_on: date | None
    status: str  # 未开始 / 公示中 / 已结束 / 已撤回
    objections: int
    open_objections: int  # not yet resolved
    paper: str
    path: Path | None


@dataclass(frozen=True)
class ObjectionRow:
    id: int
    notice_id: int
    received_on: date
    raised_by: str
    subject: str
    content: str
    resolution: str
    resolved_on: date | None


def notice_number(notice_id: int, issued_on: date) -> str:
    return f"{issued_on.year}-{notice_id:04d}"


class _Placeholders(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill_template(template: str, values: dict[str, str]) -> str:
    """{村名} etc. replaced; unknown placeholders stay as written (the secretary sees and fixes them)."""
    try:
        return template.format_map(_Placeholders(values))
    except (ValueError, IndexError):  # a stray brace: show the template as it is
        return template


def _template(s: Session, unit_id: int, kind: str) -> str:
    value = get_setting(s, unit_id, TEMPLATE_KEY.format(kind=kind), DEFAULT_TEMPLATES.get(kind, ""))
    return str(value or DEFAULT_TEMPLATES.get(kind, ""))


# ---------------------------------------------------------------- building drafts


def party_issuer(s: Session, unit: UnitInfo) -> str:
    """The village's own Party organisation (the first open root 党委/党总支/党支部)."""
    name = s.scalar(
        select(PartyOrg.name).where(
            PartyOrg.unit_id == unit.id, PartyOrg.parent_id.is_(None), PartyOrg.closed_on.is_(None),
            PartyOrg.kind.in_(("党委", "党总支", "党支部")),
        ).order_by(PartyOrg.sort_order, PartyOrg.id).limit(1)
    )
    return name or f"中共{unit.name}支部委员会"


def committee_name(unit: UnitInfo) -> str:
    return f"{unit.name}{'村民委员会' if unit.kind == '村' else '社区居民委员会'}"


def _candidate_sections(s: Session, unit_id: int, on: date) -> list[tuple[str, list[Any]]]:
    base = (
        select(PartyMember, Resident, PartyOrg.name.label("org_name"))
        .join(Resident, Resident.id == PartyMember.resident_id)
        .join(PartyOrg, PartyOrg.id == PartyMember.org_id)
        .where(Resident.unit_id == unit_id, PartyMember.left_on.is_(None))
        .order_by(PartyOrg.sort_order, Resident.name_pinyin, PartyMember.id)
    )
    activists = [
        r for r in s.execute(base.where(PartyMember.stage == "入党积极分子"))
        if r.PartyMember.activist_on is not None and add_years(r.PartyMember.activist_on, ACTIVIST_YEARS) <= on
    ]
    candidates = list(s.execute(base.where(PartyMember.stage == "发展对象")))
    due = on + timedelta(days=CONFIRM_WINDOW_DAYS)
    probation = [
        r for r in s.execute(base.where(PartyMember.stage == "预备党员"))
        if r.PartyMember.joined_on is not None and add_years(r.PartyMember.joined_on, 1) <= due
    ]
    return [("拟确定为发展对象", activists), ("拟接收为预备党员", candidates), ("拟转为正式党员", probation)]


def build_party_candidates(s: Session, unit_id: int, year: int | None = None, on: date | None = None) -> NoticeDraft:
    """发展党员公示: 拟确定为发展对象 (积极分子 for a year or more), 拟接收为预备党员 (发展对象),
    拟转为正式党员 (预备期 ending within CONFIRM_WINDOW_DAYS of `on`)."""
    unit = get_unit(s, unit_id)
    on = on or date.today()
    year = year or on.year
    issuer = party_issuer(s, unit)
    columns = [
        NoticeColumn("公示类别", "group"), NoticeColumn("姓名", "name"), NoticeColumn("性别"),
        NoticeColumn("出生年月", "month"), NoticeColumn("学历"), NoticeColumn("申请入党", "month"),
        NoticeColumn("列为积极分子", "month"), NoticeColumn("列为发展对象", "month"),
        NoticeColumn("接收为预备党员", "month"), NoticeColumn("所在党支部"),
    ]
    rows: list[list[object]] = []
    for section, found in _candidate_sections(s, unit_id, on):
        for r in found:
            m, p = r.PartyMember, r.Resident
            rows.append([section, p.name, p.gender or "", p.birth_date, p.education, m.applied_on, m.activist_on,
                         m.candidate_on, m.joined_on, r.org_name])
    if not rows:
        raise ServiceError("目前没有需要公示的发展党员对象（拟确定为发展对象、拟接收为预备党员或拟转为正式党员的人员）。")
    values = {"村名": unit.name, "年度": str(year), "发文单位": issuer}
    return NoticeDraft(
        kind="party-candidates", year=year, title=f"关于{year}年度发展党员有关情况的公示",
        body=fill_template(_template(s, unit_id, "party-candidates"), values), columns=columns, rows=rows,
        issuer=issuer, objection_to=issuer, extra={"values": values},
    )


def build_grid_contacts(s: Session, unit_id: int, year: int | None = None, on: date | None = None) -> NoticeDraft:
    """网格员联系方式公示: each grid's 网格长 and 网格员 with their phones (masked if the setting says so)."""
    unit = get_unit(s, unit_id)
    on = on or date.today()
    year = year or on.year
    masked = bool(get_setting(s, unit_id, GRID_PHONES_MASKED, False))
    columns = [
        NoticeColumn("网格", "group"), NoticeColumn("岗位"), NoticeColumn("姓名", "name"),
        NoticeColumn("联系电话", "phone" if masked else "phone_public"), NoticeColumn("负责区域"),
    ]
    rows: list[list[object]] = []
    for p in list_grid_posts(s, unit_id, on):
        area = p.area_name.removeprefix(p.grid_name) or "全网格"
        rows.append([p.grid_name, p.post, p.name, p.phone, area])
    if not rows:
        raise ServiceError("还没有登记网格员，无法生成网格员联系方式公示。")
    issuer = committee_name(unit)
    values = {"村名": unit.name, "年度": str(year), "发文单位": issuer}
    return NoticeDraft(
        kind="grid-contacts", year=year, title=f"关于{unit.name}网格员联系方式的公示",
        body=fill_template(_template(s, unit_id, "grid-contacts"), values), columns=columns, rows=rows,
        issuer=issuer, objection_to=issuer,
        objection_text=f"如发现网格员信息或联系电话有误，请向{issuer}反映。",
        extra={"values": values, "phones_masked": masked},
    )


BUILDERS = {"party-candidates": build_party_candidates, "grid-contacts": build_grid_contacts}


def _build_stars(s: Session, unit_id: int, year: int | None = None, on: date | None = None) -> NoticeDraft:
    from ..stars.notice import build_stars_notice

    return build_stars_notice(s, unit_id, year, on)


BUILDERS["stars"] = _build_stars


def _build_points(s: Session, unit_id: int, year: int | None = None, on: date | None = None) -> NoticeDraft:
    from ..points.notice import build_points_notice

    return build_points_notice(s, unit_id, year, on)


BUILDERS["points"] = _build_points


def _build_household_points(s: Session, unit_id: int, year: int | None = None, on: date | None = None) -> NoticeDraft:
    from ..points.household_notice import build_household_points_notice

    return build_household_points_notice(s, unit_id, year, on)


BUILDERS["household-points"] = _build_household_points


def _build_dues(s: Session, unit_id: int, year: int | None = None, on: date | None = None) -> NoticeDraft:
    from ..partywork.dues_outputs import build_dues_notice

    return build_dues_notice(s, unit_id, year, on)


BUILDERS["dues"] = _build_dues


YEARLY_KINDS = ("points", "household-points", "stars")  # a year's ranking or round, posted after it ends


def default_notice_year(kind: str, today: date | None = None) -> int:
    """The 年度 a new notice of this kind is for: this year; in January last year's for the yearly
    rankings (the year-end 评定 and 星级 rounds are posted after the year has turned)."""
    today = today or date.today()
    return today.year - 1 if today.month == 1 and kind in YEARLY_KINDS else today.year


def build_notice(s: Session, unit_id: int, kind: str, year: int | None = None, on: date | None = None) -> NoticeDraft:
    if kind not in BUILDERS:
        raise ServiceError(f"不能自动生成“{KIND_LABELS.get(kind, kind)}”")
    return BUILDERS[kind](s, unit_id, year, on)


# ---------------------------------------------------------------- publishing


def _document(notice: Notice, draft_rows: list[list[object]], meta: dict[str, Any]) -> NoticeDocument:
    assert notice.period_start and notice.period_end and notice.issued_on
    return NoticeDocument(
        title=notice.title, body=notice.body, columns=[NoticeColumn.from_json(c) for c in notice.columns],
        rows=draft_rows, period_start=notice.period_start, period_end=notice.period_end, issuer=notice.issuer,
        issued_on=notice.issued_on, number=notice_number(notice.id, notice.issued_on),
        contact_person=meta.get("contact_person", ""), contact_phone=meta.get("contact_phone", ""),
        objection_box=meta.get("objection_box", ""), objection_to=meta.get("objection_to", "") or notice.issuer,
        objection_text=meta.get("objection_text", ""), paper=notice.paper,
        group_counter=meta.get("group_counter", "人"), code_version=int(meta.get(CODE_VERSION_KEY, 1)),
        dense=bool(meta.get("dense", False)),
        period_workdays=periods.archived_period(notice.period_start, notice.period_end, meta).workday_count,
    )


def archived_document(notice: Notice) -> NoticeDocument:
    """The notice as it was printed, from the archive (its frozen, masked rows and its meta)."""
    return _document(notice, list(notice.rows), _meta(notice))


def publish_draft(
    s: Session, unit_id: int, draft: NoticeDraft, out_path: Path, paper: str = "A4", start: date | None = None,
    days: int | None = None, workdays: bool | None = None, issued_on: date | None = None,
) -> NoticeInfo:
    """Render the draft to out_path and archive it (Notice row + 操作日志 entry with the file's path)."""
    access.require_role(s, *access.ENTRY_ROLES, action="发布公示")  # the 书记 or 文书 posts notices
    p = Problems()
    if paper not in PAPERS:
        p.add("paper", "纸张", f"只能是 {'、'.join(PAPERS)}")
    if draft.kind not in NOTICE_KINDS:
        p.add("kind", "公示类别", f"“{draft.kind}”不是可选项")
    p.raise_if_any()
    unit = get_unit(s, unit_id)
    issued_on = issued_on or date.today()
    period = periods.notice_period(s, unit_id, draft.kind, start or issued_on, days, workdays)
    start, end = period.start, period.end
    meta = {periods.META_KEY: period.to_meta(),
        "contact_person": unit.contact_person, "contact_phone": unit.contact_phone,
        "objection_box": unit.objection_box, "objection_to": draft.objection_to,
        "objection_text": draft.objection_text, "group_counter": draft.group_counter,
        CODE_VERSION_KEY: CODE_VERSION, "dense": draft.dense,
    }
    notice = Notice(
        unit_id=unit_id, kind=draft.kind, year=draft.year, title=draft.title, body=draft.body,
        columns=[c.to_json() for c in draft.columns], rows=[], period_start=start, period_end=end,
        issuer=draft.issuer, issued_on=issued_on, paper=paper, source_ref=draft.source_ref,
        operator_id=audit.current_operator_id.get(), meta=meta,
    )
    s.add(notice)
    s.flush()
    out_path = Path(out_path).resolve()
    rendered = render_notice(_document(notice, draft.rows, meta), out_path)
    notice.rows = rendered.rows
    notice.pdf_sha256 = rendered.sha256
    notice.meta = {**meta, CODE_KEY: rendered.content_code}
    notice.file_path = str(out_path)
    s.flush()
    number = notice_number(notice.id, issued_on)
    audit.record(
        s, unit_id, "publish", "notice", notice.id, f"发布公示 {number}：{draft.title}",
        {"path": str(out_path), "sha256": rendered.sha256, "pages": rendered.pages, "number": number,
         "content_code": rendered.content_code},
    )
    return NoticeInfo(
        id=notice.id, number=number, kind=draft.kind, title=draft.title, path=out_path, sha256=rendered.sha256,
        content_code=rendered.content_code, pages=rendered.pages, rows=len(rendered.rows), period_start=start,
        period_end=end, issued_on=issued_on, period_text=period.sentence(),
    )


def publish_notice(
    s: Session, unit_id: int, kind: str, out_path: Path, paper: str = "A4", start: date | None = None,
    days: int | None = None, workdays: bool | None = None, year: int | None = None, issued_on: date | None = None,
) -> NoticeInfo:
    """Build the notice of this kind from the data, render it to out_path and archive it."""
    on = start or issued_on or date.today()
    draft = build_notice(s, unit_id, kind, year, on)
    return publish_draft(s, unit_id, draft, out_path, paper, start, days, workdays, issued_on)


REPRINTS = "reprint_sha256"  # meta key: sha256 of reprints whose bytes differ from the first file


def reprint_notice(s: Session, notice_id: int, out_path: Path) -> RenderedNotice:
    """Render an archived notice again from its frozen rows (same fonts → the same bytes)."""
    notice = _get_notice(s, notice_id)
    rendered = render_notice(_document(notice, notice.rows, _meta(notice)), Path(out_path))
    if rendered.sha256 != notice.pdf_sha256 and rendered.sha256 not in _meta(notice).get(REPRINTS, []):
        # a newer program draws the same rows with other bytes (a renderer change): remember this
        # genuine file, or 核验文件 would call the reprint tampered
        meta = dict(_meta(notice))
        meta[REPRINTS] = [*meta.get(REPRINTS, []), rendered.sha256]
        notice.meta = meta
    # the reprint is the notice's file from now on: opening or printing it again asks nothing
    notice.file_path = str(Path(out_path).resolve())
    s.flush()
    audit.record(s, notice.unit_id, "reprint", "notice", notice.id, f"重新生成公示文件：{notice.title}",
                 {"path": str(Path(out_path).resolve()), "sha256": rendered.sha256})
    return rendered


# ---------------------------------------------------------------- listing


def _meta(notice: Notice) -> dict[str, Any]:
    return notice.meta if isinstance(notice.meta, dict) else {}


def _get_notice(s: Session, notice_id: int) -> Notice:
    notice = s.get(Notice, notice_id)
    if notice is None:
        raise NotFound("找不到该公示")
    return notice


def notice_status(notice: Notice, today: date) -> str:
    if notice.withdrawn_on is not None:
        return STATUS_WITHDRAWN
    if notice.period_start is not None and today < notice.period_start:
        return STATUS_PENDING
    if notice.period_end is not None and today > notice.period_end:
        return STATUS_ENDED
    return STATUS_OPEN


def _rows(s: Session, notices: list[Notice], today: date) -> list[NoticeRow]:
    ids = [n.id for n in notices]
    counts: dict[int, tuple[int, int]] = {}
    if ids:
        for nid, total, unresolved in s.execute(
            select(Objection.notice_id, func.count(Objection.id),
                   func.count(Objection.id).filter(Objection.resolved_on.is_(None)))
            .where(Objection.notice_id.in_(ids)).group_by(Objection.notice_id)
        ):
            counts[nid] = (total, unresolved)
    out = []
    for n in notices:
        total, unresolved = counts.get(n.id, (0, 0))
        out.append(NoticeRow(
            id=n.id, number=notice_number(n.id, n.issued_on or n.created_at.date()), kind=n.kind,
            kind_label=KIND_LABELS.get(n.kind, n.kind), title=n.title, year=n.year, period_start=n.period_start,
            period_end=n.period_end, issued_on=n.issued_on, status=notice_status(n, today), objections=total,
            open_objections=unresolved, paper=n.paper, path=Path(n.file_path) if n.file_path else None,
        ))
    return out


NOTICE_FILTERS = {"open": "公示期内", "objections": "有未处理异议"}  # the 公示 page's filter, the 工作台's lines


def notice_filter(state: str, today: date) -> ColumnElement[bool]:
    """The condition of a NOTICE_FILTERS key: the 工作台 counts with it and the 公示 page lists with it."""
    if state == "open":  # STATUS_OPEN of notice_status
        return (Notice.withdrawn_on.is_(None) & or_(Notice.period_start.is_(None), Notice.period_start <= today)
                & or_(Notice.period_end.is_(None), Notice.period_end >= today))
    if state == "objections":
        return Notice.objections.any(Objection.resolved_on.is_(None))
    raise ServiceError(f"未知的公示筛选：{state}")


def list_notices(s: Session, unit_id: int, today: date | None = None, kind: str | None = None,
                 state: str | None = None) -> list[NoticeRow]:
    """The unit's archived notices, newest first, with status relative to `today`; `state` a NOTICE_FILTERS key."""
    today = today or date.today()
    stmt = select(Notice).where(Notice.unit_id == unit_id).order_by(Notice.issued_on.desc(), Notice.id.desc())
    if kind:
        stmt = stmt.where(Notice.kind == kind)
    if state:
        stmt = stmt.where(notice_filter(state, today))
    return _rows(s, list(s.scalars(stmt)), today)


def get_notice(s: Session, notice_id: int, today: date | None = None) -> NoticeRow:
    return _rows(s, [_get_notice(s, notice_id)], today or date.today())[0]


def notice_table(s: Session, notice_id: int) -> tuple[list[dict[str, str]], list[list[str]]]:
    """The frozen (masked) columns and rows, as printed."""
    n = _get_notice(s, notice_id)
    return list(n.columns), [list(r) for r in n.rows]


def withdraw_notice(s: Session, notice_id: int, on: date, reason: str) -> None:
    access.require_role(s, *access.ENTRY_ROLES, action="撤回公示")
    n = _get_notice(s, notice_id)
    p = Problems()
    if n.withdrawn_on is not None:
        p.add("withdrawn_on", "撤回日期", f"该公示已于 {n.withdrawn_on.isoformat()} 撤回")
    reason = p.text("withdraw_reason", "撤回原因", reason, required=True)
    p.raise_if_any()
    n.withdrawn_on, n.withdraw_reason = on, reason
    s.flush()
    audit.record(s, n.unit_id, "close", "notice", n.id, f"撤回公示：{n.title}（{reason}）")


# ---------------------------------------------------------------- objections


def add_objection(
    s: Session, notice_id: int, received_on: date, raised_by: str, content: str, subject: str = ""
) -> int:
    """Log an 异议 raised against a notice (raised_by may be empty: anonymous)."""
    n = _get_notice(s, notice_id)
    p = Problems()
    if received_on is None:
        p.add("received_on", "收到日期", "请填写收到日期")
    elif n.issued_on is not None and received_on < n.issued_on:
        p.add("received_on", "收到日期", f"早于公示发布日期（{n.issued_on.isoformat()}）")
    elif received_on > date.today():
        p.add("received_on", "收到日期", "日期晚于今天")
    raised_by = p.text("raised_by", "反映人", raised_by, max_len=40)
    subject = p.text("subject", "涉及对象", subject, max_len=100)
    content = p.text("content", "异议内容", content, required=True)
    p.raise_if_any()
    row = Objection(notice_id=notice_id, received_on=received_on, raised_by=raised_by, subject=subject,
                    content=content)
    s.add(row)
    s.flush()
    audit.record(s, n.unit_id, "create", "objection", row.id, f"登记异议：{n.title}（{raised_by or '匿名'}）")
    return row.id


def resolve_objection(s: Session, objection_id: int, resolution: str, resolved_on: date) -> None:
    row = s.get(Objection, objection_id)
    if row is None:
        raise NotFound("找不到该异议记录")
    p = Problems()
    resolution = p.text("resolution", "处理情况", resolution, required=True)
    if resolved_on is None:
        p.add("resolved_on", "处理日期", "请填写处理日期")
    elif resolved_on < row.received_on:
        p.add("resolved_on", "处理日期", f"不能早于收到日期（{row.received_on.isoformat()}）")
    p.raise_if_any()
    row.resolution, row.resolved_on = resolution, resolved_on
    s.flush()
    audit.record(s, row.notice.unit_id, "update", "objection", row.id, f"处理异议：{row.notice.title}")


def list_objections(s: Session, notice_id: int) -> list[ObjectionRow]:
    stmt = select(Objection).where(Objection.notice_id == notice_id).order_by(Objection.received_on, Objection.id)
    return [ObjectionRow(o.id, o.notice_id, o.received_on, o.raised_by, o.subject, o.content, o.resolution,
                         o.resolved_on) for o in s.scalars(stmt)]
