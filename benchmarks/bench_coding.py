"""Diagnosis and procedure coding on CodiEsp, and the cold start of `medcoder code`.

Run:  python benchmarks/bench_coding.py [--shared ../shared/data]

Runs the same commands a user would (printed as it goes): import the official ICD-10-CM and
ICD-10-PCS files, evaluate on dev without a model, train on train, evaluate on dev with the
model; then times `medcoder code one_note.txt` from a fresh process. Uses a private data dir.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def medcoder(*args: str, env: dict[str, str]) -> str:
    print("$ medcoder " + " ".join(args), flush=True)
    out = subprocess.run(
        [sys.executable, "-m", "medcoder", *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout


def show(report: str) -> None:
    data = json.loads(report)
    print(f"  documents/s (coding only, load excluded): {data['documents_per_second']}")
    for system, s in data["scores"].items():
        print(
            f"  {system}: P {s['precision']:.3f} R {s['recall']:.3f} F1 {s['f1']:.3f} "
            f"MAP {s['map']:.3f} | category F1 {s['category_f1']:.3f} "
            f"| gold {s['gold_codes']} predicted {s['predicted_codes']}"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    parser.add_argument(
        "--seeds",
        default="",
        help="comma-separated extra fold seeds: train and evaluate once more per seed, to show "
        "how much the figures move with the cross-fitting folds",
    )
    args = parser.parse_args()
    codiesp = args.shared / "codiesp"
    if not codiesp.is_dir():
        sys.exit(f"CodiEsp not found under {args.shared}; pass --shared")
    env = {**os.environ, "MEDCODER_DATA_DIR": tempfile.mkdtemp(prefix="medcoder-bench-")}
    medcoder("data", "import", str(args.shared / "icd10cm"), str(args.shared / "icd10pcs"), env=env)
    dev, train = codiesp / "dev", codiesp / "train"
    gold = ["--gold", str(dev / "devD.tsv"), "--gold", str(dev / "devP.tsv")]
    show(
        medcoder(
            "eval",
            "--texts",
            str(dev / "text_files_en"),
            *gold,
            "--setting",
            "abstraction",
            "--format",
            "json",
            env=env,
        )
    )
    model = Path(env["MEDCODER_DATA_DIR"]) / "codiesp-train.model"
    t = time.perf_counter()
    medcoder(
        "train",
        "--texts",
        str(train / "text_files_en"),
        "--gold",
        str(train / "trainD.tsv"),
        "--gold",
        str(train / "trainP.tsv"),
        "-o",
        str(model),
        env=env,
    )
    print(
        f"  training took {time.perf_counter() - t:.1f} s; model {model.stat().st_size / 1024:.0f} KB"
    )
    show(
        medcoder(
            "eval",
            "--texts",
            str(dev / "text_files_en"),
            *gold,
            "--setting",
            "abstraction",
            "--model",
            str(model),
            "--format",
            "json",
            env=env,
        )
    )
    spread = []
    for seed in [int(x) for x in args.seeds.split(",") if x.strip()]:
        other = model.with_name(f"codiesp-train-seed{seed}.model")
        medcoder(
            "train",
            "--texts",
            str(train / "text_files_en"),
            "--gold",
            str(train / "trainD.tsv"),
            "--gold",
            str(train / "trainP.tsv"),
            "-o",
            str(other),
            "--seed",
            str(seed),
            env=env,
        )
        report = medcoder(
            "eval",
            "--texts",
            str(dev / "text_files_en"),
            *gold,
            "--setting",
            "abstraction",
            "--model",
            str(other),
            "--format",
            "json",
            env=env,
        )
        show(report)
        spread.append(json.loads(report)["scores"]["ICD-10-CM"])
    if spread:
        for key in ("f1", "map"):
            values = [s[key] for s in spread]
            print(
                f"  ICD-10-CM {key} over seeds {args.seeds}: "
                f"mean {statistics.mean(values):.4f}, min {min(values):.4f}, max {max(values):.4f}"
            )
    note = sorted((dev / "text_files_en").glob("*.txt"))[0]
    medcoder("code", str(note), "--format", "jsonl", env=env)  # builds the vocabulary cache once
    runs = []
    for _ in range(5):
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "medcoder", "code", str(note), "--format", "jsonl"],
            env=env,
            capture_output=True,
            check=True,
        )
        runs.append(time.perf_counter() - t)
    print(
        f"cold start `medcoder code one_note.txt`: median {statistics.median(runs):.2f} s "
        f"(min {min(runs):.2f} s, 5 runs)"
    )


if __name__ == "__main__":
    main()
