"""Import rosters (居民, 户籍, 党员, 网格员, 工单) from xlsx / xls / csv, with a report first and undo.

The flow, the same for the CLI and the wizard:
  table = excel_import.read_table(path)            the file as rows
  layout = detect_layout(s, unit_id, kind, table)   header row + column → field mapping
  report = check_import(s, …)                        every row tried and rolled back: the report
                                                     (kept, so the import can take its rows: see _Checked)
  result = import_with_backup(db, …)                 backup, then run_import in one transaction
  undo_import(s, batch_id, reason)                   the batch as a whole, while nothing touched it

The column mapping is remembered per file layout in a Setting row keyed by a hash of the kind and
the header row (`import_layout:<sha1>`), so the next file from the same template maps itself.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import threading
import weakref
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.io.atomic import CancelCheck, Cancelled, Progress
from app.io.excel_import import Cell, SheetTable, cell_text, find_header_row, header_key, match_header
from app.models import ImportBatch, Setting, Unit
from app.models.imports import IMPORT_KINDS
from app.models.people import HEAD_RELATION

from .. import access, audit
from ..errors import FieldProblem, NotFound, ServiceError, ValidationError
from .bulk import BULK_KINDS, flush_bulk, preload, wanted
from .fields import KIND_LABELS, FieldSpec, field_label, fields_of, norm_relation, synonym_index
from .journal import Journal, apply_undo, undo_blockers
from .rows import HANDLERS
from .state import ImportOptions, RunState, Wanted

if TYPE_CHECKING:
    from app.db import Database

log = logging.getLogger(__name__)

ACTIONS = {"new": "新增", "update": "更新", "skip": "跳过", "error": "有问题"}
PROGRESS_EVERY = 25  # rows between progress reports
_FOOTER_WORDS = ("填报人", "填表人", "审核人", "制表人", "合计", "总计", "说明：", "注：", "备注：")
CANCELLED_TEXT = "已取消导入，数据库没有任何改动。"

__all__ = [
    "ACTIONS", "IMPORT_KINDS", "KIND_LABELS", "BatchRow", "FieldSpec", "ImportOptions", "ImportRefused",
    "ImportReport", "ImportResult", "Layout", "RowOutcome", "check_import", "detect_layout", "export_problem_rows",
    "field_label", "fields_of", "import_with_backup", "list_batches", "run_import", "undo_import",
]


# ---------------------------------------------------------------- layout: header row and mapping


@dataclass
class Layout:
    header_row: int  # 0-based index into table.rows
    headers: list[str]  # the header cells as text ("" for an empty one)
    mapping: dict[int, str]  # column index → field key (unmapped columns absent)
    remembered: bool = False  # the mapping came from an earlier import of the same layout

    def header_of(self, key: str) -> str | None:
        for col, f in self.mapping.items():
            if f == key and col < len(self.headers):
                return self.headers[col] or None
        return None

    def as_json(self) -> dict[str, Any]:
        return {"header_row": self.header_row, "headers": self.headers,
                "mapping": {str(k): v for k, v in sorted(self.mapping.items())}}


def _check_kind(kind: str) -> None:
    if kind not in IMPORT_KINDS:
        raise ServiceError(f"不能导入“{kind}”（可选：{'、'.join(IMPORT_KINDS)}）")


def _layout_key(kind: str, headers: Sequence[str]) -> str:
    digest = hashlib.sha1("\x1f".join([kind, *(header_key(h) for h in headers)]).encode()).hexdigest()
    return f"import_layout:{digest}"


def guess_mapping(kind: str, headers: Sequence[str]) -> dict[int, str]:
    """Each column to the field its name or a synonym names; a field goes to its first column only."""
    names = synonym_index(kind)
    out: dict[int, str] = {}
    taken: set[str] = set()
    for col, header in enumerate(headers):
        key = match_header(header, names)
        if key and key not in taken:
            out[col] = key
            taken.add(key)
    return out


def detect_layout(s: Session, unit_id: int, kind: str, table: SheetTable, header_row: int | None = None) -> Layout:
    """Find the header row (unless given) and the mapping: remembered for this layout, else guessed."""
    _check_kind(kind)
    names = synonym_index(kind)
    if header_row is None:
        header_row, score = find_header_row(table.rows, lambda c: match_header(c, names))
        if score == 0:
            wanted = "、".join(f.label for f in fields_of(kind)[:4])
            raise ServiceError(
                f"在“{table.file_name}”的前 30 行中没有找到表头（应有 {wanted} 等列名）。"
                "请检查是否选对了文件和导入类型，或在表头行填写列名后再导入。"
            )
    if not 0 <= header_row < len(table.rows):
        raise ServiceError(f"表头行超出范围：文件共有 {len(table.rows)} 行")
    headers = [cell_text(c).strip() for c in table.rows[header_row]]
    saved = s.scalar(select(Setting.value).where(Setting.unit_id == unit_id, Setting.key == _layout_key(kind, headers)))
    if isinstance(saved, dict) and isinstance(saved.get("mapping"), dict):
        valid = {f.key for f in fields_of(kind)}
        mapping = {int(c): f for c, f in saved["mapping"].items() if f in valid and int(c) < len(headers)}
        return Layout(header_row, headers, mapping, remembered=True)
    return Layout(header_row, headers, guess_mapping(kind, headers))


def _remember(s: Session, unit_id: int, kind: str, layout: Layout) -> None:
    key = _layout_key(kind, layout.headers)
    value = {"kind": kind, "headers": layout.headers, "mapping": layout.as_json()["mapping"]}
    row = s.scalar(select(Setting).where(Setting.unit_id == unit_id, Setting.key == key))
    if row is None:
        s.add(Setting(unit_id=unit_id, key=key, value=value))
    else:
        row.value = value


# ---------------------------------------------------------------- the report


@dataclass
class RowOutcome:
    row: int  # row number in the file (1-based, as Excel shows it)
    action: str  # new | update | skip | error
    note: str = ""
    problems: list[FieldProblem] = field(default_factory=list)


@dataclass
class ImportReport:
    kind: str
    file_name: str
    sheet_name: str
    layout: Layout
    outcomes: list[RowOutcome] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # required fields no column is mapped to
    unknown_names: dict[str, list[str]] = field(default_factory=dict)  # 所在支部 → names we don't have
    skip_errors: bool = False

    @property
    def counts(self) -> dict[str, int]:
        c = Counter(o.action for o in self.outcomes)
        return {a: c.get(a, 0) for a in ACTIONS}

    @property
    def problems(self) -> list[FieldProblem]:
        return [p for o in self.outcomes for p in o.problems]

    @property
    def has_problems(self) -> bool:
        return bool(self.missing) or any(o.action == "error" for o in self.outcomes)

    @property
    def can_write(self) -> bool:
        """Something to write, and no problem that blocks it (skip_errors lets the good rows through)."""
        if self.missing:
            return False
        c = self.counts
        if c["error"] and not self.skip_errors:
            return False
        return bool(c["new"] or c["update"])

    def summary(self) -> str:
        c = self.counts
        return (f"共 {len(self.outcomes)} 行：新增 {c['new']} 行，更新 {c['update']} 行，"
                f"跳过 {c['skip']} 行，有问题 {c['error']} 行")

    def lines(self) -> list[str]:
        """Every problem as `第 N 行，列名：问题`, the missing columns first."""
        out = [f"表中没有“{label}”列（必填），请在映射中指定" for label in self.missing]
        out.extend(str(p) for p in self.problems)
        return out


class ImportRefused(ServiceError):
    """The file has problems (or nothing to write): nothing was written. `report` says all of it."""

    def __init__(self, report: ImportReport):
        self.report = report
        lines = report.lines() or ["没有需要新增或更新的行"]
        more = [f"……另有 {len(lines) - 50} 个问题"] if len(lines) > 50 else []
        super().__init__("\n".join([f"“{report.file_name}”没有导入任何数据。", report.summary(), *lines[:50], *more]))


@dataclass
class ImportResult:
    batch_id: int
    report: ImportReport
    backup: Path | None = None

    def summary(self) -> str:
        c = self.report.counts
        text = f"已导入：新增 {c['new']} 行，更新 {c['update']} 行，跳过 {c['skip']} 行"
        if c["error"]:
            text += f"，有问题未导入 {c['error']} 行"
        return text


# ---------------------------------------------------------------- the engine


def _is_noise(row: Sequence[Cell], layout: Layout) -> bool:
    """A blank row, the header repeated (printed sheets), or a 合计 / 填报人 line at the bottom."""
    cells = [cell_text(c).strip() for c in row]
    texts = [t for t in cells if t]
    if not texts:
        return True
    if len(texts) > 1 and cells == layout.headers[: len(row)]:
        return True
    return len(texts) <= 3 and texts[0].startswith(_FOOTER_WORDS)


def _problem(kind: str, layout: Layout, row: int, fp: FieldProblem) -> FieldProblem:
    """A service's problem, named by the file's own column header where there is one."""
    aliases = {"tag_names": "tags", "grid_id": "grid", "household_id": "household_number", "number": "household_number",
               "org_id": "org", "group_id": "group"}
    key = fp.field if kind == "tickets" else aliases.get(fp.field, fp.field)
    return FieldProblem(key, layout.header_of(key) or fp.label or field_label(kind, key), fp.message, row)


def _process(
    s: Session, unit_id: int, kind: str, table: SheetTable, layout: Layout, options: ImportOptions,
    batch: ImportBatch, progress: Progress | None, cancel: CancelCheck | None, checked: _Checked | None = None,
) -> tuple[ImportReport, RunState]:
    """Every row through its handler (new residents wait in state.bulk), or the check's rows as they are."""
    report = ImportReport(kind, table.file_name, table.sheet_name, layout, skip_errors=options.skip_errors)
    mapped = set(layout.mapping.values())
    report.missing = [f.label for f in fields_of(kind) if f.required and f.key not in mapped]
    state = RunState(s, unit_id, kind, options, Journal(), batch.id)
    if report.missing:
        return report, state
    first = layout.header_row + 1
    total = max(len(table.rows) - first, 0)
    if checked is not None:  # the rows are the checked ones (_take_check): they ask the database the same
        preload(state, checked.wanted)
    if checked is not None and checked.facts == state.preloaded:
        if cancel is not None and cancel():
            raise Cancelled(CANCELLED_TEXT)
        report.outcomes, report.unknown_names = list(checked.report.outcomes), dict(checked.report.unknown_names)
        state.bulk = list(checked.bulk)  # flush_bulk gives them this batch's id
    else:
        all_values = _cell_values(table, layout)
        if checked is None:
            preload(state, wanted(kind, all_values))
        _rows(state, report, table, first, all_values, progress, cancel)
    if progress is not None:
        progress(total, total)
    return report, state


