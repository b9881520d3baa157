"""Progress of a Spark job, read from Spark's status tracker while the job runs.

PySpark cannot register a JVM ``SparkListener`` without a callback server, but the status
tracker (``SparkContext.statusTracker()``) answers the same question from the listener's own
bookkeeping: how many tasks each stage of the job group has and how many are done. A thread
polls it twice a second; on a terminal it draws a rich progress bar, elsewhere (a cluster's
driver log) it writes a line at each tenth of the tasks.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark import SparkContext

POLL_SECONDS = 0.5


def task_counts(sc: SparkContext, group: str) -> tuple[int, int, int]:
    """(tasks done, tasks known, tasks failed) over every stage of the group's jobs."""
    tracker = sc.statusTracker()
    done = total = failed = 0
    for job_id in tracker.getJobIdsForGroup(group):
        job = tracker.getJobInfo(job_id)
        if job is None:
            continue
        for stage_id in job.stageIds:
            stage = tracker.getStageInfo(stage_id)
            if stage is None:
                continue
            total += stage.numTasks
            done += stage.numCompletedTasks
            failed += stage.numFailedTasks
    return done, total, failed


class JobProgress:
    """``with JobProgress(sc, "medcoder-code", "coding notes"): df.write...``"""

    def __init__(self, sc: SparkContext, group: str, label: str) -> None:
        self.sc, self.group, self.label = sc, group, label
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._bar = None
        self._reported = -1

    def __enter__(self) -> JobProgress:
        self.sc.setJobGroup(self.group, self.label)
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

            self._bar = Progress(
                f"[bold]{self.label}[/] tasks",
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
            )
            self._task = self._bar.add_task(self.label, total=None)
            self._bar.start()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._show()
        if self._bar is not None:
            self._bar.stop()
        self.sc.setLocalProperty("spark.jobGroup.id", None)  # type: ignore[arg-type]

    def _poll(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            self._show()

    def _show(self) -> None:
        try:
            done, total, failed = task_counts(self.sc, self.group)
        except Exception:  # noqa: BLE001 - progress must never break the job
            return
        if self._bar is not None:
            self._bar.update(self._task, completed=done, total=total or None)
            return
        tenth = (10 * done) // total if total else 0
        if tenth != self._reported:
            self._reported = tenth
            retried = f", {failed} retried" if failed else ""
            sys.stderr.write(
                f"{self.label}: {done}/{total} tasks{retried} [{time.strftime('%X')}]\n"
            )
