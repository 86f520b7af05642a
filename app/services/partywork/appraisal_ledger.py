"""台账 of 民主评议党员 (registered with ledgers.export), for the year asked:

- appraisal: 民主评议党员情况统计表, one row per branch with a round that year: members on the roster at
  the round's date, those taking part, each grade's 人数 and 占比 (of those taking part), 未参评 with the
  reasons, and the follow-up of each 不合格;
- appraisal-members: 民主评议党员测评明细, one row per member: 自评, 互评 and 民主测评 counts, 优秀率 and
  不合格率 of the 民主测评, the suggested and the decided grade, the follow-up.
`export appraisal appraisal-members` writes both sheets into one workbook, as the tab's 导出 does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.io.ledger_cells import fraction
from app.io.ledgers import Ledger, LedgerColumn
from app.models.partywork import AppraisalRound

from .appraisal import ABSENT, FAIL, GRADES, MemberAppraisal, RoundInfo, _info, _rows

KINDS = ("appraisal", "appraisal-members")


@dataclass(frozen=True)
class _Branch:
    round: RoundInfo
    members: list[MemberAppraisal]

    def count(self, grade: str) -> int:
        return sum(1 for m in self.members if m.grade == grade)

    @property
    def taking_part(self) -> int:
        return sum(1 for m in self.members if m.grade in GRADES)


def _follow_up(m: MemberAppraisal) -> str:
    if not m.follow_up:
        return ""
    if m.follow_up == "限期改正":
        done = f"，{m.follow_up_done_on.isoformat()} 已改正" if m.follow_up_done_on else ""
        due = m.follow_up_due.isoformat() if m.follow_up_due else ""
        return f"限期改正（{due} 前{done}）"
    return f"{m.follow_up}（{m.left or m.follow_up_note}）"


def _branches(s: Session, unit_id: int, year: int) -> list[_Branch]:
    rounds = s.scalars(select(AppraisalRound).where(AppraisalRound.unit_id == unit_id, AppraisalRound.year == year)
                       .order_by(AppraisalRound.org_id))
    return [_Branch(_info(s, r), _rows(s, r)) for r in rounds]


def appraisal_ledger(s: Session, unit_id: int, year: int | None) -> Ledger:
    year = year or date.today().year
    branches = _branches(s, unit_id, year)
    columns = [LedgerColumn("党支部", lambda b: b.round.org_name, width=18),
               LedgerColumn("评议日期", lambda b: b.round.held_on, "date"),
               LedgerColumn("党员数", lambda b: len(b.members), "int", total=True),
               LedgerColumn("参评党员数", lambda b: b.taking_part, "int", total=True)]
    for grade in GRADES:
        columns += [LedgerColumn(f"{grade}（人）", lambda b, g=grade: b.count(g), "int", total=True),
                    LedgerColumn(f"{grade}占比", lambda b, g=grade: fraction(b.count(g), b.taking_part), "percent")]
    columns += [
        LedgerColumn("未参评（人）", lambda b: b.count(ABSENT), "int", total=True),
        LedgerColumn("未参评原因", lambda b: "；".join(f"{m.name}：{m.reason}" for m in b.members if m.grade == ABSENT),
                     width=24),
        LedgerColumn("不合格党员处理", lambda b: "；".join(f"{m.name} {_follow_up(m) or '待处理'}"
                                                      for m in b.members if m.grade == FAIL), width=28),
        LedgerColumn("评议状态", lambda b: f"{b.round.closed_on.isoformat()} 结束" if b.round.closed_on else "进行中"),
    ]
    taking_part = sum(b.taking_part for b in branches)
    totals = {f"{g}占比": fraction(sum(b.count(g) for b in branches), taking_part) for g in GRADES}
    return Ledger("民主评议党员情况统计表", columns, branches, year=year, count=len(branches), count_unit="个支部",
                  total_values=totals,
                  notes=("注：党员数为评议日期在册的正式党员和预备党员；占比为占参评党员数的比例；"
                         "未参评的党员写明原因（如年老体弱、长期外出）。",))


def appraisal_members_ledger(s: Session, unit_id: int, year: int | None) -> Ledger:
    year = year or date.today().year
    rows = [(b.round, m) for b in _branches(s, unit_id, year) for m in b.members]
    columns = [LedgerColumn("党支部", lambda x: x[0].org_name, width=18), LedgerColumn("姓名", lambda x: x[1].name),
               LedgerColumn("党员类别", lambda x: x[1].stage), LedgerColumn("自评", lambda x: x[1].self_grade)]
    for label, attr in (("互评", "mutual"), ("测评", "democratic")):
        for i, grade in enumerate(GRADES):
            columns.append(LedgerColumn(f"{label}{grade}", lambda x, a=attr, i=i: getattr(x[1], a)[i], "int"))
    columns += [
        LedgerColumn("优秀率", lambda x: fraction(x[1].democratic[0], x[1].cast), "percent"),
        LedgerColumn("不合格率", lambda x: fraction(x[1].democratic[3], x[1].cast), "percent"),
        LedgerColumn("建议结果", lambda x: x[1].suggestion), LedgerColumn("评议结果", lambda x: x[1].grade),
        LedgerColumn("理由", lambda x: x[1].reason, width=20), LedgerColumn("后续处理", lambda x: _follow_up(x[1]), width=24),
        LedgerColumn("积分评定等次", lambda x: x[1].points_grade),
    ]
    return Ledger("民主评议党员测评明细", columns, rows, year=year, count=len(rows), count_unit="名",
                  notes=("注：优秀率、不合格率按民主测评收回的票数计算；建议结果按程序的规则（不合格票超过三分之一为不合格，"
                         "基本合格与不合格票合计超过三分之一为基本合格，优秀票过半且在优秀比例之内为优秀）"
                         "算出，评议结果由支部确定。",))


BUILDERS = {"appraisal": appraisal_ledger, "appraisal-members": appraisal_members_ledger}
