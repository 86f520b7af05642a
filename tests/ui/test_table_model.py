"""The lazy table model: Qt's model contract, paging through fetchMore, sorting by service query."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt

from app.services import org, people
from app.services.context import AppContext
from app.services.org import MemberQuery
from app.services.people import ResidentQuery
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
    count, page = service_source(demo_ctx, org.count_members, org.list_members, MemberQuery(demo_ctx.unit_id))  # type: ignore[arg-type]
    model: LazyTableModel[Any] = LazyTableModel(MEMBER_COLUMNS, count, page, page_size=20)
    model.refresh()
    assert model.rowCount() == 20 and model.canFetchMore()
    qtmodeltester.check(model)


def test_model_tester_on_residents(qtmodeltester: Any, demo_ctx: AppContext) -> None:
    q = ResidentQuery(demo_ctx.unit_id)  # type: ignore[arg-type]
    count, page = service_source(demo_ctx, people.count_residents, people.list_residents, q)
    model: LazyTableModel[Any] = LazyTableModel(resident_columns(), count, page, page_size=100)
    model.refresh()
    model.sort(2, Qt.SortOrder.DescendingOrder)  # sorted by 年龄 in the database
    assert model.order_by == "age" and model.descending
    # (checked after sorting: Qt's tester runs its checks, fetchMore included, inside modelReset,
    # which it then reports as an insert during a reset; that is the tester, not the model)
    qtmodeltester.check(model)


def test_fetch_more_pages(qtmodeltester: Any) -> None:
    count, page, calls = fake_source(450)
    model: LazyTableModel[Item] = LazyTableModel(COLUMNS, count, page, page_size=200)
    model.refresh()
    assert model.rowCount() == 200 and model.total == 450
    assert model.canFetchMore()
    model.fetchMore()
    model.fetchMore()
    assert model.rowCount() == 450 and not model.canFetchMore()
    assert [c[0] for c in calls] == [0, 200, 400]
    assert model.index(449, 1).data() == "第449项"
    qtmodeltester.check(model)


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
