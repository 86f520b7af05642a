"""The roster columns the ledgers now carry, read back on import: 人员状态, 网格 + 微网格 / 负责区域, 党内职务 —
each with the problem said in the row when it cannot be taken as written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.io.excel_import import read_table
from app.models import Grid, GridPost, MemberPost, PartyMember, PartyOrg, Resident
from app.services.imports import flow as imports
from app.services.imports.flow import ImportOptions
from tests import import_files as F


def _check(s: Session, uid: int, kind: str, rows: list[list[Any]], path: Path, **opts: Any) -> imports.ImportReport:
    table = read_table(F.write_xlsx(path, rows))
    return imports.check_import(s, uid, kind, table, imports.detect_layout(s, uid, kind, table), ImportOptions(**opts))


def _run(s: Session, uid: int, kind: str, rows: list[list[Any]], path: Path, **opts: Any) -> imports.ImportResult:
    table = read_table(F.write_xlsx(path, rows))
    return imports.run_import(s, uid, kind, table, imports.detect_layout(s, uid, kind, table), ImportOptions(**opts))


HEADER = ["户号", "姓名", "身份证号", "与户主关系", "人员状态", "网格", "微网格"]


def test_households_with_status_and_micro_grid(s: Session, uid: int, tmp_path: Path) -> None:
    away, home = F.person_id(1980, 3, 4, 11), F.person_id(1982, 5, 6, 22)
    rows = [HEADER, ["9101", "王外出", away, "户主", "外出务工", "第八网格", "第一微网格"],
            ["9101", "李在家", home, "配偶", "", "第八网格", "第一微网格"]]
    refused = _check(s, uid, "households", rows, tmp_path / "a.xlsx")
    assert [str(p) for p in refused.problems] == [  # an unknown grid: said, nothing made
        "第 2 行，网格：没有名为“第八网格”的网格（可在导入时选择对应的网格，或选择自动新建）",
        "第 3 行，网格：没有名为“第八网格”的网格（可在导入时选择对应的网格，或选择自动新建）"]
    _run(s, uid, "households", rows, tmp_path / "b.xlsx", create_missing=True)
    top = s.scalars(select(Grid).where(Grid.unit_id == uid, Grid.name == "第八网格")).one()
    micro = s.scalars(select(Grid).where(Grid.parent_id == top.id)).one()
    assert micro.name == "第八网格第一微网格" and micro.code.startswith(f"{top.code}-")
    people = {r.name: r for r in s.scalars(select(Resident).where(Resident.id_number.in_([away, home])))}
    assert people["王外出"].status == "外出务工" and people["李在家"].status == "在册"
    assert people["王外出"].household.grid_id == micro.id

    gone = [HEADER, ["9102", "赵已故", F.person_id(1940, 1, 2, 31), "户主", "死亡", "第八网格", "第二微网格"],
            ["9103", "钱无网格", F.person_id(1950, 1, 2, 41), "户主", "", "", "第一微网格"]]
    problems = [str(p) for p in _check(s, uid, "households", gone, tmp_path / "c.xlsx").problems]
    assert "第 2 行，人员状态：死亡的人员请在居民页登记死亡（须填写日期），不从表格导入" in problems
    assert "第 2 行，微网格：“第八网格”下没有名为“第二微网格”的微网格（可在导入时选择自动新建）" in problems
    assert "第 3 行，网格：填写了微网格，请同时填写它所属的网格" in problems


def test_grid_posts_by_area(s: Session, uid: int, tmp_path: Path) -> None:
    g1 = s.scalars(select(Grid).where(Grid.unit_id == uid, Grid.code == "G01")).one()
    micro = next(c for c in g1.children if c.closed_on is None)
    short = micro.name.removeprefix(g1.name)
    rows = [["网格", "负责区域", "岗位", "姓名", "联系电话"],
            [g1.name, "全网格", "楼栋长", "孙全网", "13800000001"],
            [g1.name, short, "楼栋长", "孙微网", "13800000002"]]
    _run(s, uid, "grid-posts", rows, tmp_path / "p.xlsx")
    placed = dict(s.execute(select(GridPost.person_name, GridPost.grid_id).where(
        GridPost.person_name.in_(["孙全网", "孙微网"]))).all())
    assert placed == {"孙全网": g1.id, "孙微网": micro.id}


def test_member_posts_from_the_roster(s: Session, uid: int, tmp_path: Path) -> None:
    branch = s.scalars(select(PartyOrg).where(PartyOrg.unit_id == uid, PartyOrg.name == "第一党支部")).one()
    root = s.scalars(select(PartyOrg).where(PartyOrg.id == branch.parent_id)).one()
    header = ["姓名", "身份证号", "所在支部", "党小组", "入党日期", "转正日期", "党内职务"]
    new_one = F.person_id(1985, 6, 7, 51)
    bad = [header,
           ["周新", new_one, "第一党支部", "", "2010-01-01", "2011-01-01", "村委会主任"],
           ["吴新", F.person_id(1986, 6, 7, 61), "第一党支部", "", "2010-01-01", "2011-01-01", "委员（不存在的党委）"],
           ["郑新", F.person_id(1987, 6, 7, 71), "第一党支部", "", "2010-01-01", "2011-01-01", "党小组长"]]
    problems = [str(p) for p in _check(s, uid, "members", bad, tmp_path / "bad.xlsx").problems]
    assert problems[0].startswith("第 2 行，党内职务：“村委会主任”不是党内职务（可选：书记、副书记")
    assert problems[1] == "第 3 行，党内职务：没有名为“不存在的党委”的党组织（请先在“党组织”中建立）"
    assert problems[2] == "第 4 行，党内职务：党小组长须同时填写所在党小组"

    good = [header, ["周新", new_one, "第一党支部", "", "2010-01-01", "2011-01-01", f"支部委员、委员（{root.name}）"]]
    result = _run(s, uid, "members", good, tmp_path / "good.xlsx")
    member = s.scalars(select(PartyMember).join(Resident).where(Resident.id_number == new_one)).one()
    held = set(s.execute(select(MemberPost.post, MemberPost.org_id).where(MemberPost.member_id == member.id)).all())
    assert held == {("委员", branch.id), ("委员", root.id)}
    imports.undo_import(s, result.batch_id, "导错了文件")  # the posts go with the batch
    assert s.scalar(select(MemberPost.id).where(MemberPost.member_id == member.id)) is None


def test_tags_with_a_slash_in_their_name_stay_whole(session: Any) -> None:
    from app.services.imports.people_rows import split_tags
    from app.services.setup import founding

    vid = founding.create_unit(session, "东坟村", "城关街道", "房山区")
    assert split_tags(session, vid, "五保/特困、低保") == ["五保/特困", "低保"]
    assert split_tags(session, vid, "低保/残疾 空巢") == ["低保", "残疾", "空巢"]  # a clerk's own shorthand
    assert split_tags(session, vid, "") == []
