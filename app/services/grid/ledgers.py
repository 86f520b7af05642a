"""The grid area's 台账: 网格划分情况表 and 党员联系户台账 (and the 负责户数 of the 网格员信息表).

Built on grid_coverage's rows; registered in ledgers.BUILDERS, so `villagedesk export grids` works.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from app.io.ledgers import Ledger, LedgerColumn
from app.text import pack_lines

from .coverage import GridStats, MemberLoad, contact_band, grid_statistics, member_loads

STAFF_POSTS = ("专职网格员", "微网格员", "辅助微网格员", "楼栋长")
KEY_TAGS = ("低保", "五保/特困", "残疾", "空巢", "独居老人", "留守儿童")
# The 联系户 column (Excel units): households are packed into lines a little narrower than it, so a line
# never wraps inside a household and the row is as tall as its line count.
CONTACTS_WIDTH = 60


def households_per_area(s: Session, unit_id: int, on: date | None = None) -> dict[int, int]:
    """Open households in each grid or micro-grid (a grid counts its micro-grids)."""
    return {st.grid.id: st.households for st in grid_statistics(s, unit_id, on)}


def grids_ledger(s: Session, unit_id: int, year: int | None) -> Ledger:
    stats = grid_statistics(s, unit_id)
    names = {st.grid.id: st.grid.name for st in stats}
    top = [st for st in stats if st.grid.parent_id is None]

    def tag(name: str) -> LedgerColumn:
        return LedgerColumn(name, lambda st: st.tags.get(name, 0), "int")

    columns = [
        LedgerColumn("网格编码", lambda st: st.grid.code),
        LedgerColumn("网格名称", lambda st: ("　" if st.grid.parent_id else "") + st.grid.name),
        LedgerColumn("层级", lambda st: "微网格" if st.grid.parent_id else "网格"),
        LedgerColumn("类型", lambda st: st.grid.kind),
        LedgerColumn("上级网格", lambda st: names.get(st.grid.parent_id, "") if st.grid.parent_id else ""),
        LedgerColumn("户数", "households", "int"),
        LedgerColumn("人数", "residents", "int"),
        LedgerColumn("党员数", "members", "int"),
        LedgerColumn("重点户", lambda st: st.tagged, "int"),
        *[tag(t) for t in KEY_TAGS],
        LedgerColumn("网格长", lambda st: _names(st, ("网格长",))),
        LedgerColumn("网格员", lambda st: _names(st, STAFF_POSTS)),
    ]
    totals = (sum(st.households for st in top), sum(st.residents for st in top), sum(st.members for st in top))
    notes = (
        f"合计：网格 {len(top)} 个，微网格 {len(stats) - len(top)} 个；户 {totals[0]} 户，人 {totals[1]} 人，"
        f"党员 {totals[2]} 名（网格的数字含其下微网格）。",
        "重点户：有低保、特困、残疾、空巢、独居老人等任一标签的户（一户只计一次）。",
    )
    return Ledger("网格划分情况表", columns, stats, year=year, count=len(stats), notes=notes)


def _names(st: GridStats, posts: tuple[str, ...]) -> str:
    """One person a line (the printed row is as tall as its longest list)."""
    return "\n".join(f"{name}（{post}）" if len(posts) > 1 else name for post, name, _ in st.staff if post in posts)


def contacts_ledger(s: Session, unit_id: int, year: int | None) -> Ledger:
    loads = member_loads(s, unit_id)
    lo, hi = contact_band(s, unit_id)

    def status(m: MemberLoad) -> str:
        return "偏少" if m.count < lo else "偏多" if m.count > hi else "正常"

    columns = [
        LedgerColumn("党员姓名", "name"),
        LedgerColumn("所在支部", "org_name"),
        LedgerColumn("联系电话", "phone", "phone"),
        LedgerColumn("居住网格", "home_grid"),
        LedgerColumn("联系户数", "count", "int", total=True),
        LedgerColumn(f"是否在 {lo}–{hi} 户内", status),
        LedgerColumn("联系户（户号 户主）", lambda m: pack_lines((f"{h.number} {h.head_name}".strip() for h in m.households),
                                                               CONTACTS_WIDTH - 4), width=CONTACTS_WIDTH),
    ]
    return Ledger("党员联系户台账", columns, loads, year=year, count=len(loads), count_unit="名",
                  notes=(f"每名党员联系 {lo}–{hi} 户；无联系党员的户见“网格地图 → 覆盖情况”。",))
