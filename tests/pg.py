"""A throwaway PostgreSQL server for tests (Debian's postgresql package), on loopback in a temp dir."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pg_bin() -> str | None:
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda d: int(d.split("/")[-2]))
    return dirs[-1] if dirs and os.path.exists(os.path.join(dirs[-1], "initdb")) else None


def why_unavailable() -> str | None:
    if pg_bin() is None:
        return "PostgreSQL 未安装（make test 以 root 运行时会用 apt-get 安装 postgresql）"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "未安装 psycopg"
    return None


@contextmanager
def running_postgres() -> Iterator[str]:
    """Start initdb + pg_ctl as an unprivileged user; yield a SQLAlchemy URL; stop and clean up."""
    bindir = pg_bin()
    assert bindir is not None
    root = tempfile.mkdtemp(prefix="vd-pg-")
    data = os.path.join(root, "data")
    port = _free_port()
    prefix: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        shutil.chown(root, "postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
    run = lambda *cmd: subprocess.run(prefix + list(cmd), check=True, capture_output=True)  # noqa: E731
    run(f"{bindir}/initdb", "-D", data, "-U", "test", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
    run(f"{bindir}/pg_ctl", "-D", data, "-w", "-l", os.path.join(root, "log"),
        # a throwaway server: no fsync (nothing to keep after a crash), so CREATE DATABASE per test is quick
        "-o", f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off -c synchronous_commit=off "
        "-c full_page_writes=off", "start")
    try:
        yield f"postgresql+psycopg://test@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(prefix + [f"{bindir}/pg_ctl", "-D", data, "stop", "-m", "fast"], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)
