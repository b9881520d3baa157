"""Who is calling, and may they: the request context every API route depends on.

:func:`context` opens the request's one transaction, authenticates the caller (a Bearer API
token for systems, else the session cookie, which also requires a CSRF token on unsafe
methods), and commits when the route returns, before the response is sent, so a 2xx means the
change and its audit rows are stored. Any error rolls the whole request back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from medcoder.server.errors import ApiError
from medcoder.server.permissions import PERMISSIONS, allowed
from medcoder.server.sessions import (
    CSRF_COOKIE,
    CSRF_FIELD,
    CSRF_HEADER,
    SESSION_COOKIE,
    same_token,
)
from medcoder.store import audit
from medcoder.store.audit import Actor
from medcoder.store.errors import AccessDeniedError
from medcoder.store.models import User
from medcoder.store.users import user_for_token

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass
class Context:
    """The request's session and caller; routes pass ``ctx.session, ctx.actor`` to the store."""

    session: Session
    user: User
    actor: Actor
    request: Request


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


def _authenticate(request: Request, session: Session, csrf: str | None) -> User:
    bench = workbench(request)
    authorization = request.headers.get("authorization", "")
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, "Authorization must be 'Bearer <token>'", field="authorization")
        user = user_for_token(session, token.strip())
        if user is None:
            raise ApiError(401, "the API token is unknown, revoked or expired")
        request.state.auth = "token"
        return user
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise ApiError(401, "log in first (POST /login) or send an API token")
    data = bench.signer.load(cookie)
    if data is None:
        raise ApiError(401, "the session cookie is not valid; log in again")
    if bench.signer.expired(data):
        raise ApiError(401, "the session has expired; log in again", code="session_expired")
    user = session.get(User, data.user_id)
    if user is None or not user.active:
        raise ApiError(401, "the session's user no longer exists or is disabled; log in again")
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


def context(request: Request, csrf: str | None = Depends(submitted_csrf)) -> Iterator[Context]:
    session = workbench(request).db.sessions()
    try:
        user = _authenticate(request, session, csrf)
        actor = Actor(user.id, user.username, user.role, client_address(request))
        request.state.actor = actor
        yield Context(session, user, actor, request)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


# Commit before the response is sent (scope="function"), so a 2xx means it is stored.
CurrentContext = Depends(context, scope="function")


def require(permission: str) -> Callable[..., Context]:
    """A dependency giving the context if the caller's role has ``permission``, else 403."""
    if permission not in PERMISSIONS:
        raise KeyError(permission)

    def dependency(ctx: Context = CurrentContext) -> Context:
        if not allowed(permission, ctx.user.role):
            raise AccessDeniedError(
                permission, ctx.user.role, [r.value for r in PERMISSIONS[permission]]
            )
        return ctx

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
