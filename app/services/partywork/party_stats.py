"""党内统计: a village's yearly figures at 31 December, and their workbook (`export party-stats`).

A member counts at 31 December of the year when they had joined (入党, or a roster entry as 党员 with no
date) and had neither left (left_on) nor yet arrived from elsewhere (arrived_on) by that day. 预备党员 at
that day: joined and not 转正 by then. Ages are counted at 31 December, so everyone born in a year has the
same age (2026 − 1996 = 30). Bands and periods follow the 中国共产党党内统计公报 (年龄: 30岁及以下, 31至35岁 …
61岁及以上) and the 党内统计年报's 入党时间 periods (建国前 … 2012年11月以后, which add up to the 公报's four).
职业 comes from the 党员类型 (the roster has no occupation field): 农民 → 农牧渔民 and so on.

Figures are counted in Python from one query per table kind: a village has at most a few hundred members.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.io.ledger_cells import fraction
from app.io.ledgers import Ledger, LedgerColumn
from app.models import PartyMember, PartyOrg, Resident
from app.models.org import LEFT_KINDS, MEMBER_STAGES, ORG_KINDS
from app.models.partywork import DuesPayment, MobileMember

# (lowest age, highest age or None, label) — 中国共产党党内统计公报
AGE_BANDS: tuple[tuple[int, int | None, str], ...] = (
    (0, 30, "30岁及以下"), (31, 35, "31至35岁"), (36, 40, "36至40岁"), (41, 45, "41至45岁"),
    (46, 50, "46至50岁"), (51, 55, "51至55岁"), (56, 60, "56至60岁"), (61, None, "61岁及以上"),
)
# (first day, label): a period runs to the day before the next one starts
JOIN_PERIODS: tuple[tuple[date, str], ...] = (
    (date.min, "新中国成立前"),
    (date(1949, 10, 1), "1949年10月至1966年4月"),
    (date(1966, 5, 1), "1966年5月至1976年10月"),
    (date(1976, 11, 1), "1976年11月至1978年12月"),
    (date(1979, 1, 1), "1979年1月至2002年10月"),
    (date(2002, 11, 1), "2002年11月至2012年10月"),
    (date(2012, 11, 1), "2012年11月以后"),
)
# 学历 as the residents' register spells it → the 党内统计 group
EDUCATION_GROUPS = {"研究生": "研究生", "大学本科": "大学本科", "大学专科": "大学专科", "中专": "中专", "高中": "高中",
                    "初中": "初中及以下", "小学": "初中及以下", "文盲或半文盲": "初中及以下"}
EDUCATION_ORDER = ("研究生", "大学本科", "大学专科", "中专", "高中", "初中及以下")
COLLEGE = frozenset({"研究生", "大学本科", "大学专科"})  # 大专及以上
OCCUPATIONS = {"农民": "农牧渔民", "在职": "在职人员（企事业单位、机关等）", "离退休": "离退休人员",
               "流动": "外出务工经商等流动人员"}
DEVELOPMENT_STEPS = (("applied_on", "递交入党申请"), ("activist_on", "确定为入党积极分子"),
                     ("candidate_on", "确定为发展对象"), ("joined_on", "接收预备党员"), ("confirmed_on", "预备党员转正"))
UNKNOWN = "未填"


@dataclass(frozen=True)
class StatTable:
    """One table of the yearly figures: (label, value) rows; a 合计 row when the rows add up to something.

    value is a count in `unit` (名, 个, 笔), or money in 分 when unit is 元. share: each row's share of
    the 党员 total (the breakdowns of the members)."""

    key: str
    title: str
    rows: tuple[tuple[str, int], ...]
    unit: str = "名"
    summed: bool = True
    share: bool = False
    note: str = ""

    @property
    def total(self) -> int:
        return sum(v for _, v in self.rows)

    def value(self, label: str) -> int:
        return dict(self.rows)[label]


@dataclass(frozen=True)
class PartyStats:
    year: int
    as_of: date
    members: int
    tables: tuple[StatTable, ...]

    def table(self, key: str) -> StatTable:
        return next(t for t in self.tables if t.key == key)


@dataclass(frozen=True)
class _Person:
    member: PartyMember
    gender: str | None
    ethnicity: str
    birth_date: date | None
    education: str


def _people(s: Session, unit_id: int) -> list[_Person]:
    rows = s.execute(
        select(PartyMember, Resident.gender, Resident.ethnicity, Resident.birth_date, Resident.education)
        .join(Resident, Resident.id == PartyMember.resident_id)
        .where(Resident.unit_id == unit_id)
        .order_by(PartyMember.id)
    ).all()
    return [_Person(m, g, e or "", b, ed or "") for m, g, e, b, ed in rows]


def _member_on(m: PartyMember, day: date) -> bool:
    if m.joined_on is None:
        joined = m.stage in MEMBER_STAGES  # on the roster as 党员 without a date: counted
    else:
        joined = m.joined_on <= day
    here = m.arrived_on is None or m.arrived_on <= day
    gone = m.left_on is not None and m.left_on <= day
    return joined and here and not gone


def _probationary_on(m: PartyMember, day: date) -> bool:
    if m.confirmed_on is not None:
        return m.confirmed_on > day
    return m.stage == "预备党员" or (m.stage not in MEMBER_STAGES and m.joined_on is not None)


def _age_band(born: date | None, day: date) -> str:
    if born is None:
        return UNKNOWN
    age = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    return next(label for low, high, label in AGE_BANDS if age >= low and (high is None or age <= high))


def _join_period(joined: date | None) -> str:
    if joined is None:
        return UNKNOWN
    return [label for start, label in JOIN_PERIODS if start <= joined][-1]


def _table(key: str, title: str, counts: Counter[str], order: Iterable[str], **kw: Any) -> StatTable:
    """The labels in order, then 未填 (only when someone has it)."""
    labels = list(order)
    rows = [(label, counts.get(label, 0)) for label in labels]
    if counts.get(UNKNOWN):
        rows.append((UNKNOWN, counts[UNKNOWN]))
    return StatTable(key, title, tuple(rows), **kw)


def _in_year(d: date | None, year: int) -> bool:
    return d is not None and d.year == year


def _arrived_after(m: PartyMember, d: date) -> bool:
    """The step happened elsewhere: the member's 组织关系 came here later (转入)."""
    return m.arrived_on is not None and m.arrived_on > d


