"""Time the claim scrubber on synthetic encounters and print ms/encounter (one core).

Run: ``PYTHONPATH=src python benchmarks/bench_scrub.py [--encounters 500]``. The target is
at most 20 ms per encounter. Encounters are synthetic (12 diagnoses, 10 lines, NCCI and MUE
tables from the test fixtures, the example policy); the ICD-10-CM pack is the built-in
default, compiled into the medcoder data dir on first use.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time
from pathlib import Path

from medcoder.claims.model import ClaimEncounter
from medcoder.edits import Scrubber, load_mue, load_policy, load_ptp, scrub

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "edits"
POLICY = ROOT / "src" / "medcoder" / "edits" / "example_policy.yaml"

_DX = [
    "E11.22", "N18.30", "I10", "E78.5", "Z79.4", "G63", "M54.50", "R10.9", "E66.9", "Z68.30",
    "K21.9", "J45.909", "E10.9", "S52.521", "W19.XXXA", "O80", "N40.0", "Z00.129", "E11", "F41.1",
]  # fmt: skip
_LINES = [
    ("99214", ["25"]), ("99213", []), ("11042", []), ("97597", ["XS"]), ("20610", ["RT"]),
    ("27447", ["LT"]), ("36415", []), ("80053", []), ("83036", []), ("97110", []),
    ("93000", []), ("43239", []), ("43235", []), ("J1100", []),
]  # fmt: skip


def make_encounter(rng: random.Random, n: int) -> ClaimEncounter:
    dx = [{"code": c} for c in rng.sample(_DX, 12)]
    lines = [
        {
            "code": code,
            "modifiers": mods,
            "charge": "100.00",
            "units": str(rng.choice([1, 1, 1, 2, 3])),
            "dx_pointers": sorted(rng.sample(range(1, 13), rng.randint(1, 4))),
        }
        for code, mods in rng.sample(_LINES, 10)
    ]
    return ClaimEncounter.model_validate(
        {
            "id": f"BENCH-{n}",
            "service_date": "2026-01-15",
            "patient": {
                "id": f"P{n}",
                "first_name": "Synthetic",
                "last_name": "Patient",
                "birth_date": f"{rng.randint(1930, 2020)}-06-15",
                "sex": rng.choice("FM"),
            },
            "payer": {"name": "Acme", "id": rng.choice(["ACME01", "OTHER"]), "member_id": "X1"},
            "billing_provider": {"npi": "1234567893"},
            "diagnoses": dx,
            "lines": lines,
            "abn_on_file": rng.random() < 0.2,
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--encounters", type=int, default=500)
    args = parser.parse_args()
    rng = random.Random(7)
    encounters = [make_encounter(rng, n) for n in range(args.encounters)]
    ptp = load_ptp(FIXTURES / "ptp_practitioner.txt", FIXTURES / "ptp_outpatient.csv")
    mue = load_mue(FIXTURES / "mue_practitioner.txt")
    policy = load_policy(POLICY)
    today = dt.date(2026, 3, 1)

    scrubber = Scrubber(policy=policy, ncci=ptp, mue=mue)
    scrubber.scrub(encounters[0], today=today)  # open the pack and load its flags once

    times, findings = [], 0
    for enc in encounters:
        started = time.perf_counter()
        report = scrubber.scrub(enc, today=today)
        times.append((time.perf_counter() - started) * 1000)
        findings += len(report.findings)
    one_off = []
    for enc in encounters[:50]:
        started = time.perf_counter()
        scrub(enc, policy=policy, ncci=ptp, mue=mue, today=today)
        one_off.append((time.perf_counter() - started) * 1000)

    times.sort()
    print(f"encounters: {len(encounters)} (12 dx, 10 lines each), findings: {findings}")
    print(
        f"Scrubber.scrub: mean {statistics.mean(times):.2f} ms/encounter, "
        f"median {statistics.median(times):.2f}, p95 {times[int(len(times) * 0.95)]:.2f}, "
        f"max {times[-1]:.2f}"
    )
    print(f"scrub() one-off (resolves packs each call): mean {statistics.mean(one_off):.2f} ms")
    print(f"target <= 20 ms/encounter: {'met' if statistics.mean(times) <= 20 else 'MISSED'}")


if __name__ == "__main__":
    main()
