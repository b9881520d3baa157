"""Two guards at the edge of the app, as plain ASGI (see ``request_log`` for why not
``BaseHTTPMiddleware``).

:class:`NulGuard`: a NUL character cannot be stored in PostgreSQL text (it answered 500 on
any string carrying one, even an anonymous ``POST /login``), and no name, note or code has
one. A request with NUL in its path, query string, JSON body or form body is refused with 422
before any route sees it, on every database alike. Multipart bodies carry documents, checked
by the upload reader once read (a PDF holds NUL bytes legitimately).

:class:`ErrorGuard`: an unexpected exception becomes the API's 500 here, logged by type and
stack frames only. Starlette's own last-resort handler re-raises the exception after
answering, and the server (uvicorn) then logs it with its message, which for a database error
quotes the SQL parameters: patient names, MRNs, note text (issue 18, finding 4).
"""

from __future__ import annotations

import json
import logging
import traceback
from typing import Any
from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from medcoder.errors import InternalError
from medcoder.server.errors import error_response

log = logging.getLogger("medcoder.server")
JSON_TYPES = (b"application/json", b"application/fhir+json")
FORM_TYPE = b"application/x-www-form-urlencoded"
_NUL_ESCAPE = b"\\u0000"


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _json_has_nul(body: bytes) -> bool:
    if _NUL_ESCAPE not in body:  # the only way JSON can spell NUL: the cheap check first
        return False
    try:
        return _has_nul(json.loads(body))
    except (ValueError, RecursionError):
        return False  # not JSON: the route's parser answers 422 for that


def _header(scope: Scope, name: bytes) -> bytes:
    for key, value in scope.get("headers") or ():
        if key == name:
            return value
    return b""


class NulGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope.get("path", "") or b"\x00" in unquote_to_bytes(
            scope.get("query_string", b"")
        ):
            await _refuse(scope, receive, send, "the URL")
            return
        content_type = _header(scope, b"content-type").split(b";")[0].strip().lower()
        if content_type not in (*JSON_TYPES, FORM_TYPE):
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        body = b""
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        if content_type == FORM_TYPE:
            found = b"%00" in body or b"\x00" in body
        else:
            found = _json_has_nul(body)
        if found:
            await _refuse(scope, receive, send, "the request body")
            return
        replay = iter(messages)

        async def replayed() -> Message:
            try:
                return next(replay)
            except StopIteration:
                return await receive()

        await self.app(scope, replayed, send)


async def _refuse(scope: Scope, receive: Receive, send: Send, where: str) -> None:
    response = error_response(
        422, f"{where} contains a NUL character (\\u0000), which no field accepts"
    )
    await response(scope, receive, send)


class ErrorGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as exc:  # noqa: BLE001 - the last resort: answer, log without text
            frames = "".join(traceback.format_tb(exc.__traceback__))
            log.error(
                "unhandled %s on %s %s request_id=%s\n%s",
                type(exc).__name__,
                scope.get("method"),
                getattr(scope.get("route"), "path", "-"),
                (scope.get("state") or {}).get("request_id", "-"),
                frames,
            )
            if not started:
                response = error_response(
                    InternalError.http_status,
                    "internal error; the server log has the details",
                    code=InternalError.code,
                )
                await response(scope, receive, send)
