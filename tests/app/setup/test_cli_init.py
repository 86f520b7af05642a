"""`villagedesk init`: a blank village from the command line; refused on a database that holds one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main
from app.db import open_database, resolve_url
from app.services import units
from app.services.setup import checklist


def run(*args: str) -> int:
    return main(list(args))


def test_init_creates_a_blank_village(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dbfile = tmp_path / "v.sqlite"
    assert run("--db", str(dbfile), "init", "--name", "杏花社区", "--township", "城关街道", "--county", "汾阳县",
               "--kind", "社区") == 0
    assert "已新建社区：城关街道杏花社区" in capsys.readouterr().out
    db = open_database(resolve_url(dbfile))
    try:
        with db.session() as s:
            [info] = units.list_units(s)
            assert (info.name, info.kind, info.township, info.county) == ("杏花社区", "社区", "城关街道", "汾阳县")
            assert not any(i.done for i in checklist.checklist(s, info.id))  # blank: nothing ticked yet
    finally:
        db.dispose()
    # a second init is refused, the village stays as it was
    assert run("--db", str(dbfile), "init", "--name", "别的村", "--township", "某镇", "--county", "某县") == 1
    err = capsys.readouterr().err
    assert "数据库中已有社区：城关街道杏花社区，未新建" in err


def test_init_refuses_a_bad_name_and_bad_usage(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dbfile = tmp_path / "v.sqlite"
    assert run("--db", str(dbfile), "init", "--name", " ", "--township", "城关镇", "--county", "汾阳县") == 1
    assert "请填写村(社区)名称" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        run("--db", str(dbfile), "init", "--name", "杏花村")
    assert exc.value.code == 2
    assert "缺少必需的参数" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        run("--db", str(dbfile), "init", "--name", "杏花村", "--township", "镇", "--county", "县", "--kind", "镇")
    assert exc.value.code == 2


def test_init_through_the_command(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "VILLAGEDESK_HOME": str(tmp_path), "HOME": str(tmp_path)}
    args = [sys.executable, "-m", "app", "init", "--name", "东坟村", "--township", "城关街道", "--county", "房山区",
            "--db", str(tmp_path / "c.sqlite")]
    first = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    again = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 1
    assert "数据库中已有村" in again.stderr and "Traceback" not in again.stderr
