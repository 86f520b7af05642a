"""`python -m bench`: build (or reuse) the county dataset, run every benchmark, print the table.

Each side of each case runs in a fresh process (clean peak RSS): the program's path ("本程序") and
the bare library doing the same work ("对照"), in the same run, so a busy machine slows both.
Options: --tiny (small dataset, for the smoke test), --runs N, --only NAME…, --rebuild,
--write FILE (the table as Markdown with the machine's description, e.g. bench/RESULTS.md).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import dataset
from .cases import CASES, RSS_LIMIT_MB, Case
from .machine import describe


@dataclass
class Result:
    case: Case
    app: list[float]
    bare: list[float]
    rss_app: float | None
    rss_bare: float | None
    error: str | None = None
    skipped: str | None = None

    @property
    def app_ms(self) -> float | None:
        return statistics.median(self.app) * 1000 if self.app else None

    @property
    def bare_ms(self) -> float | None:
        return statistics.median(self.bare) * 1000 if self.bare else None

    @property
    def ratio(self) -> float | None:
        if self.app_ms is None or not self.bare_ms:
            return None
        return self.app_ms / self.bare_ms

    def verdict(self) -> str:
        if self.skipped:
            return "未测"
        if self.error or self.app_ms is None:
            return "出错"
        ok = True
        if self.case.limit_ms is not None:
            ok &= self.app_ms <= self.case.limit_ms
        if self.case.limit_ratio is not None and self.ratio is not None:
            ok &= self.ratio <= self.case.limit_ratio
        rss_limit = self.case.limit_rss_mb or RSS_LIMIT_MB
        if self.rss_app is not None:
            ok &= self.rss_app <= rss_limit
        if self.case.limit_ms is None and self.case.limit_ratio is None:
            if self.case.limit_rss_mb is not None and self.rss_app is not None:
                return "达标" if ok else "内存超标"
            return "—" if self.rss_app is None or self.rss_app <= rss_limit else "内存超标"
        return "达标" if ok else "未达标"


def _missing(case: Case) -> str | None:
    import importlib.util

    for need in case.needs:
        if need.startswith("ledger:"):
            from app.services.output_kinds import LEDGER_KINDS

            if need.split(":", 1)[1] not in LEDGER_KINDS:
                return f"还没有“{need.split(':', 1)[1]}”台账"
        elif need == "postgresql":
            from tests.pg import why_unavailable

            if why_unavailable():
                return why_unavailable()
        elif importlib.util.find_spec(need) is None:
            return f"还没有 {need}"
    return None


def _spawn(case: Case, side: str, env_args: list[str], runs: int) -> dict[str, object]:
    db, roster, workdir, tiny = env_args
    cmd = [sys.executable, "-m", "bench.worker", case.name, side, db, roster, workdir, str(runs), tiny]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           # start-up is timed with cached bytecode (an installed program has it), kept out of the source tree
           "PYTHONPYCACHEPREFIX": os.environ.get("PYTHONPYCACHEPREFIX") or str(dataset.data_dir() / "pycache")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=dataset.ROOT, env=env, timeout=3600)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if not lines:
        return {"times": [], "rss_mb": None, "error": (proc.stderr.strip().splitlines() or ["no output"])[-1]}
    out = json.loads(lines[-1])
    if out.get("error"):
        sys.stderr.write(proc.stderr[-3000:])
    return out


def run_case(case: Case, env_args: list[str], runs: int) -> Result:
    skipped = _missing(case)
    if skipped:
        return Result(case, [], [], None, None, skipped=skipped)
    app_t: list[float] = []
    bare_t: list[float] = []
    rss_a: list[float] = []
    rss_b: list[float] = []
    errors: list[str] = []
    n = runs if not case.heavy else max(1, min(runs, 3))
    rounds = n if case.cold else 1
    per_process = 1 if case.cold else n
    if case.cold:  # an untimed first start per side: bytecode compiled and cached, as in an installed program
        for side in ("app", "bare") if case.bare is not None else ("app",):
            _spawn(case, side, env_args, 1)
    for _ in range(rounds):  # alternate the two sides so a burst of load hits both
        for side, times, rss in (("app", app_t, rss_a), ("bare", bare_t, rss_b)):
            if side == "bare" and case.bare is None:
                continue
            out = _spawn(case, side, env_args, per_process)
            times.extend(out.get("times") or [])  # type: ignore[arg-type]
            if out.get("rss_mb") is not None:
                rss.append(float(out["rss_mb"]))  # type: ignore[arg-type]
            if out.get("error"):
                errors.append(f"{side}: {out['error']}")
    return Result(case, app_t, bare_t, max(rss_a) if rss_a else None, max(rss_b) if rss_b else None,
                  error="; ".join(errors) or None)


def _ms(v: float | None) -> str:
    if v is None:
        return "—"
    return f"{v:,.0f}" if v >= 100 else f"{v:.1f}"


def table(results: list[Result]) -> str:
    head = ("| 项目 | 目标 | 本程序 中位数 ms | 对照 | 对照 中位数 ms | 倍数 | 峰值内存 MB（本程序/对照） | 结果 |\n"
            "|---|---|--:|---|--:|--:|--:|---|")
    lines = [head]
    for r in results:
        ratio = f"{r.ratio:.2f}×" if r.ratio is not None else "—"
        rss = f"{r.rss_app or 0:.0f} / {r.rss_bare or 0:.0f}" if r.rss_app is not None else "—"
        verdict = r.verdict() + (f"（{r.skipped}）" if r.skipped else "") + (f"（{r.error}）" if r.error else "")
        lines.append(f"| {r.case.label} | {r.case.target} | {_ms(r.app_ms)} | {r.case.bare_label} | {_ms(r.bare_ms)} "
                     f"| {ratio} | {rss} | {verdict} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description="县级规模性能测试（不是测试用例）")
    parser.add_argument("--tiny", action="store_true", help="用小数据集（冒烟测试用）")
    parser.add_argument("--runs", type=int, default=5, help="每项运行次数，取中位数（默认 5；耗时项最多 3）")
    parser.add_argument("--only", nargs="*", default=None, metavar="NAME", help="只运行这些项目")
    parser.add_argument("--rebuild", action="store_true", help="重新生成数据集")
    parser.add_argument("--write", metavar="FILE", help="把结果表写入 Markdown 文件（如 bench/RESULTS.md）")
    parser.add_argument("--list", action="store_true", help="列出全部项目")
    args = parser.parse_args(argv)
    if args.list:
        for c in CASES:
            print(f"{c.name:28} {c.label}")
        return 0
    os.environ.setdefault("VILLAGEDESK_HOME", tempfile.mkdtemp(prefix="villagedesk-bench-home-"))
    cases = [c for c in CASES if args.only is None or c.name in args.only]
    if any(c.county for c in cases):
        db, roster, gen_seconds = dataset.ensure(tiny=args.tiny, rebuild=args.rebuild)
    else:  # the township cases make and cache their own packages (bench/township.py)
        db, roster, gen_seconds = Path("-"), Path("-"), None
    workdir = Path(tempfile.mkdtemp(prefix="villagedesk-bench-out-"))
    env_args = [str(db), str(roster), str(workdir), "1" if args.tiny else "0"]
    machine = describe()
    print(machine)
    results = []
    for case in cases:
        print(f"… {case.label}", file=sys.stderr, flush=True)
        results.append(run_case(case, env_args, args.runs))
    text = table(results)
    print(text)
    if args.write:
        write_results(Path(args.write), text, machine, gen_seconds, args)
    return 1 if any(r.error for r in results) else 0


NOTES_HEADING = "## 说明"


def write_results(path: Path, text: str, machine: str, gen_seconds: float | None, args: argparse.Namespace) -> None:
    gen = f"{gen_seconds:.1f} 秒" if gen_seconds is not None else "（本次复用了缓存的数据集）"
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    notes = old[old.index(NOTES_HEADING):] if NOTES_HEADING in old else ""  # hand-written: kept
    path.write_text(
        "# 县级规模性能结果 (issue 11)\n\n"
        f"{machine}\n\n"
        f"命令：`python -m bench{' --tiny' if args.tiny else ''} --runs {args.runs}`；数据集生成：{gen}。\n"
        "每项为中位数；“对照”是同一次运行中裸库做同样的工作；峰值内存为各自独立进程的 VmHWM（/proc/self/status）。\n\n"
        f"{text}\n" + (f"\n{notes}" if notes else ""),
        encoding="utf-8",
    )


if __name__ == "__main__":
    raise SystemExit(main())
