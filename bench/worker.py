"""One benchmark side in this process: `python -m bench.worker CASE SIDE DB ROSTER WORKDIR RUNS TINY`.

Prints one JSON line: {"times": [seconds…], "rss_mb": peak RSS, "error": text or null}. A cold case
times one run from before its first import (the parent starts a process per run).
"""

from __future__ import annotations

import time

T0 = time.perf_counter()  # before any heavy import: cold start-up is timed from here

import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import traceback  # noqa: E402
from pathlib import Path  # noqa: E402


def peak_rss_mb() -> float:
    """Peak RSS of this process. VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec from the parent."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main(argv: list[str]) -> int:
    name, side, db, roster, workdir, runs, tiny = argv
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    out: dict[str, object] = {"times": [], "rss_mb": None, "error": None}
    try:
        from .cases import Env, by_name

        case = by_name(name)
        env = Env(Path(db), Path(workdir), Path(roster), tiny == "1")
        make = case.app if side == "app" else case.bare
        assert make is not None
        if case.cold:
            make(env)()
            out["times"] = [time.perf_counter() - T0]
        else:
            work = make(env)
            if not case.heavy:
                work()  # warm-up: caches, first-use imports
            times = []
            for _ in range(int(runs)):
                t = time.perf_counter()
                value = work()
                elapsed = time.perf_counter() - t
                # a case may time its own part (sort: the click, not the reset before it; township_merge:
                # the merge, not making the fresh database)
                own = case.self_timed or name.startswith("sort_")
                times.append(value if own and isinstance(value, float) else elapsed)
            out["times"] = times
    except Exception as exc:  # reported in the table, never hidden
        out["error"] = f"{type(exc).__name__}: {exc}"
        traceback.print_exc(file=sys.stderr)
    out["rss_mb"] = round(peak_rss_mb(), 1)
    township = sys.modules.get("bench.township")
    if township is not None:  # its PostgreSQL server (os._exit below skips atexit)
        township.shutdown()
    print(json.dumps(out))
    sys.stdout.flush()
    os._exit(0)  # skip Qt/SQLAlchemy teardown: not part of any measurement


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
