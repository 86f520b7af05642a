"""Where VillageDesk keeps its files: the user's data folder (platformdirs), logs, backups."""

from __future__ import annotations

import contextlib
import glob
import hashlib
import logging
import os
import re
import shutil
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from platformdirs import user_data_path, user_log_path

log = logging.getLogger(__name__)

APP_NAME = "VillageDesk"


def data_dir() -> Path:
    override = os.environ.get("VILLAGEDESK_HOME")
    path = Path(override) if override else user_data_path(APP_NAME, appauthor=False)
    path.mkdir(parents=True, exist_ok=True)
    return path


def log_dir() -> Path:
    override = os.environ.get("VILLAGEDESK_HOME")
    path = Path(override) / "logs" if override else user_log_path(APP_NAME, appauthor=False)
    path.mkdir(parents=True, exist_ok=True)
    return path


def backup_dir() -> Path:
    path = data_dir() / "backups"
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_db_path() -> Path:
    env = os.environ.get("VILLAGEDESK_DB")
    return Path(env) if env else data_dir() / "villagedesk.sqlite"


# ---- leftovers of an interrupted run ----------------------------------------------------------------
# A killed export, backup or restore can leave a `*.part` file or a `.vd-temp-*` folder (which may hold
# a decrypted, plain copy of the database). They are removed at the next start, once old enough that no
# running process can still be writing them.

TEMP_PREFIX = ".vd-temp-"
LEFTOVER_AGE_S = 10 * 60
_LEGACY_PLAIN = ("plain.sqlite", "preview.sqlite")  # tempfile.TemporaryDirectory() folders of older versions


def _newest_mtime(path: Path) -> float:
    """The latest change in path or (for a folder) its direct entries: a folder being filled is young."""
    newest = path.lstat().st_mtime
    if path.is_dir() and not path.is_symlink():
        for child in path.iterdir():
            newest = max(newest, child.lstat().st_mtime)
    return newest


def _leftovers(folder: Path, backups: bool, part: str = "*.part") -> Iterator[Path]:
    yield from folder.glob(part)
    yield from folder.glob(TEMP_PREFIX + "*")
    if backups:
        for tmp in folder.glob("tmp*"):
            if tmp.is_dir() and any((tmp / name).exists() for name in _LEGACY_PLAIN):
                yield tmp


PENDING_DIR = ".vd-pending"  # in the data folder: one marker per `.part` being written outside it


def _marker(part: Path) -> Path:
    digest = hashlib.sha256(str(part.resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:24]
    return data_dir() / PENDING_DIR / digest


def note_part(part: Path) -> None:
    """Remember a `.part` file about to be written in a folder the start-up cleanup does not look at (an
    export or backup onto the user's own folder or USB stick): if the process is killed, the next start
    removes it. Best effort: a read-only data folder only loses this reminder."""
    try:
        marker = _marker(part)
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(str(part.resolve()), encoding="utf-8", errors="surrogateescape")
    except OSError as exc:
        log.warning("cannot note %s for the start-up cleanup: %s", part, exc)


def part_done(part: Path) -> None:
    """The `.part` is gone (renamed into place or removed): forget it."""
    with contextlib.suppress(OSError):
        _marker(part).unlink(missing_ok=True)


def _noted_parts(min_age_s: float, now: float) -> Iterator[tuple[Path, Path]]:
    """(marker, .part file) for reminders old enough that no running process still writes that file."""
    folder = data_dir() / PENDING_DIR
    if not folder.is_dir():
        return
    for marker in folder.iterdir():
        with contextlib.suppress(OSError, UnicodeDecodeError):
            if now - marker.lstat().st_mtime >= min_age_s:
                yield marker, Path(marker.read_text(encoding="utf-8", errors="surrogateescape"))


def clean_leftovers(
    db_file: Path | None = None, min_age_s: float = LEFTOVER_AGE_S, now: float | None = None
) -> list[Path]:
    """Remove `*.part` files and `.vd-temp-*` folders older than min_age_s from the data and backups
    folders (and old temp folders holding a plain copy in backups); beside db_file (a restore stages
    there) only `.vd-temp-*` and the file's own `.part`s, as that folder may be the user's. Returns what
    was removed; what cannot be removed is skipped (logged), never an error: this runs at every start."""
    now = time.time() if now is None else now
    removed: list[Path] = []
    try:
        folders = [(data_dir(), False, "*.part"), (backup_dir(), True, "*.part")]
    except OSError:
        return removed
    if db_file is not None and db_file.parent.is_dir():
        folders.append((db_file.parent, False, glob.escape(db_file.name) + "*.part"))
    seen: set[Path] = set()
    for marker, noted in _noted_parts(min_age_s, now):
        if ".part" in noted.name and noted.is_file() and not noted.is_symlink():  # only what note_part named
            with contextlib.suppress(OSError):
                noted.unlink()
                log.info("leftover of an interrupted run removed: %s", noted)
                removed.append(noted)
        with contextlib.suppress(OSError):
            marker.unlink()
    for folder, backups, part in folders:
        for path in _leftovers(folder, backups, part):
            if path in seen:  # the database in the data folder: that folder is looked at twice
                continue
            seen.add(path)
            try:
                if now - _newest_mtime(path) < min_age_s:
                    continue
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)
                else:
                    path.unlink()
            except OSError as exc:
                log.warning("leftover %s not removed: %s", path, exc)
                continue
            log.info("leftover of an interrupted run removed: %s", path)
            removed.append(path)
    return removed


# ---- file names from user data ------------------------------------------------------------------------

_NOT_IN_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f-\x9f]')  # separators, Windows' refused characters, controls
_RESERVED = re.compile(r"(CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³])(\..*)?", re.IGNORECASE)  # Windows devices
MAX_NAME = 120  # characters; leaves room for a folder and a suffix under Windows' 260


def safe_file_name(text: str, fallback: str = "未命名") -> str:
    """A text (a village name, a notice title) made into one file name that stays in its folder:
    no path separators or `..`, no control or Windows-refused characters (each becomes _), no trailing
    dot or space, not a Windows device name (CON, NUL …), at most MAX_NAME characters."""
    name = _NOT_IN_NAMES.sub("_", unicodedata.normalize("NFC", text))
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cf", "Cs", "Co", "Cn"))
    name = name.replace("..", "_").strip(" .")[:MAX_NAME].rstrip(" .")
    if not name:
        return fallback
    if _RESERVED.fullmatch(name):
        name = "_" + name
    return name
