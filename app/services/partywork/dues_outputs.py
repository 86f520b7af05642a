"""What the 党费 records give out: 党费收缴台账, 党费交纳情况公示, a receipt, the 积分 deductions.

台账 (`export dues`): one row per member, each month's 实交 (a payment's amount spread over its months
at the 核定 amount, any 自愿多交 on its last month, so a row's months add up to its 实交合计), with a
小计 per 支部 and a 合计. It is internal: bases are shown.
公示 (`notice dues --year Y`): 姓名, 所在支部, 应交月数, 已交月数, 已交金额 — no income, no base,
no 身份证号 (the engine masks any number in a cell anyway).
积分: 「未按时交纳党费」 (the rule with trigger dues:欠交) is booked for members with POINTS_MONTHS or
more months unpaid on a day, at most once per member per quarter (source_ref dues:2026Q4, source
manual like the 基础分's base:2026: no new source kind); an entry voided by the clerk is not booked
again for that quarter.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.io.ledgers import Ledger, LedgerColumn
from app.io.notices import NoticeColumn
from app.models import PartyMember, PointEntry
from app.models.partywork import DuesPayment

from .. import access, audit
from ..errors import ServiceError
from ..notices.archive import TEMPLATE_KEY, NoticeDraft, fill_template, party_issuer
from ..points.member_points import add_automatic, published_on
from ..points.rules import DUES_TRIGGER, rule_for_trigger
from ..settings import get_setting
from ..units import get_unit
from .dues import _books, _members, _ym, arrears_list, get_payment, list_dues, months_text
from .dues_rules import amount_in_words, yuan_text

POINTS_MONTHS = 3  # 未按时交纳: three months or more unpaid
KIND = "dues"
DEFAULT_TEMPLATE = (
    "根据《关于中国共产党党费收缴、使用和管理的规定》，党员应按月交纳党费。现将{年度}年度党员交纳党费情况"
    "（截至{截至}）予以公示，接受党员监督。如有疑问，请向党支部反映。"
)


def _yuan(fen: int) -> Decimal:
    return Decimal(fen) / 100


def _cut_off(year: int, on: date | None) -> date:
    """The day the year's figures are taken at: `on` (today) within the year, else the year's last day + 1."""
    on = on or date.today()
    return on if on.year == year else date(year + 1, 1, 1) if on.year > year else date(year, 1, 1)


def dues_ledger(s: Session, unit_id: int, year: int | None) -> Ledger:
    """党费收缴台账 of a year: 每月应交, each month's 实交, 应交/实交/欠交 totals; 小计 per 支部, 合计."""
    year = year or date.today().year
    on = _cut_off(year, None)
    rows_in = list_dues(s, unit_id, year, on)
    members = _members(s, unit_id, year)
    books = _books(s, unit_id, members, year)
    pays = s.scalars(select(DuesPayment).where(DuesPayment.unit_id == unit_id, DuesPayment.year == year,
                                               DuesPayment.voided_on.is_(None)))
    spread: dict[int, dict[int, int]] = {}
    for p in pays:
        book = books.get(p.member_id)
        months = list(range(p.month_from, p.month_to + 1))
        shares = {m: book.due.get(_ym(year, m), 0) if book else 0 for m in months}
        shares[months[-1]] += p.amount_fen - sum(shares.values())  # 自愿多交 on the last month
        cells = spread.setdefault(p.member_id, {})
        for m, v in shares.items():
            cells[m] = cells.get(m, 0) + v

    def year_due(mid: int) -> int:
        book = books.get(mid)
        return sum(v for ym, v in book.due.items() if ym // 12 == year) if book else 0

    def rows() -> Iterator[dict[str, Any]]:
        keys = ["due", "paid", "owed", *(f"m{m}" for m in range(1, 13))]
        total: dict[str, Any] = {"name": "合计", **dict.fromkeys(keys, 0)}
        seq = 0
        for org in dict.fromkeys(r.org_name for r in rows_in):
            sub: dict[str, Any] = {"name": f"{org} 小计", **dict.fromkeys(keys, 0)}
            for r in (r for r in rows_in if r.org_name == org):
                seq += 1
                cells = spread.get(r.member_id, {})
                row: dict[str, Any] = {
                    "seq": seq, "name": r.name, "org": r.org_name, "category": r.category or "未核定",
                    "base": _yuan(r.base_fen) if r.base_fen else None, "monthly": _yuan(r.monthly_fen),
                    "due": year_due(r.member_id), "paid": r.paid_fen, "owed": r.owed_fen,
                    **{f"m{m}": cells.get(m) for m in range(1, 13)}, "paid_to": r.paid_to,
                }
                for k in keys:
                    sub[k] += row[k] or 0
                yield _money(row, keys)
            for k in keys:
                total[k] += sub[k]
            yield _money(sub, keys)
        yield _money(total, keys)

    columns = [
        LedgerColumn("序号", "seq", "int", width=6), LedgerColumn("姓名", "name"), LedgerColumn("所在支部", "org"),
        LedgerColumn("交纳类别", "category"), LedgerColumn("计算基数（元）", "base", "decimal"),
        LedgerColumn("每月应交（元）", "monthly", "decimal"), LedgerColumn("全年应交（元）", "due", "decimal"),
        *(LedgerColumn(f"{m}月实交", f"m{m}", "decimal", width=8) for m in range(1, 13)),
        LedgerColumn("实交合计（元）", "paid", "decimal"), LedgerColumn("欠交（元）", "owed", "decimal"),
        LedgerColumn("交到", "paid_to"),
    ]
    notes = (f"注：{year}年度，统计至 {on.isoformat()}（不含当月）。各月实交按核定金额分摊，自愿多交计入所交最后一个月；"
             "欠交为已过月份中核定而未交的金额；作废的交费记录不计。",)
    return Ledger("党费收缴台账", columns, rows(), year=year, count=len(rows_in), numbered=False, notes=notes)


def _money(row: dict[str, Any], keys: list[str]) -> dict[str, Any]:
    return {**row, **{k: _yuan(row[k]) if row[k] is not None else None for k in keys}}


BUILDERS = {"dues": dues_ledger}


def build_dues_notice(s: Session, unit_id: int, year: int | None = None, on: date | None = None) -> NoticeDraft:
    """党费交纳情况公示: per member 应交月数, 已交月数, 已交金额 (no income, no base)."""
    year = year or (on or date.today()).year
    cut = _cut_off(year, on)
    rows_in = [r for r in list_dues(s, unit_id, year, cut) if r.assessment_id is not None]
    if not rows_in:
        raise ServiceError(f"{year}年还没有核定任何党员的党费，不能生成党费交纳情况公示。")
    unit = get_unit(s, unit_id)
    issuer = party_issuer(s, unit)
    rows: list[list[object]] = [[r.org_name, r.name, len(r.due_months), len(r.paid_months), yuan_text(r.paid_fen),
                                 len(r.owed_months) or ""] for r in rows_in]
    shown = cut if cut.year == year else date(year, 12, 31)
    values = {"村名": unit.name, "年度": str(year), "发文单位": issuer,
              "截至": f"{shown.year}年{shown.month}月{shown.day}日"}
    template = str(get_setting(s, unit_id, TEMPLATE_KEY.format(kind=KIND), DEFAULT_TEMPLATE) or DEFAULT_TEMPLATE)
    columns = [NoticeColumn("所在支部", "group"), NoticeColumn("姓名", "name"), NoticeColumn("应交月数", "int"),
               NoticeColumn("已交月数", "int"), NoticeColumn("已交金额（元）"), NoticeColumn("欠交月数")]
    return NoticeDraft(kind=KIND, year=year, title=f"关于{year}年度党员交纳党费情况的公示",
                       body=fill_template(template, values), columns=columns, rows=rows, issuer=issuer,
                       objection_to=issuer, source_ref=f"dues:{year}", extra={"values": values})


def print_receipt(s: Session, payment_id: int, out_path: Path) -> Path:
    """The 党费收据 of an entry (存根 and 收据 on one A4 sheet); a voided entry has none."""
    from app.io.dues_receipt_pdf import Receipt, render_receipt

    p = get_payment(s, payment_id)
    if p.voided_on is not None:
        raise ServiceError(f"收据 {p.receipt_no} 的交费记录已于 {p.voided_on.isoformat()} 作废，不能打印收据。")
    member = s.get(PartyMember, p.member_id)
    org = member.org.name if member is not None else ""
    receipt = Receipt(org, p.receipt_no, p.name, p.months, yuan_text(p.amount_fen), amount_in_words(p.amount_fen),
                      f"{p.paid_on.year}年{p.paid_on.month}月{p.paid_on.day}日", p.way, p.collector, p.paid_by,
                      p.makeup, p.note)
    return render_receipt(receipt, Path(out_path))


@dataclass(frozen=True)
class PointsResult:
    booked: list[str] = field(default_factory=list)  # 姓名（欠交 2026年6—10月）
    already: int = 0  # booked before for this quarter (or voided by the clerk)
    no_rule: list[str] = field(default_factory=list)  # in arrears but no active rule for their category


def book_dues_points(s: Session, unit_id: int, on: date | None = None) -> PointsResult:
    """按党费记录扣分: 「未按时交纳党费」 for members POINTS_MONTHS+ months behind on `on`, once a quarter."""
    access.require_role(s, *access.ENTRY_ROLES, action="按党费记录扣分")
    on = on or date.today()
    if on > date.today():
        raise ServiceError("扣分日期晚于今天。")
    if (done := published_on(s, unit_id, on.year)) is not None:
        raise ServiceError(f"{on.year}年度积分评定已于 {done.isoformat()} 发布，该年度积分已封存，不能再扣分。")
    ref = f"dues:{on.year}Q{(on.month - 1) // 3 + 1}"
    booked, no_rule, already = [], [], 0
    for r in arrears_list(s, unit_id, on):
        if len(r.owed) < POINTS_MONTHS:
            continue
        if s.scalar(select(PointEntry.id).where(PointEntry.member_id == r.member_id, PointEntry.source_ref == ref).limit(1)) is not None:
            already += 1
            continue
        member = s.get(PartyMember, r.member_id)
        assert member is not None
        rule = rule_for_trigger(s, unit_id, DUES_TRIGGER, member.points_category)
        if rule is None:
            no_rule.append(r.name)
            continue
        note = f"欠交党费 {len(r.owed)} 个月（{r.owed_text}）"[:200]
        entry = add_automatic(s, unit_id, r.member_id, rule, on, note, "manual", ref)
        if entry is None:
            continue
        s.flush()
        audit.record(s, unit_id, "create", "point_entry", entry.id, f"按党费记录扣分：{r.name} {rule.name}（{note}）")
        booked.append(f"{r.name}（{r.owed_text}）")
    return PointsResult(booked, already, no_rule)


def payment_summary(s: Session, payment_id: int) -> str:
    """收据 2026-001：张三 2026年1—6月 1.20 元 (for a confirmation)."""
    p = get_payment(s, payment_id)
    return f"收据 {p.receipt_no}：{p.name} {p.year}年{months_text(p.month_from, p.month_to)} {yuan_text(p.amount_fen)} 元"
