"""Physician-query accuracy on real notes (issue 19): found / missed / false alarms.

``benchmarks/cdi_expected.tsv`` says, for 33 mtsamples transcriptions (by their index in
``mtsamples_first401.csv``), what a CDI specialist would ask: one row per expected query topic
(``query``), per reasonable query that counts neither way (``acceptable``), or ``none``. It was
written before the tool was run on those notes. Each note is read, coded by the engine in its
setting (when the packs are imported; ``--no-coding`` skips it), and ``cdi.find`` drafts its
queries. A drafted query counts by its rule's topic: found when the note expects that topic,
a false alarm when the topic is neither expected nor acceptable there. Every draft is linted.

Targets (issue 19): >= 75 % of opportunities found, <= 1 false alarm per 4 notes, every draft
passes ``query lint``.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def expectations(path: Path) -> dict[int, dict[str, object]]:
    """index -> {"setting": str, "query": set, "acceptable": set} from the TSV."""
    notes: dict[int, dict[str, object]] = {}
    lines = [line for line in path.read_text().splitlines() if line and not line.startswith("#")]
    for row in csv.DictReader(lines, delimiter="\t"):
        note = notes.setdefault(
            int(row["index"]), {"setting": row["setting"], "query": set(), "acceptable": set()}
        )
        if row["expect"] in ("query", "acceptable"):
            note[row["expect"]].add(row["topic"])  # type: ignore[union-attr]
    return notes


def transcriptions(shared: Path) -> dict[int, str]:
    csv.field_size_limit(sys.maxsize)
    path = shared / "mtsamples" / "mtsamples_first401.csv"
    with path.open(encoding="utf-8", errors="replace") as fh:
        return {int(row[0]): row[4] for row in csv.reader(fh) if len(row) > 4 and row[0].strip()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--expected", type=Path, default=REPO / "benchmarks" / "cdi_expected.tsv")
    parser.add_argument("--no-coding", action="store_true", help="rules on text only")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every draft")
    args = parser.parse_args()

    from medcoder.cdi import find, lint_query
    from medcoder.documents.readers import read_document

    notes = expectations(args.expected)
    texts = transcriptions(args.shared)
    engines: dict[str, object] = {}
    coding_note = "rules on text only"
    if not args.no_coding:
        from medcoder.coding.engine import CodingEngine

        try:
            CodingEngine(setting="inpatient").pack  # noqa: B018 - fails early without packs
            coding_note = "with the coding engine's codes"
        except Exception as exc:  # noqa: BLE001 - report and go on without codes
            print(f"coding engine unavailable ({exc}); rules on text only")
            args.no_coding = True

    totals = defaultdict(int)
    false_alarms: list[str] = []
    lint_failures: list[str] = []
    started = time.perf_counter()
    for index, note in notes.items():
        setting = str(note["setting"])
        document = read_document(texts[index].encode(), name=f"mtsamples{index}.txt")
        coding = None
        if not args.no_coding:
            from medcoder.coding.engine import CodingEngine

            engine = engines.setdefault(setting, CodingEngine(setting=setting))
            coding = engine.code_document(document)  # type: ignore[attr-defined]
        found = find(document, setting, coding=coding)
        raised: dict[str, list] = defaultdict(list)
        for opportunity in found:
            raised[opportunity.topic].append(opportunity)
            query = opportunity.query
            problems = lint_query(query.text, query_type=query.format) if query else []
            if problems:
                lint_failures.append(
                    f"{index} {opportunity.rule_id}: " + ", ".join(p.rule_id for p in problems)
                )
        expected = note["query"]
        acceptable = note["acceptable"]
        hit = expected & raised.keys()  # type: ignore[operator]
        missed = expected - raised.keys()  # type: ignore[operator]
        alarms = raised.keys() - expected - acceptable  # type: ignore[operator]
        totals["notes"] += 1
        totals["with"] += bool(expected)
        totals["opportunities"] += len(expected)  # type: ignore[arg-type]
        totals["found"] += len(hit)
        totals["missed"] += len(missed)
        totals["false"] += len(alarms)
        totals["drafts"] += len(found)
        for topic in sorted(alarms):
            first = raised[topic][0]
            line = first.query.clinical_indicators[0].line if first.query else ""
            false_alarms.append(f"{index} {first.rule_id} ({topic}): {line[:150]}")
        verdict = "ok" if not missed and not alarms else "MISSED" if missed else "FALSE ALARM"
        print(
            f"{index:>4} {setting:<10} expected {','.join(sorted(expected)) or '-':<38} "  # type: ignore[arg-type]
            f"drafted {','.join(sorted(raised)) or '-':<38} {verdict}"
        )
        if args.verbose:
            for opportunity in found:
                print("      " + opportunity.query.text.replace("\n", "\n      "))
    elapsed = time.perf_counter() - started

    n, opportunities = totals["notes"], totals["opportunities"]
    print()
    print(f"{n} notes ({totals['with']} with opportunities), {coding_note}, {elapsed:.1f} s")
    print(
        f"opportunities found: {totals['found']} / {opportunities} "
        f"({100 * totals['found'] / max(opportunities, 1):.0f} %; target >= 75 %), "
        f"missed {totals['missed']}"
    )
    print(
        f"false alarms: {totals['false']} ({totals['false'] / n * 4:.2f} per 4 notes; target <= 1)"
    )
    print(f"drafts: {totals['drafts']}, failing query lint: {len(lint_failures)} (target 0)")
    for line in false_alarms:
        print(f"  false alarm {line}")
    for line in lint_failures:
        print(f"  lint {line}")


if __name__ == "__main__":
    main()
