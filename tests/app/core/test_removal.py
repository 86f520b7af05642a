"""Deleting a mistake: only a record entered today that nothing refers to; the message names what refers to it."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AuditEntry, Household, Resident
from app.services import removal
from app.services.errors import ServiceError
from app.services.people import households
from app.services.people import residents as people
from app.services.people.households import HouseholdInput
from app.services.people.residents import ResidentInput
from app.services.setup import founding


@pytest.fixture
def village(session: Session) -> int:
    return founding.create_unit(session, "东坟村", "城关街道", "房山区")


def _household(s: Session, vid: int, number: str) -> Household:
    hid = households.add_household(s, vid, HouseholdInput(number=number, address="东坟村1号"))
    return s.get(Household, hid)  # type: ignore[return-value]


def test_a_fresh_unreferenced_record_is_deleted_and_logged(session: Session, village: int) -> None:
    h = _household(session, village, "H001")
    households.set_household_tags(session, h.id, ["低保"])  # its own tag links go with it
    removal.delete_if_fresh(session, h, village, "household", "户 H001", "请用“销户”。")
    assert session.get(Household, h.id) is None
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "delete")).one()
    assert entry.summary == "删除误录的户 H001" and entry.detail["deleted"]["number"] == "H001"


def test_a_referenced_record_is_refused_naming_what_refers(session: Session, village: int) -> None:
    h = _household(session, village, "H002")
    people.add_resident(session, village, ResidentInput(name="张三", gender="男", household_id=h.id, relation="户主"))
    with pytest.raises(ServiceError, match="户 H002已被 1 条居民引用，不能删除。请用“销户”。"):
        removal.delete_if_fresh(session, h, village, "household", "户 H002", "请用“销户”。")
    assert session.get(Household, h.id) is not None


def test_an_old_record_is_refused(session: Session, village: int) -> None:
    h = _household(session, village, "H003")
    h.created_at = datetime.now() - timedelta(days=2)
    session.flush()
    with pytest.raises(ServiceError, match="不是今天录入的"):
        removal.delete_if_fresh(session, h, village, "household", "户 H003", "请用“销户”。")
    assert removal.referrers(session, "households", h.id) == []
    assert date.today()  # the check above used the local date of created_at
    assert session.scalars(select(Resident)).all() == []
