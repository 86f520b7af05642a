"""The demo 东坟村's 四议两公开: three decisions, one failing its 村民代表会议 quorum; its ledgers and notices."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy.orm import Session

from app.services.affairs import decisions
from app.services.affairs.ledgers_decisions import decisions_ledger, representative_meetings_ledger
from app.services.affairs.meetings import roster
from app.services.notices import archive


def test_demo_decisions(s: Session, uid: int, tmp_path: Path) -> None:
    rows = {d.title: d for d in decisions.list_decisions(s, uid)}
    assert {t: d.status for t, d in rows.items()} == {
        "村东排水沟硬化工程": "已完成", "文化广场健身器材更新": "实施中", "调整村集体机动地承包费标准": "未通过"}
    land = rows["调整村集体机动地承包费标准"]
    assert land.ended_step == "村民代表会议决议" and "应到 15 人，实到 9 人，不足三分之二（需至少 10 人）" in land.end_reason
    kinds = sorted(n.kind for n in archive.list_notices(s, uid) if n.kind.startswith("decision"))
    assert kinds == ["decision", "decision", "decision-result"]

    ledger = decisions_ledger(s, uid, 2026)
    assert [r.number for r in ledger.rows] == ["2026-01", "2026-02", "2026-03"]
    # the 支委会 roster names each post once (the 总支书记 is 书记 of a 支部 too: not 「支部书记、支部书记」)
    committee = roster(s, uid, "支委会", date(2026, 10, 9))
    assert committee and all(len(set(p.role.split("、"))) == len(p.role.split("、")) for p in committee)
    meetings = representative_meetings_ledger(s, uid, 2026)
    outcomes = [r.outcome for r in meetings.rows]
    assert "不足法定人数" in outcomes and outcomes.count("通过") >= 2  # the topics' votes are listed too

    # the resolution of the second decision printed from the program as the clerk would reprint it
    notice = next(n for n in archive.list_notices(s, uid, kind="decision") if "健身器材" in n.title)
    out = tmp_path / "reprint.pdf"
    archive.reprint_notice(s, notice.id, out)
    assert "健身器材" in "".join(p.extract_text() for p in PdfReader(out).pages)



def test_committee_rosters_are_the_villages_own_org(s: Session, uid: int) -> None:
    """东坟村 has a 党总支 over two 支部: its 支委会 is the 总支's six posts (not the 支部's 支委 as well), its
    两委会 those six and the 村民委员会 (the 一肩挑 书记 once)."""
    on = date(2026, 10, 9)
    committee = roster(s, uid, "支委会", on)
    assert len(committee) == 6 and all(p.role.startswith("总支") for p in committee), committee
    both = roster(s, uid, "两委会", on)
    assert len(both) == 9
    assert {p.resident_id for p in committee} < {p.resident_id for p in both}
    assert [p.role for p in both if "、" in p.role] == ["总支书记、村民委员会主任"]
