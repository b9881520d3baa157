"""FHIR R4 JSON reader (Bundle and single resources).

fhir.resources 8 defaults to R5; R4 payloads are validated with its R4B models, which accept
R4 JSON for the resources read here. Each resource is validated on its own so an error can
name the resource and field.

Narrative resources (DocumentReference, DiagnosticReport) become Documents. Coded resources
(Condition, Procedure, MedicationRequest, Observation) are rendered as short sentences in one
"structured data" Document, worded so that the NLP's context rules read the status the way a
coder would ("History of ...", "Ruled out: ...", "Possible ..."), with the structured facts
kept in ``Document.metadata["entries"]``.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

from medcoder.documents.fhir_render import (
    RenderedLines,
    as_date,
    concept_codes,
    concept_text,
    condition_line,
    medication_line,
    procedure_line,
    render_observation,
    status_code,
)
from medcoder.documents.model import Document, Encounter, Patient, Setting
from medcoder.documents.text_reader import (
    DEFAULT_MAX_BYTES,
    check_size,
    decode_bytes,
    normalize_text,
    read_bytes_limited,
)
from medcoder.errors import DocumentError

SUPPORTED = {
    "DocumentReference",
    "DiagnosticReport",
    "Observation",
    "Condition",
    "Procedure",
    "MedicationRequest",
    "Encounter",
    "Patient",
}
_ENCOUNTER_CLASS = {
    "IMP": Setting.INPATIENT,
    "ACUTE": Setting.INPATIENT,
    "NONAC": Setting.INPATIENT,
    "PRENC": Setting.OUTPATIENT,
    "EMER": Setting.EMERGENCY,
    "OBSENC": Setting.OBSERVATION,
    "AMB": Setting.OUTPATIENT,
    "HH": Setting.OUTPATIENT,
    "VR": Setting.OUTPATIENT,
    "FLD": Setting.OUTPATIENT,
    "SS": Setting.OUTPATIENT,
}
_GENDER = {"male": "M", "female": "F", "other": "U", "unknown": "U"}


@dataclass
class FhirResult:
    """What one FHIR input yields: documents, the patient and the encounter when present."""

    documents: list[Document] = field(default_factory=list)
    patient: Patient | None = None
    encounter: Encounter | None = None
    warnings: list[str] = field(default_factory=list)


def _validate(raw: dict, where: str, source: str) -> Any:
    resource_type = raw.get("resourceType")
    try:
        model = get_fhir_model_class(str(resource_type))
    except ValueError as exc:
        raise DocumentError(
            source, f"{where}: unknown FHIR resource type {resource_type!r}"
        ) from exc
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"]) or "(resource)"
        ident = f" id {raw.get('id')!r}" if raw.get("id") else ""
        raise DocumentError(
            source, f"invalid FHIR {resource_type}{ident} ({where}): field {loc}: {first['msg']}"
        ) from exc


def _attachment_text(attachment: Any, source: str, warnings: list[str]) -> str:
    """Text of an inline attachment; URLs are never fetched (no I/O beyond the input)."""
    content_type = (attachment.contentType or "text/plain").split(";")[0].strip().lower()
    if attachment.data is None:
        if attachment.url:
            warnings.append(f"attachment by url not fetched ({content_type})")
        return ""
    raw = attachment.data  # fhir.resources has already base64-decoded it
    if isinstance(raw, str):
        raw = base64.b64decode(raw)
    if content_type == "application/pdf":
        from medcoder.documents.pdf_reader import read_pdf

        return read_pdf(raw, name=source).text
    if not content_type.startswith("text/"):
        warnings.append(f"attachment of type {content_type} skipped")
        return ""
    text, decode_warnings = decode_bytes(raw, source)
    warnings.extend(decode_warnings)
    return normalize_text(text)


def _document_reference(res: Any, doc_id: str, source: str) -> Document:
    doc = Document(id=res.id or doc_id, text="", source=source, format="fhir")
    parts = [_attachment_text(c.attachment, source, doc.warnings) for c in res.content or []]
    doc.text = "\n\n".join(p for p in parts if p.strip())
    doc.kind = concept_text(res.type) or None
    authors = [a.display for a in res.author or [] if a.display]
    doc.author = authors[0] if authors else None
    doc.created = res.date
    doc.metadata["resource"] = f"DocumentReference/{res.id}" if res.id else "DocumentReference"
    return doc


def _patient(res: Any) -> Patient:
    ident = next((i.value for i in res.identifier or [] if i.value), None)
    name = None
    if res.name:
        n = res.name[0]
        name = n.text or " ".join([*(n.given or []), n.family or ""]).strip() or None
    return Patient(
        id=ident or res.id,
        birth_date=res.birthDate,
        sex=_GENDER.get(res.gender or ""),
        name=name,
    )


def _encounter(res: Any, warnings: list[str]) -> Encounter:
    encounter = Encounter(id=res.id or "encounter")
    code = (res.class_fhir.code or "").upper() if res.class_fhir else ""
    if code in _ENCOUNTER_CLASS:
        encounter.setting = _ENCOUNTER_CLASS[code]
    else:
        encounter.warnings.append(f"unknown Encounter.class {code!r}")
        warnings.append(f"unknown Encounter.class {code!r}")
    if res.period:
        encounter.admission_date = as_date(res.period.start)
        encounter.discharge_date = as_date(res.period.end)
    return encounter


def _diagnostic_report(
    res: Any, doc_id: str, source: str, observations: dict[str, Any], used: set[str]
) -> Document:
    """Report title, conclusion, presented forms and the Observations it references."""
    doc = Document(id=res.id or doc_id, text="", source=source, format="fhir")
    lines = RenderedLines()
    title = concept_text(res.code) or "Diagnostic report"
    lines.add(title)
    for ref in res.result or []:
        key = ref.reference or ""
        obs = observations.get(key) or observations.get(key.rsplit("/", 2)[-1])
        if obs is None:
            doc.warnings.append(f"referenced result {key!r} not in the input")
            continue
        used.add(id(obs))
        render_observation(obs, lines, doc)
    if res.conclusion:
        lines.add(f"Conclusion: {res.conclusion}")
    for coded in res.conclusionCode or []:
        lines.add(f"Diagnosis: {concept_text(coded)}.")
    text = lines.text()
    forms = [_attachment_text(a, source, doc.warnings) for a in res.presentedForm or []]
    forms = [f for f in forms if f.strip()]
    if forms:
        text = "\n\n".join([text, *forms])
    doc.text = text
    doc.kind = "diagnostic report"
    doc.created = res.effectiveDateTime or res.issued
    performers = [p.display for p in (res.resultsInterpreter or res.performer or []) if p.display]
    doc.author = performers[0] if performers else None
    doc.metadata["resource"] = f"DiagnosticReport/{res.id}" if res.id else "DiagnosticReport"
    return doc


def _entries(payload: dict, source: str) -> list[tuple[str, str, dict]]:
    """(fullUrl, where, resource) for a Bundle's entries or the single resource."""
    if payload.get("resourceType") != "Bundle":
        return [("", "resource", payload)]
    entries = payload.get("entry") or []
    if not isinstance(entries, list):
        raise DocumentError(source, "invalid FHIR Bundle: field entry: not a list")
    found = []
    for i, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict) or "resourceType" not in resource:
            raise DocumentError(source, f"invalid FHIR Bundle: entry {i} has no resource")
        found.append((str(entry.get("fullUrl") or ""), f"entry {i}", resource))
    return found


