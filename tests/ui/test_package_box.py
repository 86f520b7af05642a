"""设置 → 上报数据包 on a village's own window: the key the township issued is installed through the file
dialog, the package is exported through the save dialog under 「村名-YYYY-MM.vdpkg」, and the township's
database accepts the file."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox

from app.db import Database, open_database, resolve_url
from app.services import units
from app.services.context import AppContext
from app.services.people.households import HouseholdInput, add_household
from app.services.setup.founding import create_unit
from app.services.township import keys, packages
from tests.ui.conftest import FakeMessageBox

VILLAGE = "西坟村"


@pytest.fixture
def village_ctx(db: Database) -> AppContext:
    with db.session() as s:
        unit_id = create_unit(s, VILLAGE, township="城关街道")
        for n in range(1, 4):
            add_household(s, unit_id, HouseholdInput(f"{n:03d}", f"{VILLAGE}{n}号"))
    return AppContext(db)


@pytest.fixture
def township_db(template_db: Path, tmp_path: Path) -> Any:
    path = tmp_path / "township.sqlite"
    shutil.copyfile(template_db, path)
    database = open_database(resolve_url(path))
    yield database
    database.dispose()


def issue(township_db: Database, village: str, out: Path) -> Path:
    out.mkdir(exist_ok=True)
    with township_db.session() as s:
        township_id = units.township_id(s) or keys.create_township(s, "城关街道")
        return keys.issue_keys(s, township_id, village, out).private_path


def test_install_the_key_export_the_package_and_the_township_takes_it(
    qtbot: Any, village_ctx: AppContext, township_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    import ui.common.files as files
    from ui.main_window import MainWindow

    window = MainWindow(village_ctx)
    qtbot.addWidget(window)
    window.show()
    assert "page_township" not in window.pages  # a village's own database: no township page
    page = window.show_page("page_settings")
    box = page.findChild(QGroupBox, "box_packages")
    assert "还没有安装上报密钥" in box.label_key.text()
    assert not box.btn_export.isEnabled()  # nothing to sign with yet

    # a key issued to another village is refused, and says so
    wrong = issue(township_db, "东坟村", tmp_path / "keys")
    monkeypatch.setattr(files.QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(wrong), "")))
    qtbot.mouseClick(box.btn_install, Qt.MouseButton.LeftButton)
    kind, _title, text = FakeMessageBox.shown[-1]
    assert kind == "warning" and "东坟村" in text and VILLAGE in text, text
    assert "还没有安装上报密钥" in box.label_key.text()

    key_file = issue(township_db, VILLAGE, tmp_path / "keys")
    monkeypatch.setattr(files.QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(key_file), "")))
    qtbot.mouseClick(box.btn_install, Qt.MouseButton.LeftButton)
    key = village_ctx.call(keys.installed_key, village_ctx.unit_id)
    assert key is not None
    # which key, when and by whom it was issued
    assert box.label_key.text() == f"已安装上报密钥：编号 {key.key_id}，颁发于 {date.today().isoformat()}（城关街道）"
    assert box.btn_export.isEnabled()

    out = tmp_path / "U盘"
    out.mkdir()
    offered: list[str] = []

    def save_as(_parent: Any, _title: str, start: str, _filter: str) -> tuple[str, str]:
        offered.append(Path(start).name)
        return str(out / Path(start).name), ""

    monkeypatch.setattr(files.QFileDialog, "getSaveFileName", staticmethod(save_as))
    qtbot.mouseClick(box.btn_export, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: box.job is not None and not box.job.running, timeout=30_000)
    name = f"{VILLAGE}-{date.today():%Y-%m}.vdpkg"
    assert offered == [name]
    written = out / name
    assert written.is_file()
    assert box.info.text().startswith(f"已导出：{written}（") and box.info.text().endswith("行）。请拷贝到U盘交镇里。")

    with township_db.session() as s:
        outcome = packages.import_package(s, written)
    assert outcome.status == "imported" and outcome.village == VILLAGE
