"""Benchmark: switching to the 网格地图 page, and the longest GUI freeze in the seconds after.

Run (a county database made by the bench's generator; the file is copied, never changed):
    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python -m bench.grid_map_page /tmp/villagedesk-bench/county-….sqlite
Prints the switch time (show_page plus the first event processing: the page drawn and usable) and the
longest gap between 5 ms timer ticks afterwards, while statistics and coverage are counted off the GUI
thread. Issue 11's aim: usable within 0.5 s, no freeze above 100 ms.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    from PySide6.QtCore import QThreadPool, QTimer

    from app.db import open_database
    from app.services.context import AppContext
    from ui.auth.session import sign_in
    from ui.main import make_application, setup_fonts
    from ui.main_window import MainWindow

    copy = Path(tempfile.mkdtemp(prefix="villagedesk-map-")) / "county.sqlite"
    shutil.copyfile(argv[0], copy)
    app = make_application([])
    setup_fonts(app)
    ctx = AppContext(open_database(f"sqlite:///{copy}"))
    if not sign_in(ctx):
        print("cannot sign in to", argv[0])
        return 1
    window = MainWindow(ctx)
    window.resize(1280, 800)
    window.show()
    app.processEvents()
    QThreadPool.globalInstance().waitForDone(60_000)
    app.processEvents()
    start = time.perf_counter()
    window.show_page("page_grid")
    app.processEvents()
    switch = (time.perf_counter() - start) * 1000
    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append((now - last[0]) * 1000)
        last[0] = now

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(tick)
    timer.start()
    end = time.perf_counter() + 4
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.001)
    timer.stop()
    QThreadPool.globalInstance().waitForDone(60_000)
    print(f"网格地图: switch to usable {switch:.0f} ms; longest GUI gap in the next 4 s {max(gaps):.0f} ms")
    window.close()
    shutil.rmtree(copy.parent, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
