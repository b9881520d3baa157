"""``medcoder query``: find physician-query opportunities and lint query text."""

from __future__ import annotations

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
    setting: str = typer.Option("inpatient", "--setting", "-s", help="inpatient or outpatient."),
    rules: Path | None = typer.Option(None, "--rules", help="A folder or file of CDI rules."),
    fmt: Format = typer.Option(Format.TABLE, "--format", help="table or json."),
) -> None:
    """Find where the record supports a more specific or undocumented diagnosis, with a
    compliant draft query citing the clinical indicators."""
    from medcoder.cdi import find_opportunities, load_rules
    from medcoder.cli.code_cmd import _engine, _inputs
    from medcoder.documents.model import Encounter
    from medcoder.documents.readers import read_many
    from medcoder.errors import DocumentError

    engine = _engine(setting, None, None)
    documents = []
    for outcome in read_many(_inputs(paths)):
        if not outcome.ok:
            raise DocumentError(outcome.source, str(outcome.error))
        documents.extend(outcome.documents)
    encounter = Encounter(
        id=documents[0].id if len(documents) == 1 else "encounter", documents=documents
    )
    result = engine.code_encounter(encounter)
    found = find_opportunities(
        encounter, result, load_rules(rules) if rules else None, setting=setting
    )
    if fmt is Format.JSON:
        print_json([o.to_dict() for o in found])
        return
    out = console()
    if not found:
        out.print("no query opportunities")
    for opp in found:
        t = table(f"{opp.rule_id} · {opp.title}", ["Indicator", "Value", "Date", "Source"])
        for ind in opp.indicators:
            value = f"{ind.value} {ind.unit or ''}".strip() if ind.value is not None else ind.text
            t.add_row(ind.kind, value, str(getattr(ind, "date", None) or ""), ind.text)
        out.print(t)
        for ex in opp.excluded:
            out.print(f"[yellow]not used:[/] {ex.text} — {ex.reason}")
        if opp.query is not None:
            out.print(opp.query.text)


@query_app.command("lint")
def lint(
    path: Path = typer.Argument(..., help="A query text file ('-' for stdin)."),
    fmt: Format = typer.Option(Format.TABLE, "--format", help="table or json."),
) -> None:
    """Check a hand-written query against the AHIMA/ACDIS compliant-query rules.

    Exit status 1 when an error-level finding is present.
    """
    from medcoder.cdi import lint_query
    from medcoder.errors import SourceFileError

    if str(path) == "-":
        text = sys.stdin.read()
    else:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise SourceFileError(path, "file not found") from exc
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


def register(app: typer.Typer) -> None:
    app.add_typer(query_app, name="query")
