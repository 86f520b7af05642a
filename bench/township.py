"""Township benchmarks (issue 23 point 5): 47 village 上报 packages, 150,000 residents in all, merged into
a fresh PostgreSQL database, and the township dashboard on the result.

The packages are made once by the seed township's generator (app/demo/township.py, 47 villages in
12 片区 as 琉璃河镇 has) and cached under the bench data folder, keyed by a hash of the generator, the
models, the migrations and the package code. Each worker process starts its own throwaway server
(tests/pg.py), migrates a template database once and registers the township, its villages and their
public keys there; every timed run starts from a fresh copy of the template (CREATE DATABASE … TEMPLATE).

township_merge: import_package of the 47 files, each in its own transaction as `package import` does,
against a bare psycopg COPY of the very rows the merge left (read back once, untimed) into the same
tables of a fresh copy: the cost of verifying, decoding, remapping ids and replacing on top of COPY.
township_dashboard: township_figures on the merged database, against psycopg grouped counts.
"""

from __future__ import annotations

import atexit
import hashlib
import io
import os
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from . import dataset

N_VILLAGES = 47
RESIDENTS = 150_000
TINY_VILLAGES, TINY_RESIDENTS = 5, 600  # the smoke test's
DISTRICTS = 12
_SCHEMA = "vd_schema_tpl"  # migrated, empty
_TEMPLATE = "vd_township_tpl"  # and the township, its villages and their keys
_stack = ExitStack()  # the server lives as long as the process: shutdown() stops it
_servers: dict[bool, Any] = {}  # tiny → _Server

Work = Callable[[], object]


def _fingerprint() -> str:
    root = dataset.ROOT
    h = hashlib.sha1()
    files = [root / "app/demo/township.py", root / "app/demo/township_village.py", root / "app/demo/stars.py",
             root / "app/demo/names.py", root / "bench/township.py"]
    files += sorted((root / "app/services/township").glob("*.py")) + sorted((root / "app/models").glob("*.py"))
    files += sorted((root / "app/migrations/versions").glob("*.py"))
    for f in files:
        h.update(f.read_bytes())
    return h.hexdigest()[:12]


def _specs(tiny: bool) -> list[Any]:
    """47 villages of 2,000–4,400 residents (2.7 a household), 12 片区, the seed's star shares each."""
    import random

    from app.demo.stars import scaled_levels
    from app.demo.township import PEOPLE_PER_HOUSEHOLD, largest_remainder
    from app.demo.township_village import VillageSpec

    rng = random.Random(47)
    weights = [rng.randint(2000, 4400) for _ in range(TINY_VILLAGES if tiny else N_VILLAGES)]
    people = largest_remainder(TINY_RESIDENTS if tiny else RESIDENTS, weights)
    specs = []
    for i, n in enumerate(people):
        households = round(n / PEOPLE_PER_HOUSEHOLD)
        specs.append(VillageSpec(f"第{i + 1}村", f"第{i * DISTRICTS // N_VILLAGES + 1}片区党委", households, n,
                                 scaled_levels(households)))
    return specs


def packages(tiny: bool, log: Callable[[str], None] = print) -> Path:
    """The folder with the 47 packages and township.sqlite (the keys), built on first use."""
    folder = dataset.data_dir() / f"township-{'tiny' if tiny else 'full'}-{_fingerprint()}"
    if (folder / "done").exists():
        return folder
    from app.demo.township import build_township

    specs = _specs(tiny)
    log(f"生成 {len(specs)} 个村的上报数据包：{folder} …")
    started = time.perf_counter()
    build_township(folder, force=True, specs=specs)
    (folder / "done").write_text(f"{time.perf_counter() - started:.1f}\n")
    log(f"  用时 {time.perf_counter() - started:.1f} 秒")
    return folder


# ---------------------------------------------------------------- the server and its databases


class _Server:
    def __init__(self, url: str, folder: Path) -> None:
        from sqlalchemy.engine import make_url

        self.url, self.folder = make_url(url), folder
        self.count = 0

    def db_url(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    def admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.url.set(drivername="postgresql").render_as_string(hide_password=False),
                             autocommit=True) as con:
            con.execute(sql)  # type: ignore[arg-type]

    def fresh(self) -> str:
        """A new database copied from the template (migrated, township and keys registered)."""
        self.count += 1
        name = f"vd_run_{self.count}"
        self.admin(f"CREATE DATABASE {name} TEMPLATE {_TEMPLATE}")
        return self.db_url(name)

    def drop(self, url: str) -> None:
        from sqlalchemy.engine import make_url

        self.admin(f"DROP DATABASE IF EXISTS {make_url(url).database} WITH (FORCE)")


def _register_township(url: str, folder: Path) -> None:
    """The township, its villages and their public keys as the generator's township.sqlite has them."""
    from sqlalchemy import create_engine, func, select, text

    from app.models import Operator, Unit, VillageKey

    source = create_engine(f"sqlite:///{folder / 'township.sqlite'}")
    target = create_engine(url)
    with source.connect() as src, target.begin() as dst:
        for model in (Unit, Operator, VillageKey):
            table = model.__table__
            rows = [dict(r._mapping) for r in src.execute(select(table).order_by(table.c.id))]
            dst.execute(table.insert(), rows)
            top = dst.scalar(select(func.max(table.c.id)))
            dst.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), {top})"))
    source.dispose()
    target.dispose()


def shutdown() -> None:
    """Stop the server (the worker calls this before os._exit; elsewhere atexit does)."""
    _servers.clear()
    _stack.close()


