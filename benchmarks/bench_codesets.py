"""Code-set knowledge: cold start, validation throughput, search latency, pack builds.

Run:  python benchmarks/bench_codesets.py [--shared ../shared/data]
Prints one line per figure. Uses a private data dir, so your own packs are untouched.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    args = parser.parse_args()
    data = tempfile.mkdtemp(prefix="medcoder-bench-")
    os.environ["MEDCODER_DATA_DIR"] = data

    from medcoder.codesets import registry
    from medcoder.codesets.validation import validate_icd10cm

    t = time.perf_counter()
    registry.ensure_default_packs()
    print(f"build built-in ICD-10-CM FY2026 tabular pack: {time.perf_counter() - t:.2f} s")
    if args.shared.is_dir():
        from medcoder.codesets.importer import import_paths

        for folder in ("icd10cm", "icd10pcs", "hcpcs"):
            t = time.perf_counter()
            report = import_paths([args.shared / folder])
            built = ", ".join(f"{c} {s:.2f} s" for c, _, s in report.built)
            print(f"import {folder}: {time.perf_counter() - t:.2f} s ({built})")

    runs = []
    for _ in range(7):
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "medcoder", "lookup", "E11.22"],
            check=True,
            capture_output=True,
            env=os.environ,
        )
        runs.append(time.perf_counter() - t)
    print(
        f"cold start `medcoder lookup E11.22`: median {statistics.median(runs):.3f} s, "
        f"min {min(runs):.3f} s (7 runs)"
    )

    pack = registry.icd10cm()
    codes = list(pack.billable_keys())
    typed = [f"{c[:3]}.{c[3:]}".lower() if i % 2 else c for i, c in enumerate(codes)]
    typed += ["E11.2", "S72.001", "Z99.999", "E11.2@"] * 1000
    pack.flags  # noqa: B018 - load once, as a long-running process would
    t = time.perf_counter()
    ok = sum(1 for c in typed if pack.is_billable(c))
    dt = time.perf_counter() - t
    print(f"is_billable: {len(typed) / dt:,.0f} codes/s ({len(typed):,} codes, {ok:,} billable)")
    t = time.perf_counter()
    for c in typed:
        validate_icd10cm(c, pack)
    dt = time.perf_counter() - t
    print(f"validate (full verdict with reason): {len(typed) / dt:,.0f} codes/s")

    from medcoder.codesets.search import search

    queries = [
        "diabetic kidney disease",
        "fracture femur neck right",
        "acute appendicitis",
        "renal calculus",
        "congestive heart failure",
        "hypertension",
        "pneumonia organism",
        "breast cancer history",
        "urinary tract infection",
        "anemia chronic kidney",
    ]
    search(queries[0])
    times = []
    for _ in range(20):
        for q in queries:
            t = time.perf_counter()
            search(q, limit=15)
            times.append(time.perf_counter() - t)
    times.sort()
    print(
        f"search: median {statistics.median(times) * 1000:.2f} ms, "
        f"p95 {times[int(len(times) * 0.95)] * 1000:.2f} ms per query ({len(times)} queries)"
    )


if __name__ == "__main__":
    main()
