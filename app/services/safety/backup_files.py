"""The automatic backups in the data folder: their names, listing, and the bounded history.

An automatic backup is named `<database>-<yyyymmdd-HHMMSS-ffffff>-<reason>.sqlite` (reason: 每日,
升级前, 恢复前, 导入前 …), so its time and reason are read from the name. Rotation keeps the newest
backup of each of the last KEEP_DAILY days, KEEP_WEEKLY ISO weeks and KEEP_MONTHLY months that have
one, plus the KEEP_LATEST newest of all (a backup made just before a restore is never the first to go).
Files that do not follow the pattern (a backup the user put there by hand) are never deleted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

KEEP_DAILY, KEEP_WEEKLY, KEEP_MONTHLY, KEEP_LATEST = 7, 4, 12, 5
STAMP = "%Y%m%d-%H%M%S-%f"
DAILY_REASON = "每日"
_NAME = re.compile(r"^(?P<stem>.+)-(?P<stamp>\d{8}-\d{6}-\d{6})-(?P<reason>[^-.]+)\.sqlite$")


@dataclass(frozen=True)
class BackupFile:
    path: Path
    made_at: datetime
    reason: str
    size: int

    @property
    def name(self) -> str:
        return self.path.name


def auto_name(stem: str, reason: str, when: datetime) -> str:
    return f"{stem}-{when.strftime(STAMP)}-{reason}.sqlite"


def parse(path: Path, stem: str | None = None) -> BackupFile | None:
    """The automatic backup behind path (of the database named stem; None: any), or None."""
    m = _NAME.match(path.name)
    if m is None or (stem is not None and m["stem"] != stem):
        return None
    try:
        made = datetime.strptime(m["stamp"], STAMP)
        size = path.stat().st_size
    except (ValueError, OSError):
        return None
    return BackupFile(path, made, m["reason"], size)


def list_auto(folder: Path, stem: str) -> list[BackupFile]:
    """The automatic backups of the database named stem, newest first."""
    if not folder.is_dir():
        return []
    found = [b for p in folder.glob(f"{glob_escape(stem)}-*.sqlite") if (b := parse(p, stem)) is not None]
    return sorted(found, key=lambda b: b.made_at, reverse=True)


def glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


def to_keep(backups: list[BackupFile]) -> set[Path]:
    """The grandfather-father-son selection (backups newest first)."""
    keep = {b.path for b in backups[:KEEP_LATEST]}
    for period, limit in (
        (lambda d: d.date(), KEEP_DAILY),
        (lambda d: tuple(d.isocalendar())[:2], KEEP_WEEKLY),
        (lambda d: (d.year, d.month), KEEP_MONTHLY),
    ):
        seen: set[object] = set()
        for b in backups:
            key = period(b.made_at)
            if key in seen:
                continue
            if len(seen) >= limit:
                break
            seen.add(key)
            keep.add(b.path)
    return keep


def rotate(folder: Path, stem: str) -> list[Path]:
    """Delete the automatic backups the history no longer needs; returns what was deleted."""
    backups = list_auto(folder, stem)
    keep = to_keep(backups)
    removed = []
    for b in backups:
        if b.path not in keep:
            b.path.unlink(missing_ok=True)
            removed.append(b.path)
    return removed


def made_today(folder: Path, stem: str, now: datetime, reason: str = DAILY_REASON) -> bool:
    return any(b.reason == reason and b.made_at.date() == now.date() for b in list_auto(folder, stem))
