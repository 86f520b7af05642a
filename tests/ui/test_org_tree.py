"""A blank village builds its 党组织 on the 党组织与党员 page by clicking and typing: a 党总支 with two 党支部,
a 党小组 and a 功能型党小组; drags one org onto another and uses 「移到…」; adds a 联建 partner; puts members
of two branches into the 功能型党小组; closes a branch after moving its members; deletes an org entered by
mistake."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QDropEvent, QInputMethodEvent
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QLineEdit, QTreeWidgetItem, QWidget

from app.db import Database
from app.demo.ids import make_id_number
from app.services.context import AppContext
from app.services.org import members
from app.services.org import tree as org
from app.services.org.member_checks import MemberInput
from app.services.setup import founding
from tests.ui.conftest import FakeMessageBox
from ui.common.page import Changes
from ui.org.org_dialogs import CloseOrgDialog, EndDateDialog, MoveOrgDialog, OrgDialog
from ui.org.org_members import AddOrgMemberDialog, OrgMembersDialog
from ui.org.page import MembersPage
from ui.org.partners import AddPartnerDialog, PartnersDialog


@pytest.fixture
def ctx(db: Database) -> AppContext:
    with db.session() as s:
        founding.create_unit(s, "新庄村", "城关镇", "某县")
    return AppContext(db)


@pytest.fixture
def page(qtbot: Any, ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> MembersPage:
    import ui.org.tree_panel

    monkeypatch.setattr(ui.org.tree_panel, "QMessageBox", FakeMessageBox)
    p = MembersPage(ctx, Changes())
    qtbot.addWidget(p)
    p.resize(1366, 720)
    p.show()
    qtbot.waitExposed(p)
    return p


def script(monkeypatch: pytest.MonkeyPatch, cls: type[QDialog], fn: Callable[[Any], None]) -> list[Any]:
    """Replace cls.exec: show the dialog, let `fn` click and type in it, return the dialogs seen."""
    seen: list[Any] = []

    def exec_(self: QDialog) -> int:
        self.show()
        seen.append(self)
        fn(self)
        return self.result()

    monkeypatch.setattr(cls, "exec", exec_)
    return seen


def type_text(qtbot: Any, widget: QWidget, text: str) -> None:
    """Type like a user: key presses for ASCII; Chinese is committed as an input method does (QTest cannot)."""
    widget.setFocus()
    if text.isascii():
        qtbot.keyClicks(widget, text)
        return
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def click(qtbot: Any, widget: QWidget) -> None:
    assert widget.isVisible() and widget.isEnabled(), widget.objectName()
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def items(page: MembersPage) -> dict[str, QTreeWidgetItem]:
    return {i.text(0): i for i in page.org_panel._items()}


def click_org(qtbot: Any, page: MembersPage, name: str) -> None:
    tree = page.tree_orgs
    item = items(page)[name]
    tree.scrollToItem(item)
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualItemRect(item).center())
    assert tree.currentItem() is item


def parent_name(page: MembersPage, name: str) -> str | None:
    above = items(page)[name].parent()
    return above.text(0) if above is not None else None


def fill_org(qtbot: Any, name: str, kind: str | None = None, established: str = "") -> Callable[[OrgDialog], None]:
    def fill(d: OrgDialog) -> None:
        type_text(qtbot, d.edit_name, name)
        if kind is not None:
            d.combo_kind.setCurrentIndex(d.combo_kind.findData(kind))
        if established:
            type_text(qtbot, d.edit_established, established)
        click(qtbot, d.btn_save)
    return fill


def new_org(qtbot: Any, page: MembersPage, monkeypatch: pytest.MonkeyPatch, under: str | None, name: str,
            kind: str | None = None, expect_kind: str | None = None) -> OrgDialog:
    seen: list[OrgDialog] = []

    def fill(d: OrgDialog) -> None:
        if expect_kind is not None:
            assert d.combo_kind.currentData() == expect_kind  # what usually sits there is proposed
        fill_org(qtbot, name, kind)(d)

    seen = script(monkeypatch, OrgDialog, fill)
    if under is None:
        click(qtbot, page.org_panel.btn_new_org)
    else:
        click_org(qtbot, page, under)
        click(qtbot, page.org_panel.btn_new_child_org)
    assert seen and seen[0].result() == QDialog.DialogCode.Accepted, seen[0].form_error.text()
    return seen[0]


def drop(page: MembersPage, name: str, onto: str | None) -> None:
    """What a drag in the tree ends with: the dragged item's data dropped on the middle of another item."""
    tree = page.tree_orgs
    source = items(page)[name]
    data = tree.mimeData([source])
    if onto is None:
        pos = QPointF(5, tree.viewport().height() - 3)  # the empty area under the orgs
    else:
        pos = QPointF(tree.visualItemRect(items(page)[onto]).center())
    event = QDropEvent(pos, Qt.DropAction.MoveAction, data, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    tree.dropEvent(event)
    assert event.isAccepted() and event.dropAction() == Qt.DropAction.IgnoreAction  # the items never move by Qt
    QApplication.processEvents()  # the move runs once the drag has ended


def add_member(ctx: AppContext, name: str, seq: int, org_id: int) -> int:
    data = MemberInput(name, make_id_number("110105", date(1975, 3, 1), seq), org_id=org_id,
                       joined_on=date(2005, 7, 1), confirmed_on=date(2006, 7, 1))
    return ctx.call(members.add_member, ctx.unit_id, data)


def test_build_the_org_tree_from_a_blank_village(qtbot: Any, page: MembersPage, ctx: AppContext,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    panel = page.org_panel
    assert list(items(page)) == ["全部党组织"]
    assert not panel.btn_new_child_org.isEnabled()
    announced: list[str] = []
    page.changes.changed.connect(lambda kind, _src: announced.append(kind))

    assert "还没有党组织" in panel.lbl_org_info.text()
    new_org(qtbot, page, monkeypatch, None, "新庄村党总支", "党总支")
    assert panel.lbl_org_info.text() == "党总支"
    assert list(items(page)) == ["新庄村党总支"] and "org" in announced
    new_org(qtbot, page, monkeypatch, "新庄村党总支", "第一党支部", expect_kind="党支部")
    new_org(qtbot, page, monkeypatch, "新庄村党总支", "第二党支部", expect_kind="党支部")
    new_org(qtbot, page, monkeypatch, "第一党支部", "第一党小组", expect_kind="党小组")
    new_org(qtbot, page, monkeypatch, "新庄村党总支", "产业发展功能型党小组", "功能型党小组")
    assert parent_name(page, "第一党小组") == "第一党支部"
    assert parent_name(page, "产业发展功能型党小组") == "新庄村党总支"
    assert not panel.btn_new_child_org.isEnabled()  # nothing goes under a 党小组

    # a problem stays beside its field: a 党小组 needs a branch above it
    def orphan_group(d: OrgDialog) -> None:
        type_text(qtbot, d.edit_name, "无上级小组")
        d.combo_kind.setCurrentIndex(d.combo_kind.findData("党小组"))
        click(qtbot, d.btn_save)
        err = d.findChild(QLabel, "err_parent")
        assert err.isVisible() and "必须有所属党支部" in err.text()
        click(qtbot, d.btn_cancel)

    script(monkeypatch, OrgDialog, orphan_group)
    click(qtbot, panel.btn_new_org)
    assert "无上级小组" not in items(page)

    # 编辑: rename; a kind change that would strand members is refused beside the field
    ids = {n.name: n.id for n in ctx.call(org.list_org_tree, ctx.unit_id)}
    add_member(ctx, "张伟", 11, ids["第一党支部"])
    add_member(ctx, "李娜", 21, ids["第二党支部"])
    add_member(ctx, "王强", 31, ids["第二党支部"])
    page.refresh()
    assert items(page)["第二党支部"].text(1) == "2"

    def to_group(d: OrgDialog) -> None:
        d.combo_kind.setCurrentIndex(d.combo_kind.findData("党小组"))
        click(qtbot, d.btn_save)
        assert d.findChild(QLabel, "err_kind").text() == "有 2 名党员以该组织为所在支部，不能改为党小组"
        d.edit_name.clear()
        type_text(qtbot, d.edit_name, "第二党支部（村东）")
        d.combo_kind.setCurrentIndex(d.combo_kind.findData("党支部"))
        click(qtbot, d.btn_save)

    click_org(qtbot, page, "第二党支部")
    seen = script(monkeypatch, OrgDialog, to_group)
    panel.action_edit_org.trigger()
    assert seen[0].result() == QDialog.DialogCode.Accepted
    assert "第二党支部（村东）" in items(page) and page.tree_orgs.currentItem().text(0) == "第二党支部（村东）"

    # drag: a top org dropped onto the 总支 goes under it; a drop that makes a cycle is refused with a message
    new_org(qtbot, page, monkeypatch, None, "第三党支部", "党支部")
    assert "全部党组织" in items(page)  # two top orgs now
    drop(page, "第三党支部", "新庄村党总支")
    assert parent_name(page, "第三党支部") == "新庄村党总支"
    assert any(kind == "question" and "第三党支部" in text for kind, _t, text in FakeMessageBox.shown)
    edge = page.tree_orgs.visualItemRect(items(page)["第一党支部"])
    assert page.tree_orgs.drop_parent(QPoint(edge.center().x(), edge.top() + 1)) == ids["新庄村党总支"]  # between
    assert page.tree_orgs.drop_parent(edge.center()) == ids["第一党支部"]  # onto
    drop(page, "新庄村党总支", "第一党小组")
    assert ("warning", "无法完成", "上级组织：不能把组织移到它自己或它的下级组织之下") in FakeMessageBox.shown
    assert parent_name(page, "新庄村党总支") is None

    # 移到… by clicks: the 党小组 goes to the other branch; only valid parents are offered
    def pick(d: MoveOrgDialog) -> None:
        offered = [d.list_parents.item(i).text().strip() for i in range(d.list_parents.count())]
        assert offered == ["新庄村党总支（党总支）", "第二党支部（村东）（党支部）", "第三党支部（党支部）"]
        target = d.list_parents.item(offered.index("第三党支部（党支部）"))
        qtbot.mouseClick(d.list_parents.viewport(), Qt.MouseButton.LeftButton,
                         pos=d.list_parents.visualItemRect(target).center())
        click(qtbot, d.btn_save)

    click_org(qtbot, page, "第一党小组")
    seen = script(monkeypatch, MoveOrgDialog, pick)
    panel.action_move_org.trigger()
    assert seen[0].result() == QDialog.DialogCode.Accepted
    assert parent_name(page, "第一党小组") == "第三党支部"

    # 联建: add a partner with its start date, end it, see it again under 显示已结束
    def add_partner(d: AddPartnerDialog) -> None:
        type_text(qtbot, d.edit_name, "城关镇中心小学党支部")
        d.combo_kind.setCurrentIndex(d.combo_kind.findData("村校"))
        d.edit_since.clear()
        type_text(qtbot, d.edit_since, "2023-03-01")
        click(qtbot, d.btn_save)

    def end_partner(d: EndDateDialog) -> None:
        d.edit_on.clear()
        type_text(qtbot, d.edit_on, "2025-01-01")
        click(qtbot, d.btn_save)

    def partners(d: PartnersDialog) -> None:
        click(qtbot, d.btn_add)
        assert [d.table.item(0, c).text() for c in range(4)] == ["城关镇中心小学党支部", "村校", "2023-03-01", ""]
        d.select_row(0)
        click(qtbot, d.btn_end)
        assert d.table.rowCount() == 0
        click(qtbot, d.check_ended)
        assert d.table.item(0, 3).text() == "2025-01-01"
        click(qtbot, d.btn_close)

    script(monkeypatch, AddPartnerDialog, add_partner)
    script(monkeypatch, EndDateDialog, end_partner)
    seen = script(monkeypatch, PartnersDialog, partners)
    click_org(qtbot, page, "新庄村党总支")
    panel.action_org_partners.trigger()
    assert seen[0].objectName() == "dlg_org_partners"
    history = ctx.call(org.list_partners, ids["新庄村党总支"], True)
    assert [(p.name, p.since, p.until) for p in history] == [("城关镇中心小学党支部", date(2023, 3, 1), date(2025, 1, 1))]

    # 功能型党小组: members of two branches, found by 拼音首字母
    def take(initials: str) -> Callable[[AddOrgMemberDialog], None]:
        def fill(d: AddOrgMemberDialog) -> None:
            edit = d.findChild(QLineEdit, "edit_org_member")
            type_text(qtbot, edit, initials)
            qtbot.waitUntil(lambda: d.picker.list.count() > 0)
            qtbot.keyClick(edit, Qt.Key.Key_Return)
            click(qtbot, d.btn_save)
        return fill

    def org_members(d: OrgMembersDialog) -> None:
        for initials in ("zw", "ln"):
            script(monkeypatch, AddOrgMemberDialog, take(initials))
            click(qtbot, d.btn_add)
        rows = sorted((d.table.item(r, 0).text(), d.table.item(r, 1).text()) for r in range(d.table.rowCount()))
        assert rows == [("张伟", "第一党支部"), ("李娜", "第二党支部（村东）")]
        click(qtbot, d.btn_close)

    click_org(qtbot, page, "第一党支部")
    assert not panel.action_org_members.isEnabled()  # only a 功能型党小组 / 联合党支部 takes other branches
    click_org(qtbot, page, "产业发展功能型党小组")
    seen = script(monkeypatch, OrgMembersDialog, org_members)
    panel.action_org_members.trigger()
    assert seen[0].changed
    assert items(page)["产业发展功能型党小组"].text(1) == "2"
    assert sorted(page.members_model.row_at(r).name for r in range(page.members_model.rowCount())) == ["张伟", "李娜"]

    # 撤销 a branch that still has members: the refusal offers to move them, then it closes
    def close(d: CloseOrgDialog) -> None:
        assert "还有 2 名党员" in d.findChild(QLabel, "lbl_close_members").text()
        assert d.combo_branch is not None
        d.combo_branch.setCurrentIndex(d.combo_branch.findData(ids["第一党支部"]))
        type_text(qtbot, d.edit_reason, "两支部合并")
        click(qtbot, d.btn_save)

    click_org(qtbot, page, "第二党支部（村东）")
    seen = script(monkeypatch, CloseOrgDialog, close)
    panel.action_close_org.trigger()
    assert any(kind == "question" and "不能直接撤销" in text for kind, _t, text in FakeMessageBox.shown)
    assert seen[0].result() == QDialog.DialogCode.Accepted, seen[0].form_error.text()
    assert "第二党支部（村东）" not in items(page) and items(page)["第一党支部"].text(1) == "3"
    assert "member" in announced
    click(qtbot, panel.check_show_closed)
    closed = items(page)["第二党支部（村东）（已撤销）"]
    assert closed.foreground(0).color().name() == "#888888"
    click_org(qtbot, page, "第二党支部（村东）（已撤销）")
    assert f"已于 {date.today().isoformat()} 撤销：两支部合并" in panel.lbl_org_info.text()
    assert not panel.action_close_org.isEnabled() and not panel.btn_new_child_org.isEnabled()
    click(qtbot, panel.check_show_closed)

    # 删除（误录）: an org entered today that nothing refers to goes; anything else says what refers to it
    new_org(qtbot, page, monkeypatch, "新庄村党总支", "第四党支部（重复）", "党支部")
    click_org(qtbot, page, "第四党支部（重复）")
    panel.action_delete_org.trigger()
    assert "第四党支部（重复）" not in items(page)
    click_org(qtbot, page, "第三党支部")
    panel.action_delete_org.trigger()
    assert any(kind == "warning" and "已被 1 条党组织引用，不能删除。请用“撤销”" in text
               for kind, _t, text in FakeMessageBox.shown)
    assert "第三党支部" in items(page)

