"""The benchmarks: each one is the program's own path and the bare library doing the same work.

A case's `app` and `bare` functions take the Env and return a zero-argument callable: the work to
time (setup such as opening the database stays outside). `cold` cases are timed in a fresh process
per run from the first import (window start-up); the others run `runs` times in one process after
one untimed warm-up (the page cache is warm, as in a window that has been open a while).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .preview import preview_app, preview_bare
from .start_print import print_app, print_bare, window_app, window_bare
from .township import dashboard_app, dashboard_bare, merge_app, merge_bare

Work = Callable[[], object]


@dataclass(frozen=True)
class Env:
    db: Path
    workdir: Path
    roster: Path  # the 10,000-row (tiny: 100-row) roster to import
    tiny: bool = False

    @property
    def url(self) -> str:
        return "sqlite:///" + str(self.db)


@dataclass(frozen=True)
class Case:
    name: str
    label: str  # Chinese, for the table
    target: str  # the target, as text
    app: Callable[[Env], Work]
    bare: Callable[[Env], Work] | None
    bare_label: str = ""
    cold: bool = False
    heavy: bool = False  # seconds per run: no warm-up run, fewer runs
    limit_ms: float | None = None  # absolute target
    limit_ratio: float | None = None  # ratio target
    needs: tuple[str, ...] = field(default_factory=tuple)  # modules that must exist (areas in progress)
    limit_rss_mb: float | None = None  # the case's own peak-memory target (else RSS_LIMIT_MB)
    self_timed: bool = False  # the work returns the seconds of its own part (setup per run left out)
    county: bool = True  # works on the county database (else the run need not build it)


# ---------------------------------------------------------------- helpers


def _ctx(env: Env) -> Any:
    from app.db import open_database
    from app.services.context import AppContext

    return AppContext(open_database(env.url, migrate=False))


def _unit_id(env: Env) -> int:
    with sqlite3.connect(env.db) as con:
        return int(con.execute("SELECT min(id) FROM units").fetchone()[0])


def _sqlite(env: Env) -> sqlite3.Connection:
    con = sqlite3.connect(env.db)
    con.execute("PRAGMA query_only=ON")
    return con


# ---------------------------------------------------------------- 1. window: bench/start_print.py


# ---------------------------------------------------------------- 2. filter, sort, scroll


def _model(env: Env, kind: str, text: str = "", order_by: str | None = None, descending: bool = False) -> Any:
    from ui.common.table_model import LazyTableModel, service_source

    ctx = _ctx(env)
    uid = _unit_id(env)
    if kind == "members":
        from app.services.org import members
        from ui.org.page import MEMBER_COLUMNS

        q: Any = members.MemberQuery(uid, text=text)
        count, page = service_source(ctx, members.count_members, members.list_members, q)
        model = LazyTableModel(MEMBER_COLUMNS, count, page)
    else:
        from app.services.people import residents as people
        from ui.people.page import resident_columns

        q = people.ResidentQuery(uid, text=text)
        count, page = service_source(ctx, people.count_residents, people.list_residents, q)
        model = LazyTableModel(resident_columns(), count, page)
    model.order_by, model.descending = order_by, descending
    return model


def filter_app(kind: str, text: str) -> Callable[[Env], Work]:
    def make(env: Env) -> Work:
        model = _model(env, kind, text)

        def work() -> object:
            model.refresh()  # what typing in the search box does: count + first page
            assert env.tiny or model.rowCount() > 0, f"no rows for {text!r}"
            return model.total

        return work

    return make


# The bare query: the same filter in plain SQL with sqlite3 (count + first 200 by 拼音).
_BARE_WHERE = {
    "chars": "r.name LIKE ?",
    "initials": "(r.name LIKE ? OR r.name_initials LIKE ? OR r.name_pinyin LIKE ?)",
    "id": "(r.name LIKE ? OR r.id_number LIKE ? OR replace(r.phone, '-', '') LIKE ?)",
}


def _bare_params(how: str, text: str) -> tuple[str, ...]:
    like = f"%{text}%"
    if how == "chars":
        return (like,)
    if how == "initials":
        return (like, like, f"{text}%")
    return (like, like, like)


def filter_bare(kind: str, how: str, text: str) -> Callable[[Env], Work]:
    def make(env: Env) -> Work:
        con = _sqlite(env)
        where = _BARE_WHERE[how]
        params = _bare_params(how, text)
        if kind == "members":
            base = ("FROM party_members m JOIN residents r ON r.id = m.resident_id "
                    "JOIN party_orgs o ON o.id = m.org_id "
                    f"WHERE +r.unit_id = 1 AND m.stage IN ('正式党员', '预备党员') AND m.left_on IS NULL AND {where}")
            cols = "m.id, r.name, r.gender, r.birth_date, r.id_number, r.phone, o.name, m.stage, m.joined_on"
        else:
            base = ("FROM residents r LEFT JOIN households h ON h.id = r.household_id "
                    f"WHERE +r.unit_id = 1 AND r.status IN ('在册', '外出务工') AND {where}")
            cols = "r.id, r.name, r.gender, r.birth_date, r.id_number, r.phone, h.number, r.relation, r.status"

        def work() -> object:
            n = con.execute(f"SELECT count(*) {base}", params).fetchone()[0]
            rows = con.execute(f"SELECT {cols} {base} ORDER BY r.name_pinyin, r.name, r.id LIMIT 200", params).fetchall()
            return n, rows

        return work

    return make


def sort_app(order_by: str, descending: bool) -> Callable[[Env], Work]:
    def make(env: Env) -> Work:
        model = _model(env, "residents")
        column = next(i for i, c in enumerate(model.columns) if c.sort_key == order_by)
        from PySide6.QtCore import Qt

        order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
        other = Qt.SortOrder.AscendingOrder if descending else Qt.SortOrder.DescendingOrder

        def work() -> object:
            model.sort(column, other)  # reset to the other order (not timed separately; see note)
            t0 = time.perf_counter()
            model.sort(column, order)  # clicking the header: count + first page in the new order
            return time.perf_counter() - t0

        return work

    return make


_SORT_SQL = {"age": "r.birth_date", "id_number": "r.id_number", "name": "r.name_pinyin, r.name"}


def sort_bare(order_by: str, descending: bool) -> Callable[[Env], Work]:
    def make(env: Env) -> Work:
        con = _sqlite(env)
        direction = " DESC" if descending else ""
        order = ", ".join(c + direction for c in _SORT_SQL[order_by].split(", "))
        base = ("FROM residents r LEFT JOIN households h ON h.id = r.household_id "
                "WHERE +r.unit_id = 1 AND r.status IN ('在册', '外出务工')")

        def work() -> object:
            t0 = time.perf_counter()
            con.execute(f"SELECT count(*) {base}").fetchone()
            con.execute(f"SELECT r.id, r.name, r.birth_date, r.id_number, h.number {base} "
                        f"ORDER BY {order}, r.id{direction} LIMIT 200").fetchall()
            return time.perf_counter() - t0

        return work

    return make


def scroll_app(env: Env) -> Work:
    from PySide6.QtWidgets import QApplication, QTableView

    app = QApplication.instance() or QApplication([])
    model = _model(env, "residents")
    view = QTableView()
    view.setModel(model)
    view.resize(1000, 700)
    view.show()

    def work() -> object:
        model.refresh()
        app.processEvents()
        view.scrollToBottom()  # what Ctrl+End or dragging the scroll bar to the bottom does
        app.processEvents()
        view.viewport().repaint()  # paints the last rows: their page is read now
        last = model.index(model.rowCount() - 1, 1).data()
        assert env.tiny or last, "last row empty"
        return last

    return work


def scroll_bare(env: Env) -> Work:
    con = _sqlite(env)
    base = ("FROM residents r LEFT JOIN households h ON h.id = r.household_id "
            "WHERE +r.unit_id = 1 AND r.status IN ('在册', '外出务工')")

    def work() -> object:  # the least a jump to the end needs: the count and the last page
        n = con.execute(f"SELECT count(*) {base}").fetchone()[0]
        return con.execute(
            "SELECT r.id, r.name, r.gender, r.birth_date, r.id_number, r.phone, h.number, r.relation, r.status "
            f"{base} ORDER BY r.name_pinyin, r.name, r.id LIMIT 200 OFFSET ?", (max(n - 200, 0),)).fetchall()

    return work


# ---------------------------------------------------------------- 3. ledgers


def export_app(kind: str, year: int = 2026) -> Callable[[Env], Work]:
    def make(env: Env) -> Work:
        from app.db import open_database
        from app.services.ledgers import export as ledgers

        db = open_database(env.url, migrate=False)
        uid = _unit_id(env)
        out = env.workdir / f"ledger-{kind}.xlsx"

        def work() -> object:
            with db.sessions() as s:
                result = ledgers.export_ledgers(s, uid, [kind], out, year=year)
                s.rollback()  # the audit row; the file stays
            return result

        return work

    return make


_LEDGER_SQL = {
    "households": (
        "SELECT h.number, h.address, r.name, r.relation, r.gender, r.ethnicity, r.birth_date, r.id_number, r.phone, "
        "r.education, r.status, g.name, r.note FROM residents r JOIN households h ON h.id = r.household_id "
        "LEFT JOIN grids g ON g.id = h.grid_id WHERE +r.unit_id = 1 AND r.status IN ('在册', '外出务工') "
        "AND h.closed_on IS NULL ORDER BY h.number, r.relation != '户主', r.birth_date, r.id"
    ),
    "tickets": (
        "SELECT t.number, t.received_at, t.channel, c.name, si.name, t.requester_name, t.requester_phone, g.name, "
        "t.content, t.due_at, '', t.mode, t.state, t.closed_at, t.satisfaction, '' FROM tickets t "
        "JOIN ticket_categories c ON c.id = t.category_id LEFT JOIN service_items si ON si.id = t.service_item_id "
        "LEFT JOIN grids g ON g.id = t.grid_id WHERE t.unit_id = 1 AND t.year = 2025 ORDER BY t.year, t.seq"
    ),
}


def export_bare(kind: str) -> Callable[[Env], Work]:
    def make(env: Env) -> Work:
        from openpyxl import Workbook

        con = _sqlite(env)
        out = env.workdir / f"bare-{kind}.xlsx"

        def work() -> object:
            wb = Workbook(write_only=True)
            ws = wb.create_sheet("台账")
            ws.append(["序号", *(f"列{i}" for i in range(13))])
            for i, row in enumerate(con.execute(_LEDGER_SQL[kind]), 1):
                ws.append([i, *row])
            wb.save(out)
            return out

        return work

    return make


# ---------------------------------------------------------------- 4. 公示 PDF


PDF_ROWS = 1000


def _notice_rows(env: Env, n: int) -> list[list[object]]:
    with _sqlite(env) as con:
        return [list(r) for r in con.execute(
            "SELECT r.name, r.gender, o.name, r.id_number, r.phone, m.joined_on FROM party_members m "
            "JOIN residents r ON r.id = m.resident_id JOIN party_orgs o ON o.id = m.org_id ORDER BY m.id LIMIT ?",
            (n,))]


def pdf_app(env: Env) -> Work:
    from datetime import date

    from app.io.notices import NoticeColumn, NoticeDocument, render_notice

    rows = _notice_rows(env, PDF_ROWS // (10 if env.tiny else 1))
    columns = [NoticeColumn("姓名", "name"), NoticeColumn("性别"), NoticeColumn("所在支部"),
               NoticeColumn("身份证号", "id"), NoticeColumn("联系电话", "phone"), NoticeColumn("入党日期", "date")]
    doc = NoticeDocument(
        title="关于2026年度党员积分评定结果的公示", body="经支部委员会评定，现将结果公示如下。", columns=columns, rows=rows,
        period_start=date(2026, 11, 2), period_end=date(2026, 11, 8), issuer="中共香河县城关镇委员会",
        issued_on=date(2026, 11, 1), number="2026-0001", contact_person="王建国", contact_phone="0316-8123456",
        objection_box="镇政府大门东侧",
    )
    out = env.workdir / "notice.pdf"

    def work() -> object:
        return render_notice(doc, out)

    return work


def pdf_bare(env: Env) -> Work:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

    from app.io.masking import mask_id_number, mask_phone
    from app.io.pdf_fonts import pdf_fonts

    font = pdf_fonts().body  # the same embedded font file (registered once, as the program does)
    rows = _notice_rows(env, PDF_ROWS // (10 if env.tiny else 1))
    data = [["序号", "姓名", "性别", "所在支部", "身份证号", "联系电话", "入党日期"]]
    data += [[str(i), r[0], r[1], r[2], mask_id_number(r[3]), mask_phone(r[4]), str(r[5] or "")]
             for i, r in enumerate(rows, 1)]
    out = env.workdir / "bare.pdf"

    def work() -> object:
        doc = SimpleDocTemplate(str(out), pagesize=A4)
        table = Table(data, repeatRows=1)
        table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), font, 11),
                                   ("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
        doc.build([table])
        return out

    return work


# ---------------------------------------------------------------- 5. import


def import_app(write: bool) -> Callable[[Env], Work]:
    """Read, find the header, check every row (the report the user waits for); with write, then import."""

    def make(env: Env) -> Work:
        from app.db import open_database
        from app.io.excel_import import read_table
        from app.services.imports import flow as imports

        db = open_database(env.url, migrate=False)
        uid = _unit_id(env)

        def work() -> object:
            with db.sessions() as s:
                table = read_table(env.roster)
                layout = imports.detect_layout(s, uid, "residents", table)
                report = imports.check_import(s, uid, "residents", table, layout)
                assert not report.has_problems, report.lines()[:5]
                result: object = report
                if write:
                    done = imports.run_import(s, uid, "residents", table, layout)
                    assert done.report.counts["new"] == len(report.outcomes)
                    result = done
                s.rollback()  # keep the dataset as it was for the next run
            return result

        return work

    return make


def import_bare(env: Env) -> Work:
    from python_calamine import CalamineWorkbook

    def work() -> object:
        wb = CalamineWorkbook.from_path(str(env.roster))
        return wb.get_sheet_by_index(0).to_python()

    return work


def _roster_1k(env: Env) -> Path:
    """The first 1,000 people of the benchmark roster as their own file (what a village sends)."""
    from openpyxl import Workbook
    from python_calamine import CalamineWorkbook

    path = env.workdir / "roster-1k.xlsx"
    if not path.exists():
        rows = CalamineWorkbook.from_path(str(env.roster)).get_sheet_by_index(0).to_python()[:1002]
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("居民")
        for row in rows:
            ws.append([None if v == "" else v for v in row])
        wb.save(path)
    return path


def read_roster_app(child: bool) -> Callable[[Env], Work]:
    """read_table: zip and sheet checks, then calamine (issue 18); with child, in the child process
    under memory and time limits, as every .xls and every xlsx over 16 MB inflated is read."""

    def make(env: Env) -> Work:
        from app.io import sheet_child
        from app.io.excel_import import read_table

        if child:
            sheet_child.INPROCESS_MAX_INFLATED = 0
        path = _roster_1k(env)
        return lambda: read_table(path)

    return make


def read_roster_bare(env: Env) -> Work:
    from python_calamine import CalamineWorkbook

    path = _roster_1k(env)
    return lambda: CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()


def read_far_cell_app(env: Env) -> Work:
    """The 2 KB workbook with one cell at XFD1048576 that used to abort the program: time to the refusal."""
    import zipfile

    from app.io.excel_import import UnreadableFile, read_table

    path = env.workdir / "far-cell.xlsx"
    sheet = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             '<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c></row>'
             '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                   'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
                   '<sheet name="花名册" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels",
                   '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="http://schemas.openxmlformats.org/'
                   'officeDocument/2006/relationships/worksheet"/></Relationships>')
        z.writestr("xl/worksheets/sheet1.xml", sheet)

    def work() -> object:
        try:
            read_table(path)
        except UnreadableFile as exc:
            return str(exc)
        raise AssertionError("the far cell was not refused")

    return work


# ---------------------------------------------------------------- 6. assessment, ticket statistics


def assessment_app(env: Env) -> Work:
    from app.db import open_database
    from app.services.points import assessments

    db = open_database(env.url, migrate=False)
    uid = _unit_id(env)

    def work() -> object:
        with db.sessions() as s:
            status = assessments.compute_assessment(s, uid, 2025)
            s.rollback()
        return status

    return work


def assessment_bare(env: Env) -> Work:
    con = _sqlite(env)

    def work() -> object:
        return con.execute(
            "SELECT e.member_id, r.kind, sum(e.points) FROM point_entries e JOIN point_rules r ON r.id = e.rule_id "
            "WHERE e.year = 2025 AND e.voided_at IS NULL GROUP BY e.member_id, r.kind").fetchall()

    return work


def ticket_stats_app(env: Env) -> Work:
    from datetime import date

    from app.db import open_database
    from app.services.tickets import stats as ticket_stats

    db = open_database(env.url, migrate=False)
    uid = _unit_id(env)

    def work() -> object:
        with db.sessions() as s:
            return ticket_stats.ticket_stats(s, uid, date(2025, 1, 1), date(2025, 12, 31))

    return work


def ticket_stats_bare(env: Env) -> Work:
    con = _sqlite(env)

    def work() -> object:
        return con.execute(
            "SELECT state, satisfaction, count(*), sum(closed_at <= due_at) FROM tickets "
            "WHERE unit_id = 1 AND received_at >= '2025-01-01' AND received_at < '2026-01-01' "
            "GROUP BY state, satisfaction").fetchall()

    return work


# ---------------------------------------------------------------- the list

FILTER_MS = 100.0
CASES: list[Case] = [
    Case("window", "打开主窗口到首页画出（县级库，从进程启动起）", "≤ 1.0 s", window_app, window_bare,
         "PySide6 显示空 QMainWindow", cold=True, limit_ms=1000),
    Case("print_notice", "打印 8 页公示到 PDF（QPrinter 300 dpi）峰值内存", "≤ 300 MB", print_app, print_bare,
         "pypdfium2 逐页渲染同样 8 页 300 dpi", heavy=True, limit_rss_mb=300),
    Case("preview_notice", "打印预览 8 页公示（逐页翻看，整页与适合宽度）峰值内存", "≤ 300 MB", preview_app,
         preview_bare, "pypdfium2 逐页渲染同样 8 页（适合宽度大小）", heavy=True, limit_rss_mb=300),
    Case("filter_members_chars", "党员表 按汉字筛选（李）", "≤ 100 ms", filter_app("members", "李"),
         filter_bare("members", "chars", "李"), "sqlite3 同条件查询", limit_ms=FILTER_MS),
    Case("filter_members_initials", "党员表 按拼音首字母筛选（wj）", "≤ 100 ms", filter_app("members", "wj"),
         filter_bare("members", "initials", "wj"), "sqlite3 同条件查询", limit_ms=FILTER_MS),
    Case("filter_members_id", "党员表 按身份证号片段筛选（19750）", "≤ 100 ms", filter_app("members", "19750"),
         filter_bare("members", "id", "19750"), "sqlite3 同条件查询", limit_ms=FILTER_MS),
    Case("filter_residents_chars", "居民表 按汉字筛选（李建）", "≤ 100 ms", filter_app("residents", "李建"),
         filter_bare("residents", "chars", "李建"), "sqlite3 同条件查询", limit_ms=FILTER_MS),
    Case("filter_residents_initials", "居民表 按拼音首字母筛选（wjg）", "≤ 100 ms", filter_app("residents", "wjg"),
         filter_bare("residents", "initials", "wjg"), "sqlite3 同条件查询", limit_ms=FILTER_MS),
    Case("filter_residents_id", "居民表 按身份证号片段筛选（19750）", "≤ 100 ms", filter_app("residents", "19750"),
         filter_bare("residents", "id", "19750"), "sqlite3 同条件查询", limit_ms=FILTER_MS),
    Case("sort_residents_birth", "居民表(15万) 按年龄排序", "≤ 100 ms", sort_app("age", False),
         sort_bare("age", True), "sqlite3 同序查询", limit_ms=FILTER_MS),
    Case("sort_residents_id", "居民表(15万) 按身份证号排序", "≤ 100 ms", sort_app("id_number", False),
         sort_bare("id_number", False), "sqlite3 同序查询", limit_ms=FILTER_MS),
    Case("sort_residents_name", "居民表(15万) 按姓名(拼音)排序", "≤ 100 ms", sort_app("name", True),
         sort_bare("name", True), "sqlite3 同序查询", limit_ms=FILTER_MS),
    Case("scroll_residents_end", "居民表(15万) 滚动到底", "≤ 100 ms", scroll_app, scroll_bare,
         "sqlite3 计数 + 读最后一页", limit_ms=FILTER_MS),
    Case("export_households", "导出 居民户籍台账（15万行）", "≤ 1.3× openpyxl", export_app("households"),
         export_bare("households"), "openpyxl write-only 无样式", heavy=True, limit_ratio=1.3),
    Case("export_tickets", "导出 工单台账（10万行）", "≤ 1.3× openpyxl", export_app("tickets", 2025), export_bare("tickets"),
         "openpyxl write-only 无样式", heavy=True, limit_ratio=1.3, needs=("ledger:tickets",)),
    Case("notice_pdf", "公示 PDF（1000 行）", "≤ 1.5× reportlab", pdf_app, pdf_bare, "reportlab Table 同字体",
         heavy=True, limit_ratio=1.5),
    Case("import_roster", "导入 1万行居民名册（检查+写入）", "≤ 3× calamine", import_app(write=True), import_bare,
         "python-calamine 读同一文件", heavy=True, limit_ratio=3.0),
    Case("import_roster_check", "检查 1万行居民名册（读取+检查，出报告前）", "—", import_app(write=False), import_bare,
         "python-calamine 读同一文件", heavy=True),
    Case("read_roster_1k", "读取 1000 行名册（检查后同进程读）", "—", read_roster_app(child=False), read_roster_bare,
         "python-calamine 同进程直接读"),
    Case("read_roster_1k_child", "读取 1000 行名册（检查后在受限子进程中读）", "—", read_roster_app(child=True),
         read_roster_bare, "python-calamine 同进程直接读"),
    Case("read_far_cell", "读取远处有误填单元格(XFD1048576)的表格到给出结论", "≤ 10 s", read_far_cell_app, None,
         "（calamine 直接读会申请 512 GB 内存后崩溃）", limit_ms=10_000),
    Case("assessment", "年度积分评定（1万党员）", "≤ 1 s", assessment_app, assessment_bare, "sqlite3 分组求和",
         heavy=True, limit_ms=1000),
    Case("ticket_stats", "工单统计（一年10万件）", "≤ 1 s", ticket_stats_app, ticket_stats_bare, "sqlite3 分组计数",
         heavy=True, limit_ms=1000, needs=("app.services.tickets.stats",)),
    Case("township_merge", "合并 47 个村的上报数据包（共15万居民）到新的 PostgreSQL 库", "≤ 3× COPY", merge_app,
         merge_bare, "psycopg COPY 同样的行到同样的表", heavy=True, self_timed=True, limit_ratio=3.0,
         county=False, needs=("app.services.township.packages", "postgresql")),
    Case("township_dashboard", "镇级汇总（47 个村，PostgreSQL）", "≤ 1 s", dashboard_app, dashboard_bare,
         "psycopg 分组计数", heavy=True, limit_ms=1000, county=False,
         needs=("app.services.township.figures", "postgresql")),
]
RSS_LIMIT_MB = 350.0


def by_name(name: str) -> Case:
    for c in CASES:
        if c.name == name:
            return c
    raise KeyError(name)
