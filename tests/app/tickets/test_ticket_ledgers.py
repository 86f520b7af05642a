"""工单台账 family as a township clerk reads it: counts as numbers, rates as percentages (the 合计 row's over
the total, not averaged), 平均办理时长 in 天 only, and the 录入人 of every ticket."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.orm import Session

from app.db import Database
from app.services import audit, units
from app.services.ledgers.export import export_ledgers
from app.services.safety import auth
from app.services.setup import founding
from app.services.tickets import stats as ticket_stats
from app.services.tickets import workflow as tickets
from app.services.tickets.ledgers import NO_OPERATOR
from app.services.tickets.workflow import AssigneeInput, TicketInput

T0 = datetime(2026, 3, 2, 9, 0)
H = timedelta(hours=1)


@pytest.fixture
def vid(session: Session) -> int:
    return founding.create_unit(session, "东坟村", "城关街道", "房山区")


def _new(s: Session, vid: int, category: str, at: datetime = T0) -> int:
    cat = next(c.id for c in tickets.list_categories(s, vid) if c.name == category)
    return tickets.create_ticket(s, vid, TicketInput(cat, "垃圾没人清运", requester_name="张三", received_at=at)).id


def _replied(s: Session, tid: int, hours: int, rating: str | None = None) -> None:
    tickets.assign(s, tid, [AssigneeInput("李志愿", "志愿者")], at=T0 + H)
    tickets.accept(s, tid, at=T0 + 2 * H)
    tickets.reply(s, tid, "已处理", at=T0 + hours * H)
    if rating:
        tickets.visit(s, tid, rating, "回访员", at=T0 + (hours + 1) * H)


def _header_row(ws: Worksheet, first: str) -> int:
    return next(r for r in range(1, 8) if ws.cell(r, 1).value == first)


def _rows(ws: Worksheet, first: str) -> tuple[list[str], dict[str, tuple[object, ...]], dict[str, list[str]]]:
    at = _header_row(ws, first)
    header = [str(c.value) for c in ws[at]]
    rows, formats = {}, {}
    for row in ws.iter_rows(min_row=at + 1):
        key = row[0].value
        if key is None or str(key).startswith(("全年", "注", "分类", "录入人", "填报人")):
            continue
        rows[str(key)] = tuple(c.value for c in row)
        formats[str(key)] = [c.number_format for c in row]
    return header, rows, formats


def test_rates_sheet_numbers_percentages_total_rates_and_days(session: Session, vid: int, tmp_path: Path) -> None:
    tickets.set_reopen_on_unsatisfied(session, vid, False)
    # 环境卫生: 2 of 2 closed (10 h, 60 h); 安全隐患: 1 of 3 closed (on the spot, 2 h), one cancelled not counted
    for hours, rating in ((10, "满意"), (60, "不满意")):
        _replied(session, _new(session, vid, "环境卫生"), hours, rating)
    spot = _new(session, vid, "安全隐患")
    tickets.solve_on_spot(session, spot, "当场", at=T0 + 2 * H)
    tickets.visit(session, spot, "基本满意", "回访员", at=T0 + 30 * H)
    _new(session, vid, "安全隐患")
    _new(session, vid, "安全隐患")
    tickets.cancel(session, _new(session, vid, "安全隐患"), "重复", at=T0 + H)
    out = tmp_path / "rates.xlsx"
    export_ledgers(session, vid, ["ticket-rates", "ticket-monthly"], out, year=2026)
    wb = openpyxl.load_workbook(out)

    header, rows, formats = _rows(wb["分类统计"], "诉求类别")
    col = {h: i for i, h in enumerate(header)}
    assert "平均办理时长（天）" in col and "平均办理时长" not in col
    env, safety, total = rows["环境卫生"], rows["安全隐患"], rows["合计"]
    for name in ("受理", "撤销", "办结", "已评价", "满意及基本满意"):
        assert all(type(r[col[name]]) is int for r in (env, safety, total)), name  # numbers, never text
    assert (safety[col["受理"]], safety[col["撤销"]], safety[col["办结"]]) == (4, 1, 1)
    assert total[col["受理"]] == 6 and total[col["办结"]] == 3
    # rates: fractions shown as percentages, the 合计 row's over the total (3 ÷ 5), not the mean of 100 % and 33.3 %
    assert env[col["办结率"]] == 1 and safety[col["办结率"]] == pytest.approx(0.333)
    assert total[col["办结率"]] == pytest.approx(0.6)
    assert total[col["满意率"]] == pytest.approx(0.667)  # 满意 + 基本满意 of 3 rated
    for key in ("环境卫生", "安全隐患", "合计"):
        assert formats[key][col["办结率"]] == formats[key][col["满意率"]] == "0.0%"
    # 平均办理时长 in 天, one decimal: (10 + 60) / 2 h = 1.5 天; total (10 + 60 + 2) / 3 h = 1.0 天
    assert env[col["平均办理时长（天）"]] == pytest.approx(1.5)
    assert safety[col["平均办理时长（天）"]] == pytest.approx(0.1)
    assert total[col["平均办理时长（天）"]] == pytest.approx(1.0)
    notes = " ".join(str(c.value) for row in wb["分类统计"].iter_rows() for c in row if isinstance(c.value, str))
    assert "小时" not in notes and "平均办理时长 1.0 天" in notes

    _, months, month_formats = _rows(wb["工单办理情况月度统计表"], "月份")
    assert set(months) == {"2026-03", "合计"}
    assert months["合计"][col["办结率"]] == pytest.approx(0.6) and month_formats["合计"][col["办结率"]] == "0.0%"


def test_avg_days_one_unit_everywhere() -> None:
    st = ticket_stats.TicketStats("合计", 1, 0, 1, 0, 0, 0, 0, 0, 30.0)
    assert st.avg_days == Decimal("1.3") and st.avg_text == "1.3 天"  # 30 h was 「30.0 小时」
    assert ticket_stats.TicketStats("合计", 1, 0, 1, 0, 0, 0, 0, 0, 72.0).avg_text == "3.0 天"
    assert ticket_stats.TicketStats("合计", 0, 0, 0, 0, 0, 0, 0, 0, None).avg_days is None


def test_registrar_is_the_operator_who_received_the_ticket(session: Session, vid: int, tmp_path: Path) -> None:
    clerk = auth.create_operator(session, vid, "wenshu", "王文书")
    token = audit.current_operator_id.set(clerk)
    try:
        _new(session, vid, "环境卫生")
    finally:
        audit.current_operator_id.reset(token)
    _new(session, vid, "环境卫生", at=T0 + H)  # nobody signed in
    session.flush()
    out = tmp_path / "tickets.xlsx"
    export_ledgers(session, vid, ["tickets"], out, year=2026)
    ws = openpyxl.load_workbook(out)["工单台账"]
    header, rows, _ = _rows(ws, "序号")
    at, number = header.index("录入人"), header.index("工单编号")
    got = {r[number]: r[at] for key, r in rows.items() if key.isdigit()}
    assert got == {"2026-0001": "王文书", "2026-0002": NO_OPERATOR}
    notes = [str(c.value) for row in ws.iter_rows() for c in row if isinstance(c.value, str) and "录入人为" in c.value]
    assert len(notes) == 1 and "1 件" in notes[0]


def test_demo_tickets_name_who_entered_them(demo_db: Database, tmp_path: Path) -> None:
    # the demo writes as its 村书记, as a signed-in 书记 would: no row without its 录入人
    out = tmp_path / "demo.xlsx"
    with demo_db.session() as s:
        export_ledgers(s, units.current_unit_id(s), ["tickets"], out, year=2026)
    header, rows, _ = _rows(openpyxl.load_workbook(out)["工单台账"], "序号")
    names = {r[header.index("录入人")] for key, r in rows.items() if key.isdigit()}
    assert names == {"村书记"}
