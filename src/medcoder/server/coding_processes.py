"""Coding in worker processes, so that an engine run never slows the review actions down.

A coding run is a second or more of pure Python. Run in the server's thread pool it holds
the interpreter lock, and every review action waiting on a database reply waits again, up to
a switch interval (5 ms) per reply, for the lock: with a few runs in flight a 3 ms accept
takes 100 ms and more. ``medcoder serve`` therefore codes in separate processes
(``--coding-processes``, default 1) and the request thread only waits on the result, without
the lock. ``create_app()`` without ``coding_processes`` codes in the thread pool, which is
what tests and embedded uses want.

Two lanes (issue 18, finding 9): encounters with more than :data:`LARGE_TEXT` characters of
documents are coded in a process of their own, so one user's very large document never makes
the others' ordinary notes wait behind it; and every run has a time limit
(``time_limit``): a run past it is stopped (its process is ended and replaced) and the request
is answered 422, naming the limit.

The worker gets the stored encounter as the core library's plain ``EncounterRow`` (documents and
setting, see :func:`medcoder.server.coding.core_encounter`) and returns the engine's
``CodingResult``. A medcoder error raised there (an unreadable document, a missing pack) is
raised again here as the same class with the same message, so the API answers as it would
in-process; any other failure becomes a 500 whose log names its type, never its text.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import date
from typing import Any

from medcoder.errors import MedcoderError
from medcoder.server.coding import core_encounter
from medcoder.server.errors import ApiError
from medcoder.store.models import EncounterRow

LARGE_TEXT = 100_000  # characters of documents from which an encounter takes the large lane
TIME_LIMIT = 60.0  # seconds a coding run may take before it is stopped


@dataclass
class _Failure:
    """A medcoder error from the worker, in a form that always pickles."""

    kind: type[MedcoderError]
    message: str
    fields: dict[str, Any]

    def rebuild(self) -> MedcoderError:
        # Not through __init__: subclasses take their own arguments (CodeError(code, problem)).
        exc = self.kind.__new__(self.kind)
        Exception.__init__(exc, self.message)
        exc.__dict__.update(self.fields)
        return exc


class WorkerError(RuntimeError):
    """A failure in the coding process that is not a medcoder error (a bug); 500."""


def _code(encounter: object, setting: str, on: date | None, data_dir: str | None) -> object:
    """Runs in the worker: code one encounter with the server's data directory."""
    if data_dir is not None and os.environ.get("MEDCODER_DATA_DIR") != data_dir:
        from medcoder.codesets import registry

        os.environ["MEDCODER_DATA_DIR"] = data_dir
        registry.clear_cache()
    import medcoder

    try:
        return medcoder.code(encounter, setting=setting, on=on)
    except MedcoderError as exc:
        simple = {k: v for k, v in vars(exc).items() if isinstance(v, str | int | None)}
        return _Failure(type(exc), str(exc), simple)
    except Exception as exc:  # noqa: BLE001 - reported by type only: messages may quote text
        return WorkerError(f"coding failed in the worker process ({type(exc).__name__})")


def _warm() -> None:
    """Import the engine ahead of the first request (the packs load on first use)."""
    import medcoder.coding  # noqa: F401


def encounter_chars(row: EncounterRow) -> int:
    return sum(len(d.text) for d in row.documents)


class _Lane:
    """One process pool; ended and replaced when a run overstays the time limit."""

    def __init__(self, processes: int) -> None:
        self.processes = processes
        self._executor: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                # spawn, not fork: the server has threads (and their locks) when it starts one.
                self._executor = ProcessPoolExecutor(
                    self.processes, mp_context=multiprocessing.get_context("spawn")
                )
            return self._executor

    def discard(self, pool: ProcessPoolExecutor, *, kill: bool) -> None:
        with self._lock:
            if self._executor is pool:
                self._executor = None  # the next request starts a new one
        if kill:
            # A run cannot be cancelled once started: end its process (the pool has no public
            # way to name them; ``_processes`` is how concurrent.futures keeps them).
            for process in list((getattr(pool, "_processes", None) or {}).values()):
                process.terminate()
            pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)


class CodingProcesses:
    """A coder for :class:`medcoder.server.app.Workbench`: ``coder(row) -> CodingResult``.

    ``processes`` code ordinary encounters; one more process codes the large ones."""

    def __init__(self, processes: int = 1, *, time_limit: float = TIME_LIMIT) -> None:
        if processes < 1:
            raise ValueError("processes must be at least 1")
        self.processes = processes
        self.time_limit = time_limit
        self.lanes = {"small": _Lane(processes), "large": _Lane(1)}

    def lane(self, row: EncounterRow) -> str:
        return "large" if encounter_chars(row) > LARGE_TEXT else "small"

    def start(self) -> None:
        """Start the processes now rather than on the first coding request."""
        for lane in self.lanes.values():
            lane.pool().submit(_warm)

    def __call__(self, row: EncounterRow) -> object:
        encounter = core_encounter(row)
        data_dir = os.environ.get("MEDCODER_DATA_DIR")
        lane = self.lanes[self.lane(row)]
        pool = lane.pool()
        try:
            future = pool.submit(_code, encounter, row.setting, row.service_date, data_dir)
            result = future.result(timeout=self.time_limit)
        except FutureTimeout:
            lane.discard(pool, kill=True)
            raise ApiError(
                422,
                f"coding took longer than the limit of {self.time_limit:g} s and was stopped; "
                "split the document into smaller ones",
                code="coding_time_limit",
                field="documents",
            ) from None
        except BrokenProcessPool:
            lane.discard(pool, kill=False)
            raise ApiError(
                503, "the coding process stopped; retry the request", code="unavailable"
            ) from None
        if isinstance(result, _Failure):
            raise result.rebuild()
        if isinstance(result, WorkerError):
            raise result
        return result

    def close(self) -> None:
        for lane in self.lanes.values():
            lane.close()
