"""Log in and out with a session cookie (for people; systems use API tokens)."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse

from medcoder.server import payloads
from medcoder.server.auth import Context, CurrentContext, client_address, workbench
from medcoder.server.errors import ApiError
from medcoder.server.sessions import (
    CSRF_COOKIE,
    LOCAL_HOSTS,
    SESSION_COOKIE,
    new_csrf_token,
    same_token,
)
from medcoder.store import audit
from medcoder.store.audit import Actor
from medcoder.store.users import authenticate

router = APIRouter(tags=["login"])


def _secure(request: Request) -> bool:
    """Secure cookies everywhere but a plain-HTTP server on this machine."""
    forced = workbench(request).secure_cookies
    if forced is not None:
        return forced
    return request.url.scheme == "https" or request.url.hostname not in LOCAL_HOSTS


def _set_csrf_cookie(response: JSONResponse, request: Request, token: str) -> None:
    # Readable by the page's script (not HttpOnly): that is what double submit relies on.
    response.set_cookie(
        CSRF_COOKIE, token, httponly=False, secure=_secure(request), samesite="lax", path="/"
    )


@router.get("/login", summary="Get a CSRF token for the login form")
def login_form(request: Request) -> JSONResponse:
    token = request.cookies.get(CSRF_COOKIE) or new_csrf_token()
    response = JSONResponse({"csrf_token": token})
    _set_csrf_cookie(response, request, token)
    return response


@router.post("/login", summary="Log in; sets the session cookie")
def login(
    request: Request,
    username: str = Form(..., max_length=64),
    password: str = Form(..., max_length=1024),
    csrf_token: str = Form(..., max_length=128),
) -> JSONResponse:
    bench = workbench(request)
    client = client_address(request)
    if not same_token(csrf_token, request.cookies.get(CSRF_COOKIE)):
        raise ApiError(
            403,
            "missing or wrong CSRF token; GET /login first",
            code="csrf_failed",
            field="csrf_token",
        )
    wait = bench.limiter.hit(username, client)
    with bench.db.session() as session:
        if wait is not None:
            audit.record(
                session,
                Actor(None, username[:64], None, client),
                "login",
                "session",
                outcome="refused",
                detail="rate limited",
            )
        else:
            user = authenticate(session, username, password)
            actor = Actor(
                user.id if user else None, username[:64], user.role if user else None, client
            )
            audit.record(session, actor, "login", "session", outcome="ok" if user else "refused")
    if wait is not None:
        raise ApiError(
            429,
            f"too many login attempts; try again in {int(wait) + 1} s",
            headers={"Retry-After": str(int(wait) + 1)},
        )
    if user is None:
        raise ApiError(401, "wrong username or password")
    bench.limiter.reset(username, client)
    token = new_csrf_token()
    response = JSONResponse({"user": payloads.user(user), "csrf_token": token})
    response.set_cookie(
        SESSION_COOKIE,
        bench.signer.dump(user.id, token),
        max_age=int(bench.signer.max_age) if bench.signer.max_age > 0 else None,
        httponly=True,
        secure=_secure(request),
        samesite="lax",
        path="/",
    )
    _set_csrf_cookie(response, request, token)
    return response


@router.post("/logout", summary="Log out; clears the session cookie")
def logout(request: Request, ctx: Context = CurrentContext) -> JSONResponse:
    audit.record(ctx.session, ctx.actor, "logout", "session")
    response = JSONResponse({"ok": True})
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@router.get("/api/me", summary="The caller", tags=["users"])
def me(ctx: Context = CurrentContext) -> dict:
    return {"user": payloads.user(ctx.user), "auth": getattr(ctx.request.state, "auth", None)}
