"""村务公开 from any sheet the clerk picks: masked like every 公示, refused with a message when unreadable."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.cli import main as cli_main
from app.db import Database
from app.models import Notice
from app.services.affairs.open_affairs import publish_open_affairs
from app.services.errors import ServiceError, ValidationError
from app.services.setup import founding

ID = "110111196804021234"


def _sheet(path: Path, rows: list[list[object]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


FINANCE = [
    ["日期", "摘要", "收入（元）", "支出（元）", "经办人", "身份证号", "联系电话"],
    [date(2026, 1, 5), "道路维修，联系人电话13812345678", None, 12500.5, "王一", ID, "13987654321"],
    [date(2026, 1, 20), "上级转移支付", 80000, None, "李二", "", ""],
    [None, None, None, None, None, None, None],
]


def test_a_sheet_becomes_a_masked_notice(session: Session, tmp_path: Path) -> None:
    vid = founding.create_unit(session, "东坟村", "城关街道", "房山区")
    table = _sheet(tmp_path / "财务收支.xlsx", FINANCE)
    info = publish_open_affairs(session, vid, table, "2026年1月财务收支情况", tmp_path / "out.pdf",
                                issued_on=date(2026, 2, 2))
    n = session.get(Notice, info.id)
    assert n is not None and n.kind == "open-affairs" and n.title == "2026年1月财务收支情况"
    assert [c["header"] for c in n.columns] == FINANCE[0]
    # dates and amounts stay on one line (a wrapped 12500.5 misreads); the 摘要 wraps
    assert [c["kind"] for c in n.columns] == ["short", "text", "short", "short", "text", "id", "phone"]
    assert len(n.rows) == 2  # the blank row is dropped
    first = n.rows[0]
    assert first[0] == "2026-01-05" and first[3] == "12500.5" and first[2] == ""
    assert "138****5678" in first[1] and "13812345678" not in first[1]
    assert first[5] == "110111********1234" and first[6] == "139****4321"
    assert n.rows[1][2] == "80000"
    assert "2026年1月财务收支情况" in n.body and info.path.exists()


def test_bad_files_and_titles_are_refused_with_a_message(session: Session, tmp_path: Path) -> None:
    vid = founding.create_unit(session, "东坟村", "城关街道", "房山区")
    out = tmp_path / "out.pdf"
    fake = tmp_path / "收支.xlsx"
    fake.write_bytes(b"this is not a workbook at all" * 20)
    with pytest.raises(ServiceError, match="“收支.xlsx”不是有效的 Excel 文件"):
        publish_open_affairs(session, vid, fake, "财务公开", out)
    header_only = _sheet(tmp_path / "表头.xlsx", [FINANCE[0]])
    with pytest.raises(ValidationError, match="公开表格：“表头.xlsx”只有表头"):
        publish_open_affairs(session, vid, header_only, "财务公开", out)
    wide = _sheet(tmp_path / "宽表.xlsx", [[f"列{i}" for i in range(14)], list(range(14))])
    with pytest.raises(ValidationError, match="有 14 列，公示最多 12 列"):
        publish_open_affairs(session, vid, wide, "财务公开", out)
    good = _sheet(tmp_path / "好.xlsx", FINANCE)
    with pytest.raises(ValidationError, match="公示标题：请填写公示标题"):
        publish_open_affairs(session, vid, good, "  ", out)
    assert not out.exists()
    assert session.scalars(select(Notice)).first() is None  # nothing half-written


def test_cli_notice_open_affairs(db: Database, db_path: Path, tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    with db.session() as s:
        founding.create_unit(s, "东坟村", "城关街道", "房山区")
    table = _sheet(tmp_path / "财务收支.xlsx", FINANCE)
    out = tmp_path / "公开.pdf"
    assert cli_main(["--db", str(db_path), "notice", "open-affairs", "--table", str(table),
                     "--title", "2026年1月财务收支情况", "-o", str(out)]) == 0
    assert "《2026年1月财务收支情况》" in capsys.readouterr().out and out.exists()
    assert cli_main(["--db", str(db_path), "notice", "open-affairs", "--table", str(tmp_path / "无.xlsx"),
                     "--title", "x", "-o", str(out)]) == 1
    assert "找不到文件" in capsys.readouterr().err
