"""Candidate diagnosis codes: one per code a mention of the annotated document leads to."""

from __future__ import annotations

from dataclasses import dataclass, field

from medcoder.nlp.annotated import AnnotatedDocument
from medcoder.nlp.matcher import Match
from medcoder.nlp.model import Assertion, Mention


@dataclass
class Candidate:
    """One mention's code before the setting and the guidelines have spoken."""

    code: str  # key (E1122)
    match: Match
    assertion: Assertion
    section: str | None
    section_role: str | None
    document: str
    trigger: str | None = None
    confidence: float = 0.0
    reasons: list[str] = field(default_factory=list)
    mention: Mention | None = field(default=None, repr=False, compare=False)


def candidates_of(annotated: AnnotatedDocument) -> list[Candidate]:
    """Every code of every mention: the entry's own code, then the codes the index pairs with
    it (manifestations, I.A.13)."""
    out: list[Candidate] = []
    for mention in annotated.mentions:
        if mention.match is None:
            continue
        for code in mention.codes:
            out.append(
                Candidate(
                    code=code,
                    match=mention.match,
                    assertion=mention.assertion,
                    section=mention.section,
                    section_role=mention.section_role,
                    document=annotated.id,
                    trigger=mention.attributes.get("assertion_trigger"),
                    mention=mention,
                )
            )
    return out
