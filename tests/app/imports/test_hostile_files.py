"""Hostile files get a verdict, in Chinese, within bounds (issue 18, points 2 and 3).

Each workbook is read by read_table in a fresh process (tests/hostile_files.py measure_read) so its
peak memory and time can be measured and printed: run with -s to see them. Only generous bounds are
asserted (the targets are ≤ 500 MB and ≤ 10 s for files up to 5 MB; a loaded test machine must not
fail them by accident).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from app.io import sheet_child
from app.io.csv_read import looks_pasted_utf8, mixed_message
from app.io.excel_import import UnreadableFile, read_table
from app.io.sheet_read import MAX_ROWS
from tests import hostile_files as H

PEAK_BOUND_MB = 1500
SECONDS_BOUND = 60

XLSX_CASES: dict[str, tuple[Callable[[Path], Path], str | None]] = {
    # name: (writer, part of the refusal, or None when the file must be read)
    "far_cell": (H.far_cell, "延伸到 XFD1048576（第 1048576 行、第 16384 列）"),
    "far_cell_no_dimension": (lambda p: H.far_cell(p, with_dimension=False), "延伸到 XFD1048576"),
    "stray_column": (H.stray_column, "延伸到 XFD5001（第 5001 行、第 16384 列）"),
    "stray_column_no_dimension": (lambda p: H.stray_column(p, dimension=None), "延伸到 XFD5001"),
    "stray_column_lying_dimension": (lambda p: H.stray_column(p, dimension="A1:E5001"), "延伸到 XFD5001"),
    "blank_styled_3mb": (lambda p: H.blank_space(p, rows=600_000), None),
    "blank_text_cells": (H.blank_strings, f"最多读取 {MAX_ROWS} 行"),
    "rows_past_limit_lying_dimension": (lambda p: H.many_rows(p, 150_000, "A1:A10"), f"最多读取 {MAX_ROWS} 行"),
    "zip_bomb_1gb": (H.zip_bomb, "不像正常的表格"),
    "password": (H.encrypted_xlsx, "设置了打开密码"),
    "cell_of_1m_chars": (H.long_cell, None),
}


@pytest.mark.parametrize("case", list(XLSX_CASES))
def test_hostile_workbook_gets_a_verdict_within_bounds(tmp_path: Path, case: str) -> None:
    write, refusal = XLSX_CASES[case]
    path = write(tmp_path / f"{case}.xlsx")
    size_mb = path.stat().st_size / 1024 / 1024
    result = H.measure_read(path)
    print(f"\n{case}: {size_mb:.2f} MB file, verdict in {result['seconds']:.2f} s, peak "
          f"{result['peak_mb']:.0f} MB (reader {result['reader_mb']:.0f} MB, caller {result['self_mb']:.0f} MB)")
    if refusal is None:
        assert "refused" not in result, result.get("refused")
    else:
        assert refusal in str(result.get("refused")), result
        assert path.name in str(result["refused"])
    assert float(result["peak_mb"]) < PEAK_BOUND_MB  # type: ignore[arg-type]
    assert float(result["seconds"]) < SECONDS_BOUND  # type: ignore[arg-type]


def test_read_cases_keep_their_rows(tmp_path: Path) -> None:
    """What the blank-space and long-cell files hold arrives intact (not just 'not refused')."""
    blank = read_table(H.blank_space(tmp_path / "blank.xlsx", rows=5000, cols=3))
    assert blank.rows[0] == H.HEADER and len(blank.rows) == 4
    long = read_table(H.long_cell(tmp_path / "long.xlsx"))
    assert long.rows[1][1] == "长" * 1_000_000


def test_an_old_xls_reaching_far_is_stopped_by_the_child_limit(tmp_path: Path) -> None:
    """An .xls cannot be inspected before calamine builds its block: the child's memory limit (or the
    block check after it) must turn it into a message, not a dead process."""
    path = H.far_xls(tmp_path / "far.xls")
    result = H.measure_read(path)
    print(f"\nfar .xls: verdict in {result['seconds']:.2f} s, peak {result['peak_mb']:.0f} MB")
    refused = str(result.get("refused"))
    assert "far.xls" in refused and ("IV65536" in refused or "内存" in refused), result
    assert float(result["peak_mb"]) < PEAK_BOUND_MB  # type: ignore[arg-type]


def _good_workbook(tmp_path: Path) -> Path:
    return H.write_raw_xlsx(tmp_path / "ok.xlsx", [("花名册", H.rows_xml(H.table_rows(H.roster(3))))], "A1:E4")


@pytest.fixture
def always_child(monkeypatch: pytest.MonkeyPatch) -> None:
    """Even a small xlsx goes to the child process (it is read in-process by default)."""
    monkeypatch.setattr(sheet_child, "INPROCESS_MAX_INFLATED", 0)


def test_only_small_xlsx_files_are_read_in_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _good_workbook(tmp_path)
    monkeypatch.setattr(sheet_child, "child_command", lambda: [sys.executable, "-c", "import os; os.abort()"])
    assert read_table(path).rows[0] == H.HEADER  # small: no child
    monkeypatch.setattr(sheet_child, "INPROCESS_MAX_INFLATED", 1000)  # the file inflates to more
    with pytest.raises(UnreadableFile, match="读取程序意外退出"):
        read_table(path)
    xls = H.far_xls(tmp_path / "far.xls")
    with pytest.raises(UnreadableFile, match="读取程序意外退出"):  # an .xls always goes to the child
        read_table(xls)


@pytest.mark.usefixtures("always_child")
def test_a_native_abort_in_the_reader_becomes_a_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _good_workbook(tmp_path)
    assert read_table(path).rows[0] == H.HEADER  # the real child reads it
    oom = "import os, sys; sys.stderr.write('memory allocation of 549755813888 bytes failed\\n'); os.abort()"
    monkeypatch.setattr(sheet_child, "child_command", lambda: [sys.executable, "-c", oom])
    with pytest.raises(UnreadableFile, match="需要的内存超过 512 MB"):
        read_table(path)
    monkeypatch.setattr(sheet_child, "child_command", lambda: [sys.executable, "-c", "import os; os.abort()"])
    with pytest.raises(UnreadableFile, match="读取程序意外退出"):
        read_table(path)


@pytest.mark.usefixtures("always_child")
def test_a_child_out_of_memory_for_real_is_a_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The limit really applies: 20,000 rows cannot be read in a 30 MB address space (the reader itself
    hardly fits), and what happens in the child ends as a message."""
    path = H.write_raw_xlsx(tmp_path / "mid.xlsx", [("花名册", H.rows_xml(H.table_rows(H.roster(20_000))))])
    assert len(read_table(path).rows) == 20_001
    monkeypatch.setattr(sheet_child, "MEMORY_LIMIT_MB", 30)
    with pytest.raises(UnreadableFile) as caught:
        read_table(path)
    assert "mid.xlsx" in str(caught.value) and "Traceback" not in str(caught.value)


