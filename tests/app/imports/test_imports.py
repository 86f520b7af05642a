"""Imports through the service and the CLI: header detection, synonyms, every error class, duplicates,
dry-run, one-transaction writes, undo to the exact previous state, hostile files."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.cli import main
from app.io.atomic import Cancelled
from app.io.excel_import import UnreadableFile, read_table
from app.models import (
    AuditEntry,
    Grid,
    GridPost,
    Household,
    ImportBatch,
    PartyMember,
    PartyOrg,
    Resident,
    Ticket,
)
from app.services.errors import ServiceError
from app.services.imports import flow as imports
from app.services.imports.flow import ImportOptions, ImportRefused
from app.services.people import residents as people
from tests import import_files as F

DB_TABLES = (Resident, Household, PartyMember, GridPost, Ticket, ImportBatch, PartyOrg, Grid)


def counts(s: Session) -> dict[str, int]:
    return {m.__tablename__: s.scalar(select(func.count()).select_from(m)) or 0 for m in DB_TABLES}


def check(s: Session, uid: int, kind: str, path: Path, **opts: Any) -> imports.ImportReport:
    table = read_table(path)
    layout = imports.detect_layout(s, uid, kind, table)
    return imports.check_import(s, uid, kind, table, layout, ImportOptions(**opts))


def run(s: Session, uid: int, kind: str, path: Path, **opts: Any) -> imports.ImportResult:
    table = read_table(path)
    layout = imports.detect_layout(s, uid, kind, table)
    return imports.run_import(s, uid, kind, table, layout, ImportOptions(**opts))


def a_grid(s: Session, uid: int) -> str:
    return s.scalars(select(Grid.name).where(Grid.unit_id == uid, Grid.parent_id.is_(None)).order_by(Grid.id)).first()


# ---------------------------------------------------------------- header and mapping


def test_header_found_under_merged_title_and_blank_row_with_synonyms(s: Session, uid: int, tmp_path: Path) -> None:
    table = read_table(F.residents_xlsx(tmp_path / "r.xlsx"))
    layout = imports.detect_layout(s, uid, "residents", table)
    assert layout.header_row == 2  # title, blank, header
    by_header = {layout.headers[c]: f for c, f in layout.mapping.items()}
    assert by_header["公民身份号码"] == "id_number"
    assert by_header["出生年月"] == "birth_date"
    assert by_header["手机号"] == "phone"
    assert by_header["文化程度"] == "education"
    assert "序号" not in by_header  # a row counter is not imported


def test_no_header_is_a_clear_message(s: Session, uid: int, tmp_path: Path) -> None:
    path = F.write_xlsx(tmp_path / "x.xlsx", [["甲", "乙"], [1, 2]])
    with pytest.raises(ServiceError, match="没有找到表头"):
        imports.detect_layout(s, uid, "residents", read_table(path))


def test_mapping_is_remembered_per_layout(s: Session, uid: int, tmp_path: Path) -> None:
    rows = F.resident_rows()
    rows[0][7] = "号码"  # a name we don't know: the user maps it by hand
    path = F.write_xlsx(tmp_path / "r.xlsx", rows)
    table = read_table(path)
    layout = imports.detect_layout(s, uid, "residents", table)
    assert 7 not in layout.mapping
    layout.mapping[7] = "phone"
    imports.run_import(s, uid, "residents", table, layout)
    again = imports.detect_layout(s, uid, "residents", read_table(path))
    assert again.remembered and again.mapping[7] == "phone"


# ---------------------------------------------------------------- residents and households


def test_residents_import_with_mixed_dates_and_normalised_words(s: Session, uid: int, tmp_path: Path) -> None:
    result = run(s, uid, "residents", F.residents_xlsx(tmp_path / "r.xlsx"))
    assert result.report.counts == {"new": 5, "update": 0, "skip": 0, "error": 0}
    r = s.scalars(select(Resident).where(Resident.name == "赵四")).one()
    assert str(r.birth_date) == "1970-02-03" and r.ethnicity == "回族" and r.education == "小学"
    assert r.import_batch_id == result.batch_id
    wang = s.scalars(select(Resident).where(Resident.name == "王小山")).one()
    assert wang.phone == "13912345678" and wang.education == "大学专科"


@pytest.mark.parametrize(("cell", "problem"), [
    (110111199001010011, "Excel 把身份证号存成了数字"),
    ("1.10111E+17", "Excel 把身份证号存成了数字"),
    ("110111199001010012", "校验位错误"),
    ("11011119900101001", "应为18位"),
    ("110111900101001", "15位旧身份证号"),
    ("110111199002300011", "出生日期 19900230 不存在"),
])
def test_each_id_error_names_row_and_column(s: Session, uid: int, tmp_path: Path, cell: object, problem: str) -> None:
    rows = F.resident_rows()
    rows[3][2] = cell
    report = check(s, uid, "residents", F.write_xlsx(tmp_path / "r.xlsx", rows, title="标题"))
    lines = report.lines()
    assert len(lines) == 1
    assert lines[0].startswith("第 5 行，公民身份号码：") and problem in lines[0]
    assert report.counts["error"] == 1 and not report.can_write


@pytest.mark.parametrize(("col", "value", "problem"), [
    (7, "138123", "手机号应为11位"),
    (7, "62345678", "固定电话请加区号"),
    (4, "1990-02-30", "不存在"),
    (4, "去年", "不是日期"),
    (4, "1991.01", "与身份证号不符"),
    (3, "女", "与身份证号不符"),
    (6, "博士后", "不是可选项"),
    (1, "", "请填写姓名"),
])
def test_each_field_error_class(s: Session, uid: int, tmp_path: Path, col: int, value: object, problem: str) -> None:
    rows = F.resident_rows()
    rows[3][col] = value  # 王小山, born 1990-01-01, male
    report = check(s, uid, "residents", F.write_xlsx(tmp_path / "r.xlsx", rows))
    assert any(line.startswith("第 4 行，") and problem in line for line in report.lines()), report.lines()


def test_duplicates_in_file_and_against_database(s: Session, uid: int, tmp_path: Path) -> None:
    rows = F.resident_rows()
    rows.append([6, "王大山", rows[1][2], "男", "", "", "", "", "", ""])
    path = F.write_xlsx(tmp_path / "r.xlsx", rows)
    report = check(s, uid, "residents", path)
    assert "第 7 行，公民身份号码：与第 2 行的身份证号相同（表中重复）" in report.lines()
    existing = s.scalars(select(Resident).where(Resident.id_number.isnot(None)).order_by(Resident.id)).first()
    rows = F.resident_rows()
    rows[1][2] = existing.id_number
    rows[1][1] = existing.name
    rows[1][3] = existing.gender
    rows[1][4] = ""
    path = F.write_xlsx(tmp_path / "r2.xlsx", rows)
    assert check(s, uid, "residents", path).counts == {"new": 4, "update": 0, "skip": 1, "error": 0}
    assert check(s, uid, "residents", path, on_existing="update").counts["update"] == 1


def test_households_grouped_by_number_and_by_head(s: Session, uid: int, tmp_path: Path) -> None:
    grid = a_grid(s, uid)
    path = F.write_csv(tmp_path / "h.csv", F.household_rows(grid), encoding="gbk")
    result = run(s, uid, "households", path)
    assert result.report.counts["new"] == 5
    h1 = s.scalars(select(Household).where(Household.number == "9001")).one()
    assert sorted(r.name for r in h1.residents) == ["李秀英", "王大山", "王小山"]
    zhao = s.scalars(select(Resident).where(Resident.name == "赵小五")).one()
    head = s.scalars(select(Resident).where(Resident.name == "赵四")).one()
    assert zhao.household_id == head.household_id and zhao.relation == "子"
    assert s.get(Household, head.household_id).address == "东坟村九街2号"


def test_household_member_before_any_head_is_reported(s: Session, uid: int, tmp_path: Path) -> None:
    rows = F.household_rows(a_grid(s, uid))
    report = check(s, uid, "households", F.write_xlsx(tmp_path / "h2.xlsx", [rows[0], rows[5]]))
    assert report.lines() == ["第 2 行，户号：找不到所属户：请填写户号，或把户主排在家庭成员之前"]


def test_unknown_grid_reported_mapped_or_created(s: Session, uid: int, tmp_path: Path) -> None:
    path = F.write_xlsx(tmp_path / "h.xlsx", F.household_rows("第九网格"))
    report = check(s, uid, "households", path)
    assert report.unknown_names == {"网格": ["第九网格"]}
    assert any("没有名为“第九网格”的网格" in line for line in report.lines())
    grid = a_grid(s, uid)
    assert check(s, uid, "households", path, name_map={"第九网格": grid}).counts["error"] == 0
    before = counts(s)["grids"]
    result = run(s, uid, "households", path, create_missing=True)
    assert counts(s)["grids"] == before + 1
    imports.undo_import(s, result.batch_id, "试导入")
    assert counts(s)["grids"] == before


# ---------------------------------------------------------------- members (.xls), grid posts, tickets


def test_members_from_real_xls_link_and_create_residents(s: Session, uid: int, tmp_path: Path) -> None:
    branch = s.scalars(select(PartyOrg.name).where(PartyOrg.unit_id == uid, PartyOrg.kind == "党支部")).first()
    resident = s.scalars(
        select(Resident).where(Resident.id_number.isnot(None), ~Resident.id.in_(select(PartyMember.resident_id)),
                               Resident.birth_date < date(1990, 1, 1))
    ).first()
    rows = [
        list(F.MEMBER_HEADER),
        [resident.name, resident.id_number, resident.gender, branch, "正式", date(2015, 7, 1), "2016.7.1", ""],
        ["新党员", F.person_id(1985, 3, 3, 71), "男", branch, "预备", "2026年3月1日", "", "13800001111"],
        ["错支部", F.person_id(1986, 3, 3, 73), "男", "不存在的支部", "正式", "2010-1-1", "2011-1-1", ""],
        ["缺日期", F.person_id(1987, 3, 3, 75), "男", branch, "预备党员", "", "", ""],
    ]
    path = F.write_xls(tmp_path / "m.xls", rows, title="党员花名册")
    assert read_table(path).format == "xls"
    report = check(s, uid, "members", path)
    assert report.counts == {"new": 2, "update": 0, "skip": 0, "error": 2}
    assert any(line.startswith("第 5 行，所在支部：没有名为“不存在的支部”") for line in report.lines())
    assert any(line.startswith("第 6 行，入党时间：预备党员须填写入党日期") for line in report.lines())
    before = counts(s)
    with pytest.raises(ImportRefused):
        run(s, uid, "members", path)
    assert counts(s) == before  # refused: nothing written
    result = run(s, uid, "members", path, skip_errors=True)
    assert result.report.counts["new"] == 2
    after = counts(s)
    assert after["party_members"] == before["party_members"] + 2
    assert after["residents"] == before["residents"] + 1  # the known resident was linked, not duplicated


def test_grid_posts_import(s: Session, uid: int, tmp_path: Path) -> None:
    grid = a_grid(s, uid)
    rows = [["网格", "岗位", "姓名", "联系电话", "任职时间"],
            [grid, "网格员", "张网格", "13700001111", "2024-01-01"],
            [grid, "楼栋长", "李楼长", "0351-1234567", ""],
            [grid, "队长", "王某", "", ""]]
    report = check(s, uid, "grid-posts", F.write_xlsx(tmp_path / "g.xlsx", rows))
    assert report.counts["new"] == 2
    assert report.lines() == ["第 4 行，岗位：“队长”不是可选项（可选：网格长、专职网格员、微网格员、辅助微网格员、楼栋长）"]


def test_tickets_import_numbers_and_undo(s: Session, uid: int, tmp_path: Path) -> None:
    rows = [["受理日期", "渠道", "诉求类别", "反映人", "诉求内容", "办理状态", "满意度"],
            ["2025-03-01", "热线电话", "环境卫生", "张三", "垃圾没人清", "已办结", "满意"],
            ["2025.3.2", "", "民生诉求", "李四", "路灯坏了", "", ""],
            ["2025.3.3", "飞鸽传书", "民生诉求", "王五", "x", "", ""]]
    path = F.write_xlsx(tmp_path / "t.xlsx", rows)
    before = s.scalar(select(func.count(Ticket.id)))  # the demo village has its own year of tickets
    report = check(s, uid, "tickets", path, create_missing=True)
    assert report.lines() == ["第 4 行，渠道：“飞鸽传书”不是可选项（可选：热线电话、专线、意见箱、微信群、服务站、转交、办公室）"]
    result = run(s, uid, "tickets", path, skip_errors=True, create_missing=True)
    numbers = s.scalars(select(Ticket.number).where(Ticket.import_batch_id == result.batch_id).order_by(Ticket.seq)).all()
    assert len(numbers) == 2 and all(n.startswith("2025-") for n in numbers)
    closed = s.scalars(select(Ticket).where(Ticket.requester_name == "张三")).one()
    assert closed.state == "closed" and closed.satisfaction == "满意" and len(closed.events) == 2
    imports.undo_import(s, result.batch_id, "重来")
    assert s.scalar(select(func.count(Ticket.id))) == before


# ---------------------------------------------------------------- transaction, dry run, cancel


def test_any_problem_writes_nothing(s: Session, uid: int, tmp_path: Path) -> None:
    rows = F.resident_rows()
    rows[5][2] = "123"
    before = counts(s)
    with pytest.raises(ImportRefused) as exc:
        run(s, uid, "residents", F.write_xlsx(tmp_path / "r.xlsx", rows))
    assert "第 6 行，公民身份号码：身份证号应为18位" in str(exc.value)
    assert counts(s) == before


def test_cancelled_import_leaves_database_unchanged(s: Session, uid: int, tmp_path: Path) -> None:
    table = read_table(F.residents_xlsx(tmp_path / "r.xlsx"))
    layout = imports.detect_layout(s, uid, "residents", table)
    before = counts(s)
    calls = iter(range(100))
    with pytest.raises(Cancelled):
        imports.run_import(s, uid, "residents", table, layout, cancel=lambda: next(calls) >= 3)
    assert counts(s) == before


def test_check_writes_nothing(s: Session, uid: int, tmp_path: Path) -> None:
    before = counts(s)
    audits = s.scalar(select(func.count(AuditEntry.id)))
    report = check(s, uid, "residents", F.residents_xlsx(tmp_path / "r.xlsx"))
    assert report.counts["new"] == 5
    assert counts(s) == before and s.scalar(select(func.count(AuditEntry.id))) == audits


# ---------------------------------------------------------------- undo


def _state(s: Session) -> list[tuple[Any, ...]]:
    rows = s.execute(select(Resident).order_by(Resident.id)).scalars()
    return [tuple(getattr(r, c.key) for c in Resident.__table__.columns) for r in rows]


def test_undo_restores_exact_previous_state(s: Session, uid: int, tmp_path: Path) -> None:
    victim = s.scalars(select(Resident).where(Resident.id_number.isnot(None), Resident.phone == "")).first()
    s.flush()
    before_rows = _state(s)
    before = counts(s)
    rows = F.resident_rows()
    rows.append([6, victim.name, victim.id_number, victim.gender, "", "", "初中", "13611112222", "", ""])
    result = run(s, uid, "residents", F.write_xlsx(tmp_path / "r.xlsx", rows), on_existing="update")
    assert result.report.counts["update"] == 1
    s.expire_all()
    assert s.get(Resident, victim.id).phone == "13611112222"
    undone = imports.undo_import(s, result.batch_id, "导错了文件")
    assert undone == {"resident": 5, "restored": 1}
    s.expire_all()
    assert _state(s) == before_rows
    assert {k: v for k, v in counts(s).items() if k != "import_batches"} == {
        k: v for k, v in before.items() if k != "import_batches"}
    with pytest.raises(ServiceError, match="撤销过了"):
        imports.undo_import(s, result.batch_id, "再来一次")


def test_undo_refused_after_later_edit_naming_the_row(s: Session, uid: int, tmp_path: Path) -> None:
    result = run(s, uid, "residents", F.residents_xlsx(tmp_path / "r.xlsx"))
    rid = s.scalars(select(Resident.id).where(Resident.name == "李秀英")).one()
    data = people.resident_input(s, rid)
    data.phone = "13900001111"
    people.update_resident(s, rid, data)
    with pytest.raises(ServiceError) as exc:
        imports.undo_import(s, result.batch_id, "撤销")
    assert "第 5 行 居民 李秀英：导入后于" in str(exc.value)
    assert s.get(ImportBatch, result.batch_id).undone_at is None


def test_undo_refused_when_other_records_refer_to_imported_rows(s: Session, uid: int, tmp_path: Path) -> None:
    result = run(s, uid, "households", F.write_xlsx(tmp_path / "h.xlsx", F.household_rows(a_grid(s, uid))))
    hid = s.scalars(select(Household.id).where(Household.number == "9001")).one()
    people.add_resident(s, uid, people.ResidentInput(name="后来者", household_id=hid, relation="女"))
    with pytest.raises(ServiceError, match="第 2 行 户 9001：导入后已被其他记录引用（居民）"):
        imports.undo_import(s, result.batch_id, "撤销")


def test_history_lists_batches(s: Session, uid: int, tmp_path: Path) -> None:
    result = run(s, uid, "residents", F.residents_xlsx(tmp_path / "r.xlsx"))
    rows = imports.list_batches(s, uid)
    assert rows[0].id == result.batch_id and rows[0].new == 5 and rows[0].kind_label == "居民"


# ---------------------------------------------------------------- hostile and odd files


def test_hostile_cells_end_in_a_clear_report(s: Session, uid: int, tmp_path: Path) -> None:
    report = check(s, uid, "residents", F.hostile_xlsx(tmp_path / "bad.xlsx"))
    lines = report.lines()
    assert any(line.startswith("第 3 行，姓名：最多40个字，现在是10000个") for line in lines)
    assert any(line.startswith("第 4 行，公民身份号码：Excel 把身份证号存成了数字") for line in lines)
    assert report.counts["error"] >= 2


@pytest.mark.parametrize(("content", "name", "message"), [
    (b"", "empty.xlsx", "是空文件"),
    (b"\x00\x01\x02junk" * 500, "junk.xlsx", "不是有效的 Excel 文件"),
    (b"PK\x03\x04" + b"\x00" * 300, "broken.xlsx", "无法读取"),
    (b"\x00\x01\x02junk" * 500, "junk.csv", "不是表格文件"),
])
def test_unreadable_files(tmp_path: Path, content: bytes, name: str, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UnreadableFile, match=message):
        read_table(path)


def test_csv_encodings(tmp_path: Path) -> None:
    rows = F.resident_rows()
    for enc in ("gbk", "utf-8", "utf-8-sig", "gb18030"):
        table = read_table(F.write_csv(tmp_path / f"{enc}.csv", rows, encoding=enc))
        assert table.rows[0][1] == "姓名" and table.rows[1][1] == "王大山"


def test_problem_rows_export_reimports(s: Session, uid: int, tmp_path: Path) -> None:
    rows = F.resident_rows()
    rows[2][2] = "123"
    path = F.write_xlsx(tmp_path / "r.xlsx", rows, title="标题")
    table = read_table(path)
    layout = imports.detect_layout(s, uid, "residents", table)
    report = imports.check_import(s, uid, "residents", table, layout)
    out = imports.export_problem_rows(s, uid, report, table, tmp_path / "问题行.xlsx")
    ws = openpyxl.load_workbook(out).active
    values = [[c for c in r if c is not None] for r in ws.iter_rows(values_only=True)]
    header = next(r for r in values if "问题" in r)
    bad = values[values.index(header) + 1]
    assert "李秀英" in bad and any("身份证号应为18位" in str(c) for c in bad)
    # the clerk fixes the ID and imports that file: its header is found under the ledger title
    again = read_table(out)
    layout2 = imports.detect_layout(s, uid, "residents", again)
    assert layout2.mapping[layout2.headers.index("公民身份号码")] == "id_number"


# ---------------------------------------------------------------- CLI


def test_cli_dry_run_then_import(demo_db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = F.residents_xlsx(tmp_path / "r.xlsx")
    rows = F.resident_rows()
    rows[2][2] = 110111196207080022
    bad = F.write_xlsx(tmp_path / "bad.xlsx", rows)
    db = ["--db", str(demo_db_path)]
    assert main([*db, "import", "residents", str(bad), "--dry-run"]) == 1
    out = capsys.readouterr().out
    assert "第 3 行，公民身份号码：Excel 把身份证号存成了数字" in out and "试运行" in out
    assert main([*db, "import", "residents", str(bad)]) == 1
    assert "没有导入任何数据" in capsys.readouterr().out
    assert main([*db, "import", "residents", str(good), "--dry-run"]) == 0
    assert main([*db, "import", "residents", str(good)]) == 0
    out = capsys.readouterr().out
    assert "新增 5 行" in out and "导入前的数据已备份到" in out
    assert main([*db, "import", "residents", str(good)]) == 0
    assert "跳过 5 行" in capsys.readouterr().out


def test_cli_unreadable_file_exit_1(demo_db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "x.xlsx"
    junk.write_bytes(b"hello" * 100)
    assert main(["--db", str(demo_db_path), "import", "members", str(junk)]) == 1
    err = capsys.readouterr().err
    assert "不是有效的 Excel 文件" in err and "Traceback" not in err
