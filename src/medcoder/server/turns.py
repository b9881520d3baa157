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


async def coding_turn(request: Request) -> AsyncIterator[None]:
    """Dependency for routes that run the engine: wait for a coding turn first."""
    async with request.app.state.workbench.coding_turns.semaphore():
        yield
