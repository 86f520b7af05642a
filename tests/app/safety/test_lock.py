"""One running window per database; every process registered on the file it opens (app.db_users)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from app import db_users
from app.db import open_database, resolve_url
from app.lock import InstanceLock
from app.paths import backup_dir
from app.services.errors import ServiceError
from app.services.safety import backup


def test_second_process_cannot_take_the_lock(tmp_path: Path) -> None:
    db = tmp_path / "v.sqlite"
    with InstanceLock(db):
        code = (
            "import sys; from pathlib import Path; from app.lock import InstanceLock\n"
            "from app.services.errors import ServiceError\n"
            f"try:\n    InstanceLock(Path({str(db)!r})).acquire()\nexcept ServiceError as e:\n"
            "    print(e); sys.exit(3)\n"
        )
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
        assert proc.returncode == 3
        assert "已在另一个窗口中打开" in proc.stdout
    # released: it can be taken again
    with InstanceLock(db):
        pass


def test_lock_in_same_process_is_exclusive(tmp_path: Path) -> None:
    db = tmp_path / "w.sqlite"
    first = InstanceLock(db).acquire()
    try:
        with pytest.raises(ServiceError):
            InstanceLock(db).acquire()
    finally:
        first.release()


# ---- every process that opens the database registers itself (app.db_users) -----------------------

HOLDER = """
import sys
from app import db_users
from app.db import open_database, resolve_url
db_users.set_label("窗口", "操作员 张三")
db = open_database(resolve_url(sys.argv[1]), migrate=False)
print("OPEN", flush=True)
sys.stdin.read()  # until the test closes stdin
db.dispose()
"""


class Holder:
    """Another process with the database open, as a window is (label 窗口, operator 张三)."""

    def __init__(self, path: Path) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], cwd=ROOT, env=_env(),
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        assert self.proc.stdout.readline().strip() == "OPEN"

    @property
    def pid(self) -> int:
        return self.proc.pid

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=60)

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=60)


ROOT = Path(__file__).resolve().parents[3]


def _env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(ROOT))


def _my_files(path: Path) -> set[str]:
    folder = db_users.users_dir(path)
    return {p.name for p in folder.iterdir() if not p.name.startswith(".")} if folder.is_dir() else set()


def test_registration_is_counted_per_process_and_path(db_path: Path, tmp_path: Path) -> None:
    me = str(os.getpid())
    first = open_database(resolve_url(db_path), migrate=False)
    second = open_database(resolve_url(db_path), migrate=False)
    other_path = tmp_path / "other.sqlite"
    other = open_database(resolve_url(other_path), migrate=False)
    assert _my_files(db_path) == {me} and _my_files(other_path) == {me}
    first.dispose()
    first.dispose()  # safe to repeat: does not release the second handle's registration
    assert _my_files(db_path) == {me}
    second.dispose()
    assert _my_files(db_path) == set()
    assert _my_files(other_path) == {me}  # a different file keeps its own count
    # a handle used again after dispose (restore does this) registers again
    with second.session() as s:
        s.execute(text("SELECT 1"))
    assert _my_files(db_path) == {me}
    second.dispose()
    other.dispose()
    assert _my_files(db_path) == set() and _my_files(other_path) == set()


def test_memory_database_registers_nothing(tmp_path: Path) -> None:
    db = open_database("sqlite://", migrate=False)
    assert db.path is None and db._user is None
    db.dispose()


def test_another_process_is_named_and_its_leftover_is_removed_after_death(db_path: Path) -> None:
    holder = Holder(db_path)
    try:
        others = db_users.other_users(db_path)
        assert [u.pid for u in others] == [holder.pid]
        assert others[0].describe().startswith(f"窗口（操作员 张三，进程 {holder.pid}，计算机 ")
    finally:
        holder.kill()  # SIGKILL: it cannot remove its own file
    assert (db_users.users_dir(db_path) / str(holder.pid)).exists()
    assert db_users.other_users(db_path) == []  # its lock died with it: the file is stale
    assert not (db_users.users_dir(db_path) / str(holder.pid)).exists()


def test_exclusive_refuses_while_another_process_has_the_file_open(db_path: Path) -> None:
    holder = Holder(db_path)
    try:
        with pytest.raises(ServiceError) as exc, db_users.exclusive(db_path, "恢复"):
            pass
        assert str(exc.value).startswith("数据库正在被另一个程序使用：窗口（操作员 张三，进程 ")
        assert str(exc.value).endswith("请先关闭它再恢复。")
    finally:
        holder.close()
    with db_users.exclusive(db_path, "恢复"):  # closed normally: its file went with it
        pass


OPENER = """
import sys
from app.db import open_database, resolve_url
print("STARTING", flush=True)
db = open_database(resolve_url(sys.argv[1]), migrate=False)
print("OPEN", flush=True)
db.dispose()
"""


def test_a_process_starting_during_exclusive_work_waits_for_it(db_path: Path) -> None:
    with db_users.exclusive(db_path, "恢复"):
        proc = subprocess.Popen([sys.executable, "-c", OPENER, str(db_path)], cwd=ROOT, env=_env(),
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        try:
            assert proc.stdout.readline().strip() == "STARTING"
            time.sleep(0.5)  # give it time to reach the gate; it must not get past it
            assert proc.poll() is None
            assert db_users.other_users(db_path) == []
        except BaseException:
            proc.kill()
            raise
    # the gate is open again: it registers and opens the file
    out, _ = proc.communicate(timeout=60)
    assert out.strip() == "OPEN" and proc.returncode == 0


def test_a_pooled_connection_follows_a_replaced_file(db_path: Path, tmp_path: Path) -> None:
    """Two handles in one process (the window and a helper): the one that did not restore must not keep
    writing to the old, replaced file."""
    restorer = open_database(resolve_url(db_path), migrate=False)
    bystander = open_database(resolve_url(db_path), migrate=False)
    try:
        with bystander.session() as s:  # leaves a pooled connection on the current file
            s.execute(text("INSERT INTO units (name, kind, township, county, contact_person, contact_phone,"
                           " objection_box, notice_days, notice_workdays, is_demo)"
                           " VALUES ('旧村', '村', '', '', '', '', '', 5, 0, 0)"))
        source = backup.backup_to(restorer, tmp_path / "b.sqlite")
        with bystander.session() as s:  # the pooled connection now sits on the file the restore replaces
            s.execute(text("UPDATE units SET name = '改过的村'"))
        backup.restore_from(restorer, source)
        with bystander.session() as s:
            assert s.scalar(text("SELECT name FROM units")) == "旧村"
            s.execute(text("UPDATE units SET township = '写在新文件里'"))
    finally:
        restorer.dispose()
        bystander.dispose()
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT township FROM units").fetchone()[0] == "写在新文件里"


# ---- the command line: restore and demo --force need the database to themselves -------------------


def _cli(*args: str) -> int:
    from app.cli import main

    return main(list(args))


def _village(path: Path) -> None:
    assert _cli("--db", str(path), "init", "--name", "东坟村", "--township", "城关镇", "--county", "房山区") == 0


def test_cli_restore_refused_while_a_window_has_the_database(
        db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _village(db_path)
    saved = tmp_path / "saved.sqlite"
    assert _cli("--db", str(db_path), "backup", "-o", str(saved)) == 0
    before = set(backup_dir().glob("*恢复前*"))
    holder = Holder(db_path)
    try:
        capsys.readouterr()
        assert _cli("--db", str(db_path), "restore", str(saved)) == 1
        err = capsys.readouterr().err
        assert f"数据库正在被另一个程序使用：窗口（操作员 张三，进程 {holder.pid}，" in err
        assert "请先关闭它再恢复" in err and "Traceback" not in err
        assert set(backup_dir().glob("*恢复前*")) == before  # refused before anything was done
    finally:
        holder.close()
    assert _cli("--db", str(db_path), "restore", str(saved)) == 0
    assert "已从" in capsys.readouterr().out


def test_demo_force_refuses_a_real_village_without_yes_and_backs_up_with_it(
        db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _village(db_path)
    capsys.readouterr()
    assert _cli("--db", str(db_path), "demo", "--force") == 1
    err = capsys.readouterr().err
    assert "正式的村(社区)数据（东坟村）" in err and "--yes" in err
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT name, is_demo FROM units").fetchall() == [("东坟村", 0)]
    before = set(backup_dir().glob("*演示前.sqlite"))

    holder = Holder(db_path)  # even with --yes, not while someone else has it open
    try:
        assert _cli("--db", str(db_path), "demo", "--force", "--yes") == 1
        assert "请先关闭它再重建演示村" in capsys.readouterr().err
    finally:
        holder.close()
    assert _cli("--db", str(db_path), "demo", "--force", "--yes") == 0
    assert "原有数据已另存为" in capsys.readouterr().out
    made = set(backup_dir().glob(f"{db_path.stem}-*演示前.sqlite")) - before
    assert len(made) == 1
    with sqlite3.connect(made.pop()) as conn:  # the real village is in the backup
        assert conn.execute("SELECT name, is_demo FROM units").fetchall() == [("东坟村", 0)]
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT is_demo FROM units").fetchall() == [(1,)]
