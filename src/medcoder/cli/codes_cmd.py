"""``medcoder lookup``, ``search`` and ``validate``: what a coder looks up every day."""

from __future__ import annotations

import sys

import typer

from medcoder.cli.output import Format, console, print_json, table
from medcoder.codesets.periods import parse_date

NOTE_LABELS = {
    "includes": "Includes",
    "inclusionTerm": "Inclusion term",
    "excludes1": "Excludes1",
    "excludes2": "Excludes2",
    "codeFirst": "Code first",
    "useAdditionalCode": "Use additional code",
    "codeAlso": "Code also",
    "notes": "Note",
    "sevenChrNote": "7th character note",
}


SYSTEM_HELP = "icd10cm, icd10pcs (pcs), hcpcs or cpt; default: detected from the code's shape."


def lookup(
    code: str = typer.Argument(
        ...,
        help="A code of any system, any case, with or without the dot: E11.22, 0DTJ4ZZ (or a "
        "partial PCS code such as 0DT), J1885, 99214.",
    ),
    date: str | None = typer.Option(
        None, "--date", help="Date of service YYYY-MM-DD (pack in force)."
    ),
    system: str | None = typer.Option(None, "--system", help=SYSTEM_HELP),
    fmt: Format = typer.Option(Format.TABLE, "--format", help="table or json."),
) -> None:
    """Show a code's title and status: ICD-10-CM with its hierarchy and instructional notes,
    ICD-10-PCS axis by axis, HCPCS with its descriptions and dates, CPT from your licensed file."""
    from medcoder.codesets import normalize_code, registry
    from medcoder.codesets.other_lookup import lookup_other, system_of
    from medcoder.codesets.systems import CodeSystem
    from medcoder.errors import CodeError

    on = parse_date(date) if date else None
    chosen_system = system_of(code, system)
    if chosen_system is not CodeSystem.ICD10CM:
        _show_entry(lookup_other(code, chosen_system, on), fmt)
        return
    key = normalize_code(code, "ICD-10-CM")
    pack, resolution = registry.icd10cm_resolved(on)
    if resolution.warning:
        typer.echo(f"warning: {resolution.warning}", err=True)
    info = pack.lookup(key)
    if info is None and system is None and registry.list_packs("hcpcs"):
        from medcoder.codesets.systems import ambiguous_systems

        # J1885 reads as ICD-10-CM J18.85 or HCPCS J1885: the one ICD-10-CM lacks is HCPCS.
        if CodeSystem.HCPCS in ambiguous_systems(code):
            _show_entry(lookup_other(code, CodeSystem.HCPCS, on), fmt)
            return
    if info is None:
        raise CodeError(code, f"not in ICD-10-CM FY{pack.version}; try `medcoder search`")
    if fmt is Format.JSON:
        print_json(
            {
                "code": info.code,
                "system": "ICD-10-CM",
                "version": pack.version,
                "title": info.title,
                "billable": info.billable,
                "requires_7th_character": info.requires_7th,
                "kind": info.kind,
                "parent": info.parent,
                "ancestors": [{"code": c, "title": t} for c, t in info.ancestors],
                "children": [{"code": c, "title": t} for c, t in info.children],
                "notes": [
                    {"kind": n.kind, "text": n.text, "from": n.from_code} for n in info.notes
                ],
                "seventh_characters": info.seven_chr,
            }
        )
        return
    out = console()
    status = (
        "[green]billable[/]"
        if info.billable
        else (
            "[yellow]needs a 7th character[/]"
            if info.requires_7th
            else "[yellow]header (not billable)[/]"
        )
    )
    out.print(f"[bold]{info.code}[/]  {info.title}")
    out.print(f"ICD-10-CM FY{pack.version} · {status}")
    if info.ancestors:
        path = " › ".join(f"{c}" for c, _ in reversed(info.ancestors))
        out.print(f"[dim]{path} › {info.code}[/]")
    if info.children:
        t = table("More specific codes", ["Code", "Title"])
        for c, title in info.children[:40]:
            t.add_row(c, title)
        out.print(t)
    if info.seven_chr:
        t = table("7th characters", ["Char", "Meaning"])
        for char, meaning in info.seven_chr.items():
            t.add_row(char, meaning)
        out.print(t)
    if info.notes:
        t = table("Instructional notes", ["Note", "Text", "At"])
        for n in info.notes:
            t.add_row(NOTE_LABELS.get(n.kind, n.kind), n.text, n.from_code)
        out.print(t)


def _show_entry(entry, fmt: Format) -> None:  # noqa: ANN001 - a codesets.other_lookup.LookupEntry
    if entry.warning:
        typer.echo(f"warning: {entry.warning}", err=True)
    if fmt is Format.JSON:
        print_json(entry.to_dict())
        return
    out = console()
    out.print(f"[bold]{entry.code}[/]  {entry.title}")
    out.print(f"{entry.system} {entry.version} · {entry.status}")
    if entry.details:
        first = "Axis" if entry.system == "ICD-10-PCS" else "Field"
        columns = [first, "Value", "Meaning", "Definition"]
        if entry.system != "ICD-10-PCS":
            columns = [first, "Value"]
        t = table(None, columns)
        for d in entry.details:
            t.add_row(*([d.label, d.value, d.meaning, d.definition][: len(columns)]))
        out.print(t)
    if entry.next_values:
        t = table(f"Next: {entry.next_axis}", ["Value", "Meaning"])
        for value, label in entry.next_values.items():
            t.add_row(value, label)
        out.print(t)


def search(
    text: list[str] = typer.Argument(..., help="Words to look for, e.g. diabetic kidney disease."),
    limit: int = typer.Option(15, "--limit", "-n", min=1, max=200, help="How many results."),
    fmt: Format = typer.Option(Format.TABLE, "--format", help="table or json."),
) -> None:
    """Search the Alphabetic Index and the tabular titles, best match first."""
    from medcoder.codesets.search import search as run_search

    hits = run_search(" ".join(text), limit=limit)
    if fmt is Format.JSON:
        print_json([h.to_dict() for h in hits])
        return
    t = table(None, ["Code", "Title", "Matched", "Via"])
    for h in hits:
        t.add_row(h.code, h.title, h.matched, h.source)
    console().print(t)
    if not hits:
        typer.echo("no match", err=True)


def validate(
    codes: list[str] = typer.Argument(
        ..., help="One or more codes (ICD-10-CM, ICD-10-PCS, HCPCS, CPT)."
    ),
    date: str | None = typer.Option(None, "--date", help="Date of service YYYY-MM-DD."),
    system: str | None = typer.Option(None, "--system", help=SYSTEM_HELP),
    fmt: Format = typer.Option(Format.TABLE, "--format", help="table or json."),
) -> None:
    """Say whether each code is valid and billable on the date, or why not.

    Exit status 0 when all are billable, 1 otherwise.
    """
    from medcoder.codesets import validate as run_validate
    from medcoder.codesets.systems import CodeSystem

    on = parse_date(date) if date else None
    if system is not None:
        system = CodeSystem.parse(system)
    results = [run_validate(c, on, system) for c in codes]
    if fmt is Format.JSON:
        print_json([r.to_dict() for r in results] if len(results) > 1 else results[0].to_dict())
    else:
        t = table(None, ["Code", "System", "Status", "Reason"])
        for r in results:
            colour = "green" if r.valid else "red"
            t.add_row(r.code, r.system, f"[{colour}]{r.status.value}[/]", r.reason)
        console().print(t)
    if not all(r.valid for r in results):
        sys.exit(1)


def register(app: typer.Typer) -> None:
    app.command()(lookup)
    app.command()(search)
    app.command()(validate)
