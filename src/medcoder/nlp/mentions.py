"""Mentions with their context: what the document layer hands to coding, CDI and casework.

Turns the concept matches of a document into :class:`Mention` objects carrying the assertion
(present, negated, uncertain, historical, family, hypothetical, ruled out), temporality,
laterality, body site, acuity, severity/stage and links between mentions ("pneumonia due to
E. coli"), and gathers the document's lab and vital results with normalised units.
"""

from __future__ import annotations

from medcoder.documents.model import Document, LabResult
from medcoder.nlp.attributes import apply_attributes, link_mentions
from medcoder.nlp.labs import find_lab_values, normalize_result
from medcoder.nlp.model import ConceptKind, Mention

_KIND_BY_CHAPTER = {"R": ConceptKind.SYMPTOM, "Z": ConceptKind.FINDING}


def mentions_from_candidates(document: Document, candidates: list) -> list[Mention]:  # noqa: ANN001
    """One Mention per matched span (a span that yields several codes is one mention)."""
    by_span: dict[tuple[int, int], Mention] = {}
    for cand in candidates:
        m = cand.match
        key = (m.start, m.end)
        mention = by_span.get(key)
        if mention is None:
            mention = by_span[key] = Mention(
                text=document.text[m.start : m.end],
                start=m.start,
                end=m.end,
                concept=m.entry.text,
                kind=_KIND_BY_CHAPTER.get(cand.code[:1], ConceptKind.CONDITION),
                assertion=cand.assertion,
                document_id=document.id,
                section=cand.section,
                sentence_start=m.sentence_start,
                sentence_end=m.sentence_end,
                temporality="historical" if cand.assertion.value == "historical" else "current",
            )
            if cand.trigger:
                mention.attributes["assertion_trigger"] = cand.trigger
            apply_attributes(document.text, mention)
        if cand.code not in mention.codes:
            mention.codes.append(cand.code)
    found = sorted(by_span.values(), key=lambda x: x.start)
    link_mentions(document.text, found)
    return found


def document_results(document: Document) -> list[LabResult]:
    """Structured results (HL7/FHIR) normalised, then values written in the text."""
    return [normalize_result(r) for r in document.results] + find_lab_values(document.text)
