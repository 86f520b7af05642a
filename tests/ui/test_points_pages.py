"""党员积分 and 三会一课 screens, driven like a user: clicks, keys, dialogs (never blocking)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QWizard

from app.services.context import AppContext
from app.services.points import assessments, meetings
from app.services.points import member_points as points
from app.services.points import rules as point_rules
from app.services.points.member_points import PointsQuery


def _go(window: Any, name: str) -> Any:
    for i in range(window.nav.count()):
        if window.nav.item(i).data(Qt.ItemDataRole.UserRole) == name:
            window.nav.setCurrentRow(i)
    return window.pages[name]


def _total(ctx: AppContext, member_id: int, year: int) -> Any:
    return ctx.call(points.member_totals, member_id, year).total


def _click_cell(qtbot: Any, table: Any, row: int, col: int) -> None:
    rect = table.visualRect(table.model().index(row, col))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_record_attendance_by_clicks_changes_the_members_total(
    qtbot: Any, window: Any, demo_ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ui.points.meetings_page as mp

    year = date.today().year
    unit = demo_ctx.unit_id
    branch = demo_ctx.call(meetings.list_meetings, unit, 2026)[0].org_id
    mid = demo_ctx.call(meetings.create_meeting, unit, meetings.MeetingInput(
        branch, "党课", datetime(year, 1, 20, 9), "学习党章"))
    page = _go(window, "page_meetings")
    page.spin_year.setValue(year)
    page.refresh(select_id=mid)
    assert page.current().id == mid
    table = page.table_attendance
    assert table.rowCount() >= 3
    present, on_leave, absent = (page.sheet[i] for i in range(3))
    before = {m.member_id: _total(demo_ctx, m.member_id, year) for m in (present, absent)}

    monkeypatch.setattr(mp.QInputDialog, "getText", staticmethod(lambda *a, **k: ("外出务工", True)))
    _click_cell(qtbot, table, 0, mp.STATE_COLUMNS["出席"])
    _click_cell(qtbot, table, 1, mp.STATE_COLUMNS["请假"])
    _click_cell(qtbot, table, 2, mp.STATE_COLUMNS["缺席"])
    assert table.item(0, mp.STATE_COLUMNS["出席"]).text() == mp.MARK
    assert table.item(1, 5).text() == "外出务工"
    shown = page.meetings_model.index(page.table_meetings.current_row(), 4)  # 出席/应到 follows each mark
    assert page.meetings_model.data(shown) == f"1/{len(page.sheet)}"
    sheet = {r.member_id: r for r in demo_ctx.call(meetings.attendance_sheet, mid)}
    assert (sheet[present.member_id].status, sheet[on_leave.member_id].status, sheet[absent.member_id].status) == (
        "出席", "请假", "缺席")

    monkeypatch.setattr(mp, "QMessageBox", _Yes)
    qtbot.mouseClick(page.btn_rest_present, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.btn_close, Qt.MouseButton.LeftButton)
    assert demo_ctx.call(meetings.get_meeting, mid).state == "已结束"
    assert _total(demo_ctx, present.member_id, year) == before[present.member_id] + 2  # 参加党课 +2
    assert _total(demo_ctx, absent.member_id, year) == before[absent.member_id] - 3  # 无故缺席党课 −3
    assert not page.btn_close.isEnabled()  # closed: the grid is fixed

    # the points page, when shown, has the new total
    ppage = _go(window, "page_points")
    ppage.spin_year.setValue(year)
    row = next(r for r in ppage.points_model.rows if r.member_id == absent.member_id)
    assert row.total == _total(demo_ctx, absent.member_id, year)


class _Yes:
    class StandardButton:
        Yes = 1

    @staticmethod
    def question(*_a: Any) -> int:
        return 1


def test_quick_entry_by_pinyin_enter_saves_and_stays(qtbot: Any, window: Any, demo_ctx: AppContext) -> None:
    page = _go(window, "page_points")
    quick = page.quick
    year = date.today().year
    page.spin_year.setValue(year)
    rule = next(quick.combo_rule.itemData(i) for i in range(quick.combo_rule.count())
                if quick.combo_rule.itemData(i).name == "双报到社区志愿服务")
    quick.combo_rule.setCurrentIndex(quick.combo_rule.findText(next(
        quick.combo_rule.itemText(i) for i in range(quick.combo_rule.count()) if quick.combo_rule.itemData(i) is rule)))
    assert quick.edit_date.text() == date.today().isoformat()
    target = next(r for r in demo_ctx.call(points.member_points, PointsQuery(demo_ctx.unit_id, year))
                  if r.category == "在职")
    from app.text import name_initials

    before = _total(demo_ctx, target.member_id, year)
    quick.edit_member.setFocus()
    qtbot.keyClicks(quick.edit_member, name_initials(target.name))
    for _ in range(quick.list_members.count()):  # pick our member among namesakes with the arrow key
        if quick.member_id() == target.member_id:
            break
        qtbot.keyClick(quick.edit_member, Qt.Key.Key_Down)
    assert quick.member_id() == target.member_id
    quick.edit_points.setText("3")
    qtbot.keyClick(quick.edit_member, Qt.Key.Key_Return)
    assert "已记分" in quick.label_status.text(), quick.label_status.text()
    assert _total(demo_ctx, target.member_id, year) == before + 3
    assert quick.edit_member.text() == "" and quick.combo_rule.currentData().id == rule.id  # stays for the next
    # a bad value is said beside the form, nothing saved
    qtbot.keyClicks(quick.edit_member, name_initials(target.name))
    while quick.member_id() != target.member_id:
        qtbot.keyClick(quick.edit_member, Qt.Key.Key_Down)
    quick.edit_points.setText("9")
    qtbot.keyClick(quick.edit_member, Qt.Key.Key_Return)
    assert "1–5" in quick.label_status.text()
    assert _total(demo_ctx, target.member_id, year) == before + 3


def test_member_detail_voids_an_entry(qtbot: Any, window: Any, demo_ctx: AppContext,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import ui.points.detail_dialog as dd

    page = _go(window, "page_points")
    page.spin_year.setValue(2026)
    row = page.current()
    dialog = dd.MemberPointsDialog(demo_ctx, row.member_id, row.name, 2026, page)
    qtbot.addWidget(dialog)
    entries = dialog.model.rows
    live = next(i for i, e in enumerate(entries) if not e.voided and e.rule_name != "基础分")
    before = _total(demo_ctx, row.member_id, 2026)
    dialog.table.select_row(live)
    monkeypatch.setattr(dd.QInputDialog, "getText", staticmethod(lambda *a, **k: ("重复录入", True)))
    qtbot.mouseClick(dialog.btn_void, Qt.MouseButton.LeftButton)
    after = dialog.model.rows
    assert len(after) == len(entries) and after[live].voided and after[live].void_reason == "重复录入"
    assert _total(demo_ctx, row.member_id, 2026) == before - entries[live].points
    assert "已作废" in dialog.model.index(live, 6).data()


def test_assessment_wizard_compute_review_publish(qtbot: Any, window: Any, demo_ctx: AppContext) -> None:
    from ui.points.assessment_wizard import AssessmentWizard

    wizard = AssessmentWizard(demo_ctx, demo_ctx.unit_id, 2026, window)
    qtbot.addWidget(wizard)
    wizard.show()
    assert "重新计算" in wizard.currentPage().label.text()
    wizard.button(QWizard.WizardButton.NextButton).click()  # compute
    review = wizard.currentPage()
    assert review.objectName() == "wizard_page_review"
    assert review.model.total == wizard.status.computed > 0
    assert sum(v for _l, v in review.chart.data) == wizard.status.computed
    wizard.button(QWizard.WizardButton.NextButton).click()
    publish = wizard.currentPage()
    assert not wizard.button(QWizard.WizardButton.FinishButton).isEnabled()  # confirm first
    publish.chk_confirm.setChecked(True)
    publish.chk_notice.setChecked(False)  # the 公示 at the end: tests/ui/test_headline_jobs.py
    wizard.button(QWizard.WizardButton.FinishButton).click()
    st = demo_ctx.call(assessments.assessment_status, demo_ctx.unit_id, 2026)
    assert st.state == "已发布"


def test_follow_up_dialog_and_rules_box(qtbot: Any, window: Any, demo_ctx: AppContext) -> None:
    from ui.points.assessment_wizard import FollowUpDialog

    row = demo_ctx.call(assessments.follow_up_list, demo_ctx.unit_id, 2025)[0]
    dialog = FollowUpDialog(demo_ctx, row, window)
    qtbot.addWidget(dialog)
    dialog.fields["on"].setText("")
    qtbot.mouseClick(dialog.btn_save, Qt.MouseButton.LeftButton)
    assert dialog.errors["on"].isVisibleTo(dialog) and dialog.result() != QDialog.DialogCode.Accepted
    dialog.fields["on"].setText("2026-02-01")
    dialog.fields["by"].setText("书记")
    dialog.fields["outcome"].setPlainText("再次谈话，本人表示改正")
    qtbot.mouseClick(dialog.btn_save, Qt.MouseButton.LeftButton)
    again = next(r for r in demo_ctx.call(assessments.follow_up_list, demo_ctx.unit_id, 2025) if r.id == row.id)
    assert again.records[-1].outcome == "再次谈话，本人表示改正"

    settings = _go(window, "page_settings")
    box = settings.findChild(object, "group_point_rules")
    assert box is not None and box.model.total >= 19
    box.spin_excellent.setValue(10)
    qtbot.mouseClick(box.btn_save_bands, Qt.MouseButton.LeftButton)
    assert "前 10%" in box.info.text()


def _wizard_to_review(qtbot: Any, window: Any, demo_ctx: AppContext, year: int) -> Any:
    from ui.points.assessment_wizard import AssessmentWizard

    wizard = AssessmentWizard(demo_ctx, demo_ctx.unit_id, year, window)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.button(QWizard.WizardButton.NextButton).click()  # compute
    assert wizard.currentPage().objectName() == "wizard_page_review"
    return wizard


def test_wizard_says_what_the_cap_rule_did_with_ties(qtbot: Any, window: Any, demo_ctx: AppContext) -> None:
    wizard = _wizard_to_review(qtbot, window, demo_ctx, 2026)
    text = wizard.currentPage().label.text()
    st = demo_ctx.call(assessments.assessment_status, demo_ctx.unit_id, 2026)
    excellent = st.distribution["优秀"]
    assert f"共 {st.computed} 人：优秀 {excellent} 名（{round(100 * excellent / st.computed)}%）" in text
    # the demo's 第一党支部 has members tied across its 优秀 line
    assert st.ties and all(line in text for line in st.ties)
    assert "按“名额不超比例”规则均评为良好" in text
    assert not wizard.currentPage().btn_decide.isVisible()  # nothing 待定 under this rule


def test_tie_rule_set_in_settings_and_decided_in_the_wizard(
    qtbot: Any, window: Any, demo_ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ui.points.assessment_wizard as aw
    from app.services.points import rules as point_rules

    settings = _go(window, "page_settings")
    box = settings.findChild(object, "group_point_rules")
    box.combo_ties.setCurrentIndex(box.combo_ties.findData("pending"))
    qtbot.mouseClick(box.btn_save_bands, Qt.MouseButton.LeftButton)
    assert demo_ctx.call(point_rules.get_grade_bands, demo_ctx.unit_id).ties == "pending"
    assert "列为待定，由支委会确定" in box.info.text()

    wizard = _wizard_to_review(qtbot, window, demo_ctx, 2026)
    review = wizard.currentPage()
    assert "列为待定（可评优秀或良好）" in review.label.text() and "全部确定后才能发布" in review.label.text()
    assert review.btn_decide.isVisible()
    pending = [i for i, r in enumerate(review.model.rows) if r.grade == "待定"]
    assert len(pending) == wizard.status.undecided >= 2
    asked: list[str] = []

    def choose(_parent: Any, _title: str, label: str, items: list[str], *_a: Any) -> tuple[str, bool]:
        asked.append(label)
        assert items == ["优秀", "良好"]
        return items[len(asked) % 2], True  # the 支委会's choice: alternately 良好 / 优秀

    monkeypatch.setattr(aw.QInputDialog, "getItem", staticmethod(choose))
    for i in pending:
        review.table.select_row(i)
        qtbot.mouseClick(review.btn_decide, Qt.MouseButton.LeftButton)
    assert len(asked) == len(pending) and wizard.status.undecided == 0
    assert all(r.grade != "待定" for r in review.model.rows)
    grades = [r.grade for r in review.model.rows if r.choices]
    assert grades.count("优秀") == len(pending) // 2
    assert f"支委会已确定优秀 {len(pending) // 2} 人" in review.label.text() and "人待定" not in review.label.text()
    wizard.button(QWizard.WizardButton.NextButton).click()
    wizard.currentPage().chk_confirm.setChecked(True)
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert demo_ctx.call(assessments.assessment_status, demo_ctx.unit_id, 2026).state == "已发布"


def test_points_page_hides_grades_of_a_stale_draft(qtbot: Any, window: Any, demo_ctx: AppContext) -> None:
    uid = demo_ctx.unit_id
    member = demo_ctx.call(assessments.list_assessment, uid, 2026)[0].member_id
    rule = next(r.id for r in demo_ctx.call(point_rules.list_rules, uid) if r.name == "受到上级表彰")
    demo_ctx.call(points.add_entry, points.EntryInput(member, rule, date(2026, 11, 20), "10",
                                                                    evidence="县级表彰"))
    page = _go(window, "page_points")
    page.spin_year.setValue(2026)
    # a point entered after the 2026 draft was computed: live figures, no grades
    assert all(r.grade is None and r.assessment_state == "待重新计算" for r in page.points_model.rows)
    assert "等次暂不显示" in page.info_points.text()
    assert "草稿计算之后积分记录有变动，请重新计算" in page.label_assessment.text()
    demo_ctx.call(assessments.compute_assessment, demo_ctx.unit_id, 2026)
    page.refresh()
    assert all(r.grade and r.assessment_state == "待发布" for r in page.points_model.rows)
    assert "等次暂不显示" not in page.info_points.text() and "请重新计算" not in page.label_assessment.text()
