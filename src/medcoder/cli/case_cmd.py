"""``medcoder case analyze`` and ``medcoder provider lookup``: malpractice case work.

Progress goes to stderr through a rich progress bar; it shows counts only, never record
text or patient names (no PHI in logs or terminals that may be screen-shared).
"""

from __future__ import annotations

from pathlib import Path

import typer

from medcoder.cli.output import Format, console, print_json, table

case_app = typer.Typer(
    help="Malpractice case analysis: chronology, issues, NPDB suggestions, report.",
    no_args_is_help=True,
)
provider_app = typer.Typer(
    help="Physician background from NPPES, NUCC and OIG LEIE.", no_args_is_help=True
)


@case_app.command("analyze")
def analyze(
    inputs: list[Path] = typer.Argument(
        ..., help="A case folder (with optional case.json) or record files."
    ),
    output: Path | None = typer.Option(
        None, "-o", "--output", help="Write the report: .html, .pdf or .json."
    ),
    no_code: bool = typer.Option(False, "--no-code", help="Skip ICD-10-CM coding of the events."),
) -> None:
    """Build the chronology, issues, suggestions and synopsis of a case file."""
    from medcoder.errors import SourceFileError

    # A record that cannot be read is a data-quality item of the report; a path that does not
    # exist at all is a mistake in the command (a typo must not produce an empty report).
    for path in inputs:
        if not path.exists():
            raise SourceFileError(path, "no such file or directory")
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from medcoder.casework.analyze import analyze_case
    from medcoder.casework.render import render_json, write_report

    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=Console(stderr=True), transient=False,
    ) as bar:  # fmt: skip
        tasks: dict[str, int] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=max(total, 1))
            bar.update(tasks[stage], completed=done, total=max(total, 1))

        report = analyze_case(inputs, code=not no_code, progress=progress)
    if output is None:
        typer.echo(render_json(report))
        return
    write_report(report, output)
    c = report.chronology
    typer.echo(
        f"wrote {output}: {len(c.events)} dated events, {len(c.undated)} undated, "
        f"{len(c.flags)} flags, {len(report.issues)} issues, {len(c.data_quality)} data-quality items",
        err=True,
    )


@provider_app.command("lookup")
def lookup(
    query: str = typer.Argument(..., help="A 10-digit NPI or a name ('First Last')."),
    state: str | None = typer.Option(
        None, "--state", help="Two-letter state to narrow a name search."
    ),
    offline: Path | None = typer.Option(
        None, "--offline", help="NPPES dissemination CSV to search instead of the API."
    ),
    leie: Path | None = typer.Option(None, "--leie", help="OIG LEIE CSV to check for exclusions."),
    taxonomy: Path | None = typer.Option(
        None, "--taxonomy", help="NUCC taxonomy CSV for specialty names."
    ),
    fmt: Format = typer.Option(Format.TABLE, "--format", help="table or json."),
) -> None:
    """Look a provider up and print a profile with source and retrieval time per fact."""
    from medcoder.casework import providers as pv

    is_npi = query.isdigit() and len(query) == 10
    parts = query.replace(",", " ").split()
    for given in (offline, leie, taxonomy):
        if given is not None and not given.is_file():
            from medcoder.errors import SourceFileError

            raise SourceFileError(given, "no such file")
    if offline:
        source = f"NPPES file {offline.name}"
        records = list(
            pv.read_nppes_csv(
                offline, npi=query if is_npi else None, last_name=None if is_npi else parts[-1]
            )
        )
    else:
        source = "NPPES NPI Registry API v2.1"
        typer.echo(
            "asking the NPPES NPI Registry online (offline: --offline NPPES_FILE.csv)", err=True
        )
        # A person at a terminal: a few seconds of retries, not half a minute, before saying
        # the registry cannot be reached and how to work without it.
        try:
            with pv.NppesClient(timeout=10.0, max_retries=2) as client:
                if is_npi:
                    found = client.lookup(query)
                    records = [found] if found else []
                else:
                    records = client.search(
                        first_name=parts[0] if len(parts) > 1 else None,
                        last_name=parts[-1],
                        state=state,
                        enumeration_type="NPI-1",
                    )
        except pv.ProviderLookupError as exc:
            raise pv.ProviderLookupError(
                f"{exc}; without the network, search the NPPES dissemination file with "
                "--offline FILE.csv"
            ) from exc
    nucc = pv.load_nucc_taxonomy(taxonomy) if taxonomy else None
    exclusions = pv.read_leie_csv(leie) if leie else None
    profiles = [
        pv.build_profile(query, r, source=source, taxonomy=nucc, leie=exclusions) for r in records
    ]
    if not is_npi:
        profiles.sort(key=lambda p: -p.name_match_confidence)
    if fmt is Format.JSON:
        print_json([p.to_dict() for p in profiles])
        return
    if not profiles:
        typer.echo("no provider found", err=True)
        raise typer.Exit(1)
    t = table(f"{len(profiles)} provider(s)", ["NPI", "Name", "Match", "Summary"])
    for p in profiles[:50]:
        t.add_row(p.npi or "-", p.name, f"{p.name_match_confidence:.2f}", p.summary())
    console().print(t)


def register(app: typer.Typer) -> None:
    app.add_typer(case_app, name="case")
    app.add_typer(provider_app, name="provider")
