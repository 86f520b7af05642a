"""民主评议党员 from a blank village: who takes part, the count checks (negative, more ballots than handed
out, nothing half-written), the suggestion rule at its thresholds and the 优秀 cap with ties, decisions and
the follow-up of a 不合格 (限期改正; 除名 through the roster's 出党), closing and a correction after it, the
xlsx import (a bad cell named by row and column, nothing written), the two ledgers counted by hand, and
`export appraisal appraisal-members` from the command line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.cli import main as cli_main
from app.db import Database
from app.demo.ids import make_id_number
from app.models import AuditEntry, PartyMember
from app.models.partywork import AppraisalCount
from app.services.errors import ServiceError, ValidationError
from app.services.ledgers import export as ledgers
from app.services.org import members
from app.services.org.member_checks import MemberInput
from app.services.org.roster_changes import LeaveInput, end_membership
from app.services.org.tree import OrgInput, create_org
from app.services.partywork import appraisal
from app.services.partywork.appraisal import CountInput, DecisionInput, FollowUpInput, RoundInput
from app.services.partywork.appraisal_import import import_counts
from app.services.safety.audit_log import ENTITY_LABELS
from app.services.setup import founding

HELD = date(2026, 1, 20)
NAMES = ("赵一", "钱二", "孙三", "李四", "周五", "吴六")


@dataclass
class Branch:
    unit_id: int
    org_id: int
    ids: dict[str, int]  # name → member id of those taking part


def make_branch(s: Session) -> Branch:
    vid = founding.create_unit(s, "东坟村", "城关街道", "房山区")
    org_id = create_org(s, vid, OrgInput("第一党支部", "党支部"))
    ids = {}
    for i, name in enumerate(NAMES):
        probation = i == 5  # 吴六 is a 预备党员: takes part
        data = MemberInput(name, make_id_number("110105", date(1970 + i, 3, 1), 100 + i), org_id=org_id,
                           stage="预备党员" if probation else "正式党员",
                           joined_on=date(2025, 6, 1) if probation else date(2000, 7, 1),
                           confirmed_on=None if probation else date(2001, 7, 1))
        ids[name] = members.add_member(s, vid, data)
    members.add_member(s, vid, MemberInput("郑积极", make_id_number("110105", date(1995, 1, 1), 200), org_id=org_id,
                                           stage="入党积极分子", applied_on=date(2024, 1, 1), activist_on=date(2024, 6, 1)))
    gone = members.add_member(s, vid, MemberInput("王走", make_id_number("110105", date(1980, 1, 1), 300),
                                                  org_id=org_id, joined_on=date(2000, 7, 1),
                                                  confirmed_on=date(2001, 7, 1)))
    end_membership(s, gone, LeaveInput("转出", date(2025, 12, 1), left_to="城关街道某社区党支部"))
    return Branch(vid, org_id, ids)


@pytest.fixture
def b(session: Session) -> Branch:
    return make_branch(session)


def _open(s: Session, b: Branch, voters: int = 30) -> int:
    return appraisal.open_round(s, b.unit_id, RoundInput(b.org_id, 2025, HELD, voters))


def _rows(s: Session, rid: int) -> dict[str, appraisal.MemberAppraisal]:
    return {m.name: m for m in appraisal.round_members(s, rid)}


def _count_rows(s: Session) -> int:
    return s.scalar(select(func.count()).select_from(AppraisalCount)) or 0


def test_members_at_the_date_take_part_and_the_round_is_once_a_year(session: Session, b: Branch) -> None:
    rid = _open(session, b)
    rows = appraisal.round_members(session, rid)
    assert sorted(m.name for m in rows) == sorted(NAMES)  # not the 积极分子, not the one who left before
    assert {m.name: m.stage for m in rows}["吴六"] == "预备党员"
    with pytest.raises(ValidationError) as e:
        _open(session, b)
    assert "第一党支部2025年度的民主评议已经建立" in str(e.value)
    with pytest.raises(ValidationError) as e:
        appraisal.open_round(session, b.unit_id, RoundInput(b.org_id, 2024, HELD, -1))
    assert "发出测评票：不能是负数" in str(e.value)


def test_count_checks_name_the_member_and_write_nothing(session: Session, b: Branch) -> None:
    rid = _open(session, b, voters=30)
    good = CountInput(b.ids["赵一"], "合格", (3, 2, 0, 0), (20, 10, 0, 0))
    over = CountInput(b.ids["钱二"], None, (0, 0, 0, 0), (20, 10, 1, 0))  # 31 of 30
    negative = CountInput(b.ids["孙三"], None, (0, -1, 0, 0), (0, 0, 0, 0))
    with pytest.raises(ValidationError) as e:
        appraisal.save_counts(session, rid, [good, over, negative])
    text = str(e.value)
    assert "钱二的民主测评：四项票数合计 31 张，超过发出的测评票 30 张" in text
    assert "孙三的互评“合格”票数：应为不小于 0 的整数，现在是“-1”" in text
    assert _count_rows(session) == 0  # the good row was not written either
    # exactly the ballots handed out is fine
    assert appraisal.save_counts(session, rid, [good, CountInput(b.ids["钱二"], None, democratic=(20, 10, 0, 0))]) == 2
    row = _rows(session, rid)["赵一"]
    assert (row.self_grade, row.mutual, row.democratic) == ("合格", (3, 2, 0, 0), (20, 10, 0, 0))
    assert row.rate_text("优秀") == "20/30（66%）" and row.rate_text("不合格") == "0/30（0%）"
    assert appraisal.save_counts(session, rid, [good]) == 0  # nothing changed, nothing logged


def test_suggestion_at_its_thresholds_and_the_excellent_cap(session: Session, b: Branch) -> None:
    rid = _open(session, b, voters=30)
    votes = {"赵一": (0, 20, 0, 10),  # 不合格 exactly a third → not 不合格; below-合格 a third → not 基本合格
             "钱二": (0, 19, 0, 11),  # 11 × 3 > 30 → 不合格
             "孙三": (0, 19, 6, 5),  # (6 + 5) × 3 > 30 → 基本合格
             "李四": (15, 15, 0, 0),  # 优秀 exactly half → 合格
             "周五": (20, 10, 0, 0),  # 优秀 more than half
             "吴六": (18, 12, 0, 0)}
    appraisal.save_counts(session, rid, [CountInput(b.ids[n], democratic=v) for n, v in votes.items()])
    got = {n: m.suggestion for n, m in _rows(session, rid).items()}
    # 6 taking part × 20 % = 1 place: 周五 (20) before 吴六 (18)
    assert got == {"赵一": "合格", "钱二": "不合格", "孙三": "基本合格", "李四": "合格", "周五": "优秀", "吴六": "合格"}
    appraisal.set_excellent_percent(session, b.unit_id, 34)  # 2 places; 周五 20, 吴六 18, 李四 moved to 18: a tie
    appraisal.save_counts(session, rid, [CountInput(b.ids["李四"], democratic=(18, 12, 0, 0))])
    got = {n: m.suggestion for n, m in _rows(session, rid).items()}
    assert (got["周五"], got["吴六"], got["李四"]) == ("优秀", "合格", "合格")  # tied across the line: 名额不超比例
    appraisal.set_excellent_percent(session, b.unit_id, 50)  # 3 places: all three
    got = {n: m.suggestion for n, m in _rows(session, rid).items()}
    assert (got["周五"], got["吴六"], got["李四"]) == ("优秀", "优秀", "优秀")
    assert _rows(session, rid)["赵一"].rate_text("不合格") == "10/30（33%）"


def test_decisions_follow_up_and_close(session: Session, b: Branch) -> None:
    rid = _open(session, b)
    on = date(2026, 1, 25)
    with pytest.raises(ValidationError) as e:
        appraisal.decide(session, rid, b.ids["钱二"], DecisionInput("不合格", "", on))
    assert "理由：请填写理由" in str(e.value)
    appraisal.decide(session, rid, b.ids["钱二"], DecisionInput("不合格", "长期不参加组织生活", on))
    appraisal.decide(session, rid, b.ids["孙三"], DecisionInput("不合格", "不交党费", on))
    with pytest.raises(ServiceError) as e:
        appraisal.record_follow_up(session, rid, b.ids["赵一"], FollowUpInput("限期改正", date(2026, 6, 30)))
    assert "不是不合格" in str(e.value)
    appraisal.decide(session, rid, b.ids["赵一"], DecisionInput("优秀", "", on))
    with pytest.raises(ValidationError) as e:
        appraisal.record_follow_up(session, rid, b.ids["钱二"], FollowUpInput("限期改正", None))
    assert "改正期限：请填写改正期限" in str(e.value)
    appraisal.record_follow_up(session, rid, b.ids["钱二"], FollowUpInput("限期改正", date(2026, 6, 30)))
    appraisal.record_follow_up(session, rid, b.ids["孙三"], FollowUpInput("除名", None, date(2026, 2, 10),
                                                                        "经教育仍不改正"))
    m = session.get(PartyMember, b.ids["孙三"])
    assert m is not None and (m.left_kind, m.left_on) == ("出党", date(2026, 2, 10))
    assert m.left_reason.startswith("除名：民主评议不合格")
    rows = _rows(session, rid)
    assert rows["孙三"].left == "2026-02-10 出党" and rows["孙三"].follow_up == "除名"  # still in the round
    with pytest.raises(ValidationError) as e:
        appraisal.record_follow_up(session, rid, b.ids["孙三"], FollowUpInput("限期改正", date(2026, 6, 30)))
    assert "孙三已除名，不能再更改" in str(e.value)
    with pytest.raises(ValidationError) as e:
        appraisal.close_round(session, rid, date(2026, 1, 30))
    assert "还有 3 名党员没有确定结果：" in str(e.value)
    for n in ("李四", "周五"):
        appraisal.decide(session, rid, b.ids[n], DecisionInput("合格", "", on))
    with pytest.raises(ValidationError):
        appraisal.decide(session, rid, b.ids["吴六"], DecisionInput(None, "", on))  # 未参评 needs its reason
    appraisal.decide(session, rid, b.ids["吴六"], DecisionInput(None, "外出务工", on))
    appraisal.close_round(session, rid, date(2026, 1, 30))
    assert appraisal.get_round(session, rid).closed_on == date(2026, 1, 30)
    appraisal.decide(session, rid, b.ids["李四"], DecisionInput("基本合格", "更正：计票有误", on))
    last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert last is not None and "评议结束后更正" in last.summary and last.entity == "appraisal_result"
    assert {"appraisal_round", "appraisal_result"} <= ENTITY_LABELS.keys()


def _sheet_file(path: Path, rows: list[list[object]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["民主评议测评汇总表"])
    ws.append(["姓名", "自评", "互评优秀", "互评合格", "互评基本合格", "互评不合格",
               "测评优秀", "测评合格", "测评基本合格", "测评不合格"])
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_xlsx_import_names_row_and_column_and_writes_nothing_when_wrong(session: Session, b: Branch,
                                                                          tmp_path: Path) -> None:
    rid = _open(session, b, voters=30)
    bad = _sheet_file(tmp_path / "bad.xlsx", [["赵一", "合格", 3, 2, 0, 0, 20, 10, 0, 0],
                                             ["钱二", "好", 1, 1, 0, 0, 10, "十", 0, 0],
                                             ["陌生人", "", 0, 0, 0, 0, 0, 0, 0, 0]])
    with pytest.raises(ValidationError) as e:
        import_counts(session, rid, bad)
    text = str(e.value)
    assert "第 4 行，自评（B列）：“好”不是可选项" in text
    assert "第 4 行，民主测评合格（H列）：应为不小于 0 的整数，现在是“十”" in text
    assert "第 5 行，姓名（A列）：“陌生人”不在本次评议的党员名单中" in text
    assert _count_rows(session) == 0
    good = _sheet_file(tmp_path / "good.xlsx", [["赵一", "合格", 3, 2, 0, 0, 20, 10, 0, 0],
                                               ["钱二", "", None, None, None, None, 19, 0, 0, 11]])
    assert import_counts(session, rid, good) == 2
    rows = _rows(session, rid)
    assert rows["赵一"].democratic == (20, 10, 0, 0) and rows["钱二"].suggestion == "不合格"


def _round_with_results(s: Session, b: Branch) -> int:
    rid = _open(s, b, voters=30)
    on = date(2026, 1, 25)
    appraisal.save_counts(s, rid, [CountInput(b.ids["周五"], "优秀", (4, 1, 0, 0), (20, 10, 0, 0)),
                                   CountInput(b.ids["钱二"], "合格", (0, 1, 1, 3), (0, 15, 4, 11))])
    for name, grade, reason in (("赵一", "合格", ""), ("钱二", "不合格", "长期不参加组织生活"), ("孙三", "基本合格", "学习不够"),
                                ("李四", "合格", ""), ("周五", "优秀", ""), ("吴六", None, "外出务工")):
        appraisal.decide(s, rid, b.ids[name], DecisionInput(grade, reason, on))
    appraisal.record_follow_up(s, rid, b.ids["钱二"], FollowUpInput("限期改正", date(2026, 6, 30)))
    return rid


def test_ledgers_counted_by_hand(session: Session, b: Branch) -> None:
    _round_with_results(session, b)
    ledger = ledgers.build_ledger(session, b.unit_id, "appraisal", 2025)
    cols = {c.header: c for c in ledger.columns}
    (row,) = list(ledger.rows)
    got = {h: c.value_of(row) for h, c in cols.items()}
    # 6 on the roster, 5 taking part: 优秀 1, 合格 2, 基本合格 1, 不合格 1, 未参评 1 (吴六)
    assert (got["党员数"], got["参评党员数"], got["优秀（人）"], got["合格（人）"], got["基本合格（人）"],
            got["不合格（人）"], got["未参评（人）"]) == (6, 5, 1, 2, 1, 1, 1)
    assert str(got["合格占比"]) == "0.400" and str(got["优秀占比"]) == "0.200"
    assert got["未参评原因"] == "吴六：外出务工" and got["不合格党员处理"] == "钱二 限期改正（2026-06-30 前）"
    assert got["评议状态"] == "进行中"
    detail = ledgers.build_ledger(session, b.unit_id, "appraisal-members", 2025)
    cols = {c.header: c for c in detail.columns}
    by_name = {r[1].name: r for r in detail.rows}
    qian = {h: c.value_of(by_name["钱二"]) for h, c in cols.items()}
    assert (qian["自评"], qian["互评不合格"], qian["测评合格"], qian["测评不合格"]) == ("合格", 3, 15, 11)
    assert str(qian["不合格率"]) == "0.367" and qian["建议结果"] == "不合格" and qian["评议结果"] == "不合格"


def test_export_from_the_command_line(db: Database, db_path: Path, tmp_path: Path) -> None:
    with db.session() as s:
        b = make_branch(s)
        _round_with_results(s, b)
    db.dispose()
    out = tmp_path / "评议.xlsx"
    assert cli_main(["--db", str(db_path), "export", "appraisal", "appraisal-members", "-o", str(out),
                     "--year", "2025"]) == 0
    wb = openpyxl.load_workbook(out)
    assert len(wb.sheetnames) == 2
    ws = wb[wb.sheetnames[0]]
    values = [c for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert "第一党支部" in values and "吴六：外出务工" in values
    ws = wb[wb.sheetnames[1]]
    names = [c for row in ws.iter_rows(values_only=True) for c in row if c in NAMES]
    assert sorted(names) == sorted(NAMES)
