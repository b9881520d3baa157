"""Medications a note says the patient takes: name, class and where it is written.

Coding needs them for long-term drug therapy codes (Z79, I.C.4.a.3, I.C.21.c.3) and to tell a
chronic condition that is treated on an ongoing basis (IV.J) from one merely remembered; CDI
and services read them too. Drug names come from ``data/drugs.tsv`` (generic and US brand
names by class). A drug is *current* unless its sentence says it was stopped, held or is an
allergy: the allergy list names drugs the patient must not take.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from medcoder.documents.model import Document

_STOPPED = re.compile(
    r"\b(?:stopped|discontinued|d/c'?d|discontinue|off of|weaned|self-?weaned|no longer|"
    r"used to|previously|formerly|in the past|"
    r"held|hold|quit|stop(?:ping)?|allerg\w*|intoleran\w*|reaction to|failed)\b",
    re.I,
)


@dataclass(frozen=True)
class MedicationMention:
    """A drug named in a document."""

    name: str  # as listed in the lexicon (lower case)
    drug_class: str
    start: int
    end: int
    section: str | None
    current: bool  # False when stopped, held or listed as an allergy


@cache
def drug_lexicon() -> dict[str, str]:
    """Lower-case drug name -> class."""
    path = resources.files("medcoder.nlp") / "data" / "drugs.tsv"
    with path.open(encoding="utf-8") as fh:
        rows = [line for line in fh if not line.startswith("#")]
    return {row["name"]: row["class"] for row in csv.DictReader(rows, delimiter="\t")}


@cache
def drug_substances() -> dict[str, str]:
    """Lower-case drug name -> its Table of Drugs entry, where that is not the name itself
    (a brand's generic, a pharmacological group)."""
    path = resources.files("medcoder.nlp") / "data" / "drugs.tsv"
    with path.open(encoding="utf-8") as fh:
        rows = [line for line in fh if not line.startswith("#")]
    return {
        row["name"]: row["substance"]
        for row in csv.DictReader(rows, delimiter="\t")
        if row.get("substance")
    }


_WORD = re.compile(r"[A-Za-z][A-Za-z-]*[A-Za-z]")


def find_medications(document: Document) -> list[MedicationMention]:
    """Every drug named in ``document`` (its sections and sentences must be found first)."""
    text = document.text
    lexicon = drug_lexicon()
    out: list[MedicationMention] = []
    sentence_spans = [(s.start, s.end) for s in document.sentences]
    j = 0
    for match in _WORD.finditer(text):
        name = match.group().lower()
        if name not in lexicon:
            continue
        section = document.section_at(match.start())
        kind = section.kind if section else None
        while j < len(sentence_spans) and sentence_spans[j][1] <= match.start():
            j += 1
        lo, hi = (
            sentence_spans[j]
            if j < len(sentence_spans) and sentence_spans[j][0] <= match.start()
            else (max(0, match.start() - 80), min(len(text), match.end() + 80))
        )
        # A cue close to the name speaks for this drug only ("continue lisinopril, stop
        # metformin" stops metformin, not lisinopril).
        window = (max(lo, match.start() - 50), min(hi, match.end() + 40))
        current = kind != "allergies" and not _STOPPED.search(text, *window)
        out.append(
            MedicationMention(name, lexicon[name], match.start(), match.end(), kind, current)
        )
    return out
