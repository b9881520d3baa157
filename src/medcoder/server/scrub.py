"""Scrub findings for an encounter: the real scrubber (:mod:`medcoder.edits`) on the claim the
workbench builds from the final codes, the same claim model the 837P export writes.

Two stages:

* **codes** (while reviewing; ``GET /api/encounters/{id}/scrub`` and the encounter page): the
  claim is :func:`medcoder.server.claim_export.claim_template` (final ICD-10-CM codes
  principal first, CPT/HCPCS codes as service lines pointing at the first four) turned into
  the claims model by :func:`~medcoder.server.claim_export.claim_model`. Payer, provider and
  address details are typed in at export, so the rules that read them (the scrubber's
  ``EditRule.reads``, :data:`PENDING_AT_CODES`) are deferred rather than run on blanks; without
  a birth date on the encounter's patient the scrubber defers the age edits itself. Nothing
  is stored: it is a read.
* **export** (``POST /api/encounters/{id}/claim``): the full claim as exported, every rule;
  the run is stored with the claim (:mod:`medcoder.store.scrubs`).

Findings carry the rule id, the severity (reject / deny / warn), the codes and 1-based service
lines involved, the reason and the fix, plus ``suggestion_ids``: the workbench codes involved.
"""

from __future__ import annotations

from typing import Any

from medcoder.claims import model as claims
from medcoder.claims.from_codes import line_codes
from medcoder.edits import Scrubber
from medcoder.edits.findings import Severity
from medcoder.server.claim_export import (
    claim_model,
    claim_template,
    final_codes,
    final_diagnoses,
)
from medcoder.server.errors import ApiError
from medcoder.store.case_models import Claim
from medcoder.store.models import EncounterRow
from medcoder.store.scrubs import finding_dict

AT_EXPORT = "checked at export: the claim data is entered then"
#: Claim data typed in at export: the rules that read it (``EditRule.reads``) are deferred while
#: the codes are reviewed, instead of reporting the blanks of the template.
PENDING_AT_CODES = dict.fromkeys(("providers", "payer", "patient", "addresses"), AT_EXPORT)


def _codes_claim(encounter: EncounterRow) -> claims.ClaimEncounter:
    """The claim before export: the final codes, the stored patient's birth date and sex
    (the age and sex edits need them; without a birth date the scrubber defers them), no
    addresses and no charges yet."""
    data = claim_template(encounter)
    data["service_date"] = data["service_date"] or None
    patient = data["patient"]
    patient["birth_date"] = patient["birth_date"] or None
    patient["address"] = None
    data["billing_provider"]["address"] = None
    # Charges too: a line's code and pointers are what the code rules read.
    data["lines"] = [{**line, "charge": "0"} for line in data["lines"] if line["code"]] or None
    return claim_model(encounter, data)


def _involved(encounter: EncounterRow, finding: dict[str, Any]) -> list[int]:
    """The ids of the final codes a finding names (by code, or by service line number)."""
    final = final_codes(encounter)
    lines = line_codes(final)
    codes = set(finding.get("codes") or ())
    ids = [s.id for s in final if s.code in codes]
    for number in finding.get("lines") or ():
        if 1 <= number <= len(lines) and lines[number - 1].id not in ids:
            ids.append(lines[number - 1].id)
    return ids


def _summarise(encounter: EncounterRow, report: dict[str, Any], stage: str) -> dict[str, Any]:
    findings = report["findings"]
    for finding in findings:
        finding["suggestion_ids"] = _involved(encounter, finding)
    block_at = Severity(report["block_at"])
    counts = {s.value: 0 for s in Severity}
    for finding in findings:
        counts[finding["severity"]] += 1
    return {
        **report,
        "encounter_id": encounter.id,
        "stage": stage,
        "scrubbed": True,
        "findings": findings,
        "counts": counts,
        "blocking": sum(Severity(f["severity"]).at_least(block_at) for f in findings),
        "ready_to_submit": not any(Severity(f["severity"]).at_least(block_at) for f in findings),
        "deferred": dict(sorted(report["rules_deferred"].items())),
    }


def scrub_codes(scrubber: Scrubber, encounter: EncounterRow) -> dict[str, Any]:
    """The scrubber's findings on the encounter's final codes (stage ``codes``)."""
    if not final_diagnoses(encounter):
        return _not_scrubbed(
            encounter, "no final ICD-10-CM code yet: accept, edit or add one to scrub the claim"
        )
    try:
        claim = _codes_claim(encounter)
    except ApiError as exc:  # stored data the claims model refuses (e.g. a patient's sex)
        return _not_scrubbed(encounter, f"the claim cannot be built: {exc.message}")
    report = scrubber.scrub(claim, pending=PENDING_AT_CODES).to_dict()
    return _summarise(encounter, report, "codes")


def _not_scrubbed(encounter: EncounterRow, reason: str) -> dict[str, Any]:
    return {
        "encounter_id": encounter.id,
        "stage": "codes",
        "scrubbed": False,
        "reason": reason,
        "findings": [],
        "counts": {s.value: 0 for s in Severity},
        "blocking": 0,
        "ready_to_submit": False,
        "deferred": {},
        "rules_skipped": {},
    }


def scrub_export(scrubber: Scrubber, encounter: EncounterRow, claim: claims.ClaimEncounter) -> dict:
    """The scrubber's findings on the claim as exported (stage ``export``, nothing deferred)."""
    return _summarise(encounter, scrubber.scrub(claim).to_dict(), "export")


def exported(claim: Claim) -> dict[str, Any]:
    """A stored export and its scrub run (``medcoder.store.scrubs``), for the API and pages."""
    return {
        "claim_id": claim.id,
        "format": claim.format,
        "exported_at": claim.created_at.isoformat() if claim.created_at else None,
        "exported_by": claim.created_by,
        "total_charge": str(claim.total_charge) if claim.total_charge is not None else None,
        "scrub": claim.scrub or {},
        "findings": [finding_dict(f) for f in claim.findings],
    }
