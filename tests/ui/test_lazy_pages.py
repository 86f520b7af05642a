"""The main window builds each page when it is first shown or asked for (ui/page_stack.py), and the
heavy libraries (PDF, spreadsheets, migrations) are not imported until something needs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from app.services.context import AppContext
from tests.ui.scenario_helpers import click_nav

ROOT = Path(__file__).resolve().parents[2]
# 开始使用 is built with the window while its checklist is not done (its entry leads the navigation)
BUILT_AT_START = {"page_start"}


def built(window: Any) -> set[str]:
    return {page.objectName() for page in window.pages.built()}


def test_each_navigation_entry_says_what_its_page_class_says() -> None:
    from ui.main_window import PAGES

    assert len({entry.name for entry in PAGES}) == len(PAGES)
    for entry in PAGES:
        cls = entry.load()
        assert (cls.object_name, cls.title, cls.roles) == (entry.name, entry.title, entry.roles), entry


def test_only_the_first_page_is_built_at_start(window: Any) -> None:
    first = window.stack.currentWidget().objectName()
    assert window.nav.item(window.nav.currentRow()).data(Qt.ItemDataRole.UserRole) == first
    assert built(window) <= {first} | BUILT_AT_START and first in built(window)
    unbuilt = set(window.pages) - built(window)
    assert len(unbuilt) >= 8 and "page_tickets" in unbuilt and "page_grid" in unbuilt
    for name in unbuilt:  # nothing of theirs exists yet, but the navigation lists them all
        assert window.findChild(QWidget, name) is None, name
    nav = {window.nav.item(row).text() for row in range(window.nav.count())}
    assert {"工单", "网格地图", "公示与台账", "设置"} <= nav
    assert "page_tickets" in window.pages and "page_nothing" not in window.pages  # `in` builds nothing
    assert "page_tickets" not in built(window)
    # the demo village is set up: the quick check kept 开始使用 (and its counts) from being built
    assert "page_start" not in built(window) and "page_start" not in {
        window.nav.item(row).data(Qt.ItemDataRole.UserRole) for row in range(window.nav.count())}


def test_show_page_and_lookup_build_on_demand(qtbot: Any, window: Any) -> None:
    page = window.show_page("page_tickets")
    assert window.stack.currentWidget() is page and page.objectName() == "page_tickets"
    assert window.findChild(QWidget, "page_tickets") is page
    assert window.pages["page_tickets"] is page  # built once
    stars = window.pages["page_stars"]  # asked for, not shown: built, the current page stays
    assert window.stack.currentWidget() is page and stars.objectName() == "page_stars"
    assert {"page_tickets", "page_stars"} <= built(window)
    assert click_nav(qtbot, window, "page_notices") is window.pages["page_notices"]


def test_every_page_works_when_built_late(qtbot: Any, window: Any, no_popups: Any) -> None:
    for name in list(window.pages):
        if window.nav.count() and name not in {window.nav.item(r).data(Qt.ItemDataRole.UserRole) for r in range(window.nav.count())}:
            continue  # 开始使用 leaves the navigation once the demo village is set up
        page = click_nav(qtbot, window, name)
        assert page.isVisible() and page.objectName() == name
        window.refresh_current()
        QApplication.processEvents()
    assert built(window) >= set(window.pages) - BUILT_AT_START
    failures = [shown for shown in no_popups.shown if shown[0] == "critical"]
    assert not failures, failures


def test_reload_everything_refreshes_only_built_pages(window: Any, monkeypatch: Any) -> None:
    import ui.auth.session

    monkeypatch.setattr(ui.auth.session, "sign_in", lambda ctx, parent=None: True)
    before = built(window)
    window.reload_everything()
    assert built(window) == before  # the others will query when they are built


def test_start_up_imports_no_heavy_library(demo_ctx: AppContext) -> None:
    """In a fresh process: the window open on its first page, and none of the heavy libraries loaded."""
    code = (
        "import sys\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from app.db import open_database, resolve_url\n"
        "from app.services.context import AppContext\n"
        "from ui.auth.session import sign_in\n"
        "from ui.main import make_application\n"
        "from ui.main_window import MainWindow\n"
        "app = make_application([])\n"
        f"ctx = AppContext(open_database(resolve_url({str(demo_ctx.db_path)!r})))\n"
        "assert sign_in(ctx)\n"
        "w = MainWindow(ctx)\n"
        "w.show()\n"
        "QApplication.processEvents()\n"
        "heavy = ('alembic', 'reportlab', 'openpyxl', 'pypdfium2', 'python_calamine', 'PIL', 'qrcode', 'phonenumbers')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
        "print(sorted(m for m in ('ui.grid.page', 'ui.tickets.page', 'ui.settings.page') if m in sys.modules))\n"
        "import app\n"  # single operator mode: no sign-in dialog; the version is looked up only when asked
        "print('ui.auth.login_dialog' in sys.modules, app._version.cache_info().currsize)\n"
        "sys.stdout.flush()\n"
        "import os; os._exit(0)\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    heavy, pages, extras = out.stdout.strip().splitlines()[-3:]
    assert heavy == "[]"
    assert pages == "[]"  # a page's module is imported when the page is first shown
    assert extras == "False 0"


def test_idle_lock_filters_events_only_while_it_counts(window: Any) -> None:
    """Single operator mode (the demo): no lock, so no application-wide event filter slowing every event."""
    from app.services.safety import auth

    lock = window.idle_lock
    assert not lock.watching and not lock.timer.isActive()
    ctx = window.ctx
    admin = ctx.call(auth.ensure_admin, ctx.unit_id)
    ctx.call(auth.set_password, admin, "shuji-2026")
    ctx.call(auth.set_single_operator_mode, ctx.unit_id, False)
    ctx.call(auth.set_idle_lock_minutes, ctx.unit_id, 5)
    lock.reload()  # as 设置 → 登录设置 保存 does
    assert lock.watching and lock.timer.isActive()
    ctx.call(auth.set_idle_lock_minutes, ctx.unit_id, 0)
    lock.reload()
    assert not lock.watching and not lock.timer.isActive()


def test_the_checklist_comes_back_when_an_item_opens_again(qtbot: Any, window: Any) -> None:
    """开始使用 not built at start (the demo is set up) still returns to the navigation when an item opens."""
    from app.services import units

    def nav() -> list[str]:
        return [window.nav.item(row).data(Qt.ItemDataRole.UserRole) for row in range(window.nav.count())]

    assert "page_start" not in built(window) and "page_start" not in nav()
    window.ctx.call(units.update_unit, window.ctx.unit_id, contact_person="")  # 公示联系人 cleared elsewhere
    window.changes.changed.emit("unit", None)
    assert nav()[0] == "page_start"
    page = window.pages["page_start"]
    assert not page.complete and not page.findChild(QWidget, "chk_publicity").isChecked()
    assert window.stack.currentWidget().objectName() == "page_workbench"  # not pulled away from the user's page
