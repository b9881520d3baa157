"""Log in and out with a session cookie (for people; systems use API tokens)."""

from __future__ import annotations

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select

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
from medcoder.store.models import User, UserSession
from medcoder.store.user_sessions import end_session, open_session
from medcoder.store.users import (
    end_sessions,
    hash_password,
    needs_rehash,
    revoke_tokens,
    set_password,
    verify_password,
)

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


def _no_nul(**fields: str) -> None:
    """NUL cannot be stored in PostgreSQL text and is never part of a name or password."""
    for name, value in fields.items():
        if "\x00" in value:
            raise ApiError(422, f"{name} contains a NUL character", field=name)


@router.post("/login", summary="Log in; sets the session cookie")
def login(
    request: Request,
    username: str = Form(..., max_length=64),
    password: str = Form(..., max_length=1024),
    csrf_token: str = Form(..., max_length=128),
) -> JSONResponse:
    """Throttled per account, per client address and per pair (``LoginLimiter``); the
    password is checked outside any database transaction, one of a few Argon2 hashes allowed
    at once (``store.users.HASHING``)."""
    bench = workbench(request)
    client = client_address(request)
    _no_nul(username=username, password=password, csrf_token=csrf_token)
    if not same_token(csrf_token, request.cookies.get(CSRF_COOKIE)):
        raise ApiError(
            403,
            "missing or wrong CSRF token; GET /login first",
            code="csrf_failed",
            field="csrf_token",
        )
    wait = bench.limiter.hit(username, client)
    user = None
    if wait is None:
        with bench.db.session() as session:
            found = session.scalar(select(User).where(User.username == username))
            usable = found is not None and found.active
            stored_hash = found.password_hash if usable else None
        if verify_password(stored_hash, password):
            user = found
    with bench.db.session() as session:
        actor = Actor(user.id if user else None, username[:64], user.role if user else None, client)
        if wait is not None:
            audit.record(session, actor, "login", "session", outcome="refused", detail="throttled")
        elif user is None:
            bench.limiter.failed(username, client)
            audit.record(session, actor, "login", "session", outcome="refused")
        else:
            user = session.merge(user)
            if needs_rehash(user.password_hash):
                user.password_hash = hash_password(password)
            row, key = open_session(
                session,
                user,
                now=bench.signer.now(),
                lifetime=bench.signer.max_age,
                client=client,
            )
            audit.record(session, actor, "login", "session", row.id)
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
        bench.signer.dump(user.id, key, token),
        max_age=int(bench.signer.max_age) if bench.signer.max_age > 0 else None,
        httponly=True,
        secure=_secure(request),
        samesite="lax",
        path="/",
    )
    _set_csrf_cookie(response, request, token)
    return response


@router.post("/logout", summary="Log out: ends the session on the server")
def logout(
    request: Request,
    everywhere: bool = Query(False, description="End every session and token of yours"),
    ctx: Context = CurrentContext,
) -> JSONResponse:
    """Ends this session and the API tokens made from it (``keep_after_logout`` tokens stay
    until they expire); ``everywhere`` ends all of the caller's sessions and tokens."""
    bench = workbench(request)
    ended = 0
    if everywhere:
        ended = end_sessions(ctx.session, ctx.user.id) + revoke_tokens(ctx.session, ctx.user.id)
    elif ctx.login is not None:
        end_session(ctx.session, ctx.session.get(UserSession, ctx.login), now=bench.signer.now())
    audit.record(
        ctx.session,
        ctx.actor,
        "logout",
        "session",
        ctx.login,
        detail=f"everywhere ended={ended}" if everywhere else None,
    )
    response = JSONResponse({"ok": True})
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@router.get("/api/me", summary="The caller", tags=["users"])
def me(ctx: Context = CurrentContext) -> dict:
    return {"user": payloads.user(ctx.user), "auth": getattr(ctx.request.state, "auth", None)}


@router.post("/api/me/password", summary="Change your password", tags=["users"])
def change_password(body: payloads.PasswordChangeIn, ctx: Context = CurrentContext) -> dict:
    """Needs the current password; the new one must pass the policy (docs/security.md). Your
    other sessions and all your API tokens end; this session stays signed in."""
    if not verify_password(ctx.user.password_hash, body.current_password):
        audit.record(ctx.session, ctx.actor, "password", "user", ctx.user.id, outcome="refused")
        raise ApiError(403, "the current password is wrong", field="current_password")
    set_password(ctx.session, ctx.user, body.new_password, keep_session=ctx.login)
    audit.record(ctx.session, ctx.actor, "password", "user", ctx.user.id, detail="changed")
    return {"ok": True, "note": "your other sessions and API tokens were ended"}
