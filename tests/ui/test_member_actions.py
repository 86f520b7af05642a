"""党员 from a blank village, by clicks: 任职 (书记, 党小组长), 联系户 from the member's panel, the household's panel
and the 联系户覆盖 gap list, the next 发展党员 step, 转出, 去世, 转入, 恢复 and 删除（误录）."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTabWidget,
    QWidget,
)

from app.db import Database
from app.demo.ids import make_id_number
from app.services.context import AppContext
from app.services.org import member_posts, members, roster_changes
from app.services.org import tree as org
from app.services.org.member_checks import MemberInput
from app.services.org.members import MemberQuery
from app.services.org.roster_changes import LeaveInput
from app.services.org.tree import OrgInput
from app.services.people import households
from app.services.people import residents as people
from app.services.people.households import HouseholdInput
from app.services.people.residents import ResidentInput
from app.services.setup import founding
from tests.ui.conftest import FakeMessageBox
from tests.ui.dialogs import drive
from ui.common.page import Changes
from ui.org.contact_dialogs import ContactDialog, HouseholdContactDialog
from ui.org.leave_dialogs import LeaveDialog, TransferInDialog
from ui.org.member_dialog import MemberDialog
from ui.org.page import MembersPage
from ui.org.post_dialogs import PostDialog
from ui.org.stage_dialog import StageDialog


def rid(birth: date, seq: int) -> str:
    return make_id_number("110105", birth, seq)


@pytest.fixture
def village(db: Database) -> tuple[AppContext, dict[str, int]]:
    """A blank village built through the services: 党总支 → 第一党支部 (→ 第一党小组), 第二党支部; three members,
    an applicant, two households."""
    t: dict[str, int] = {}
    with db.session() as s:
        t["vid"] = vid = founding.create_unit(s, "东坟村", "城关街道", "房山区")
        t["zongzhi"] = org.create_org(s, vid, OrgInput("东坟村党总支", "党总支"))
        t["b1"] = org.create_org(s, vid, OrgInput("第一党支部", "党支部", t["zongzhi"], sort_order=1))
        t["b2"] = org.create_org(s, vid, OrgInput("第二党支部", "党支部", t["zongzhi"], sort_order=2))
        t["g1"] = org.create_org(s, vid, OrgInput("第一党小组", "党小组", t["b1"]))
        for name, seq, branch, group in (("张三", 11, "b1", "g1"), ("李四", 21, "b1", None), ("王五", 31, "b2", None)):
            t[name] = members.add_member(s, vid, MemberInput(
                name, rid(date(1960, 1, 1), seq), org_id=t[branch], group_id=t[group] if group else None,
                joined_on=date(2000, 7, 1), confirmed_on=date(2001, 7, 1)))
        t["周申"] = members.add_member(s, vid, MemberInput(
            "周申", rid(date(1995, 1, 1), 41), org_id=t["b2"], stage="申请入党", applied_on=date(2023, 3, 1)))
        for number, head in (("001", "陈大"), ("002", "刘二")):
            t[number] = households.add_household(s, vid, HouseholdInput(number, f"东坟村{number}号"))
            people.add_resident(s, vid, ResidentInput(head, household_id=t[number], relation="户主"))
    ctx = AppContext(db)
    ctx.set_unit(t["vid"])
    return ctx, t


@pytest.fixture
def boxes(monkeypatch: pytest.MonkeyPatch) -> type[FakeMessageBox]:
    import ui.org.member_actions
    import ui.partywork.transfers_tab

    monkeypatch.setattr(ui.org.member_actions, "QMessageBox", FakeMessageBox)
    monkeypatch.setattr(ui.partywork.transfers_tab, "QMessageBox", FakeMessageBox)  # 转出 offers the 介绍信
    return FakeMessageBox


@pytest.fixture
def changes() -> Changes:
    return Changes()


@pytest.fixture
def page(qtbot: Any, village: tuple[AppContext, dict[str, int]], changes: Changes, boxes: Any) -> MembersPage:
    p = MembersPage(village[0], changes)
    qtbot.addWidget(p)
    p.resize(1300, 760)
    p.show()
    qtbot.waitExposed(p)
    return p


def click(qtbot: Any, w: QWidget | None) -> None:
    assert w is not None and w.isEnabled() and w.isVisible(), w
    qtbot.mouseClick(w, Qt.MouseButton.LeftButton)


def type_into(qtbot: Any, edit: QLineEdit | None, text: str) -> None:
    assert edit is not None
    edit.setFocus()
    edit.selectAll()
    if text.isascii():
        qtbot.keyClicks(edit, text)
    else:
        edit.insert(text)  # an input method commits 汉字 as a whole


def choose(combo: QComboBox | None, data: object) -> None:
    assert combo is not None
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


def click_list_item(qtbot: Any, lst: QListWidget | None, row: int = 0) -> None:
    assert lst is not None and lst.count() > row
    rect = lst.visualItemRect(lst.item(row))
    qtbot.mouseClick(lst.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def errors(dialog: QWidget) -> dict[str, str]:
    return {e.objectName(): e.text() for e in dialog.findChildren(QLabel)
            if e.objectName().startswith("err_") and e.isVisible()}


def select_member(qtbot: Any, page: MembersPage, name: str) -> None:
    row = page.members_model.find_row(lambda m: m.name == name, fetch_all=True)
    assert row >= 0, name
    table = page.table_members
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(table.model().index(row, 0)).center())
    current = page.current_member()
    assert current is not None and current.name == name


def save(qtbot: Any, dialog: QWidget) -> None:
    click(qtbot, dialog.findChild(QPushButton, "btn_save"))


def detail(page: MembersPage) -> str:
    return page.text_member_detail.toPlainText()


# ---------------------------------------------------------------- 任职


def test_appoint_a_secretary_and_a_group_leader(qtbot: Any, page: MembersPage, village: Any, monkeypatch: Any) -> None:
    ctx, t = village
    select_member(qtbot, page, "张三")

    def secretary(d: Any) -> None:
        choose(d.findChild(QComboBox, "field_post"), "书记")
        assert d.findChild(QComboBox, "field_org").currentData() == t["b1"]  # the member's branch
        type_into(qtbot, d.findChild(QLineEdit, "field_start_on"), "2021-01-05")
        type_into(qtbot, d.findChild(QLineEdit, "field_note"), "主持全面工作")
        save(qtbot, d)

    seen = drive(monkeypatch, PostDialog, secretary)
    click(qtbot, page.findChild(QPushButton, "btn_appoint_post"))
    assert seen[0].result() == 1, errors(seen[0])
    assert "第一党支部 书记（2021-01-05 至 今）" in detail(page) and "主持全面工作" in detail(page)

    # a second 书记 of the same branch is refused beside the post, naming the current one
    select_member(qtbot, page, "李四")

    def second(d: Any) -> None:
        choose(d.findChild(QComboBox, "field_post"), "书记")
        save(qtbot, d)
        assert errors(d) == {"err_post": "第一党支部现任书记是 张三，请先结束其任职"}
        d.reject()

    drive(monkeypatch, PostDialog, second)
    click(qtbot, page.findChild(QPushButton, "btn_appoint_post"))

    # 党小组长: the dialog offers the member's own group
    select_member(qtbot, page, "张三")

    def leader(d: Any) -> None:
        choose(d.findChild(QComboBox, "field_post"), "党小组长")
        assert d.findChild(QComboBox, "field_org").currentData() == t["g1"]
        save(qtbot, d)

    seen = drive(monkeypatch, PostDialog, leader)
    click(qtbot, page.findChild(QPushButton, "btn_appoint_post"))
    assert seen[0].result() == 1, errors(seen[0])
    assert page.current_member().posts == "书记、党小组长"  # type: ignore[union-attr]  (members.posts_text)

    # the 乡风文明积分 page now offers him as the scorer
    from ui.points.household_page import HouseholdPointsPage

    points = HouseholdPointsPage(ctx, page.changes)
    qtbot.addWidget(points)
    scorer = points.findChild(QComboBox, "combo_household_scorer")
    assert [scorer.itemText(i) for i in range(scorer.count())] == ["张三（第一党小组组长）"]
    assert scorer.currentData() == t["张三"]


# ---------------------------------------------------------------- 联系户


def test_contact_from_the_member_panel_then_ended(qtbot: Any, page: MembersPage, village: Any, monkeypatch: Any) -> None:
    ctx, t = village
    select_member(qtbot, page, "王五")
    assert not page.findChild(QPushButton, "btn_end_contact").isEnabled()

    def pick(d: Any) -> None:
        type_into(qtbot, d.findChild(QLineEdit, "edit_contact_household"), "001")
        click_list_item(qtbot, d.findChild(QListWidget, "list_contact_household"))
        save(qtbot, d)

    seen = drive(monkeypatch, ContactDialog, pick)
    click(qtbot, page.findChild(QPushButton, "btn_add_contact"))
    assert seen[0].result() == 1, errors(seen[0])
    assert "现联系 1 户" in detail(page) and "001 陈大" in detail(page)
    assert "王五 现联系 1 户" in page.info_members.text()

    from ui.org.contact_dialogs import EndContactDialog

    def end(d: Any) -> None:
        type_into(qtbot, d.findChild(QLineEdit, "field_until"), date.today().isoformat())
        save(qtbot, d)

    seen = drive(monkeypatch, EndContactDialog, end)
    click(qtbot, page.findChild(QPushButton, "btn_end_contact"))
    assert seen[0].result() == 1, errors(seen[0])
    assert "已结束的联系户 1 户" in detail(page)
    assert ctx.call(member_posts.household_contacts, t["001"]) == []


def test_contact_from_the_household_panel(qtbot: Any, village: Any, changes: Changes, page: MembersPage,
                                          monkeypatch: Any) -> None:
    from ui.people.page import ResidentsPage

    ctx, t = village
    residents = ResidentsPage(ctx, changes)
    qtbot.addWidget(residents)
    residents.show()
    qtbot.waitExposed(residents)
    row = residents.households_model.find_row(lambda h: h.number == "002", fetch_all=True)
    table = residents.table_households
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(table.model().index(row, 0)).center())

    def pick(d: Any) -> None:
        assert "002" in d.windowTitle() and d.findChild(QLabel, "label_household_contacts").text().endswith("无")
        type_into(qtbot, d.findChild(QLineEdit, "edit_contact_member"), "ls")  # 李四 by 拼音首字母
        click_list_item(qtbot, d.findChild(QListWidget, "list_contact_member"))
        save(qtbot, d)

    seen = drive(monkeypatch, HouseholdContactDialog, pick)
    click(qtbot, residents.findChild(QPushButton, "btn_household_contact"))
    assert seen[0].result() == 1, errors(seen[0])
    assert [c.name for c in ctx.call(member_posts.household_contacts, t["002"])] == ["李四"]
    select_member(qtbot, page, "李四")  # the member page followed the change ("member")
    assert "002 刘二" in detail(page)


def test_contact_from_the_coverage_gap_list(qtbot: Any, village: Any, changes: Changes, monkeypatch: Any) -> None:
    from ui.grid.page import GridMapPage

    ctx, t = village
    grid_page = GridMapPage(ctx, changes)
    qtbot.addWidget(grid_page)
    grid_page.show()
    qtbot.waitExposed(grid_page)
    qtbot.waitUntil(lambda: not grid_page.is_busy())
    tabs = grid_page.findChild(QTabWidget, "tabs_grid_side")
    bar = tabs.tabBar()
    tab = next(i for i in range(tabs.count()) if tabs.tabText(i) == "联系户覆盖")
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(tab).center())
    gaps = grid_page.findChild(QListWidget, "list_uncovered")
    assert gaps.isVisible()
    assert [gaps.item(i).text().split()[0] for i in range(gaps.count())] == ["001", "002"]
    click_list_item(qtbot, gaps, 1)

    def pick(d: Any) -> None:
        type_into(qtbot, d.findChild(QLineEdit, "edit_contact_member"), "ww")  # 王五
        click_list_item(qtbot, d.findChild(QListWidget, "list_contact_member"))
        save(qtbot, d)

    seen = drive(monkeypatch, HouseholdContactDialog, pick)
    click(qtbot, grid_page.findChild(QPushButton, "btn_assign_contact"))
    assert seen[0].result() == 1, errors(seen[0])
    qtbot.waitUntil(lambda: not grid_page.is_busy())
    gaps = grid_page.findChild(QListWidget, "list_uncovered")
    assert [gaps.item(i).text().split()[0] for i in range(gaps.count())] == ["001"]  # the gap is gone
    assert [c.name for c in ctx.call(member_posts.household_contacts, t["002"])] == ["王五"]


# ---------------------------------------------------------------- 发展党员


def test_an_applicant_moves_one_stage(qtbot: Any, page: MembersPage, village: Any, monkeypatch: Any) -> None:
    ctx, t = village
    choose(page.combo_stage, "pipeline")
    select_member(qtbot, page, "周申")
    button = page.findChild(QPushButton, "btn_next_stage")
    assert button.text() == "确定为入党积极分子…"
    assert not page.findChild(QPushButton, "btn_appoint_post").isEnabled()  # no posts for an applicant

    def step(d: Any) -> None:
        assert d.findChild(QLabel, "label_on").text().startswith("确定为积极分子日期")
        type_into(qtbot, d.findChild(QLineEdit, "field_on"), "2023-01-01")  # before the application
        save(qtbot, d)
        assert "不能早于申请入党日期" in errors(d)["err_on"]
        type_into(qtbot, d.findChild(QLineEdit, "field_on"), "2023-09-01")
        save(qtbot, d)

    seen = drive(monkeypatch, StageDialog, step)
    click(qtbot, button)
    assert seen[0].result() == 1, errors(seen[0])
    d = ctx.call(members.get_member, t["周申"])
    assert (d.row.stage, d.activist_on) == ("入党积极分子", date(2023, 9, 1))
    assert page.findChild(QPushButton, "btn_next_stage").text() == "确定为发展对象…"


# ---------------------------------------------------------------- 新增/编辑党员: every problem at once


def test_add_member_shows_every_problem_at_once(qtbot: Any, page: MembersPage, village: Any, monkeypatch: Any) -> None:
    """An unreadable date (the form's own check) no longer hides what 保存 would refuse: a wrong 身份证号 and
    a 流动党员 without 流出地 show beside their fields at the same press, and nothing is saved."""
    ctx, t = village
    before = ctx.call(members.count_members, MemberQuery(t["vid"]))

    def fill(d: Any) -> None:
        type_into(qtbot, d.findChild(QLineEdit, "field_name"), "赵六")
        type_into(qtbot, d.findChild(QLineEdit, "field_id_number"), "11010519600101")  # too short
        type_into(qtbot, d.findChild(QLineEdit, "field_joined_on"), "2020-13-45")  # no such date
        choose(d.findChild(QComboBox, "field_member_type"), "流动")  # and no 流出地
        save(qtbot, d)
        shown = errors(d)
        assert {"err_id_number", "err_joined_on", "err_flow_out_place"} <= set(shown), shown
        assert "身份证号" in shown["err_id_number"] and "流出地" in shown["err_flow_out_place"]
        d.reject()

    seen = drive(monkeypatch, MemberDialog, fill)
    click(qtbot, page.findChild(QPushButton, "btn_add_member"))
    assert seen and seen[0].result() == 0
    assert ctx.call(members.count_members, MemberQuery(t["vid"])) == before


def test_edit_member_shows_every_problem_at_once(qtbot: Any, page: MembersPage, village: Any, monkeypatch: Any) -> None:
    ctx, t = village
    select_member(qtbot, page, "李四")

    def fill(d: Any) -> None:
        type_into(qtbot, d.findChild(QLineEdit, "field_confirmed_on"), "2001-02-30")  # no such date
        choose(d.findChild(QComboBox, "field_member_type"), "流动")  # and no 流出地
        save(qtbot, d)
        shown = errors(d)
        assert {"err_confirmed_on", "err_flow_out_place"} <= set(shown), shown
        assert "流出地" in shown["err_flow_out_place"]
        d.reject()

    seen = drive(monkeypatch, MemberDialog, fill)
    click(qtbot, page.findChild(QPushButton, "btn_edit_member"))
    assert seen and seen[0].result() == 0
    kept = ctx.call(members.member_input, t["李四"])
    assert kept.member_type != "流动" and kept.confirmed_on == date(2001, 7, 1)


# ---------------------------------------------------------------- leaving, 转入, 恢复, 删除


def test_transfer_out_and_a_death(qtbot: Any, page: MembersPage, village: Any, monkeypatch: Any,
                                  tmp_path: Any) -> None:
    import ui.partywork.transfers_tab

    ctx, t = village
    letters: list[Any] = []
    monkeypatch.setattr(ui.partywork.transfers_tab, "ask_save_path",
                        lambda _p, _t, name, *_a, **_k: letters.append(tmp_path / name) or tmp_path / name)
    select_member(qtbot, page, "李四")

    def out(d: Any) -> None:
        assert d.findChild(QComboBox, "field_kind").currentData() == "转出"
        assert not d.findChild(QWidget, "field_exit_mode").isVisible()
        save(qtbot, d)
        assert errors(d) == {"err_left_to": "请填写转往党组织"}
        type_into(qtbot, d.findChild(QLineEdit, "field_left_to"), "县委办公室党支部")
        type_into(qtbot, d.findChild(QLineEdit, "field_letter_no"), "2024-012")
        save(qtbot, d)

    seen = drive(monkeypatch, LeaveDialog, out)
    click(qtbot, page.findChild(QPushButton, "btn_leave_member"))
    assert seen[0].result() == 1, errors(seen[0])
    # the 转出 offered its 介绍信 (answered 是): issued with the number typed and saved as a PDF
    assert len(letters) == 1 and letters[0].exists() and "2024-012" in letters[0].name
    names = [page.members_model.row_at(i).name for i in range(page.members_model.rowCount())]  # type: ignore[union-attr]
    assert "李四" not in names
    click(qtbot, page.findChild(QWidget, "check_include_left"))
    select_member(qtbot, page, "李四")
    assert "转出 至 县委办公室党支部，介绍信编号 2024-012" in detail(page)
    assert page.findChild(QPushButton, "btn_restore_member").isVisible()
    assert not page.findChild(QPushButton, "btn_leave_member").isVisible()

    select_member(qtbot, page, "王五")

    def death(d: Any) -> None:
        choose(d.findChild(QComboBox, "field_kind"), "死亡")
        assert d.findChild(QWidget, "field_resident_died").isVisible()
        assert not d.findChild(QWidget, "field_left_to").isVisible()
        save(qtbot, d)

    seen = drive(monkeypatch, LeaveDialog, death)
    click(qtbot, page.findChild(QPushButton, "btn_leave_member"))
    assert seen[0].result() == 1, errors(seen[0])
    select_member(qtbot, page, "王五")
    assert "去世" in detail(page)
    resident = ctx.call(people.get_resident, ctx.call(members.get_member, t["王五"]).row.resident_id)
    assert resident.status == "死亡"


def test_register_a_transfer_in(qtbot: Any, page: MembersPage, village: Any, monkeypatch: Any) -> None:
    ctx, t = village
    id_number = rid(date(1982, 3, 4), 51)

    def fill(d: Any) -> None:
        assert d.objectName() == "dlg_transfer_in" and d.windowTitle() == "转入党员"
        type_into(qtbot, d.findChild(QLineEdit, "field_name"), "赵来")
        type_into(qtbot, d.findChild(QLineEdit, "field_id_number"), id_number)
        choose(d.findChild(QComboBox, "field_org"), t["b2"])
        type_into(qtbot, d.findChild(QLineEdit, "field_joined_on"), "2005-07-01")
        type_into(qtbot, d.findChild(QLineEdit, "field_confirmed_on"), "2006-07-01")
        save(qtbot, d)
        assert errors(d) == {"err_arrived_from": "请填写转出党组织"}
        type_into(qtbot, d.findChild(QLineEdit, "field_arrived_from"), "城关镇东村党支部")
        type_into(qtbot, d.findChild(QLineEdit, "field_arrived_on"), "2024-04-01")
        type_into(qtbot, d.findChild(QLineEdit, "field_arrived_letter_no"), "城组转字7号")
        save(qtbot, d)

    seen = drive(monkeypatch, TransferInDialog, fill)
    click(qtbot, page.findChild(QPushButton, "btn_transfer_in"))
    assert seen[0].result() == 1, errors(seen[0])
    current = page.current_member()
    assert current is not None and current.name == "赵来"
    assert "2024-04-01 自 城关镇东村党支部 转入，介绍信编号 城组转字7号" in detail(page)
    assert ctx.call(members.get_member, current.id).row.joined_on == date(2005, 7, 1)


def test_restore_an_ending_entered_by_mistake(qtbot: Any, page: MembersPage, village: Any, boxes: Any) -> None:
    ctx, t = village
    ctx.call(member_posts.add_contact, t["张三"], t["001"], date(2024, 1, 1))
    ctx.call(roster_changes.end_membership, t["张三"], LeaveInput("死亡", date.today()))
    page.refresh()
    click(qtbot, page.findChild(QWidget, "check_include_left"))
    select_member(qtbot, page, "张三")
    click(qtbot, page.findChild(QPushButton, "btn_restore_member"))
    assert [b[0] for b in boxes.shown] == ["question", "information"]
    assert "重新生效：联系户 001" in boxes.shown[1][2]
    assert page.current_member().left_on is None  # type: ignore[union-attr]
    assert "现联系 1 户" in detail(page)
    click(qtbot, page.findChild(QWidget, "check_include_left"))
    assert "张三" in [r.name for r in page.members_model.rows]


def test_delete_a_member_entered_today(qtbot: Any, page: MembersPage, village: Any, boxes: Any) -> None:
    ctx, t = village
    ctx.call(members.add_member, t["vid"], MemberInput("错录", rid(date(1970, 1, 1), 61), org_id=t["b1"],
                                                       joined_on=date(2000, 7, 1)))
    ctx.call(member_posts.add_contact, t["张三"], t["001"], date(2024, 1, 1))
    page.refresh()
    select_member(qtbot, page, "错录")
    click(qtbot, page.findChild(QPushButton, "btn_delete_member"))
    assert "已删除党员 错录 及同时登记的居民信息" in page.info_members.text()
    assert ctx.call(members.count_members, MemberQuery(t["vid"], text="错录", include_left=True)) == 0
    # a member something refers to: the message names it and suggests leaving instead
    select_member(qtbot, page, "张三")
    click(qtbot, page.findChild(QPushButton, "btn_delete_member"))
    QApplication.processEvents()
    warning = [b for b in boxes.shown if b[0] == "warning"]
    assert warning and "1 条联系户记录引用" in warning[0][2] and "转出、去世" in warning[0][2]
