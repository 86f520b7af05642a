"""星级文明户 star categories as data: rename, criteria, 停用, order, uniqueness, who may change them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AuditEntry
from app.services import audit
from app.services.errors import PermissionDenied, ServiceError, ValidationError
from app.services.safety import auth
from app.services.stars import applications
from app.services.stars import categories as star_categories
from app.services.stars import ledgers as star_ledgers
from app.services.stars import publicity as star_publicity
from app.services.stars import rounds as stars

from .star_fixtures import PAST, TODAY, make_village, round_in_publicity


@pytest.fixture
def village(session: Session, unit_id: int):  # type: ignore[no-untyped-def]
    return make_village(session, unit_id)


@contextmanager
def as_operator(operator_id: int) -> Iterator[None]:
    token = audit.current_operator_id.set(operator_id)
    try:
        yield
    finally:
        audit.current_operator_id.reset(token)


def names(s: Session, unit_id: int, include_inactive: bool = False) -> list[str]:
    return [c.name for c in star_categories.list_categories(s, unit_id, include_inactive)]


def test_stars_module_still_exports_the_category_functions() -> None:
    assert stars.save_category is star_categories.save_category
    assert stars.list_categories is star_categories.list_categories
    assert stars.CategoryInfo is star_categories.CategoryInfo


def test_rename_and_criteria_keep_the_history(session: Session, village) -> None:  # type: ignore[no-untyped-def]
    uid, cid = village.unit_id, village.categories[0]
    rid = stars.create_round(session, uid, TODAY.year, started_on=PAST - timedelta(days=5))
    stars.advance_round(session, rid, PAST)
    aid = applications.add_application(session, rid, village.households[0], [cid], applied_on=PAST)

    stars.save_category(session, uid, "勤劳致富星", "靠双手致富，带动乡邻。", cid)
    info = next(c for c in star_categories.list_categories(session, uid) if c.id == cid)
    assert (info.name, info.criteria) == ("勤劳致富星", "靠双手致富，带动乡邻。")
    assert [i.category for i in applications.get_application(session, aid).items] == ["勤劳致富星"]
    entry = session.scalars(select(AuditEntry).where(AuditEntry.entity == "star_category", AuditEntry.entity_id == cid)
                            .order_by(AuditEntry.id.desc())).first()
    assert entry is not None and "勤劳敬业星 → 勤劳致富星" in entry.summary
    assert entry.detail["changes"]["name"] == {"from": "勤劳敬业星", "to": "勤劳致富星"}  # type: ignore[index]


def test_name_unique_per_village_with_a_chinese_message(session: Session, village) -> None:  # type: ignore[no-untyped-def]
    uid = village.unit_id
    with pytest.raises(ValidationError) as e:
        stars.save_category(session, uid, "孝老爱亲星", "重复", village.categories[0])
    assert "已有名为“孝老爱亲星”的星类" in str(e.value)
    with pytest.raises(ValidationError, match="请填写星类名称"):
        stars.save_category(session, uid, "  ")
    # a stopped category still holds its name
    star_categories.set_category_active(session, uid, village.categories[4], False)
    with pytest.raises(ValidationError, match="停用的也算"):
        stars.save_category(session, uid, "文化教育星")


def test_stopped_category_is_off_new_applications_but_old_ones_stay_readable(
    session: Session, village, tmp_path  # type: ignore[no-untyped-def]
) -> None:
    uid, cats = village.unit_id, village.categories
    old_round, apps = round_in_publicity(session, village, tmp_path)
    star_publicity.decide_round(session, old_round, TODAY)  # decided: its stars may be stopped now
    star_categories.set_category_active(session, uid, cats[4], False)
    assert "文化教育星" not in names(session, uid)
    assert "文化教育星" in names(session, uid, include_inactive=True)
    # the household that claimed five stars still shows all five
    assert "文化教育星" in [i.category for i in applications.get_application(session, apps[0]).items]
    assert "文化教育星" in [c.name for c in star_ledgers.list_categories(session, uid, include_inactive=True)]

    new_round = stars.create_round(session, uid, TODAY.year + 1, started_on=TODAY)
    stars.advance_round(session, new_round, TODAY)
    with pytest.raises(ValidationError, match="不存在或已停用"):
        applications.add_application(session, new_round, village.households[6], [cats[4]], applied_on=TODAY)
    applications.add_application(session, new_round, village.households[6], [cats[0]], applied_on=TODAY)

    star_categories.set_category_active(session, uid, cats[4], True)  # and back
    assert "文化教育星" in names(session, uid)


def test_a_star_claimed_in_a_round_under_way_cannot_be_stopped(session: Session, village) -> None:  # type: ignore[no-untyped-def]
    uid, cats = village.unit_id, village.categories
    rid = stars.create_round(session, uid, TODAY.year, started_on=TODAY)
    stars.advance_round(session, rid, TODAY)
    applications.add_application(session, rid, village.households[0], [cats[1]], applied_on=TODAY)
    with pytest.raises(ServiceError, match="正在进行的评选批次中有 1 户申报了“孝老爱亲星”"):
        star_categories.set_category_active(session, uid, cats[1], False)
    with pytest.raises(ServiceError, match="请等两委会确定后再停用"):
        stars.save_category(session, uid, "孝老爱亲星", "", cats[1], active=False)
    star_categories.set_category_active(session, uid, cats[2], False)  # nobody claims this one


def test_add_and_reorder(session: Session, village) -> None:  # type: ignore[no-untyped-def]
    uid = village.unit_id
    new_id = stars.save_category(session, uid, "平安法治星", "遵纪守法，无违法犯罪。")
    assert names(session, uid)[-1] == "平安法治星"
    assert star_categories.move_category(session, uid, new_id, -1)
    assert names(session, uid)[-2:] == ["平安法治星", "文化教育星"]
    assert star_categories.move_category(session, uid, village.categories[0], -1) is False  # already first
    assert star_categories.move_category(session, uid, new_id, -10)
    assert names(session, uid)[0] == "平安法治星"
    entry = session.scalars(select(AuditEntry).where(AuditEntry.entity == "star_category")
                            .order_by(AuditEntry.id.desc())).first()
    assert entry is not None and entry.summary == "调整星类顺序：平安法治星"


def test_only_the_secretary_changes_categories(session: Session, village) -> None:  # type: ignore[no-untyped-def]
    uid, cid = village.unit_id, village.categories[0]
    admin = auth.ensure_admin(session, uid)
    clerk = auth.create_operator(session, uid, "wenshu", "王文书", "clerk", "clerk-pass")
    with as_operator(clerk):
        assert names(session, uid)  # reading is for everyone
        for call in (lambda: stars.save_category(session, uid, "新星"),
                     lambda: star_categories.set_category_active(session, uid, cid, False),
                     lambda: star_categories.move_category(session, uid, cid, 1)):
            with pytest.raises(PermissionDenied) as e:
                call()
            assert "王文书（文书）无权修改星类" in str(e.value) and "只有书记(管理员)可以办理" in str(e.value)
    with as_operator(admin):
        stars.save_category(session, uid, "新星", "标准")
    entry = session.scalars(select(AuditEntry).where(AuditEntry.entity == "star_category")
                            .order_by(AuditEntry.id.desc())).first()
    assert entry is not None and entry.operator_id == admin and entry.summary == "新增星类：新星"


def test_first_category_added_on_a_new_village_keeps_the_defaults(session: Session, unit_id: int) -> None:
    stars.save_category(session, unit_id, "十星级之平安星", "平安建设")
    assert names(session, unit_id) == ["勤劳敬业星", "孝老爱亲星", "团结友善星", "志愿服务星", "文化教育星",
                                       "十星级之平安星"]
