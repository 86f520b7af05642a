"""Rows pasted from Excel / WPS: TSV parsed with a file's limits, header row found or taken from the list."""

from __future__ import annotations

import pytest

from app.io import pasted
from app.io.excel_import import UnreadableFile
from app.io.sheet_read import MAX_COLS
from app.services.context import AppContext
from app.services.imports import flow
from app.services.imports.paste import has_header, table_from_paste


def test_tsv_as_excel_copies_it() -> None:
    # a cell with a line break and a quote is quoted by Excel; trailing empty lines and cells are dropped
    text = '姓名\t身份证号\t备注\r\n张三\t110101199003071234\t"住在\n东头，""老张"""\r\n李四\t\t\r\n\r\n'
    rows = pasted.parse_tsv(text)
    assert rows == [["姓名", "身份证号", "备注"], ["张三", "110101199003071234", '住在\n东头，"老张"'], ["李四"]]
    table = pasted.pasted_table(text, header=["甲", "乙"])
    assert table.rows[0] == ["甲", "乙"] and table.rows[1:] == rows
    assert table.file_name == pasted.PASTE_NAME and len(table.sha256) == 64
    assert pasted.pasted_table(text).sha256 != pasted.pasted_table(text + "王五\n").sha256


def test_cells_are_cleaned_like_a_files() -> None:
    rows = pasted.parse_tsv("\u3000张三\u00a0\t  男 \n")
    assert rows == [["张三", "男"]]


@pytest.mark.parametrize("text, words", [
    ("", "空的"),
    ("\n\t\n\t\t\n", "空的"),
    ("张三\x00\t男\n", "二进制"),
    ("\t".join(["x"] * (MAX_COLS + 1)) + "\n", f"超过 {MAX_COLS} 列"),
    ('"' + "长" * (pasted.FIELD_LIMIT + 10) + "\n", "个字符"),
])
def test_hostile_paste_is_refused_in_chinese(text: str, words: str) -> None:
    with pytest.raises(UnreadableFile) as exc:
        pasted.parse_tsv(text)
    assert words in str(exc.value)


def test_too_many_rows_and_too_much_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pasted, "MAX_ROWS", 5)
    with pytest.raises(UnreadableFile, match="超过 5 行"):
        pasted.parse_tsv("a\n" * 6)
    assert len(pasted.parse_tsv("a\n" * 5)) == 5
    monkeypatch.setattr(pasted, "MAX_PASTE_CHARS", 100)
    with pytest.raises(UnreadableFile, match="太大"):
        pasted.parse_tsv("a\tb\n" * 30)


def test_header_or_not() -> None:
    assert has_header("residents", ["姓名", "性别", "身份证号"])
    assert has_header("residents", ["姓名"])
    # a household's data row holds 户主 (与户主关系): one match in a wide row is data, not a header
    assert not has_header("residents", ["张三", "男", "110101199003071234", "户主"])
    assert not has_header("members", ["张三", "男", "56"])


def test_paste_with_and_without_header(demo_db) -> None:  # type: ignore[no-untyped-def]
    ctx = AppContext(demo_db)
    uid = ctx.unit_id
    with_header = "姓名\t性别\t身份证号\n张三\t男\t110101199003071234\n"
    table, layout = ctx.call(table_from_paste, uid, "residents", with_header, ["性别", "姓名"])
    assert layout.header_row == 0 and len(table.rows) == 2
    assert {layout.mapping[0], layout.mapping[1], layout.mapping[2]} == {"name", "gender", "id_number"}
    # no header: the list's columns, in their order, name the pasted cells
    table, layout = ctx.call(table_from_paste, uid, "residents", "男\t张三\n女\t李四\n", ["性别", "姓名"])
    assert table.rows[0] == ["性别", "姓名"] and table.rows[1:] == [["男", "张三"], ["女", "李四"]]
    assert layout.mapping == {0: "gender", 1: "name"}
    report = ctx.call(flow.check_import, uid, "residents", table, layout)
    assert len(report.outcomes) == 2


def test_unknown_kind_is_refused(demo_db) -> None:  # type: ignore[no-untyped-def]
    ctx = AppContext(demo_db)
    with pytest.raises(Exception, match="不能导入"):
        ctx.call(table_from_paste, ctx.unit_id, "orgs", "a\n", ["a"])
