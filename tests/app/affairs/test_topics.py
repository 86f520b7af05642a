"""环形互动 topics from a blank village: stages in order, promotion from a 工单 (once), a failed vote,
the overdue 落实 line of the 工作台, the 公示, the 台账 and the CLI."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.cli import main as cli_main
from app.db import Database
from app.models import Notice, TicketEvent
from app.services.affairs import notice_topic, topics
from app.services.affairs.meetings import AffairsMeetingInput
from app.services.errors import ServiceError, ValidationError
from app.services.ledgers import export as ledgers
from app.services.people.residents import ResidentInput, add_resident
from app.services.setup import founding
from app.services.tickets import workflow as tickets
from app.services.workbench.today import todo_lines

D = date(2026, 3, 2)


@pytest.fixture
def vid(session: Session) -> int:
    return founding.create_unit(session, "东坟村", "城关街道", "房山区")


@pytest.fixture
def people(session: Session, vid: int) -> list[int]:
    """Six residents to sit as 村民代表 (ticked as 应到) and to be a 责任人."""
    return [add_resident(session, vid, ResidentInput(name)) for name in ("王一", "李二", "张三", "赵四", "钱五", "孙六")]


def _vote(people: list[int], present: int, for_: int, on: date = date(2026, 3, 10)) -> AffairsMeetingInput:
    return AffairsMeetingInput("村民代表会议", on, expected_ids=people, present_ids=people[:present],
                               votes_for=for_, votes_against=present - for_)


def _answered(s: Session, vid: int, direction: str = "正序") -> int:
    tid = topics.open_topic(s, vid, "村内主街路灯安装", direction, "主街夜间无照明", opened_on=D)
    topics.add_opinion(s, tid, "希望路灯装到村西口，联系电话13812345678", speaker="王大爷", gathered_on=D)
    topics.submit_for_study(s, tid)
    topics.record_answer(s, tid, "支部研究：分两期安装 40 盏", answered_on=date(2026, 3, 5))
    return tid


def test_stages_only_move_forward(session: Session, vid: int, people: list[int], tmp_path: Path) -> None:
    s = session
    tid = topics.open_topic(s, vid, "村内主街路灯安装", "正序", opened_on=D)
    assert topics.get_topic(s, tid).row.stage == "征求意见"
    with pytest.raises(ServiceError, match="还没有记录群众意见"):
        topics.submit_for_study(s, tid)
    with pytest.raises(ServiceError, match="当前处于“征求意见”阶段，不能填写支部答复。下一步应当：记录群众意见"):
        topics.record_answer(s, tid, "答复")
    with pytest.raises(ValidationError, match="征求日期.*不能早于议题提出日期"):
        topics.add_opinion(s, tid, "意见", gathered_on=date(2026, 3, 1))
    topics.add_opinion(s, tid, "希望装到村西口", speaker="王大爷", gathered_on=D)
    topics.submit_for_study(s, tid)
    with pytest.raises(ServiceError, match="不能记录意见"):
        topics.add_opinion(s, tid, "晚到的意见")
    with pytest.raises(ServiceError, match="不能记录代表会表决"):
        topics.record_vote(s, tid, _vote(people, 6, 6))
    topics.record_answer(s, tid, "分两期安装", answered_on=date(2026, 3, 5))
    with pytest.raises(ServiceError, match="不能安排落实"):
        topics.arrange(s, tid, people[0], date(2026, 4, 1))
    with pytest.raises(ValidationError, match="村民代表会议或村民会议表决"):
        topics.record_vote(s, tid, AffairsMeetingInput("支委会", date(2026, 3, 10), people[:3], people[:3], 3))
    assert topics.record_vote(s, tid, _vote(people, 5, 4)) == "通过"
    assert topics.get_topic(s, tid).row.stage == "公开"
    with pytest.raises(ServiceError, match="不能记录落实进展"):
        topics.add_progress(s, tid, "已采购")
    info = notice_topic.publish_topic(s, tid, tmp_path / "topic.pdf", issued_on=date(2026, 3, 11))
    assert info.path.exists() and topics.get_topic(s, tid).row.stage == "落实"
    with pytest.raises(ServiceError, match="还没有落实安排"):
        topics.add_progress(s, tid, "已采购")
    topics.arrange(s, tid, people[2], date(2026, 5, 31))
    topics.add_progress(s, tid, "一期 20 盏已安装", date(2026, 4, 20))
    with pytest.raises(ServiceError, match="不能记录群众评价"):
        topics.record_verdict(s, tid, "满意")
    topics.add_progress(s, tid, "二期完成，验收合格", date(2026, 5, 20), done=True)
    assert topics.get_topic(s, tid).row.next_step == "“群众评价”"
    with pytest.raises(ValidationError, match="群众评价"):
        topics.record_verdict(s, tid, "很好")
    topics.record_verdict(s, tid, "满意", "晚上出门方便了")
    with pytest.raises(ServiceError, match="已有群众评价"):
        topics.record_verdict(s, tid, "不满意")
    row = topics.get_topic(s, tid).row
    assert (row.stage, row.verdict, row.done_on, row.responsible_name) == ("已完成", "满意", date(2026, 5, 20), "张三")
    assert row.next_step.startswith("无") and "已结束" in row.next_step  # judged: nothing is left to do
    with pytest.raises(ServiceError) as refused:
        notice_topic.publish_topic(s, tid, tmp_path / "again.pdf", issued_on=date(2026, 6, 1))
    assert "下一步应当：无" in str(refused.value)
    assert [p.content for p in topics.get_topic(s, tid).progress] == ["一期 20 盏已安装", "二期完成，验收合格"]


def test_a_ticket_is_promoted_once_into_a_reverse_topic(session: Session, vid: int) -> None:
    s = session
    cat = next(c.id for c in tickets.list_categories(s, vid) if c.name == "民生诉求")
    data = tickets.TicketInput(cat, "村西口到主街没有路灯，晚上出行不便", requester_name="王大爷")
    data.received_at = datetime(2026, 3, 1, 9, 0)
    ticket = tickets.create_ticket(s, vid, data)
    tid = topics.promote_ticket(s, ticket.id, opened_on=D)
    row = topics.get_topic(s, tid).row
    assert (row.direction, row.stage, row.ticket_number) == ("倒序", "征求意见", ticket.number)
    assert row.title == "民生诉求：村西口到主街没有路灯，晚上出行不便"
    # the source is shown once, from the ticket (来源工单), not repeated in the content
    assert row.content == "村西口到主街没有路灯，晚上出行不便" and "来源" not in row.content
    notes = s.scalars(select(TicketEvent.note).where(TicketEvent.ticket_id == ticket.id)).all()
    assert any(f"已转为环形互动议题 {row.number}" in n for n in notes)
    with pytest.raises(ServiceError, match=f"已转为环形互动议题 {row.number}，不能重复转入"):
        topics.promote_ticket(s, ticket.id)
    assert len(topics.list_topics(s, vid)) == 1


def test_a_failed_vote_closes_the_topic_with_its_reason(session: Session, vid: int, people: list[int]) -> None:
    s = session
    tid = _answered(s, vid)
    # 3 of 6 is under two thirds: the meeting cannot sit
    assert topics.record_vote(s, tid, _vote(people, 3, 3)) == "不足法定人数"
    row = topics.get_topic(s, tid).row
    assert row.stage == "未通过" and "不足法定人数" in row.closed_reason and "应到 6 人，实到 3 人" in row.closed_reason
    with pytest.raises(ServiceError, match="议题未通过表决，已结束"):
        topics.record_vote(s, tid, _vote(people, 6, 6))
    # a majority that fails ends the path too
    other = _answered(s, vid)
    assert topics.record_vote(s, other, _vote(people, 6, 3)) == "未通过"
    assert topics.get_topic(s, other).row.stage == "未通过"


def test_overdue_implementation_is_a_workbench_line(session: Session, vid: int, people: list[int],
                                                    tmp_path: Path) -> None:
    s = session
    tid = _answered(s, vid)
    topics.record_vote(s, tid, _vote(people, 6, 6))
    notice_topic.publish_topic(s, tid, tmp_path / "t.pdf", issued_on=date(2026, 3, 11))
    topics.arrange(s, tid, people[0], date(2026, 4, 30))

    def line(on: datetime) -> int:
        return next(x.count for x in todo_lines(s, vid, on) if x.key == "topics_overdue")

    assert line(datetime(2026, 4, 30, 9)) == 0  # due today is not late
    assert line(datetime(2026, 5, 1, 9)) == 1
    assert [t.id for t in topics.list_topics(s, vid, date(2026, 5, 1), overdue_only=True)] == [tid]
    topics.add_progress(s, tid, "完成", date(2026, 5, 3), done=True)
    assert line(datetime(2026, 5, 4, 9)) == 0


def test_topic_notice_masks_and_is_archived(session: Session, vid: int, people: list[int], tmp_path: Path) -> None:
    s = session
    tid = _answered(s, vid, "倒序")
    topics.record_vote(s, tid, _vote(people, 5, 5))
    with pytest.raises(ServiceError, match="不能填写支部答复"):
        topics.record_answer(s, tid, "again")
    info = notice_topic.publish_topic(s, tid, tmp_path / "t.pdf", issued_on=date(2026, 3, 11))
    n = s.get(Notice, info.id)
    assert n is not None and n.kind == "topic" and n.title == "关于“村内主街路灯安装”的公示"
    cells = {r[0]: r[1] for r in n.rows}
    assert "应到 6 人，实到 5 人，赞成 5 票" in cells["表决情况"] and "共 1 条" in cells["群众意见"]
    assert cells["提出方式"].startswith("倒序")
    with pytest.raises(ServiceError, match="不能发布公开"):
        notice_topic.publish_topic(s, tid, tmp_path / "t2.pdf")


def test_ledger_and_cli(db: Database, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with db.session() as s:
        vid = founding.create_unit(s, "东坟村", "城关街道", "房山区")
        people = [add_resident(s, vid, ResidentInput(n)) for n in ("王一", "李二", "张三")]
        done = _answered(s, vid)
        topics.record_vote(s, done, _vote(people, 3, 3))
        failed = _answered(s, vid, "倒序")
        topics.record_vote(s, failed, _vote(people, 3, 1))
        ledger = ledgers.build_ledger(s, vid, "topics", 2026)
        rows = list(ledger.rows)
    assert ledger.name == "环形互动议题台账"
    assert [c.header for c in ledger.columns] == ["编号", "议题", "正序/倒序", "来源工单", "意见条数", "支部答复",
                                                "表决结果", "公开日期", "责任人", "时限", "进展", "完成日期", "群众评价"]
    assert [r["number"] for r in rows] == ["2026-01", "2026-02"]
    assert "村民代表会议通过（3/0/0）" in rows[0]["vote"] and "未通过" in rows[1]["vote"]
    assert "未通过" in rows[1]["progress"]
    out = tmp_path / "topics.xlsx"
    assert cli_main(["--db", str(db_path), "export", "topics", "-o", str(out), "--year", "2026"]) == 0
    ws = openpyxl.load_workbook(out).active
    assert any("村内主街路灯安装" in str(c.value) for row in ws.iter_rows() for c in row)
    pdf = tmp_path / "topic.pdf"
    assert cli_main(["--db", str(db_path), "notice", "topic", "--id", "2026-01", "-o", str(pdf)]) == 0
    assert pdf.exists()
    assert cli_main(["--db", str(db_path), "notice", "topic", "--id", "2026-02", "-o", str(pdf)]) == 1
    assert "议题未通过表决" in capsys.readouterr().err
    assert cli_main(["--db", str(db_path), "notice", "topic", "--id", "2026-09", "-o", str(pdf)]) == 1
    assert "没有编号为“2026-09”的环形互动议题" in capsys.readouterr().err


def test_the_demo_village_has_a_topic_each_way(s: Session, uid: int) -> None:
    from app.demo.facts import DEMO_TODAY

    rows = {r.direction: r for r in topics.list_topics(s, uid, DEMO_TODAY)}
    forward, reverse = rows["正序"], rows["倒序"]
    assert (forward.stage, forward.verdict, forward.vote_outcome) == ("已完成", "满意", "通过")
    assert forward.opinions == 4 and forward.notice_id is not None
    assert reverse.ticket_number and reverse.stage == "落实" and reverse.overdue
    opinion = topics.get_topic(s, reverse.id).opinions[0]
    assert opinion.member_name and opinion.household  # gathered by a member from a household
    line = next(x for x in todo_lines(s, uid, datetime.combine(DEMO_TODAY, datetime.min.time()))
                if x.key == "topics_overdue")
    assert line.count == 1 and line.page == "page_affairs"
    with pytest.raises(ValidationError, match="收集党员：不是本村的党员"):
        topics.add_opinion(s, topics.open_topic(s, uid, "新议题", "正序"), "意见", member_id=999_999)
