"""Ledger exports hold the roles: a 网格员 takes out only their grids' rows, with 身份证号 and phones masked,
and is refused the village-wide ledgers; the 书记 and 文书 export as before."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.io.masking import mask_id_number, mask_phone
from app.models import AuditEntry, Grid
from app.services.context import AppContext
from app.services.errors import PermissionDenied, ServiceError
from app.services.ledgers import export as ledgers
from app.services.output_kinds import LEDGER_KINDS

from ..roles import as_


def export(c: AppContext, kind: str, out: Path) -> tuple[list[str], list[list[Any]]]:
    """Export one ledger and read back its header and numbered body rows (序号 1, 2, …)."""
    c.call(ledgers.export_ledgers, c.unit_id, [kind], out, year=2026)
    ws = load_workbook(out).worksheets[0]
    rows = [list(r) for r in ws.iter_rows(min_row=3, values_only=True)]
    header = [str(h or "") for h in rows[0]]
    return header, [r for r in rows[1:] if isinstance(r[0], int)]


def grid_names(c: AppContext, grid_id: int) -> set[str]:
    return set(c.call(lambda s: list(s.scalars(select(Grid.name).where((Grid.id == grid_id) | (Grid.parent_id == grid_id))))))


def masked_copy(header: list[str], row: list[Any]) -> list[Any]:
    out = list(row)
    for i, h in enumerate(header):
        if out[i] and h == "身份证号":
            out[i] = mask_id_number(out[i])
        elif out[i] and h == "联系电话":
            out[i] = mask_phone(out[i])
        elif out[i] and h == "出生日期":
            out[i] = f"{out[i].year}年"
    return out


def test_every_ledger_kind_has_a_grid_staff_rule() -> None:
    # the table names only kinds that exist; the rest are refused, so no kind is exported unchecked
    assert set(ledgers.GRID_STAFF_KINDS) < set(ledgers.BUILDERS) == set(LEDGER_KINDS)
    assert {"members", "orgs", "grid-posts", "points", "point-entries"}.isdisjoint(ledgers.GRID_STAFF_KINDS)


def test_grid_staff_are_refused_village_wide_ledgers(ctx: AppContext, staff: dict[str, int], tmp_path: Path) -> None:
    grid = as_(ctx, staff["grid"])
    refused = [k for k in LEDGER_KINDS if k not in ledgers.GRID_STAFF_KINDS]
    assert refused
    for kind in refused:
        out = tmp_path / f"{kind}.xlsx"
        with pytest.raises(PermissionDenied, match="网格员不能导出"):
            grid.call(ledgers.export_ledgers, grid.unit_id, [kind], out)
        assert not out.exists()
    # one refused kind among allowed ones refuses the whole workbook
    out = tmp_path / "mixed.xlsx"
    with pytest.raises(PermissionDenied, match="党员花名册"):
        grid.call(ledgers.export_ledgers, grid.unit_id, ["households", "members"], out)
    assert not out.exists() and not list(tmp_path.glob("*.part"))
    assert grid.call(ledgers.exportable_kinds) == [k for k in LEDGER_KINDS if k in ledgers.GRID_STAFF_KINDS]
    assert ctx.call(ledgers.exportable_kinds) == list(LEDGER_KINDS)


def test_grid_staff_export_their_households_masked(ctx: AppContext, staff: dict[str, int], tmp_path: Path) -> None:
    header, everyone = export(as_(ctx, staff["admin"]), "households", tmp_path / "admin.xlsx")
    clerk_header, clerk_rows = export(as_(ctx, staff["clerk"]), "households", tmp_path / "clerk.xlsx")
    assert clerk_header == header and [r[1:] for r in clerk_rows] == [r[1:] for r in everyone]
    ids = header.index("身份证号")
    assert all(r[ids] and "*" not in r[ids] for r in everyone)  # the township's copy is in full

    grid_header, mine = export(as_(ctx, staff["grid"]), "households", tmp_path / "grid.xlsx")
    assert grid_header == header
    grid_col = header.index("网格")
    (grid_name,) = grid_names(ctx, staff["grid_id"]) & {r[grid_col] for r in everyone}
    expected = [masked_copy(header, r)[1:] for r in everyone if r[grid_col] == grid_name]
    assert 0 < len(mine) < len(everyone)
    assert [r[1:] for r in mine] == expected  # exactly their grid's people, in the same order
    assert all("********" in r[ids] for r in mine)
    born = header.index("出生日期")
    # the hidden digits are the birth date: it must not go out beside the masked number
    assert all(isinstance(r[born], str) and r[born].endswith("年") for r in mine if r[born])
    phones = [r[header.index("联系电话")] for r in mine if r[header.index("联系电话")]]
    assert phones and all("****" in p for p in phones)

    entry = ctx.call(lambda s: s.scalars(select(AuditEntry).where(AuditEntry.action == "export")
                                         .order_by(AuditEntry.id.desc())).first())
    assert entry.operator_id == staff["grid"] and "已隐去" in entry.summary


def test_grid_staff_tickets_are_their_grids(ctx: AppContext, staff: dict[str, int], tmp_path: Path) -> None:
    header, everyone = export(ctx, "tickets", tmp_path / "all.xlsx")
    _, mine = export(as_(ctx, staff["grid"]), "tickets", tmp_path / "mine.xlsx")
    names = grid_names(ctx, staff["grid_id"])
    col = header.index("所属网格")
    expected = [masked_copy(header, r)[1:] for r in everyone if r[col] in names]
    assert 0 < len(mine) < len(everyone)
    assert [r[1:] for r in mine] == expected


def test_every_allowed_kind_masks_ids_and_phones(ctx: AppContext, staff: dict[str, int], tmp_path: Path) -> None:
    grid = as_(ctx, staff["grid"])
    exported = 0
    for kind in ledgers.GRID_STAFF_KINDS:
        try:
            header, rows = export(grid, kind, tmp_path / f"{kind}.xlsx")
        except PermissionDenied:
            raise
        except ServiceError:
            continue  # a data reason (e.g. no decided star round this year), not a refusal
        exported += 1
        for i, h in enumerate(header):
            if h in ("身份证号", "联系电话"):
                assert all("*" in str(r[i]) for r in rows if r[i]), (kind, h)
    assert exported >= 5
