"""The lazy table model: Qt's model contract, pages read when shown, sorting by service query."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt

from app.services.context import AppContext
from app.services.org import members
from app.services.org.members import MemberQuery
from app.services.people import residents as people
from app.services.people.residents import ResidentQuery
from ui.common.table_model import Column, LazyTableModel, service_source
from ui.org.page import MEMBER_COLUMNS
from ui.people.page import resident_columns


@dataclass(frozen=True)
class Item:
    id: int
    name: str


def fake_source(n: int) -> tuple[Any, Any, list[tuple[int, int, str | None, bool]]]:
    items = [Item(i, f"第{i}项") for i in range(n)]
    calls: list[tuple[int, int, str | None, bool]] = []

    def count() -> int:
        return n

    def page(offset: int, limit: int, order_by: str | None, descending: bool) -> Sequence[Item]:
        calls.append((offset, limit, order_by, descending))
        ordered = sorted(items, key=lambda x: x.id, reverse=descending)
        return ordered[offset : offset + limit]

    return count, page, calls


COLUMNS: list[Column[Item]] = [Column("编号", "id", sort_key="id"), Column("名称", "name")]


def test_model_tester_on_members(qtmodeltester: Any, demo_ctx: AppContext) -> None:
    count, page = service_source(demo_ctx, members.count_members, members.list_members, MemberQuery(demo_ctx.unit_id))  # type: ignore[arg-type]
    model: LazyTableModel[Any] = LazyTableModel(MEMBER_COLUMNS, count, page, page_size=20)
    model.refresh()
    assert model.rowCount() == model.total > 20  # the total, of which only the first page is read
    qtmodeltester.check(model)


def test_model_tester_on_residents(qtmodeltester: Any, demo_ctx: AppContext) -> None:
    q = ResidentQuery(demo_ctx.unit_id)  # type: ignore[arg-type]
    count, page = service_source(demo_ctx, people.count_residents, people.list_residents, q)
    model: LazyTableModel[Any] = LazyTableModel(resident_columns(), count, page, page_size=100)
    model.refresh()
    model.sort(2, Qt.SortOrder.DescendingOrder)  # sorted by 年龄 in the database
    assert model.order_by == "age" and model.descending
    qtmodeltester.check(model)


def test_pages_are_read_when_shown(qtmodeltester: Any) -> None:
    count, page, calls = fake_source(450)
    model: LazyTableModel[Item] = LazyTableModel(COLUMNS, count, page, page_size=200)
    model.refresh()
    assert model.rowCount() == 450 == model.total
    assert [c[0] for c in calls] == [0]
    assert model.index(449, 1).data() == "第449项"  # the last page only: nothing in between
    assert [c[0] for c in calls] == [0, 400]
    assert model.index(420, 0).data() == "420" and len(calls) == 2  # same page: no query
    assert model.index(250, 1).data() == "第250项" and [c[0] for c in calls] == [0, 400, 200]
    qtmodeltester.check(model)


def test_scrolling_a_view_to_the_end_reads_only_the_last_pages(qtbot: Any) -> None:
    from PySide6.QtWidgets import QApplication, QTableView

    count, page, calls = fake_source(100_000)
    model: LazyTableModel[Item] = LazyTableModel(COLUMNS, count, page, page_size=200)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(600, 400)
    view.show()
    model.refresh()
    QApplication.processEvents()  # the view lays itself out after the reset
    view.scrollToBottom()
    QApplication.processEvents()
    view.viewport().repaint()
    assert view.verticalScrollBar().value() == view.verticalScrollBar().maximum() > 0
    offsets = {c[0] for c in calls}
    assert 99_800 in offsets and len(offsets) <= 3, offsets
    assert model.rows[-1].id == 99_999  # `rows` reads every page


def test_short_first_page_needs_no_count() -> None:
    counted: list[int] = []
    count, page, calls = fake_source(30)

    def counting() -> int:
        counted.append(1)
        return count()

    model: LazyTableModel[Item] = LazyTableModel(COLUMNS, counting, page, page_size=50)
    model.refresh()
    assert model.total == 30 and not counted
    model = LazyTableModel(COLUMNS, counting, page, page_size=10)
    model.refresh()
    assert model.total == 30 and counted


def test_pages_in_memory_are_bounded(monkeypatch: Any) -> None:
    from ui.common import table_model

    monkeypatch.setattr(table_model, "MAX_PAGES", 3)
    count, page, calls = fake_source(1000)
    model: LazyTableModel[Item] = LazyTableModel(COLUMNS, count, page, page_size=10)
    model.refresh()
    for row in (10, 20, 30, 40):
        assert model.index(row, 0).data() == str(row)
    assert len(model._pages) == 3
    n = len(calls)
    assert model.index(5, 0).data() == "5" and len(calls) == n + 1  # page 0 was dropped: read again


def test_a_page_that_fails_is_reported_once() -> None:
    count, page, _calls = fake_source(500)
    fail = {"on": False}

    def flaky(offset: int, limit: int, order_by: str | None, descending: bool) -> Sequence[Item]:
        if fail["on"]:
            raise RuntimeError("disk gone")
        return page(offset, limit, order_by, descending)

    model: LazyTableModel[Item] = LazyTableModel(COLUMNS, count, flaky, page_size=100)
    messages: list[str] = []
    model.loadFailed.connect(messages.append)
    model.refresh()
    fail["on"] = True
    assert model.index(450, 0).data() is None and model.index(451, 0).data() is None
    assert len(messages) == 1 and "日志" in messages[0]


def test_sort_requeries_and_unsortable_columns_do_nothing() -> None:
    count, page, calls = fake_source(30)
    model: LazyTableModel[Item] = LazyTableModel(COLUMNS, count, page, page_size=10)
    model.refresh()
    model.sort(0, Qt.SortOrder.DescendingOrder)
    assert calls[-1] == (0, 10, "id", True)
    assert model.index(0, 0).data() == "29"
    n = len(calls)
    model.sort(1, Qt.SortOrder.AscendingOrder)  # 名称 has no sort key
    assert len(calls) == n


def test_load_failure_is_reported_not_raised() -> None:
    def broken(*_: Any) -> int:
        raise RuntimeError("database gone")

    model: LazyTableModel[Item] = LazyTableModel(COLUMNS, broken, broken)
    messages: list[str] = []
    model.loadFailed.connect(messages.append)
    model.refresh()
    assert model.rowCount() == 0 and messages and "日志" in messages[0]


def test_find_row_fetches_when_asked() -> None:
    count, page, _calls = fake_source(500)
    model: LazyTableModel[Item] = LazyTableModel(COLUMNS, count, page, page_size=100)
    model.refresh()
    assert model.find_row(lambda x: x.id == 350) == -1
    assert model.find_row(lambda x: x.id == 350, fetch_all=True) == 350


def test_find_row_reads_many_pages_per_query() -> None:
    count, page, calls = fake_source(100_000)
    model: LazyTableModel[Item] = LazyTableModel(COLUMNS, count, page, page_size=200)
    model.refresh()
    assert model.find_row(lambda x: x.id == 99_999, fetch_all=True) == 99_999
    assert len(calls) == 1 + 20  # the first page, then 5,000 rows per query
    n = len(calls)
    assert model.index(99_999, 1).data() == "第99999项" and len(calls) == n  # its page is kept
