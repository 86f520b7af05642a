"""党内职务 as the roster page and the 党员花名册 show it: the organisation named where it differs, never 「书记，书记」."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
from sqlalchemy.orm import Session

from app.demo.ids import make_id_number
from app.services.ledgers.export import export_ledgers
from app.services.org import member_posts, members
from app.services.org import tree as org
from app.services.org.member_checks import MemberInput
from app.services.org.members import MemberQuery, posts_text
from app.services.org.tree import OrgInput
from app.services.setup import founding


def test_posts_text_names_other_orgs_and_drops_repeats() -> None:
    own = (10, 11)  # the member's 支部 and 党小组
    posts = [("书记", 10, "第一党支部"), ("书记", 1, "东坟村党总支"), ("党小组长", 11, "第一党小组"),
             ("书记", 1, "东坟村党总支")]  # the same post in the same organisation twice (two open rows)
    assert posts_text(posts, own) == "书记、书记（东坟村党总支）、党小组长"
    assert posts_text([], own) == ""
    assert posts_text([("委员", 2, "联合党委")], (10, None)) == "委员（联合党委）"


def test_secretary_of_two_orgs_reads_the_same_on_the_page_and_in_the_roster(session: Session, tmp_path: Path) -> None:
    vid = founding.create_unit(session, "东坟村", "城关街道", "房山区")
    top = org.create_org(session, vid, OrgInput("东坟村党总支", "党总支"))
    b1 = org.create_org(session, vid, OrgInput("第一党支部", "党支部", top, sort_order=1))
    mid = members.add_member(session, vid, MemberInput(
        "张三", make_id_number("110105", date(1960, 1, 1), 11), org_id=b1, joined_on=date(2000, 7, 1),
        confirmed_on=date(2001, 7, 1)))
    member_posts.add_post(session, mid, b1, "书记", date(2021, 1, 1))
    member_posts.add_post(session, mid, top, "书记", date(2021, 1, 1))
    session.flush()

    row = next(r for r in members.list_members(session, MemberQuery(unit_id=vid, stage="members")) if r.id == mid)
    assert row.posts == "书记、书记（东坟村党总支）"

    out = tmp_path / "roster.xlsx"
    export_ledgers(session, vid, ["members"], out)
    ws = openpyxl.load_workbook(out)["党员花名册"]
    header = [c.value for c in ws[3]]
    at = header.index("党内职务")
    cells = [r[at] for r in ws.iter_rows(min_row=4, values_only=True) if r[1] == "张三"]
    assert cells == ["书记、书记（东坟村党总支）"]
