"""党内统计与发展 by clicks: from a blank village the figures follow the roster and the year chooser, the
timing list shows the 培养期不足一年 warning and the 工作台 line opens it; on the demo, 导出统计表… writes the
workbook whose sheets add up to the 党员 total."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtWidgets import QComboBox, QLineEdit, QTableWidget
from sqlalchemy import select

from app.db import Database
from app.demo.ids import make_id_number
from app.io.ledgers import HEADER_ROWS
from app.models import PartyOrg
from app.services.context import AppContext
from app.services.org import members
from app.services.org.member_checks import MemberInput
from app.services.org.tree import OrgInput, create_org
from app.services.partywork.development import SHORT_TRAINING
from app.services.setup import founding
from tests.ui.dialogs import drive
from tests.ui.test_member_actions import choose, click, type_into
from ui.common.page import Changes
from ui.notices import export_dialog
from ui.notices.export_dialog import LedgerExportDialog
from ui.partywork.page import PartyWorkPage
from ui.partywork.stats_tab import StatsTab

THIS_YEAR = date.today().year


@pytest.fixture
def village(db: Database) -> AppContext:
    with db.session() as s:
        vid = founding.create_unit(s, "东坟村", "城关街道", "房山区")
        create_org(s, vid, OrgInput("第一党支部", "党支部"))
    ctx = AppContext(db)
    ctx.set_unit(vid)
    return ctx


@pytest.fixture
def page(qtbot: Any, village: AppContext) -> PartyWorkPage:
    p = PartyWorkPage(village, Changes())
    qtbot.addWidget(p)
    p.resize(1300, 760)
    p.show()
    qtbot.waitExposed(p)
    return p


def tab_of(page: PartyWorkPage) -> StatsTab:
    tab = page.findChild(StatsTab, "tab_partywork_stats")
    assert tab is not None
    return tab


def cells(table: QTableWidget) -> dict[str, str]:
    return {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}


def add_member(ctx: AppContext, name: str, seq: int, **kw: Any) -> int:
    with ctx.db.session() as s:
        org = s.scalars(select(PartyOrg.id)).one()
        return members.add_member(s, ctx.unit_id or 0, MemberInput(
            name, make_id_number("110111", date(1990, 5, 5), seq), org_id=org, **kw))


def test_blank_village_figures_follow_the_roster_and_the_year(qtbot: Any, page: PartyWorkPage) -> None:
    tab = tab_of(page)
    page.tabs.setCurrentWidget(tab)
    assert tab.label_total.text() == f"{THIS_YEAR}年12月31日：党员 0 名"
    assert cells(tab.tables["gender"]) == {"男": "0", "女": "0", "合计": "0"}
    assert tab.timing_model.rows == [] and tab.info_timing.text() == "共 0 项"

    add_member(page.ctx, "张强", 1, joined_on=date(THIS_YEAR - 1, 3, 1), confirmed_on=date(THIS_YEAR, 3, 1),
               education="大学本科")
    add_member(page.ctx, "李芳", 2, stage="发展对象", applied_on=date(THIS_YEAR - 2, 1, 1),
               activist_on=date(THIS_YEAR - 2, 3, 1), candidate_on=date(THIS_YEAR - 2, 12, 1))
    page.changes.changed.emit("member", None)  # another page added them
    page.refresh()
    assert tab.label_total.text() == f"{THIS_YEAR}年12月31日：党员 1 名"
    assert cells(tab.tables["gender"]) == {"男": "1", "女": "0", "合计": "1"}
    assert cells(tab.tables["development"])["预备党员转正"] == "1"
    assert cells(tab.tables["education"])["大学本科"] == "1"

    # last year: 张强 was 预备 at 31 December
    choose(tab.findChild(QComboBox, "combo_stats_year"), THIS_YEAR - 1)
    assert tab.label_total.text() == f"{THIS_YEAR - 1}年12月31日：党员 1 名"
    assert cells(tab.tables["summary"])["预备党员"] == "1"
    assert cells(tab.tables["development"])["接收预备党员"] == "1"

    # the timing list: 李芳 made 发展对象 nine months after 积极分子
    rows = tab.timing_model.rows
    assert [(r.name, r.kind) for r in rows][0] == ("李芳", SHORT_TRAINING)
    assert "需提醒 1 项" in tab.info_timing.text()
    choose(tab.findChild(QComboBox, "combo_timing_filter"), "warn")
    assert [r.name for r in tab.timing_model.rows] == ["李芳"]


def test_the_workbench_line_opens_the_short_training_list(qtbot: Any, page: PartyWorkPage) -> None:
    add_member(page.ctx, "李芳", 2, stage="发展对象", applied_on=date(THIS_YEAR - 2, 1, 1),
               activist_on=date(THIS_YEAR - 2, 3, 1), candidate_on=date(THIS_YEAR - 2, 12, 1))
    add_member(page.ctx, "王亮", 3, stage="入党积极分子", applied_on=date(THIS_YEAR - 2, 1, 1),
               activist_on=date(THIS_YEAR - 2, 3, 1))
    page.refresh()
    tab = tab_of(page)
    assert len(tab.timing_model.rows) == 3  # 李芳: 培养期 and 公示; 王亮: 满一年
    page.show_filter(SHORT_TRAINING)
    assert page.tabs.currentWidget() is tab
    assert [(r.name, r.kind) for r in tab.timing_model.rows] == [("李芳", SHORT_TRAINING)]


def test_demo_export_adds_up(qtbot: Any, window: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                             no_popups: Any) -> None:
    monkeypatch.setattr(export_dialog, "QMessageBox", no_popups)  # 已导出 … is recorded, not shown modally
    window.show_page("page_partywork")
    page = window.pages["page_partywork"]
    tab = tab_of(page)
    page.tabs.setCurrentWidget(tab)
    out = tmp_path / "党内统计表.xlsx"

    def export(d: LedgerExportDialog) -> None:
        assert d.kinds() == ["party-stats"] and d.spin_year.value() == THIS_YEAR
        type_into(qtbot, d.findChild(QLineEdit, "edit_output"), str(out))
        click(qtbot, d.btn_export)
        qtbot.waitUntil(lambda: d.exported is not None, timeout=20_000)

    seen = drive(monkeypatch, LedgerExportDialog, export)
    click(qtbot, tab.btn_export)
    assert seen and seen[0].exported is not None
    assert no_popups.shown[-1][0] == "information" and str(out) in no_popups.shown[-1][2]
    book = openpyxl.load_workbook(out)
    total = int(tab.label_total.text().split("党员 ")[1].split(" ")[0])
    assert total > 0
    summary = {r[0].value: r[1].value for r in book["党员基本情况"].iter_rows(min_row=HEADER_ROWS + 1) if r[0].value}
    assert summary["党员总数"] == total
    for sheet in ("党员的性别", "党员的民族", "党员的年龄", "党员的学历", "党员的入党时间", "党员的职业"):
        rows = [(r[0].value, r[1].value) for r in book[sheet].iter_rows(min_row=HEADER_ROWS + 1) if r[0].value]
        body = [v for label, v in rows if isinstance(v, int) and not str(label).startswith("合计")]
        totals = [v for label, v in rows if str(label).startswith("合计")]
        assert sum(body) == total == totals[0], sheet
        shown = cells(tab.tables[{"党员的性别": "gender", "党员的民族": "nation", "党员的年龄": "age", "党员的学历": "education",
                                  "党员的入党时间": "joined", "党员的职业": "occupation"}[sheet]])
        assert shown["合计"] == str(total)
