"""The automatic backups in the data folder: their names, listing, and the bounded history.

An automatic backup is named `<database>-<yyyymmdd-HHMMSS-ffffff>-<reason>.sqlite` (reason: 每日,
升级前, 恢复前, 导入前 …), so its time and reason are read from the name. Rotation keeps the newest
backup of each of the last KEEP_DAILY days, KEEP_WEEKLY ISO weeks and KEEP_MONTHLY months that have
one, plus the KEEP_LATEST newest of all (a backup made just before a restore is never the first to go).
Files that do not follow the pattern (a backup the user put there by hand) are never deleted.

Checksums: every plain backup the program writes (automatic or 备份到…) gets a sidecar
`<backup>.sha256` in `sha256sum` format (`<hex>  <name>`, so `sha256sum -c` can check it too). The
checksum is kept beside the file rather than inside it: a SQLite file cannot carry a hash of its own
pages, and a value in a table would itself be part of what it covers. A backup without a sidecar (copied
by hand, or made by an older version) is still accepted after the other checks; a sidecar that does not
match refuses it. Encrypted backups need none: Fernet's HMAC covers every byte. Rotation deletes a
sidecar together with its backup; a sidecar is never listed as a backup.

Writing: every file here is written under `<name>.part`, flushed to disk, renamed, and the folder
flushed; the `.part` is removed on any error.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app.io.atomic import fsync_dir, fsync_file
from app.paths import note_part, part_done

CHECKSUM_SUFFIX = ".sha256"
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
            checksum_path(b.path).unlink(missing_ok=True)
            removed.append(b.path)
    return removed


def made_today(folder: Path, stem: str, now: datetime, reason: str = DAILY_REASON) -> bool:
    return any(b.reason == reason and b.made_at.date() == now.date() for b in list_auto(folder, stem))


def replace_synced(tmp: Path, dst: Path) -> None:
    """Flush tmp to disk, rename it to dst and flush the folder: after a power cut dst is old or new, whole."""
    fsync_file(tmp)
    os.replace(tmp, dst)
    fsync_dir(dst.parent)


def part_path(path: Path) -> Path:
    return path.with_name(path.name + ".part")


def write_synced(path: Path, data: bytes) -> None:
    """Write a new file through `<name>.part`, flushed to disk before it takes the real name."""
    tmp = part_path(path)
    note_part(tmp)  # a kill before the rename: the next start removes it, wherever it is
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
        replace_synced(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)  # gone after the rename; a leftover only on error
        part_done(tmp)


def checksum_path(backup: Path) -> Path:
    return backup.with_name(backup.name + CHECKSUM_SUFFIX)


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def write_checksum(backup: Path) -> Path:
    """The sidecar of a finished backup file."""
    side = checksum_path(backup)
    write_synced(side, f"{file_sha256(backup)}  {backup.name}\n".encode())
    return side


def drop_checksum(backup: Path) -> None:
    """Remove the sidecar of a file about to be rewritten, so an old value never vouches for new content."""
    checksum_path(backup).unlink(missing_ok=True)


def checksum_matches(backup: Path, content: Path | None = None) -> bool | None:
    """Does the content (a copy of backup, or backup itself) match backup's sidecar? None: no sidecar.

    An unreadable or malformed sidecar counts as a mismatch: it is not ours to guess.
    """
    side = checksum_path(backup)
    if not side.is_file():
        return None
    try:
        recorded = side.read_text("utf-8", "replace").split()[0].lower()
    except (OSError, IndexError):
        return False
    return recorded == file_sha256(content or backup)
