"""What every page needs: the signed-in viewer, one transaction, and the Jinja2 templates.

Pages authenticate with the same signed session cookie as the JSON API (never API tokens:
a browser has none). A page never changes data on GET; the buttons on it call the JSON API
with the CSRF header (static/ui.js), so the API stays the one place where changes happen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from medcoder.server.auth import audit_refusal, client_address, signed_in_user, workbench
from medcoder.server.errors import ApiError
from medcoder.server.permissions import PERMISSIONS, allowed
from medcoder.server.sessions import LOCAL_HOSTS, SESSION_COOKIE
from medcoder.server.turns import session_turn
from medcoder.store.audit import Actor
from medcoder.store.models import User

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")  # autoescape on for .html
PREFIX = "/ui"


@dataclass
class Page:
    """The request's session and viewer; views pass ``page.session, page.actor`` to the store."""

    session: Session
    user: User
    actor: Actor
    request: Request

    def can(self, permission: str) -> bool:
        return allowed(permission, self.user.role)


def _to_login(request: Request) -> HTTPException:
    # The app's HTTP error handler keeps our headers, so a 303 here is a plain redirect.
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return HTTPException(303, "log in first", headers={"Location": login_url(target)})


def login_url(next_url: str | None = None) -> str:
    return f"{PREFIX}/login" + (f"?next={quote(next_url, safe='')}" if next_url else "")


def _viewer(request: Request, session: Session) -> User:
    bench = workbench(request)
    cookie = request.cookies.get(SESSION_COOKIE)
    data = bench.signer.load(cookie) if cookie else None
    if data is None or bench.signer.expired(data):
        raise _to_login(request)
    try:
        return signed_in_user(request, session, data)
    except ApiError:
        raise _to_login(request) from None


def open_page(
    request: Request, _turn: None = Depends(session_turn, scope="function")
) -> Iterator[Page]:
    session = workbench(request).db.sessions()
    try:
        user = _viewer(request, session)
        actor = Actor(user.id, user.username, user.role, client_address(request))
        request.state.actor = actor
        yield Page(session, user, actor, request)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


CurrentPage = Depends(open_page, scope="function")


def page_for(permission: str) -> Callable[..., Page]:
    """A dependency giving the page if the viewer's role has ``permission``, else a
    redirect to the "not allowed" page (the refusal is audited like an API refusal)."""
    if permission not in PERMISSIONS:
        raise KeyError(permission)

    def dependency(page: Page = CurrentPage) -> Page:
        if not page.can(permission):
            audit_refusal(page.request, permission, f"role={page.user.role}")
            raise HTTPException(
                303, "not allowed", headers={"Location": f"{PREFIX}/forbidden?need={permission}"}
            )
        return page

    return dependency


def secure_cookies(request: Request) -> bool:
    """The same rule as the login route: Secure except plain HTTP on this machine."""
    forced = workbench(request).secure_cookies
    if forced is not None:
        return forced
    return request.url.scheme == "https" or request.url.hostname not in LOCAL_HOSTS


def render(
    request: Request,
    template: str,
    context: dict,
    *,
    page: Page | None = None,
    status: int = 200,
) -> HTMLResponse:
    nav = {"user": page.user if page else None, "can": page.can if page else (lambda _p: False)}
    response = templates.TemplateResponse(
        request, template, {**nav, "prefix": PREFIX, **context}, status_code=status
    )
    response.headers["Cache-Control"] = "no-store"  # pages carry patient data
    return response


__all__ = ["CurrentPage", "Page", "page_for", "render", "secure_cookies"]
