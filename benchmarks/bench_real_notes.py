"""Real notes: the development reference sets coded as a coder would, scored per set and setting.

Reads the reference codings of real notes by an independent certified coder from
``../shared/data/reference`` (ACI-BENCH office visits, MTSamples transcriptions), codes each
set the way ``shared/tools/real_notes_check.sh`` does (``medcoder code DIR --setting S
--format jsonl``: outpatient for the office visits and the outpatient transcriptions,
inpatient with ICD-10-CM + ICD-10-PCS for the inpatient ones), scores with the shared
``score_reference.py`` and prints:

- ICD-10-CM precision, recall and first-listed rate, E/M exact rate, ICD-10-PCS P/R, per set
  and per setting;
- calibration of the diagnosis scores: expected calibration error (ECE, 10 bins) and the
  precision of the codes scored >= 0.9 (``--calibration`` also prints each tier's precision,
  what ``src/medcoder/coding/data/score_tiers.tsv`` records);
- speed: notes per second of the whole run and per setting.

These are development sets: acceptance is measured on other notes of the same kinds.
Usage: ``python benchmarks/bench_real_notes.py [--shared ../shared] [--calibration]``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _read_reference(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8") as fh:
        return [r for r in csv.reader(fh, delimiter="\t") if r and r[0] != "document"]


def _code(folder: Path, setting: str, systems: str | None, out: Path) -> float:
    command = [sys.executable, "-m", "medcoder", "code", str(folder), "--setting", setting]
    if systems:
        command += ["--systems", systems]
    command += ["--format", "jsonl", "-o", str(out)]
    started = time.perf_counter()
    subprocess.run(command, check=True, cwd=REPO, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def _score(shared: Path, predictions: Path, reference: Path) -> dict:
    tool = shared / "tools" / "score_reference.py"
    run = subprocess.run(
        [sys.executable, str(tool), str(predictions), str(reference), "--json"],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(run.stdout)


def _calibration(predictions: list[dict], reference: dict[str, set[str]]) -> dict:
    pairs = []
    for row in predictions:
        allowed = reference.get(row["document"], set())
        for code in row["codes"]:
            if code["system"] == "ICD-10-CM":
                pairs.append((code["score"], code["code"].replace(".", "") in allowed))
    bins: dict[int, list[tuple[float, bool]]] = defaultdict(list)
    for score, ok in pairs:
        bins[min(9, int(score * 10))].append((score, ok))
    ece = sum(
        len(b) / len(pairs) * abs(sum(s for s, _ in b) / len(b) - sum(o for _, o in b) / len(b))
        for b in bins.values()
    )
    high = [ok for score, ok in pairs if score >= 0.9]
    return {
        "codes": len(pairs),
        "ece": round(ece, 3),
        "codes_scored_0.9_or_more": len(high),
        "precision_at_0.9": round(sum(high) / len(high), 3) if high else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--calibration", action="store_true", help="print precision per tier")
    args = parser.parse_args()
    data = args.shared / "data"
    ref_dir = data / "reference"
    if not ref_dir.is_dir():
        sys.exit(f"reference sets not found under {ref_dir} (pass --shared)")
    aci = _read_reference(ref_dir / "aci_dev.tsv")
    mts = _read_reference(ref_dir / "mts_dev.tsv")
    allowed: dict[str, set[str]] = defaultdict(set)
    for row in aci + mts:
        if row[1] == "ICD-10-CM":
            allowed[row[0]].update(c.replace(".", "") for c in row[2].split("|"))
    tmp = Path(tempfile.mkdtemp(prefix="bench-real-notes-"))
    try:
        folders = {
            "aci": tmp / "aci",
            "outpatient": tmp / "outpatient",
            "inpatient": tmp / "inpatient",
        }
        for folder in folders.values():
            folder.mkdir()
        for doc in sorted({r[0] for r in aci}):
            shutil.copy(data / "aci-bench" / "notes" / f"{doc}.txt", folders["aci"])
        settings = {r[0]: r[5] for r in mts}
        for doc, setting in settings.items():
            shutil.copy(ref_dir / "mts_dev_notes" / f"{doc}.txt", folders[setting])
        runs = [
            ("aci", "outpatient", None, ref_dir / "aci_dev.tsv"),
            ("outpatient", "outpatient", None, ref_dir / "mts_dev.tsv"),
            ("inpatient", "inpatient", "icd10cm,icd10pcs", ref_dir / "mts_dev.tsv"),
        ]
        seconds: dict[str, float] = {}
        predictions: list[dict] = []
        for name, setting, systems, _ in runs:
            out = tmp / f"{name}.jsonl"
            seconds[name] = _code(folders[name], setting, systems, out)
            predictions += [json.loads(line) for line in out.read_text().splitlines()]
        mts_all = tmp / "mts.jsonl"
        mts_all.write_text(
            (tmp / "outpatient.jsonl").read_text() + (tmp / "inpatient.jsonl").read_text()
        )
        print("Real notes, development reference sets (acceptance uses other notes)")
        print(
            f"{'set':22} {'notes':>5} {'CM P':>6} {'CM R':>6} {'1st':>6} {'E/M':>6} {'PCS P':>6} {'PCS R':>6} {'notes/s':>8}"
        )
        scored = [
            ("ACI-BENCH office visits", "aci", tmp / "aci.jsonl", ref_dir / "aci_dev.tsv"),
            ("MTSamples, all", "mts", mts_all, ref_dir / "mts_dev.tsv"),
            (
                "MTSamples outpatient",
                "outpatient",
                tmp / "outpatient.jsonl",
                ref_dir / "mts_dev.tsv",
            ),
            ("MTSamples inpatient", "inpatient", tmp / "inpatient.jsonl", ref_dir / "mts_dev.tsv"),
        ]
        for label, key, pred, reference in scored:
            # a subset is scored against the reference rows of its own notes only
            docs = {json.loads(line)["document"] for line in pred.read_text().splitlines()}
            subset = tmp / f"{key}-reference.tsv"
            with subset.open("w", encoding="utf-8") as fh:
                fh.write("document\tsystem\tcodes\ttier\trationale\tsetting\n")
                for row in _read_reference(reference):
                    if row[0] in docs:
                        fh.write("\t".join(row) + "\n")
            r = _score(args.shared, pred, subset)
            cm, pcs = r["ICD-10-CM"], r["ICD-10-PCS"]
            n = r["documents_predicted"]
            rate = (
                n / seconds[key]
                if key in seconds
                else n / (seconds["outpatient"] + seconds["inpatient"])
            )
            em = r["em_level"]["rate"] if r["em_level"]["documents"] else float("nan")
            pcs_p = f"{pcs['P']:.2f}" if pcs["required"] or pcs["predicted"] else "-"
            pcs_r = f"{pcs['R']:.2f}" if pcs["required"] else "-"
            print(
                f"{label:22} {n:>5} {cm['P']:>6.2f} {cm['R']:>6.2f} "
                f"{r['first_listed']['rate']:>6.2f} {em:>6.2f} {pcs_p:>6} {pcs_r:>6} {rate:>8.1f}"
            )
        calibration = _calibration(predictions, allowed)
        print(
            f"\nCalibration of ICD-10-CM scores: ECE {calibration['ece']:.3f}; "
            f"{calibration['codes_scored_0.9_or_more']} of {calibration['codes']} codes scored "
            f">= 0.9, precision {calibration['precision_at_0.9']}"
        )
        if args.calibration:
            _tiers(predictions, allowed)
        print("(process start and pack loading included in notes/s; shared 2-core machine)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _tiers(predictions: list[dict], allowed: dict[str, set[str]]) -> None:
    """Precision of each score tier (the path's last 'score:' entry needs --explain output,
    so this re-codes in-process)."""
    sys.path.insert(0, str(REPO / "src"))
    os.environ.setdefault("MEDCODER_QUIET", "1")
    import medcoder

    counts: dict[str, list[bool]] = defaultdict(list)
    for row in predictions:
        doc = row["document"]
        path = _note_path(doc)
        setting = "inpatient" if row.get("setting") == "inpatient" else "outpatient"
        result = medcoder.code(path.read_text(encoding="utf-8"), setting=setting,
                               systems="icd10cm", document_id=doc)  # fmt: skip
        for code in result.codes:
            tier = next((p.split(":", 1)[1].split("(")[0].strip() for p in reversed(code.path)
                         if p.startswith("score:")), "?")  # fmt: skip
            counts[f"{tier} ({setting})"].append(code.code.replace(".", "") in allowed[doc])
    print("\nPrecision per score tier:")
    for tier, oks in sorted(counts.items(), key=lambda kv: -len(kv[1])):
        print(f"  {tier:40} n={len(oks):3}  kept {sum(oks) / len(oks):.2f}")


def _note_path(doc: str) -> Path:
    shared = REPO.parent / "shared" / "data"
    if doc.startswith("mts_"):
        return shared / "reference" / "mts_dev_notes" / f"{doc}.txt"
    return shared / "aci-bench" / "notes" / f"{doc}.txt"


if __name__ == "__main__":
    main()
