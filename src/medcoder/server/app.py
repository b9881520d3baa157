"""The workbench application: one :class:`Workbench` object holding what every request needs,
and :func:`create_app` building the FastAPI app around it (STYLE: Datasette's one app object).
"""

from __future__ import annotations

import logging
import os
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import FastAPI, Request

import medcoder
from medcoder.server import errors
from medcoder.server.coding import engine_coder, validate_code
from medcoder.server.routes import (
    admin,
    case_files,
    casework,
    documents,
    encounters,
    login,
    queries,
    reports,
)
from medcoder.server.sessions import LoginLimiter, SessionSigner
from medcoder.server.ui import ui_router, ui_static
from medcoder.server.ui.case_views import router as case_ui_router
from medcoder.server.ui.cdi_views import router as cdi_ui_router
from medcoder.server.uploads import MAX_UPLOAD_BYTES, BodyLimitMiddleware
from medcoder.store.database import Database

log = logging.getLogger("medcoder.server")
SESSION_MAX_AGE = 8 * 3600  # one working day
MULTIPART_OVERHEAD = 64 * 1024  # boundaries and headers around a maximal upload


@dataclass
class Workbench:
    """Everything a request may need: the database, the signer, the limiter, the engine."""

    db: Database
    signer: SessionSigner
    limiter: LoginLimiter
    coder: Callable = engine_coder
    validator: Callable = validate_code
    max_upload_bytes: int = MAX_UPLOAD_BYTES
    secure_cookies: bool | None = None  # None: Secure unless served on localhost
    extra: dict = field(default_factory=dict)


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


def create_app(
    db_url: str | None = None,
    *,
    secret: str | None = None,
    session_max_age: float = SESSION_MAX_AGE,
    login_limit: int = 5,
    login_window: float = 60.0,
    max_upload_bytes: int = MAX_UPLOAD_BYTES,
    secure_cookies: bool | None = None,
    coder: Callable | None = None,
    validator: Callable | None = None,
    migrate: bool = True,
) -> FastAPI:
    """Build the workbench API; runs ``alembic upgrade head`` on the database first."""
    db = Database(db_url)
    if migrate:
        db.migrate()
    bench = Workbench(
        db=db,
        signer=SessionSigner(secret or secret_key(), session_max_age),
        limiter=LoginLimiter(login_limit, login_window),
        coder=coder or engine_coder,
        validator=validator or validate_code,
        max_upload_bytes=max_upload_bytes,
        secure_cookies=secure_cookies,
    )
    app = FastAPI(
        title="medcoder workbench",
        version=medcoder.__version__,
        description="Upload clinical documents, code them, review the codes, report.",
    )
    app.state.workbench = bench
    errors.install(app)
    for module in (login, admin, documents, encounters, reports, casework, queries, case_files):
        app.include_router(module.router)
    app.include_router(ui_router)
    app.include_router(cdi_ui_router)
    app.include_router(case_ui_router)
    app.mount("/ui/static", ui_static, name="ui-static")

    @app.get("/healthz", tags=["health"], summary="Liveness: no authentication, no data")
    def healthz() -> dict:
        return {"ok": True}

    @app.middleware("http")
    async def request_log(request: Request, call_next):  # noqa: ANN001, ANN202
        # Log ids, never text: the route template, not the URL (queries may hold names).
        request.state.request_id = request.headers.get("x-request-id", "")[:64] or uuid.uuid4().hex
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        actor = getattr(request.state, "actor", None)
        log.info(
            "%s %s %s %.1fms user=%s request_id=%s",
            request.method,
            getattr(route, "path", "-"),
            response.status_code,
            (time.perf_counter() - started) * 1000,
            actor.user_id if actor else "-",
            request.state.request_id,
        )
        response.headers["X-Request-ID"] = request.state.request_id
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        if request.url.path.startswith("/api/"):
            response.headers["Cache-Control"] = "no-store"  # patient data stays out of caches
        return response

    app.add_middleware(BodyLimitMiddleware, limit=max_upload_bytes + MULTIPART_OVERHEAD)
    return app


def app_from_environment() -> FastAPI:
    """The app for each process of a multi-worker server (``medcoder serve --workers N``):
    the database named by ``$MEDCODER_DB_URL`` was migrated once by the parent."""
    import os

    return create_app(os.environ.get("MEDCODER_DB_URL"), migrate=False)