def _cell_values(table: SheetTable, layout: Layout) -> list[dict[str, Cell]]:
    """Each row under the header as field → cell."""
    columns = list(layout.mapping.items())
    return [{f: row[c] for c, f in columns if c < len(row)} for row in table.rows[layout.header_row + 1:]]


def _rows(
    state: RunState, report: ImportReport, table: SheetTable, first: int, all_values: list[dict[str, Cell]],
    progress: Progress | None, cancel: CancelCheck | None,
) -> None:
    """Each row through its handler: its outcome (and problems) in the report."""
    s, kind, layout, journal = state.s, state.kind, report.layout, state.journal
    handler = HANDLERS[kind]
    lazy = kind in BULK_KINDS  # their handlers open the row's savepoint themselves, only when they write
    for done, (index, values) in enumerate(zip(range(first, len(table.rows)), all_values, strict=True)):
        if cancel is not None and cancel():
            raise Cancelled(CANCELLED_TEXT)
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, len(all_values))
        row = table.rows[index]
        if _is_noise(row, layout):
            continue
        row_no = index + 1
        mark = journal.mark()
        state.pending_household = None
        state.savepoint = None if lazy else s.begin_nested()
        try:
            action, note = handler(state, row_no, values)
            if state.savepoint is not None:
                state.savepoint.commit()
            report.outcomes.append(RowOutcome(row_no, action, note))
            if kind == "households" and state.pending_household is not None:
                state.current_household, state.head_failed_row = state.pending_household, None
        except ValidationError as e:
            if state.savepoint is not None:
                state.savepoint.rollback()
            journal.reset(mark)
            problems = [_problem(kind, layout, row_no, p) for p in e.problems]
            report.outcomes.append(RowOutcome(row_no, "error", "", problems))
            if kind == "households" and norm_relation(cell_text(values.get("relation"))) == HEAD_RELATION:
                state.current_household, state.head_failed_row = None, row_no
        except ServiceError as e:
            if state.savepoint is not None:
                state.savepoint.rollback()
            journal.reset(mark)
            report.outcomes.append(RowOutcome(row_no, "error", "", [FieldProblem("row", "本行", str(e), row_no)]))
    report.unknown_names = {label: sorted(names) for label, names in state.unknown.items()}


