"""Errors the store raises, in the error catalogue (:mod:`medcoder.errors`).

Each class declares its stable code, HTTP status and exit status; the server and the CLI map
through those attributes.
"""

from __future__ import annotations

from medcoder.errors import MedcoderError


class StoreError(MedcoderError):
    """Root of the workbench store's errors."""

    code = "store_error"


class NotFoundError(StoreError):
    """The record asked for does not exist (or the caller may not know it does)."""

    code = "not_found"
    http_status = 404

    def __init__(self, entity: str, entity_id: object) -> None:
        self.entity = entity
        self.entity_id = entity_id
        super().__init__(f"{entity} {entity_id} not found")


class ConflictError(StoreError):
    """The entity changed since the caller read it, or is in a state that forbids the action."""

    code = "conflict"
    http_status = 409

    def __init__(self, message: str, *, field: str | None = None) -> None:
        self.field = field
        super().__init__(message)


class InvalidError(StoreError):
    """A value the caller sent is not acceptable (unknown code, bad transition, ...)."""

    code = "validation_error"
    http_status = 422
    exit_code = 2

    def __init__(self, message: str, *, field: str | None = None) -> None:
        self.field = field
        super().__init__(message)


class AccessDeniedError(StoreError):
    """The actor's role may not do this; the server answers 403 and audits the refusal."""

    code = "forbidden"
    http_status = 403

    def __init__(self, action: str, role: str | None, allowed: list[str] | tuple[str, ...]) -> None:
        self.action = action
        self.role = role
        self.allowed = tuple(allowed)
        super().__init__(
            f"role {role or 'anonymous'!r} may not {action}; allowed roles: {', '.join(allowed)}"
        )


class BusyError(StoreError):
    """A bounded resource (password hashing) stayed busy; the server answers 503."""

    code = "busy"
    http_status = 503
