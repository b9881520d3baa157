"""What the rest of an operative note says about a procedure named in its statement.

A statement names a procedure in a few words ("Thoracentesis."); the side is in the
diagnosis ("Left pleural effusion"), the approach in the description ("an infraumbilical
incision was made"), the device in the implant record. A coder reads all of it before
assigning a code (A11), and queries only what no part of the record says (A8). The cues are
read once per note and offered in order: the statement's own words first, then the
diagnosis, then the description, and only where they are unanimous (a note that says "left"
and "right" of the same structure decides no side).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from medcoder.documents.model import Document
from medcoder.nlp.tokens import STOPWORDS, tokenize
from medcoder.procedures.pcs_sources import ProcedureSources
from medcoder.procedures.pcs_terms import (
    EXTERNAL,
    NATURAL_ENDO,
    OPEN,
    PERC_ENDO,
    PERCUTANEOUS,
    collapse,
)

# Words of a procedure description that say how the operative site was reached.
_APPROACHES = (
    (
        OPEN,
        re.compile(
            r"\bincisions?\b|\bincised\b|arthrotomy|laparotomy|thoracotomy|sternotomy|craniotomy"
            r"|\bcut\s*down\b|\bopen\s+(?:approach|technique)|dissection\s+was\s+carried\s+down"
        ),
    ),
    (
        PERC_ENDO,
        re.compile(
            r"laparoscop\w*|arthroscop\w*|thoracoscop\w*|\btrocars?\b|pneumoperitoneum"
            r"|(?:co2|carbon\s+dioxide)\s+(?:\w+\s+){0,2}insufflat\w*|insufflat\w*\s+(?:\w+\s+){0,3}"
            r"(?:co2|carbon\s+dioxide|abdomen|peritoneal)"
        ),
    ),
    (PERCUTANEOUS, re.compile(r"percutaneous\w*|seldinger")),
    (
        NATURAL_ENDO,
        re.compile(
            r"cysto\w*scop\w*|resectoscop\w*|ureteroscop\w*|rectoscop\w*|endoscope"
            r"|colonoscop\w*|bronchoscop\w*|hysteroscop\w*|gastroscop\w*|\bscope\s+(?:was\s+)?"
            r"(?:inserted|passed|advanced|introduced|reintroduced)"
        ),
    ),
    (EXTERNAL, re.compile(r"lithotriptor|shock\s*waves?|closed\s+reduction")),
)
SIDES = {"right": "right", "left": "left", "bilateral": "bilateral", "bilaterally": "bilateral"}


def side_of(words: list[str]) -> str | None:
    """The one side ``words`` name: right, left, bilateral ("both" sides), else ``None``."""
    found = {SIDES[w] for w in words if w in SIDES}
    if "both" in words:
        found.add("bilateral")
    if found == {"right", "left"} or "bilateral" in found:
        return "bilateral" if "bilateral" in found else None
    return found.pop() if len(found) == 1 else None


@dataclass
class NoteCues:
    """Diagnosis and description of one note, read once, offered to every procedure."""

    diagnosis: str = ""  # collapsed text of the pre/postoperative diagnoses and indications
    body: str = ""  # collapsed text of the procedure description
    diagnosis_words: list[str] = field(default_factory=list)
    statement_words: list[str] = field(default_factory=list)  # the organs operated on
    body_sentences: list[list[str]] = field(default_factory=list)
    approach: tuple[str, str] | None = None  # the description's one approach and its words

    @classmethod
    def read(cls, document: Document, sources: ProcedureSources) -> NoteCues:
        text = document.text
        diagnosis = sources.text_of(document, sources.diagnosis)
        spans = sorted(sources.body + sources.details)
        body = sources.text_of(document, spans)
        cues = cls(collapse(diagnosis), collapse(body))
        cues.diagnosis_words = _words(diagnosis)
        cues.statement_words = _words(sources.text_of(document, sources.statement))
        for a, b in spans:
            for sentence in re.split(r"(?<=[.;])\s+|\.,", text[a:b]):
                words = _words(sentence)
                if words:
                    cues.body_sentences.append(words)
        found = [(label, m.group(0)) for label, p in _APPROACHES if (m := p.search(cues.body))]
        if len(found) == 1:
            cues.approach = found[0]
        return cues

    @property
    def diagnosis_side(self) -> str | None:
        return side_of(self.diagnosis_words)

    def body_side(self, words: set[str]) -> str | None:
        """The one side the description gives in sentences naming any of ``words``."""
        sides = [
            side_of(sentence)
            for sentence in self.body_sentences
            if words.intersection(sentence) and side_of(sentence)
        ]
        return sides[0] if sides and len(set(sides)) == 1 else None


def _words(text: str) -> list[str]:
    return [t for t, _, _ in tokenize(text) if t not in STOPWORDS]
