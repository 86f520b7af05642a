"""Read a workbook in a child process with a memory and a time limit, so a reader that aborts cannot
take the window with it.

python-calamine is native code: when it cannot allocate it aborts the whole process (exit 134, nothing
logged, the window gone). The checks in app/io/sheet_read.py keep known hostile files away from it;
this is the guard for everything they do not foresee (a small xlsx, whose reading the checks
provably bound, is read in-process to spare the child's start-up). The parent runs `python -m app.io.sheet_child`
(a frozen bundle runs itself with `--sheet-reader`, see installers/villagedesk_main.py), sends the
request on stdin and gets the rows back as a pickle on stdout; an abort, a kill or a timeout becomes
a SheetRefused with a Chinese message and a log line.

Limits: on POSIX the child sets RLIMIT_AS (address space) and RLIMIT_CPU on itself before it imports
the reader. Windows has no rlimit; there the child still isolates an abort and the parent's timeout
still holds, but memory is bounded only by the checks in sheet_read (a job object could add a hard cap).
The child imports neither Qt nor the database layer.
"""

from __future__ import annotations

import io
import logging
import os
import pickle
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

from app.io.sheet_read import Cell, SheetRefused, damaged_message, read_workbook

log = logging.getLogger(__name__)

# An xlsx that inflates to at most this is read in this process: every byte calamine holds then comes
# from at most 16 MB of XML, and its dense block is capped by sheet_read.MAX_CELLS after the sheet scan,
# so it stays near 200 MB at worst and cannot reach an allocation failure (the only cause of an abort).
# Spawning the child costs 0.2-0.6 s; a village roster of 10,000 rows inflates to about 5 MB.
INPROCESS_MAX_INFLATED = 16 * 1024 * 1024
MEMORY_LIMIT_MB = 512  # address space of the child (the target); 1,000,000 cells need about 250 MB
TIME_LIMIT_S = 60.0  # a legitimate 100,000-row workbook reads in a few seconds on an old office PC
FROZEN_FLAG = "--sheet-reader"
_SAFE_CLASSES = {("datetime", "date"), ("datetime", "datetime"), ("datetime", "time"), ("datetime", "timedelta")}

# how a child over RLIMIT_CPU ends (SIGXCPU, then SIGKILL at the hard limit)
_CPU_SIGNALS = {-getattr(signal, sig) for sig in ("SIGXCPU", "SIGKILL") if hasattr(signal, sig)}

Result = tuple[str, list[str], list[list[Cell]]]


class _RowsUnpickler(pickle.Unpickler):
    """Only plain values and dates come back from the child: nothing else may be rebuilt."""

    def find_class(self, module: str, name: str) -> object:
        if (module, name) in _SAFE_CLASSES:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"unexpected {module}.{name}")


def child_command() -> list[str]:
    if getattr(sys, "frozen", False):
        return [sys.executable, FROZEN_FLAG]
    return [sys.executable, "-m", "app.io.sheet_child"]


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["RUST_BACKTRACE"] = "0"  # a panic's message is enough in the log
    env["PYTHONIOENCODING"] = "utf-8"
    # the child must find this very `app` package, even from a source tree that was not installed
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    return env


def read_workbook_bounded(path: Path, name: str, fmt: str, sheet: str | None) -> Result:
    """Read a workbook within the limits: a small xlsx here (see INPROCESS_MAX_INFLATED), else in the child."""
    if fmt == "xlsx" and _inflated_size(path) <= INPROCESS_MAX_INFLATED:
        try:
            return read_workbook(path, name, fmt, sheet)
        except SheetRefused:
            raise
        except Exception as exc:  # calamine's errors, a bug of ours
            log.warning("cannot read %s: %r", name, exc)
            raise SheetRefused(damaged_message(name)) from None
        except BaseException as exc:  # a Rust panic arrives as a BaseException (PanicException)
            if isinstance(exc, KeyboardInterrupt | SystemExit):
                raise
            log.warning("the reader panicked on %s: %r", name, exc)
            raise SheetRefused(damaged_message(name)) from None
    return read_workbook_isolated(path, name, fmt, sheet)


