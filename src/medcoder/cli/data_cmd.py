"""``medcoder data``: import publisher files into packs, list packs, fetch official files."""

from __future__ import annotations

from pathlib import Path

import typer

from medcoder.cli.output import Format, console, print_json, table

data_app = typer.Typer(help="Build and list the compiled code-set packs.", no_args_is_help=True)


@data_app.command("import")
def import_(
    paths: list[Path] = typer.Argument(None, help="Publisher files or folders holding them."),
    cpt: Path | None = typer.Option(None, "--cpt", help="Your licensed CPT file (CSV/TSV)."),
    cpt_version: str = typer.Option("2026", "--cpt-version", help="Year of the CPT file."),
) -> None:
    """Compile official files (CDC/CMS XML, HCPCS files, a licensed CPT file) into packs."""
    from medcoder.codesets.importer import import_cpt, import_paths
    from medcoder.errors import UsageError

    if not paths and cpt is None:
        raise UsageError("give at least one PATH or --cpt FILE")
    out = console()
    if paths:
        report = import_paths(list(paths), progress=lambda msg: out.print(f"[dim]{msg}[/]"))
        for component, dest, seconds in report.built:
            out.print(f"built {component} → {dest} in {seconds:.1f} s")
        for file, why in report.skipped:
            out.print(f"[yellow]skipped[/] {file}: {why}")
    if cpt is not None:
        dest = import_cpt(cpt, cpt_version)
        out.print(f"built cpt → {dest}")


@data_app.command("list")
def list_(
    date: str | None = typer.Option(
        None, "--date", help="Date of service YYYY-MM-DD to show the packs for (default: today)."
    ),
    fmt: Format = typer.Option(Format.TABLE, "--format", help="table or json."),
) -> None:
    """Which years each code system has, which one a date of service gets, and every pack."""
    import datetime as dt

    from medcoder.codesets import registry
    from medcoder.codesets.pack_store import packs_dir
    from medcoder.codesets.periods import parse_date

    on = parse_date(date) if date else dt.date.today()
    registry.ensure_default_packs()
    systems = []
    for component, packs in registry.installed_versions().items():
        chosen = registry.resolve(component, on) if packs else None
        systems.append(
            {
                "system": registry.SYSTEMS.get(component, component),
                "component": component,
                "versions": [registry.version_label(p) for p in packs],
                "used_for_date": chosen.label if chosen else None,
                "in_force_on_date": bool(chosen and chosen.exact),
            }
        )
    packs = registry.list_packs()
    if fmt is Format.JSON:
        print_json(
            {
                "data_dir": str(packs_dir()),
                "date": on.isoformat(),
                "systems": systems,
                "packs": [
                    {
                        "component": p.component,
                        "version": p.version,
                        "effective_from": p.period.start,
                        "effective_to": p.period.end,
                        "path": str(p.path),
                        "source": p.source,
                    }
                    for p in packs
                ],
            }
        )
        return
    out = console()
    summary = table(
        f"Code sets for a date of service {on.isoformat()}",
        ["System", "Installed", f"Used for {on.isoformat()}"],
    )
    for row in systems:
        hint = "--cpt FILE" if row["component"] == "cpt" else "PATH"
        used = row["used_for_date"] or f"[red]none[/]: `medcoder data import {hint}`"
        if row["used_for_date"] and not row["in_force_on_date"]:
            used = f"[yellow]{used}[/] (nearest; not in force on the date)"
        summary.add_row(row["system"], ", ".join(row["versions"]) or "-", used)
    out.print(summary)
    t = table(f"Packs in {packs_dir()}", ["Component", "Version", "In force", "Source"])
    for p in packs:
        t.add_row(p.component, p.version, str(p.period), p.source)
    out.print(t)


@data_app.command("fetch")
def fetch(
    year: int = typer.Option(2026, "--year", help="Fiscal year of the files to download."),
    dest: Path = typer.Option(Path("medcoder-downloads"), "--dest", help="Download folder."),
) -> None:
    """Download the official ICD-10-CM/PCS files from CDC/CMS, then import them."""
    from medcoder.codesets.fetch import fetch_official

    files = fetch_official(year, dest, progress=lambda m: console().print(f"[dim]{m}[/]"))
    from medcoder.codesets.importer import import_paths

    report = import_paths(files)
    for component, path, seconds in report.built:
        console().print(f"built {component} → {path} in {seconds:.1f} s")


def register(app: typer.Typer) -> None:
    app.add_typer(data_app, name="data")
