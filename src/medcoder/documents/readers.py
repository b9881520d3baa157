"""One entry point for every input format, and batch reading that never loses an input.

The format is decided from the content first (PDF magic, ``MSH`` segment, JSON with a
``resourceType``) and from the extension only when the content is plain text, because files
arrive misnamed (``.txt`` exports of HL7 feeds, PDFs without extension).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from medcoder.documents.model import Document, Encounter, Patient
from medcoder.documents.text_reader import (
    DEFAULT_MAX_BYTES,
    PDF_MAGIC,
    read_bytes_limited,
    read_text,
)
from medcoder.errors import DocumentError, MedcoderError

_EXTENSIONS = {".pdf": "pdf", ".hl7": "hl7v2", ".json": "fhir", ".txt": "text", ".text": "text"}


@dataclass
class ReadOutcome:
    """What one input gave: documents (maybe several) and structured data, or the error."""

    source: str
    documents: list[Document] = field(default_factory=list)
    patient: Patient | None = None
    encounter: Encounter | None = None
    warnings: list[str] = field(default_factory=list)
    error: DocumentError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def sniff_format(data: bytes, name: str = "") -> str:
    """``pdf``, ``hl7v2``, ``fhir`` or ``text`` from the bytes, then the extension."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n\x0b")
    if PDF_MAGIC in data[:1024]:
        return "pdf"
    if head.startswith((b"MSH", b"FHS", b"BHS")):
        return "hl7v2"
    if head.startswith(b"{") and b'"resourceType"' in data:
        try:
            payload = json.loads(data)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return "fhir"  # looks like FHIR JSON; the FHIR reader reports the syntax error
        if isinstance(payload, dict) and "resourceType" in payload:
            return "fhir"
    extension = Path(name).suffix.lower()
    return _EXTENSIONS.get(extension, "text")


def read_source(
    data: bytes | str | Path, *, name: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> ReadOutcome:
    """Read any supported input; raises :class:`DocumentError` when it cannot be read."""
    if isinstance(data, bytes | bytearray):
        raw, source = bytes(data), name or "<bytes>"
    else:
        raw, source = read_bytes_limited(data, max_bytes), str(data)
    label = name or source
    fmt = sniff_format(raw, label)
    # The PDF, HL7 and FHIR readers are imported when a document needs them: pypdf, hl7apy
    # and the FHIR models take about 0.1 s to import, a tenth of a plain-text cold start.
    if fmt == "pdf":
        from medcoder.documents.pdf_reader import read_pdf

        return ReadOutcome(source, [read_pdf(raw, name=label, max_bytes=max_bytes)])
    if fmt == "hl7v2":
        from medcoder.documents.hl7_reader import read_hl7

        hl7 = read_hl7(raw, name=label, max_bytes=max_bytes)
        return ReadOutcome(source, hl7.documents, hl7.patient, hl7.encounter)
    if fmt == "fhir":
        from medcoder.documents.fhir_reader import read_fhir

        fhir = read_fhir(raw, name=label, max_bytes=max_bytes)
        return ReadOutcome(source, fhir.documents, fhir.patient, fhir.encounter, fhir.warnings)
    return ReadOutcome(source, [read_text(raw, name=label, max_bytes=max_bytes)])


def _fix_sources(outcome: ReadOutcome) -> ReadOutcome:
    for document in outcome.documents:
        document.source = outcome.source
    return outcome


def read_document(
    data: bytes | str | Path, *, name: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> Document:
    """Read an input that holds exactly one document.

    Inputs with several documents (FHIR Bundles, HL7 batches) or none (ADT messages) raise
    :class:`DocumentError` pointing at :func:`read_source`, rather than merging or dropping.
    """
    outcome = _fix_sources(read_source(data, name=name, max_bytes=max_bytes))
    if len(outcome.documents) != 1:
        count = len(outcome.documents)
        raise DocumentError(
            outcome.source, f"holds {count} documents, not one; use read_source() to read it"
        )
    return outcome.documents[0]


def read_many(
    paths: Iterable[str | Path], *, max_bytes: int = DEFAULT_MAX_BYTES
) -> list[ReadOutcome]:
    """Read every input; one outcome per input, in order, errors kept in their outcome."""
    outcomes: list[ReadOutcome] = []
    for path in paths:
        try:
            outcomes.append(_fix_sources(read_source(path, max_bytes=max_bytes)))
        except DocumentError as exc:
            outcomes.append(ReadOutcome(str(path), error=exc))
        except MedcoderError as exc:
            outcomes.append(ReadOutcome(str(path), error=DocumentError(str(path), str(exc))))
        except Exception as exc:  # noqa: BLE001 - a library bug must not sink the batch
            # Only the exception type: its message may quote document content.
            problem = f"unexpected {type(exc).__name__} while reading"
            outcomes.append(ReadOutcome(str(path), error=DocumentError(str(path), problem)))
    return outcomes
