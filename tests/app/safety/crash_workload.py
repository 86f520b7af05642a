"""The write-heavy workload the crash test kills (run as `python -m tests.app.safety.crash_workload`).

It is a small fork server: it imports the program once, then for each `go <round> <mode>` line on
stdin forks a worker that writes through the services (and, for point entries and tickets, whose
services come later, through the models) and prints `COMMIT <kind> <tag>` after each commit. The test
kills the worker with SIGKILL; the server reports `DONE <round>` when the worker is gone.

mode `write`: residents (people.add_resident), a 25-resident import-like batch, members
(members.add_member), 40 point entries in one transaction, a ticket with two events.
mode `restore`: restore the database from backup A or B (plain or encrypted, cfg "password"), over and
over (killed mid-restore). mode `restore-retry`: the same, but a restore refused because another process
has the database open says `REFUSED <pid>` and tries again (run beside a writer in a second server).
mode `backup-enc`: encrypted backups into cfg "out", over and over (killed mid-backup).
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from app.db import open_database, resolve_url
from app.demo.ids import make_id_number
from app.models import ImportBatch, PointEntry, Resident, Ticket, TicketEvent
from app.services.errors import ServiceError
from app.services.org import member_checks, members
from app.services.people import residents as people
from app.services.safety import backup

BATCH_SIZE = 25
POINTS_PER_TX = 40


def _say(line: str) -> None:
    os.write(1, (line + "\n").encode())  # one write per line: lines from server and worker never mix


def write_worker(db_path: str, cfg: dict[str, int], round_no: int) -> None:
    db = open_database(resolve_url(db_path), migrate=False)
    rng = random.Random(round_no)
    n = 0
    while True:
        n += 1
        tag = f"{round_no}-{n}"
        kind = rng.choice(("resident", "batch", "member", "points", "ticket"))
        with db.session() as s:
            if kind == "resident":
                people.add_resident(s, cfg["unit_id"], people.ResidentInput(name=f"压测{tag}"))
            elif kind == "batch":
                batch = ImportBatch(unit_id=cfg["unit_id"], kind="residents", file_name=f"批量{tag}.xlsx",
                                    row_count=BATCH_SIZE)
                s.add(batch)
                s.flush()
                for i in range(BATCH_SIZE):
                    s.add(Resident(unit_id=cfg["unit_id"], name=f"导入{tag}-{i}", note=f"批量{tag}",
                                   import_batch_id=batch.id))
            elif kind == "member":
                birth = date(1950, 1, 1) + timedelta(days=round_no * 40 + n // 900)
                id_number = make_id_number("110111", birth, n % 900 + 1)
                members.add_member(s, cfg["unit_id"], member_checks.MemberInput(
                    name=f"党员{tag}", id_number=id_number, org_id=cfg["org_id"], stage="正式党员",
                    joined_on=date(2005, 1, 1), confirmed_on=date(2006, 1, 2),
                ))
            elif kind == "points":
                for i in range(POINTS_PER_TX):
                    s.add(PointEntry(member_id=cfg["member_id"], rule_id=cfg["rule_id"], entry_date=date(2026, 1, 5),
                                     year=2026, points=Decimal("1.0"), note=f"积分{tag}", source_ref=str(i)))
            else:
                seq = round_no * 100_000 + n
                ticket = Ticket(unit_id=cfg["unit_id"], year=2099, seq=seq, number=f"C{tag}", channel="热线电话",
                                category_id=cfg["category_id"], content=f"压测工单{tag}",
                                received_at=datetime(2026, 1, 5, 9, 0))
                s.add(ticket)
                s.flush()
                s.add(TicketEvent(ticket_id=ticket.id, kind="received", to_state="received"))
                s.add(TicketEvent(ticket_id=ticket.id, kind="note", note=tag))
        _say(f"COMMIT {kind} {tag}")


def restore_worker(db_path: str, cfg: dict[str, str], round_no: int, retry: bool = False) -> None:
    db = open_database(resolve_url(db_path), migrate=False)
    sources = [Path(cfg["a"]), Path(cfg["b"])]
    n = 0
    while True:
        n += 1
        source = sources[(round_no + n) % 2]
        try:
            safety = backup.restore_from(db, source, password=cfg.get("password"))
        except ServiceError as exc:
            if not (retry and str(exc).startswith("数据库正在被另一个程序使用")):
                raise
            _say(f"REFUSED {n}")
            time.sleep(0.02)
            continue
        _say(f"COMMIT restore {source.name} {safety}")


def backup_worker(db_path: str, cfg: dict[str, str], round_no: int) -> None:
    db = open_database(resolve_url(db_path), migrate=False)
    n = 0
    while True:
        n += 1
        target = backup.backup_to(db, Path(cfg["out"]) / f"enc-{round_no}-{n}.vdbak", password=cfg["password"])
        _say(f"COMMIT backup {target.name}")


def _warm_up() -> None:
    """Load what a restore needs once here, so each forked worker restores quickly (no cold imports)."""
    from app import migrate

    for revision in migrate.known_revisions():
        migrate.schema_at(revision)  # the reference a restore checks a file against (cached)


def serve(db_path: str, cfg: dict[str, object]) -> None:
    _warm_up()
    _say("READY")
    for line in sys.stdin:
        parts = line.split()
        if not parts or parts[0] != "go":
            break
        round_no, mode = int(parts[1]), parts[2]
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                if mode == "write":
                    write_worker(db_path, cfg, round_no)  # type: ignore[arg-type]
                elif mode == "backup-enc":
                    backup_worker(db_path, cfg, round_no)  # type: ignore[arg-type]
                else:
                    restore_worker(db_path, cfg, round_no, retry=mode == "restore-retry")  # type: ignore[arg-type]
            except BaseException as exc:  # report, so the test can fail with the reason
                _say(f"ERROR {type(exc).__name__}: {exc}")
                code = 1
            os._exit(code)
        _say(f"PID {pid}")
        os.waitpid(pid, 0)
        _say(f"DONE {round_no}")


if __name__ == "__main__":
    serve(sys.argv[1], json.loads(sys.argv[2]))
