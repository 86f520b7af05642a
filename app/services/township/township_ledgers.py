"""镇级台账: the villages' ledgers of one kind stacked into one sheet (issue 23).

Each village's ledger is the one the village exports itself (ledgers.export.build_ledger); the stacked
sheet puts a 村(社区) column after 序号, the villages in 片区 order, a 小计 row after each village (its
rows and every summed column, 「东坟村 小计：59 人」) and a 合计 row at the end, under the title
「<镇名>各村<台账名>汇总（<年>年度）」. The sheets keep full 身份证号 and phones like the villages' own
ledgers (内部资料): only a 镇级 operator of the township, or the command line, may build them.

Kinds left out of township_kinds (one village's sheet does not stack into rows of one table):
- 星级文明户台账 and 党费收缴台账: they already carry their own 小计 / 合计 rows (by 网格, by 支部);
- 星级文明户统计表, 工单分类统计表, 工单办理情况月度统计表, 民主评议党员情况统计表,
  党员参加组织生活情况（三必到）, 三会一课记录台账: tables whose 合计 holds a rate (办结率, 出席率), not
  only sums;
- 党内统计表: several sheets (Ledger.more).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from app.io.atomic import CancelCheck, Progress
from app.io.ledger_cells import CONVERT
from app.io.ledgers import SUMMED_KINDS, Ledger, LedgerColumn, LedgerResult, SubtotalRow, write_ledgers
from app.services.output_kinds import LEDGER_KINDS, TOWNSHIP_LEDGER_KINDS
from app.text import display_width

from .. import audit
from ..errors import ServiceError
from ..ledgers.export import build_ledger
from ..units import UnitInfo
from .figures import district_villages, require_township_reader

VILLAGE = "村(社区)"
_VILLAGE_KEY = "__village__"


def township_kinds() -> dict[str, str]:
    """Ledger kinds a township can stack (kind → Chinese name), in the villages' menu order."""
    return {k: name for k, name in LEDGER_KINDS.items() if k in TOWNSHIP_LEDGER_KINDS}


@dataclass(frozen=True)
class _Part:
    village: UnitInfo
    ledger: Ledger
    keys: list[str]  # the stacked column key of each of the village ledger's columns


def _column_keys(parts: list[tuple[UnitInfo, Ledger]]) -> tuple[list[LedgerColumn], list[_Part]]:
    """The stacked columns (every village's headers, first seen first: a ledger with a column per rule may
    differ between villages) and, per village, the key each of its columns goes to."""
    columns: dict[tuple[str, int], LedgerColumn] = {}
    out = []
    for v, ledger in parts:
        seen: dict[str, int] = {}
        keys = []
        for c in ledger.columns:
            k = seen[c.header] = seen.get(c.header, -1) + 1  # a header twice in one ledger stays two columns
            if (c.header, k) not in columns:
                columns[(c.header, k)] = LedgerColumn(c.header, f"c{len(columns)}", c.kind, c.width, c.total)
            keys.append(str(columns[(c.header, k)].key))
        out.append(_Part(v, ledger, keys))
    return list(columns.values()), out


def _rows(parts: list[_Part], columns: list[LedgerColumn], count_unit: str) -> Iterator[dict[str, Any]]:
    summed = [c for c in columns if c.total and c.kind in SUMMED_KINDS]
    summed_keys = {str(c.key) for c in summed}
    for part in parts:
        sums: dict[str, int | float | Decimal] = dict.fromkeys(summed_keys, 0)
        pairs = list(zip(part.ledger.columns, part.keys, strict=True))
        n = 0
        for row in part.ledger.rows:
            out: dict[str, Any] = {_VILLAGE_KEY: part.village.name}
            for col, key in pairs:
                out[key] = value = col.value_of(row)
                if key in summed_keys:
                    value = CONVERT[col.kind](value)  # summed as the sheet's 合计 sums it
                    if isinstance(value, int | float | Decimal):
                        sums[key] += value
            n += 1
            yield out
        label = f"{part.village.name} 小计：{n} {count_unit}" if count_unit else f"{part.village.name} 小计"
        yield SubtotalRow({_VILLAGE_KEY: label, **sums})


def _common_notes(ledgers: list[Ledger]) -> tuple[str, ...]:
    """The notes every village's ledger prints alike (a village's own figures in a note are left out)."""
    first = list(ledgers[0].notes) if ledgers else []
    return tuple(n for n in first if all(n in lg.notes for lg in ledgers))


def build_township_ledger(s: Session, township_id: int, kind: str, year: int | None = None) -> Ledger:
    """One kind of ledger for every village of the township, stacked (see the module's docstring)."""
    kinds = township_kinds()
    if kind not in kinds:
        name = LEDGER_KINDS.get(kind)
        why = f"《{name}》不能按村汇总成一张表" if name else f"没有“{kind}”这种台账"
        raise ServiceError(f"{why}。可汇总的台账：{'、'.join(kinds.values())}")
    require_township_reader(s, township_id, f"导出镇级台账《{kinds[kind]}》")
    villages = [v for _d, vs in district_villages(s, township_id) for v in vs]
    if not villages:
        raise ServiceError("该乡镇(街道)下还没有村(社区)，没有可汇总的台账。")
    built = [(v, build_ledger(s, v.id, kind, year)) for v in villages]
    ledgers = [lg for _v, lg in built]
    columns, parts = _column_keys(built)
    first = ledgers[0]
    counts = [lg.count for lg in ledgers]
    notes = (f"注：共 {len(villages)} 个村(社区)，按片区排列；每村之后为该村小计，最后一行为全镇合计。",
             *_common_notes(ledgers))
    # as wide as the longest name: a 小计's label spans the empty cells after it, so the sheet keeps its width
    width = max(8, *(display_width(v.name) + 2 for v in villages))
    return Ledger(
        f"各村{kinds[kind]}汇总", [LedgerColumn(VILLAGE, _VILLAGE_KEY, width=width), *columns],
        _rows(parts, columns, first.count_unit or "条"), year=first.year or year or date.today().year,
        count=sum(c for c in counts if c is not None) if None not in counts else None,
        count_unit=first.count_unit or "条", sheet_name=first.sheet_name or first.name, notes=notes,
    )


def export_township_ledgers(
    s: Session, township_id: int, kinds: Sequence[str], out_path: Path, year: int | None = None,
    filled_on: date | None = None, progress: Progress | None = None, cancel: CancelCheck | None = None,
) -> LedgerResult:
    """Write one workbook with a stacked sheet per kind, 填报单位 the township."""
    if not kinds:
        raise ServiceError("请至少选择一种台账")
    township = require_township_reader(s, township_id, "导出镇级台账")
    year = year or (filled_on or date.today()).year
    ledgers = [build_township_ledger(s, township_id, k, year) for k in kinds]
    if township.township == township.name:  # 填报单位 城关街道, not 城关街道城关街道
        township = replace(township, township="")
    result = write_ledgers(Path(out_path), township, ledgers, filled_on=filled_on, progress=progress, cancel=cancel)
    names = "、".join(LEDGER_KINDS[k] for k in kinds)
    audit.record(s, township_id, "export", "ledger", None, f"导出镇级台账：{names}（{result.rows} 行，含各村小计）",
                 {"path": str(Path(out_path).resolve()), "kinds": list(kinds), "year": year, "township": True})
    return result
