"""The workbench application: one :class:`Workbench` object holding what every request needs,
and :func:`create_app` building the FastAPI app around it (STYLE: Datasette's one app object).
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

import medcoder
from medcoder.edits import Scrubber
from medcoder.server import errors
from medcoder.server.coding import engine_coder, validate_code
from medcoder.server.coding_processes import TIME_LIMIT as CODING_TIME_LIMIT
from medcoder.server.coding_processes import CodingProcesses
from medcoder.server.guards import ErrorGuard, NulGuard
from medcoder.server.request_log import RequestLogMiddleware
from medcoder.server.routes import (
    admin,
    case_files,
    casework,
    documents,
    encounters,
    login,
    queries,
    reports,
    shares,
)
from medcoder.server.sessions import SESSION_IDLE, LoginLimiter, SessionSigner
from medcoder.server.turns import Turns
from medcoder.server.ui import ui_router, ui_static
from medcoder.server.ui.case_views import router as case_ui_router
from medcoder.server.ui.cdi_views import router as cdi_ui_router
from medcoder.server.ui.scrub_views import router as scrub_ui_router
from medcoder.server.uploads import MAX_UPLOAD_BYTES, BodyLimitMiddleware
from medcoder.store import audit
from medcoder.store.database import POOL_SIZE, Database

log = logging.getLogger("medcoder.server")
SESSION_MAX_AGE = 8 * 3600  # one working day
MULTIPART_OVERHEAD = 64 * 1024  # boundaries and headers around a maximal upload
# Requests in the thread pool at once: no more than the database pool's connections, so no
# request waits for a connection while holding a thread, and few enough that they do not
# spend their time queueing for the interpreter lock.
REQUEST_THREADS = POOL_SIZE
AUDIT_SEAL_EVERY = 5.0  # seconds between sealings of the audit log's new rows


@dataclass
class Workbench:
    """Everything a request may need: the database, the signer, the limiter, the engine."""

    db: Database
    signer: SessionSigner
    limiter: LoginLimiter
    session_idle: float = SESSION_IDLE
    coder: Callable = engine_coder
    validator: Callable = validate_code
    max_upload_bytes: int = MAX_UPLOAD_BYTES
    secure_cookies: bool | None = None  # None: Secure unless served on localhost
    extra: dict = field(default_factory=dict)
    session_turns: Turns = field(default_factory=lambda: Turns("session_turns", POOL_SIZE))
    coding_turns: Turns = field(default_factory=lambda: Turns("coding_turns", 1))
    large_coding_turns: Turns = field(default_factory=lambda: Turns("large_coding_turns", 1))
    scrubber: Scrubber = field(default_factory=Scrubber)  # keeps code packs open between scrubs


def secret_key() -> str:
    """``$MEDCODER_SECRET_KEY``, else a key kept in the data dir (created once, mode 0600).

    Several servers sharing one PostgreSQL database must share the key through the variable.
    """
    env = os.environ.get("MEDCODER_SECRET_KEY")
    if env:
        return env
    from medcoder.codesets.pack_store import data_dir

    path = Path(data_dir()) / "workbench.secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Size the request thread pool to the database pool; start and stop coding processes."""
    bench = app.state.workbench
    anyio.to_thread.current_default_thread_limiter().total_tokens = REQUEST_THREADS
    if isinstance(bench.coder, CodingProcesses):
        bench.coder.start()
    sealer = asyncio.create_task(_seal_audit_log(bench))
    try:
        yield
    finally:
        sealer.cancel()
        if isinstance(bench.coder, CodingProcesses):
            await run_in_threadpool(bench.coder.close)
        await run_in_threadpool(audit.seal_pending, bench.db)


