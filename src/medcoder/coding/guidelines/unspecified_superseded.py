"""An unspecified code yields to the sibling that says more of the same condition (I.B.18).

The conventions drop a category's catch-all (I50.9) beside a specific code; this rule, run
after the laterality rule has read each code's side, compares codes that leave more or fewer
axes unspecified: "Unspecified diastolic heart failure" (I50.30) beside "Acute on chronic
diastolic heart failure" (I50.33), "Chronic kidney disease, stage 3 unspecified" (N18.30)
beside stage 3b (N18.32), an unspecified fracture of the lower end of the left radius beside
the left Colles' fracture. Codes of two sides are two conditions and both stay. A main
term's own code yields to a code of one of its subterms ("Osteoarthritis" M19.90 beside
"Osteoarthritis, knee" M17.9): the index entry the coder stopped at said less.
"""

from __future__ import annotations

from medcoder.codesets.icd10cm_pack import ICD10CMPack
from medcoder.codesets.systems import code_key
from medcoder.coding.guidelines.base import GuidelineRule, RuleContext
from medcoder.suggestions import CodeSuggestion


def _unspecified_words(sug: CodeSuggestion, pack: ICD10CMPack) -> int:
    title = (sug.description or pack.title(code_key(sug.code)) or "").lower()
    return title.count("unspecified")


def _side(sug: CodeSuggestion) -> str | None:
    words = set(sug.description.lower().replace(",", " ").split())
    sides = words & {"left", "right", "bilateral"}
    return next(iter(sides)) if len(sides) == 1 else None


def _supersedes(specific: CodeSuggestion, sug: CodeSuggestion, pack: ICD10CMPack) -> bool:
    """Whether ``specific`` says more of the condition ``sug`` names: same subcategory, the same
    side when both name one, and fewer axes left unspecified ("Unspecified diastolic heart
    failure" I50.30 beside "Acute on chronic diastolic" I50.33; "Chronic kidney disease,
    stage 3 unspecified" N18.30 beside N18.32; an unspecified fracture of the lower radius
    beside its Colles' fracture)."""
    # the same subcategory: "Cystocele, unspecified" (N81.10) and "Rectocele" (N81.6) share a
    # category but are two prolapses
    if code_key(specific.code)[:4] != code_key(sug.code)[:4] or specific is sug:
        return False
    a, b = _side(specific), _side(sug)
    if a and b and a != b:
        return False
    return _unspecified_words(specific, pack) < _unspecified_words(sug, pack)


def _index_path(sug: CodeSuggestion) -> str | None:
    first = sug.path[0] if sug.path else ""
    return first[len("index: ") :] if first.startswith("index: ") else None


def _below(specific: CodeSuggestion, sug: CodeSuggestion) -> bool:
    """Whether ``specific`` was reached by a subterm of the index entry that gave ``sug``:
    "Osteoarthritis" (M19.90) and "Osteoarthritis, knee" (M17.9) in one record are one
    osteoarthritis, of the knee; "Pain" (R52) yields to "Pain, back"."""
    path, below = _index_path(sug), _index_path(specific)
    return bool(path and below and below.startswith(path + ", ") and specific is not sug)


def apply(context: RuleContext) -> None:
    diagnoses = [s for s in context.suggestions if s.system == "ICD-10-CM"]
    for sug in diagnoses:
        if sug not in context.suggestions:
            continue
        specific = next((d for d in context.suggestions if _below(d, sug)), None)
        if specific is None and _unspecified_words(sug, context.pack):
            specific = next(
                (d for d in context.suggestions if _supersedes(d, sug, context.pack)), None
            )
        if specific is not None:
            specific.evidence.extend(e for e in sug.evidence if e not in specific.evidence)
            why = f"unspecified; the record supports the more specific {specific.code}"
            context.drop(sug, UNSPECIFIED_SUPERSEDED, why)


UNSPECIFIED_SUPERSEDED = GuidelineRule(
    "unspecified_superseded",
    "I.B.18",
    "A code leaving more axes unspecified yields to its specific sibling of the same side",
    apply,
)
