"""Mentions: clinical concepts found in a document, with the context that decides coding."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Assertion(StrEnum):
    PRESENT = "present"
    NEGATED = "negated"
    POSSIBLE = "possible"  # uncertain: probable, suspected, likely, questionable
    HISTORICAL = "historical"
    FAMILY = "family"
    HYPOTHETICAL = "hypothetical"  # if symptoms worsen, return for ...
    RULED_OUT = "ruled_out"


class ConceptKind(StrEnum):
    CONDITION = "condition"
    SYMPTOM = "symptom"
    FINDING = "finding"
    PROCEDURE = "procedure"
    DEVICE = "device"
    DRUG = "drug"
    LAB = "lab"


@dataclass
class Mention:
    """A concept mentioned in a document.

    ``text`` is the document text at ``[start, end)``; ``concept`` the normalised concept name
    (lexicon entry or index term); ``codes`` candidate codes the vocabulary attaches to it, if
    any (the coding engine decides which survive). Attributes hold what was found around it:
    laterality, body site, acuity, severity/stage, dose/route/frequency, linked mentions.
    """

    text: str
    start: int
    end: int
    concept: str
    kind: ConceptKind = ConceptKind.CONDITION
    assertion: Assertion = Assertion.PRESENT
    document_id: str | None = None
    section: str | None = None
    section_role: str | None = None  # the section's coding role (history, family, plan ...)
    # How a coder reads the statement holding the mention (nlp.statements): diagnosis,
    # support, reason, narrative, history, family, social, finding or excluded; and for a
    # diagnosis statement, its order in the note (0 = first stated problem).
    reading: str | None = None
    item: int | None = None
    sentence_start: int | None = None
    sentence_end: int | None = None
    temporality: str | None = None  # current, historical, future
    laterality: str | None = None  # left, right, bilateral
    body_site: str | None = None
    acuity: str | None = None  # acute, chronic, acute on chronic, subacute
    severity: str | None = None  # mild/moderate/severe, stage N, grade N
    codes: list[str] = field(default_factory=list)
    links: list[tuple[str, int]] = field(default_factory=list)  # (relation, mention index)
    attributes: dict[str, str] = field(default_factory=dict)
    # The vocabulary match behind the mention (entry, covered words, sentence): what coding
    # turns into candidate codes and cites as evidence. ``None`` for mentions from elsewhere.
    match: object | None = field(default=None, repr=False, compare=False)
