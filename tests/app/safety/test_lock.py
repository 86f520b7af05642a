"""One running window per database."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app.lock import InstanceLock
from app.services.errors import ServiceError


def test_second_process_cannot_take_the_lock(tmp_path: Path) -> None:
    db = tmp_path / "v.sqlite"
    with InstanceLock(db):
        code = (
            "import sys; from pathlib import Path; from app.lock import InstanceLock\n"
            "from app.services.errors import ServiceError\n"
            f"try:\n    InstanceLock(Path({str(db)!r})).acquire()\nexcept ServiceError as e:\n"
            "    print(e); sys.exit(3)\n"
        )
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
        assert proc.returncode == 3
        assert "已在另一个窗口中打开" in proc.stdout
    # released: it can be taken again
    with InstanceLock(db):
        pass


def test_lock_in_same_process_is_exclusive(tmp_path: Path) -> None:
    db = tmp_path / "w.sqlite"
    first = InstanceLock(db).acquire()
    try:
        with pytest.raises(ServiceError):
            InstanceLock(db).acquire()
    finally:
        first.release()
