"""An unspecified code yields to the sibling that says more of the same condition (I.B.18).

The conventions drop a category's catch-all (I50.9) beside a specific code; this rule, run
after the laterality rule has read each code's side, compares codes that leave more or fewer
axes unspecified: "Unspecified diastolic heart failure" (I50.30) beside "Acute on chronic
diastolic heart failure" (I50.33), "Chronic kidney disease, stage 3 unspecified" (N18.30)
beside stage 3b (N18.32), an unspecified fracture of the lower end of the left radius beside
the left Colles' fracture. Codes of two sides are two conditions and both stay.
"""

from __future__ import annotations

from medcoder.codesets.icd10cm_pack import ICD10CMPack
from medcoder.codesets.systems import code_key
from medcoder.coding.guidelines.base import Rule, RuleContext
from medcoder.suggestions import CodeSuggestion


def _unspecified_words(sug: CodeSuggestion, pack: ICD10CMPack) -> int:
    title = (sug.description or pack.title(code_key(sug.code)) or "").lower()
    return title.count("unspecified")


def _side(sug: CodeSuggestion) -> str | None:
    words = set(sug.description.lower().replace(",", " ").split())
    sides = words & {"left", "right", "bilateral"}
    return next(iter(sides)) if len(sides) == 1 else None


def _supersedes(specific: CodeSuggestion, sug: CodeSuggestion, pack: ICD10CMPack) -> bool:
    """Whether ``specific`` says more of the condition ``sug`` names: same category, the same
    side when both name one, and fewer axes left unspecified ("Unspecified diastolic heart
    failure" I50.30 beside "Acute on chronic diastolic" I50.33; "Chronic kidney disease,
    stage 3 unspecified" N18.30 beside N18.32; an unspecified fracture of the lower radius
    beside its Colles' fracture)."""
    if code_key(specific.code)[:3] != code_key(sug.code)[:3] or specific is sug:
        return False
    a, b = _side(specific), _side(sug)
    if a and b and a != b:
        return False
    return _unspecified_words(specific, pack) < _unspecified_words(sug, pack)


def apply(context: RuleContext) -> None:
    diagnoses = [s for s in context.suggestions if s.system == "ICD-10-CM"]
    for sug in diagnoses:
        if sug not in context.suggestions or not _unspecified_words(sug, context.pack):
            continue
        specific = next((d for d in context.suggestions if _supersedes(d, sug, context.pack)), None)
        if specific is not None:
            specific.evidence.extend(e for e in sug.evidence if e not in specific.evidence)
            why = f"unspecified; the record supports the more specific {specific.code}"
            context.drop(sug, UNSPECIFIED_SUPERSEDED, why)


UNSPECIFIED_SUPERSEDED = Rule(
    "unspecified_superseded",
    "I.B.18",
    "A code leaving more axes unspecified yields to its specific sibling of the same side",
    apply,
)
