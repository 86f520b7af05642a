"""四议两公开 tab from a blank village: 新建事项 through its dialog, then the first step's meeting ticked from
the roster (the 书记 founding the village made), the rule's result shown before 保存, and the steps after."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import Qt

from app.demo.ids import make_id_number
from app.services.affairs import decisions
from app.services.context import AppContext
from app.services.setup.first_start import VillageSetup, found_village
from tests.ui.dialogs import drive
from ui.affairs.decision_dialogs import DecisionDialog, StepDialog
from ui.affairs.decisions_tab import DecisionsTab
from ui.common.page import Changes


@pytest.fixture
def village(db: Any) -> AppContext:
    ctx = AppContext(db)
    ctx.set_unit(ctx.call(found_village, VillageSetup(
        "杏花村", org_name="中共杏花村支部委员会", org_kind="党支部", secretary_name="王建国",
        secretary_id_number=make_id_number("110111", date(1968, 4, 2), 13), secretary_joined_on=date(1995, 7, 1),
        secretary_since=date(2021, 1, 15))))
    return ctx


def test_new_decision_and_first_step_through_the_dialogs(qtbot: Any, village: AppContext,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    tab = DecisionsTab(village, Changes(), None)
    qtbot.addWidget(tab)
    tab.show()
    assert not tab.btn_step.isEnabled() and "还没有事项" in tab.label_title.text()

    def fill_decision(d: DecisionDialog) -> None:
        d.fields["title"].setText("村东排水沟硬化")
        d.fields["proposed_on"].set_date(date(2026, 3, 2))
        qtbot.mouseClick(d.btn_save, Qt.MouseButton.LeftButton)

    seen = drive(monkeypatch, DecisionDialog, fill_decision)
    tab.btn_new.click()
    assert len(seen) == 1
    row = tab.current()
    assert row is not None and (row.number, row.status) == ("2026-01", "进行中")
    assert tab.btn_step.isEnabled() and "党组织提议" in tab.btn_step.text()
    assert tab.steps.item(0, 1).text() == "下一步" and tab.btn_edit.isEnabled()

    shown: list[str] = []

    def fill_step(d: StepDialog) -> None:
        assert d.kind.currentText() == "支委会" and d.kind.count() == 1
        d.held_on.set_date(date(2026, 3, 3))
        d.held_on.editingFinished.emit()
        assert [d.table.item(i, 0).text() for i in range(d.table.rowCount())] == ["王建国"]
        assert d.table.item(0, 2).checkState() == Qt.CheckState.Checked  # 应到 ticked from the roster
        # both tick columns in view as the dialog opens (they were scrolled out at the right)
        header = d.table.horizontalHeader()
        assert header.sectionViewportPosition(3) + header.sectionSize(3) <= d.table.viewport().width()
        shown.append(d.label_rule.text())  # nobody present yet: the meeting cannot sit
        qtbot.mouseClick(d.btn_all, Qt.MouseButton.LeftButton)
        assert d.label_counts.text() == "应到 1 人，实到 1 人"
        d.votes["votes_for"].setValue(2)  # more votes than people: said before 保存
        shown.append(d.label_rule.text())
        d.votes["votes_for"].setValue(1)
        shown.append(d.label_rule.text())
        d.fields["minutes"].setPlainText("书记提议硬化村东排水沟")
        qtbot.mouseClick(d.btn_save, Qt.MouseButton.LeftButton)

    seen = drive(monkeypatch, StepDialog, fill_step)
    tab.btn_step.click()
    assert len(seen) == 1
    assert shown[0].startswith("不足法定人数：支委会：应到 1 人，实到 0 人")
    assert "超过了实到 1 人" in shown[1]
    assert shown[2].startswith("通过：")
    assert [tab.steps.item(i, 1).text() for i in range(3)] == ["已完成", "下一步", "未开始"]
    assert "赞成/反对/弃权 1/0/0" in tab.steps.item(0, 3).text()
    assert "两委会商议" in tab.btn_step.text() and not tab.btn_edit.isEnabled()  # a meeting has discussed it
    stored = village.call(decisions.get_decision, row.id).steps[0].meeting
    assert stored is not None and stored.minutes == "书记提议硬化村东排水沟" and stored.held_on == date(2026, 3, 3)


def test_workbench_key_shows_the_decisions_to_publish(qtbot: Any, village: AppContext) -> None:
    tab = DecisionsTab(village, Changes(), None)
    qtbot.addWidget(tab)
    assert not tab.show_filter("topics_overdue")  # another tab's line
    assert tab.show_filter("decisions_to_publish")
    assert tab.combo_status.currentText() == "待公开" and tab.model.total == 0


def test_attachment_buttons_act_on_the_picked_file(qtbot: Any, village: AppContext, tmp_path: Any,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import ui.affairs.decisions_tab as decisions_tab

    village.call(decisions.open_decision, village.unit_id, decisions.DecisionInput("村东排水沟硬化", date(2026, 3, 2)))
    tab = DecisionsTab(village, Changes(), None)
    qtbot.addWidget(tab)
    tab.show()
    assert tab.btn_attach.isEnabled() and tab.files.count() == 0
    assert not tab.btn_open.isEnabled() and not tab.btn_unattach.isEnabled()  # nothing to open or withdraw
    scan = tmp_path / "签到表.jpg"
    scan.write_bytes(b"\xff\xd8\xff\xe0 scan")
    monkeypatch.setattr(decisions_tab, "ask_open_path", lambda *_a, **_k: scan)
    qtbot.mouseClick(tab.btn_attach, Qt.MouseButton.LeftButton)
    assert tab.files.count() == 1 and "签到表.jpg" in tab.files.item(0).text()
    assert not tab.btn_unattach.isEnabled()  # listed, not yet picked
    tab.files.setCurrentRow(0)
    assert tab.btn_open.isEnabled() and tab.btn_unattach.isEnabled()
    qtbot.mouseClick(tab.btn_unattach, Qt.MouseButton.LeftButton)
    assert tab.files.count() == 0 and not tab.btn_unattach.isEnabled()


def _first_step(village: AppContext, present: int) -> int:
    """A decision whose 党组织提议 was held: the 书记 there (passed) or not (the quorum failed)."""
    from app.services.affairs.meetings import AffairsMeetingInput, roster

    did = village.call(decisions.open_decision, village.unit_id, decisions.DecisionInput("村东排水沟硬化", date(2026, 3, 2)))
    people = [p.resident_id for p in village.call(roster, village.unit_id, "支委会", date(2026, 3, 3))]
    village.call(decisions.record_step, did, "党组织提议", AffairsMeetingInput(
        "支委会", date(2026, 3, 3), people, people[:present], present, 0, 0, minutes="书记提议"))
    return did


def test_a_scan_is_added_to_the_meeting_picked_in_the_steps(qtbot: Any, village: AppContext, tmp_path: Any,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Each step is a meeting with its own attachments: pick the step, 添加附件, it is listed under that step."""
    import ui.affairs.decisions_tab as decisions_tab
    from app.services.affairs import attachments

    did = _first_step(village, 1)
    tab = DecisionsTab(village, Changes(), None)
    qtbot.addWidget(tab)
    tab.show()
    scan = tmp_path / "支委会签到表.jpg"
    scan.write_bytes(b"\xff\xd8\xff\xe0 scan")
    monkeypatch.setattr(decisions_tab, "ask_open_path", lambda *_a, **_k: scan)
    rect = tab.steps.visualItemRect(tab.steps.item(0, 0))
    qtbot.mouseClick(tab.steps.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert tab.btn_attach.text() == "为“党组织提议”添加附件…"
    qtbot.mouseClick(tab.btn_attach, Qt.MouseButton.LeftButton)
    assert [tab.files.item(i).text().split("（")[0] for i in range(tab.files.count())] == ["党组织提议：支委会签到表.jpg"]
    assert tab.steps.item(0, 3).text().endswith("；附件 1 件") and tab.steps.currentRow() == 0
    meeting = village.call(decisions.get_decision, did).steps[0].meeting
    assert meeting is not None
    assert [a.file_name for a in village.call(attachments.list_attachments, "affairs_meeting", meeting.id)] == [
        "支委会签到表.jpg"]
    assert village.call(attachments.list_attachments, "decision", did) == []

    # a step without a meeting yet (两委会商议): the scan goes to the decision
    rect = tab.steps.visualItemRect(tab.steps.item(1, 0))
    qtbot.mouseClick(tab.steps.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert tab.btn_attach.text() == "添加附件…"
    qtbot.mouseClick(tab.btn_attach, Qt.MouseButton.LeftButton)
    assert [tab.files.item(i).text().split("（")[0] for i in range(tab.files.count())] == [
        "事项：支委会签到表.jpg", "党组织提议：支委会签到表.jpg"]


def test_the_step_text_wraps_whole_and_the_next_step_fits(qtbot: Any, village: AppContext) -> None:
    """A failed quorum's 情况 is read whole (wrapped in a taller row, with a tooltip); the list's 下一步 column
    holds the longest step name without sideways scrolling."""
    from PySide6.QtCore import QRect
    from PySide6.QtWidgets import QSplitter

    _first_step(village, 0)
    village.call(decisions.open_decision, village.unit_id, decisions.DecisionInput("文化广场健身器材", date(2026, 3, 4)))
    tab = DecisionsTab(village, Changes(), None)
    qtbot.addWidget(tab)
    tab.resize(1160, 660)  # what a 1366 screen leaves beside the navigation
    tab.show()
    qtbot.waitExposed(tab)
    table = tab.table
    assert table.horizontalScrollBar().maximum() == 0
    split = tab.findChild(QSplitter)
    assert split.sizes()[0] >= table.natural_width() - 2
    col = 4  # 下一步
    longest = max(("村民代表会议决议", "实施结果公开"), key=table.fontMetrics().horizontalAdvance)
    assert table.columnWidth(col) >= table.fontMetrics().horizontalAdvance(longest) + 8

    tab.resize(900, 660)  # a narrower window: the steps' 情况 wraps rather than scrolling sideways
    qtbot.waitUntil(lambda: tab.steps.width() < 560)
    tab.table.select_row(1)  # the failed one (the newer is listed first)
    steps = tab.steps
    text = steps.item(0, 3).text()
    assert text == "支委会，应到 1 人，实到 0 人，不足法定人数"  # no vote was taken: said once
    assert steps.item(0, 3).toolTip() == text
    header = steps.horizontalHeader()
    assert header.sectionViewportPosition(3) + header.sectionSize(3) <= steps.viewport().width()
    room = QRect(0, 0, header.sectionSize(3) - 8, 10_000)
    needed = steps.fontMetrics().boundingRect(room, int(Qt.TextFlag.TextWordWrap), text).height()
    assert needed > steps.fontMetrics().height(), "the text should need two lines at this width"
    assert steps.rowHeight(0) >= needed


def test_after_publishing_the_message_names_the_notices_page(qtbot: Any, village: AppContext, tmp_path: Any,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The page where a 公示 is printed is 「公示与台账」 (as the 环形互动 tab says too)."""
    from types import SimpleNamespace

    import ui.affairs.decisions_tab as decisions_tab

    _first_step(village, 1)
    tab = DecisionsTab(village, Changes(), None)
    qtbot.addWidget(tab)
    out = tmp_path / "决议公开.pdf"
    monkeypatch.setattr(decisions_tab, "ask_save_path", lambda *_a, **_k: out)
    info = SimpleNamespace(number="2026-003", title="村东排水沟硬化决议公开", path=out, period_text="公示期 5 天")
    monkeypatch.setattr(decisions, "publish_resolution", lambda *_a, **_k: info)
    said: list[str] = []
    monkeypatch.setattr(decisions_tab.QMessageBox, "information", lambda _p, _t, text: said.append(text))
    tab.publish(result=False)
    assert len(said) == 1 and "可在“公示与台账”页打印" in said[0]
