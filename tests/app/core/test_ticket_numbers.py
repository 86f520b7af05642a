"""工单编号 from outside (imports, historical numbers) are read in one place: year 0, years to come, sequence 0
and malformed numbers are refused with a Chinese message naming the row in an import."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.io.excel_import import read_table
from app.models import Ticket
from app.services.errors import ServiceError, ValidationError
from app.services.imports import flow as imports
from app.services.imports.flow import ImportOptions
from app.services.tickets import workflow as tickets
from app.services.tickets.numbers import MIN_YEAR, parse_ticket_number
from tests import import_files as F

TODAY = date(2026, 6, 1)


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-0001", (2026, 1)), ("2019-12", (2019, 12)), (" 2025-123456 ", (2025, 123456)),
    ("２０２６－０００７", (2026, 7)),  # typed with a Chinese input method: full-width digits and dash
    (f"{MIN_YEAR}-1", (MIN_YEAR, 1)),
])
def test_good_numbers(text: str, expected: tuple[int, int]) -> None:
    assert parse_ticket_number(text, TODAY) == expected


@pytest.mark.parametrize(("text", "says"), [
    ("0000-0001", "年份 0000"), ("0001-0001", "年份 0001"), ("2027-0001", "年份 2027"),
    (f"{MIN_YEAR - 1}-0001", "年份"), ("2026-0000", "从 1 开始"), ("2026-0", "从 1 开始"),
    ("2026/0001", "不是工单编号"), ("26-0001", "不是工单编号"), ("2026-", "不是工单编号"),
    ("2026-1234567", "不是工单编号"), ("-2026-0001", "不是工单编号"), ("2026-00a1", "不是工单编号"),
    ("", "不是工单编号"), ("2026-0001-1", "不是工单编号"),
])
def test_bad_numbers_are_refused_in_chinese(text: str, says: str) -> None:
    with pytest.raises(ServiceError) as caught:
        parse_ticket_number(text, TODAY)
    assert says in str(caught.value)


def test_create_ticket_refuses_year_zero(s: Session, uid: int) -> None:
    category = tickets.list_categories(s, uid)[0].id
    data = tickets.TicketInput(category, "路灯坏了", requester_name="张三", received_at=datetime(2025, 3, 1, 9))
    with pytest.raises(ValidationError) as caught:
        tickets.create_ticket(s, uid, data, number="0000-0001")
    assert caught.value.for_field("number") and "年份 0000" in caught.value.for_field("number")[0]
    assert tickets.create_ticket(s, uid, data, number="2025-0901").number == "2025-0901"


def test_import_names_the_row_of_a_bad_number_and_writes_nothing(s: Session, uid: int, tmp_path: Path) -> None:
    rows = [["工单编号", "受理日期", "渠道", "诉求类别", "反映人", "诉求内容"],
            ["2025-0801", "2025-03-01", "热线电话", "环境卫生", "张三", "垃圾没人清"],
            ["0000-0001", "2025-03-02", "热线电话", "环境卫生", "李四", "路灯坏了"],
            ["2025-0000", "2025-03-03", "热线电话", "环境卫生", "王五", "井盖松了"]]
    table = read_table(F.write_xlsx(tmp_path / "t.xlsx", rows))
    layout = imports.detect_layout(s, uid, "tickets", table)
    before = s.scalar(select(func.count(Ticket.id)))
    report = imports.check_import(s, uid, "tickets", table, layout, ImportOptions(create_missing=True))
    lines = report.lines()
    assert len(lines) == 2
    assert lines[0].startswith("第 3 行，工单编号：") and "年份 0000" in lines[0]
    assert lines[1].startswith("第 4 行，工单编号：") and "从 1 开始" in lines[1]
    with pytest.raises(imports.ImportRefused):
        imports.run_import(s, uid, "tickets", table, layout, ImportOptions(create_missing=True))
    assert s.scalar(select(func.count(Ticket.id))) == before