@pytest.mark.usefixtures("always_child")
def test_a_reader_that_hangs_is_stopped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _good_workbook(tmp_path)
    monkeypatch.setattr(sheet_child, "child_command", lambda: [sys.executable, "-c", "import time; time.sleep(60)"])
    monkeypatch.setattr(sheet_child, "TIME_LIMIT_S", 1.0)
    started = time.perf_counter()
    with pytest.raises(UnreadableFile, match="超过 1 秒仍未完成"):
        read_table(path)
    assert time.perf_counter() - started < 30


def test_the_reader_child_imports_no_qt_and_no_database() -> None:
    import subprocess

    code = ("import sys, runpy; sys.argv = ['x']; import app.io.sheet_child, app.io.sheet_read; "
            "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'sqlalchemy', 'app.services'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[3])
    assert out.stdout.strip() == "[]"


# ---------------------------------------------------------------- CSV


def test_csv_of_newlines_stops_at_the_row_limit(tmp_path: Path) -> None:
    path = tmp_path / "newlines.csv"
    path.write_bytes(b"\xe5\xa7\x93\xe5\x90\x8d,x\n" + b"\n" * (8 * 1024 * 1024))
    result = H.measure_read(path)
    print(f"\n8 MB of newlines: verdict in {result['seconds']:.2f} s, peak {result['peak_mb']:.0f} MB")
    assert f"超过 {MAX_ROWS} 行" in str(result.get("refused")), result
    assert float(result["peak_mb"]) < PEAK_BOUND_MB  # type: ignore[arg-type]


@pytest.mark.parametrize(("length", "message"), [
    (150_000, "第 3 行附近有一格超过 100000 个字符"), (1_000_000, "第 3 行超过 200000 个字符"),
])
def test_csv_long_cell_is_refused_naming_the_row(tmp_path: Path, length: int, message: str) -> None:
    rows = H.seed_rows(5)
    rows[2][1] = "长" * length
    path = tmp_path / "long.csv"
    path.write_bytes(H.csv_bytes(rows, "utf-8"))
    started = time.perf_counter()
    with pytest.raises(UnreadableFile, match=message):
        read_table(path)
    print(f"\ncsv cell of {length:,} characters refused in {time.perf_counter() - started:.2f} s")


@pytest.mark.parametrize(("encoding", "bom", "sep"), [
    ("utf-8", b"", ","), ("utf-8", b"\xef\xbb\xbf", ","), ("gbk", b"", ","),
    ("utf-16-le", b"\xff\xfe", "\t"), ("utf-16-be", b"\xfe\xff", "\t"), ("utf-16-le", b"", "\t"),
])
def test_csv_encodings_read_exactly(tmp_path: Path, encoding: str, bom: bytes, sep: str) -> None:
    rows = [["姓名", "住址", "备注", "身份证号"]] + H.seed_rows(300)
    path = tmp_path / "r.csv"
    path.write_bytes(bom + "".join(sep.join(r) + "\r\n" for r in rows).encode(encoding))
    assert read_table(path).rows == rows


def test_real_gbk_text_is_never_taken_for_pasted_utf8(tmp_path: Path) -> None:
    """All of the seeds' text, cut into fields, saved as GBK: read as GBK, nothing refused."""
    rows = H.seed_rows(3000)
    path = tmp_path / "gbk.csv"
    path.write_bytes(H.csv_bytes(rows, "gbk"))
    assert read_table(path).rows == rows
    text = H.seed_text()
    runs = [text[i:i + w] for w in (2, 3, 4, 6, 9) for i in range(0, len(text) - w, w)]
    taken = [r for r in runs if looks_pasted_utf8(r.encode("gbk", "ignore"))]
    print(f"\n{len(runs)} GBK runs of 2-9 characters, {len(taken)} taken for UTF-8")
    assert not taken


def _pasted_row_that_gbk_decodes() -> list[str]:
    """A seed row whose UTF-8 bytes also decode as GBK (so strict GBK alone would accept the file)."""
    for start in range(0, 4000):
        row = H.seed_rows(1, start)[0]
        row[0] = row[0][:2]  # an even number of 3-byte characters per field, else GBK decoding fails at once
        try:
            ",".join(row).encode("utf-8").decode("gbk")
        except UnicodeDecodeError:
            continue
        return row
    raise AssertionError("no such row in the seeds")


@pytest.mark.parametrize("gbk_decodes", [True, False])
def test_gbk_with_pasted_utf8_rows_is_refused(tmp_path: Path, gbk_decodes: bool) -> None:
    rows = H.seed_rows(200)
    if gbk_decodes:
        rows[57] = _pasted_row_that_gbk_decodes()
        data = H.gbk_with_utf8_rows(rows, [57])
        data.decode("gbk")  # the file is "valid GBK": only the check for pasted UTF-8 can refuse it
    else:
        data = H.gbk_with_utf8_rows(rows, [3, 57, 120])
    path = tmp_path / "混合.csv"
    path.write_bytes(data)
    with pytest.raises(UnreadableFile) as caught:
        read_table(path)
    assert str(caught.value) == mixed_message("混合.csv")


def test_mojibake_marker_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "锟.csv"
    path.write_bytes(H.csv_bytes([["姓名", "备注"], ["王大山", "锟斤拷锟斤拷"]], "gbk"))
    with pytest.raises(UnreadableFile, match="既不是 UTF-8 也不是 GBK"):
        read_table(path)


def test_binary_junk_named_csv_is_still_not_a_table(tmp_path: Path) -> None:
    path = tmp_path / "junk.csv"
    path.write_bytes(bytes(range(256)) * 40)
    with pytest.raises(UnreadableFile, match="不是表格文件"):
        read_table(path)


def test_csv_without_line_ends_is_not_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "one-line.csv"
    path.write_bytes(("姓名," + "王大山," * 1_000_000).encode("utf-8"))  # 7 MB, one line
    result = H.measure_read(path)
    print(f"\n7 MB on one line: verdict in {result['seconds']:.2f} s, peak {result['peak_mb']:.0f} MB")
    assert "第 1 行超过 200000 个字符" in str(result.get("refused")), result
    assert float(result["peak_mb"]) < PEAK_BOUND_MB  # type: ignore[arg-type]
