"""A finalized encounter as an 837P: the workbench's final codes plus the claim data the
coder supplies (payer, providers, patient demographics, service lines).

Diagnoses are the final ICD-10-CM codes (accepted, edited or added), principal first, then in
the order they were coded; the lines' ``dx_pointers`` count from 1 in that order. Whatever
would make the file wrong raises :class:`ApiError` 422 naming the field; the claim text itself
is returned to the caller and never logged.
"""

from __future__ import annotations

import datetime as dt
import secrets

from pydantic import ValidationError

from medcoder.claims import model as claims
from medcoder.claims.x12_validate import validate_x12
from medcoder.claims.x12_writer import ClaimError, write_837p
from medcoder.server.errors import ApiError
from medcoder.store.base import FINAL_STATES as FINAL
from medcoder.store.models import CodeSuggestion, Encounter

DIAGNOSIS_SYSTEM = "ICD-10-CM"
LINE_SYSTEMS = ("CPT", "HCPCS")
SENDER_ID = "MEDCODER"


def final_diagnoses(encounter: Encounter) -> list[CodeSuggestion]:
    """The encounter's final ICD-10-CM codes, principal first, then in coding order."""
    return sorted(
        (s for s in encounter.suggestions if s.state in FINAL and s.system == DIAGNOSIS_SYSTEM),
        key=lambda s: (not s.principal, s.id),
    )


def claim_template(encounter: Encounter) -> dict:
    """The claim data a coder fills in: empty strings where the workbench knows nothing."""
    diagnoses = final_diagnoses(encounter)
    pointers = list(range(1, min(4, len(diagnoses)) + 1))
    procedures = [s for s in encounter.suggestions if s.state in FINAL and s.system in LINE_SYSTEMS]
    lines = [
        {"code": s.code, "units": "1", "charge": "", "dx_pointers": pointers} for s in procedures
    ] or [{"code": "", "units": "1", "charge": "", "dx_pointers": pointers}]
    patient = encounter.patient
    address = {"line1": "", "city": "", "state": "", "zip": ""}
    return {
        "service_date": encounter.service_date.isoformat() if encounter.service_date else "",
        "place_of_service": "11",
        "patient": {
            "id": (patient.external_id if patient else None) or "",
            "first_name": "",
            "last_name": "",
            "birth_date": patient.birth_date.isoformat() if patient and patient.birth_date else "",
            "sex": (patient.sex if patient else None) or "U",
            "address": address,
        },
        "payer": {"name": "", "id": "", "filing_indicator": "CI", "member_id": ""},
        "billing_provider": {
            "npi": "",
            "name": "",
            "tax_id": "",
            "taxonomy": "",
            "address": dict(address),
        },
        "rendering_provider": {"npi": "", "first_name": "", "last_name": ""},
        "lines": lines,
        "submitter_phone": "",
    }


def _field(loc: tuple) -> str:
    return ".".join(str(p) for p in loc) or "body"


def claim_model(encounter: Encounter, data: dict) -> claims.Encounter:
    """The claims library's encounter for ``encounter`` with the coder's ``data`` (ClaimIn
    fields): what the 837P is written from and what the scrubber checks."""
    diagnoses = [{"code": s.code, "poa": s.poa} for s in final_diagnoses(encounter)]
    if not diagnoses:
        raise ApiError(422, "the encounter has no final ICD-10-CM code", field="diagnoses")
    if data.get("service_date") is None and encounter.service_date is not None:
        data = {**data, "service_date": encounter.service_date}
    try:
        return claims.Encounter.model_validate(
            {**data, "id": str(encounter.id), "diagnoses": diagnoses}
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        field = _field(tuple(first.get("loc", ())))
        raise ApiError(422, f"{field}: {first.get('msg')}", field=field) from None


def write_837p_text(claim: claims.Encounter, *, submitter_phone: str | None) -> str:
    """The validated 837P text of ``claim`` (from :func:`claim_model`)."""
    created = dt.datetime.now(dt.UTC)
    try:
        text = write_837p(
            claim,
            sender_id=SENDER_ID,
            receiver_id=claim.payer.id,
            control_number=secrets.randbelow(999_999_999) + 1,
            created=created,
            submitter_phone=submitter_phone or None,
        )
    except ClaimError as exc:
        raise ApiError(422, f"{exc.field}: {exc.problem}", field=exc.field) from None
    issues = validate_x12(text)
    if issues:
        first = issues[0]
        where = " ".join(p for p in (first.segment, first.element) if p) or first.level
        raise ApiError(
            422,
            f"the 837P fails X12 validation ({len(issues)} issue(s)); first: {first}",
            code="invalid_x12",
            field=where,
        )
    return text


def write_claim(encounter: Encounter, data: dict, *, submitter_phone: str | None) -> str:
    """The validated 837P text for ``encounter`` with the coder's ``data`` (ClaimIn fields)."""
    return write_837p_text(claim_model(encounter, data), submitter_phone=submitter_phone)
