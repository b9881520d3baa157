"""One log line per request and the security headers on every response, as plain ASGI.

Plain ASGI rather than ``@app.middleware("http")``: Starlette's ``BaseHTTPMiddleware`` runs
the rest of the app in a task of its own and streams the response through a memory channel,
which costs every request a few hundred microseconds of the event loop.

The line names ids, never text: the route template, not the URL (query strings may hold
names), the status, the time taken, the caller's user id and the request id.
"""

from __future__ import annotations

import logging
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("medcoder.server")

# Scripts, styles and everything else from the workbench itself only: no inline script or
# style (the pages have none), no framing, forms post back to us (issue 18, finding 11).
CONTENT_SECURITY_POLICY = (
    b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    b"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    b"form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", CONTENT_SECURITY_POLICY),
)
NO_STORE = ((b"cache-control", b"no-store"),)  # API answers carry patient data: no caches


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers") or ():
        if name == b"x-request-id" and value:
            return value[:64].decode("latin-1")
    return uuid.uuid4().hex


class RequestLogMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        request_id = state["request_id"] = _request_id(scope)
        extra = (
            (b"x-request-id", request_id.encode("latin-1")),
            *SECURITY_HEADERS,
            *(NO_STORE if scope["path"].startswith("/api/") else ()),
        )
        replaced = {name for name, _ in extra}
        started = time.perf_counter()
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                kept = [(k, v) for k, v in message.get("headers", ()) if k.lower() not in replaced]
                message = {**message, "headers": [*kept, *extra]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            if log.isEnabledFor(logging.INFO):
                route = scope.get("route")
                actor = state.get("actor")
                log.info(
                    "%s %s %s %.1fms user=%s request_id=%s",
                    scope["method"],
                    getattr(route, "path", "-"),
                    status,
                    (time.perf_counter() - started) * 1000,
                    actor.user_id if actor else "-",
                    request_id,
                )
