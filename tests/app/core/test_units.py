"""本村信息: 村委会电话 beside the 公示 contact's number, and who may change them."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from app.db import Database
from app.services import units
from app.services.context import AppContext
from app.services.errors import PermissionDenied, ValidationError
from app.services.safety import auth
from app.services.setup import founding


def test_committee_phone_is_checked_and_kept(session: Session) -> None:
    vid = founding.create_unit(session, "东坟村", "城关街道", "房山区", committee_phone="010 6234 5678")
    assert units.get_unit(session, vid).committee_phone == "010-62345678"
    with pytest.raises(ValidationError) as e:
        units.update_unit(session, vid, committee_phone="6234567")
    assert e.value.for_field("committee_phone") == ["固定电话请加区号，如 010-62345678 或 0351-1234567"]
    units.update_unit(session, vid, contact_person="李会计", contact_phone="13812345678", committee_phone="",
                      objection_box="村委会门口", notice_days=7, notice_workdays=True)
    info = units.get_unit(session, vid)
    assert (info.contact_phone, info.committee_phone, info.objection_box, info.notice_days, info.notice_workdays) == (
        "13812345678", "", "村委会门口", 7, True)


def test_the_two_numbers_must_differ(session: Session) -> None:
    with pytest.raises(ValidationError) as e:
        founding.create_unit(session, "东坟村", contact_phone="13812345678", committee_phone="138-1234-5678")
    assert [p.field for p in e.value.problems] == ["committee_phone"]
    vid = founding.create_unit(session, "东坟村", contact_phone="13812345678")
    with pytest.raises(ValidationError) as e:  # compared with the stored 公示联系电话
        units.update_unit(session, vid, committee_phone="13812345678")
    assert "与公示联系电话相同" in e.value.for_field("committee_phone")[0]


def test_only_the_secretary_changes_the_village(db: Database) -> None:
    ctx = AppContext(db)
    vid = ctx.call(founding.create_unit, "东坟村")
    clerk = ctx.call(auth.create_operator, vid, "wenshu", "王文书", "clerk", "clerk-pass")
    ctx.operator_id = clerk
    with pytest.raises(PermissionDenied, match="无权修改本村设置"):
        ctx.call(units.update_unit, vid, name="西坟村")
    ctx.operator_id = ctx.call(auth.ensure_admin, vid)
    ctx.call(units.update_unit, vid, name="西坟村")
    assert [u.name for u in ctx.call(units.list_units)] == ["西坟村"]
