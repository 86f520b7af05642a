"""Work that finishes after its window was closed reports nowhere, and raises nothing."""

from __future__ import annotations

from typing import Any

import shiboken6
from PySide6.QtCore import QObject

from ui.common.background import BackgroundJob


def test_job_whose_owner_was_closed_finishes_quietly(qapp: Any) -> None:
    owner = QObject()
    ran: list[int] = []

    def work(progress: Any, cancel: Any) -> int:
        shiboken6.delete(owner)  # the dialog is closed while the work runs
        progress(1, 2)
        ran.append(1)
        return 42

    job = BackgroundJob(work, owner)
    job.run_here()  # must not raise "Internal C++ object already deleted"
    assert ran == [1]


def test_job_reports_its_result(qapp: Any) -> None:
    got: list[object] = []
    job = BackgroundJob(lambda progress, cancel: (progress(1, 1), "完成")[1])
    job.finished.connect(got.append)
    job.run_here()
    assert got == ["完成"]


def test_collector_is_paused_only_while_pool_work_runs(qapp: Any) -> None:
    import gc

    from PySide6.QtCore import QThreadPool

    seen: list[bool] = []
    job = BackgroundJob(lambda progress, cancel: seen.append(gc.isenabled()))
    job.start()
    QThreadPool.globalInstance().waitForDone(10_000)
    assert seen == [False]
    assert gc.isenabled()
