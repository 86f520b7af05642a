"""The machine's description for the results: CPU, cores, RAM, load, versions, date."""

from __future__ import annotations

import os
import platform
from datetime import datetime
from pathlib import Path


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "未知"


def _ram_gb() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GB"
    except OSError:
        pass
    return "未知"


def describe() -> str:
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg()) if hasattr(os, "getloadavg") else "—"
    return (f"机器：{_cpu_model()}，{os.cpu_count()} 核，内存 {_ram_gb()}；负载（1/5/15 分钟）{load}；"
            f"Python {platform.python_version()}，{platform.system()} {platform.release()}；"
            f"日期 {datetime.now():%Y-%m-%d %H:%M}")
