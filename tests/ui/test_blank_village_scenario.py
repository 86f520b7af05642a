"""Issue 17, end to end: a village that starts from an empty database and is entered by clicking and typing only,
through the main window and its pages — no demo, no import, no service call that writes.

The set-up (village, 党总支, 书记, 公示 numbers) → the 党组织 tree (two 党支部, a 党小组, a 功能型党小组) → five
党员 (three stay on the roster, one dies, one is transferred out) → a 书记 and a 党小组长 → two 户 with
residents → a grid drawn on the map with both households dragged into it → 联系户 from the 联系户覆盖 gap
list → a 乡风文明积分 entry scored by the 党小组长 → a death and a 转出 → the 党员花名册 exported and read
back with openpyxl. Along the way the 开始使用 checklist ticks, and the 操作日志 holds every change.

Services are called only to check what was saved. The user's hands are in scenario_helpers.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QLineEdit, QListWidget, QTabWidget, QWidget

from app.db import Database
from app.demo.ids import make_id_number
from app.services import units
from app.services.context import AppContext
from app.services.grid import grids as grid
from app.services.org import member_posts, members
from app.services.org.members import MemberQuery
from app.services.people import households
from app.services.people.households import HouseholdQuery
from app.services.safety import audit_log
from app.services.setup import checklist
from tests.ui.conftest import FakeMessageBox
from tests.ui.dialogs import drive
from tests.ui.scenario_helpers import (
    accepted,
    button,
    choose,
    choose_text,
    click,
    click_list_item,
    click_map,
    click_nav,
    click_row,
    click_tree_item,
    column_texts,
    drag_household_onto_map,
    field,
    list_texts,
    opened,
    pick,
    quiet_message_boxes,
    save,
    ticks,
    type_field,
    type_into,
)
from ui.grid.dialogs import GridDialog
from ui.main_window import MainWindow
from ui.notices.export_dialog import LedgerExportDialog
from ui.org.contact_dialogs import HouseholdContactDialog
from ui.org.leave_dialogs import LeaveDialog
from ui.org.member_dialog import MemberDialog
from ui.org.org_dialogs import OrgDialog
from ui.org.org_members import AddOrgMemberDialog, OrgMembersDialog
from ui.org.post_dialogs import PostDialog
from ui.people.dialogs import HouseholdDialog, ResidentDialog
from ui.setup.first_start import FirstStartDialog

VILLAGE = "杏花村"
TOP_ORG = "中共杏花村总支部委员会"
BRANCH_1, BRANCH_2 = "第一党支部", "第二党支部"
GROUP = "第一党小组"
FUNCTIONAL = "产业发展功能型党小组"
KEYS = checklist.CHECKLIST_KEYS

# name, 拼音首字母, birth, sequence (odd: 男), 所在支部, 党小组, 入党日期, 转正日期
MEMBERS = [
    ("张伟", "zw", date(1975, 3, 1), 11, BRANCH_1, GROUP, "2005-07-01", "2006-07-01"),
    ("李娜", "ln", date(1980, 5, 12), 22, BRANCH_1, None, "2008-06-20", "2009-06-20"),
    ("王强", "wq", date(1978, 8, 8), 31, BRANCH_2, None, "2010-07-01", "2011-07-01"),
    ("赵六", "zl", date(1940, 2, 2), 41, BRANCH_2, None, "1965-07-01", "1966-07-01"),  # dies
    ("孙七", "sq", date(1990, 9, 9), 51, BRANCH_1, GROUP, "2015-07-01", "2016-07-01"),  # is transferred out
]
# 户号, 门牌, [(name, birth, sequence, 与户主关系)]
HOUSEHOLDS = [
    ("0001", "杏花村东街1号", [("陈大山", date(1962, 4, 4), 61, "户主"), ("刘秀英", date(1964, 6, 6), 72, "配偶")]),
    ("0002", "杏花村西街8号", [("周福贵", date(1958, 1, 9), 81, "户主"), ("周小明", date(1988, 3, 3), 91, "子")]),
]
SECRETARY_ID = make_id_number("141121", date(1968, 4, 2), 13)
TRANSFER_TO = "中共城关镇机关支部委员会"
LETTER_NO = "城组转字2025-012"


def id_of(birth: date, seq: int) -> str:
    return make_id_number("141121", birth, seq)


@pytest.fixture
def ctx(db: Database) -> AppContext:
    return AppContext(db)  # an empty database: no village yet


def test_a_blank_village_entered_by_clicks_and_typing(qtbot: Any, ctx: AppContext, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # ---- 1. the first start: the set-up dialog (ui/main.py shows it before the window on an empty database)
    assert ctx.unit_id is None
    quiet_message_boxes(monkeypatch)

    def set_up(d: FirstStartDialog) -> None:
        type_field(qtbot, d, "name", VILLAGE)
        type_field(qtbot, d, "township", "城关镇")
        type_field(qtbot, d, "county", "汾阳县")
        type_field(qtbot, d, "contact_person", "李会计")
        type_field(qtbot, d, "contact_phone", "13812345678")
        type_field(qtbot, d, "committee_phone", "0358-7221234")
        choose(field(d, "org_kind"), "党总支")
        assert field(d, "org_name").text() == TOP_ORG  # suggested from the village's name and the kind
        type_field(qtbot, d, "secretary_name", "王建国")
        type_field(qtbot, d, "secretary_id_number", SECRETARY_ID)
        type_field(qtbot, d, "secretary_joined_on", "1995-07-01")
        type_field(qtbot, d, "secretary_since", "2021-01-15")
        click(qtbot, button(d, "btn_create_unit"))

    seen = drive(monkeypatch, FirstStartDialog, set_up)
    dialog = FirstStartDialog(ctx)
    qtbot.addWidget(dialog)
    result = dialog.exec()
    accepted(seen)
    assert result == QDialog.DialogCode.Accepted
    unit_id = ctx.unit_id
    assert unit_id is not None
    info = ctx.call(units.get_unit, unit_id)
    assert (info.name, info.township, info.county, info.contact_phone, info.committee_phone) == (
        VILLAGE, "城关镇", "汾阳县", "13812345678", "0358-7221234")

    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    quiet_message_boxes(monkeypatch)
    assert window.windowTitle() == f"村级党建工作台 — {VILLAGE}"
    start = window.pages["page_start"]
    assert window.stack.currentWidget() is start  # a new village opens on 开始使用
    assert ticks(start, KEYS) == {"org": False, "members": False, "households": False, "grid": False,
                                  "publicity": True}  # the 公示 contact came with the set-up

    # ---- 2. the 党组织: two 党支部 and a 功能型党小组 under the 党总支, a 党小组 under the first 支部
    click(qtbot, button(start, "btn_open_org"))
    org_page = window.pages["page_members"]
    assert window.stack.currentWidget() is org_page
    tree = org_page.tree_orgs

    def new_org(under: str, name: str, proposed: str, kind: str | None = None) -> None:
        def fill(d: OrgDialog) -> None:
            assert d.combo_kind.currentData() == proposed  # what usually sits there is proposed
            type_into(qtbot, d.edit_name, name)
            if kind is not None:
                choose(d.combo_kind, kind)
            save(qtbot, d)

        seen = drive(monkeypatch, OrgDialog, fill)
        click_tree_item(qtbot, tree, under)
        click(qtbot, org_page.org_panel.btn_new_child_org)
        accepted(seen)

    new_org(TOP_ORG, BRANCH_1, "党支部")
    new_org(TOP_ORG, BRANCH_2, "党支部")
    new_org(BRANCH_1, GROUP, "党小组")
    new_org(TOP_ORG, FUNCTIONAL, "党支部", kind="功能型党小组")

    def parent_of(name: str) -> str:
        item = tree.findItems(name, Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive)[0]
        return item.parent().text(0)

    assert [parent_of(n) for n in (BRANCH_1, BRANCH_2, GROUP, FUNCTIONAL)] == [TOP_ORG, TOP_ORG, BRANCH_1, TOP_ORG]
    start = click_nav(qtbot, window, "page_start")
    assert ticks(start, KEYS)["org"] and not ticks(start, KEYS)["members"]

    # ---- 3. 新增党员: each typed into the dialog, the branch taken from the tree's selection
    click(qtbot, button(start, "btn_open_members"))
    assert window.stack.currentWidget() is org_page
    for name, _initials, birth, seq, branch, group, joined, confirmed in MEMBERS:
        def fill(d: MemberDialog, name: str = name, birth: date = birth, seq: int = seq, branch: str = branch,
                 group: str | None = group, joined: str = joined, confirmed: str = confirmed) -> None:
            assert field(d, "org").currentText().strip() == branch  # the org clicked in the tree
            type_field(qtbot, d, "name", name)
            type_field(qtbot, d, "id_number", id_of(birth, seq))
            type_field(qtbot, d, "phone", f"1391234{seq:04d}")
            if group is not None:
                choose_text(field(d, "group"), group)
            choose(field(d, "stage"), "正式党员")
            type_field(qtbot, d, "joined_on", joined)
            type_field(qtbot, d, "confirmed_on", confirmed)
            save(qtbot, d)

        seen = drive(monkeypatch, MemberDialog, fill)
        click_tree_item(qtbot, tree, branch)
        click(qtbot, org_page.btn_add_member)
        accepted(seen)
        assert org_page.current_member().name == name  # type: ignore[union-attr]
    click_tree_item(qtbot, tree, TOP_ORG)
    listed = column_texts(org_page.table_members, "姓名")
    assert sorted(listed) == sorted(["王建国"] + [m[0] for m in MEMBERS])

    # the 功能型党小组 takes members of both 支部 (跨支部党员)
    def take(initials: str, name: str) -> Any:
        def fill(d: AddOrgMemberDialog) -> None:
            pick(qtbot, d, "org_member", initials, name)
            save(qtbot, d)
        return fill

    def org_members(d: OrgMembersDialog) -> None:
        for initials, name in (("zw", "张伟"), ("wq", "王强")):
            drive(monkeypatch, AddOrgMemberDialog, take(initials, name))
            click(qtbot, d.btn_add)
        rows = sorted((d.table.item(r, 0).text(), d.table.item(r, 1).text()) for r in range(d.table.rowCount()))
        assert rows == [("张伟", f"{BRANCH_1} · {GROUP}"), ("王强", BRANCH_2)]
        click(qtbot, d.btn_close)

    click_tree_item(qtbot, tree, FUNCTIONAL)
    seen = drive(monkeypatch, OrgMembersDialog, org_members)
    org_page.org_panel.action_org_members.trigger()  # 组织操作 → 跨支部党员…
    assert opened(seen).changed  # closed with 关闭
    assert sorted(column_texts(org_page.table_members, "姓名")) == ["张伟", "王强"]
    start = click_nav(qtbot, window, "page_start")
    assert ticks(start, KEYS)["members"]

    # ---- 4. 任职: 李娜 书记 of the 第一党支部, 张伟 党小组长 of the 第一党小组
    org_page = click_nav(qtbot, window, "page_members")
    click_tree_item(qtbot, tree, TOP_ORG)

    def appoint(member: str, post: str, org: str, on: str, note: str = "") -> None:
        def fill(d: PostDialog) -> None:
            choose(field(d, "post"), post)
            assert field(d, "org").currentText().strip() == org  # the member's branch, or group for 党小组长
            type_field(qtbot, d, "start_on", on)
            if note:
                type_field(qtbot, d, "note", note)
            save(qtbot, d)

        click_row(qtbot, org_page.table_members, 0, member)
        seen = drive(monkeypatch, PostDialog, fill)
        click(qtbot, button(org_page, "btn_appoint_post"))
        accepted(seen)

    appoint("李娜", "书记", BRANCH_1, "2024-01-05", "主持支部全面工作")
    assert "第一党支部 书记（2024-01-05 至 今）" in org_page.text_member_detail.toPlainText()
    appoint("张伟", "党小组长", GROUP, "2024-02-01")
    assert org_page.current_member().posts == "党小组长"  # type: ignore[union-attr]

    # ---- 5. 居民与户: two 户, each with two residents
    start = click_nav(qtbot, window, "page_start")
    click(qtbot, button(start, "btn_open_households"))
    people = window.pages["page_residents"]
    assert window.stack.currentWidget() is people
    for number, address, residents in HOUSEHOLDS:
        def fill_household(d: HouseholdDialog, number: str = number, address: str = address) -> None:
            type_field(qtbot, d, "number", number)
            type_field(qtbot, d, "address", address)
            save(qtbot, d)

        seen = drive(monkeypatch, HouseholdDialog, fill_household)
        click(qtbot, people.btn_add_household)
        accepted(seen)
        click_row(qtbot, people.table_households, 0, number)
        for name, birth, seq, relation in residents:
            def fill_resident(d: ResidentDialog, name: str = name, birth: date = birth, seq: int = seq,
                              relation: str = relation, number: str = number) -> None:
                assert field(d, "household").currentText().startswith(number)  # the household selected
                type_field(qtbot, d, "name", name)
                type_field(qtbot, d, "id_number", id_of(birth, seq))
                choose(field(d, "relation"), relation)
                save(qtbot, d)

            seen = drive(monkeypatch, ResidentDialog, fill_resident)
            click(qtbot, people.btn_add_household_resident)
            accepted(seen)
        click_row(qtbot, people.table_households, 0, number)
        assert column_texts(people.table_household_residents, "姓名") == [r[0] for r in residents]
    assert column_texts(people.table_households, "户主")[:2] == ["陈大山", "周福贵"]
    start = click_nav(qtbot, window, "page_start")
    assert ticks(start, KEYS) == {"org": True, "members": True, "households": True, "grid": False,
                                  "publicity": True}

    # ---- 6. 网格地图: 新建网格, its boundary clicked on the map, both households dragged in from 未上图的户
    click(qtbot, button(start, "btn_open_grid"))
    grid_page = window.pages["page_grid"]
    assert window.stack.currentWidget() is grid_page
    qtbot.waitUntil(lambda: not grid_page.is_busy())
    click(qtbot, grid_page.btn_fit)

    def fill_grid(d: GridDialog) -> None:
        type_field(qtbot, d, "code", "G01")
        type_field(qtbot, d, "name", "第一网格")
        save(qtbot, d)

    seen = drive(monkeypatch, GridDialog, fill_grid)
    click(qtbot, grid_page.btn_new_grid)
    accepted(seen)
    assert grid_page.view.drawing  # a new grid goes straight on to 画边界
    corners = [(200, 150), (900, 150), (900, 800), (200, 800)]
    for x, y in corners:
        click_map(grid_page.view, x, y)
    click_map(grid_page.view, *corners[-1], double=True)
    assert not grid_page.view.drawing
    [g01] = ctx.call(grid.list_grids, unit_id)
    assert g01.name == "第一网格" and g01.polygon is not None and len(g01.polygon) == 4
    for (x, y), (sx, sy) in zip(corners, g01.polygon, strict=True):
        assert abs(x - sx) < 5 and abs(y - sy) < 5

    tabs = grid_page.findChild(QTabWidget, "tabs_grid_side")
    click_tab(qtbot, tabs, "未上图的户")
    assert [t.split()[0] for t in list_texts(grid_page.list_unplaced)] == ["0001", "0002"]
    drag_household_onto_map(grid_page, "0001", 400, 400)
    drag_household_onto_map(grid_page, "0002", 700, 600)
    assert grid_page.list_unplaced.count() == 0
    qtbot.waitUntil(lambda: not grid_page.is_busy())
    row = grid_page.tree.findItems("第一网格", Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive)[0]
    assert (row.text(1), row.text(2)) == ("2", "4")  # 户, 人
    placed = ctx.call(households.list_households, HouseholdQuery(unit_id, order_by="number"), 0, 10)
    assert [(h.number, h.grid_id) for h in placed] == [("0001", g01.id), ("0002", g01.id)]
    start = click_nav(qtbot, window, "page_start")
    assert all(ticks(start, KEYS).values())
    assert "全部完成" in start.findChild(QLabel, "label_start_summary").text()

    # ---- 7. 联系户 from the 联系户覆盖 gap list: 0001 to 张伟, 0002 to 赵六
    grid_page = click_nav(qtbot, window, "page_grid")
    qtbot.waitUntil(lambda: "page_start" not in nav_names(window))  # the finished checklist left the navigation
    qtbot.waitUntil(lambda: not grid_page.is_busy())
    click_tab(qtbot, tabs, "联系户覆盖")
    gaps = grid_page.findChild(QListWidget, "list_uncovered")
    assert [t.split()[0] for t in list_texts(gaps)] == ["0001", "0002"]
    for number, initials, name in (("0001", "zw", "张伟"), ("0002", "zl", "赵六")):
        def fill_contact(d: HouseholdContactDialog, initials: str = initials, name: str = name) -> None:
            pick(qtbot, d, "contact_member", initials, name)
            save(qtbot, d)

        click_list_item(qtbot, gaps, number)
        seen = drive(monkeypatch, HouseholdContactDialog, fill_contact)
        click(qtbot, button(grid_page, "btn_assign_contact"))
        accepted(seen)
        qtbot.waitUntil(lambda: not grid_page.is_busy())
        gaps = grid_page.findChild(QListWidget, "list_uncovered")
    assert gaps.count() == 0
    assert [c.name for c in ctx.call(member_posts.household_contacts, placed[0].id)] == ["张伟"]

    # ---- 8. 乡风文明积分: household 0001 scored, 张伟 (the 党小组长) as scorer
    points = click_nav(qtbot, window, "page_household_points")
    quick = points.quick
    scorers = [quick.combo_scorer.itemText(i) for i in range(quick.combo_scorer.count())]
    assert scorers == ["张伟（第一党小组组长）"]
    rule = next(i for i in range(quick.combo_rule.count()) if quick.combo_rule.itemData(i).kind != "deduct")
    quick.combo_rule.setCurrentIndex(rule)
    rule_name = quick.combo_rule.itemData(rule).name
    type_into(qtbot, quick.edit_member, "0001")
    qtbot.waitUntil(lambda: quick.list_members.count() > 0)
    assert "0001" in quick.list_members.currentItem().text()
    qtbot.keyClick(quick.edit_member, Qt.Key.Key_Return)
    assert "已记分" in quick.label_status.text(), quick.label_status.text()
    [ranked] = points.ranking_model.rows
    assert (ranked.number, ranked.head_name, ranked.entries) == ("0001", "陈大山", 1) and ranked.total > 0
    assert [(e.rule_name, e.scored_by) for e in points.history_model.rows] == [(rule_name, "张伟")]

    # ---- 9. 赵六 去世, 孙七 转出 (转/去世/出党… on the member's panel)
    org_page = click_nav(qtbot, window, "page_members")
    click_tree_item(qtbot, tree, TOP_ORG)

    def death(d: LeaveDialog) -> None:
        choose(field(d, "kind"), "死亡")
        assert field(d, "kind").currentText() == "去世"
        assert field(d, "resident_died").isChecked()  # the 居民 register follows
        type_field(qtbot, d, "on", date.today().isoformat())
        type_field(qtbot, d, "reason", "病故")
        save(qtbot, d)

    def transfer(d: LeaveDialog) -> None:
        assert field(d, "kind").currentData() == "转出"
        type_field(qtbot, d, "left_to", TRANSFER_TO)
        type_field(qtbot, d, "letter_no", LETTER_NO)
        save(qtbot, d)

    # 转出 offers its 组织关系介绍信 (answered 是): saved where the clerk says
    from ui.partywork import transfers_tab

    monkeypatch.setattr(transfers_tab, "ask_save_path", lambda _p, _t, name, *_a, **_k: tmp_path / name)
    quiet_message_boxes(monkeypatch)  # the 党务 module is imported only now
    for name, fill_leave in (("赵六", death), ("孙七", transfer)):
        click_row(qtbot, org_page.table_members, 0, name)
        seen = drive(monkeypatch, LeaveDialog, fill_leave)
        click(qtbot, button(org_page, "btn_leave_member"))
        accepted(seen)
        assert name not in column_texts(org_page.table_members, "姓名")
    assert (tmp_path / f"组织关系介绍信第{LETTER_NO}号 孙七.pdf").stat().st_size > 0
    click(qtbot, org_page.findChild(QWidget, "check_include_left"))  # 含已离开: the records stay
    click_row(qtbot, org_page.table_members, 0, "孙七")
    assert f"转出 至 {TRANSFER_TO}，介绍信编号 {LETTER_NO}" in org_page.text_member_detail.toPlainText()
    click_row(qtbot, org_page.table_members, 0, "赵六")
    assert "去世" in org_page.text_member_detail.toPlainText()
    click(qtbot, org_page.findChild(QWidget, "check_include_left"))
    assert sorted(column_texts(org_page.table_members, "姓名")) == sorted(["王建国", "张伟", "李娜", "王强"])

    # 赵六's 联系户 ended with him: 0002 is a gap again
    grid_page = click_nav(qtbot, window, "page_grid")
    qtbot.waitUntil(lambda: not grid_page.is_busy())
    gaps = grid_page.findChild(QListWidget, "list_uncovered")
    assert [t.split()[0] for t in list_texts(gaps)] == ["0002"]
    window.start_nav.action.trigger()  # 帮助 → 开始使用: four 党员 remain, still at least the three it asks for
    assert window.stack.currentWidget() is window.pages["page_start"]
    assert all(ticks(window.pages["page_start"], KEYS).values())

    # ---- 10. 导出台账 → 党员花名册, read back
    notices = click_nav(qtbot, window, "page_notices")
    out = tmp_path / "报乡镇" / "党员花名册.xlsx"
    out.parent.mkdir()

    def export(d: LedgerExportDialog) -> None:
        for kind, check in d.checks.items():
            if check.isChecked() != (kind == "members"):
                click(qtbot, check)
        assert d.kinds() == ["members"]
        type_into(qtbot, d.findChild(QLineEdit, "edit_output"), str(out))
        click(qtbot, d.btn_export)
        qtbot.waitUntil(lambda: d.exported is not None, timeout=20_000)

    seen = drive(monkeypatch, LedgerExportDialog, export)
    click(qtbot, notices.btn_export_ledger)
    accepted(seen)
    assert FakeMessageBox.shown[-1][0] == "information" and str(out) in FakeMessageBox.shown[-1][2]
    roster = read_roster(out)
    assert set(roster) == {"王建国", "张伟", "李娜", "王强"}  # 赵六 (去世) and 孙七 (转出) left the roster
    assert {name: (r["所在支部"], r["党小组"] or "", r["党内职务"] or "") for name, r in roster.items()} == {
        "王建国": (TOP_ORG, "", "书记"),
        "张伟": (BRANCH_1, GROUP, "党小组长"),
        "李娜": (BRANCH_1, "", "书记"),
        "王强": (BRANCH_2, "", ""),
    }
    for name, _i, birth, seq, *_rest in MEMBERS[:3]:
        assert roster[name]["身份证号"] == id_of(birth, seq) and roster[name]["党员类别"] == "正式党员"
    assert str(roster["张伟"]["入党日期"]).startswith("2005-07-01")

    # ---- the 操作日志 holds the changes, read on its page
    audit = click_nav(qtbot, window, "page_audit")
    model = audit.model
    model.find_row(lambda _r: False, fetch_all=True)
    assert len(model.rows) == ctx.call(audit_log.count_audit, audit_log.AuditQuery(unit_id))
    summaries = "\n".join(r.summary for r in model.rows)
    for said in (
        f"新建村：{VILLAGE}", f"新建党总支：{TOP_ORG}", f"王建国 任{TOP_ORG}书记",
        f"新建党支部：{BRANCH_1}", f"新建党支部：{BRANCH_2}", f"新建党小组：{GROUP}", f"新建功能型党小组：{FUNCTIONAL}",
        *(f"新增正式党员：{m[0]}" for m in MEMBERS), f"张伟 参加{FUNCTIONAL}", f"王强 参加{FUNCTIONAL}",
        f"李娜 任{BRANCH_1}书记", f"张伟 任{GROUP}党小组长",
        "新增户：0001", "新增户：0002", *(f"新增居民：{r[0]}" for h in HOUSEHOLDS for r in h[2]),
        "新建网格：第一网格（G01）", "修改网格边界：第一网格（4 个点）",
        "户号 0001（户主 陈大山） 从 未分网格 移到 第一网格", "户号 0002（户主 周福贵） 从 未分网格 移到 第一网格",
        "张伟 联系户 0001", "赵六 联系户 0002", "记乡风文明积分：陈大山户（户号 0001）",
        "赵六 死亡", "赵六：在册 → 死亡", f"孙七 转出至{TRANSFER_TO}", "导出台账：党员花名册（4 行）",
    ):
        assert said in summaries, said
    assert [b for b in FakeMessageBox.shown if b[0] not in ("information", "question")] == []  # no refusal, no error
    left = ctx.call(members.list_members, MemberQuery(unit_id, include_left=True, text="孙七"), 0, 5)
    assert [(m.name, m.left_on) for m in left] == [("孙七", date.today())]


# ---- small readers ---------------------------------------------------------------------------------


def nav_names(window: Any) -> list[str]:
    return [window.nav.item(i).data(Qt.ItemDataRole.UserRole) for i in range(window.nav.count())]


def click_tab(qtbot: Any, tabs: QTabWidget, text: str) -> None:
    bar = tabs.tabBar()
    index = next(i for i in range(tabs.count()) if tabs.tabText(i) == text)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    assert tabs.currentIndex() == index
    QApplication.processEvents()


def read_roster(path: Path) -> dict[str, dict[str, Any]]:
    """The 党员花名册 sheet: its rows under the header row, by 姓名."""
    book = openpyxl.load_workbook(path, read_only=True)
    assert book.sheetnames == ["党员花名册"]
    rows = list(book["党员花名册"].iter_rows(values_only=True))
    book.close()
    assert VILLAGE in str(rows[0][0])
    at = next(i for i, r in enumerate(rows) if "姓名" in r)
    header = rows[at]
    out: dict[str, dict[str, Any]] = {}
    for r in rows[at + 1:]:
        record = dict(zip(header, [*r, *[None] * (len(header) - len(r))], strict=True))  # blank rows are short
        name = record.get("姓名")
        if name and not str(name).startswith("合计"):
            out[str(name)] = record
    return out
