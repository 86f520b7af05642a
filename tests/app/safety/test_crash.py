"""Crash safety: a writer killed with SIGKILL at random moments never loses or half-writes a commit.

After every kill the database is reopened (WAL recovery), `PRAGMA integrity_check` must say ok, every
transaction the worker reported as committed must be there, and no transaction may be there in part
(a 25-row batch is all there or not at all). The same for a restore killed mid-way: the database is
whole and is either the old one or the restored one.

The short loops run in the normal suite; `pytest -m slow tests/app/safety/test_crash.py` runs ≥ 200 kills.
"""

from __future__ import annotations

import json
import os
import queue
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from app.db import open_database, resolve_url
from app.models import PointRule, TicketCategory, Unit
from app.services.safety import backup, backup_files
from tests.app.safety.crash_workload import BATCH_SIZE, POINTS_PER_TX

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL and fork are POSIX")
ROOT = Path(__file__).resolve().parents[3]


class Server:
    """The fork server (tests/app/crash_workload.py) and a thread reading its lines."""

    def __init__(self, db_path: Path, cfg: dict[str, object], home: Path) -> None:
        env = dict(os.environ, VILLAGEDESK_HOME=str(home), PYTHONPATH=str(ROOT))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.app.safety.crash_workload", str(db_path), json.dumps(cfg)],
            cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        assert self.next_line(60) == "READY"

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def next_line(self, timeout: float = 30) -> str:
        return self.lines.get(timeout=timeout)

    def start(self, round_no: int, mode: str) -> int:
        """Start a worker; returns its pid."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"go {round_no} {mode}\n")
        self.proc.stdin.flush()
        first = self.next_line()
        assert first.startswith("PID "), first
        return int(first.split()[1])

    def finish(self, round_no: int, pid: int) -> list[str]:
        """SIGKILL the worker; returns the lines it printed (COMMIT …, REFUSED …)."""
        os.kill(pid, signal.SIGKILL)
        lines = []
        while True:
            line = self.next_line()
            if line == f"DONE {round_no}":
                return lines
            assert not line.startswith("ERROR"), line  # the worker failed by itself, not by the kill
            lines.append(line)

    def kill_round(self, round_no: int, mode: str, delay: float) -> list[str]:
        """Start a worker, SIGKILL it after delay seconds; returns the COMMIT lines it printed."""
        pid = self.start(round_no, mode)
        time.sleep(delay)
        return self.finish(round_no, pid)

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)


def _prepare(path: Path) -> dict[str, object]:
    """A rule and a ticket category (their services come later) and the ids the worker needs."""
    db = open_database(resolve_url(path))
    with db.session() as s:
        from sqlalchemy import select

        from app.models import PartyMember, PartyOrg

        unit_id = s.scalar(select(Unit.id))
        rule = PointRule(unit_id=unit_id, kind="base", name="压测规则", points=Decimal("1.0"))
        category = TicketCategory(unit_id=unit_id, name="压测类别")
        s.add_all([rule, category])
        s.flush()
        cfg = {
            "unit_id": unit_id, "rule_id": rule.id, "category_id": category.id,
            "org_id": s.scalar(select(PartyOrg.id).where(PartyOrg.kind == "党支部").order_by(PartyOrg.id)),
            "member_id": s.scalar(select(PartyMember.id).order_by(PartyMember.id)),
        }
    db.dispose()
    return cfg


def _verify(path: Path, commits: list[str], total_before: dict[str, int]) -> None:
    conn = sqlite3.connect(path)  # a normal connection: recovers the WAL as the program would
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        # what is in the file, counted once per kind (one query each, not one per commit)
        found = {
            "resident": dict(conn.execute("SELECT name, count(*) FROM residents WHERE name LIKE '压测%' GROUP BY name")),
            "batch": dict(conn.execute("SELECT note, count(*) FROM residents WHERE note LIKE '批量%' GROUP BY note")),
            "member": dict(conn.execute("SELECT r.name, count(*) FROM party_members m JOIN residents r"
                                        " ON r.id = m.resident_id WHERE r.name LIKE '党员%' GROUP BY r.name")),
            "points": dict(conn.execute("SELECT note, count(*) FROM point_entries WHERE note LIKE '积分%'"
                                        " GROUP BY note")),
            "ticket": dict(conn.execute("SELECT t.number, count(e.id) FROM tickets t LEFT JOIN ticket_events e"
                                        " ON e.ticket_id = t.id WHERE t.year = 2099 GROUP BY t.number")),
        }
        key = {"resident": "压测{}", "batch": "批量{}", "member": "党员{}", "points": "积分{}", "ticket": "C{}"}
        want = {"resident": 1, "batch": BATCH_SIZE, "member": 1, "points": POINTS_PER_TX, "ticket": 2}
        for line in commits:
            _, kind, tag = line.split()
            assert found[kind].get(key[kind].format(tag)) == want[kind], line
        # nothing in part, reported or not: every batch, points set and ticket is whole
        partial = conn.execute(
            "SELECT note, count(*) FROM residents WHERE note LIKE '批量%' GROUP BY note HAVING count(*) != ?",
            (BATCH_SIZE,)).fetchall()
        assert partial == []
        partial = conn.execute(
            "SELECT note, count(*) FROM point_entries WHERE note LIKE '积分%' GROUP BY note HAVING count(*) != ?",
            (POINTS_PER_TX,)).fetchall()
        assert partial == []
        lonely = conn.execute("SELECT count(*) FROM tickets t WHERE t.year = 2099 AND"
                              " (SELECT count(*) FROM ticket_events e WHERE e.ticket_id = t.id) != 2").fetchone()[0]
        assert lonely == 0
        # and nothing that was there before went missing
        assert conn.execute("SELECT count(*) FROM residents").fetchone()[0] >= total_before["residents"]
        total_before["residents"] = conn.execute("SELECT count(*) FROM residents").fetchone()[0]
    finally:
        conn.close()


@pytest.fixture
def crash_db(demo_template_db: Path, tmp_path: Path) -> Iterator[tuple[Path, dict[str, object]]]:
    path = tmp_path / "crash.sqlite"
    shutil.copyfile(demo_template_db, path)
    yield path, _prepare(path)


def run_kills(path: Path, cfg: dict[str, object], home: Path, kills: int, seed: int) -> int:
    rng = random.Random(seed)
    server = Server(path, cfg, home)
    committed = 0
    totals = {"residents": 0}
    all_commits: list[str] = []
    try:
        for round_no in range(1, kills + 1):
            commits = server.kill_round(round_no, "write", rng.uniform(0.05, 0.6))
            all_commits += commits
            committed += len(commits)
            # every commit reported so far, from every earlier round, must still be there
            _verify(path, all_commits if round_no % 10 == 0 or round_no == kills else commits, totals)
    finally:
        server.close()
    return committed


def test_sigkill_during_writes_short(crash_db: tuple[Path, dict[str, object]], tmp_path: Path) -> None:
    path, cfg = crash_db
    committed = run_kills(path, cfg, tmp_path / "home", kills=20, seed=20)
    assert committed > 20  # the worker really was writing when it was killed


@pytest.mark.slow
def test_sigkill_during_writes_long(crash_db: tuple[Path, dict[str, object]], tmp_path: Path) -> None:
    path, cfg = crash_db
    started = time.monotonic()
    committed = run_kills(path, cfg, tmp_path / "home", kills=200, seed=200)
    print(f"\n200 kills, {committed} transactions reported committed, {time.monotonic() - started:.0f} s")
    assert committed > 200


PASSWORD = "备份密码123"


def _restore_sources(path: Path, tmp_path: Path, encrypted: bool = False) -> dict[str, str]:
    """Backups A (甲村) and B (乙村) of path, plain or encrypted; path keeps its own name."""
    db = open_database(resolve_url(path))
    sources: dict[str, str] = {"password": PASSWORD} if encrypted else {}
    rename = text("UPDATE units SET name = :name")
    with db.session() as s:
        original = s.scalar(text("SELECT name FROM units"))
    for key, name in (("a", "甲村"), ("b", "乙村")):
        with db.session() as s:
            s.execute(rename, {"name": name})
        suffix = ".vdbak" if encrypted else ".sqlite"
        target = backup.backup_to(db, tmp_path / f"{key}{suffix}", password=PASSWORD if encrypted else None)
        sources[key] = str(target)
    with db.session() as s:
        s.execute(rename, {"name": original})
    db.dispose()
    return sources


def _plain_leftovers(root: Path, allowed: set[Path]) -> list[Path]:
    """Files under root that are plain SQLite databases, other than allowed ones and automatic backups."""
    found = []
    for path in root.rglob("*"):
        if path.is_file() and path not in allowed and backup_files.parse(path) is None:
            with open(path, "rb") as fh:
                if fh.read(16) == b"SQLite format 3\x00":
                    found.append(path)
    return found


@pytest.mark.parametrize("kills, encrypted", [
    pytest.param(6, False, id="short"),
    pytest.param(4, True, id="short-encrypted"),
    pytest.param(40, False, id="long", marks=pytest.mark.slow),
    pytest.param(40, True, id="long-encrypted", marks=pytest.mark.slow),
])
def test_sigkill_during_restore_leaves_a_whole_database(
        demo_db_path: Path, tmp_path: Path, kills: int, encrypted: bool) -> None:
    sources = _restore_sources(demo_db_path, tmp_path, encrypted)
    original = {"东坟村", "甲村", "乙村"}
    rng = random.Random(kills)
    home = tmp_path / "home"
    server = Server(demo_db_path, sources, home)
    restored = 0
    try:
        for round_no in range(1, kills + 1):
            # scrypt makes an encrypted restore slower: give some rounds time to finish one
            restored += len(server.kill_round(round_no, "restore", rng.uniform(0.05, 2.5 if encrypted else 1.0)))
            conn = sqlite3.connect(demo_db_path)
            try:
                assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
                assert conn.execute("SELECT name FROM units").fetchone()[0] in original
                assert conn.execute("SELECT count(*) FROM residents").fetchone()[0] == 815
            finally:
                conn.close()
            # what a kill left (a staged plain copy of an encrypted backup) goes at the next start
            _clean_after_kill(demo_db_path, home)
            assert _plain_leftovers(tmp_path, {demo_db_path} | ({Path(p) for p in sources.values()}
                                                              if not encrypted else set())) == []
    finally:
        server.close()
    assert restored > 0  # restores did complete between the kills


@pytest.mark.parametrize("rounds", [pytest.param(5, id="short"), pytest.param(30, id="long", marks=pytest.mark.slow)])
def test_restore_beside_a_writer_loses_no_commit(
        crash_db: tuple[Path, dict[str, object]], tmp_path: Path, rounds: int) -> None:
    """A writer process (as a window or a CLI import) and a process restoring over and over, both killed
    at random moments: while the writer has the database open every restore is refused, and every
    commit it reported is in the database or, once a restore went through, in that restore's 恢复前 copy."""
    path, cfg = crash_db
    home = tmp_path / "home"
    db = open_database(resolve_url(path), migrate=False)
    source = str(backup.backup_to(db, tmp_path / "source.sqlite"))
    db.dispose()
    rng = random.Random(rounds)
    writer, restorer = Server(path, cfg, home), Server(path, {"a": source, "b": source}, home)
    refused = restores = committed = 0
    try:
        for round_no in range(1, rounds + 1):
            wpid = writer.start(round_no, "write")
            first = writer.next_line()  # its first commit: it has the database open (registered)
            assert first.startswith("COMMIT "), first
            rpid = restorer.start(round_no, "restore-retry")
            time.sleep(rng.uniform(0.1, 0.8))
            commits = [first, *writer.finish(round_no, wpid)]
            time.sleep(rng.uniform(0.0, 1.5))  # the writer is gone: restores may now go through
            lines = restorer.finish(round_no, rpid)
            done = [line.split() for line in lines if line.startswith("COMMIT restore")]
            refused += sum(line.startswith("REFUSED") for line in lines)
            restores += len(done)
            committed += len(commits)
            # the first restore after the writer's death copied everything it wrote; without one it is all here
            holder = Path(done[0][3]) if done else path
            _verify(holder, commits, {"residents": 0})
            with sqlite3.connect(path) as conn:
                assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        writer.close()
        restorer.close()
    print(f"\n{rounds} rounds: {committed} commits, {refused} restores refused, {restores} done; none lost")
    assert refused > 0 and restores > 0 and committed > rounds


