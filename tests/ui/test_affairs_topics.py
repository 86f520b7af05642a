"""环形互动 tab from a blank village: 新建议题 and 记录意见 through their dialogs, the step buttons following
the stage; on the demo: a ticket promoted from the 工单 page, and the 工作台's overdue line's filter."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import Qt

from app.demo.ids import make_id_number
from app.services.affairs import topics
from app.services.context import AppContext
from app.services.setup.first_start import VillageSetup, found_village
from tests.ui.dialogs import drive
from ui.affairs.page import AffairsPage
from ui.affairs.topic_dialogs import OpinionDialog, TopicDialog
from ui.affairs.topics_tab import TopicsTab
from ui.common.page import Changes
from ui.tickets.page import TicketsPage


@pytest.fixture
def village(db: Any) -> AppContext:
    ctx = AppContext(db)
    ctx.set_unit(ctx.call(found_village, VillageSetup(
        "杏花村", org_name="中共杏花村支部委员会", org_kind="党支部", secretary_name="王建国",
        secretary_id_number=make_id_number("110111", date(1968, 4, 2), 13), secretary_joined_on=date(1995, 7, 1),
        secretary_since=date(2021, 1, 15))))
    return ctx


def enabled(tab: TopicsTab) -> set[str]:
    return {name for name, (b, _stage) in tab.buttons.items() if b.isEnabled()}


def test_open_a_topic_and_add_an_opinion_by_clicking(qtbot: Any, village: AppContext,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    tab = TopicsTab(village, Changes(), None)
    qtbot.addWidget(tab)
    tab.show()
    assert "还没有议题" in tab.label_topic.text() and not enabled(tab)

    def fill_topic(d: TopicDialog) -> None:
        d.fields["title"].setText("村内主街路灯安装")
        d.fields["direction"].setCurrentIndex(d.fields["direction"].findData("正序"))
        d.fields["opened_on"].set_date(date(2026, 3, 2))
        qtbot.mouseClick(d.btn_save, Qt.MouseButton.LeftButton)

    seen = drive(monkeypatch, TopicDialog, fill_topic)
    qtbot.mouseClick(tab.btn_new, Qt.MouseButton.LeftButton)
    assert len(seen) == 1
    row = tab.current()
    assert row is not None and (row.number, row.stage, row.direction) == ("2026-01", "征求意见", "正序")
    assert enabled(tab) == {"btn_topic_opinion", "btn_topic_study"}

    def fill_opinion(d: OpinionDialog) -> None:
        qtbot.keyClicks(d.member.edit, "wjg")  # 拼音首字母 of the 书记
        assert d.member.list.isVisible() and "王建国" in d.member.list.item(0).text()
        qtbot.keyClick(d.member.edit, Qt.Key.Key_Return)
        d.speaker.edit.setText("刘大妈")  # not in the register: kept as typed
        d.fields["gathered_on"].set_date(date(2026, 3, 4))
        d.fields["content"].setPlainText("希望路灯装到村西口")
        qtbot.mouseClick(d.btn_save, Qt.MouseButton.LeftButton)

    seen = drive(monkeypatch, OpinionDialog, fill_opinion)
    qtbot.mouseClick(tab.buttons["btn_topic_opinion"][0], Qt.MouseButton.LeftButton)
    assert len(seen) == 1 and not seen[0].isVisible()
    assert tab.opinions.rowCount() == 1
    assert [tab.opinions.item(0, c).text() for c in range(5)] == ["2026-03-04", "王建国", "", "刘大妈",
                                                                  "希望路灯装到村西口"]
    qtbot.mouseClick(tab.buttons["btn_topic_study"][0], Qt.MouseButton.LeftButton)
    assert tab.current().stage == "支部研究"  # type: ignore[union-attr]
    assert enabled(tab) == {"btn_topic_answer"} and "下一步：填写“支部答复”" in tab.label_topic.text()


def test_an_empty_opinion_is_named_and_nothing_saved(qtbot: Any, village: AppContext,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    uid = village.unit_id
    topic_id = village.call(topics.open_topic, uid, "村内主街路灯安装", "倒序")
    tab = TopicsTab(village, Changes(), None)
    qtbot.addWidget(tab)
    shown: list[str] = []

    def fill(d: OpinionDialog) -> None:
        qtbot.mouseClick(d.btn_save, Qt.MouseButton.LeftButton)
        shown.append(" ".join(label.text() for label in d.findChildren(type(tab.label_topic)) if label.isVisible()))
        d.reject()

    drive(monkeypatch, OpinionDialog, fill)
    qtbot.mouseClick(tab.buttons["btn_topic_opinion"][0], Qt.MouseButton.LeftButton)
    assert "请填写意见内容" in shown[0]
    assert village.call(topics.get_topic, topic_id).opinions == []


def test_promote_a_ticket_from_the_tickets_page(qtbot: Any, window: Any) -> None:
    row = next(i for i in range(window.nav.count()) if window.nav.item(i).text() == "工单")
    window.nav.setCurrentRow(row)
    page = window.pages["page_tickets"]
    assert isinstance(page, TicketsPage)
    qtbot.waitUntil(lambda: page.model.total > 0)
    page.table.select_row(0)
    ticket = page.current()
    assert ticket is not None
    qtbot.mouseClick(page.btn_topic, Qt.MouseButton.LeftButton)
    assert "已转为环形互动议题" in page.info.text()
    made = [t for t in page.ctx.call(topics.list_topics, page.unit_id) if t.ticket_number == ticket.number]
    assert len(made) == 1 and made[0].direction == "倒序" and made[0].stage == "征求意见"
    qtbot.mouseClick(page.btn_topic, Qt.MouseButton.LeftButton)  # once only: said, nothing made
    from tests.ui.conftest import FakeMessageBox

    assert any("不能重复转入" in text for _kind, _title, text in FakeMessageBox.shown)
    assert len([t for t in page.ctx.call(topics.list_topics, page.unit_id) if t.ticket_number == ticket.number]) == 1

    # the 村务决策 page shows it, and the 工作台 line's key lists the overdue 落实 only
    window.nav.setCurrentRow(next(i for i in range(window.nav.count()) if window.nav.item(i).text() == "村务决策"))
    affairs = window.pages["page_affairs"]
    assert isinstance(affairs, AffairsPage)
    tab = affairs.findChild(TopicsTab)
    assert tab is not None and made[0].number in [t.number for t in tab.model.rows]
    affairs.show_filter("topics_overdue")
    assert affairs.tabs.currentWidget() is tab
    assert [t.stage for t in tab.model.rows] and all(t.overdue for t in tab.model.rows)


def test_open_affairs_notice_from_a_sheet_on_the_notices_page(qtbot: Any, window: Any, tmp_path: Any,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import openpyxl

    from ui.affairs.topic_dialogs import OpenAffairsDialog

    wb = openpyxl.Workbook()
    wb.active.append(["日期", "摘要", "支出（元）", "联系电话"])
    wb.active.append(["2026-01-05", "道路维修", 12500, "13812345678"])
    table = tmp_path / "财务收支.xlsx"
    wb.save(table)
    window.nav.setCurrentRow(next(i for i in range(window.nav.count()) if window.nav.item(i).text() == "公示与台账"))
    page = window.pages["page_notices"]

    import ui.affairs.topic_dialogs as topic_dialogs

    monkeypatch.setattr(topic_dialogs, "ask_open_path", lambda *_a, **_k: table)

    def fill(d: OpenAffairsDialog) -> None:
        d.fields["title"].setText("2026年1月财务收支情况")
        # 选择表格… has a row of its own: no field lies over it (the 公示正文 box once hid it)
        assert d.btn_table.isVisible()
        covered = [name for name, w in d.fields.items() if w.geometry().intersects(d.btn_table.geometry())]
        assert covered == []
        qtbot.mouseClick(d.btn_table, Qt.MouseButton.LeftButton)
        assert d.table_path.text() == str(table) and d.out_path.text().endswith("财务收支.pdf")
        d.out_path.clear()
        qtbot.mouseClick(d.btn_save, Qt.MouseButton.LeftButton)  # 保存到 empty: named, nothing made
        assert d.isVisible() and d.errors["out_path"].isVisible()
        d.out_path.setText(str(tmp_path / "公开.pdf"))
        qtbot.mouseClick(d.btn_save, Qt.MouseButton.LeftButton)

    seen = drive(monkeypatch, OpenAffairsDialog, fill)
    qtbot.mouseClick(page.btn_open_affairs, Qt.MouseButton.LeftButton)
    assert len(seen) == 1 and (tmp_path / "公开.pdf").exists()
    notice = page.current_notice()
    assert notice is not None and notice.title == "2026年1月财务收支情况" and notice.kind_label == "村务公开"