def party_statistics(s: Session, unit_id: int, year: int) -> PartyStats:
    """The year's 党内统计 figures at 31 December (党员 by 性别, 民族 … 党费 collected)."""
    day = date(year, 12, 31)
    people = _people(s, unit_id)
    members = [p for p in people if _member_on(p.member, day)]
    probationary = sum(_probationary_on(p.member, day) for p in members)
    gender = Counter(p.gender if p.gender in ("男", "女") else UNKNOWN for p in members)
    nation = Counter(UNKNOWN if not p.ethnicity else "汉族" if p.ethnicity == "汉族" else "少数民族" for p in members)
    education = Counter(EDUCATION_GROUPS.get(p.education, UNKNOWN) for p in members)
    ages = Counter(_age_band(p.birth_date, day) for p in members)
    periods = Counter(_join_period(p.member.joined_on) for p in members)
    jobs = Counter(OCCUPATIONS.get(p.member.member_type, UNKNOWN) for p in members)
    women = gender.get("女", 0)
    summary = StatTable("summary", "党员基本情况", (
        ("党员总数", len(members)), ("正式党员", len(members) - probationary), ("预备党员", probationary),
        ("女党员", women), ("少数民族党员", nation.get("少数民族", 0)),
        ("大专及以上学历党员", sum(education.get(e, 0) for e in COLLEGE)),
    ), summed=False, share=True)
    share = {"share": True}
    tables = [
        summary,
        _table("gender", "党员的性别", gender, ("男", "女"), **share),
        _table("nation", "党员的民族", nation, ("汉族", "少数民族"), **share),
        _table("age", "党员的年龄", ages, (label for _, _, label in AGE_BANDS), **share,
               note="年龄按当年12月31日计算。"),
        _table("education", "党员的学历", education, EDUCATION_ORDER, **share,
               note="学历取自居民登记的学历；初中、小学、文盲或半文盲合为初中及以下。"),
        _table("joined", "党员的入党时间", periods, (label for _, label in JOIN_PERIODS), **share),
        _table("occupation", "党员的职业", jobs, OCCUPATIONS.values(), **share,
               note="职业按党员类型统计（花名册未登记具体职业）。"),
        _development(people, year),
        _leaving(people, year),
        _mobile(s, unit_id, members, day),
        _orgs(s, unit_id, day),
        _dues(s, unit_id, year),
    ]
    return PartyStats(year, day, len(members), tuple(tables))


def _development(people: list[_Person], year: int) -> StatTable:
    rows = []
    for attr, label in DEVELOPMENT_STEPS:
        n = 0
        for p in people:
            d = getattr(p.member, attr)
            if _in_year(d, year) and not _arrived_after(p.member, d):
                n += 1
        rows.append((label, n))
    return StatTable("development", "发展党员", tuple(rows), summed=False,
                     note="当年内办理各步骤的人数（组织关系转入前在原单位办理的不计）。")


