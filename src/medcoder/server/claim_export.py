"""A finalized encounter as an 837P: the workbench's final codes plus the claim data the
coder supplies (payer, providers, patient demographics, service lines).

Diagnoses are the final ICD-10-CM codes (accepted, edited or added), principal first, then in
the order they were coded; the lines' ``dx_pointers`` count from 1 in that order. Whatever
would make the file wrong raises :class:`ApiError` 422 naming the field; the claim text itself
is returned to the caller and never logged.
"""

from __future__ import annotations

import os

from pydantic import ValidationError

from medcoder.claims import model as claims
from medcoder.claims.errors import ClaimError, X12ValidationError
from medcoder.claims.from_codes import (
    DIAGNOSIS_SYSTEM,
    default_pointers,
    diagnoses_from,
    line_codes,
)
from medcoder.claims.submission import Submitter, write_claim
from medcoder.server.errors import ApiError
from medcoder.store.base import FINAL_STATES as FINAL
from medcoder.store.models import CodeSuggestionRow, EncounterRow


def final_codes(encounter: EncounterRow) -> list[CodeSuggestionRow]:
    """The encounter's final codes (accepted, edited, added) in the order they were coded."""
    return sorted((s for s in encounter.suggestions if s.state in FINAL), key=lambda s: s.id)


def final_diagnoses(encounter: EncounterRow) -> list[CodeSuggestionRow]:
    """The encounter's final ICD-10-CM codes, principal first, then in coding order."""
    return sorted(
        (s for s in final_codes(encounter) if s.system == DIAGNOSIS_SYSTEM),
        key=lambda s: not s.principal,
    )


def claim_template(encounter: EncounterRow) -> dict:
    """The claim data a coder fills in: empty strings where the workbench knows nothing."""
    final = final_codes(encounter)
    pointers = default_pointers(len(diagnoses_from(final, limit=None)))
    lines = [
        {"code": s.code, "units": "1", "charge": "", "dx_pointers": pointers}
        for s in line_codes(final)
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


def claim_model(encounter: EncounterRow, data: dict) -> claims.ClaimEncounter:
    """The claims library's encounter for ``encounter`` with the coder's ``data`` (ClaimIn
    fields): what the 837P is written from and what the scrubber checks."""
    diagnoses = diagnoses_from(final_codes(encounter), limit=None)
    if not diagnoses:
        raise ApiError(422, "the encounter has no final ICD-10-CM code", field="diagnoses")
    if data.get("service_date") is None and encounter.service_date is not None:
        data = {**data, "service_date": encounter.service_date}
    try:
        return claims.ClaimEncounter.model_validate(
            {**data, "id": str(encounter.id), "diagnoses": [d.model_dump() for d in diagnoses]}
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        field = _field(tuple(first.get("loc", ())))
        raise ApiError(422, f"{field}: {first.get('msg')}", field=field) from None


def write_837p_text(claim: claims.ClaimEncounter, *, submitter_phone: str | None) -> str:
    """The validated 837P text of ``claim`` (from :func:`claim_model`), written through the
    claims package's one path: the sender, receiver and usage settings (MEDCODER_X12_*) and
    the data directory's control numbers, as ``medcoder claim`` uses them."""
    try:
        submitter = Submitter.from_settings(os.environ, submitter_phone=submitter_phone or None)
        return write_claim(claim, "837P", submitter).text
    except X12ValidationError as exc:
        raise ApiError(
            422,
            f"the 837P fails X12 validation ({len(exc.issues)} issue(s)); first: {exc.issues[0]}",
            code="invalid_x12",
            field=exc.field,
        ) from None
    except ClaimError as exc:
        raise ApiError(422, f"{exc.field}: {exc.problem}", field=exc.field) from None