def _inflated_size(path: Path) -> int:
    """The xlsx's parts once decompressed, from its central directory (a broken zip: unknown, so huge)."""
    try:
        with zipfile.ZipFile(path) as z:
            return sum(info.file_size for info in z.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return sys.maxsize


def read_workbook_isolated(
    path: Path, name: str, fmt: str, sheet: str | None,
    memory_mb: int | None = None, time_limit_s: float | None = None,
) -> Result:
    """sheet_read.read_workbook in a child process; SheetRefused for every way it can fail."""
    memory_mb = MEMORY_LIMIT_MB if memory_mb is None else memory_mb
    time_limit_s = TIME_LIMIT_S if time_limit_s is None else time_limit_s
    request = pickle.dumps((str(path), name, fmt, sheet, memory_mb, int(time_limit_s) + 1))
    flags = getattr(subprocess, "CREATE_NO_WINDOW", 0)  # no console flashing up on Windows
    try:
        proc = subprocess.run(
            child_command(), input=request, capture_output=True, timeout=time_limit_s,
            env=_child_env(), creationflags=flags, check=False,
        )
    except subprocess.TimeoutExpired:
        log.warning("reading %s took over %.0f s; the reader was stopped", name, time_limit_s)
        raise SheetRefused(
            f"读取“{name}”超过 {time_limit_s:.0f} 秒仍未完成，已停止。文件可能过大或含有大量空白内容，"
            "请删除多余的行列，或用 Excel 或 WPS 另存为新的 .xlsx 后再导入。"
        ) from None
    except OSError as exc:
        log.error("cannot start the sheet reader for %s: %r", name, exc)
        raise SheetRefused(f"无法启动表格读取程序（{exc.strerror or exc}），请重新启动本程序后再试。") from None
    stderr = proc.stderr.decode("utf-8", "replace")[-2000:]
    if proc.returncode == 0:
        try:
            outcome = _RowsUnpickler(io.BytesIO(proc.stdout)).load()
        except Exception as exc:
            log.error("the sheet reader for %s returned garbage: %r; stderr: %s", name, exc, stderr)
            raise SheetRefused(damaged_message(name)) from None
        if outcome[0] == "refused":
            raise SheetRefused(outcome[1])
        return outcome[1], outcome[2], outcome[3]
    log.warning("the sheet reader for %s ended with %s; stderr: %s", name, proc.returncode, stderr)
    if _out_of_memory(proc.returncode, stderr):
        raise SheetRefused(
            f"读取“{name}”需要的内存超过 {memory_mb} MB，已停止。表格中可能有远处误填的内容或大量空白行列，"
            "请删除多余的行列，或用 Excel 或 WPS 另存为新的 .xlsx 后再导入。"
        )
    if proc.returncode in _CPU_SIGNALS:
        raise SheetRefused(f"读取“{name}”用时过长，已停止。请删除多余的行列后再导入。")
    raise SheetRefused(damaged_message(name).replace("无法读取（", "无法读取（读取程序意外退出，", 1))


def _out_of_memory(code: int, stderr: str) -> bool:
    """The child ran out of its memory: Rust says so before it aborts, Python raises MemoryError."""
    text = stderr.lower()
    return code != 0 and ("memory allocation" in text or "memoryerror" in text or "cannot allocate" in text)


# ---------------------------------------------------------------- the child side


def _set_limits(memory_mb: int, cpu_s: int) -> None:
    try:
        import resource
    except ImportError:  # Windows: see the module docstring
        return
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 5))


def child_main() -> int:
    """Read one request from stdin, write one pickled outcome to stdout."""
    path, name, fmt, sheet, memory_mb, cpu_s = pickle.loads(sys.stdin.buffer.read())
    _set_limits(memory_mb, cpu_s)
    try:
        outcome: tuple[object, ...] = ("ok", *read_workbook(Path(path), name, fmt, sheet))
    except SheetRefused as exc:
        outcome = ("refused", exc.message)
    except MemoryError:
        sys.stderr.write("MemoryError\n")
        return 3
    data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(child_main())
