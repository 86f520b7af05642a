"""A demo 公示 archived without a file: the Notice row publish_draft leaves behind (frozen masked rows,
the period and the contact as printed), so the demo's 村务 notices are listed without rendering PDFs."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from app.io.notices import public_rows
from app.models import Notice

from ..services.audit import current_operator_id
from ..services.notices.archive import NoticeDraft
from ..services.notices.periods import META_KEY, notice_period
from ..services.units import get_unit


def archive_unprinted(s: Session, unit_id: int, draft: NoticeDraft, on: date) -> Notice:
    unit = get_unit(s, unit_id)
    period = notice_period(s, unit_id, draft.kind, on)
    n = Notice(unit_id=unit_id, kind=draft.kind, year=draft.year, title=draft.title, body=draft.body,
               columns=[c.to_json() for c in draft.columns], rows=public_rows(draft.columns, draft.rows),
               period_start=period.start, period_end=period.end, issuer=draft.issuer, issued_on=on, paper="A4",
               source_ref=draft.source_ref, operator_id=current_operator_id.get(),
               meta={META_KEY: period.to_meta(), "contact_person": unit.contact_person,
                     "contact_phone": unit.contact_phone, "objection_box": unit.objection_box,
                     "objection_to": draft.objection_to, "group_counter": draft.group_counter})
    s.add(n)
    s.flush()
    return n