def _server(env: Any) -> _Server:
    """The process's server (one for every case and side run in it)."""
    if env.tiny in _servers:
        return _servers[env.tiny]
    from app.db import open_database
    from tests.pg import running_postgres

    folder = packages(env.tiny)
    if not _servers:
        atexit.register(shutdown)
    server = _Server(_stack.enter_context(running_postgres()), folder)
    server.admin(f"CREATE DATABASE {_SCHEMA}")
    open_database(server.db_url(_SCHEMA)).dispose()  # migrated once, every table empty
    server.admin(f"CREATE DATABASE {_TEMPLATE} TEMPLATE {_SCHEMA}")
    _register_township(server.db_url(_TEMPLATE), folder)
    _servers[env.tiny] = server
    return server


def _files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.vdpkg"))


def _merge(url: str, files: list[Path]) -> int:
    """What `package import DIR/*.vdpkg` does: each file verified and merged in its own transaction."""
    from app.db import open_database
    from app.services.township.packages import import_package

    db = open_database(url, migrate=False)
    try:
        rows = 0
        for f in files:
            with db.session() as s:
                rows += import_package(s, f).rows
        return rows
    finally:
        db.dispose()


def _psycopg(url: str) -> Any:
    import psycopg
    from sqlalchemy.engine import make_url

    return psycopg.connect(make_url(url).set(drivername="postgresql").render_as_string(hide_password=False))


# ---------------------------------------------------------------- township_merge


def merge_app(env: Any) -> Work:
    server = _server(env)
    files = _files(server.folder)

    def work() -> float:  # times its own part: the fresh database is made and dropped outside
        url = server.fresh()
        try:
            started = time.perf_counter()
            _merge(url, files)
            return time.perf_counter() - started
        finally:
            server.drop(url)

    return work


def _dump(url: str) -> list[tuple[str, list[str], bytes]]:
    """Every table's rows as COPY text, parents first: (table, columns, data)."""
    from app.models import Base

    out = []
    with _psycopg(url) as con, con.cursor() as cur:
        for table in Base.metadata.sorted_tables:
            cols = [c.name for c in table.columns]
            names = ", ".join(f'"{c}"' for c in cols)
            buf = io.BytesIO()
            with cur.copy(f'COPY "{table.name}" ({names}) TO STDOUT') as pipe:
                for chunk in pipe:
                    buf.write(chunk)
            if buf.tell():
                out.append((table.name, cols, buf.getvalue()))
    return out


def merge_bare(env: Any) -> Work:
    server = _server(env)
    merged = server.fresh()
    _merge(merged, _files(server.folder))  # untimed: the rows the merge leaves
    dump = _dump(merged)
    server.drop(merged)
    count = [0]

    def work() -> float:  # into the same schema with every table empty (the township's rows are in the dump)
        count[0] += 1
        name = f"vd_bare_{count[0]}"
        server.admin(f"CREATE DATABASE {name} TEMPLATE {_SCHEMA}")
        try:
            started = time.perf_counter()
            with _psycopg(server.db_url(name)) as con, con.cursor() as cur:
                for table, cols, data in dump:
                    names = ", ".join(f'"{c}"' for c in cols)
                    with cur.copy(f'COPY "{table}" ({names}) FROM STDIN') as pipe:
                        pipe.write(data)
            return time.perf_counter() - started
        finally:
            server.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    return work


# ---------------------------------------------------------------- township_dashboard


def _merged(env: Any) -> str:
    server = _server(env)
    url = server.fresh()
    _merge(url, _files(server.folder))
    return url


def dashboard_app(env: Any) -> Work:
    from app.db import open_database
    from app.services.township.figures import township_figures
    from app.services.units import township_id

    db = open_database(_merged(env), migrate=False)
    with db.session() as s:
        tid = township_id(s)
    assert tid is not None

    def work() -> object:
        with db.session() as s:
            return township_figures(s, tid, year=2026)

    return work


_BARE_DASHBOARD = (
    "SELECT unit_id, count(*) FROM households WHERE closed_on IS NULL GROUP BY unit_id",
    "SELECT r.unit_id, count(*) FROM party_members m JOIN residents r ON r.id = m.resident_id "
    "WHERE m.left_on IS NULL AND m.stage IN ('正式党员', '预备党员') GROUP BY r.unit_id",
    "SELECT sr.unit_id, sa.level, count(*) FROM star_applications sa JOIN star_rounds sr ON sr.id = sa.round_id "
    "WHERE sr.year = 2026 AND sa.withdrawn_on IS NULL GROUP BY sr.unit_id, sa.level",
    "SELECT unit_id, state, satisfaction, count(*) FROM tickets WHERE year = 2026 GROUP BY unit_id, state, satisfaction",
    "SELECT unit_id, count(*) FROM notices WHERE withdrawn_on IS NULL GROUP BY unit_id",
)


def dashboard_bare(env: Any) -> Work:
    con = _psycopg(_merged(env))

    def work() -> object:
        with con.cursor() as cur:
            return [cur.execute(sql).fetchall() for sql in _BARE_DASHBOARD]  # type: ignore[arg-type]

    return work


if __name__ == "__main__":  # build the packages ahead of a bench run: python -m bench.township [--tiny]
    import sys

    os.environ.setdefault("VILLAGEDESK_HOME", dataset.data_dir().as_posix())
    print(packages("--tiny" in sys.argv[1:]))
