"""Physician-query overhead (issue 8): coding time per document with and without opportunity
detection, over the mtsamples transcriptions and the examples.

Target: finding opportunities adds at most 10 % to coding time. Each document is read once
(reading is not timed), coded (timed), then its opportunities found (timed), on CPU time of
one process; the figure is the ratio of the two sums, and the median of per-document ratios.
Uses the packs of the user's data dir (``medcoder data import ../shared/data/icd10cm`` first).
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def texts(shared: Path) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    path = shared / "mtsamples" / "mtsamples_first401.csv"
    if path.is_file():
        csv.field_size_limit(sys.maxsize)
        with path.open(encoding="utf-8", errors="replace") as fh:  # no header row
            rows = [row for row in csv.reader(fh) if len(row) > 4 and row[4].strip()]
        out += [(f"mtsamples{row[0].strip()}.txt", row[4]) for row in rows]
    out += [(p.name, p.read_text()) for p in sorted((REPO / "examples").glob("*.txt"))]
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--setting", default="inpatient")
    parser.add_argument("--repeat", type=int, default=3, help="passes; the fastest is kept")
    args = parser.parse_args()

    from medcoder.cdi import default_rules, find
    from medcoder.coding.engine import CodingEngine
    from medcoder.documents.readers import read_document

    engine = CodingEngine(setting=args.setting)
    rules = default_rules()
    documents = [read_document(t.encode(), name=n) for n, t in texts(args.shared)]
    warm = engine.code_document(documents[0])  # vocabulary, rules and patterns loaded
    find(documents[0], args.setting, coding=warm, rules=rules)

    best: tuple[float, float, list[float], int] | None = None
    for _ in range(args.repeat):
        coding = cdi = 0.0
        ratios: list[float] = []
        found = 0
        for document in documents:
            t0 = time.process_time()
            result = engine.code_document(document)
            t1 = time.process_time()
            found += len(find(document, args.setting, coding=result, rules=rules))
            t2 = time.process_time()
            coding += t1 - t0
            cdi += t2 - t1
            if t1 > t0:
                ratios.append((t2 - t1) / (t1 - t0))
        if best is None or coding + cdi < best[0] + best[1]:
            best = (coding, cdi, ratios, found)
    coding, cdi, ratios, found = best  # type: ignore[misc]
    n = len(documents)
    print(f"{n} documents ({args.setting}), best of {args.repeat} passes, CPU time")
    print(f"coding:                 {coding / n * 1000:.2f} ms/document")
    print(f"opportunity detection:  {cdi / n * 1000:.2f} ms/document ({found} opportunities)")
    print(
        f"overhead: {cdi / coding * 100:.1f} % of coding time (sum); "
        f"median per document {statistics.median(ratios) * 100:.1f} %; target <= 10 %"
    )


if __name__ == "__main__":
    main()
