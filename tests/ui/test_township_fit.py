"""The window on the seed township (阳曲镇, 13 villages in 3 片区党委: `demo --township DIR`, then `package import
DIR/*.vdpkg`) on a 1366×768 screen (issue 23): 镇级汇总 → 汇总 with a village whose last package is months old
(「123天前」) was cut at the right with the larger font, and Ctrl+P (打印当前列表) said there was no list to
print."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QApplication, QStyle

from app.cli import main
from app.db import open_database, resolve_url
from app.services.context import AppContext
from app.services.township import figures
from tests.ui import test_fits_screen
from tests.ui.test_fits_screen import SCREEN, TITLE_BAR

AGE = 123
font = test_fits_screen.font  # the fixture: normal and larger font


@pytest.fixture(scope="module")
def seed_township(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed township's database with its 13 packages imported (made once for the module)."""
    folder = tmp_path_factory.mktemp("yangqu")
    assert main(["demo", "--township", str(folder)]) == 0
    db = folder / "township.sqlite"
    assert main(["--db", str(db), "package", "import", *map(str, sorted(folder.glob("*.vdpkg")))]) == 0
    return db


@pytest.fixture
def township_ctx(seed_township: Path, tmp_path: Path) -> Any:
    path = tmp_path / "township.sqlite"
    shutil.copyfile(seed_township, path)
    db = open_database(resolve_url(path))
    yield AppContext(db)
    db.dispose()


def open_window(qtbot: Any, large: bool, ctx: AppContext) -> Any:
    from ui.main_window import MainWindow

    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.set_large_font(large)
    window.show()
    qtbot.waitExposed(window)
    window.resize(SCREEN - QSize(0, TITLE_BAR))
    QApplication.processEvents()
    return window


@pytest.fixture
def summary(qtbot: Any, font: bool, township_ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The 汇总 tab at 1366×768, AGE days after the packages were made."""
    later = date.today() + timedelta(days=AGE)
    real = figures.township_figures
    monkeypatch.setattr(figures, "township_figures",
                        lambda s, township_id, year=None, today=None: real(s, township_id, year, today=later))
    window = open_window(qtbot, font, township_ctx)
    page = window.show_page("page_township")
    window.stack.setCurrentWidget(page)
    QApplication.processEvents()
    return page.summary


def test_an_old_package_keeps_every_column_whole(summary: Any, font: bool) -> None:
    table = summary.table
    last = table.columnCount() - 1
    ages = [table.item(r, last).text() for r in range(table.rowCount()) if table.item(r, last)]
    assert sum(f"{AGE}天前" in text for text in ages) == 13, ages
    # every column whole (nothing elided), side by side
    header = table.horizontalHeader()
    for c in range(table.columnCount()):
        assert table.columnWidth(c) >= max(table.sizeHintForColumn(c), header.sectionSizeHint(c)), (
            font, table.horizontalHeaderItem(c).text(), table.columnWidth(c), table.sizeHintForColumn(c))
    assert table.horizontalScrollBar().maximum() == 0
    # still so with a vertical scroll bar (more villages than rows in view)
    bar = 0 if table.verticalScrollBar().isVisible() else table.style().pixelMetric(
        QStyle.PixelMetric.PM_ScrollBarExtent, None, table)
    needed = sum(max(table.sizeHintForColumn(c), header.sectionSizeHint(c)) for c in range(table.columnCount()))
    assert needed <= table.viewport().width() - bar, (font, needed, table.viewport().width(), bar)


def _read_only_clerk(ctx: AppContext) -> int:
    """A 镇级 operator who only reads (the usual township clerk), signed in on ctx."""
    from sqlalchemy import select

    from app.models import Operator

    assert main(["--db", str(ctx.db_path), "--unit", "阳曲镇", "operator", "add", "zhen", "--name", "李镇干",
                 "--role", "township"]) == 0
    with ctx.db.session() as s:
        op_id = s.scalar(select(Operator.id).where(Operator.username == "zhen"))
    assert op_id is not None
    ctx.operator_id = op_id
    return op_id


def test_ctrl_p_on_the_summary_prints_it(qtbot: Any, township_ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    """打印当前列表 (Ctrl+P) on 汇总 by a read-only 镇级 operator: every row, 最近上报 with its date, as the
    township's list; on 上报数据包 the list of packages."""
    import subprocess

    from PySide6.QtCore import Qt

    from ui.common.printing import PdfPreviewDialog

    _read_only_clerk(township_ctx)
    printed: list[tuple[str, str]] = []

    def exec_(dialog: Any) -> int:  # the preview: read the PDF while it exists
        text = subprocess.run(["pdftotext", "-layout", str(dialog.path), "-"], capture_output=True, text=True,
                              check=True).stdout
        printed.append((dialog.windowTitle(), text))
        return 0

    monkeypatch.setattr(PdfPreviewDialog, "exec", exec_)
    window = open_window(qtbot, False, township_ctx)
    page = window.show_page("page_township")
    window.stack.setCurrentWidget(page)
    page.tabs.setCurrentWidget(page.summary)
    QApplication.processEvents()
    qtbot.keyClick(page.summary.table, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(printed) == 1, timeout=30_000)
    title, text = printed[0]
    assert "阳曲镇各村汇总（" in text and "阳曲镇阳曲镇" not in text and "各村汇总" in title
    lines = [" ".join(line.split()) for line in text.splitlines()]
    assert any(" 合计 3355 545 " in line for line in lines), text
    assert any(" 第一片区党委小计 1664 " in line for line in lines)
    today = date.today().isoformat()
    assert sum(f" {name} " in line and f"{today}（今天）" in line for line in lines
               for name in ("东庄村", "郭家窑村", "柏树坪村")) == 3
    assert "已生成" in window.statusBar().currentMessage()

    page.tabs.setCurrentWidget(page.packages)
    QApplication.processEvents()
    qtbot.keyClick(page.packages.table, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(printed) == 2, timeout=30_000)
    assert "郭家窑村" in printed[1][1]
