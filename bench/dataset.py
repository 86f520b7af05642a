"""The county database and the roster file the benchmarks use, built once and cached.

The cache key is a hash of the generator and the schema (app/demo/county.py, app/models,
app/migrations/versions), so a changed generator or schema rebuilds it. Default folder:
$VILLAGEDESK_BENCH_DIR, else <temp>/villagedesk-bench.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROSTER_ROWS = 10_000
TINY_ROSTER_ROWS = 100


def data_dir() -> Path:
    folder = Path(os.environ.get("VILLAGEDESK_BENCH_DIR") or Path(tempfile.gettempdir()) / "villagedesk-bench")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _fingerprint() -> str:
    h = hashlib.sha1()
    files = [ROOT / "app/demo/county.py", ROOT / "app/demo/names.py", ROOT / "bench/dataset.py"]
    files += sorted((ROOT / "app/models").glob("*.py")) + sorted((ROOT / "app/migrations/versions").glob("*.py"))
    for f in files:
        h.update(f.read_bytes())
    return h.hexdigest()[:12]


def build_db(path: Path, tiny: bool) -> float:
    """Generate the dataset into a fresh file; returns the seconds it took."""
    from app.db import open_database, resolve_url
    from app.demo import county as demo_county

    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    started = time.perf_counter()
    db = open_database(resolve_url(path))
    try:
        with db.session() as s:
            demo_county.build_county(s, scale=demo_county.TINY_SCALE if tiny else demo_county.COUNTY_SCALE)
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.exec_driver_sql("ANALYZE")
    finally:
        db.dispose()
    return time.perf_counter() - started


def write_roster(path: Path, db_path: Path, rows: int) -> None:
    """A 居民 roster as a clerk would send it: title row, header, new people in existing households."""
    import random
    import sqlite3
    from datetime import date, timedelta

    from openpyxl import Workbook

    from app.demo.ids import make_id_number
    from app.demo.names import GIVEN, SURNAMES

    rng = random.Random(11)
    with sqlite3.connect(db_path) as con:
        numbers = [r[0] for r in con.execute("SELECT number FROM households ORDER BY id")]
        used = {r[0] for r in con.execute("SELECT id_number FROM residents")}
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("居民")
    ws.append(["城关镇新增居民花名册"])
    ws.append(["序号", "姓名", "性别", "民族", "身份证号", "出生日期", "联系电话", "户号", "与户主关系", "文化程度", "备注"])
    seq = 0
    for i in range(rows):
        while True:
            gender = rng.choice("男女")
            birth = date(1940, 1, 1) + timedelta(days=rng.randrange(80 * 365))
            seq += 1
            number = make_id_number("130102", birth, (seq * 2 + (1 if gender == "男" else 0)) % 1000)
            if number not in used:
                used.add(number)
                break
        era = 0 if birth.year < 1950 else 1 if birth.year < 1975 else 2 if birth.year < 2005 else 3
        name = rng.choice([n for n, _ in SURNAMES]) + rng.choice(GIVEN[(era, gender)])
        relation = ("子" if gender == "男" else "女") if rng.random() < 0.7 else "其他"
        ws.append([i + 1, name, gender, "汉族", number, birth.isoformat(), f"13{rng.randrange(10**9):09d}",
                   numbers[rng.randrange(len(numbers))], relation, "高中", ""])
    wb.save(path)


def ensure(tiny: bool = False, rebuild: bool = False, log=print) -> tuple[Path, Path, float | None]:  # noqa: ANN001
    """(db, roster, generation seconds if it was built now)."""
    tag = "tiny" if tiny else "county"
    folder = data_dir()
    db = folder / f"{tag}-{_fingerprint()}.sqlite"
    roster = folder / f"{tag}-{_fingerprint()}-roster.xlsx"
    seconds = None
    if rebuild or not db.exists():
        log(f"生成{'小型' if tiny else '县级'}数据集：{db} …")
        # built under a private name and renamed: two bench runs starting together never share a half-built file
        part = db.with_name(f"{db.stem}-{os.getpid()}.part")
        seconds = build_db(part, tiny)
        part.replace(db)
        for suffix in ("-wal", "-shm"):  # empty after the checkpoint in build_db
            Path(str(part) + suffix).unlink(missing_ok=True)
        log(f"  用时 {seconds:.1f} 秒")
    if rebuild or not roster.exists():
        part = roster.with_name(f"{roster.stem}-{os.getpid()}.part.xlsx")
        write_roster(part, db, TINY_ROSTER_ROWS if tiny else ROSTER_ROWS)
        part.replace(roster)
    return db, roster, seconds
