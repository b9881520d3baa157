"""The ``medcoder`` command line.

Results go to stdout (tables for people, ``--format json`` for programs); errors go to stderr
as one line ``Error: ...`` and no traceback unless ``--debug`` is given. The exit status comes
from the error catalogue (:mod:`medcoder.errors`): 2 for a usage error, 1 for an input or
domain error. An operating-system error on a file is answered as the catalogue's file error
(naming the file); any other exception is a bug, said to be one.
"""

from __future__ import annotations

import sys

import typer

from medcoder import __version__
from medcoder.errors import MedcoderError

app = typer.Typer(
    name="medcoder",
    help=(
        "Medical coding from clinical documentation: ICD-10-CM diagnoses with their evidence, "
        "code look-up and validation against the code set in force on a date."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

_state = {"debug": False}


def _version(value: bool) -> None:
    if value:
        typer.echo(f"medcoder {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for errors."),
) -> None:
    _state["debug"] = debug


def _register() -> None:
    from medcoder.cli import (
        case_cmd,
        claims_cmd,
        code_cmd,
        codes_cmd,
        data_cmd,
        parse_cmd,
        query_cmd,
        serve_cmd,
    )

    codes_cmd.register(app)
    data_cmd.register(app)
    parse_cmd.register(app)
    code_cmd.register(app)
    claims_cmd.register(app)
    query_cmd.register(app)
    case_cmd.register(app)
    serve_cmd.register(app)


def main() -> None:
    """Console entry point."""
    _register()
    try:
        app(prog_name="medcoder")
    except MedcoderError as exc:
        if _state["debug"]:
            raise
        _fail(exc)
    except OSError as exc:
        if _state["debug"]:
            raise
        from medcoder.errors import file_error

        _fail(file_error(exc))
    except KeyboardInterrupt:
        typer.echo("Error: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the last word: a bug, said to be one
        if _state["debug"]:
            raise
        from medcoder.errors import InternalError

        typer.echo(
            f"Error: internal error ({type(exc).__name__}: {exc}); rerun with --debug for "
            "the traceback and report it",
            err=True,
        )
        sys.exit(InternalError.exit_code)


def _fail(exc: MedcoderError) -> None:
    typer.echo(f"Error: {exc}", err=True)
    sys.exit(exc.exit_code)
