"""Document understanding: read + sections + sentences + mentions + assertion context.

Run:  python benchmarks/bench_documents.py [--shared ../shared/data]
Notes per second on one core over real transcriptions (mtsamples, ~500 words each when
available, else synthetic notes), peak memory, and time against input size (linearity).
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

SYNTHETIC = (
    "HISTORY OF PRESENT ILLNESS: The patient is a 67-year-old man with hypertension, type 2 "
    "diabetes mellitus and chronic kidney disease stage 3 who presents with two days of fever, "
    "productive cough and shortness of breath. He denies chest pain. No hematuria. "
    "PAST MEDICAL HISTORY: Coronary artery disease status post CABG, history of prostate cancer. "
    "FAMILY HISTORY: Mother had breast cancer. ASSESSMENT: Community acquired pneumonia, "
    "acute on chronic diastolic heart failure, hyponatremia. Rule out pulmonary embolism. "
)


def notes(shared: Path) -> list[str]:
    path = shared / "mtsamples" / "mtsamples_first401.csv"
    if path.is_file():
        csv.field_size_limit(sys.maxsize)
        with path.open(encoding="utf-8", errors="replace") as fh:
            texts = [row[4] for row in csv.reader(fh) if len(row) > 4 and row[4].strip()]
        return texts
    return [SYNTHETIC * 6] * 200


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    args = parser.parse_args()
    os.environ.setdefault("MEDCODER_DATA_DIR", tempfile.mkdtemp(prefix="medcoder-bench-"))
    from medcoder.coding.engine import CodingEngine
    from medcoder.documents.readers import read_document

    engine = CodingEngine(setting="abstraction")
    engine.matcher  # noqa: B018 - load vocabulary and rules before timing
    engine.context.annotate("warm up", [(0, 4)])
    texts = notes(args.shared)
    words = sum(len(t.split()) for t in texts)
    mentions = 0
    start = time.process_time()
    for i, text in enumerate(texts):
        document = read_document(text.encode(), name=f"note{i}.txt")
        mentions += len(engine.candidates(document))
    cpu = time.process_time() - start
    print(
        f"{len(texts)} notes, {words / len(texts):.0f} words on average: "
        f"{len(texts) / cpu:.1f} notes/s on one core (CPU time), {mentions / len(texts):.1f} mentions/note"
    )
    per_500 = (len(texts) / cpu) * (words / len(texts)) / 500
    print(f"normalised to 500-word notes: {per_500:.1f} notes/s")
    print(
        f"peak memory (max RSS): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )
    base = "\n\n".join(texts)[:200_000] or SYNTHETIC
    for size in (100_000, 1_000_000, 4_000_000):
        text = (base * (size // len(base) + 1))[:size]
        t = time.perf_counter()
        document = read_document(text.encode(), name="big.txt")
        found = len(engine.candidates(document))
        print(
            f"{size / 1e6:.1f} MB transcription: {time.perf_counter() - t:.2f} s ({found} mentions)"
        )


if __name__ == "__main__":
    main()
