"""One exception tree for medcoder.

Every error a user can cause derives from :class:`MedcoderError`; the CLI prints its message
on one line and exits non-zero without a traceback. Classes carry structured fields and build
their message from them, so callers (API, UI) can show the same facts in their own shape.
"""

from __future__ import annotations

from pathlib import Path


class MedcoderError(Exception):
    """Root of every error medcoder raises on purpose."""

    exit_code: int = 1


class UsageError(MedcoderError):
    """The caller asked for something malformed (bad option value, unknown setting)."""

    exit_code = 2


class SourceFileError(MedcoderError):
    """A publisher or input file is missing, unreadable, malformed or truncated."""

    def __init__(self, path: str | Path, problem: str, *, line: int | None = None) -> None:
        self.path = str(path)
        self.problem = problem
        self.line = line
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {problem}")


class CodeError(MedcoderError):
    """A code string that cannot be used as given (malformed, unknown, wrong system)."""

    def __init__(self, code: str, problem: str, *, system: str | None = None) -> None:
        self.code = code
        self.problem = problem
        self.system = system
        prefix = f"{system} code" if system else "code"
        super().__init__(f"{prefix} {code!r}: {problem}")


class PackNotFoundError(MedcoderError):
    """No compiled knowledge pack answers for this code system and date."""

    def __init__(self, system: str, detail: str) -> None:
        self.system = system
        self.detail = detail
        super().__init__(f"no {system} knowledge pack: {detail}")


class DocumentError(MedcoderError):
    """A document could not be read (empty, binary, wrong encoding, malformed format)."""

    def __init__(self, source: str, problem: str) -> None:
        self.source = source
        self.problem = problem
        super().__init__(f"{source}: {problem}")
