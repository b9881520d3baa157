"""One error shape for the whole API: ``{"error": {"code", "message", "field"}}``.

Every failure, whichever layer raises it (FastAPI validation, Starlette routing, the store, the
core library), is translated here and nowhere else, so clients parse one shape; one test walks
every path (tests/server/test_error_shape.py). Messages never echo document text.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from medcoder.errors import MedcoderError
from medcoder.store.errors import AccessDeniedError

log = logging.getLogger("medcoder.server")

STATUS_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


class ApiError(Exception):
    """An error the API answers with; raise it from routes and dependencies."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.status = status
        self.code = code or STATUS_CODES.get(status, "error")
        self.message = message
        self.field = field
        self.headers = headers
        super().__init__(message)


def error_response(
    status: int,
    message: str,
    *,
    code: str | None = None,
    field: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = {
        "error": {
            "code": code or STATUS_CODES.get(status, "error"),
            "message": message,
            "field": field,
        }
    }
    return JSONResponse(body, status_code=status, headers=headers)


def _validation_field(loc: tuple) -> str | None:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or None


async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    first = errors[0] if errors else {}
    if first.get("type") == "json_invalid":
        return error_response(422, "the request body is not valid JSON", code="malformed_json")
    field = _validation_field(tuple(first.get("loc", ())))
    message = "; ".join(
        f"{_validation_field(tuple(e.get('loc', ()))) or 'body'}: {e.get('msg')}"
        for e in errors[:5]
    )
    return error_response(422, message, field=field)


async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
    message = (
        exc.detail if isinstance(exc.detail, str) else STATUS_CODES.get(exc.status_code, "error")
    )
    return error_response(exc.status_code, message, headers=getattr(exc, "headers", None))


async def _api(_request: Request, exc: ApiError) -> JSONResponse:
    return error_response(
        exc.status, exc.message, code=exc.code, field=exc.field, headers=exc.headers
    )


async def _denied(request: Request, exc: AccessDeniedError) -> JSONResponse:
    from medcoder.server.auth import audit_refusal

    # A database write: in the thread pool, never blocking the event loop.
    await run_in_threadpool(audit_refusal, request, exc.action, f"role={exc.role}")
    if request.url.path.startswith("/ui/"):  # a page: the "not allowed" page, not JSON
        return RedirectResponse("/ui/forbidden?need=record", status_code=303)
    return _catalogued(exc)


def _catalogued(exc: MedcoderError) -> JSONResponse:
    """The error catalogue's answer: the class declares its status and stable code once.
    Messages name the record, file or code at fault, never document text."""
    return error_response(exc.http_status, str(exc), code=exc.code, field=exc.field)


async def _medcoder(_request: Request, exc: MedcoderError) -> JSONResponse:
    return _catalogued(exc)


async def _stale(_request: Request, _exc: StaleDataError) -> JSONResponse:
    return error_response(
        409,
        "the record was changed by someone else meanwhile; reload it and retry",
        field="version",
    )


async def _integrity(_request: Request, exc: IntegrityError) -> JSONResponse:
    # A uniqueness or reference check lost a race with another request (the store checks
    # first, so this is rare); the database message names columns and values, so omit it.
    log.warning("integrity error: %s", type(exc.orig).__name__)
    return error_response(409, "the change conflicts with stored data; reload and retry")


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(ApiError, _api)
    app.add_exception_handler(AccessDeniedError, _denied)
    app.add_exception_handler(MedcoderError, _medcoder)
    app.add_exception_handler(StaleDataError, _stale)
    app.add_exception_handler(IntegrityError, _integrity)