# ---------------------------------------------------------------- the check, kept for the import

# The import after a check would check every row again (half of its time for a county roster). Where the rows
# read nothing from the database but what preload reads (kind residents: see RunState.reusable), the import
# takes the check's outcome and new residents as they are, if the same file, mapping, options, operator and
# day meet the same preload answers (who of the file is registered already, the households, their 户主).
# Anything else, and the import checks every row again, as it always did.


@dataclass(eq=False)
class _Checked:
    serial: int
    key: tuple[Any, ...]
    rows: tuple[tuple[Cell, ...], ...]  # the table as checked: a table changed since is checked again
    wanted: Wanted  # what the rows asked the database (the same rows ask the same)
    facts: tuple[Any, ...]  # and its answers, RunState.preloaded
    report: ImportReport
    bulk: list[tuple[int, dict[str, Any]]]  # RunState.bulk


_checked: list[_Checked] = []  # the last check (at most one), taken by the import that follows it
_checked_lock = threading.Lock()
_serials = itertools.count(1)


def _check_key(
    s: Session, unit_id: int, kind: str, table: SheetTable, layout: Layout, options: ImportOptions,
) -> tuple[Any, ...]:
    as_text = partial(json.dumps, sort_keys=True, ensure_ascii=False, default=str)
    return (str(s.get_bind().url), unit_id, kind, table.file_name, table.sheet_name, as_text(layout.as_json()),
            as_text(options.as_json()), audit.current_operator_id.get(), date.today())


