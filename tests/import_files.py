"""Import fixture files made the way village offices make them (merged titles, blank rows, IDs as
numbers, mixed date forms, GBK csv, old .xls), plus hostile ones. Used by the app and ui tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from openpyxl import Workbook

from app.demo.ids import make_id_number

AREA = "110111"


def person_id(year: int, month: int, day: int, seq: int) -> str:
    return make_id_number(AREA, date(year, month, day), seq)


def write_xlsx(path: Path, rows: Sequence[Sequence[object]], title: str | None = None, blank_rows: int = 0) -> Path:
    """A sheet with an optional merged title row, some blank rows, then rows (the header first)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "花名册"
    width = max(len(r) for r in rows)
    if title:
        ws.append([title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    for _ in range(blank_rows):
        ws.append([])
    for r in rows:
        ws.append(list(r))
    wb.save(path)
    return path


def write_csv(path: Path, rows: Sequence[Sequence[object]], encoding: str = "gbk") -> Path:
    import csv
    import io

    buf = io.StringIO()
    csv.writer(buf).writerows([["" if c is None else c for c in r] for r in rows])
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def write_xls(path: Path, rows: Sequence[Sequence[object]], title: str | None = None) -> Path:
    """A real BIFF .xls (what WPS and old Excel save) written with xlwt."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("党员花名册")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    start = 0
    width = max(len(r) for r in rows)
    if title:
        ws.write_merge(0, 0, 0, width - 1, title)
        start = 1
    for i, r in enumerate(rows):
        for j, value in enumerate(r):
            if value is None:
                continue
            if isinstance(value, date):
                ws.write(start + i, j, value, date_style)
            else:
                ws.write(start + i, j, value)
    wb.save(str(path))
    return path


RESIDENT_HEADER = ("序号", "姓名", "公民身份号码", "性别", "出生年月", "民族", "文化程度", "手机号", "户号", "与户主关系")


def resident_rows() -> list[list[object]]:
    """Five good residents in household 9001/9002, dates in five different forms."""
    return [
        list(RESIDENT_HEADER),
        [1, "王大山", person_id(1960, 5, 3, 11), "男", "1960.05", "汉", "初中", "13812345678", "", ""],
        [2, "李秀英", person_id(1962, 7, 8, 22), "女", "1962年7月8日", "汉族", "高中", "", "", ""],
        [3, "王小山", person_id(1990, 1, 1, 31), "男", "1990-1-1", "汉族", "大专", "139 1234 5678", "", ""],
        [4, "赵四", person_id(1970, 2, 3, 51), "男", 25602, "回", "小学", "", "", ""],  # 25602 = 1970-02-03
        [5, "赵小五", person_id(1995, 9, 10, 53), "男", "19950910", "回族", "本科", "", "", ""],
    ]


def residents_xlsx(path: Path) -> Path:
    return write_xlsx(path, resident_rows(), title="东坟村居民花名册（2026年）", blank_rows=1)


HOUSEHOLD_HEADER = ("户号", "姓名", "身份证号码", "与户主关系", "出生日期", "联系电话", "家庭住址", "所属网格")


def household_rows(grid: str) -> list[list[object]]:
    """Two households: 9001 by 户号; the second by 户主 order (no 户号)."""
    return [
        list(HOUSEHOLD_HEADER),
        ["9001", "王大山", person_id(1960, 5, 3, 11), "户主", "1960/5/3", "13812345678", "东坟村九街1号", grid],
        ["9001", "李秀英", person_id(1962, 7, 8, 22), "妻", "1962.7.8", "", "", ""],
        ["9001", "王小山", person_id(1990, 1, 1, 31), "长子", "", "", "", ""],
        ["", "赵四", person_id(1970, 2, 3, 51), "户主", "", "", "东坟村九街2号", grid],
        ["", "赵小五", person_id(1995, 9, 10, 53), "之子", "", "", "", ""],
    ]


MEMBER_HEADER = ("姓名", "身份证号", "性别", "所在支部", "人员类别", "入党时间", "转正时间", "联系电话")


def hostile_xlsx(path: Path) -> Path:
    """Formulas, a 10,000-character cell, a formula-looking text, IDs as numbers."""
    wb = Workbook()
    ws = wb.active
    ws.append(list(RESIDENT_HEADER))
    ws.append([1, "=HYPERLINK(\"http://x\",\"点我\")", person_id(1980, 1, 1, 11), "男", "=DATE(1980,1,1)", "", "", "",
               "", ""])
    ws.append([2, "长" * 10_000, person_id(1981, 1, 1, 13), "男", "", "", "", "x" * 10_000, "", ""])
    ws.append([3, "数字号", 110111198201010011, "男", "", "", "", 13812345678, "", ""])
    ws.append([4, "@SUM(A1)", person_id(1983, 1, 1, 15), "男", "", "", "", "", "", ""])
    wb.save(path)
    return path
