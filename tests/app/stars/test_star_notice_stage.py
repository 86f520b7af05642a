"""星级文明户公示 worded by the round's state (拟评为 while posted, 评定结果 once decided / 报镇备案), one notice
of each stage per round unless the earlier one is withdrawn, one line a household (issue 19, point 7)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from app.models import Notice
from app.services.errors import ServiceError
from app.services.notices import archive as notices
from app.services.stars import publicity as star_publicity
from app.services.stars.notice import build_stars_notice, short_address, short_stars

from .star_fixtures import TODAY, make_village, round_in_publicity


def test_wording_follows_the_round_and_one_notice_per_stage(session: Session, unit_id: int, tmp_path: Path) -> None:
    v = make_village(session, unit_id)
    rid, _apps = round_in_publicity(session, v, tmp_path)
    posted = notices.list_notices(session, unit_id, kind="stars")
    assert len(posted) == 1
    assert "拟评为" in session.get(Notice, posted[0].id).body  # type: ignore[union-attr]
    # while it is posted, a second 张榜公示 is refused, naming the one that stands
    with pytest.raises(ServiceError, match=f"已发布张榜公示 {posted[0].number}"):
        build_stars_notice(session, unit_id, TODAY.year)

    star_publicity.decide_round(session, rid, TODAY)
    draft = build_stars_notice(session, unit_id, TODAY.year)
    assert draft.title == f"关于{TODAY.year}年度星级文明户评定结果的公示"
    assert "评定为星级文明户" in draft.body and "拟评为" not in draft.body and "报镇党委备案" not in draft.body
    star_publicity.file_round(session, rid, TODAY)
    assert "并报镇党委备案" in build_stars_notice(session, unit_id, TODAY.year).body

    first = notices.publish_notice(session, unit_id, "stars", tmp_path / "result.pdf", start=TODAY, days=5,
                                   year=TODAY.year)
    with pytest.raises(ServiceError, match=f"已发布评定结果公示 {first.number}.*请先.*撤回"):
        notices.publish_notice(session, unit_id, "stars", tmp_path / "again.pdf", start=TODAY, days=5,
                               year=TODAY.year)
    assert not (tmp_path / "again.pdf").exists()
    notices.withdraw_notice(session, first.id, TODAY, "改用A3纸张")
    again = notices.publish_notice(session, unit_id, "stars", tmp_path / "again.pdf", start=TODAY, days=5,
                                   year=TODAY.year, paper="A3")
    assert again.id != first.id
    # the 张榜公示 keeps its own place: the round's 公示期 and objections are still the posted notice's
    assert star_publicity.list_round_objections(session, rid) == []


def test_one_line_cells() -> None:
    every = {"勤劳敬业星", "孝老爱亲星", "团结友善星"}
    assert short_stars(["勤劳敬业星", "孝老爱亲星"], every) == "勤劳敬业、孝老爱亲"
    assert short_stars(sorted(every), every) == "全部星类"
    assert short_stars(["星"], {"星"}) == "星"  # one category: its name as it is
    assert short_address("东坟村一街16号", "东坟村") == "一街16号"
    assert short_address("东坟村", "东坟村") == "东坟村" and short_address("", "东坟村") == ""
