"""``medcoder code``, ``explain``, ``train`` and ``eval``: the diagnosis coding engine."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path

import typer

from medcoder.cli.output import console, open_output, print_json, table

SETTING_HELP = (
    "inpatient (uncertain diagnoses at discharge coded as established, principal diagnosis), "
    "outpatient (no uncertain diagnoses; first-listed; the default), or abstraction (every "
    "documented condition incl. history, as in case review and CodiEsp: the benchmark figures "
    "in benchmarks/README.md use abstraction)."
)
TEXT_SUFFIXES = {".txt", ".text", ".pdf", ".hl7", ".json", ".xml", ".rtf", ".md"}


class OutFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"


def _inputs(paths: list[Path]) -> list[Path]:
    """The documents named: files as given, folders by their document files. A path that
    does not exist is an input error (exit 1), like every file the CLI cannot read."""
    from medcoder.errors import SourceFileError

    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(
                p for p in path.iterdir() if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES
            )
            if not found:
                raise SourceFileError(path, "no documents (.txt, .pdf, .hl7, .json) in this folder")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise SourceFileError(path, "no such file or directory")
    return files


SPARK_HELP = (
    "Code on Apache Spark: local[*] for this machine, or a cluster master (yarn, k8s://..., "
    "spark://...). INPUT is then one folder of documents, a JSON Lines file or Parquet "
    "(columns id, text; optional setting, date, encounter_id) and --output OUT.parquet gets "
    "one row per note. Needs `pip install 'medcoder[spark]'` and Java 17 (docs/spark.md)."
)
PACKS_HELP = (
    "With --spark: a medcoder data folder (packs/ inside) every executor can read. Default: "
    "this machine's packs, read in place by a local master and shipped to the executors of "
    "a cluster with SparkContext.addFile."
)
SYSTEMS_HELP = (
    "Comma list of icd10cm, icd10pcs, cpt (E/M, procedures), hcpcs (drugs). Default by "
    "--setting: inpatient and abstraction code icd10cm,icd10pcs (PCS once its pack is "
    "imported); outpatient, emergency and observation code icd10cm,cpt,hcpcs (the E/M level "
    "needs no CPT file; CPT procedures need your licensed file and say so without it; HCPCS "
    "drugs need the HCPCS pack). A system whose pack is missing is left out with a note."
)


def _request(setting: str, model: Path | None, date: str | None, systems: str | None):  # noqa: ANN202 - CodingRequest
    """The coding request the options describe (usage errors before any work)."""
    from medcoder.codesets.periods import parse_date
    from medcoder.coding.request import CodingRequest

    on = parse_date(date) if date else None
    request = CodingRequest.build(setting, systems=systems, on=on)
    if model is not None:
        from medcoder.learning import load_model

        request = CodingRequest.build(setting, systems=systems, on=on, model=load_model(model))
    return request


def _engine(  # noqa: ANN202
    setting: str,
    model: Path | None,
    date: str | None,
    systems: str | None = None,
    *,
    announce: bool = True,
):
    """The shared pipeline of the request; notes about systems left out go to stderr once
    (``announce=False`` where each result's table prints them among its warnings)."""
    from medcoder.lean_imports import import_medspacy_lean

    import_medspacy_lean()
    from medcoder.coding.api import pipeline_for

    pipeline = pipeline_for(_request(setting, model, date, systems))
    for note in pipeline.request.notes if announce else ():
        typer.echo(f"note: {note}", err=True)
    return pipeline


def _code_files(files: list[Path], engine):  # noqa: ANN001, ANN202
    """Yield (document id, CodingResult | None, error) per input; one bad file spoils nothing."""
    from medcoder.documents.readers import read_many
    from medcoder.errors import MedcoderError
    from medcoder.nlp.language import NAMES, detect_language
    from medcoder.suggestions import CodingResult

    for path, outcome in zip(files, read_many(files), strict=True):
        if not outcome.ok:
            yield path.stem, None, str(outcome.error)
            continue
        for document in outcome.documents:
            document.id = path.stem if len(outcome.documents) == 1 else document.id
            lang = detect_language(document.text)
            if lang not in (None, "en"):
                result = CodingResult(document.id, engine.profile.name, language=lang)
                result.warnings.append(
                    f"document is in {NAMES.get(lang, lang)}; medcoder codes English text only"
                )
                yield document.id, result, None
                continue
            try:
                yield document.id, engine.code_document(document), None
            except MedcoderError as exc:
                yield document.id, None, str(exc)


def code(
    paths: list[Path] = typer.Argument(..., help="Files or folders of documents."),
    setting: str = typer.Option("outpatient", "--setting", "-s", help=SETTING_HELP),
    fmt: OutFormat = typer.Option(OutFormat.TABLE, "--format", help="table, json or jsonl."),
    model: Path | None = typer.Option(None, "--model", "-m", help="A model from `medcoder train`."),
    date: str | None = typer.Option(None, "--date", help="Date of service (code set in force)."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to a file, not stdout."),
    systems: str | None = typer.Option(None, "--systems", help=SYSTEMS_HELP),
    explain_pipeline: bool = typer.Option(
        False,
        "--explain-pipeline",
        help="After coding, list the pipeline's components in order with what each does and "
        "the seconds it took (on stderr).",
    ),
    spark: str | None = typer.Option(None, "--spark", metavar="MASTER", help=SPARK_HELP),
    packs: str | None = typer.Option(None, "--packs", help=PACKS_HELP),
    queries: bool = typer.Option(
        False, "--queries", help="With --spark: add each note's CDI query opportunities."
    ),
    partitions: int | None = typer.Option(
        None, "--partitions", min=1, help="With --spark: split the notes into this many tasks."
    ),
    id_column: str = typer.Option("id", "--id-column", help="With --spark: JSONL/Parquet id."),
    text_column: str = typer.Option("text", "--text-column", help="With --spark: the text."),
) -> None:
    """Assign the codes the setting calls for to each document, each with its evidence.

    Inpatient and abstraction: ICD-10-CM diagnoses and ICD-10-PCS procedures; outpatient:
    ICD-10-CM, the CPT E/M level and HCPCS drugs (see --systems).
    JSONL gives one line per input document: {"document", "codes": [{"system", "code",
    "description", "score", "evidence": [...]}]}.
    With --spark MASTER the documents are coded on Apache Spark into Parquet (docs/spark.md).
    """
    if spark is not None:
        from medcoder.cli.on_spark import code_on_spark

        code_on_spark(
            paths,
            master=spark,
            output=output,
            request=_request(setting, None, date, systems),
            explicit_systems=systems is not None,
            model=model,
            packs=packs,
            queries=queries,
            partitions=partitions,
            id_column=id_column,
            text_column=text_column,
        )
        return
    if packs is not None or queries or partitions is not None:
        from medcoder.errors import UsageError

        raise UsageError("--packs, --queries and --partitions go with --spark MASTER")
    files = _inputs(paths)
    engine = _engine(setting, model, date, systems, announce=fmt is not OutFormat.TABLE)
    failures = 0
    sink = open_output(output) if output else sys.stdout
    # rich (about 0.02 s to import) only for the table format, not for json/jsonl runs.
    out = console() if fmt is OutFormat.TABLE else None
    collected = []
    try:
        for doc_id, result, error in _code_files(files, engine):
            if error is not None:
                failures += 1
                typer.echo(f"Error: {error}", err=True)
                if fmt is OutFormat.JSONL:
                    sink.write(json.dumps({"document": doc_id, "codes": [], "error": error}) + "\n")
                continue
            if fmt is OutFormat.JSONL:
                sink.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
            elif fmt is OutFormat.JSON:
                collected.append(result.to_dict())
            else:
                _print_table(out, result)
        if fmt is OutFormat.JSON:
            sink.write(
                json.dumps(
                    collected if len(collected) != 1 else collected[0], indent=2, ensure_ascii=False
                )
                + "\n"
            )
    finally:
        if output:
            sink.close()
    if explain_pipeline:
        _print_pipeline(engine)
    if failures:
        sys.exit(1)


def _print_pipeline(pipeline) -> None:  # noqa: ANN001 - coding.pipeline.Pipeline
    """The components that ran, in order, each with its job and time (stderr)."""
    from rich.console import Console

    request = pipeline.request
    t = table(
        f"pipeline · {request.setting.value} · {', '.join(request.systems)} · "
        f"{pipeline.runs} run(s)",
        ["#", "Component", "Does", "Seconds"],
    )
    for i, row in enumerate(pipeline.describe(), start=1):
        t.add_row(str(i), str(row["name"]), str(row["does"]), f"{row['seconds']:.3f}")
    Console(stderr=True).print(t)


def _print_table(out, result) -> None:  # noqa: ANN001
    t = table(
        f"{result.document} · {result.setting}", ["#", "Code", "Description", "Score", "Evidence"]
    )
    for i, c in enumerate(result.codes, start=1):
        ev = "; ".join(f"“{e.text}” ({e.section or '-'})" for e in c.evidence[:2])
        t.add_row(str(i), c.code, c.description, f"{c.score:.2f}", ev)
    out.print(t)
    for w in result.warnings:
        out.print(f"[yellow]warning:[/] {w}")
    if not result.codes:
        out.print("[dim]no codes[/]")


def explain(
    path: Path = typer.Argument(..., help="One document."),
    setting: str = typer.Option("outpatient", "--setting", "-s", help=SETTING_HELP),
    model: Path | None = typer.Option(None, "--model", "-m", help="A model from `medcoder train`."),
    fmt: OutFormat = typer.Option(OutFormat.TABLE, "--format", help="table or json."),
    systems: str | None = typer.Option(None, "--systems", help=SYSTEMS_HELP),
) -> None:
    """Show why each code was assigned (index path, PCS axis table, E/M MDM grid, guideline,
    evidence) and why others were not; --format json carries the same tables as data."""
    from medcoder.cli.explain_view import render

    files = _inputs([path])
    engine = _engine(setting, model, None, systems)
    for doc_id, result, error in _code_files(files, engine):
        if error:
            from medcoder.errors import DocumentError

            raise DocumentError(doc_id, error)
        if fmt is not OutFormat.TABLE:
            print_json(result.to_dict(explain=True))
            continue
        render(console(), result)


def _read_texts(texts: Path):  # noqa: ANN202
    from medcoder.documents.readers import read_many

    files = _inputs([texts])
    docs = []
    for path, outcome in zip(files, read_many(files), strict=True):
        if outcome.ok and len(outcome.documents) == 1:
            outcome.documents[0].id = path.stem
            docs.append(outcome.documents[0])
        elif not outcome.ok:
            typer.echo(f"warning: skipped {path}: {outcome.error}", err=True)
    return docs


def _gold_by_system(gold: list[Path]):  # noqa: ANN202
    from medcoder.learning.gold import read_gold_files

    return read_gold_files(gold)


def train(
    texts: Path = typer.Option(..., "--texts", help="Folder of training documents."),
    gold: list[Path] = typer.Option(..., "--gold", help="doc<TAB>code file; repeat for several."),
    output: Path = typer.Option(..., "--output", "-o", help="Where to write the model."),
    setting: str = typer.Option("abstraction", "--setting", "-s", help=SETTING_HELP),
    threshold_for: str = typer.Option(
        "f1+map",
        "--threshold-for",
        help="What the reporting threshold is chosen for on out-of-fold scores: 'f1' (best "
        "micro F1) or 'f1+map' (F1 plus MAP: more codes, ranked, for a reviewer).",
    ),
    seed: int = typer.Option(
        13, "--seed", help="Seed of the cross-fitting folds (same seed, same model)."
    ),
) -> None:
    """Learn an organisation's coding from documents and their final codes."""
    from medcoder.coding.engine import CodingEngine
    from medcoder.errors import UsageError
    from medcoder.learning.house_model import THRESHOLD_OBJECTIVES, HouseModel

    if threshold_for not in THRESHOLD_OBJECTIVES:
        raise UsageError(
            f"--threshold-for {threshold_for!r}: use one of {', '.join(THRESHOLD_OBJECTIVES)}"
        )
    by_system = _gold_by_system(gold)
    dx = by_system.get("ICD-10-CM", {})
    if not dx:
        raise UsageError("the --gold files hold no ICD-10-CM codes to learn from")
    docs = _read_texts(texts)
    matched = [d for d in docs if d.id in dx]
    if not matched:
        raise UsageError(f"no document in {texts} has codes in the --gold files (names must match)")
    pcs_gold = by_system.get("ICD-10-PCS")
    try:
        model = HouseModel(threshold_objective=threshold_for).fit(
            matched,
            dx,
            lambda s: CodingEngine(setting=s),
            setting=setting,
            seed=seed,
            procedure_gold=pcs_gold,
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    model.save(output)
    others = {s: len(v) for s, v in by_system.items() if s not in ("ICD-10-CM", "ICD-10-PCS")}
    console().print(
        f"trained on {len(matched)} documents: {len(model.phrases_)} learned phrases, "
        f"threshold {model.threshold_:.2f} → {output}"
        + (
            f" (codes of {', '.join(others)} recognised, not used by the diagnosis model)"
            if others
            else ""
        )
    )


def eval_(
    texts: Path = typer.Option(..., "--texts", help="Folder of documents."),
    gold: list[Path] = typer.Option(..., "--gold", help="doc<TAB>code file; repeat for several."),
    model: Path | None = typer.Option(None, "--model", "-m", help="A model from `medcoder train`."),
    setting: str = typer.Option("abstraction", "--setting", "-s", help=SETTING_HELP),
    fmt: OutFormat = typer.Option(OutFormat.TABLE, "--format", help="table or json."),
) -> None:
    """Score the engine against gold codes: P, R, F1, MAP, category F1, documents/second."""
    import time

    from medcoder.learning.evaluate import score

    by_system = _gold_by_system(gold)
    wanted = ",".join(s for s in ("ICD-10-CM", "ICD-10-PCS") if s in by_system)
    engine = _engine(setting, model, None, wanted or "icd10cm")
    docs = _read_texts(texts)
    engine.matcher  # noqa: B018 - load before timing: the figure is documents per second of coding
    engine.context.annotate("warm up", [(0, 4)])
    started = time.perf_counter()
    predicted = {}
    for document in docs:
        result = engine.code_document(document)
        predicted[document.id] = [(c.system, c.code, c.score) for c in result.codes]
    seconds = time.perf_counter() - started
    rows = {}
    for system, gold_codes in by_system.items():
        wanted = {d: g for d, g in gold_codes.items() if d in predicted}
        mine = {d: [(c, s) for sys_, c, s in p if sys_ == system] for d, p in predicted.items()}
        rows[system] = score(wanted, mine).to_dict()
    report = {
        "setting": setting,
        "model": str(model) if model else None,
        "documents": len(docs),
        "documents_per_second": round(len(docs) / seconds, 1) if seconds else None,
        "scores": rows,
    }
    if fmt is not OutFormat.TABLE:
        print_json(report)
        return
    t = table(
        f"{len(docs)} documents · {setting} · {report['documents_per_second']} docs/s",
        ["System", "P", "R", "F1", "MAP", "Cat P", "Cat R", "Cat F1", "Gold", "Predicted"],
    )
    for system, s in rows.items():
        t.add_row(
            system,
            *(
                f"{s[k]:.3f}"
                for k in (
                    "precision",
                    "recall",
                    "f1",
                    "map",
                    "category_precision",
                    "category_recall",
                    "category_f1",
                )
            ),
            str(s["gold_codes"]),
            str(s["predicted_codes"]),
        )
    console().print(t)


def register(app: typer.Typer) -> None:
    app.command()(code)
    app.command()(explain)
    app.command()(train)
    app.command("eval")(eval_)
