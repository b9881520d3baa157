"""Turns: how many requests may hold a database session, or wait on the engine, at once.

A request holds its database connection from the moment it authenticates until it commits,
across the thread-pool trips in between. Without a bound, a burst of requests (fifty clients
asking for coding at once) checks out more connections than the pool has, and the ones left
waiting time out. A turn is taken on the event loop, before the session opens, so a request
waiting for one holds neither a thread nor a connection.

* session turns: one per request with a database session (``auth.context`` and the pages),
  as many as the pool's steady connections;
* coding turns: one per coding request, as many as there are coding processes (one when
  coding runs in the thread pool), taken before the session turn, so that requests queueing
  for the engine leave the connections to review actions.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from anyio import Semaphore
from anyio.lowlevel import RunVar
from fastapi import Request


class Turns:
    """A semaphore per event loop (test clients run a loop per client)."""

    def __init__(self, name: str, size: int) -> None:
        if size < 1:
            raise ValueError("size must be at least 1")
        self.size = size
        self._semaphore: RunVar[Semaphore] = RunVar(name)

    def semaphore(self) -> Semaphore:
        try:
            return self._semaphore.get()
        except LookupError:
            made = Semaphore(self.size)
            self._semaphore.set(made)
            return made


async def session_turn(request: Request) -> AsyncIterator[None]:
    """Dependency: wait for a session turn; given back once the session is closed."""
    async with request.app.state.workbench.session_turns.semaphore():
        yield


def _encounter_bytes(request: Request, encounter_id: int) -> int:
    from sqlalchemy import func, select

    from medcoder.store.models import DocumentRow

    with request.app.state.workbench.db.sessions() as session:
        stmt = select(func.coalesce(func.sum(DocumentRow.size_bytes), 0)).where(
            DocumentRow.encounter_id == encounter_id
        )
        return int(session.scalar(stmt) or 0)


async def coding_turn(request: Request) -> AsyncIterator[None]:
    """Dependency for routes that run the engine: wait for a coding turn first, in the lane
    of the encounter's size (``coding_processes``): a very large encounter waits for the one
    large-lane turn and never takes the turns of ordinary ones."""
    from starlette.concurrency import run_in_threadpool

    from medcoder.server.coding_processes import LARGE_TEXT

    bench = request.app.state.workbench
    turns = bench.coding_turns
    encounter_id = request.path_params.get("encounter_id")
    if encounter_id is not None:
        size = await run_in_threadpool(_encounter_bytes, request, int(encounter_id))
        if size > LARGE_TEXT:
            turns = bench.large_coding_turns
    async with turns.semaphore():
        yield
