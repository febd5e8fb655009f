"""Background jobs: a job outliving the widget that owned it reports to nobody, quietly."""

from __future__ import annotations

import threading

from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QWidget
from shiboken6 import Shiboken

from vmadesk.ui import workers


def test_a_job_whose_owner_was_deleted_finishes_without_an_error(qtbot) -> None:
    owner = QWidget()
    release, reported = threading.Event(), threading.Event()

    def job_fn(progress: workers.Progress) -> str:
        release.wait(5)
        progress.report(1, 2, "half way")  # the owner, and the job with it, are gone now
        reported.set()
        return "done"

    job = workers.start(job_fn, parent=owner)
    owner.deleteLater()
    qtbot.waitUntil(lambda: not Shiboken.isValid(job), timeout=2000)
    release.set()
    assert reported.wait(5)
    assert QThreadPool.globalInstance().waitForDone(5000)
    qtbot.wait(50)  # a raise on the pool thread would surface as a Qt event-loop error
    assert job not in workers._LIVE


def test_a_living_job_still_reports(qtbot) -> None:
    seen: list[object] = []
    job = workers.start(lambda progress: 42, on_success=seen.append)
    qtbot.waitUntil(lambda: seen == [42], timeout=2000)
    qtbot.waitUntil(lambda: not job.running, timeout=2000)