def _load_json(data: bytes | str | Path, name: str | None, max_bytes: int) -> tuple[dict, str]:
    if isinstance(data, bytes | bytearray):
        source = name or "<fhir>"
        raw = bytes(data)
        check_size(raw, source, max_bytes)
    else:
        source = str(data)
        raw = read_bytes_limited(data, max_bytes)
    text, _ = decode_bytes(raw, source)
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DocumentError(
            source, f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from exc
    if not isinstance(payload, dict) or "resourceType" not in payload:
        raise DocumentError(source, "not a FHIR resource: JSON object without resourceType")
    return payload, source


def read_fhir(
    data: bytes | str | Path, *, name: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> FhirResult:
    """Read a FHIR R4 resource or Bundle (JSON).

    Raises :class:`DocumentError` for invalid JSON or a resource that fails validation,
    naming the resource and field.
    """
    payload, source = _load_json(data, name, max_bytes)
    stem = Path(name or source).stem or "fhir"
    result = FhirResult()
    validated: list[tuple[str, Any]] = []
    for full_url, where, raw in _entries(payload, source):
        if raw["resourceType"] not in SUPPORTED:
            result.warnings.append(f"{raw['resourceType']} ({where}) not read")
            continue
        validated.append((full_url, _validate(raw, where, source)))

    observations: dict[str, Any] = {}
    for full_url, res in validated:
        if res.__resource_type__ == "Observation":
            if full_url:
                observations[full_url] = observations[full_url.rsplit("/", 2)[-1]] = res
            if res.id:
                observations[f"Observation/{res.id}"] = res

    used: set[int] = set()
    structured = Document(id=f"{stem}-structured", text="", source=source, format="fhir")
    structured.kind = "structured data"
    lines = RenderedLines()
    entries: list[dict[str, object]] = []
    for index, (_, res) in enumerate(validated):
        kind = res.__resource_type__
        doc_id = f"{stem}-{index + 1}"
        if kind == "Patient":
            result.patient = result.patient or _patient(res)
        elif kind == "Encounter":
            result.encounter = result.encounter or _encounter(res, result.warnings)
        elif kind == "DocumentReference":
            if res.status == "entered-in-error":
                result.warnings.append(f"DocumentReference {res.id or doc_id} entered-in-error")
                continue
            result.documents.append(_document_reference(res, doc_id, source))
        elif kind == "DiagnosticReport":
            result.documents.append(_diagnostic_report(res, doc_id, source, observations, used))
    for _, res in validated:
        kind = res.__resource_type__
        if kind == "Observation" and id(res) not in used:
            render_observation(res, lines, structured)
            start, end = structured.results[-1].start, structured.results[-1].end
            entries.append({"resource": kind, "id": res.id, "start": start, "end": end})
            continue
        render = {
            "Condition": condition_line,
            "Procedure": procedure_line,
            "MedicationRequest": medication_line,
        }.get(kind)
        if render is None:
            continue
        line = render(res)
        if line is None:
            result.warnings.append(f"{kind} {res.id or ''} entered-in-error, not read".strip())
            continue
        start, end = lines.add(line)
        entry: dict[str, object] = {"resource": kind, "id": res.id, "start": start, "end": end}
        concept = res.medicationCodeableConcept if kind == "MedicationRequest" else res.code
        entry["codes"] = concept_codes(concept)
        if kind == "Condition":
            entry["clinical_status"] = (
                status_code(res.clinicalStatus) if res.clinicalStatus else None
            )
            entry["verification_status"] = (
                status_code(res.verificationStatus) if res.verificationStatus else None
            )
            entry["category"] = [status_code(c) for c in res.category or []]
        else:
            entry["status"] = res.status
        entries.append(entry)
    if lines.lines:
        structured.text = lines.text()
        structured.metadata["entries"] = entries
        result.documents.append(structured)
    for doc in result.documents:
        if not doc.text.strip():
            doc.warnings.append("no readable text in this resource")
    if result.encounter is not None and result.patient is not None:
        result.encounter.patient = result.patient
    return result
