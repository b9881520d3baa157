"""The error catalogue: one tree of errors, each with a stable code, HTTP status and exit status.

Every error a user can cause derives from :class:`MedcoderError`. Each class declares, once,
in its own body:

- ``code``: a stable machine-readable name (``invalid_code``, ``no_pack``); it appears in the
  API's error body and after the CLI's message, and it never changes once released;
- ``http_status``: what the workbench API answers (``server/errors.py`` reads it);
- ``exit_code``: what the command line exits with (``cli/__init__.py`` reads it): 2 for a
  usage error (the command was asked for something malformed), 1 for an input or domain
  error (the file, code or encounter cannot be used as given).

Neither shell keeps its own table or ``isinstance`` ladder: both map through these attributes,
so a new error is declared in one place. Packages add their own errors by subclassing the
class of the catalogue that says what kind of problem it is (a claim the 837 cannot carry is
an :class:`InputError`); a test walks the whole tree and checks that every class declares its
own code and that no two share one (``tests/cli/test_errors.py``). ``docs/errors.md`` lists
the catalogue for users.

Classes carry structured fields and build their message from them, so callers (API, UI) can
show the same facts in their own shape. Messages name the file, code or field at fault and
never quote document text.
"""

from __future__ import annotations

import errno
from pathlib import Path
from typing import ClassVar


class MedcoderError(Exception):
    """Root of every error medcoder raises on purpose: a problem the user can act on."""

    code: ClassVar[str] = "medcoder_error"
    http_status: ClassVar[int] = 400
    exit_code: ClassVar[int] = 1
    #: the input field (dotted path, or ``file``/``code``) at fault, when there is one
    field: str | None = None


class UsageError(MedcoderError):
    """The caller asked for something malformed (bad option value, unknown setting)."""

    code = "usage_error"
    http_status = 400
    exit_code = 2


class InputError(MedcoderError):
    """The input's content cannot be used as given (an encounter field, a record, a value).

    The base of domain errors about what the user handed in; ``field`` names the part at
    fault (a dotted path such as ``billing_provider.npi``).
    """

    code = "invalid_input"
    http_status = 422
    exit_code = 1

    def __init__(self, message: str, *, field: str | None = None) -> None:
        self.field = field
        super().__init__(message)


class SourceFileError(MedcoderError):
    """A publisher or input file is missing, unreadable, malformed or truncated."""

    code = "source_file"
    http_status = 422
    exit_code = 1
    field = "file"

    def __init__(self, path: str | Path, problem: str, *, line: int | None = None) -> None:
        self.path = str(path)
        self.problem = problem
        self.line = line
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {problem}")


class OutputFileError(SourceFileError):
    """A file medcoder was asked to write cannot be written (no such folder, no permission)."""

    code = "output_file"


class DocumentError(MedcoderError):
    """A document could not be read (empty, binary, wrong encoding, malformed format)."""

    code = "unreadable_document"
    http_status = 422
    exit_code = 1
    field = "file"

    def __init__(self, source: str, problem: str) -> None:
        self.source = source
        self.problem = problem
        super().__init__(f"{source}: {problem}")


class CodeError(MedcoderError):
    """A code string that cannot be used as given (malformed, unknown, wrong system)."""

    code = "invalid_code"
    http_status = 422
    exit_code = 1
    field = "code"

    def __init__(self, code: str, problem: str, *, system: str | None = None) -> None:
        # ``self.code`` is the catalogue's class attribute; the offending string is ``value``.
        self.value = code
        self.problem = problem
        self.system = system
        prefix = f"{system} code" if system else "code"
        super().__init__(f"{prefix} {code!r}: {problem}")


class PackNotFoundError(MedcoderError):
    """No compiled knowledge pack answers for this code system and date."""

    code = "no_pack"
    http_status = 503
    exit_code = 1

    def __init__(self, system: str, detail: str) -> None:
        self.system = system
        self.detail = detail
        super().__init__(f"no {system} knowledge pack: {detail}")


class ServiceUnavailableError(MedcoderError):
    """An outside service or optional component medcoder relies on did not answer."""

    code = "service_unavailable"
    http_status = 503
    exit_code = 1


class InternalError(MedcoderError):
    """Not a user's mistake: an exception medcoder did not expect (a bug to report).

    The shells answer unexpected exceptions in this class's terms (HTTP 500, exit status 1)
    without echoing the exception's message, which may quote patient text.
    """

    code = "internal_error"
    http_status = 500
    exit_code = 1


_OS_PROBLEMS = {
    errno.ENOENT: "no such file or directory",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EISDIR: "is a folder, not a file",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.ENOSPC: "no space left on the device",
    errno.EROFS: "the file system is read-only",
}


def file_error(
    exc: OSError, path: str | Path | None = None, *, writing: bool = False
) -> MedcoderError:
    """The catalogue's error for an operating-system failure on a file the user named.

    ``path`` is the name the user gave (a temporary file written beside it is not named);
    without it the exception's own file name is used.
    """
    where = path if path is not None else (exc.filename or "<file>")
    problem = _OS_PROBLEMS.get(exc.errno or 0, exc.strerror or type(exc).__name__)
    if writing and exc.errno == errno.ENOENT:
        problem = f"cannot write: the folder {Path(where).parent} does not exist"
    elif writing:
        problem = f"cannot write: {problem}"
    cls = OutputFileError if writing else SourceFileError
    return cls(where, problem)


def catalogue() -> list[type[MedcoderError]]:
    """Every error class loaded so far, root first (import the packages to see theirs)."""
    seen: list[type[MedcoderError]] = []
    todo: list[type[MedcoderError]] = [MedcoderError]
    while todo:
        cls = todo.pop(0)
        if cls not in seen:
            seen.append(cls)
            todo.extend(cls.__subclasses__())
    return seen
