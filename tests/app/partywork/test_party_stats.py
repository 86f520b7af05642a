"""党内统计 at 31 December 2025 on a hand-built village: every figure checked against counts written by hand.

The fixture puts dates on the edges: born 31 Dec 1995 (30 at 31 Dec 2025) and 1 Jan 1994 (31), joined
31 Oct 2012 and 1 Nov 2012 (either side of the 十八大 period), 预备 joined 31 Dec 2025, died on 31 Dec
2025 (not counted that day), a 转出 on 1 Jan 2026 (still counted), a 转入 arriving 1 Jan 2026 (not
counted, and their 入党 elsewhere not a 发展党员 here), a 党小组 closed on 31 Dec 2025, a 党支部 set up on
1 Jan 2026, 党费 paid on 31 Dec 2025 and 1 Jan 2026 and one voided.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from app.cli import main
from app.db import Database
from app.demo.ids import make_id_number
from app.io.ledgers import HEADER_ROWS
from app.models.partywork import DuesPayment, MobileMember
from app.services.ledgers import export as ledgers
from app.services.org import members
from app.services.org.member_checks import MemberInput
from app.services.org.roster_changes import ArrivalInput, LeaveInput, end_membership, transfer_in
from app.services.org.tree import OrgInput, close_org, create_org
from app.services.partywork.party_stats import party_statistics
from app.services.setup import founding
from app.services.units import current_unit_id

YEAR = 2025


@pytest.fixture
def vid(session: Session) -> int:
    return founding.create_unit(session, "东坟村", "城关街道", "房山区")


def _add(s: Session, vid: int, org: int, seq: int, name: str, born: date, joined: date | None, **kw: object) -> int:
    gender = kw.pop("gender")
    sequence = seq * 2 + (1 if gender == "男" else 0)  # odd = 男
    stage = kw.pop("stage", "正式党员")
    return members.add_member(s, vid, MemberInput(name, make_id_number("110111", born, sequence), org_id=org,
                                                  stage=stage, joined_on=joined, **kw))  # type: ignore[arg-type]


@pytest.fixture
def village(session: Session, vid: int) -> dict[str, int]:
    return build_village(session, vid)


def build_village(session: Session, vid: int) -> dict[str, int]:
    top = create_org(session, vid, OrgInput("中共东坟村总支部委员会", "党总支"))
    branch = create_org(session, vid, OrgInput("第一党支部", "党支部", parent_id=top))
    group = create_org(session, vid, OrgInput("第一党小组", "党小组", parent_id=branch))
    close_org(session, group, date(YEAR, 12, 31), "并入第二党小组")
    create_org(session, vid, OrgInput("第二党支部", "党支部", parent_id=top, established_on=date(YEAR + 1, 1, 1)))
    ids = {
        "A": _add(session, vid, branch, 1, "甲", date(1995, 12, 31), date(2015, 6, 1), gender="男", education="大学本科",
                  confirmed_on=date(2016, 6, 2)),
        "B": _add(session, vid, branch, 2, "乙", date(1994, 1, 1), date(2012, 10, 31), gender="女", ethnicity="回族",
                  education="高中", member_type="在职", confirmed_on=date(2013, 11, 1)),
        "C": _add(session, vid, branch, 3, "丙", date(1960, 12, 31), date(1978, 12, 31), gender="女", education="小学",
                  member_type="离退休", confirmed_on=date(1980, 1, 1)),
        "D": _add(session, vid, branch, 4, "丁", date(1965, 1, 1), date(1983, 1, 1), gender="男", education="初中",
                  member_type="流动", flow_out_place="北京市", confirmed_on=date(1984, 1, 2)),
        "E": _add(session, vid, branch, 5, "戊", date(2000, 6, 1), date(YEAR, 12, 31), gender="男", ethnicity="蒙古族",
                  education="大学专科", stage="预备党员", applied_on=date(2023, 1, 1), activist_on=date(2023, 6, 1),
                  candidate_on=date(2024, 12, 31)),
        "H": _add(session, vid, branch, 6, "己", date(1980, 5, 5), date(2012, 11, 1), gender="男", education="研究生",
                  confirmed_on=date(2013, 11, 2)),
        "J": _add(session, vid, branch, 7, "庚", date(1990, 7, 7), date(2024, 1, 1), gender="女", education="中专",
                  member_type="在职", confirmed_on=date(YEAR, 1, 1)),
        "F": _add(session, vid, branch, 8, "辛", date(1950, 3, 3), date(1990, 1, 1), gender="男",
                  confirmed_on=date(1991, 1, 2)),
        "G": _add(session, vid, branch, 9, "壬", date(1970, 3, 3), date(2000, 1, 1), gender="男",
                  confirmed_on=date(2001, 1, 2)),
        "K": _add(session, vid, branch, 10, "癸", date(1998, 3, 3), None, gender="女", stage="入党积极分子",
                  applied_on=date(2024, 6, 1), activist_on=date(YEAR, 1, 1)),
        "L": _add(session, vid, branch, 11, "子", date(2001, 3, 3), None, gender="男", stage="申请入党",
                  applied_on=date(YEAR, 12, 31)),
        "M": _add(session, vid, branch, 12, "丑", date(1999, 3, 3), None, gender="男", stage="发展对象",
                  applied_on=date(2023, 9, 1), activist_on=date(2024, 5, 1), candidate_on=date(YEAR, 6, 1)),
    }
    end_membership(session, ids["F"], LeaveInput("死亡", date(YEAR, 12, 31)))
    end_membership(session, ids["G"], LeaveInput("出党", date(YEAR, 1, 1), reason="违纪", exit_mode="开除党籍"))
    end_membership(session, ids["H"], LeaveInput("转出", date(YEAR + 1, 1, 1), left_to="中共西坟村支部委员会"))
    ids["N"] = transfer_in(session, vid, MemberInput(
        "寅", make_id_number("110111", date(1992, 2, 2), 27), org_id=branch, stage="预备党员",
        applied_on=date(2023, 1, 1), activist_on=date(2023, 6, 1), candidate_on=date(2024, 6, 1),
        joined_on=date(YEAR, 3, 1)), ArrivalInput("中共北坟村支部委员会", date(YEAR + 1, 1, 1)))
    paid = {"unit_id": vid, "year": YEAR, "month_from": 1, "month_to": 12}
    session.add_all([
        DuesPayment(member_id=ids["A"], amount_fen=1200, paid_on=date(YEAR, 12, 31), **paid),
        DuesPayment(member_id=ids["B"], amount_fen=500, paid_on=date(YEAR, 1, 1), **paid),
        DuesPayment(member_id=ids["B"], amount_fen=600, paid_on=date(YEAR + 1, 1, 1), **paid),
        DuesPayment(member_id=ids["C"], amount_fen=300, paid_on=date(YEAR, 5, 1), voided_on=date(YEAR, 5, 2),
                    void_reason="金额录错", **paid),
    ])
    session.flush()
    return ids


def test_figures_at_31_december_match_the_hand_count(session: Session, vid: int, village: dict[str, int]) -> None:
    stats = party_statistics(session, vid, YEAR)
    assert stats.as_of == date(YEAR, 12, 31)
    assert stats.members == 7  # A B C D E H J: F died that day, G 出党, N arrives next year
    t = {table.key: dict(table.rows) for table in stats.tables}
    assert t["summary"] == {"党员总数": 7, "正式党员": 6, "预备党员": 1, "女党员": 3, "少数民族党员": 2,
                            "大专及以上学历党员": 3}
    assert t["gender"] == {"男": 4, "女": 3}
    assert t["nation"] == {"汉族": 5, "少数民族": 2}
    assert t["age"] == {"30岁及以下": 2, "31至35岁": 2, "36至40岁": 0, "41至45岁": 1, "46至50岁": 0,
                        "51至55岁": 0, "56至60岁": 1, "61岁及以上": 1}
    assert t["education"] == {"研究生": 1, "大学本科": 1, "大学专科": 1, "中专": 1, "高中": 1, "初中及以下": 2}
    assert t["joined"] == {"新中国成立前": 0, "1949年10月至1966年4月": 0, "1966年5月至1976年10月": 0,
                           "1976年11月至1978年12月": 1, "1979年1月至2002年10月": 1, "2002年11月至2012年10月": 1,
                           "2012年11月以后": 4}
    assert t["occupation"] == {"农牧渔民": 3, "在职人员（企事业单位、机关等）": 2, "离退休人员": 1, "外出务工经商等流动人员": 1}
    assert t["development"] == {"递交入党申请": 1, "确定为入党积极分子": 1, "确定为发展对象": 1, "接收预备党员": 1,
                                "预备党员转正": 1}
    assert t["leaving"] == {"转出": 0, "死亡": 1, "出党": 1, "停止党籍": 0, "其他": 0}
    assert t["mobile"] == {"流出党员": 1, "流入党员": 0}  # no register yet: D's 党员类型 流动
    assert t["orgs"] == {"党委": 0, "党总支": 1, "党支部": 1, "党小组": 0, "联合党委": 0, "联合党支部": 0, "功能型党小组": 0}
    assert t["dues"] == {"收缴党费（元）": 1700, "交纳笔数": 2, "交纳人数": 2}
    for key in ("gender", "nation", "age", "education", "joined", "occupation"):
        assert stats.table(key).total == stats.members, key


def test_the_next_year_counts_the_changes_of_1_january(session: Session, vid: int, village: dict[str, int]) -> None:
    stats = party_statistics(session, vid, YEAR + 1)
    # H left on 1 Jan 2026, N arrived that day; E is still 预备 (joined 31 Dec 2025, 转正 not yet entered)
    assert stats.members == 7
    t = {table.key: dict(table.rows) for table in stats.tables}
    assert t["leaving"]["转出"] == 1 and t["leaving"]["死亡"] == 0
    assert t["summary"]["预备党员"] == 2  # E and N
    assert t["development"]["接收预备党员"] == 0  # N joined elsewhere in 2025
    assert t["orgs"]["党支部"] == 2
    assert t["dues"]["收缴党费（元）"] == 600
    assert t["age"]["30岁及以下"] == 1 and t["age"]["31至35岁"] == 3  # A turns 31; N (born 1992) is 34


def test_the_mobile_register_is_used_once_kept(session: Session, vid: int, village: dict[str, int]) -> None:
    since = {"unit_id": vid, "place": "北京市"}
    session.add_all([
        MobileMember(direction="流出", member_id=village["A"], since=date(YEAR, 12, 31), **since),
        MobileMember(direction="流出", member_id=village["B"], since=date(YEAR, 3, 1), until=date(YEAR, 12, 31),
                     **since),  # back on 31 Dec: not away that day
        MobileMember(direction="流出", member_id=village["C"], since=date(YEAR, 3, 1), until=date(YEAR + 1, 1, 1),
                     **since),
        MobileMember(direction="流入", name="外村党员", since=date(YEAR, 1, 1), **since),
        MobileMember(direction="流入", name="明年来的", since=date(YEAR + 1, 1, 1), **since),
    ])
    session.flush()
    assert dict(party_statistics(session, vid, YEAR).table("mobile").rows) == {"流出党员": 2, "流入党员": 1}


def test_export_party_stats_writes_a_sheet_per_table_with_totals(db: Database, tmp_path: Path, db_path: Path) -> None:
    with db.session() as s:
        build_village(s, founding.create_unit(s, "东坟村", "城关街道", "房山区"))
    out = tmp_path / "党内统计.xlsx"
    assert main(["--db", str(db_path), "export", "party-stats", "--year", str(YEAR), "-o", str(out)]) == 0
    wb = load_workbook(out)
    with db.session() as s:
        vid = current_unit_id(s)
        assert vid is not None
        stats = party_statistics(s, vid, YEAR)
        # the ledger kind is also reachable one at a time, its first sheet the summary
        ledger = ledgers.build_ledger(s, vid, "party-stats", YEAR)
    assert ledger.name.endswith("党员基本情况") and len(ledger.more) == len(stats.tables) - 1
    assert wb.sheetnames == [t.title for t in stats.tables]
    age = wb["党员的年龄"]
    rows = [[c.value for c in r] for r in age.iter_rows(min_row=HEADER_ROWS + 1) if r[0].value]
    body = {r[0]: r[1] for r in rows if r[0] in {label for label, _ in stats.table("age").rows}}
    assert body["30岁及以下"] == 2 and body["61岁及以上"] == 1
    total = next(r for r in rows if str(r[0]).startswith("合计"))
    assert total[1] == 7 == sum(body.values())
    assert "2025年12月31日" in " ".join(str(c.value) for r in age.iter_rows() for c in r if c.value)
    dues = wb["党费收缴"]
    values = {r[0].value: r[1].value for r in dues.iter_rows(min_row=HEADER_ROWS + 1) if r[0].value}
    assert values["收缴党费（元）"] == 17 and values["交纳笔数"] == 2
