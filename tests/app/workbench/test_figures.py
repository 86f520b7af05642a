"""The year's key figures (from the areas' own statistics) and the one-page 年度概况 PDF."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from app.io.pdf_pages import read_text
from app.services.org.members import MemberQuery, list_members
from app.services.people.households import HouseholdQuery, list_households
from app.services.tickets.queries import TicketQuery, stream_tickets
from app.services.workbench.figures import print_summary, year_figures


def test_figures_count_the_roster_households_and_tickets(s: Session, uid: int) -> None:
    year = date.today().year
    f = year_figures(s, uid, year)
    members = [m for m in list_members(s, MemberQuery(uid), limit=10_000) if m.stage in ("正式党员", "预备党员")]
    assert f.value("党员") == f"{len(members)} 名"
    assert f.value("户") == f"{len(list_households(s, HouseholdQuery(uid), limit=100_000))} 户"
    tickets = [t for t in stream_tickets(s, TicketQuery(uid)) if t.received_at.year == year]
    closed = sum(t.state == "closed" for t in tickets)
    counted = sum(t.state != "cancelled" for t in tickets)
    assert f.value("受理工单") == f"{len(tickets)} 件"
    assert f.value("办结率") == f"{100 * closed / counted:.1f}%"
    assert f.value("星级文明户").endswith("户") and f.value("积分评定").endswith("名")


def test_the_summary_is_one_page_with_the_figures(s: Session, uid: int, tmp_path: Path) -> None:
    f = year_figures(s, uid)
    out = print_summary(s, uid, tmp_path / "概况.pdf")
    _keywords, pages = read_text(out)
    assert len(pages) == 1
    flat = "".join(pages[0].split())
    assert f.title in flat
    for label in ("党员", "户", "星级文明户", "积分评定", "办结率", "满意率"):
        assert label in flat and "".join(f.value(label).split()) in flat, label


def test_a_blank_year_prints_too(s: Session, uid: int, tmp_path: Path) -> None:
    f = year_figures(s, uid, 1999)
    assert f.value("星级文明户") == "本年度未评选" and f.value("受理工单") == "0 件" and f.value("办结率") == "—"
    _text, pages = read_text(print_summary(s, uid, tmp_path / "x.pdf", 1999))
    assert len(pages) == 1
