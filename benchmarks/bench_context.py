"""Time ContextAnnotator on synthetic ~500-word notes and print notes/second (one core).

Run: ``PYTHONPATH=src python benchmarks/bench_context.py [--notes 300]``. The target is at
least 100 notes/second; the notes are synthetic so no patient text is involved.
"""

from __future__ import annotations

import argparse
import random
import re
import time

from medcoder.nlp.context import ContextAnnotator

_CONDITIONS = [
    "pneumonia", "hypertension", "chest pain", "dyspnea", "diabetes mellitus", "sepsis",
    "acute kidney injury", "heart failure", "atrial fibrillation", "urinary tract infection",
    "COPD", "fever", "nausea", "vomiting", "edema", "anemia", "hyponatremia", "cellulitis",
]  # fmt: skip
_TEMPLATES = [
    "Patient presents with {c} and {d} for two days.",
    "Denies {c} but reports {d}.",
    "No evidence of {c} on chest x-ray.",
    "History of {c}, status post treatment in 2019.",
    "Mother had {c}; father with {d}.",
    "If {c} worsens, return to the emergency department.",
    "Probable {c}, cannot exclude {d}.",
    "{C} was ruled out by serial troponins.",
    "Negative for {c}, {d} or weight loss.",
    "The patient was seen and examined at bedside with the family present and questions answered.",
    "Vital signs were reviewed and the plan was discussed with nursing staff this morning.",
    "Continue current medications including lisinopril and metformin as previously prescribed.",
    "Assessment: {c}, likely secondary to {d}.",
]


def make_note(rng: random.Random, words: int = 500) -> tuple[str, list[tuple[int, int]]]:
    """A note of about ``words`` words plus the spans of every condition it names."""
    parts: list[str] = []
    count = 0
    while count < words:
        c, d = rng.sample(_CONDITIONS, 2)
        sentence = rng.choice(_TEMPLATES).format(c=c, d=d, C=c.capitalize())
        parts.append(sentence)
        count += len(sentence.split())
        if rng.random() < 0.15:
            parts.append("\n\n")
    text = " ".join(parts)
    pattern = re.compile("|".join(re.escape(c) for c in _CONDITIONS), re.IGNORECASE)
    spans = [(m.start(), m.end()) for m in pattern.finditer(text)]
    return text, spans


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--notes", type=int, default=300)
    args = parser.parse_args()
    rng = random.Random(7)
    notes = [make_note(rng) for _ in range(args.notes)]
    annotator = ContextAnnotator()
    annotator.annotate(*notes[0])  # build the pipeline outside the timing
    started = time.perf_counter()
    targets = 0
    for text, spans in notes:
        targets += len(annotator.annotate(text, spans))
    elapsed = time.perf_counter() - started
    words = sum(len(text.split()) for text, _ in notes) / len(notes)
    print(
        f"{len(notes)} notes (~{words:.0f} words, {targets / len(notes):.0f} targets each): "
        f"{len(notes) / elapsed:.1f} notes/s, {elapsed / len(notes) * 1000:.2f} ms/note"
    )


if __name__ == "__main__":
    main()