def _keep_check(table: SheetTable, key: tuple[Any, ...], report: ImportReport, state: RunState) -> None:
    if not state.reusable():
        return
    assert state.wanted is not None
    kept = _Checked(next(_serials), key, tuple(map(tuple, table.rows)), state.wanted, state.preloaded, report,
                    list(state.bulk))
    with _checked_lock:
        _checked[:] = [kept]
    weakref.finalize(table, _forget, kept.serial)  # the wizard closed without importing: let the rows go


def _forget(serial: int) -> None:
    with _checked_lock:
        if _checked and _checked[0].serial == serial:
            _checked.clear()


def _take_check(key: tuple[Any, ...], table: SheetTable) -> _Checked | None:
    with _checked_lock:
        kept = _checked.pop() if _checked else None
    if kept is None or kept.key != key or kept.rows != tuple(map(tuple, table.rows)):
        return None
    return kept


def _new_batch(s: Session, unit_id: int, kind: str, table: SheetTable) -> ImportBatch:
    batch = ImportBatch(unit_id=unit_id, kind=kind, file_name=table.file_name[:260], file_sha256=table.sha256,
                        operator_id=audit.current_operator_id.get())
    s.add(batch)
    s.flush()
    return batch


def check_import(
    s: Session, unit_id: int, kind: str, table: SheetTable, layout: Layout, options: ImportOptions | None = None,
    progress: Progress | None = None, cancel: CancelCheck | None = None,
) -> ImportReport:
    """Try every row exactly as the import would, then roll it all back: the report, nothing written."""
    _check_kind(kind)
    options = options or ImportOptions()
    outer = s.begin_nested()
    try:
        batch = _new_batch(s, unit_id, kind, table)
        report, state = _process(s, unit_id, kind, table, layout, options, batch, progress, cancel)
    finally:
        outer.rollback()
    _keep_check(table, _check_key(s, unit_id, kind, table, layout, options), report, state)
    return report


def run_import(
    s: Session, unit_id: int, kind: str, table: SheetTable, layout: Layout, options: ImportOptions | None = None,
    progress: Progress | None = None, cancel: CancelCheck | None = None,
) -> ImportResult:
    """Write the file as one batch. ImportRefused (nothing written) when the report has blocking problems."""
    _check_kind(kind)
    access.require_role(s, "admin", "clerk", action="导入数据")
    options = options or ImportOptions()
    outer = s.begin_nested()  # so a refused or cancelled import leaves the caller's session untouched
    try:
        batch = _new_batch(s, unit_id, kind, table)
        checked = _take_check(_check_key(s, unit_id, kind, table, layout, options), table)
        report, state = _process(s, unit_id, kind, table, layout, options, batch, progress, cancel, checked)
        if not report.can_write:
            raise ImportRefused(report)
        flush_bulk(state)
        journal = state.journal
        journal.drop_unchanged(s)
        s.flush()
        c = report.counts
        batch.row_count = c["new"] + c["update"]
        batch.mapping = {"layout": layout.as_json(), "options": options.as_json(), "counts": c, **journal.to_json()}
        _remember(s, unit_id, kind, layout)
        audit.record(s, unit_id, "import", "import_batch", batch.id,
                     f"导入{KIND_LABELS[kind]}：{table.file_name}（新增 {c['new']}，更新 {c['update']}）")
        s.flush()
        outer.commit()
    except BaseException:
        if outer.is_active:
            outer.rollback()
        raise
    log.info("import %s %s: batch %s, %s", kind, table.file_name, batch.id, report.summary())
    return ImportResult(batch.id, report)


