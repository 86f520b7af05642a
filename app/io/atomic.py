"""Write an output file all at once: into a temp file beside it, flushed to disk, renamed over the target.

A failure or a cancelled export leaves no half-written file and keeps the old file (if any) as it was;
a power cut right after leaves the old file or the whole new one. Every export (ledgers, notices, cards,
copies of archived notices) writes through atomic_path.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from app.paths import note_part, part_done
from app.services.errors import ServiceError, explain

# progress(done, total): total is 0 when unknown. cancel(): True asks the writer to stop.
Progress = Callable[[int, int], None]
CancelCheck = Callable[[], bool]


class Cancelled(ServiceError):
    """The user cancelled an export; nothing was written."""

    def __init__(self, message: str = "已取消，未生成文件。") -> None:
        super().__init__(message)


def check_cancel(cancel: CancelCheck | None) -> None:
    if cancel is not None and cancel():
        raise Cancelled()


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temp path in the target's folder; on success it replaces the target, else it is removed."""
    target = Path(target)
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=".part" + target.suffix, dir=folder)
    except OSError as exc:
        exc.filename = str(folder)  # name the folder the user chose, not a temp name they never saw
        raise ServiceError(explain(exc) or f"无法在 {folder} 中写入文件：{exc.strerror or exc}") from exc
    os.close(fd)
    tmp = Path(name)
    note_part(tmp)  # a kill before the rename: the next start removes it, wherever the user saved
    try:
        yield tmp
        fsync_file(tmp)  # the bytes are on disk before the name points at them: a power cut leaves old or new
        try:
            os.replace(tmp, target)
        except PermissionError as exc:
            raise ServiceError(f"无法写入 {target.name}：文件可能正在 Excel、WPS 或 PDF 阅读器中打开，请关闭后重试") from exc
        fsync_dir(folder)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        part_done(tmp)


def fsync_file(path: Path) -> None:
    """Flush a written file's bytes to the disk."""
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def fsync_dir(folder: Path) -> None:
    """Flush a folder's entries (a rename into it) to the disk; Windows does this with the file."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def copy_file(source: Path, target: Path) -> Path:
    """Copy a finished file (e.g. an archived 公示 PDF) to target, all at once, bytes unchanged."""
    source, target = Path(source), Path(target)
    if not source.is_file():
        raise ServiceError(f"找不到文件：{source}")
    with atomic_path(target) as tmp:
        try:
            shutil.copyfile(source, tmp)
        except OSError as exc:
            raise ServiceError(explain(exc) or f"无法复制到 {target}：{exc.strerror or exc}") from exc
    return target