def _clean_after_kill(db_file: Path, home: Path) -> list[Path]:
    """The start-up cleanup, as the next start of the program would run it (in the server's data folder)."""
    env = dict(os.environ, VILLAGEDESK_HOME=str(home), PYTHONPATH=str(ROOT))
    code = ("import sys; from pathlib import Path; from app.paths import clean_leftovers\n"
            "for p in clean_leftovers(Path(sys.argv[1]), min_age_s=0): print(p)")
    out = subprocess.run([sys.executable, "-c", code, str(db_file)], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120, check=True).stdout
    return [Path(line) for line in out.splitlines()]


@pytest.mark.parametrize("kills", [pytest.param(6, id="short"), pytest.param(40, id="long", marks=pytest.mark.slow)])
def test_sigkill_during_encrypted_backup_leaves_no_plain_copy(
        crash_db: tuple[Path, dict[str, object]], tmp_path: Path, kills: int) -> None:
    path, _ = crash_db
    home, out = tmp_path / "home", tmp_path / "out"
    out.mkdir()
    rng = random.Random(kills)
    server = Server(path, {"out": str(out), "password": PASSWORD}, home)
    made = cleaned = 0
    try:
        for round_no in range(1, kills + 1):
            made += len(server.kill_round(round_no, "backup-enc", rng.uniform(0.05, 0.8)))
            cleaned += len(_clean_after_kill(path, home))
            assert _plain_leftovers(tmp_path, {path}) == []
            assert not list(out.glob("*.part"))
    finally:
        server.close()
    for enc in out.glob("*.vdbak"):  # every finished backup is whole and opens with the password
        assert backup.inspect_backup(enc, PASSWORD).village
    print(f"\n{kills} kills during encrypted backups: {made} finished, {cleaned} leftovers removed at start-up")
    assert made > 0
