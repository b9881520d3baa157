"""Scrub + 837P for one encounter, pyx12 validation, and a 10,000-encounter batch.

Run:  python benchmarks/bench_claims.py [--count 10000]
Encounters come from the synthetic generator of the claim tests (no real data). Prints the
per-encounter times and the batch wall time (`medcoder batch` with a progress bar).
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
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "claims"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10_000)
    args = parser.parse_args()
    os.environ.setdefault("MEDCODER_DATA_DIR", tempfile.mkdtemp(prefix="medcoder-bench-"))
    from test_x12_factory import synthetic_encounters

    from medcoder.claims.x12_validate import validate_x12
    from medcoder.claims.x12_writer import write_837p
    from medcoder.edits import Scrubber

    encounters = [e for e in synthetic_encounters() if e.setting != "inpatient"]
    scrubber = Scrubber()
    scrubber.scrub(encounters[0])  # open the code pack once, as a long-running batch does
    times = []
    for i in range(2000):
        enc = encounters[i % len(encounters)]
        t = time.perf_counter()
        scrubber.scrub(enc)
        write_837p(
            enc,
            sender_id="MEDCODER",
            receiver_id=enc.payer.id,
            control_number=i + 1,
            created=datetime.now(UTC),
        )
        times.append(time.perf_counter() - t)
    times.sort()
    print(
        f"scrub + 837P per encounter: mean {statistics.mean(times) * 1000:.2f} ms, "
        f"median {statistics.median(times) * 1000:.2f} ms, p95 {times[int(len(times) * 0.95)] * 1000:.2f} ms"
    )
    t = time.perf_counter()
    for enc in encounters[:20]:
        assert (
            validate_x12(
                write_837p(
                    enc,
                    sender_id="MEDCODER",
                    receiver_id=enc.payer.id,
                    control_number=1,
                    created=datetime.now(UTC),
                )
            )
            == []
        )
    print(
        f"pyx12 validation: {(time.perf_counter() - t) / 20 * 1000:.0f} ms per file (20 files, all valid)"
    )

    folder = Path(tempfile.mkdtemp(prefix="medcoder-batch-"))
    for i in range(args.count):
        enc = encounters[i % len(encounters)].model_copy(update={"id": f"ENC{i:06d}"})
        (folder / f"enc{i:06d}.json").write_text(enc.model_dump_json(), encoding="utf-8")
    out = folder / "out"
    t = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "medcoder",
            "batch",
            str(folder),
            "-o",
            str(out),
            "--no-validate",
            "--submitter-phone",
            "5555550100",
        ],
        check=False,
        env=os.environ,
    )
    seconds = time.perf_counter() - t
    rows = [json.loads(x) for x in (out / "batch-report.jsonl").read_text().splitlines()]
    print(
        f"`medcoder batch` of {args.count} encounters (scrub + 837P, no per-file pyx12): {seconds:.1f} s, "
        f"{seconds / args.count * 1000:.2f} ms per encounter; statuses "
        f"{ {s: sum(r['status'] == s for r in rows) for s in ('written', 'held', 'failed')} }"
    )


if __name__ == "__main__":
    main()
