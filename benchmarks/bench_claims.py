"""Scrub + 837P for one encounter, pyx12 validation alone and in chunks, and `medcoder batch`
with validation on 1,000 encounters of which 5 are broken.

Run:  python benchmarks/bench_claims.py [--count 1000] [--broken 5]
Encounters come from the synthetic generator of the claim tests (no real data): the
outpatient ones the scrubber lets through, so every encounter that is not broken should be
written. The broken ones are an unreadable JSON file, a charge of 1e30, a repeated encounter
id, a payer without a member id, and an NDC without its quantity (the writer refuses it).
Prints the per-encounter times, the batch wall time and claims per second, and the files the
report names as failed.
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

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "claims"))


def _broken(clean: dict, n: int) -> str | dict:
    """The n-th kind of broken encounter (five kinds, then repeated)."""
    kind = n % 5
    if kind == 0:
        return "{ this is not JSON"
    data = json.loads(json.dumps(clean))
    if kind == 1:
        data["lines"][0]["charge"] = 1e30
    elif kind == 2:
        data["id"] = "ENC000000"  # the first encounter's id
    elif kind == 3:
        del data["payer"]["member_id"]
    else:
        data["lines"][0].update(ndc="00003-0293-05", ndc_quantity=None)
    return data


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--broken", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("MEDCODER_DATA_DIR", tempfile.mkdtemp(prefix="medcoder-bench-"))
    from test_x12_factory import synthetic_encounters

    from medcoder.claims.submission import Submitter, render
    from medcoder.claims.x12_validate import validate_many, validate_x12
    from medcoder.edits import Scrubber

    scrubber = Scrubber()
    encounters = [
        e
        for e in synthetic_encounters(200)
        if e.setting != "inpatient" and scrubber.scrub(e).ready_to_submit
    ]
    submitter = Submitter(submitter_phone="5555550100")
    times = []
    for i in range(2000):
        enc = encounters[i % len(encounters)]
        t = time.perf_counter()
        scrubber.scrub(enc)
        render(enc, "837P", submitter, i + 1)
        times.append(time.perf_counter() - t)
    times.sort()
    print(
        f"scrub + 837P per encounter: mean {statistics.mean(times) * 1000:.2f} ms, "
        f"median {statistics.median(times) * 1000:.2f} ms, "
        f"p95 {times[int(len(times) * 0.95)] * 1000:.2f} ms"
    )
    texts = [render(e, "837P", submitter, n) for n, e in enumerate(encounters[:100], 1)]
    t = time.perf_counter()
    assert all(validate_x12(x) == [] for x in texts[:20])
    one = (time.perf_counter() - t) / 20
    t = time.perf_counter()
    assert all(issues == [] for issues in validate_many(texts, chunk=100))
    chunked = (time.perf_counter() - t) / len(texts)
    print(
        f"pyx12 validation: {one * 1000:.0f} ms per file alone (20 files), "
        f"{chunked * 1000:.1f} ms per file in one run of {len(texts)}"
    )

    folder = Path(tempfile.mkdtemp(prefix="medcoder-batch-"))
    broken_at = {round(k * args.count / max(args.broken, 1)) + 7 for k in range(args.broken)}
    for i in range(args.count):
        enc = encounters[i % len(encounters)]
        data: str | dict = json.loads(
            enc.model_copy(update={"id": f"ENC{i:06d}"}).model_dump_json()
        )
        if i in broken_at:
            data = _broken(data, sorted(broken_at).index(i))
        text = data if isinstance(data, str) else json.dumps(data)
        (folder / f"enc{i:06d}.json").write_text(text, encoding="utf-8")
    out = folder / "out"
    t = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-m", "medcoder", "batch", str(folder), "-o", str(out),
         "--submitter-phone", "5555550100"],
        check=False,
        env=os.environ,
        capture_output=True,
        text=True,
    )  # fmt: skip
    seconds = time.perf_counter() - t
    rows = [json.loads(x) for x in (out / "batch-report.jsonl").read_text().splitlines()]
    statuses = {s: sum(r["status"] == s for r in rows) for s in ("written", "held", "failed")}
    files = len(list(out.glob("*.837")))
    print(
        f"`medcoder batch` of {args.count} encounters ({args.broken} broken), scrub + 837P + "
        f"pyx12 on every claim: {seconds:.1f} s wall (process start included), "
        f"{statuses['written'] / seconds:.1f} claims/s; statuses {statuses}; {files} .837 "
        f"files; exit status {run.returncode}"
    )
    for row in rows:
        if row["status"] != "written":
            print(f"  {row['status']}: {row['file']}: {row.get('error') or row.get('findings')}")


if __name__ == "__main__":
    main()
