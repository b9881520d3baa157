"""``medcoder parse``: show the document model a coder's tools work from."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from medcoder.cli.output import Format, console, print_json, table


def _mention_dict(m) -> dict[str, object]:  # noqa: ANN001
    return {
        "text": m.text,
        "start": m.start,
        "end": m.end,
        "concept": m.concept,
        "kind": m.kind.value,
        "assertion": m.assertion.value,
        "section": m.section,
        "codes": m.codes,
        "laterality": m.laterality,
        "body_site": m.body_site,
        "acuity": m.acuity,
        "severity": m.severity,
        "links": m.links,
        "attributes": m.attributes,
    }


def _result_dict(r) -> dict[str, object]:  # noqa: ANN001
    return {
        "name": r.name,
        "value": r.value,
        "unit": r.unit,
        "normalized_value": r.normalized_value,
        "normalized_unit": r.normalized_unit,
        "flag": r.abnormal_flag,
        "text": r.raw_text,
        "start": r.start,
        "end": r.end,
        "observed_at": r.observed_at,
        "excluded_reason": r.excluded_reason,
    }


def parse(
    paths: list[Path] = typer.Argument(..., help="Documents: text, PDF, HL7 v2, FHIR JSON."),
    fmt: Format = typer.Option(Format.TABLE, "--format", help="table or json."),
) -> None:
    """Show sections, mentions with their assertion and attributes, and results.

    One bad file is reported and the others are still shown; exit status 1 if any failed.
    """
    from medcoder.cli.code_cmd import _engine, _inputs
    from medcoder.documents.readers import read_many
    from medcoder.nlp.annotator import Annotator

    engine = _engine("abstraction", None, None, "icd10cm")
    out = console()
    failed = 0
    documents_json = []
    for outcome in read_many(_inputs(paths)):
        if not outcome.ok:
            failed += 1
            typer.echo(f"Error: {outcome.error}", err=True)
            continue
        for document in outcome.documents:
            annotated = Annotator.describe(engine.annotate(document))
            mentions, results = annotated.mentions, annotated.results
            if fmt is Format.JSON:
                documents_json.append(
                    {
                        "document": document.id,
                        "source": document.source,
                        "format": document.format,
                        "kind": document.kind,
                        "type": annotated.type.value,
                        "author": document.author,
                        "created": document.created,
                        "pages": len(document.pages) or None,
                        "warnings": document.warnings + outcome.warnings,
                        "sections": [
                            {
                                "kind": s.kind,
                                "title": s.title,
                                "role": s.role,
                                "start": s.start,
                                "end": s.end,
                            }
                            for s in document.sections
                        ],
                        "mentions": [_mention_dict(m) for m in mentions],
                        "results": [_result_dict(r) for r in results],
                    }
                )
                continue
            out.print(
                f"[bold]{document.id}[/] ({annotated.type.value.replace('_', ' ')}, "
                f"{document.format}, {len(document.text):,} characters)"
            )
            for warning in document.warnings + outcome.warnings:
                out.print(f"[yellow]warning:[/] {warning}")
            s = table("Sections", ["Section", "Role", "Title", "Offsets"])
            for sec in document.sections:
                s.add_row(sec.kind, sec.role, sec.title, f"{sec.start}-{sec.end}")
            out.print(s)
            t = table("Mentions", ["Text", "Assertion", "Section", "Codes", "Attributes"])
            for m in mentions:
                attrs = ", ".join(
                    f"{k}={v}"
                    for k, v in (
                        ("laterality", m.laterality),
                        ("site", m.body_site),
                        ("acuity", m.acuity),
                        ("severity", m.severity),
                    )
                    if v
                )
                t.add_row(m.text, m.assertion.value, m.section or "", " ".join(m.codes), attrs)
            out.print(t)
            if results:
                r = table("Results", ["Analyte", "Value", "Unit", "Normalised", "Flag", "Note"])
                for res in results:
                    norm = (
                        f"{res.normalized_value} {res.normalized_unit}"
                        if res.normalized_value is not None
                        else ""
                    )
                    r.add_row(
                        res.name,
                        str(res.value),
                        res.unit or "",
                        norm,
                        res.abnormal_flag or "",
                        res.excluded_reason or "",
                    )
                out.print(r)
    if fmt is Format.JSON:
        print_json(documents_json if len(documents_json) != 1 else documents_json[0])
    if failed:
        sys.exit(1)


def register(app: typer.Typer) -> None:
    app.command()(parse)
