"""Who is calling, and may they: the request context every API route depends on.

:func:`context` opens the request's one transaction, authenticates the caller (a Bearer API
token for systems, else the session cookie, which also requires a CSRF token on unsafe
methods), and commits when the route returns, before the response is sent, so a 2xx means the
change and its audit rows are stored. Any error rolls the whole request back.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from medcoder.server.errors import ApiError
from medcoder.server.permissions import PERMISSIONS, allowed
from medcoder.server.sessions import (
    CSRF_COOKIE,
    CSRF_FIELD,
    CSRF_HEADER,
    SESSION_COOKIE,
    SessionData,
    same_token,
)
from medcoder.server.turns import session_turn
from medcoder.store import audit
from medcoder.store.audit import Actor
from medcoder.store.errors import AccessDeniedError
from medcoder.store.models import User
from medcoder.store.user_sessions import session_user
from medcoder.store.users import user_for_token

_ENDED = {
    "unknown": "the session is not known; log in again",
    "revoked": "the session was ended (logged out, password changed or account disabled); "
    "log in again",
    "expired": "the session has expired; log in again",
    "idle": "the session ended after a time without use; log in again",
    "disabled": "the session's user is disabled",
}

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass
class Context:
    """The request's session and caller; routes pass ``ctx.session, ctx.actor`` to the store.

    ``login`` is the signed-in session's row id (None for an API token)."""

    session: Session
    user: User
    actor: Actor
    request: Request
    login: int | None = None


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def workbench(request: Request):  # noqa: ANN201 - medcoder.server.app.Workbench
    return request.app.state.workbench


async def submitted_csrf(request: Request) -> str | None:
    """The CSRF token the caller sent: ``X-CSRF-Token`` header, or a form's ``csrf_token``."""
    token = request.headers.get(CSRF_HEADER)
    if token or request.method in SAFE_METHODS:
        return token
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in FORM_TYPES:
        form = await request.form()  # cached by Starlette; routes can read it again
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


@dataclass(frozen=True)
class Credentials:
    """What the caller presented, checked as far as it can be without the database: a bearer
    token's syntax, or a session cookie's signature and age."""

    token: str | None = None
    session: SessionData | None = None


def credentials(request: Request) -> Credentials:
    """The caller's credentials, or 401: no database, so it may run on the event loop."""
    bench = workbench(request)
    authorization = request.headers.get("authorization", "")
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, "Authorization must be 'Bearer <token>'", field="authorization")
        return Credentials(token=token.strip())
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise ApiError(401, "log in first (POST /login) or send an API token")
    data = bench.signer.load(cookie)
    if data is None:
        raise ApiError(401, "the session cookie is not valid; log in again")
    if bench.signer.expired(data):
        raise ApiError(401, "the session has expired; log in again", code="session_expired")
    return Credentials(session=data)


def signed_in_user(request: Request, session: Session, data: SessionData) -> User:
    """The user of a live server-side session, else 401 saying why it ended."""
    bench = workbench(request)
    found = session_user(session, data.key, now=bench.signer.now(), idle=bench.session_idle)
    if isinstance(found, str):
        code = "session_expired" if found in ("expired", "idle") else "session_ended"
        raise ApiError(401, _ENDED[found], code=code)
    row, user = found
    if row.user_id != data.user_id:
        raise ApiError(401, _ENDED["unknown"], code="session_ended")
    request.state.login = row.id
    return user


def _authenticate(
    request: Request, session: Session, csrf: str | None, creds: Credentials | None = None
) -> User:
    creds = creds or credentials(request)
    if creds.token is not None:
        user = user_for_token(session, creds.token)
        if user is None:
            raise ApiError(401, "the API token is unknown, revoked or expired")
        request.state.auth = "token"
        return user
    data = creds.session
    user = signed_in_user(request, session, data)
    if request.method not in SAFE_METHODS and not (
        same_token(csrf, data.csrf) and same_token(request.cookies.get(CSRF_COOKIE), data.csrf)
    ):
        raise ApiError(
            403,
            f"missing or wrong CSRF token: send the {CSRF_COOKIE} cookie's value in the "
            f"X-CSRF-Token header or the {CSRF_FIELD} form field",
            code="csrf_failed",
            field=CSRF_FIELD,
        )
    request.state.auth = "session"
    return user


