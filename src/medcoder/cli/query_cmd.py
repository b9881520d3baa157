"""``medcoder query``: find physician-query opportunities, lint query text, and report the CDI
program metrics of the workbench's stored queries."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import typer

from medcoder.cli.output import Format, console, print_json, table

query_app = typer.Typer(
    help="Physician queries (CDI): find opportunities, lint drafts.", no_args_is_help=True
)


@query_app.command("find")
def find(
    paths: list[Path] = typer.Argument(..., help="Documents of one encounter."),
    setting: str = typer.Option(
        "inpatient", "--setting", "-s", help="inpatient, outpatient, emergency or observation."
    ),
    rules: Path | None = typer.Option(None, "--rules", help="A folder or file of CDI rules."),
    fmt: Format = typer.Option(Format.TABLE, "--format", help="table or json."),
) -> None:
    """Find where the record supports a more specific or undocumented diagnosis, with a
    compliant draft query citing the clinical indicators (each quoted once, with its source)."""
    from medcoder.cdi import find as find_queries
    from medcoder.cdi import load_rules
    from medcoder.cli.code_cmd import _engine, _inputs
    from medcoder.documents.model import Encounter
    from medcoder.documents.readers import read_many
    from medcoder.errors import DocumentError

    engine = _engine(setting, None, None, "icd10cm")
    documents = []
    for outcome in read_many(_inputs(paths)):
        if not outcome.ok:
            raise DocumentError(outcome.source, str(outcome.error))
        documents.extend(outcome.documents)
    encounter = Encounter(
        id=documents[0].id if len(documents) == 1 else "encounter", documents=documents
    )
    result = engine.code_encounter(encounter)
    found = find_queries(
        encounter, setting, coding=result, rules=load_rules(rules) if rules else None
    )
    if fmt is Format.JSON:
        print_json([o.to_dict() for o in found])
        return
    out = console()
    if not found:
        out.print("no query opportunities")
    for i, opp in enumerate(found):
        if i:
            out.print()
        about = f" ({opp.code})" if opp.code else ""
        out.print(f"[bold]{opp.rule_id}[/] · {opp.title}{about}", highlight=False)
        if opp.query is not None:
            out.print(opp.query.text.rstrip("\n"), markup=False, highlight=False, soft_wrap=True)
        for ex in opp.excluded:
            out.print(f"not used: {ex.text} ({ex.reason})", markup=False, highlight=False)


@query_app.command("lint")
def lint(
    path: Path = typer.Argument(..., help="A query text file ('-' for stdin)."),
    fmt: Format = typer.Option(Format.TABLE, "--format", help="table or json."),
) -> None:
    """Check a hand-written query against the AHIMA/ACDIS compliant-query rules.

    Exit status 1 when an error-level finding is present.
    """
    from medcoder.cdi import lint_query
    from medcoder.cli.output import read_text

    text = sys.stdin.read() if str(path) == "-" else read_text(path)
    findings = lint_query(text)
    if fmt is Format.JSON:
        print_json([f.to_dict() for f in findings])
    else:
        t = table(None, ["Rule", "Severity", "Text", "Message"])
        for f in findings:
            t.add_row(f.rule_id, f.severity, text[f.span.start : f.span.end], f.message)
        console().print(t if findings else "[green]compliant: no findings[/]")
    if any(f.severity == "error" for f in findings):
        sys.exit(1)


DB_HELP = "Workbench database URL (sqlite:///path.db or postgresql://...); default: the data dir's."


def _day(value: str | None, option: str) -> dt.date | None:
    """A YYYY-MM-DD option; anything else is a usage error (exit 2) naming the option."""
    from medcoder.errors import UsageError

    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{option} {value!r} is not a date (YYYY-MM-DD)") from None


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _hours(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} h"


@query_app.command("metrics")
def metrics(
    db: str | None = typer.Option(None, "--db", envvar="MEDCODER_DB_URL", help=DB_HELP),
    start: str | None = typer.Option(None, "--from", help="First day (UTC), YYYY-MM-DD."),
    end: str | None = typer.Option(None, "--to", help="Last day (UTC), YYYY-MM-DD, included."),
    fmt: Format = typer.Option(Format.TABLE, "--format", help="table or json."),
) -> None:
    """Query rate, response rate, agreement rate and time to answer of the workbench's queries,
    overall, by physician and by rule (the numbers of the CDI metrics page)."""
    from medcoder.cdi.lifecycle import DEFINITIONS
    from medcoder.errors import SourceFileError, UsageError
    from medcoder.store import Database
    from medcoder.store.audit import Actor
    from medcoder.store.errors import InvalidError
    from medcoder.store.queries import query_metrics

    first, last = _day(start, "--from"), _day(end, "--to")
    if first and last and first > last:
        raise UsageError(f"--from {first} is after --to {last}")
    database = Database(db)
    url = database.engine.url
    local = url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")
    if local and not Path(url.database).exists():  # a typo must not create an empty workbench
        database.dispose()
        raise SourceFileError(url.database, "no workbench database here")
    try:
        database.migrate()
        with database.session() as session:
            result = query_metrics(
                session, Actor(None, "cli", None, "local"), start=first, end=last
            )
    except InvalidError as exc:
        raise UsageError(str(exc)) from exc
    finally:
        database.dispose()
    if fmt is Format.JSON:
        print_json({"from": first, "to": last, **result.to_dict()})
        return
    out = console()
    groups = [("Overall", {"all": result.overall}), ("By physician", result.by_physician)]
    groups.append(("By rule", result.by_rule))
    for title, rows in groups:
        t = table(title, ["", "Opened", "Query rate", "Sent", "Answered", "Declined", "Expired"])
        for col in ("Response rate", "Agreement rate", "Median to answer", "Mean to answer"):
            t.add_column(col)
        for name, m in rows.items():
            t.add_row(
                name,
                str(m.queries),
                _rate(m.query_rate),
                str(m.sent),
                str(m.answered),
                str(m.declined),
                str(m.expired),
                _rate(m.response_rate),
                _rate(m.agreement_rate),
                _hours(m.median_hours_to_answer),
                _hours(m.mean_hours_to_answer),
            )
        out.print(t)
    out.print(f"coded encounters in the period: {result.coded_encounters}")
    for name, text in DEFINITIONS.items():
        out.print(f"[dim]{name.replace('_', ' ')}: {text}[/]")


def register(app: typer.Typer) -> None:
    app.add_typer(query_app, name="query")
