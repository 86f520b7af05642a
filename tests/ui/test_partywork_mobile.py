"""流动与失联 by clicks, from a blank village with two members: 登记外出 (problems beside the fields, then the
member picked by typing, the contact picked), the roster's type 流动, 登记返回 restoring it; 登记流入 and
流入离开; 登记失联, 记录查找, 结束失联 (停止党籍 refused before six months). On the demo, the 工作台's
失联 line opens the tab filtered."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QListWidget, QTableView

from app.db import Database
from app.demo.ids import make_id_number
from app.models import PartyMember
from app.services.context import AppContext
from app.services.org import members
from app.services.org.member_checks import MemberInput
from app.services.org.tree import OrgInput, create_org
from app.services.setup import founding
from app.services.units import current_unit_id
from tests.ui.dialogs import drive
from tests.ui.test_member_actions import choose, click, click_list_item, errors, save, type_into
from ui.common.page import Changes
from ui.partywork.mobile_dialogs import (
    LostCloseDialog,
    LostDialog,
    LostSearchDialog,
    MobileEndDialog,
    MobileInDialog,
    MobileOutDialog,
)
from ui.partywork.mobile_tab import MobileTab
from ui.partywork.page import PartyWorkPage

TODAY = date.today()


@pytest.fixture
def village(db: Database) -> AppContext:
    with db.session() as s:
        vid = founding.create_unit(s, "东坟村", "城关街道", "房山区")
        org = create_org(s, vid, OrgInput("中共东坟村支部委员会", "党支部"))
        for seq, (name, kind) in enumerate((("王强", "在职"), ("李梅", "农民")), start=1):
            members.add_member(s, vid, MemberInput(
                name, make_id_number("110111", date(1980, 3, seq), seq), org_id=org, stage="正式党员",
                applied_on=date(2008, 1, 1), activist_on=date(2008, 6, 1), candidate_on=date(2009, 7, 1),
                joined_on=date(2010, 7, 1), confirmed_on=date(2011, 7, 2), member_type=kind))
    ctx = AppContext(db)
    ctx.set_unit(vid)
    return ctx


@pytest.fixture
def tab(qtbot: Any, village: AppContext) -> MobileTab:
    t = MobileTab(village, Changes())
    qtbot.addWidget(t)
    t.resize(1300, 760)
    t.show()
    qtbot.waitExposed(t)
    t.refresh()
    return t


def select(qtbot: Any, table: QTableView, row: int) -> None:
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton,
                     pos=table.visualRect(table.model().index(row, 0)).center())


def pick(qtbot: Any, d: Any, name: str, text: str) -> None:
    type_into(qtbot, d.findChild(QLineEdit, f"edit_{name}"), text)
    click_list_item(qtbot, d.findChild(QListWidget, f"list_{name}"))


def member_type(ctx: AppContext, name: str) -> str:
    with ctx.db.session() as s:
        return next(m.member_type for m in s.query(PartyMember) if m.resident.name == name)


def test_away_and_back(qtbot: Any, tab: MobileTab, village: AppContext, monkeypatch: Any) -> None:
    assert not tab.btn_return.isEnabled() and not tab.btn_out_edit.isEnabled()  # they wait for a row

    def away(d: Any) -> None:
        save(qtbot, d)  # nobody, nowhere: said beside the fields, nothing saved
        shown = errors(d)
        assert "在列表中选中" in shown.get("err_member_id", "") and "流向地" in shown.get("err_place", "")
        pick(qtbot, d, "mobile_member", "王强")
        type_into(qtbot, d.findChild(QLineEdit, "field_place"), "广东省深圳市")
        type_into(qtbot, d.findChild(QLineEdit, "field_employer"), "深圳某电子厂")
        type_into(qtbot, d.findChild(QLineEdit, "field_phone"), "13800138000")
        type_into(qtbot, d.findChild(QLineEdit, "field_since"), (TODAY - timedelta(days=200)).isoformat())
        pick(qtbot, d, "mobile_keeper", "李梅")
        type_into(qtbot, d.findChild(QLineEdit, "field_dues_way"), "微信转账按月交纳")
        save(qtbot, d)

    seen = drive(monkeypatch, MobileOutDialog, away)
    click(qtbot, tab.btn_out)
    assert seen[0].result() == 1, errors(seen[0])
    [row] = tab.out_model.rows
    assert (row.name, row.place, row.keeper_name, row.state) == ("王强", "广东省深圳市", "李梅", "在外")
    assert member_type(village, "王强") == "流动"
    assert "现流出 1 名" in tab.info.text()

    def back(d: Any) -> None:
        type_into(qtbot, d.findChild(QLineEdit, "field_until"), (TODAY - timedelta(days=300)).isoformat())
        save(qtbot, d)  # before the departure: refused beside the date
        assert "不能早于外出时间" in errors(d).get("err_until", "")
        type_into(qtbot, d.findChild(QLineEdit, "field_until"), TODAY.isoformat())
        type_into(qtbot, d.findChild(QLineEdit, "field_end_note"), "返乡务农")
        save(qtbot, d)

    select(qtbot, tab.table_out, 0)
    seen = drive(monkeypatch, MobileEndDialog, back)
    click(qtbot, tab.btn_return)
    assert seen[0].result() == 1, errors(seen[0])
    assert tab.out_model.rows == []  # returned ones on request
    assert member_type(village, "王强") == "在职"
    click(qtbot, tab.check_returned)
    assert [r.state for r in tab.out_model.rows] == [f"{TODAY.isoformat()} 返回"]


def test_inflow_and_lost(qtbot: Any, tab: MobileTab, village: AppContext, monkeypatch: Any) -> None:
    def inflow(d: Any) -> None:
        type_into(qtbot, d.findChild(QLineEdit, "field_name"), "周建华")
        type_into(qtbot, d.findChild(QLineEdit, "field_id_number"), make_id_number("320102", date(1985, 5, 5), 7))
        type_into(qtbot, d.findChild(QLineEdit, "field_other_org"), "南京某社区党委")
        type_into(qtbot, d.findChild(QLineEdit, "field_place"), "第三村民小组12号")
        d.findChild(QCheckBox, "field_dual_report").setChecked(True)
        save(qtbot, d)

    seen = drive(monkeypatch, MobileInDialog, inflow)
    click(qtbot, tab.btn_in)
    assert seen[0].result() == 1, errors(seen[0])
    assert [(r.name, r.dual_report) for r in tab.in_model.rows] == [("周建华", True)]
    select(qtbot, tab.table_in, 0)
    seen = drive(monkeypatch, MobileEndDialog, lambda d: save(qtbot, d))
    click(qtbot, tab.btn_in_end)
    assert seen[0].result() == 1 and tab.in_model.rows == []

    since = TODAY - timedelta(days=100)

    def lose(d: Any) -> None:
        pick(qtbot, d, "lost_member", "李梅")
        type_into(qtbot, d.findChild(QLineEdit, "field_lost_since"), since.isoformat())
        save(qtbot, d)

    seen = drive(monkeypatch, LostDialog, lose)
    click(qtbot, tab.btn_lost)
    assert seen[0].result() == 1, errors(seen[0])
    select(qtbot, tab.table_lost, 0)

    def search(d: Any) -> None:
        choose(d.findChild(QComboBox, "field_method"), "电话联系")
        type_into(qtbot, d.findChild(QLineEdit, "field_result"), "号码已停机")
        save(qtbot, d)

    seen = drive(monkeypatch, LostSearchDialog, search)
    click(qtbot, tab.btn_search)
    assert seen[0].result() == 1, errors(seen[0])
    assert tab.lost_model.rows[0].searches == 1

    def stop(d: Any) -> None:
        choose(d.findChild(QComboBox, "field_outcome"), "停止党籍")
        type_into(qtbot, d.findChild(QLineEdit, "field_outcome_note"), "支部大会讨论")
        save(qtbot, d)  # three months: too early
        assert "六个月以上" in errors(d).get("err_outcome", "")
        choose(d.findChild(QComboBox, "field_outcome"), "恢复联系")
        type_into(qtbot, d.findChild(QLineEdit, "field_outcome_note"), "本人回电，在外地务工")
        save(qtbot, d)

    select(qtbot, tab.table_lost, 0)
    seen = drive(monkeypatch, LostCloseDialog, stop)
    click(qtbot, tab.btn_close)
    assert seen[0].result() == 1, errors(seen[0])
    assert tab.lost_model.rows == []
    assert member_type(village, "李梅") == "农民"  # 恢复联系 leaves the roster alone


def test_workbench_line_opens_the_lost_list_on_the_demo(qtbot: Any, demo_db: Database) -> None:
    ctx = AppContext(demo_db)
    with demo_db.session() as s:
        ctx.set_unit(current_unit_id(s))
    page = PartyWorkPage(ctx, Changes())
    qtbot.addWidget(page)
    page.show()
    page.show_filter("lost_due")
    tab = page.tabs.currentWidget()
    assert isinstance(tab, MobileTab) and tab.check_due.isChecked()
    assert [r.name for r in tab.lost_model.rows if r.due] == [r.name for r in tab.lost_model.rows]
    assert len(tab.lost_model.rows) == 1 and len([r for r in tab.out_model.rows if r.until is None]) == 5
