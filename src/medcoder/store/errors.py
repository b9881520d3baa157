"""Errors the store raises; the server maps each class to one HTTP status.

They derive from :class:`medcoder.errors.MedcoderError` so the CLI prints them on one line.
"""

from __future__ import annotations

from medcoder.errors import MedcoderError


class StoreError(MedcoderError):
    """Root of the workbench store's errors."""


class NotFoundError(StoreError):
    def __init__(self, entity: str, entity_id: object) -> None:
        self.entity = entity
        self.entity_id = entity_id
        super().__init__(f"{entity} {entity_id} not found")


class ConflictError(StoreError):
    """The entity changed since the caller read it, or is in a state that forbids the action."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        self.field = field
        super().__init__(message)


class InvalidError(StoreError):
    """A value the caller sent is not acceptable (unknown code, bad transition, ...)."""

    exit_code = 2

    def __init__(self, message: str, *, field: str | None = None) -> None:
        self.field = field
        super().__init__(message)


class AccessDeniedError(StoreError):
    """The actor's role may not do this; the server answers 403 and audits the refusal."""

    def __init__(self, action: str, role: str | None, allowed: list[str] | tuple[str, ...]) -> None:
        self.action = action
        self.role = role
        self.allowed = tuple(allowed)
        super().__init__(
            f"role {role or 'anonymous'!r} may not {action}; allowed roles: {', '.join(allowed)}"
        )


class BusyError(StoreError):
    """A bounded resource (password hashing) stayed busy; the server answers 503."""
