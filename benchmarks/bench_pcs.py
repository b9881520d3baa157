"""ICD-10-PCS accuracy and speed: CodiEsp procedures, and real operative and inpatient notes.

Run:  python benchmarks/bench_pcs.py [--shared ../shared/data] [--split dev] [--show 0]
Builds the FY2023 PCS pack in a private data dir, codes the English CodiEsp texts of the split
with the general engine, then with the house-style model trained on train only, and prints
micro P/R/F1 (CodiEsp scoring: exact string, 4-character gold matches only 4-character
predictions) and documents per second.

Run:  python benchmarks/bench_pcs.py --real [--shared ../shared/data]
Codes real transcriptions in the inpatient setting with ``medcoder code DIR --setting
inpatient --systems icd10pcs --format jsonl`` and scores them with
``../shared/tools/score_reference.py``: the inpatient notes of the mtsamples reference set
(``reference/mts_dev.tsv``) and the held-out sets of ``benchmarks/data/pcs_heldout*.tsv``
(mtsamples notes by index, coded by hand before the engine ran on them). Prints precision,
recall, the number of queries, and how many assigned codes are incomplete (must be 0).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path


def _docs(folder: Path) -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))}


def main() -> None:
    parser = argparse.ArgumentParser()
    default = Path(__file__).resolve().parents[2] / "shared" / "data"
    parser.add_argument("--shared", type=Path, default=default)
    parser.add_argument("--split", default="dev")
    parser.add_argument("--show", type=int, default=0, help="print N missed/extra examples")
    parser.add_argument("--real", action="store_true", help="real notes instead of CodiEsp")
    args = parser.parse_args()
    os.environ.setdefault("MEDCODER_DATA_DIR", tempfile.mkdtemp(prefix="medcoder-bench-"))
    if args.real:
        real_notes(args.shared)
        return

    from medcoder.codesets import registry
    from medcoder.codesets.importer import import_paths
    from medcoder.documents.sections import segment
    from medcoder.documents.text_reader import text_document
    from medcoder.learning.evaluate import read_gold, score
    from medcoder.procedures.pcs_engine import PcsEngine
    from medcoder.procedures.pcs_model import PcsHouseModel

    try:
        registry.choose("icd10pcs", None, "ICD-10-PCS")
    except Exception:  # noqa: BLE001 - no pack yet: build it
        import_paths([args.shared / "icd10pcs"])
    codiesp = args.shared / "codiesp"
    split = args.split
    gold = read_gold([codiesp / split / f"{split}P.tsv"])
    texts = _docs(codiesp / split / "text_files_en")
    train_gold = read_gold([codiesp / "train" / "trainP.tsv"])
    train_texts = _docs(codiesp / "train" / "text_files_en")

    engine = PcsEngine("abstraction", prefix_length=4)

    def doc(name: str, text: str):  # noqa: ANN202
        return segment(text_document(text, doc_id=name, source=name))

    t = time.perf_counter()
    results = {name: engine.analyze(doc(name, text)) for name, text in texts.items()}
    elapsed = time.perf_counter() - t
    predicted = {n: [(c.code, c.score) for c in r.codes] for n, r in results.items()}
    evaluated = {d: g for d, g in gold.items() if d in texts}
    s = score(evaluated, predicted)
    print(
        f"engine   {split}: P {s.precision:.3f} R {s.recall:.3f} F1 {s.f1:.3f} "
        f"({len(texts)} docs, {len(texts) / elapsed:.1f} docs/s)"
    )

    t = time.perf_counter()
    model = PcsHouseModel().fit(engine, {n: doc(n, x) for n, x in train_texts.items()}, train_gold)
    fit_s = time.perf_counter() - t
    t = time.perf_counter()
    learned = {n: model.predict(doc(n, text), results[n]) for n, text in texts.items()}
    predict_s = time.perf_counter() - t + elapsed
    s2 = score(evaluated, learned)
    print(
        f"+ house  {split}: P {s2.precision:.3f} R {s2.recall:.3f} F1 {s2.f1:.3f} "
        f"({len(texts) / predict_s:.1f} docs/s; fit on train {fit_s:.1f} s)"
    )
    if args.show:
        from collections import Counter

        missed: Counter[str] = Counter()
        extra: Counter[str] = Counter()
        for d, codes in evaluated.items():
            pred = {c.lower() for c, _ in learned.get(d, [])}
            missed.update(codes - pred)
            extra.update(pred - codes)
        print("most missed:", missed.most_common(args.show))
        print("most extra: ", extra.most_common(args.show))


def _held_out_notes(shared: Path, reference: Path, folder: Path) -> int:
    """Write the mtsamples notes a held-out TSV names (``mts_NNN`` = index NNN) to ``folder``."""
    import csv

    wanted = {
        line.split("\t", 1)[0]
        for line in reference.read_text(encoding="utf-8").splitlines()
        if line.startswith("mts_")
    }
    rows = csv.reader((shared / "mtsamples" / "mtsamples_first401.csv").open(encoding="utf-8"))
    for row in rows:
        name = f"mts_{int(row[0]):03d}"
        if name in wanted:
            (folder / f"{name}.txt").write_text(row[4], encoding="utf-8")
    return len(wanted)


def _reference_notes(shared: Path, folder: Path) -> int:
    """The inpatient notes (6th column) of the mtsamples reference set."""
    reference = shared / "reference"
    names = set()
    for line in (reference / "mts_dev.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        cells = line.split("\t")
        if len(cells) > 5 and cells[5] == "inpatient":
            names.add(cells[0])
    for name in names:
        text = (reference / "mts_dev_notes" / f"{name}.txt").read_text(encoding="utf-8")
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    return len(names)


def real_notes(shared: Path) -> None:
    """Code real notes with the CLI and score them with the shared scorer."""
    import json
    import subprocess
    import sys

    from medcoder.codesets import registry
    from medcoder.codesets.importer import import_paths

    try:
        registry.choose("icd10pcs", None, "ICD-10-PCS")
    except Exception:  # noqa: BLE001 - no pack yet: build it
        import_paths([shared / "icd10pcs"])
    here = Path(__file__).resolve().parent
    scorer = shared.parent / "tools" / "score_reference.py"
    sets = [("reference mts_dev (inpatient)", shared / "reference" / "mts_dev.tsv", None)]
    sets += [(p.stem, p, p) for p in sorted((here / "data").glob("pcs_heldout*.tsv"))]
    for title, reference, held in sets:
        folder = Path(tempfile.mkdtemp(prefix="pcs-notes-"))
        count = _held_out_notes(shared, held, folder) if held else _reference_notes(shared, folder)
        command = [sys.executable, "-m", "medcoder", "code", str(folder), "--setting"]
        command += ["inpatient", "--systems", "icd10pcs", "--format", "jsonl"]
        t = time.perf_counter()
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        elapsed = time.perf_counter() - t
        predictions = folder / "predictions.jsonl"
        predictions.write_text(out, encoding="utf-8")
        codes = [c for line in out.splitlines() for c in json.loads(line)["codes"]]
        pcs = [c["code"] for c in codes if c["system"] == "ICD-10-PCS"]
        queries = sum(
            w.startswith("procedure query")
            for line in out.splitlines()
            for w in json.loads(line).get("warnings", [])
        )
        scored = subprocess.run(
            [sys.executable, str(scorer), str(predictions), str(reference), "--json"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        result = json.loads(scored)["ICD-10-PCS"]
        print(
            f"{title}: {count} notes, PCS P {result['P']:.3f} R {result['R']:.3f} "
            f"F1 {result['F1']:.3f} ({result['correct']}/{result['predicted']} right, "
            f"{result['found']}/{result['required']} required found); {queries} queries; "
            f"incomplete codes assigned: {sum(len(c) != 7 for c in pcs)}; "
            f"{elapsed:.1f} s for the CLI run"
        )


if __name__ == "__main__":
    main()
