"""Services on real notes: E/M level exactness on visits, no E/M on non-visits (issue 16).

Reads the shared reference sets (``../shared/data/reference``: ``aci_dev.tsv`` 40 ACI-BENCH
office visits, ``mts_dev.tsv`` 3 ED/office visits and 17 documents that are not office/ED
visits) and this repository's hand-leveled held-out set (``benchmarks/data/
em_heldout_expected.tsv``: 15 other ACI-BENCH visits leveled from the MDM table before the
tool was run on them). Each note is coded by ``services.service_codes`` with the setting the
reference gives (the CLI's ``code --setting outpatient`` path for the visits); the documents
that are not visits are asked for an E/M in their own setting, as outpatient and as emergency,
so "never on non-visit documents" is checked whatever the setting. Prints one line per set
and the time per note.

    PYTHONPATH=src python benchmarks/bench_services.py [--errors]
"""

from __future__ import annotations

import csv
import sys
import time
from pathlib import Path

from medcoder.documents.readers import read_document
from medcoder.documents.sections import segment
from medcoder.services.service_codes import service_codes

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
REFERENCE = SHARED / "reference"
# mts_dev documents by the reference coder's selection table (mts_dev_coder_notes.md): the
# ones that document no visit at all (discharge summaries, operative reports, radiology and
# test reports) must never get an E/M, whatever setting they are coded in; the admission H&Ps
# and inpatient consultations are hospital visits whose reference is facility-side only (no
# E/M row), so their professional codes are listed for information, not scored.
NOT_VISITS = {
    "mts_019", "mts_026",  # discharge summaries
    "mts_027", "mts_191", "mts_208", "mts_290", "mts_343", "mts_366", "mts_373",  # operative
    "mts_003", "mts_020", "mts_035",  # echocardiogram, bone scan, scrotal ultrasound
}  # fmt: skip


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8") as f:
        return [r for r in csv.reader(f, delimiter="\t") if r and r[0] != "document"]


def _note(doc_id: str) -> Path:
    if doc_id.startswith("mts_"):
        return REFERENCE / "mts_dev_notes" / f"{doc_id}.txt"
    return SHARED / "aci-bench" / "notes" / f"{doc_id}.txt"


def _em(doc_id: str, setting: str) -> list[str]:
    document = segment(read_document(_note(doc_id)))
    result = service_codes(document, setting=setting, systems=("CPT",))
    return [c.code for c in result.codes if c.code.startswith("99")]


def run(name: str, references: list[Path], errors: bool) -> tuple[int, int, int, float]:
    """(visits exact, visits, non-visits with an E/M, seconds per note) of one set."""
    wanted: dict[str, tuple[set[str], str]] = {}
    settings: dict[str, str] = {}
    for path in references:
        for row in _rows(path):
            doc_id = row[0]
            settings[doc_id] = row[5] if len(row) > 5 and row[5] else "outpatient"
            if row[1] == "EM" and row[3] == "required":
                wanted[doc_id] = (set(row[2].split("|")), settings[doc_id])
    exact = wrong_on_non_visits = 0
    start = time.perf_counter()
    for doc_id, setting in sorted(settings.items()):
        if doc_id in wanted:
            got = _em(doc_id, setting)
            ok = len(got) == 1 and got[0] in wanted[doc_id][0]
            exact += ok
            if errors and not ok:
                print(f"  {name} {doc_id}: got {got}, want {'|'.join(sorted(wanted[doc_id][0]))}")
        elif doc_id in NOT_VISITS:
            for asked in dict.fromkeys((setting, "outpatient", "emergency")):
                got = _em(doc_id, asked)
                if got:
                    wrong_on_non_visits += 1
                    if errors:
                        print(f"  {name} {doc_id} ({asked}): E/M {got} on a non-visit")
                    break
        else:
            print(
                f"  {name} {doc_id}: hospital visit, not scored: {setting} E/M {_em(doc_id, setting)}"
            )
    per_note = (time.perf_counter() - start) / max(1, len(settings))
    return exact, len(wanted), wrong_on_non_visits, per_note


def main(argv: list[str]) -> int:
    if not REFERENCE.is_dir():
        print(f"services benchmark: {REFERENCE} not found (the shared reference data); skipped")
        return 0
    errors = "--errors" in argv
    sets = [
        ("aci_dev", [REFERENCE / "aci_dev.tsv"]),
        ("mts_dev", [REFERENCE / "mts_dev.tsv"]),
        ("held-out", [ROOT / "benchmarks" / "data" / "em_heldout_expected.tsv"]),
    ]
    for name, paths in sets:
        exact, visits, non_visit_em, per_note = run(name, paths, errors)
        rate = exact / visits if visits else 0.0
        print(
            f"{name:9} E/M exact {exact}/{visits} = {rate:.2f} | E/M on non-visits: "
            f"{non_visit_em} | {per_note * 1000:.0f} ms/note"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
