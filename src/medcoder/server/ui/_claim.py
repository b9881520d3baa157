"""A claim preview from an encounter's final codes (the 837P itself comes from
``POST /api/encounters/{id}/claim``, see :mod:`medcoder.server.claim_export`).

Final codes are those a coder kept: accepted, edited or added (never suggested or rejected).
Diagnoses are ICD-10-CM, principal first; other systems become service lines pointing at the
first four diagnoses (837P allows four pointers per line, 2400 SV107).
"""

from __future__ import annotations

from medcoder.server.claim_export import final_diagnoses
from medcoder.store.base import FINAL_STATES as FINAL


def claim_preview(encounter) -> dict:  # noqa: ANN001 - medcoder.store.models.EncounterRow
    diagnoses = final_diagnoses(encounter)
    lines = [s for s in encounter.suggestions if s.state in FINAL and s not in diagnoses]
    pointers = list(range(1, min(4, len(diagnoses)) + 1))
    return {
        "preview": True,
        "note": "claim preview from final codes; the 837P comes from POST /api/encounters/{id}/claim",
        "encounter_id": encounter.id,
        "status": encounter.status,
        "setting": encounter.setting,
        "service_date": encounter.service_date.isoformat() if encounter.service_date else None,
        "diagnoses": [
            {"pointer": i, "code": s.code, "system": s.system, "description": s.description}
            for i, s in enumerate(diagnoses, start=1)
        ],
        "lines": [
            {
                "line": i,
                "code": s.code,
                "system": s.system,
                "description": s.description,
                "diagnosis_pointers": pointers,
            }
            for i, s in enumerate(lines, start=1)
        ],
    }