def import_with_backup(
    db: Database, unit_id: int, kind: str, table: SheetTable, layout: Layout, options: ImportOptions | None = None,
    progress: Progress | None = None, cancel: CancelCheck | None = None,
) -> ImportResult:
    """Back the database up, then import in one transaction (the CLI and the wizard both come here)."""
    from ..safety.backup import backup_before

    if cancel is not None and cancel():
        raise Cancelled(CANCELLED_TEXT)
    saved = backup_before(db, "导入前")
    with db.session() as s:
        result = run_import(s, unit_id, kind, table, layout, options, progress, cancel)
    result.backup = saved
    return result


# ---------------------------------------------------------------- history and undo


@dataclass(frozen=True)
class BatchRow:
    id: int
    kind: str
    kind_label: str
    file_name: str
    created_at: datetime
    row_count: int
    new: int
    updated: int
    undone_at: datetime | None
    undo_reason: str


def list_batches(s: Session, unit_id: int) -> list[BatchRow]:
    """Every import of the unit, newest first."""
    out = []
    stmt = select(ImportBatch).where(ImportBatch.unit_id == unit_id).order_by(ImportBatch.id.desc())
    for b in s.scalars(stmt):
        data = b.mapping if isinstance(b.mapping, dict) else {}
        counts = data.get("counts", {})
        out.append(BatchRow(b.id, b.kind, KIND_LABELS.get(b.kind, b.kind), b.file_name, b.created_at, b.row_count,
                            counts.get("new", 0), counts.get("update", 0), b.undone_at, b.undo_reason))
    return out


def undo_import(s: Session, batch_id: int, reason: str) -> dict[str, int]:
    """Undo a whole batch: updated rows get their before-image back, created rows go.

    Refused (ServiceError naming the rows) when later edits or other records touch the batch's rows.
    """
    access.require_role(s, "admin", "clerk", action="撤销导入")
    batch = s.get(ImportBatch, batch_id)
    if batch is None:
        raise NotFound("找不到该导入记录")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError([FieldProblem("undo_reason", "撤销原因", "请填写撤销原因")])
    if batch.undone_at is not None:
        raise ServiceError(f"这次导入已于 {batch.undone_at:%Y-%m-%d %H:%M} 撤销过了")
    data = batch.mapping if isinstance(batch.mapping, dict) else {}
    if "finished_at" not in data:
        raise ServiceError("这次导入没有保存修改记录，无法撤销")
    blockers = undo_blockers(s, data)
    if blockers:
        raise ServiceError("以下记录在导入后又有改动，不能整批撤销（请先手工处理这些记录）：\n" + "\n".join(blockers))
    deleted = apply_undo(s, data)
    batch = s.get(ImportBatch, batch_id)
    assert batch is not None
    from app.models.base import utcnow

    batch.undone_at, batch.undo_reason = utcnow(), reason
    restored = len(data.get("updated", []))
    audit.record(s, batch.unit_id, "undo", "import_batch", batch.id,
                 f"撤销导入：{batch.file_name}（删除 {sum(deleted.values())} 条，恢复 {restored} 条；{reason}）")
    s.flush()
    return {**deleted, "restored": restored}


# ---------------------------------------------------------------- the bad rows, for the clerk to fix


def export_problem_rows(
    s: Session, unit_id: int, report: ImportReport, table: SheetTable, path: Path,
) -> Path:
    """An xlsx with the rows that have problems, their original columns and a 问题 column.

    The clerk fixes them there and imports that file again (its header is found under the title).
    """
    from app.io.ledgers import Ledger, LedgerColumn, write_ledgers

    from ..units import get_unit

    unit = s.get(Unit, unit_id)
    if unit is None:
        raise NotFound("找不到本村信息")
    bad = [o for o in report.outcomes if o.action == "error"]
    if not bad and not report.missing:
        raise ServiceError("没有有问题的行，无需导出")
    headers = report.layout.headers
    width = max(len(headers), table.width)
    names = [headers[i] if i < len(headers) and headers[i] else f"第{i + 1}列" for i in range(width)]
    columns = [LedgerColumn(h, (lambda r, i=i: r[i]), "text") for i, h in enumerate(names)]
    columns.append(LedgerColumn("问题", lambda r: r[-1], "text", width=60))
    rows = []
    for o in bad:
        cells = [cell_text(c) for c in table.row(o.row - 1)] + [""] * width
        rows.append([*cells[:width], "；".join(f"{p.label}：{p.message}" for p in o.problems)])
    ledger = Ledger(name="导入问题行", columns=columns, rows=rows, count=len(rows), sheet_name="问题行",
                    notes=(f"来源文件：{report.file_name}。请在本表中改正后，重新导入本文件。",))
    write_ledgers(path, get_unit(s, unit_id), [ledger])
    return path
