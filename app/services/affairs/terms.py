"""届期 of the elected village bodies (村民委员会, 村务监督委员会, 村民代表) and the 换届 reminder.

A term is never deleted; a wrong one is corrected (audited). The newest term of a body is its current
one; it is due for 换届 from six months before its end, and stays due once ended until a new term is
entered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import BodyTerm
from app.models.affairs import TERM_BODIES, TERM_YEARS

from .. import access, audit
from ..errors import NotFound
from ..validation import Problems, add_years

# 村民委员会组织法 as revised on 2018-12-29: five years a term (three before).
FIVE_YEAR_TERMS_FROM = date(2018, 12, 29)
OLD_TERM_YEARS = 3
REMIND_MONTHS = 6  # 换届 is prepared from six months before a term ends
_FIELDS = ("body", "name", "starts_on", "ends_on", "note")


@dataclass(frozen=True)
class TermRow:
    id: int
    body: str
    name: str
    starts_on: date
    ends_on: date
    note: str
    state: str  # 届期内 / 即将届满 / 已届满 / 已换届

    @property
    def text(self) -> str:
        """第十二届（2021-04-18 至 2026-04-17）"""
        span = f"{self.starts_on.isoformat()} 至 {self.ends_on.isoformat()}"
        return f"{self.name}（{span}）" if self.name else span


def default_end(body: str, starts_on: date) -> date:
    """The last day of a term begun on `starts_on`: five years (three before the 2018 revision), less a day."""
    years = TERM_YEARS if starts_on >= FIVE_YEAR_TERMS_FROM else OLD_TERM_YEARS
    return add_years(starts_on, years) - timedelta(days=1)


def _months_later(d: date, months: int) -> date:
    """The same day `months` later; a day the month lacks becomes its last day (31 Aug + 6 → 28/29 Feb)."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    for day in (d.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _check(p: Problems, s: Session, unit_id: int, body: str | None, name: str, starts_on: date | None,
           ends_on: date | None, note: str, term_id: int | None = None) -> tuple[str, str, str]:
    body = p.choice("body", "班子", body, TERM_BODIES, required=True)
    name = p.text("name", "届次", name, max_len=40)
    note = p.text("note", "备注", note, max_len=200)
    if starts_on is None:
        p.add("starts_on", "开始日期", "请填写届期开始日期")
    elif ends_on is not None and ends_on <= starts_on:
        p.add("ends_on", "结束日期", f"应晚于开始日期（{starts_on.isoformat()}）")
    if body and starts_on is not None and not p.has("starts_on"):
        others = s.execute(select(BodyTerm).where(BodyTerm.unit_id == unit_id, BodyTerm.body == body,
                                                  BodyTerm.id != (term_id or 0))).scalars()
        end = ends_on or default_end(body, starts_on)
        for t in others:
            # an early or late 换届 may overlap the old term's nominal end; a term inside another is a double entry
            if t.starts_on == starts_on or (t.starts_on <= starts_on and end <= t.ends_on) or (
                    starts_on <= t.starts_on and t.ends_on <= end):
                label = t.name or "已有的届期"
                p.add("starts_on", "开始日期",
                      f"与{body}{label}（{t.starts_on.isoformat()} 至 {t.ends_on.isoformat()}）重复")
                break
    return body, name, note


def add_term(s: Session, unit_id: int, body: str | None, starts_on: date | None, ends_on: date | None = None,
             name: str = "", note: str = "") -> int:
    """A 届期 of a body; without an end date it runs five years (三年 for a term begun before 2018-12-29)."""
    access.require_role(s, *access.ENTRY_ROLES, action="登记届期")
    p = Problems()
    body, name, note = _check(p, s, unit_id, body, name, starts_on, ends_on, note)
    p.raise_if_any()
    assert starts_on is not None
    row = BodyTerm(unit_id=unit_id, body=body, name=name, starts_on=starts_on,
                   ends_on=ends_on or default_end(body, starts_on), note=note)
    s.add(row)
    s.flush()
    audit.record(s, unit_id, "create", "body_term", row.id,
                 f"{body}{name}届期 {row.starts_on.isoformat()} 至 {row.ends_on.isoformat()}")
    return row.id


def correct_term(s: Session, term_id: int, starts_on: date | None, ends_on: date | None, name: str = "",
                 note: str = "") -> None:
    """Correct a term's dates, 届次 or note (the body stays); the change is audited field by field."""
    access.require_role(s, *access.ENTRY_ROLES, action="更正届期")
    row = _get(s, term_id)
    p = Problems()
    _body, name, note = _check(p, s, row.unit_id, row.body, name, starts_on, ends_on, note, term_id)
    if ends_on is None:
        p.add("ends_on", "结束日期", "请填写届期结束日期")
    p.raise_if_any()
    before = audit.snapshot(row, _FIELDS)
    row.name, row.starts_on, row.note = name, starts_on, note  # type: ignore[assignment]
    row.ends_on = ends_on  # type: ignore[assignment]
    s.flush()
    audit.record_change(s, row.unit_id, "body_term", row.id, f"更正{row.body}{row.name}届期", before,
                        audit.snapshot(row, _FIELDS))


def _get(s: Session, term_id: int) -> BodyTerm:
    row = s.get(BodyTerm, term_id)
    if row is None:
        raise NotFound("找不到该届期")
    return row


def _state(t: BodyTerm, newest: bool, on: date) -> str:
    if not newest:
        return "已换届"
    if t.ends_on < on:
        return "已届满"
    if t.ends_on <= _months_later(on, REMIND_MONTHS):
        return "即将届满"
    return "届期内"


def list_terms(s: Session, unit_id: int, on: date | None = None) -> list[TermRow]:
    """Every term, by body and newest first, each with its state on `on` (default today)."""
    on = on or date.today()
    rows = s.scalars(select(BodyTerm).where(BodyTerm.unit_id == unit_id)
                     .order_by(BodyTerm.body, BodyTerm.starts_on.desc(), BodyTerm.id.desc())).all()
    rank = {b: i for i, b in enumerate(TERM_BODIES)}
    seen: set[str] = set()
    out = []
    for t in sorted(rows, key=lambda t: rank.get(t.body, 99)):
        out.append(TermRow(t.id, t.body, t.name, t.starts_on, t.ends_on, t.note, _state(t, t.body not in seen, on)))
        seen.add(t.body)
    return out


def due_terms(s: Session, unit_id: int, on: date | None = None) -> list[TermRow]:
    """Current terms ending within six months of `on` (the end day exactly six months on counts), and
    those already ended with no new term entered: the 换届 line of the 工作台."""
    return [t for t in list_terms(s, unit_id, on) if t.state in ("即将届满", "已届满")]


def _current_terms(s: Session, unit_id: int, on: date | None = None) -> dict[str, TermRow]:
    """The newest term of each body (None-free: a body without terms is absent)."""
    out: dict[str, TermRow] = {}
    for t in list_terms(s, unit_id, on):
        out.setdefault(t.body, t)
    return out


__all__ = ["REMIND_MONTHS", "TermRow", "add_term", "correct_term", "default_end", "due_terms",
           "list_terms"]
