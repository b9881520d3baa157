"""Edits that compare the claim's codes with what the encounter's own note documents.

Guideline I.B.13 reserves the unspecified-side code for a record that does not name the
side ("If the side is not identified in the medical record, assign the code for the
unspecified side"), and payers deny unspecified codes when the record is more specific. These
rules run only when the caller gives the documents (``Scrubber.scrub(..., documents=...)``;
``medcoder scrub`` reads the files the encounter names).
"""

from __future__ import annotations

from medcoder.claims.model import ClaimEncounter
from medcoder.codesets.icd10cm_pack import display
from medcoder.codesets.systems import code_key
from medcoder.edits.context import ScrubContext
from medcoder.edits.findings import EditRule, Finding, Severity, registrar

RULES: list[EditRule] = []
rule = registrar(RULES)


def _documented_codes(ctx: ScrubContext) -> dict[str, str]:
    """ICD-10-CM codes the coding pipeline reads in the documents: key -> the words cited."""
    found = ctx.memo.get("documented_codes")
    if found is None:
        from medcoder.coding.api import engine_for
        from medcoder.documents.model import Encounter

        pipeline = engine_for("outpatient", None, ctx.on, ("ICD-10-CM",))
        result = pipeline.code(Encounter("scrub", documents=list(ctx.documents)))
        found = {code_key(c.code): (c.evidence[0].text if c.evidence else "") for c in result.codes}
        ctx.memo["documented_codes"] = found
    return found  # type: ignore[return-value]


@rule(
    "DX-LAT-001",
    Severity.DENY,
    "Unspecified side where the note documents the side",
    needs=("icd10cm", "documents"),
)
def unspecified_side(encounter: ClaimEncounter, ctx: ScrubContext) -> list[Finding]:
    from medcoder.coding.guidelines.laterality import lateral_siblings

    documented = None
    out = []
    for position, diagnosis in enumerate(encounter.diagnoses or (), 1):
        title = (ctx.title(diagnosis.code) or "").lower()
        if "unspecified" not in title:
            continue
        siblings = lateral_siblings(ctx.pack, diagnosis.code)
        if not siblings:
            continue
        documented = documented if documented is not None else _documented_codes(ctx)
        for side, sibling in siblings.items():
            if sibling in documented:
                out.append(
                    unspecified_side.finding(
                        f"diagnosis {position} {diagnosis.code} is the unspecified-side code; "
                        f'the note documents the {side} side ("{documented[sibling]}")',
                        f"Report {display(sibling)}, {ctx.pack.title(sibling)} (guideline I.B.13).",
                        codes=[diagnosis.code],
                        position=position,
                    )
                )
                break
    return out