async def _seal_audit_log(bench: Workbench) -> None:
    """Seal the audit log's new rows into its hash chain every :data:`AUDIT_SEAL_EVERY`
    seconds (``medcoder.store.audit``); a failure is logged and retried next time."""
    while True:
        await asyncio.sleep(AUDIT_SEAL_EVERY)
        try:
            await run_in_threadpool(audit.seal_pending, bench.db)
        except Exception as exc:  # noqa: BLE001 - keep sealing; the type says what failed
            log.warning("sealing the audit log failed: %s", type(exc).__name__)


def create_app(
    db_url: str | None = None,
    *,
    secret: str | None = None,
    session_max_age: float = SESSION_MAX_AGE,
    session_idle: float = SESSION_IDLE,
    login_limit: int = 5,
    login_window: float = 60.0,
    login_failures: int = 10,
    max_upload_bytes: int = MAX_UPLOAD_BYTES,
    secure_cookies: bool | None = None,
    coder: Callable | None = None,
    validator: Callable | None = None,
    migrate: bool = True,
    coding_processes: int = 0,
    coding_time_limit: float = CODING_TIME_LIMIT,
) -> FastAPI:
    """Build the workbench API; runs ``alembic upgrade head`` on the database first.

    ``coding_processes``: run the engine in that many worker processes, plus one for very
    large encounters, each run stopped after ``coding_time_limit`` seconds
    (:mod:`medcoder.server.coding_processes`; ``medcoder serve`` uses 1) instead of the
    request thread pool; ignored when ``coder`` is given.
    """
    db = Database(db_url)
    if migrate:
        db.migrate()
    if coder is None and coding_processes > 0:
        coder = CodingProcesses(coding_processes, time_limit=coding_time_limit)
    bench = Workbench(
        db=db,
        signer=SessionSigner(secret or secret_key(), session_max_age),
        limiter=LoginLimiter(
            login_limit,
            login_window,
            account_failures=login_failures,
            source_failures=login_failures,
        ),
        session_idle=session_idle,
        coder=coder or engine_coder,
        validator=validator or validate_code,
        max_upload_bytes=max_upload_bytes,
        secure_cookies=secure_cookies,
        session_turns=Turns("session_turns", db.max_sessions),
        # One more than the processes, so one request's database work overlaps the engine's.
        coding_turns=Turns("coding_turns", max(1, coding_processes) + 1),
    )
    app = FastAPI(
        title="medcoder workbench",
        version=medcoder.__version__,
        description="Upload clinical documents, code them, review the codes, report. "
        "The OpenAPI document is /openapi.json; the interactive /docs pages are off, since "
        "they load their scripts from a public CDN (the workbench runs with no network).",
        lifespan=_lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.workbench = bench
    errors.install(app)
    for module in (
        login,
        admin,
        documents,
        encounters,
        reports,
        casework,
        queries,
        case_files,
        shares,
    ):
        app.include_router(module.router)
    app.include_router(ui_router)
    app.include_router(cdi_ui_router)
    app.include_router(scrub_ui_router)
    app.include_router(case_ui_router)
    app.mount("/ui/static", ui_static, name="ui-static")

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        # The address `medcoder serve` prints opens the workbench's pages, not a JSON 404.
        return RedirectResponse("/ui/", status_code=303)

    @app.get("/healthz", tags=["health"], summary="Liveness: no authentication, no data")
    def healthz() -> dict:
        return {"ok": True}

    app.add_middleware(NulGuard)
    app.add_middleware(RequestLogMiddleware)
    app.add_middleware(BodyLimitMiddleware, limit=max_upload_bytes + MULTIPART_OVERHEAD)
    app.add_middleware(ErrorGuard)  # outermost of ours: nothing unexpected reaches uvicorn
    return app


def app_from_environment() -> FastAPI:
    """The app for each process of a multi-worker server (``medcoder serve --workers N``):
    the database named by ``$MEDCODER_DB_URL`` was migrated once by the parent."""
    import os

    processes = int(os.environ.get("MEDCODER_CODING_PROCESSES", "1"))
    return create_app(os.environ.get("MEDCODER_DB_URL"), migrate=False, coding_processes=processes)