def _leaving(people: list[_Person], year: int) -> StatTable:
    kinds = Counter(p.member.left_kind or "其他" for p in people if _in_year(p.member.left_on, year))
    return StatTable("leaving", "党员减少（出党、死亡等）", tuple((k, kinds.get(k, 0)) for k in LEFT_KINDS),
                     note="当年内离开本村党组织的党员，按离开方式统计。")


def _mobile(s: Session, unit_id: int, members: list[_Person], day: date) -> StatTable:
    records = s.execute(
        select(MobileMember.direction, func.count()).where(
            MobileMember.unit_id == unit_id, MobileMember.since <= day,
            (MobileMember.until.is_(None)) | (MobileMember.until > day),
        ).group_by(MobileMember.direction)
    ).all()
    if s.scalar(select(func.count()).select_from(MobileMember).where(MobileMember.unit_id == unit_id)):
        counts = dict(records)
        rows = (("流出党员", counts.get("流出", 0)), ("流入党员", counts.get("流入", 0)))
        note = "按流动党员登记中当年12月31日尚未结束的记录统计。"
    else:  # no 流动党员 register kept yet: the roster's 党员类型
        rows = (("流出党员", sum(p.member.member_type == "流动" for p in members)), ("流入党员", 0))
        note = "尚未登记流动党员，流出党员按党员类型为“流动”的党员统计。"
    return StatTable("mobile", "流动党员", rows, summed=False, note=note)


def _orgs(s: Session, unit_id: int, day: date) -> StatTable:
    kinds = Counter(s.scalars(
        select(PartyOrg.kind).where(
            PartyOrg.unit_id == unit_id,
            (PartyOrg.established_on.is_(None)) | (PartyOrg.established_on <= day),
            (PartyOrg.closed_on.is_(None)) | (PartyOrg.closed_on > day),
        )
    ).all())
    return StatTable("orgs", "党组织", tuple((k, kinds.get(k, 0)) for k in ORG_KINDS), unit="个",
                     note="当年12月31日已成立、未撤销的党组织。")


def _dues(s: Session, unit_id: int, year: int) -> StatTable:
    paid = (DuesPayment.unit_id == unit_id, DuesPayment.voided_on.is_(None),
            DuesPayment.paid_on >= date(year, 1, 1), DuesPayment.paid_on <= date(year, 12, 31))
    amount, entries, payers = s.execute(
        select(func.coalesce(func.sum(DuesPayment.amount_fen), 0), func.count(),
               func.count(func.distinct(DuesPayment.member_id))).where(*paid)
    ).one()
    return StatTable("dues", "党费收缴", (("收缴党费（元）", int(amount)), ("交纳笔数", int(entries)),
                                        ("交纳人数", int(payers))), unit="元", summed=False,
                     note="当年内收缴的党费（已作废的收款不计）。")


# ---------------------------------------------------------------- the workbook


def _cell(table: StatTable, label: str, value: int) -> object:
    if table.unit == "元" and label.endswith("（元）"):
        return Decimal(value) / 100  # 分 → 元, exact
    return value


def _ledger(table: StatTable, stats: PartyStats) -> Ledger:
    columns = [LedgerColumn("项目", "label"), LedgerColumn("数量", "value", "decimal" if table.unit == "元" else "count",
                                                       total=table.summed)]
    if table.share:
        columns.append(LedgerColumn("占党员总数", "share", "percent"))
    rows = [{"label": label, "value": _cell(table, label, v),
             "share": fraction(v, stats.members) if stats.members else "—"} for label, v in table.rows]
    given = {"占党员总数": fraction(table.total, stats.members) if stats.members else "—"} if table.summed and table.share else {}
    notes = [f"注：统计截至{stats.year}年12月31日。{table.note}"]
    return Ledger(f"党内统计　{table.title}", columns, rows, year=stats.year, count=len(rows), sheet_name=table.title,
                  numbered=False, notes=notes, total_values=given)


def party_stats_ledger(s: Session, unit_id: int, year: int | None) -> Ledger:
    """党内统计表 (`export party-stats`): the first table's sheet, the others following it (Ledger.more)."""
    stats = party_statistics(s, unit_id, year or date.today().year)
    first, *rest = (_ledger(t, stats) for t in stats.tables)
    first.more = tuple(rest)
    return first


BUILDERS = {"party-stats": party_stats_ledger}
