"""星级文明户 rounds: step order, review, 公示 and objections, decision and freezing, 加星/减星, statistics."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Notice, Operator, StarChange, StarRoundStep
from app.services import audit
from app.services.errors import PermissionDenied, ServiceError, ValidationError
from app.services.stars import applications
from app.services.stars import changes as star_changes
from app.services.stars import publicity as star_publicity
from app.services.stars import rounds as stars
from app.services.stars import stats as star_stats
from app.services.stars.applications import ItemReview

from .star_fixtures import PAST, TODAY, approve_all, make_village, round_in_publicity


@pytest.fixture
def village(session: Session, unit_id: int):  # type: ignore[no-untyped-def]
    return make_village(session, unit_id)


def test_steps_go_in_order_and_cannot_be_skipped(session: Session, village, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    s, v = session, village
    rid = stars.create_round(s, v.unit_id, TODAY.year)
    assert stars.get_round(s, rid).step == "mobilize"
    with pytest.raises(ServiceError, match="动员部署"):  # no applications before 农户申报
        applications.add_application(s, rid, v.households[0], v.categories[:2])
    with pytest.raises(ServiceError, match="不能生成公示"):
        star_publicity.publicize_round(s, rid, tmp_path / "x.pdf")
    stars.advance_round(s, rid)
    with pytest.raises(ServiceError, match="还没有任何农户申报"):
        stars.advance_round(s, rid)
    assert stars.get_round(s, rid).step == "apply"
    a = applications.add_application(s, rid, v.households[0], v.categories[:3], "推荐", recommender="邻居王某")
    with pytest.raises(ServiceError, match="农户申报"):
        applications.review_application(s, a, [ItemReview(v.categories[0], "approved", "道德评议会")])
    stars.advance_round(s, rid)
    with pytest.raises(ServiceError, match="还有申报未审核完"):
        star_publicity.publicize_round(s, rid, tmp_path / "x.pdf")
    with pytest.raises(ServiceError, match="两委会确定结果"):
        star_publicity.decide_round(s, rid, TODAY)
    assert not (tmp_path / "x.pdf").exists()
    steps = [st.step for st in stars.get_round(s, rid).steps]
    assert steps == ["mobilize", "apply", "review"]


def test_application_checks_name_every_problem(session: Session, village) -> None:  # type: ignore[no-untyped-def]
    s, v = session, village
    rid = stars.create_round(s, v.unit_id, TODAY.year)
    stars.advance_round(s, rid)
    with pytest.raises(ValidationError) as e:
        applications.add_application(s, rid, None, [], "推荐", "")
    fields = {p.field for p in e.value.problems}
    assert fields == {"household_id", "categories", "recommender"}
    applications.add_application(s, rid, v.households[0], v.categories[:1])
    with pytest.raises(ValidationError, match="已经申报过"):
        applications.add_application(s, rid, v.households[0], v.categories[:1])


def test_review_per_star_sets_the_level(session: Session, village) -> None:  # type: ignore[no-untyped-def]
    s, v = session, village
    rid = stars.create_round(s, v.unit_id, TODAY.year)
    stars.advance_round(s, rid)
    a = applications.add_application(s, rid, v.households[1], v.categories[:4])
    stars.advance_round(s, rid)
    with pytest.raises(ValidationError) as e:  # a rejection needs an opinion, every decision a body
        applications.review_application(s, a, [ItemReview(v.categories[0], "rejected", "道德评议会", ""),
                                        ItemReview(v.categories[1], "approved", None)])
    assert {p.field for p in e.value.problems} == {f"opinion_{v.categories[0]}", f"body_{v.categories[1]}"}
    assert applications.get_application(s, a).pending == 4  # nothing half-written
    approve_all(s, a, reject={v.categories[3]})
    row = applications.get_application(s, a)
    assert (row.approved, row.pending, row.status) == (3, 0, "三星级")
    assert row.item_for(v.categories[3]).opinion == "事迹不足"  # type: ignore[union-attr]


def test_objection_blocks_the_decision_until_resolved(session: Session, village, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    s, v = session, village
    rid, apps = round_in_publicity(s, v, tmp_path)
    info = stars.get_round(s, rid)
    assert info.step == "publicize" and info.notice_id is not None
    assert info.notice_end == PAST + timedelta(days=4)
    oid = star_publicity.add_round_objection(s, rid, PAST + timedelta(days=1), "", "该户不孝敬老人", v.heads[1])
    with pytest.raises(ValidationError, match="异议没有处理"):
        star_publicity.decide_round(s, rid, TODAY)
    with pytest.raises(ValidationError, match="公示期满之后"):  # and not inside the 公示期
        star_publicity.decide_round(s, rid, PAST + timedelta(days=2))
    with pytest.raises(ValidationError):
        star_publicity.dismiss_objection(s, rid, oid, "  ")
    star_publicity.dismiss_objection(s, rid, oid, "经走访核实不属实", PAST + timedelta(days=2))
    assert star_publicity.list_round_objections(s, rid)[0].outcome == stars.DISMISSED
    star_publicity.decide_round(s, rid, TODAY, filed_on=TODAY)
    info = stars.get_round(s, rid)
    assert (info.step, info.meeting_on, info.filed_on, info.frozen) == ("filed", TODAY, TODAY, True)


def test_upheld_objection_changes_the_application_and_needs_a_corrected_notice(
    session: Session, village, tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    s, v = session, village
    rid, apps = round_in_publicity(s, v, tmp_path)
    oid = star_publicity.add_round_objection(s, rid, PAST + timedelta(days=1), "村民甲", "孝老爱亲星不属实", v.heads[0])
    with pytest.raises(ValidationError, match="修改该户的审核结果"):  # upheld without a change: say dismissed
        star_publicity.uphold_objection(s, rid, oid, apps[0], [], "属实")
    reviews = [ItemReview(c, "rejected" if c == v.categories[1] else "approved", "村民议事会",
                          "经核实不属实" if c == v.categories[1] else "同意") for c in v.categories]
    star_publicity.uphold_objection(s, rid, oid, apps[0], reviews, "经村民议事会核实属实", PAST + timedelta(days=3))
    assert applications.get_application(s, apps[0]).approved == 4
    info = stars.get_round(s, rid)
    assert info.needs_correction and info.open_objections == 0
    with pytest.raises(ValidationError, match="更正公示"):
        star_publicity.decide_round(s, rid, TODAY)
    corrected = star_publicity.publish_correction(s, rid, tmp_path / "c.pdf", start=TODAY - timedelta(days=8), days=5)
    old = s.scalars(select(Notice).where(Notice.source_ref == f"star_round:{rid}").order_by(Notice.id)).first()
    assert old is not None and old.withdrawn_on is not None and "更正" in old.withdraw_reason
    assert "（更正）" in corrected.title
    star_publicity.decide_round(s, rid, TODAY)
    assert applications.get_application(s, apps[0]).level == 4


def test_frozen_round_refuses_edits(session: Session, village, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    s, v = session, village
    rid, apps = round_in_publicity(s, v, tmp_path)
    star_publicity.decide_round(s, rid, TODAY)
    levels = [applications.get_application(s, a).level for a in apps]
    assert levels == [5, 4, 3, 2, 1, 0]
    attempts = [
        lambda: applications.add_application(s, rid, v.households[7], v.categories[:1]),
        lambda: applications.update_application(s, apps[0], v.categories[:1], "自报"),
        lambda: applications.withdraw_application(s, apps[1], "不想评了"),
        lambda: applications.review_application(s, apps[2], [ItemReview(v.categories[0], "rejected", "道德评议会", "x")]),
        lambda: star_publicity.add_round_objection(s, rid, TODAY, "", "迟到的异议"),
        lambda: star_publicity.publicize_round(s, rid, tmp_path / "again.pdf"),
    ]
    for attempt in attempts:
        with pytest.raises(ServiceError, match="锁定"):
            attempt()
    assert [applications.get_application(s, a).level for a in apps] == levels


def test_reopen_only_by_admin_with_a_reason(session: Session, village, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    s, v = session, village
    rid, _apps = round_in_publicity(s, v, tmp_path)
    star_publicity.decide_round(s, rid, TODAY)
    clerk = Operator(unit_id=v.unit_id, username="ws", display_name="王文书", role="clerk")
    admin = Operator(unit_id=v.unit_id, username="sj", display_name="李书记", role="admin")
    s.add_all([clerk, admin])
    s.flush()
    token = audit.current_operator_id.set(clerk.id)
    try:
        with pytest.raises(PermissionDenied, match="书记"):
            stars.reopen_round(s, rid, "review", "名单有误")
    finally:
        audit.current_operator_id.reset(token)
    token = audit.current_operator_id.set(admin.id)
    try:
        with pytest.raises(ValidationError, match="原因"):
            stars.reopen_round(s, rid, "review", " ")
        stars.reopen_round(s, rid, "review", "镇党委要求复核一户")
    finally:
        audit.current_operator_id.reset(token)
    info = stars.get_round(s, rid)
    assert info.step == "review" and info.notice_id is None and info.meeting_on is None
    last = s.scalars(select(StarRoundStep).where(StarRoundStep.round_id == rid).order_by(StarRoundStep.id.desc())).first()
    assert last is not None and last.reopened and last.note == "镇党委要求复核一户" and last.operator_id == admin.id
    assert all(n.withdrawn_on is not None for n in stars.round_notices(s, rid, include_withdrawn=True))


def test_add_and_remove_stars_append_only_with_history(session: Session, village, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    s, v = session, village
    rid, _apps = round_in_publicity(s, v, tmp_path)
    h = v.households[2]  # three stars: categories 0, 1, 2
    with pytest.raises(ServiceError, match="两委会确定"):
        star_changes.change_star(s, h, v.categories[3], 1, "提前加星")
    star_publicity.decide_round(s, rid, TODAY)
    assert star_changes.current_stars(s, h).level == 3
    added = star_changes.change_star(s, h, v.categories[3], 1, "参加志愿服务，两委会同意", TODAY)
    with pytest.raises(ServiceError, match="已经有"):
        star_changes.change_star(s, h, v.categories[3], 1, "再加一次")
    removed = star_changes.change_star(s, h, v.categories[0], -1, "邻里纠纷，两委会研究减星", TODAY)
    with pytest.raises(ServiceError, match="没有"):
        star_changes.change_star(s, h, v.categories[0], -1, "再减一次")
    now = star_changes.current_stars(s, h)
    assert now.level == 3 and set(now.category_ids) == {v.categories[1], v.categories[2], v.categories[3]}
    star_changes.correct_change(s, removed, "减星有误，经复核撤销", TODAY)
    assert star_changes.current_stars(s, h).level == 4
    with pytest.raises(ValidationError, match="已经更正过"):
        star_changes.correct_change(s, removed, "再更正")
    history = star_changes.household_history(s, h)
    kinds = [r.kind for r in history]
    assert kinds[:2] == ["申报", "审核"] and "评定" in kinds
    assert kinds[-3:] == ["加星", "减星", "更正"]
    assert [r.corrected for r in history if r.change_id == removed] == [True]
    assert history[-1].detail.endswith(f"（更正第 {removed} 号记录）")
    row = s.get(StarChange, added)
    assert row is not None
    row.reason = "改写"
    with pytest.raises(ServiceError, match="只能追加"):
        s.flush()
    s.rollback()


def test_statistics_per_level_share_participation(session: Session, village, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    s, v = session, village
    rid, _apps = round_in_publicity(s, v, tmp_path)  # 8 households, 6 applied, levels 5,4,3,2,1,0
    st = star_stats.round_statistics(s, rid)
    assert st.level_counts() == [("五星级", 1), ("四星级", 1), ("三星级", 1), ("二星级", 1), ("一星级", 1)]
    assert (st.total.households, st.total.applied, st.total.starred) == (8, 6, 5)
    assert (st.total.share, st.total.participation) == (62.5, 75.0)
    assert [(g.name, g.households, g.starred) for g in st.grids] == [("第一网格", 4, 3), ("第二网格", 4, 2)]
    assert [g.name for g in st.party_groups] == ["未联系党小组"]


def test_notice_lists_every_approved_household_and_the_period(session: Session, village, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    s, v = session, village
    rid, _apps = round_in_publicity(s, v, tmp_path)
    text = "".join("".join(p.extract_text().split()) for p in PdfReader(tmp_path / "notice.pdf").pages)
    assert f"关于{TODAY.year}年度星级文明户评选结果的公示" in text
    for name in v.heads[:5]:  # the five households with stars
        assert name in text
    assert v.heads[5] not in text  # applied, no star approved
    end = PAST + timedelta(days=4)
    assert f"{PAST.year}年{PAST.month}月{PAST.day}日" in text and f"{end.year}年{end.month}月{end.day}日" in text
    assert "五星级" in text and "一星级" in text
    notice = s.get(Notice, stars.get_round(s, rid).notice_id)
    assert notice is not None and notice.kind == "stars" and len(notice.rows) == 5
