"""Rendering of coded FHIR resources as short sentences the NLP can read.

The wording carries the resource's status the way a coder reads it, using the cues clinical
context rules already know: a refuted Condition becomes "Ruled out: ...", a provisional one
"Possible ...", a resolved one "History of ..."; a Procedure not done says so. Observations
become the same "name: value unit (ref low-high) [flag]" lines as HL7 results, each with a
:class:`LabResult` pointing at its line.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from medcoder.documents.model import Document, LabResult
from medcoder.documents.text_reader import normalize_text


def concept_text(concept: Any) -> str:
    """CodeableConcept -> its text, else first coding display, else first code."""
    if concept is None:
        return ""
    if getattr(concept, "text", None):
        return str(concept.text)
    for coding in getattr(concept, "coding", None) or []:
        if coding.display:
            return str(coding.display)
    for coding in getattr(concept, "coding", None) or []:
        if coding.code:
            return str(coding.code)
    return ""


def concept_codes(concept: Any) -> list[dict[str, str]]:
    return [
        {"system": str(c.system or ""), "code": str(c.code or ""), "display": str(c.display or "")}
        for c in (getattr(concept, "coding", None) or [])
    ]


def status_code(concept: Any) -> str:
    codings = getattr(concept, "coding", None) or []
    return str(codings[0].code) if codings and codings[0].code else concept_text(concept)


def as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def to_float(value: object) -> float | None:
    return float(value) if value is not None else None


class RenderedLines:
    """Builds rendered text line by line, remembering each line's span."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.offset = 0

    def add(self, line: str) -> tuple[int, int]:
        line = normalize_text(line).replace("\n", " ")
        start = self.offset
        self.lines.append(line)
        self.offset += len(line) + 1
        return start, start + len(line)

    def text(self) -> str:
        return "\n".join(self.lines)


def render_observation(res: Any, lines: RenderedLines, doc: Document) -> None:
    name = concept_text(res.code) or "Observation"
    when = res.effectiveDateTime or res.issued
    interpretation = [status_code(c) for c in res.interpretation or []]
    flag = interpretation[0] if interpretation else None
    low = high = None
    ref_text = None
    if res.referenceRange:
        rr = res.referenceRange[0]
        low = to_float(rr.low.value) if rr.low else None
        high = to_float(rr.high.value) if rr.high else None
        ref_text = rr.text or "-".join("" if v is None else f"{v:g}" for v in (low, high)).strip(
            "-"
        )
    if res.valueQuantity is not None:
        value = to_float(res.valueQuantity.value)
        unit = res.valueQuantity.unit or res.valueQuantity.code
        shown = "" if value is None else f"{res.valueQuantity.value}"
        line = f"{name}: {shown}" + (f" {unit}" if unit else "")
    else:
        value, unit = None, None
        shown = res.valueString or concept_text(res.valueCodeableConcept)
        if shown == "" and res.valueInteger is not None:
            value, shown = float(res.valueInteger), str(res.valueInteger)
        line = f"{name}: {shown}" if shown else name
    if ref_text:
        line += f" (ref {ref_text})"
    if flag:
        line += f" [{flag}]"
    start, end = lines.add(line)
    loinc = [c["code"] for c in concept_codes(res.code) if "loinc" in c["system"]]
    doc.results.append(
        LabResult(
            name=name.strip().lower(),
            value=value,
            unit=unit,
            raw_text=lines.lines[-1],
            start=start,
            end=end,
            reference_low=low,
            reference_high=high,
            reference_text=ref_text,
            abnormal_flag=flag,
            observed_at=when,
            source_code=(loinc or [c["code"] for c in concept_codes(res.code)] or [None])[0],
        )
    )


def condition_line(res: Any) -> str | None:
    name = concept_text(res.code) or "unspecified condition"
    clinical = status_code(res.clinicalStatus).lower() if res.clinicalStatus else ""
    verification = status_code(res.verificationStatus).lower() if res.verificationStatus else ""
    if verification == "entered-in-error":
        return None
    if verification == "refuted":
        return f"Ruled out: {name}."
    if verification in ("provisional", "differential"):
        return f"Possible {name}."
    if clinical in ("resolved", "inactive", "remission"):
        return f"History of {name} ({clinical})."
    return f"Diagnosis: {name}."


def procedure_line(res: Any) -> str | None:
    name = concept_text(res.code) or "unspecified procedure"
    if res.status == "entered-in-error":
        return None
    if res.status in ("not-done", "stopped"):
        return f"Procedure not done: {name}."
    when = res.performedDateTime or (res.performedPeriod.start if res.performedPeriod else None)
    on = f" on {as_date(when).isoformat()}" if as_date(when) else ""
    planned = "Planned procedure" if res.status in ("preparation", "on-hold") else "Procedure"
    return f"{planned}: {name}{on}."


def medication_line(res: Any) -> str | None:
    name = concept_text(res.medicationCodeableConcept) or (
        res.medicationReference.display if res.medicationReference else ""
    )
    if res.status == "entered-in-error":
        return None
    details: list[str] = []
    for dosage in res.dosageInstruction or []:
        if dosage.text:
            details.append(dosage.text)
            continue
        for dr in dosage.doseAndRate or []:
            q = dr.doseQuantity
            if q is not None and q.value is not None:
                details.append(f"{q.value} {q.unit or q.code or ''}".strip())
        if dosage.route:
            details.append(concept_text(dosage.route))
        timing = dosage.timing
        if timing is not None and timing.code:
            details.append(concept_text(timing.code))
        elif timing is not None and timing.repeat and timing.repeat.frequency:
            r = timing.repeat
            details.append(f"{r.frequency} times per {r.period or 1} {r.periodUnit or 'd'}")
    suffix = f" {', '.join(details)}" if details else ""
    return f"Medication: {name or 'unspecified medication'}{suffix}."