@contextmanager
def open_context(
    request: Request, csrf: str | None, creds: Credentials | None = None
) -> Iterator[Context]:
    """The request's transaction and caller: committed when the block ends, else rolled back."""
    session = workbench(request).db.sessions()
    try:
        user = _authenticate(request, session, csrf, creds)
        actor = Actor(user.id, user.username, user.role, client_address(request))
        request.state.actor = actor
        yield Context(session, user, actor, request, getattr(request.state, "login", None))
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def context(
    request: Request,
    csrf: str | None = Depends(submitted_csrf),
    _turn: None = Depends(session_turn, scope="function"),
) -> Iterator[Context]:
    with open_context(request, csrf) as ctx:
        yield ctx


# Commit before the response is sent (scope="function"), so a 2xx means it is stored.
CurrentContext = Depends(context, scope="function")


def require(permission: str) -> Callable[..., Context]:
    """A dependency giving the context if the caller's role has ``permission``, else 403."""
    if permission not in PERMISSIONS:
        raise KeyError(permission)

    # async: a role check does no I/O, so it runs on the event loop instead of costing the
    # request another trip through the thread pool.
    async def dependency(ctx: Context = CurrentContext) -> Context:
        return check_permission(permission, ctx)

    return dependency


def check_permission(permission: str, ctx: Context) -> Context:
    if not allowed(permission, ctx.user.role):
        raise AccessDeniedError(
            permission, ctx.user.role, [r.value for r in PERMISSIONS[permission]]
        )
    return ctx


@dataclass
class Trip:
    """Runs a route's work in ONE trip through the thread pool: open the session,
    authenticate, check the permission, do the work, render the JSON answer, commit.

    ``Depends(require(...))`` costs a sync route three trips (open, work, commit), each a
    hand-over between the event loop and a worker thread, with the connection held across
    them. The review actions, the calls coders make all day, take one (``one_trip``).
    """

    request: Request
    csrf: str | None
    permission: str
    creds: Credentials

    def _run(self, work: Callable[[Context], dict], status: int) -> JSONResponse:
        with open_context(self.request, self.csrf, self.creds) as ctx:
            check_permission(self.permission, ctx)
            response = JSONResponse(work(ctx), status_code=status)
        return response

    async def run(self, work: Callable[[Context], dict], *, status: int = 200) -> JSONResponse:
        return await run_in_threadpool(self._run, work, status)


def one_trip(permission: str) -> Callable[..., Awaitable[Trip]]:
    """A dependency giving a :class:`Trip` for a route that needs ``permission``."""
    if permission not in PERMISSIONS:
        raise KeyError(permission)

    async def dependency(
        request: Request,
        csrf: str | None = Depends(submitted_csrf),
        _turn: None = Depends(session_turn, scope="function"),
    ) -> Trip:
        # Missing or malformed credentials are refused here, before the body is validated,
        # as ``require`` does; the token itself is checked in the trip.
        return Trip(request, csrf, permission, credentials(request))

    return dependency


def audit_refusal(request: Request, action: str, detail: str) -> None:
    """Record a refused request in its own transaction (the request's own is rolled back)."""
    actor = getattr(request.state, "actor", None) or Actor(
        None, None, None, client_address(request)
    )
    route = request.scope.get("route")
    template = getattr(route, "path", request.url.path)
    entity, entity_id = "api", None
    for name, value in request.path_params.items():
        entity, entity_id = name.removesuffix("_id"), value
        break
    with workbench(request).db.session() as session:
        audit.record(
            session,
            actor,
            action,
            entity,
            entity_id,
            outcome="refused",
            detail=f"{request.method} {template} {detail}",
        )
