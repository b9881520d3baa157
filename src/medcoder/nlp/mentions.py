"""A document's lab and vital results with normalised units (read by the annotated document)."""

from __future__ import annotations

from medcoder.documents.model import Document, LabResult
from medcoder.nlp.labs import find_lab_values, normalize_result


def document_results(document: Document) -> list[LabResult]:
    """Structured results (HL7/FHIR) normalised, then values written in the text."""
    return [normalize_result(r) for r in document.results] + find_lab_values(document.text)
