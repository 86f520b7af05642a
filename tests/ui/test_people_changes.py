"""居民与户 from a blank village, by clicks and typing: 外出务工 then 返乡, a 死亡 (a 党员 and 户主) and a 迁出,
变更户主, 转到其他户, 分户, 销户 (moving the people first), 标签 and 删除（误录）."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from app.db import Database
from app.demo.ids import make_id_number
from app.services.context import AppContext
from app.services.org import members
from app.services.org import tree as org
from app.services.org.member_checks import MemberInput
from app.services.org.tree import OrgInput
from app.services.people import households
from app.services.people import residents as people
from app.services.people.households import HouseholdInput, HouseholdQuery
from app.services.people.residents import ResidentInput
from app.services.setup import founding
from tests.ui.conftest import FakeMessageBox
from tests.ui.dialogs import drive
from ui.common.page import Changes
from ui.people.household_dialogs import CloseHouseholdDialog, HeadChangeDialog, HouseholdTagsDialog
from ui.people.move_dialogs import MoveResidentsDialog, SplitHouseholdDialog
from ui.people.page import ResidentsPage
from ui.people.status_dialogs import ResidentStatusDialog


def rid(birth: date, seq: int) -> str:
    return make_id_number("110105", birth, seq)


@pytest.fixture
def village(db: Database) -> tuple[AppContext, dict[str, int]]:
    """A blank village built through the services: a 党支部; 001 张三 (户主, 党员), 李梅 (配偶), 张小 (子), 张丽 (女);
    002 王五 (户主), 王小 (子)."""
    t: dict[str, int] = {}
    with db.session() as s:
        t["vid"] = vid = founding.create_unit(s, "东坟村", "城关街道", "房山区")
        branch = org.create_org(s, vid, OrgInput("东坟村党支部", "党支部"))
        t["001"] = households.add_household(s, vid, HouseholdInput("001", "东坟村1号"))
        t["002"] = households.add_household(s, vid, HouseholdInput("002", "东坟村2号"))
        for name, year, seq, hh, relation in (
            ("张三", 1960, 11, "001", "户主"), ("李梅", 1962, 22, "001", "配偶"), ("张小", 1990, 31, "001", "子"),
            ("张丽", 1993, 42, "001", "女"), ("王五", 1950, 51, "002", "户主"), ("王小", 1980, 61, "002", "子"),
        ):
            t[name] = people.add_resident(s, vid, ResidentInput(
                name, rid(date(year, 1, 1), seq), household_id=t[hh], relation=relation))
        t["m张三"] = members.add_member(s, vid, MemberInput(
            "张三", rid(date(1960, 1, 1), 11), org_id=branch, joined_on=date(1990, 7, 1), confirmed_on=date(1991, 7, 1)))
    ctx = AppContext(db)
    ctx.set_unit(t["vid"])
    return ctx, t


@pytest.fixture
def boxes(monkeypatch: pytest.MonkeyPatch) -> type[FakeMessageBox]:
    import ui.people.household_actions

    monkeypatch.setattr(ui.people.household_actions, "QMessageBox", FakeMessageBox)
    return FakeMessageBox  # question() answers Yes


@pytest.fixture
def announced() -> list[str]:
    return []


@pytest.fixture
def page(qtbot: Any, village: tuple[AppContext, dict[str, int]], boxes: Any, announced: list[str]) -> ResidentsPage:
    changes = Changes()
    changes.changed.connect(lambda kind, _src: announced.append(kind))
    p = ResidentsPage(village[0], changes)
    qtbot.addWidget(p)
    p.resize(1360, 760)
    p.show()
    qtbot.waitExposed(p)
    return p


def click(qtbot: Any, w: QWidget | None) -> None:
    assert w is not None and w.isEnabled() and w.isVisible(), w
    qtbot.mouseClick(w, Qt.MouseButton.LeftButton)


def type_into(qtbot: Any, edit: QLineEdit | QPlainTextEdit | None, text: str) -> None:
    assert edit is not None
    edit.setFocus()
    edit.selectAll()
    if text.isascii():
        qtbot.keyClicks(edit, text)
    else:
        edit.insertPlainText(text) if isinstance(edit, QPlainTextEdit) else edit.insert(text)  # an IME commits 汉字


def choose(combo: QComboBox | None, data: object) -> None:
    assert combo is not None
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


def click_row(qtbot: Any, table: Any, text: str) -> None:
    """Click the row whose first column shows `text`."""
    model = table.model()
    for row in range(model.rowCount()):
        if model.index(row, 0).data() == text:
            rect = table.visualRect(model.index(row, 0))
            qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
            assert table.current_row() == row
            return
    raise AssertionError(f"no row {text}")


def save(qtbot: Any, d: QWidget) -> None:
    click(qtbot, d.findChild(QPushButton, "btn_save"))


def errors(d: QWidget) -> dict[str, str]:
    return {e.objectName(): e.text() for e in d.findChildren(QLabel)
            if e.objectName().startswith("err_") and e.isVisible() and e.text()}


def column(model: Any, header: str) -> list[str]:
    c = [col.header for col in model.columns].index(header)
    return [model.index(r, c).data() for r in range(model.rowCount())]


def household(ctx: AppContext, number: str) -> Any:
    rows = ctx.call(households.list_households, HouseholdQuery(ctx.unit_id, text=number, include_closed=True), 0, 5)  # type: ignore[arg-type]
    return next(h for h in rows if h.number == number)


def status(ctx: AppContext, resident_id: int) -> tuple[str, date | None]:
    r = ctx.call(people.get_resident, resident_id)
    return r.status, r.status_date


def status_dialog(qtbot: Any, kind: str, on: str, note: str = "") -> Callable[[Any], None]:
    def fill(d: Any) -> None:
        choose(d.findChild(QComboBox, "field_change"), kind)
        type_into(qtbot, d.findChild(QLineEdit, "field_on"), on)
        if note:
            type_into(qtbot, d.findChild(QPlainTextEdit, "field_note"), note)
        save(qtbot, d)
    return fill


# ------------------------------------------------------------------------------ status changes


def test_away_for_work_then_back(qtbot: Any, page: ResidentsPage, village: Any, monkeypatch: pytest.MonkeyPatch,
                                 announced: list[str]) -> None:
    ctx, t = village
    click_row(qtbot, page.table_households, "001")
    click_row(qtbot, page.table_household_residents, "张小")
    seen = drive(monkeypatch, ResidentStatusDialog, status_dialog(qtbot, "外出务工", "2024-03-01", "广东东莞"))
    click(qtbot, page.findChild(QPushButton, "btn_household_resident_status"))
    assert seen[0].result() == 1, errors(seen[0])
    assert status(ctx, t["张小"]) == ("外出务工", date(2024, 3, 1))
    assert "resident" in announced and "household" in announced
    assert "外出务工" in column(page.household_residents_model, "状态")
    assert "2024-03-01" in column(page.household_residents_model, "变动日期")

    # 返乡 before leaving is refused beside the date; then the right date
    def back(d: Any) -> None:
        assert [d.findChild(QComboBox, "field_change").itemData(i) for i in range(4)] == ["返乡", "迁出", "死亡", "更正"]
        choose(d.findChild(QComboBox, "field_change"), "返乡")
        type_into(qtbot, d.findChild(QLineEdit, "field_on"), "2024-02-01")
        save(qtbot, d)
        assert "不能早于上一次变动" in errors(d)["err_on"] and d.isVisible()
        type_into(qtbot, d.findChild(QLineEdit, "field_on"), "2024-12-20")
        save(qtbot, d)

    seen = drive(monkeypatch, ResidentStatusDialog, back)
    click_row(qtbot, page.table_household_residents, "张小")
    click(qtbot, page.findChild(QPushButton, "btn_household_resident_status"))
    assert seen[0].result() == 1, errors(seen[0])
    assert status(ctx, t["张小"]) == ("在册", date(2024, 12, 20))


def test_death_of_a_member_who_heads_the_household(
    qtbot: Any, page: ResidentsPage, village: Any, monkeypatch: pytest.MonkeyPatch, boxes: Any, announced: list[str],
) -> None:
    ctx, t = village
    click_row(qtbot, page.table_households, "001")
    click_row(qtbot, page.table_household_residents, "张三")
    seen = drive(monkeypatch, ResidentStatusDialog, status_dialog(qtbot, "死亡", "2024-06-01", "病故"))

    def new_head(d: Any) -> None:  # offered at once: the household has no 户主 now
        assert not d.findChild(QComboBox, "field_old_head_relation").isVisible()  # nobody to give a relation
        choose(d.findChild(QComboBox, "field_new_head_id"), t["李梅"])
        save(qtbot, d)

    heads = drive(monkeypatch, HeadChangeDialog, new_head)
    click(qtbot, page.findChild(QPushButton, "btn_household_resident_status"))
    assert seen[0].result() == 1, errors(seen[0])
    assert "党员（东坟村党支部）" in seen[0].findChild(QLabel, "label_status_about").text()
    assert status(ctx, t["张三"]) == ("死亡", date(2024, 6, 1))
    detail = ctx.call(members.get_member, t["m张三"])
    assert (detail.row.left_kind, detail.row.left_on) == ("死亡", date(2024, 6, 1))
    assert "member" in announced
    question = next(text for kind, _title, text in boxes.shown if kind == "question")
    assert "户号 001" in question and "需要新的户主" in question and "已同时办理去世" in question
    assert heads and heads[0].result() == 1, errors(heads[0])
    assert household(ctx, "001").head_name == "李梅"
    assert "户主：李梅" in page.label_household.text()
    # the dead are listed on request, with the date
    assert "张三" not in [page.household_residents_model.index(r, 0).data()
                         for r in range(page.household_residents_model.rowCount())]
    click(qtbot, page.findChild(QCheckBox, "check_household_gone"))
    model = page.household_residents_model
    row = model.find_row(lambda r: r.name == "张三")
    assert row >= 0 and column(model, "变动日期")[row] == "2024-06-01" and column(model, "状态")[row] == "死亡"


def test_moving_away(qtbot: Any, page: ResidentsPage, village: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx, t = village
    page.tabs.setCurrentIndex(1)
    click_row(qtbot, page.table_residents, "王小")

    def fill(d: Any) -> None:
        choose(d.findChild(QComboBox, "field_change"), "迁出")
        type_into(qtbot, d.findChild(QLineEdit, "field_on"), "2024-05-01")
        save(qtbot, d)
        assert "请填写迁往何处/原因" in errors(d)["err_note"]
        type_into(qtbot, d.findChild(QPlainTextEdit, "field_note"), "迁往县城")
        save(qtbot, d)

    seen = drive(monkeypatch, ResidentStatusDialog, fill)
    click(qtbot, page.findChild(QPushButton, "btn_resident_status"))
    assert seen[0].result() == 1, errors(seen[0])
    assert status(ctx, t["王小"]) == ("迁出", date(2024, 5, 1))
    assert "王小" not in [page.residents_model.index(r, 0).data() for r in range(page.residents_model.rowCount())]
    combo = page.findChild(QComboBox, "combo_resident_status")
    choose(combo, {"include_gone": True})
    assert page.residents_model.find_row(lambda r: r.name == "王小" and r.status == "迁出") >= 0


# ------------------------------------------------------------------------------ households


def test_change_head(qtbot: Any, page: ResidentsPage, village: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx, t = village
    click_row(qtbot, page.table_households, "002")

    def fill(d: Any) -> None:
        choose(d.findChild(QComboBox, "field_new_head_id"), t["王小"])
        save(qtbot, d)
        assert "请选择原户主 王五 改为" in errors(d)["err_old_head_relation"]
        choose(d.findChild(QComboBox, "field_old_head_relation"), "父亲")
        save(qtbot, d)

    seen = drive(monkeypatch, HeadChangeDialog, fill)
    click(qtbot, page.findChild(QPushButton, "btn_change_head"))
    assert seen[0].result() == 1, errors(seen[0])
    assert household(ctx, "002").head_name == "王小"
    assert {r.name: r.relation for r in ctx.call(people.household_residents, t["002"])} == {"王小": "户主", "王五": "父亲"}


def test_move_a_resident(qtbot: Any, page: ResidentsPage, village: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx, t = village
    click_row(qtbot, page.table_households, "001")
    click_row(qtbot, page.table_household_residents, "张丽")

    def fill(d: Any) -> None:
        target = d.findChild(QComboBox, "field_household_id")
        target.setFocus()
        target.lineEdit().clear()
        target.lineEdit().insert(target.itemText(target.findData(t["002"])))  # typed 户号 and picked from the list
        choose(d.findChild(QComboBox, "combo_relation_0"), "户主")
        save(qtbot, d)
        assert "已有户主 王五" in errors(d)["err_resident_ids"]
        choose(d.findChild(QComboBox, "combo_relation_0"), "儿媳")
        save(qtbot, d)

    seen = drive(monkeypatch, MoveResidentsDialog, fill)
    click(qtbot, page.findChild(QPushButton, "btn_household_resident_move"))
    assert seen[0].result() == 1, errors(seen[0])
    assert ctx.call(people.get_resident, t["张丽"]).household_number == "002"
    assert household(ctx, "001").size == 3 and household(ctx, "002").size == 3


def test_split_household(qtbot: Any, page: ResidentsPage, village: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx, t = village
    click_row(qtbot, page.table_households, "001")

    def fill(d: Any) -> None:
        type_into(qtbot, d.findChild(QLineEdit, "field_number"), "003")
        d.findChild(QLineEdit, "field_address").clear()
        type_into(qtbot, d.findChild(QLineEdit, "field_address"), "东坟村3号")
        table = d.findChild(QWidget, "field_resident_ids")
        names = [table.cellWidget(i, 0).text() for i in range(table.rowCount())]
        for name, relation in (("张小", "户主"), ("张丽", "姐妹")):
            i = names.index(name)
            tick = d.findChild(QCheckBox, f"check_resident_{i}")
            qtbot.mouseClick(tick, Qt.MouseButton.LeftButton, pos=QPoint(6, tick.height() // 2))
            choose(d.findChild(QComboBox, f"combo_relation_{i}"), relation)
        save(qtbot, d)

    seen = drive(monkeypatch, SplitHouseholdDialog, fill)
    click(qtbot, page.findChild(QPushButton, "btn_split_household"))
    assert seen[0].result() == 1, errors(seen[0])
    new = household(ctx, "003")
    assert (new.address, new.head_name, new.size) == ("东坟村3号", "张小", 2)
    assert household(ctx, "001").size == 2
    assert page._current_household().number == "003"  # the new household is selected


def test_close_household_after_moving_its_people(
    qtbot: Any, page: ResidentsPage, village: Any, monkeypatch: pytest.MonkeyPatch, boxes: Any,
) -> None:
    ctx, t = village
    click_row(qtbot, page.table_households, "002")

    def move(d: Any) -> None:
        target = d.findChild(QComboBox, "field_household_id")
        target.setCurrentIndex(target.findData(t["001"]))
        choose(d.findChild(QComboBox, "combo_relation_0"), "其他")
        choose(d.findChild(QComboBox, "combo_relation_1"), "其他")
        save(qtbot, d)

    def close(d: Any) -> None:
        assert d.findChild(QLineEdit, "field_closed_on").text() == date.today().isoformat()
        save(qtbot, d)
        assert "请填写销户原因" in errors(d)["err_close_reason"]
        type_into(qtbot, d.findChild(QPlainTextEdit, "field_close_reason"), "并入001户")
        save(qtbot, d)

    moves = drive(monkeypatch, MoveResidentsDialog, move)
    closes = drive(monkeypatch, CloseHouseholdDialog, close)
    click(qtbot, page.findChild(QPushButton, "btn_close_household"))
    question = next(text for kind, _title, text in boxes.shown if kind == "question")
    assert "还有 2 名在册居民：王五、王小" in question
    assert moves[0].result() == 1, errors(moves[0])
    assert closes and closes[0].result() == 1, errors(closes[0])
    closed = household(ctx, "002")
    assert (closed.closed_on, closed.close_reason, closed.size) == (date.today(), "并入001户", 0)
    assert household(ctx, "001").size == 6
    numbers = lambda: [page.households_model.index(r, 0).data() for r in range(page.households_model.rowCount())]  # noqa: E731
    assert "002" not in numbers()
    click(qtbot, page.findChild(QCheckBox, "check_closed_households"))
    assert "002" in numbers()


def test_edit_tags_and_add_one(qtbot: Any, page: ResidentsPage, village: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx, _t = village
    click_row(qtbot, page.table_households, "001")

    def fill(d: Any) -> None:
        tags = d.findChild(QListWidget, "field_tag_names")
        item = tags.findItems("低保", Qt.MatchFlag.MatchExactly)[0]
        qtbot.mouseClick(tags.viewport(), Qt.MouseButton.LeftButton, pos=tags.visualItemRect(item).center())
        qtbot.keyClick(tags, Qt.Key.Key_Space)
        assert item.checkState() == Qt.CheckState.Checked
        type_into(qtbot, d.findChild(QLineEdit, "edit_new_tag"), "空巢")
        click(qtbot, d.findChild(QPushButton, "btn_add_tag"))
        assert "已有标签“空巢”" in errors(d)["err_name"]
        type_into(qtbot, d.findChild(QLineEdit, "edit_new_tag"), "重点关注")
        click(qtbot, d.findChild(QPushButton, "btn_add_tag"))
        assert "err_name" not in errors(d)
        save(qtbot, d)

    seen = drive(monkeypatch, HouseholdTagsDialog, fill)
    click(qtbot, page.findChild(QPushButton, "btn_household_tags"))
    assert seen[0].result() == 1, errors(seen[0])
    assert household(ctx, "001").tags == ("低保", "重点关注")
    assert "标签：低保、重点关注" in page.label_household.text()


def test_delete_a_mistake(qtbot: Any, page: ResidentsPage, village: Any, no_popups: Any) -> None:
    ctx, t = village
    ctx.call(households.add_household, t["vid"], HouseholdInput("009", "误录"))
    page.refresh()
    click_row(qtbot, page.table_households, "009")
    click(qtbot, page.findChild(QPushButton, "btn_delete_household"))
    assert "009" not in [h.number for h in ctx.call(
        households.list_households, HouseholdQuery(t["vid"], include_closed=True), 0, 50)]
    assert "已删除户号 009" in page.info_households.text()
    # a household people live in is refused, naming what refers to it
    click_row(qtbot, page.table_households, "002")
    click(qtbot, page.findChild(QPushButton, "btn_delete_household"))
    warning = [text for kind, _title, text in no_popups.shown if kind == "warning"]
    assert warning and "已被 2 条居民引用" in warning[-1] and "销户" in warning[-1]
